#!/usr/bin/env bash
# cli_conformance.sh - the CLI against dbgen's fingerprints, chunking,
# --threads invariance, CSV and every bad-input case.
#
#   test/cli_conformance.sh bin/tpchgen
#
# The fingerprints (rows, bytes, sha256 of dbgen 3.0.1's output) are carried
# in test/fingerprints.tsv.  Prints one line per check and a closing
# "N passed, N failed".
set -uo pipefail

bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# tmpfs when there is one: SF 1 is 1.1 GB of text
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/tpchgen-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"

# rows bytes sha256 of a file

# --- fingerprints: whole tables at SF 0.01, 0.1, 1 and SF 0.1 in 3 parts
for sf in 0.01 0.1 1; do
	threads=2
	[ "$sf" = 0.1 ] && threads=1
	"$bin" --sf "$sf" --threads $threads --output-dir "$work/sf$sf" || not_ok "generate SF $sf"
done
for k in 1 2 3; do
	"$bin" --sf 0.1 --parts 3 --part $k --output-dir "$work/c3" || not_ok "generate SF 0.1 part $k of 3"
done
while IFS=$'\t' read -r sf parts part table rows bytes sha; do
	[ "$sf" = sf ] && continue
	if [ "$parts" = 1 ]; then
		f="$work/sf$sf/$table.tbl"
	else
		f="$work/c$parts/$table.tbl.$part"
	fi
	check "SF $sf $table part $part/$parts matches dbgen" "$rows $bytes $sha" "$(fp "$f")"
done <"$here/fingerprints.tsv"

# --- chunks: nation and region whole in every part, parts concatenate to the whole
for t in nation region; do
	check "SF 0.1 3 parts: $t.tbl written whole" "$(fp "$work/sf0.1/$t.tbl")" "$(fp "$work/c3/$t.tbl")"
done
for t in supplier part partsupp customer orders lineitem; do
	cat "$work/c3/$t.tbl".{1,2,3} >"$work/cat.tbl"
	check "SF 0.1 $t: parts 1..3 concatenated = whole" "$(fp "$work/sf0.1/$t.tbl")" "$(fp "$work/cat.tbl")"
done
rm -rf "$work/sf1" "$work/cat.tbl"

# --- --threads: the same bytes at every thread count, chunked or not
sha() { sha256sum | cut -d' ' -f1; }
for t in lineitem partsupp orders; do
	want=$(sha <"$work/sf0.1/$t.tbl")
	for n in 2 3 7; do
		check "SF 0.1 $t with --threads $n = --threads 1" "$want" \
			"$("$bin" --sf 0.1 --table $t --threads $n --stdout | sha)"
	done
done
# all tables at once (orders and lineitem in one pass) into files: threads that
# write each other's blocks in turn, with more threads than cores
"$bin" --sf 0.1 --threads 3 --output-dir "$work/t3" || not_ok "generate SF 0.1 with --threads 3"
for t in region nation supplier part partsupp customer orders lineitem; do
	check "SF 0.1 all tables with --threads 3: $t.tbl = --threads 1" "$(fp "$work/sf0.1/$t.tbl")" \
		"$(fp "$work/t3/$t.tbl")"
done
rm -rf "$work/t3"
check "SF 0.1 lineitem part 2/3 with --threads 2" "$(fp "$work/c3/lineitem.tbl.2")" \
	"$("$bin" --sf 0.1 --table lineitem --parts 3 --part 2 --threads 2 --output-dir "$work/t2" &&
		fp "$work/t2/lineitem.tbl.2")"
# many parts: a part smaller than a block, and empty parts before the last
check "SF 0.01 region in 1000 parts: part 1000 is whole" "$(fp "$work/sf0.01/region.tbl")" \
	"$("$bin" --sf 0.01 --table region --parts 1000 --part 1000 --output-dir "$work/p1000" &&
		fp "$work/p1000/region.tbl")"
: >"$work/cat.tbl"
for k in $(seq 1 40); do
	"$bin" --sf 0.01 --table supplier --parts 40 --part "$k" --stdout >>"$work/cat.tbl"
done
check "SF 0.01 supplier: 40 parts concatenated = whole" "$(fp "$work/sf0.01/supplier.tbl")" "$(fp "$work/cat.tbl")"

# --- CSV: same rows as .tbl; header; quoting checked by the unit tests
"$bin" --sf 0.01 --format csv --header --output-dir "$work/csv" || not_ok "generate CSV"
for t in region nation supplier part partsupp customer orders lineitem; do
	check "CSV $t: header + one line per .tbl row" "$(($(wc -l <"$work/sf0.01/$t.tbl") + 1))" \
		"$(wc -l <"$work/csv/$t.csv")"
done
check "CSV lineitem header" \
	"l_orderkey,l_partkey,l_suppkey,l_linenumber,l_quantity,l_extendedprice,l_discount,l_tax,l_returnflag,l_linestatus,l_shipdate,l_commitdate,l_receiptdate,l_shipinstruct,l_shipmode,l_comment" \
	"$(head -1 "$work/csv/lineitem.csv")"
