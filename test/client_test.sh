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
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1' EXIT

# the text pool cache of tpchgen load goes here, not into the user's home
export XDG_CACHE_HOME="$work/cache"

# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null

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
check "no storage options left (autovacuum was off only while staging)" 0 \
	"$(q "SELECT count(*) FROM pg_class WHERE relnamespace IN ('public'::regnamespace, '\"Three Jobs\"'::regnamespace)
	      AND reloptions IS NOT NULL")"

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

# --- the text pool cache: kept by the first load, used by the next, rebuilt when damaged
pool=$(ls "$XDG_CACHE_HOME"/tpchgen/pool-* 2>/dev/null)
check "the first load kept the text pool in \$XDG_CACHE_HOME/tpchgen (and no temporary file)" \
	"1 314576896" "$(echo "$pool" | grep -c .) $(stat -c %s "$pool" 2>/dev/null)"
pool_md5=$(md5sum <"$pool" | cut -d' ' -f1)
printf 'XXXXXXXX' | dd of="$pool" bs=1 seek=123456789 conv=notrunc status=none
"$bin" load --sf 0.01 -d "$db" --schema damaged --no-progress >"$work/out" 2>"$work/err" &&
	grep -q "ignoring the text pool cache .*damaged" "$work/err" &&
	ok "a damaged cache is ignored with a warning ($(head -1 "$work/err"))" ||
	not_ok "damaged cache: $(cat "$work/out" "$work/err")"
same_as_dbgen damaged "with a damaged cache"
check "the damaged cache was written again" "$pool_md5" "$(md5sum <"$pool" | cut -d' ' -f1)"
XDG_CACHE_HOME="$work/nocache" "$bin" load --sf 0.01 -d "$db" --schema nocache --tables region \
	--no-pool-cache --no-progress >"$work/out" 2>&1 && [ ! -e "$work/nocache" ] &&
	ok "--no-pool-cache keeps no file" || not_ok "--no-pool-cache: $(cat "$work/out")"
: >"$work/afile"
XDG_CACHE_HOME="$work/afile" "$bin" load --sf 0.01 -d "$db" --schema unwritable --no-progress \
	>"$work/out" 2>"$work/err" && grep -q "warning: could not create the directory" "$work/err" &&
	ok "a cache that cannot be written costs a warning, not the load ($(head -1 "$work/err"))" ||
	not_ok "unwritable cache: $(cat "$work/out" "$work/err")"
same_as_dbgen unwritable "without a writable cache"

# --- run: power and throughput tests, the report, validation
"$bin" load --sf 0.01 -d "$db" --schema run --no-progress >/dev/null 2>&1 || not_ok "load for run"
"$bin" run --sf 0.01 --streams 2 --validate --schema run --seed 1130125959 -d "$db" \
	--report "$work/run.json" --no-progress >"$work/run.out" 2>&1
rc=$?
check "run --sf 0.01 --streams 2 --validate: status 0" 0 "$rc"
[ $rc = 0 ] || cat "$work/run.out"
grep -q '^QphH@Size' "$work/run.out" && ok "the terminal table ends with the metrics" ||
	not_ok "no metrics in: $(tail -3 "$work/run.out")"
# the report: 22 x 3 query timings, 3 RF pairs, metrics recomputed from the timings
check "report: timings, refresh pairs, validation and metrics" "66 3 22 ok" "$(perl -MJSON::PP -e '
	local $/; my $r = decode_json(<STDIN>);
	my @q = (@{$r->{power}{stream}{queries}}, map { @{$_->{queries}} } @{$r->{throughput}{streams}});
	my @rf = ([$r->{power}{rf1}, $r->{power}{rf2}], map { [$_->{rf1}, $_->{rf2}] } @{$r->{throughput}{refresh}});
	my $valid = grep { $_->{status} eq "ok" } @{$r->{validation}};
	# Power@Size: 3600 SF over the geometric mean of 22 queries and 2 refreshes
	my @t = ((map { $_->{seconds} } @{$r->{power}{stream}{queries}}), $r->{power}{rf1}{seconds}, $r->{power}{rf2}{seconds});
	my $max = 0; $max < $_ and $max = $_ for @t;
	my $log = 0; $log += log($_ < $max / 1000 ? $max / 1000 : $_) for @t;
	my $power = 3600 * $r->{sf} / exp($log / 24);
	my $tput = $r->{streams} * 22 * 3600 / $r->{throughput}{seconds} * $r->{sf};
	my $m = $r->{metrics};
	my $same = abs($power - $m->{power_at_size}) <= 0.01 * $power
		&& abs($tput - $m->{throughput_at_size}) <= 0.01 * $tput
		&& abs(sqrt($power * $tput) - $m->{qphh_at_size}) <= 0.01 * sqrt($power * $tput)
		&& $m->{valid} ? "ok" : "metrics differ: $power $tput";
	print scalar(@q), " ", scalar(@rf), " ", $valid, " ", $same' <"$work/run.json" 2>&1)"
