#!/usr/bin/env bash
# client_test.sh - the CLI's client commands (tpchgen load, tpchgen run)
# against a running server, in a database of their own WITHOUT the extension:
#
#   test/client_test.sh bin/tpchgen
#
# The server comes from PGHOST/PGPORT/PGUSER.  Every table is checked against
# the generator's own .tbl output (itself checked against dbgen by
# cli_conformance.sh), as the md5 of its rows written as .tbl lines.  Prints
# one line per check and a closing "N passed, N failed".
set -uo pipefail

bin=$(realpath "$1")
db=tpchgen_client_test
work=$(mktemp -d "${TMPDIR:-/tmp}/tpchgen-client.XXXXXX")
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok - $*"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $*"
}
check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null

# The md5 of a table's rows as .tbl lines in key order (the CLI's order, but
# for partsupp, whose file is sorted for this).
declare -A row_sql=(
	[region]="concat_ws('|', r_regionkey, r_name::text, r_comment) ORDER BY r_regionkey"
	[nation]="concat_ws('|', n_nationkey, n_name::text, n_regionkey, n_comment) ORDER BY n_nationkey"
	[supplier]="concat_ws('|', s_suppkey, s_name::text, s_address, s_nationkey, s_phone::text, s_acctbal, s_comment) ORDER BY s_suppkey"
	[part]="concat_ws('|', p_partkey, p_name, p_mfgr::text, p_brand::text, p_type, p_size, p_container::text, p_retailprice, p_comment) ORDER BY p_partkey"
	[partsupp]="concat_ws('|', ps_partkey, ps_suppkey, ps_availqty, ps_supplycost, ps_comment) ORDER BY ps_partkey, ps_suppkey"
	[customer]="concat_ws('|', c_custkey, c_name, c_address, c_nationkey, c_phone::text, c_acctbal, c_mktsegment::text, c_comment) ORDER BY c_custkey"
	[orders]="concat_ws('|', o_orderkey, o_custkey, o_orderstatus::text, o_totalprice, o_orderdate, o_orderpriority::text, o_clerk::text, o_shippriority, o_comment) ORDER BY o_orderkey"
	[lineitem]="concat_ws('|', l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity::bigint, l_extendedprice, l_discount, l_tax, l_returnflag::text, l_linestatus::text, l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct::text, l_shipmode::text, l_comment) ORDER BY l_orderkey, l_linenumber"
)
tables="region nation supplier part partsupp customer orders lineitem"
table_md5() { # schema table
	local expr=${row_sql[$2]}
	q "SET datestyle = ISO; SELECT md5(string_agg(${expr%% ORDER BY*} || E'|\n', '' ORDER BY ${expr##*ORDER BY }))
	   FROM $1.$2" | tail -1
}
"$bin" --sf 0.01 --output-dir "$work/ref" >/dev/null || not_ok "generate SF 0.01 files"
declare -A want
for t in $tables; do
	if [ $t = partsupp ]; then
		want[$t]=$(sort -t'|' -k1,1n -k2,2n "$work/ref/$t.tbl" | md5sum | cut -d' ' -f1)
	else
		want[$t]=$(md5sum <"$work/ref/$t.tbl" | cut -d' ' -f1)
	fi
done
same_as_dbgen() { # schema label
	local bad=""
	for t in $tables; do
		[ "$(table_md5 "$1" $t)" = "${want[$t]}" ] || bad="$bad $t"
	done
	[ -z "$bad" ] && ok "$2: all 8 tables equal the generator's files" || not_ok "$2: differ:$bad"
}

# --- load: 1 and 3 jobs, the tables as dbgen makes them
"$bin" load --sf 0.01 -d "$db" --no-progress >"$work/out1" 2>&1 &&
	ok "load --sf 0.01 (1 job)" || not_ok "load --sf 0.01: $(cat "$work/out1")"
same_as_dbgen public "1 job"
"$bin" load --sf 0.01 -d "$db" --jobs 3 --schema "Three Jobs" --keys foreign --no-progress >"$work/out3" 2>&1 &&
	ok "load --jobs 3 --keys foreign into a schema that needs quoting" ||
	not_ok "load --jobs 3: $(cat "$work/out3")"
same_as_dbgen '"Three Jobs"' "3 jobs"
check "primary keys of all 8 tables" 8 \
	"$(q "SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace")"
check "foreign keys with --keys foreign" 10 \
	"$(q "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = '\"Three Jobs\"'::regnamespace")"
check "statistics after the load" 8 \
	"$(q "SELECT count(DISTINCT tablename) FROM pg_stats WHERE schemaname = 'public'")"
check "column types as the specification's" "numeric(15,2) date character(25)" \
	"$(q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'lineitem'::regclass
	      AND attname IN ('l_quantity', 'l_shipinstruct', 'l_shipdate') ORDER BY attnum" | tr '\n' ' ' | sed 's/ $//')"
check "no staging schema left" 0 "$(q "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tpchgen_load%'")"

# --- --if-exists
"$bin" load --sf 0.01 -d "$db" --no-progress >"$work/err" 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'already exists.*--if-exists replace' "$work/err" &&
	ok "a second load is refused ($(head -1 "$work/err"))" || not_ok "second load: status $rc, $(cat "$work/err")"
q "DELETE FROM region" >/dev/null
"$bin" load --sf 0.01 -d "$db" --if-exists replace --tables region,nation --keys none --no-progress \
	>"$work/out" 2>&1 && ok "--if-exists replace --tables region,nation" || not_ok "replace: $(cat "$work/out")"
check "replaced region has its rows again" 5 "$(q "SELECT count(*) FROM region")"

# --- an interrupted load leaves nothing
"$bin" load --sf 0.1 -d "$db" --schema interrupted --jobs 2 --no-progress >"$work/int" 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%tpchgen_load%'")" != 0 ] && break
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
check "interrupted load: status 1 and nothing left" "1 0 0" \
	"$rc $(q "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tpchgen_load%' OR nspname = 'interrupted'") \
$(q "SELECT count(*) FROM pg_class WHERE relname = 'lineitem'" | awk '{print $1 - 2}')"

# --- bad input fails fast, in one line
bad() { # label expected-pattern args...
	local label=$1 pat=$2
	shift 2
	local start=$SECONDS
	"$bin" "$@" >"$work/bad" 2>&1
	local rc=$?
	if [ $rc = 1 ] && [ "$(wc -l <"$work/bad")" = 1 ] && grep -q -- "$pat" "$work/bad" && [ $((SECONDS - start)) -lt 15 ]; then
		ok "$label: $(cat "$work/bad")"
	else
		not_ok "$label: status $rc, $(cat "$work/bad")"
	fi
}
bad "unreachable server" "could not connect" load --sf 0.01 -d "host=127.0.0.1 port=1 dbname=x connect_timeout=3"
bad "a bad connection string" "could not connect\|invalid" load --sf 0.01 -d "postgresql://[::1"
bad "an unknown database" 'could not connect.*"no_such_db"' load --sf 0.01 -d no_such_db
bad "--sf missing" "--sf is required" load -d "$db"
bad "--keys unknown" 'unknown value "all"' load --sf 1 --keys all -d "$db"
bad "--tables unknown" 'unknown table "items"' load --sf 1 --tables items -d "$db"
bad "--server-side without the extension" "no tpchgen extension" load --sf 0.01 --server-side -d "$db"
bad "unknown option" 'unknown option "--jbos"' load --sf 1 --jbos 2

echo
echo "client: $passed passed, $failed failed"
[ $failed = 0 ]