check "CSV customer 1" \
	'1,Customer#000000001,"IVhzIApeRb ot,c,E",15,25-989-741-2988,711.56,BUILDING,"to the even, regular platelets. regular, ironic epitaphs nag e"' \
	"$(sed -n 2p "$work/csv/customer.csv")"
check "CSV without --header has no header" "0,AFRICA,lar deposits. blithely final packages cajole. regular waters are final requests. regular accounts are according to " \
	"$("$bin" --sf 0.01 --table region --format csv --stdout | head -1)"

# --- test vectors at other scale factors (DBGEN_FACTS.md §14)
check "customer 1 at SF 100000" \
	'1|Customer#000000001|IVhzIApeRb ot,c,E|15|25-989-741-2988|711.56|BUILDING|to the even, regular platelets. regular, ironic epitaphs nag e|' \
	"$("$bin" --sf 100000 --table customer --parts 100000000 --part 1 --stdout | head -1)"
check "last customer at SF 100000 (seek, wide key)" "Customer#15000000000" \
	"$("$bin" --sf 100000 --table customer --parts 15000000000 --part 15000000000 --stdout | cut -d'|' -f2)"
check "last orders part of 1,000,000 at SF 100000 ends at the last key" "600000000000" \
	"$("$bin" --sf 100000 --table orders --parts 1000000 --part 1000000 --stdout | tail -1 | cut -d'|' -f1)"

# --- bad input: one line on stderr, status != 0, nothing written
bad() { # bad NAME ARGS...
	local name=$1
	shift
	rm -rf "$work/bad"
	local out err rc
	out=$("$bin" "$@" 2>"$work/err")
	rc=$?
	err=$(cat "$work/err")
	if [ $rc -ne 0 ] && [ -z "$out" ] && [ "$(wc -l <"$work/err")" = 1 ] && [ ! -e "$work/bad" ]; then
		ok "refuses $name ($err)"
	else
		not_ok "refuses $name: status $rc, stderr '$err', stdout ${#out} bytes"
	fi
}
bad "SF 0" --sf 0 --table region --stdout
bad "SF -1" --sf -1 --output-dir "$work/bad"
bad "SF nan" --sf nan --output-dir "$work/bad"
bad "SF inf" --sf inf --output-dir "$work/bad"
bad "SF abc" --sf abc --output-dir "$work/bad"
bad "SF 1abc" --sf 1abc --output-dir "$work/bad"
bad "SF 100001" --sf 100001 --output-dir "$work/bad"
bad "SF 1.5" --sf 1.5 --output-dir "$work/bad"
bad "missing --sf" --output-dir "$work/bad"
bad "parts 0" --sf 1 --parts 0 --output-dir "$work/bad"
bad "part 0" --sf 1 --parts 3 --part 0 --output-dir "$work/bad"
bad "part 4 of 3" --sf 1 --parts 3 --part 4 --output-dir "$work/bad"
bad "part 2 without parts" --sf 1 --part 2 --output-dir "$work/bad"
bad "unknown table" --sf 1 --table lineitems --output-dir "$work/bad"
bad "unknown format" --sf 1 --format json --output-dir "$work/bad"
bad "--header with tbl" --sf 1 --header --output-dir "$work/bad"
bad "threads 0" --sf 1 --threads 0 --output-dir "$work/bad"
bad "no destination" --sf 1
bad "two destinations" --sf 1 --stdout --table region --output-dir "$work/bad"
bad "--stdout for all tables" --sf 1 --stdout
bad "unknown option" --sf 1 --fast --output-dir "$work/bad"
bad "an output directory under a file" --sf 0.01 --output-dir /etc/passwd/x

# --- the messages say what is wrong
says() { # says NAME EXPECTED-STDERR ARGS...
	local name=$1 want=$2
	shift 2
	rm -rf "$work/bad"
	local err rc
	err=$("$bin" "$@" 2>&1 >/dev/null)
	rc=$?
	check "$name" "1 tpchgen: error: $want" "$rc $err"
}
says "dbgen's -s is an unknown option" 'unknown option "-s": options are long, did you mean "--sf"? (see --help)' -s 1 --stdout --table region
says "-h is an unknown option" 'unknown option "-h": options are long, did you mean "--help"? (see --help)' -h
says "dbgen's -C is an unknown option" 'unknown option "-C": options are long, did you mean "--parts"? (see --help)' --sf 1 -C 4 --output-dir "$work/bad"
says "another short option" 'unknown option "-x": options are long, such as "--sf" (see --help)' -x
says "--help takes no value" 'option "--help" takes no value (see --help)' --help=x
says "a near miss of a long option" 'unknown option "--threds": did you mean "--threads"? (see --help)' --sf 1 --threds 2 --output-dir "$work/bad"
says "an unknown long option" 'unknown option "--fast" (see --help)' --sf 1 --fast --output-dir "$work/bad"
says "an ambiguous abbreviation" 'option "--par" is ambiguous: it abbreviates more than one option (see --help)' --sf 1 --par 2 --output-dir "$work/bad"
says "a missing value" 'option "--sf" needs a value (see --help)' --stdout --table region --sf
says "SF printed as given" '--sf: 100000.5: scale factor must be a number above 0 and at most 100000' --sf 100000.5 --table region --stdout
says "SF above 1 printed as given" '--sf: 1.0000001: scale factors above 1 must be whole numbers (dbgen would truncate)' --sf 1.0000001 --table region --stdout
says "--output-dir a regular file" '--output-dir: "/etc/passwd" is not a directory' --sf 0.01 --output-dir /etc/passwd
says "--output-dir /dev/null" '--output-dir: "/dev/null" is not a directory' --sf 0.01 --output-dir /dev/null
mkdir -p "$work/dirs/region.tbl"
says "a directory at a file's name, before generating" "cannot write \"$work/dirs/region.tbl\": it is a directory" \
	--sf 0.01 --table region --output-dir "$work/dirs"

