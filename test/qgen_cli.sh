#!/usr/bin/env bash
# qgen_cli.sh - `tpchgen qgen`: the -l log against official SF 1 logs, the
# stream order against spec Appendix A, the files it writes and its errors.
#
#   test/qgen_cli.sh bin/tpchgen
#
# Prints one line per check and a closing "N passed, N failed".
set -uo pipefail

bin=$(realpath "$1")
data=$(cd "$(dirname "$0")" && pwd)/qgen
work=$(mktemp -d "${TMPDIR:-/tmp}/tpchgen-qgen.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"

# --- the log without --stream is qgen's -l log, byte for byte, for every
# official seed as qgen's command line wrote it (0101000000 included)
same=0
while IFS=$'\t' read -r file seed; do
	"$bin" qgen --sf 1 --seed "$seed" --log "$work/log" >/dev/null &&
		cmp -s "$work/log" "$data/sf1/$file" && same=$((same + 1))
done <"$data/sf1/seeds.tsv"
check "the log of all 150 official SF 1 seeds" 150 "$same"

# --- stream N: the order of row N mod 41, the same parameters
same=0
for n in $(seq 0 40); do
	"$bin" qgen --sf 1 --seed 1 --stream "$n" --log "$work/log" >/dev/null
	want=$(awk -v n="$n" '$1 == n ":" { $1 = ""; print substr($0, 2) }' "$data/permutation.txt")
	[ "$(cut -f1 "$work/log" | paste -sd' ')" = "$(echo $want)" ] && same=$((same + 1))
done
check "the query order of streams 0..40" 41 "$same"
"$bin" qgen --sf 1 --seed 1 --stream 44 --log "$work/log44" >/dev/null
"$bin" qgen --sf 1 --seed 1 --stream 3 --log "$work/log3" >/dev/null
check "stream 44 is stream 3" "" "$(cmp "$work/log3" "$work/log44")"
"$bin" qgen --sf 1 --seed 1 --log "$work/log" >/dev/null
check "a stream reorders the lines only" "$(sort "$work/log")" "$(sort "$work/log3")"
# the facts' example: qgen -s 1 -r 1130114800 -p 1 starts with Q21 IRAQ
"$bin" qgen --sf 1 --seed 1130114800 --stream 1 --log "$work/log" >/dev/null
check "stream 1 of seed 1130114800" "$(printf '21\tIRAQ\n3\tAUTOMOBILE\t1995-03-30')" \
	"$(head -2 "$work/log")"

# --- validation parameters when no seed is given; Q11 logs 0.0001
"$bin" qgen --sf 10 --log "$work/log" >"$work/stream.sql"
check "qgen -d log" "$(printf '11\tGERMANY\t0.0001')" "$(grep -P '^11\t' "$work/log")"
check "the text has the SF's fraction" 1 "$(grep -c '\* 0.0000100000$' "$work/stream.sql")"
check "22 statements in order 1..22" "$(seq 1 22 | paste -sd' ')" \
	"$(grep -o '^-- TPC-H query [0-9]*' "$work/stream.sql" | awk '{print $4}' | paste -sd' ')"

# --- --output-dir: one file per query and the stream file
"$bin" qgen --sf 1 --seed 7 --stream 2 --output-dir "$work/out" >"$work/stdout"
check "--output-dir writes 23 files" 23 "$(ls "$work/out" | wc -l)"
check "nothing on standard output" 0 "$(wc -c <"$work/stdout")"
check "the stream file in stream 2's order" "6 17 14" \
	"$(grep -o '^-- TPC-H query [0-9]*' "$work/out/stream2.sql" | awk '{print $4}' | head -3 | paste -sd' ')"
check "a query file is one statement" 1 "$(grep -c ';' "$work/out/q06.sql")"

# --- --form citus: five texts of their own, the other 17 the spec's
"$bin" qgen --sf 1 --seed 7 --stream 2 --form citus --output-dir "$work/citus" >/dev/null
differ=""
for q in $(seq 1 22); do
	f=$(printf 'q%02d.sql' "$q")
	cmp -s "$work/citus/$f" "$work/out/$f" || differ="$differ $q"
done
check "--form citus: texts of its own for Q13, Q17, Q18, Q20, Q22" " 13 17 18 20 22" "$differ"
"$bin" qgen --sf 1 --seed 7 --stream 2 --form spec --output-dir "$work/spec" >/dev/null
check "--form spec: the default texts" "" "$(diff -r "$work/spec" "$work/out" 2>&1 | grep -v '^Only in' | head -1)"

# --- errors
err() { # err NAME EXPECTED-MESSAGE ARGS...
	local name=$1 want=$2
	shift 2
	if "$bin" qgen "$@" >/dev/null 2>"$work/err"; then
		not_ok "$name: accepted"
	else
		check "$name" "$want" "$(cat "$work/err")"
	fi
}
err "negative seed" "tpchgen qgen: error: --seed: the seed must be between 1 and 548781581296767" \
	--sf 1 --seed -5
err "seed 0" "tpchgen qgen: error: --seed: a seed that is a multiple of 2147483647 leaves qgen's random streams at zero" \
	--sf 1 --seed 0
err "seed not a number" "tpchgen qgen: error: --seed: \"12x\" is not a whole number" --sf 1 --seed 12x
err "negative stream" "tpchgen qgen: error: --stream: the stream number must not be negative" \
	--sf 1 --stream -1
err "no SF" "tpchgen qgen: error: --sf is required (see --help)" --seed 1
err "bad SF" "tpchgen qgen: error: --sf: scale factors above 1 must be whole numbers (dbgen would truncate)" \
	--sf 2.5
err "unknown form" "tpchgen qgen: error: --form: unknown query form \"hive\" (spec or citus)" \
	--sf 1 --form hive
err "unknown option" "tpchgen qgen: error: unknown option \"--table\" (see --help)" --sf 1 --table x
"$bin" qgen --help >"$work/help"
check "--help" 0 "$?"

finish "qgen cli"
