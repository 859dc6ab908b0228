# bench/queries.sh - sourced by bench/run: the 22 TPC-H queries (validation
# parameters) on the foreign tables beside heap tables holding the same rows
# with the usual indexes, through bench/tpch22, which also runs them in
# pieces on a server of one's own (see bench/tpch22 --help).
#
# Uses bench/run's fail, errline, say, log, MED and $BASE, $SF, $RUNS,
# $SMOKE, $REUSE, $DB, $PORT, $PGBIN, $BENCH, $REPORT.  Every statement runs in its own psql
# session with the server's settings (plans as a user gets them).

TQ_NOTE=
TQ_RESULTS=
TQ_TIMEOUT=${TPCHGEN_BENCH_QUERY_TIMEOUT:-600}

tq() {
	local db="host=$BASE port=$PORT user=postgres dbname=postgres" opts=${PGOPTIONS:-}
	[ "$REUSE" = 1 ] && db="dbname=$DB"
	# (a smoke run has its own, shorter timeout)
	[ "$SMOKE" = 1 ] || opts="$opts -c statement_timeout=${TQ_TIMEOUT}s"
	TPCHGEN_PGBIN=$PGBIN PGOPTIONS=$opts "$BENCH/tpch22" "$@" --db "$db"
}

# The schemas of bench/tpch22: foreign tables, and heap tables by tpch_load.
tq_setup() {
	TQ_RESULTS=$BASE/tpch22.tsv
	log "== the 22 queries: heap tables by tpch_load, keys and indexes (untimed)"
	if ! tq setup --sf "$SF" >/dev/null 2>"$BASE/err"; then
		TQ_NOTE="setup failed: $(errline "$BASE/err")"
		fail queries.setup "$TQ_NOTE"
		return 1
	fi
}

tq_measure() {
	local kind q src v
	[ -n "$TQ_RESULTS" ] && [ -z "$TQ_NOTE" ] || return 0
	log "== the 22 queries on foreign tables and heap tables"
	tq time --runs "$RUNS" --results "$TQ_RESULTS" 1-22 2>"$BASE/err.tq" ||
		fail queries "$(grep -v '^Q[0-9]* *\(heap\|ft\) ' "$BASE/err.tq" | head -3 | paste -sd' ' -)"
	# counted with bench/run's other figures
	while IFS=$'\t' read -r kind q src v; do
		[ "$kind" = time ] && MED[tq.$q.$src]=$v
	done <"$TQ_RESULTS"
}

tq_report() {
	say "#### The 22 TPC-H queries: foreign tables beside heap tables"
	say ""
	if [ -n "$TQ_NOTE" ] || [ -z "$TQ_RESULTS" ]; then
		say "_Skipped: ${TQ_NOTE:-not run}._"
		say ""
		return
	fi
	tq report --results "$TQ_RESULTS" >>"$REPORT" 2>/dev/null ||
		say "_No table: bench/tpch22 report failed._"
	say ""
}