# --- files never written through a symbolic link: another user (nobody)
# plants links in a world-writable directory, with and without the sticky
# bit, at the final name and at the temporary name that tpchgen before 0.2.0
# used (NAME.tmpPID: the PID is known here, the shell execs the program),
# pointing at files of root's that must stay as they are.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	chmod 711 "$work"
	for mode in 1777 0777; do
		d="$work/shared$mode"
		mkdir "$d"
		chmod $mode "$d"
		printf 'precious 1\n' >"$work/victim1"
		printf 'precious 2\n' >"$work/victim2"
		out=$(bin="$bin" d="$d" work="$work" sh -c '
			setpriv --reuid=nobody --regid=nogroup --clear-groups \
				sh -c "ln -s \"$work/victim1\" \"$d/region.tbl.tmp$$\" &&
				       ln -s \"$work/victim2\" \"$d/region.tbl\"" || exit 99
			exec "$bin" --sf 0.01 --table region --output-dir "$d"' 2>&1)
		rc=$?
		check "planted links in a $mode directory: the run succeeds" "0 " "$rc $out"
		check "planted links in a $mode directory: the files they point to are untouched" \
			"precious 1 precious 2" "$(cat "$work/victim1" "$work/victim2" | tr '\n' ' ' | sed 's/ $//')"
		[ -f "$d/region.tbl" ] && [ ! -L "$d/region.tbl" ] && ok "planted links in a $mode directory: region.tbl is our own file" ||
			not_ok "planted links in a $mode directory: region.tbl is $(ls -l "$d/region.tbl")"
		check "planted links in a $mode directory: region.tbl is dbgen's" \
			"$(fp "$work/sf0.01/region.tbl")" "$(fp "$d/region.tbl")"
		check "planted links in a $mode directory: the other link is left, nothing else made" "2 1" \
			"$(find "$d" -mindepth 1 | wc -l) $(find "$d" -name 'region.tbl.tmp*' -type l | wc -l)"
	done
	# a link planted as the output directory itself, pointing at root's own
	mkdir "$work/rootdir"
	setpriv --reuid=nobody --regid=nogroup --clear-groups ln -s "$work/rootdir" "$work/shared0777/out"
	says "a planted link as --output-dir is refused" \
		"--output-dir: \"$work/shared0777/out\" is another user's symbolic link in a directory that everyone may write: give the directory it points to" \
		--sf 0.01 --table region --output-dir "$work/shared0777/out"
	check "and nothing is written where it points" "" "$(ls -A "$work/rootdir")"
	chmod 700 "$work"
else
	echo "# skipped: the planted-link tests need root, setpriv and the user nobody"
fi
# write errors are reported
"$bin" --sf 0.01 --table lineitem --stdout >/dev/full 2>"$work/err"
rc=$?
[ $rc -ne 0 ] && grep -q 'No space left' "$work/err" && ok "reports a full disk ($(cat "$work/err"))" ||
	not_ok "full disk: status $rc, '$(cat "$work/err")'"
"$bin" --sf 0.1 --table lineitem --stdout 2>"$work/err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" -ne 0 ] && grep -q 'Broken pipe' "$work/err" && ok "reports a closed pipe ($(cat "$work/err"))" ||
	not_ok "closed pipe: status $rc, '$(cat "$work/err")'"
# interrupted: nothing stays behind, not even a temporary file
"$bin" --sf 1 --table lineitem --output-dir "$work/int" &
pid=$!
# the data goes to an unnamed file: wait until the program holds one there
for _ in $(seq 100); do
	ls -l /proc/$pid/fd 2>/dev/null | grep -q "$work/int/" && break
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
[ $rc -ne 0 ] && [ -z "$(ls -A "$work/int")" ] && ok "Ctrl-C leaves no file behind (status $rc)" ||
	not_ok "Ctrl-C: status $rc, left: $(ls -A "$work/int")"
"$bin" --help | grep -q -- '--threads N' && ok "--help documents the flags" || not_ok "--help"

echo
finish "cli"
