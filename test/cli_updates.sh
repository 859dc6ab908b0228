#!/usr/bin/env bash
# cli_updates.sh - `tpchgen --updates` against dbgen's update files: the
# fingerprints, segments, --update-start, CSV and every refused combination.
#
#   test/cli_updates.sh bin/tpchgen
#
# The fingerprints (rows, bytes, sha256 of dbgen 3.0.1 -U) are carried in
# test/update_fingerprints.tsv.  Prints one line per check and a closing
# "N passed, N failed".
set -uo pipefail

bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tpchgen-upd.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"

# --- fingerprints: SF 0.1 -U 2 and SF 1 -U 1
"$bin" --sf 0.1 --updates 2 --output-dir "$work/sf0.1" || not_ok "generate SF 0.1 -U 2"
"$bin" --sf 1 --updates 1 --threads 2 --output-dir "$work/sf1" || not_ok "generate SF 1 -U 1"
while IFS=$'\t' read -r sf updates set file rows bytes sha; do
	[ "$sf" = sf ] && continue
	check "SF $sf -U $updates: $file matches dbgen" "$rows $bytes $sha" "$(fp "$work/sf$sf/$file")"
done <"$here/update_fingerprints.tsv"
check "SF 0.1 -U 2 writes exactly dbgen's six files" \
	"delete.1 delete.2 lineitem.tbl.u1 lineitem.tbl.u2 orders.tbl.u1 orders.tbl.u2" \
	"$(cd "$work/sf0.1" && echo *)"

# --- --update-start: set 2 alone is the set 2 of a whole run
"$bin" --sf 0.1 --updates 2 --update-start 2 --output-dir "$work/s2" || not_ok "generate -S 2"
check "--update-start 2 writes set 2 only" "delete.2 lineitem.tbl.u2 orders.tbl.u2" "$(cd "$work/s2" && echo *)"
for f in delete.2 lineitem.tbl.u2 orders.tbl.u2; do
	check "--update-start 2: $f = the whole run's" "$(fp "$work/sf0.1/$f")" "$(fp "$work/s2/$f")"
done

# --- segments: dbgen's split, and the pieces concatenate to the whole set
"$bin" --sf 1 --updates 1 --insert-segments 7 --delete-segments 100 --output-dir "$work/seg" ||
	not_ok "generate segments"
check "-i 7: first 1500 mod 7 segments get one order more" "215 214" \
	"$(wc -l <"$work/seg/orders.tbl.u1.1") $(wc -l <"$work/seg/orders.tbl.u1.7")"
check "-d 100: 94 delete files of 16 keys, the last of 12" "94 16 12" \
	"$(ls "$work/seg"/delete.u1.* | wc -l) $(wc -l <"$work/seg/delete.u1.1") $(wc -l <"$work/seg/delete.u1.94")"
for t in orders lineitem; do
	cat "$work/seg/$t.tbl.u1".{1..7} >"$work/cat"
	check "-i 7: $t segments concatenated = $t.tbl.u1" "$(fp "$work/sf1/$t.tbl.u1")" "$(fp "$work/cat")"
done
cat $(ls -v "$work/seg"/delete.u1.*) >"$work/cat"
check "-d 100: delete segments concatenated = delete.1" "$(fp "$work/sf1/delete.1")" "$(fp "$work/cat")"
check "-i 7 -d 100 writes no unsplit file" "" \
	"$(cd "$work/seg" && ls -d orders.tbl.u1 lineitem.tbl.u1 delete.1 2>/dev/null)"

# --- CSV: the same rows, dbgen's names with csv, bare keys
"$bin" --sf 0.1 --updates 1 --format csv --header --output-dir "$work/csv" || not_ok "generate CSV"
check "CSV names" "delete.1 lineitem.csv.u1 orders.csv.u1" "$(cd "$work/csv" && echo *)"
check "CSV orders: header + 150 rows" "151" "$(wc -l <"$work/csv/orders.csv.u1")"
check "CSV delete keys = tbl keys" "$(sed 's/|$//' "$work/sf0.1/delete.1" | sha256sum)" \
	"$(tail -n +2 "$work/csv/delete.1" | sha256sum)"
check "CSV first insert" "9,10096,O,70670.35,1995-10-13,3-MEDIUM,Clerk#000000052,0,ts promise slyly. express packages above the carefully ironic account" \
	"$(sed -n 2p "$work/csv/orders.csv.u1")"

# --- bad input: one line on stderr, status 1, nothing written
bad() { # bad NAME ARGS...
	local name=$1
	shift
	rm -rf "$work/bad"
	local out rc
	out=$("$bin" "$@" --output-dir "$work/bad" 2>"$work/err")
	rc=$?
	if [ $rc -eq 1 ] && [ -z "$out" ] && [ "$(wc -l <"$work/err")" = 1 ] && [ ! -e "$work/bad" ]; then
		ok "refuses $name ($(cat "$work/err"))"
	else
		not_ok "refuses $name: status $rc, stderr '$(cat "$work/err")', stdout ${#out} bytes"
	fi
}
bad "--updates 0" --sf 1 --updates 0
bad "--updates -1" --sf 1 --updates -1
bad "--updates x" --sf 1 --updates x
bad "--updates 3000" --sf 1 --updates 3000
bad "--update-start 0" --sf 1 --updates 2 --update-start 0
bad "--update-start 3 of 2" --sf 1 --updates 2 --update-start 3
bad "--update-start without --updates" --sf 1 --update-start 1
bad "--insert-segments 0" --sf 1 --updates 1 --insert-segments 0
bad "--delete-segments 0" --sf 1 --updates 1 --delete-segments 0
bad "--insert-segments beyond the orders of a set" --sf 0.01 --updates 1 --insert-segments 11
bad "--updates with --parts (dbgen: -C with -U)" --sf 1 --updates 1 --parts 2
bad "--updates with --table" --sf 1 --updates 1 --table orders
bad "SF 0.005: empty sets" --sf 0.005 --updates 1
bad "SF 1.5" --sf 1.5 --updates 1
bad "--header with tbl" --sf 1 --updates 1 --header
rm -rf "$work/bad"
out=$("$bin" --sf 1 --updates 1 --stdout 2>"$work/err")
[ $? -eq 1 ] && [ -z "$out" ] && ok "refuses --updates with --stdout ($(cat "$work/err"))" ||
	not_ok "--updates with --stdout"
"$bin" --help | grep -q -- '--updates N' && ok "--help mentions --updates" || not_ok "--help"

echo
finish "cli updates"