check "stream 1 runs in its permutation order with seed + 1" "21 3 18 5 11 7 6 20 17 12 16 15 13 10 2 8 14 19 9 22 1 4 1130125960" \
	"$(perl -MJSON::PP -e 'local $/; my $r = decode_json(<STDIN>); my $s = $r->{throughput}{streams}[0];
	print join(" ", map { $_->{query} } @{$s->{queries}}), " ", $s->{seed}' <"$work/run.json")"
# at SF 0.01 a set inserts 10 orders (keys in the gaps: key % 32 >= 8) and
# deletes the 10 base orders of its indices (sets 1..3: indices 1..30)
check "RF1 and RF2 of sets 1..3: as many orders as before" 15000 "$(q "SELECT count(*) FROM run.orders")"
check "the sets' new orders are in, the deleted ones out" "30 0" \
	"$(q "SELECT count(*) FILTER (WHERE o_orderkey % 32 >= 8), count(*) FILTER (WHERE o_orderkey IN (1, 2, 3)) FROM run.orders" | tr '|' ' ')"
"$bin" run --sf 0.01 --power-only --schema run -d "$db" --seed 7 --no-progress --form citus \
	--report "$work/run2.json" >"$work/run2.out" 2>&1 &&
	grep -q 'update sets 4\.\.4' "$work/run2.out" && ok "a second run goes on with the next update set" ||
	not_ok "second run: $(tail -5 "$work/run2.out")"
grep -q '"query_form": "citus"' "$work/run2.json" && ok "--form citus: the report records the query form" ||
	not_ok "--form citus: no query_form in the report"

# a query that times out is reported, the run goes on, the metrics are invalid, status 2
psql -X -q -d "$db" -c "BEGIN; LOCK run.region; SELECT pg_sleep(20)" >/dev/null 2>&1 &
locker=$!
sleep 0.5
"$bin" run --sf 0.01 --power-only --no-refresh --timeout 1 --schema run -d "$db" --seed 9 \
	--report "$work/timeout.json" --no-progress >"$work/to.out" 2>&1
rc=$?
kill $locker 2>/dev/null
wait $locker 2>/dev/null
# (Q2, Q5 and Q8 read region; another slow query may time out too)
check "a timed-out query: status 2, marked in the table and the report" "2 yes 2 5 8" \
	"$rc $(grep -q timeout "$work/to.out" && echo yes) $(perl -MJSON::PP -e 'local $/; my $r = decode_json(<STDIN>);
	print join(" ", sort { $a <=> $b } map { $_->{query} } grep { $_->{status} eq "timeout" && $_->{query} =~ /^[258]$/ }
		@{$r->{power}{stream}{queries}})' <"$work/timeout.json")"
# a lost connection: one line, status 1, no report
psql -X -q -d "$db" -c "BEGIN; LOCK run.region; SELECT pg_sleep(20)" >/dev/null 2>&1 &
locker=$!
sleep 0.5
"$bin" run --sf 0.01 --power-only --no-refresh --schema run -d "$db" --seed 9 \
	--report "$work/lost.json" --no-progress >"$work/lost.out" 2>&1 &
runner=$!
for _ in $(seq 100); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tpchgen run' AND wait_event_type = 'Lock'")" != 0 ] && break
	sleep 0.1
done
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tpchgen run'" >/dev/null
wait $runner
rc=$?
kill $locker 2>/dev/null
wait $locker 2>/dev/null
check "a lost connection: status 1, one line, no report" "1 1 no" \
	"$rc $(wc -l <"$work/lost.out") $([ -e "$work/lost.json" ] && echo yes || echo no)"
grep -q "lost the connection" "$work/lost.out" && ok "it says so: $(cat "$work/lost.out")" || not_ok "lost: $(cat "$work/lost.out")"

# Ctrl-C during a query that waits: the query is cancelled, the run ends at once, no report
psql -X -q -d "$db" -c "BEGIN; LOCK run.region; SELECT pg_sleep(20)" >/dev/null 2>&1 &
locker=$!
sleep 0.5
"$bin" run --sf 0.01 --power-only --no-refresh --schema run -d "$db" --seed 9 \
	--report "$work/int.json" --no-progress >"$work/int.out" 2>&1 &
runner=$!
for _ in $(seq 100); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tpchgen run' AND wait_event_type = 'Lock'")" != 0 ] && break
	sleep 0.1
done
start=$SECONDS
kill -INT $runner
wait $runner
rc=$?
kill $locker 2>/dev/null
wait $locker 2>/dev/null
check "Ctrl-C during a waiting query: status 1 within seconds, no report" "1 yes no" \
	"$rc $([ $((SECONDS - start)) -lt 5 ] && echo yes || echo no) $([ -e "$work/int.json" ] && echo yes || echo no)"

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
bad "run without tables" 'does not exist (load the database first' run --sf 0.01 --schema nothing_here -d "$db"
bad "run --validate at an SF without answers" "answers exist only at" run --sf 3 --validate -d "$db"
bad "run --report in a missing directory" "does not exist" run --sf 0.01 --report /nonexistent/dir/r.json -d "$db"
bad "run --streams 0" "out of range" run --sf 0.01 --streams 0 -d "$db"
bad "run --form unknown" 'unknown query form "hive"' run --sf 0.01 --form hive -d "$db"

echo
finish "client"
