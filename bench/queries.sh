# bench/queries.sh - sourced by bench/run: the 22 TPC-H queries (validation
# parameters, as sql/tpch_queries.sql writes them) on the foreign tables
# beside heap tables holding the same rows with the usual indexes.
#
# Uses bench/run's pq, measure, fail, have, secs, ratio, say, table, log and
# $BASE, $SF, $SMOKE, $top.  Every statement runs in its own psql session
# with the server's settings (max_parallel_workers_per_gather = 2, parallel
# costs as configured: plans as a user gets them).

TQ_DIR=
TQ_LIST=()
TQ_NOTE=
TQ_TIMEOUT=${TPCHGEN_BENCH_QUERY_TIMEOUT:-600}

# The heap tables of the section, their load time, and the query files.
tq_setup() {
	local t t0 t1
	TQ_DIR=$BASE/queries
	mkdir -p "$TQ_DIR"
	perl -e 'my ($dir, $file) = @ARGV; local $/; open(my $in, "<", $file) or die "$file: $!";
		my $s = <$in>;
		while ($s =~ /^\((\d+), \$q\$\n(.*?)\$q\$\)/msg) {
			open(my $f, ">", "$dir/$1.sql") or die "$dir/$1.sql: $!"; print $f $2; close $f }' \
		"$TQ_DIR" "$top/sql/tpch_queries.sql"
	for ((t = 1; t <= 22; t++)); do
		[ -s "$TQ_DIR/$t.sql" ] && TQ_LIST+=("$t")
	done
	if [ ${#TQ_LIST[@]} != 22 ]; then
		TQ_NOTE="found ${#TQ_LIST[@]} of the 22 queries in sql/tpch_queries.sql"
		fail queries.setup "$TQ_NOTE"
		return 1
	fi

	log "== the 22 queries: heap tables with keys and indexes (untimed load)"
	t0=$(now)
	if ! pq -c "ANALYZE ft.region, ft.nation, ft.supplier, ft.part, ft.partsupp,
			ft.customer, ft.orders, ft.lineitem" \
		-c "CREATE SCHEMA hq" \
		-c "SET max_parallel_workers_per_gather = 2" \
		-c "CREATE TABLE hq.region AS SELECT * FROM ft.region" \
		-c "CREATE TABLE hq.nation AS SELECT * FROM ft.nation" \
		-c "CREATE TABLE hq.supplier AS SELECT * FROM ft.supplier" \
		-c "CREATE TABLE hq.part AS SELECT * FROM ft.part" \
		-c "CREATE TABLE hq.partsupp AS SELECT * FROM ft.partsupp" \
		-c "CREATE TABLE hq.customer AS SELECT * FROM ft.customer" \
		-c "CREATE TABLE hq.orders AS SELECT * FROM ft.orders" \
		-c "CREATE TABLE hq.lineitem AS SELECT * FROM ft.lineitem" \
		-c "ALTER TABLE hq.region ADD PRIMARY KEY (r_regionkey)" \
		-c "ALTER TABLE hq.nation ADD PRIMARY KEY (n_nationkey)" \
		-c "ALTER TABLE hq.supplier ADD PRIMARY KEY (s_suppkey)" \
		-c "ALTER TABLE hq.part ADD PRIMARY KEY (p_partkey)" \
		-c "ALTER TABLE hq.partsupp ADD PRIMARY KEY (ps_partkey, ps_suppkey)" \
		-c "ALTER TABLE hq.customer ADD PRIMARY KEY (c_custkey)" \
		-c "ALTER TABLE hq.orders ADD PRIMARY KEY (o_orderkey)" \
		-c "ALTER TABLE hq.lineitem ADD PRIMARY KEY (l_orderkey, l_linenumber)" \
		-c "CREATE INDEX ON hq.lineitem (l_partkey, l_suppkey)" \
		-c "CREATE INDEX ON hq.orders (o_custkey)" \
		-c "CREATE INDEX ON hq.partsupp (ps_suppkey)" \
		-c "VACUUM (FREEZE, ANALYZE) hq.region, hq.nation, hq.supplier, hq.part,
			hq.partsupp, hq.customer, hq.orders, hq.lineitem" \
		-c "CHECKPOINT" >/dev/null 2>"$BASE/err"; then
		TQ_NOTE="setup failed: $(errline "$BASE/err")"
		fail queries.setup "$TQ_NOTE"
		return 1
	fi
	t1=$(now)
	TQ_LOAD=$(calc "$t1 - $t0")
}

# run_query SCHEMA N: one query in its own session, timed by \timing; its
# rows, sorted (ties in ORDER BY may come out in either order), kept.
run_query() {
	local schema=$1 n=$2 out
	out=$(pq -c "SET search_path = $schema; SET statement_timeout = '${TQ_TIMEOUT}s'" \
		-c '\timing on' -f "$TQ_DIR/$n.sql" 2>"$BASE/err") ||
		{ ERR=$(errline "$BASE/err"); return 1; }
	T=$(printf '%s\n' "$out" | awk '/^Time: / { t += $2 / 1000 } END { printf "%.6f", t }')
	RESULT[$CUR]=$(printf '%s\n' "$out" | grep -v '^Time: ' | LC_ALL=C sort | md5sum)
}

tq_measure() {
	local n s
	[ -n "$TQ_DIR" ] && [ -z "$TQ_NOTE" ] || return 0
	log "== the 22 queries on foreign tables and heap tables"
	for n in "${TQ_LIST[@]}"; do
		for s in hq ft; do
			measure "tq.$n.$s" "Q$n, $([ $s = ft ] && echo 'foreign tables' || echo 'heap tables')" \
				run_query "$s" "$n"
		done
		if have "tq.$n.hq" && have "tq.$n.ft" &&
			[ "${RESULT[tq.$n.hq]}" != "${RESULT[tq.$n.ft]}" ]; then
			fail "tq.$n.ft" "Q$n: rows differ from the heap tables'"
			MED[tq.$n.ft]=
		fi
	done
}

tq_report() {
	local n sum_h=0 sum_f=0 all=1
	say "#### The 22 TPC-H queries: foreign tables beside heap tables"
	say ""
	if [ -n "$TQ_NOTE" ]; then
		say "_Skipped: $TQ_NOTE._"
		say ""
		return
	fi
	say "The validation queries of sql/tpch_queries.sql, each in its own session with the server's settings (max_parallel_workers_per_gather = 2, default parallel costs, tpchgen.rescan_cache_mem = $(pq -c 'SHOW tpchgen.rescan_cache_mem' 2>/dev/null || echo 'n/a')), statement_timeout = ${TQ_TIMEOUT} s. Foreign tables: \`IMPORT FOREIGN SCHEMA\`, \`ANALYZE\`d. Heap tables: \`CREATE TABLE AS\` from them, primary keys, indexes on lineitem (l_partkey, l_suppkey), orders (o_custkey) and partsupp (ps_suppkey), \`VACUUM (FREEZE, ANALYZE)\` (${TQ_LOAD:-?} s in all, untimed). Both give the same rows (compared sorted) for every query below that has a figure."
	say ""
	{
		printf 'query\theap tables s:\tforeign tables s:\t× heap:\n'
		for n in "${TQ_LIST[@]}"; do
			printf 'Q%s\t%s\t%s\t%s\n' "$n" "$(secs "tq.$n.hq")" "$(secs "tq.$n.ft")" \
				"$(ratio "tq.$n.ft" "tq.$n.hq")"
			if have "tq.$n.hq" && have "tq.$n.ft"; then
				sum_h=$(calc "$sum_h + ${MED[tq.$n.hq]}")
				sum_f=$(calc "$sum_f + ${MED[tq.$n.ft]}")
			else
				all=0
			fi
		done
		[ $all = 1 ] && printf 'all 22 (sum of medians)\t%.3f\t%.3f\t%s\n' "$sum_h" "$sum_f" \
			"$(awk -v a="$sum_f" -v b="$sum_h" 'BEGIN { printf "%.2f", a / b }')"
	} | table
	say ""
}
