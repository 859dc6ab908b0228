# bench/load.sh - the tpch_load section of bench/run (sourced by it): a whole
# database by tpch_load against eight concurrent COPY FROM the CLI's .tbl
# files, without keys (L0, C0) and with primary keys and ANALYZE (L1, C1).
# Uses bench/run's helpers (pq, measure, now, calc, say, table, ...).

LOAD_TABLES=(region nation supplier part partsupp customer orders lineitem)
declare -A LOAD_PKEY=([region]=r_regionkey [nation]=n_nationkey [supplier]=s_suppkey
	[part]=p_partkey [partsupp]="ps_partkey, ps_suppkey" [customer]=c_custkey
	[orders]=o_orderkey [lineitem]="l_orderkey, l_linenumber")
declare -A WAL PEAK WPEAK STEPS

# worker_peak PID FILE: until killed, writes to FILE the largest VmHWM (kB)
# seen in the parallel workers among the postmaster PID's children
worker_peak() {
	local max=0 c h
	while :; do
		for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
			# a child may be gone by the time it is read
			case $({ tr '\0' ' ' <"/proc/$c/cmdline"; } 2>/dev/null) in
			*"parallel worker"*)
				h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$c/status" 2>/dev/null)
				if [ "${h:-0}" -gt "$max" ]; then
					max=$h
					echo "$max" >"$2"
				fi ;;
			esac
		done
		sleep 0.05
	done
}

# run_load SCHEMA ARGS: tpch_load into a fresh schema in its own psql, timed
# by \timing; WAL bytes and the backend's peak memory (VmHWM) kept, and the
# steps tpch_load reports at DEBUG1 (fill, keys, ANALYZE: seconds summed over
# the tables).  The first run of a figure (the warm-up unless --no-warmup)
# also samples the workers' peak memory: sampling takes some CPU.
run_load() {
	local schema=$1 args=$2 lsn out sampler=
	pq -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CHECKPOINT" >/dev/null 2>"$BASE/err" ||
		{ ERR=$(errline "$BASE/err"); return 1; }
	sync # the last run's dirty pages would throttle this one's writes
	lsn=$(pq -c "SELECT pg_current_wal_lsn()")
	rm -f "$BASE/wpeak"
	if [ $FIRST = 1 ] && [ $STARTED = 1 ]; then
		worker_peak "$(head -1 "$BASE/data/postmaster.pid")" "$BASE/wpeak" &
		sampler=$!
	fi
	out=$(pq -c "SET client_min_messages = debug1" -c '\timing on' \
		-c "SELECT sum(rows) FROM tpch_load(sf => $SF, schema => '$schema'$args)" \
		-c '\timing off' \
		-c "SELECT substring(pg_read_file('/proc/self/status') from 'VmHWM:\s+(\d+)')" \
		2>"$BASE/err")
	local rc=$?
	[ -z "$sampler" ] || { kill "$sampler"; wait "$sampler"; } 2>/dev/null
	[ $rc = 0 ] || { ERR=$(errline "$BASE/err"); return 1; }
	T=$(printf '%s\n' "$out" | awk '/^Time: / { t = $2 / 1000 } END { printf "%.6f", t }')
	RESULT[$CUR]=$(printf '%s\n' "$out" | grep -v '^Time: ' | head -1)
	PEAK[$CUR]=$(printf '%s\n' "$out" | tail -1)
	[ -s "$BASE/wpeak" ] && WPEAK[$CUR]=$(cat "$BASE/wpeak")
	[ $WARM = 1 ] || STEPS[$CUR]+="$(awk '/tpch_load [a-z]+: filled in/ {
			f += $6; k += $10; a += $14 } END { printf "%.6f %.6f %.6f", f, k, a }' "$BASE/err")
"
	WAL[$CUR]=$(pq -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn')")
}

# copy_one SCHEMA TABLE KEYS: one COPY session, then (KEYS=1) the primary key
# and ANALYZE in the same session, as a loader of .tbl files does.
copy_one() {
	local s=$1 t=$2 keys=$3
	local sql=(-c "COPY $s.$t FROM '$CLIDIR/$t.tbl' (DELIMITER '|')")
	[ "$keys" = 1 ] && sql+=(-c "ALTER TABLE $s.$t DROP COLUMN tbl_end"
		-c "ALTER TABLE $s.$t ADD PRIMARY KEY (${LOAD_PKEY[$t]})" -c "ANALYZE $s.$t")
	pq "${sql[@]}" >/dev/null
}

# run_copy SCHEMA KEYS: eight COPY sessions at once into tables made
# beforehand (untimed) with tpch_load's own DDL and a last column for dbgen's
# trailing '|'; wall clock from the first start to the last end.
run_copy() {
	local s=$1 keys=$2 t t0 t1 lsn pids=() rc=0
	pq -c "DROP SCHEMA IF EXISTS $s CASCADE" \
		-c "SELECT count(*) FROM tpch_load(sf => 0, schema => '$s', keys => 'none', \"analyze\" => false)" \
		>/dev/null 2>"$BASE/err" || { ERR=$(errline "$BASE/err"); return 1; }
	for t in "${LOAD_TABLES[@]}"; do
		pq -c "ALTER TABLE $s.$t ADD COLUMN tbl_end text" >/dev/null || return 1
	done
	pq -c "CHECKPOINT" >/dev/null
	sync # the last run's dirty pages would throttle this one's writes
	lsn=$(pq -c "SELECT pg_current_wal_lsn()")
	t0=$(now)
	for t in "${LOAD_TABLES[@]}"; do
		copy_one "$s" "$t" "$keys" 2>"$BASE/err.$t" &
		pids+=($!)
	done
	for t in "${pids[@]}"; do wait "$t" || rc=1; done
	t1=$(now)
	[ $rc = 0 ] || { ERR=$(cat "$BASE"/err.* | grep -v '^$' | tail -1); return 1; }
	T=$(calc "$t1 - $t0")
	WAL[$CUR]=$(pq -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn')")
}

# load_measure [load0]: C0, L0 (and with load0 nothing else: for a large SF)
load_measure() {
	if [ ! -f "$CLIDIR/lineitem.tbl" ]; then
		fail load.c0 "no .tbl files from the CLI"
		return
	fi
	log "== tpch_load (L0, L1) against eight COPY FROM sessions (C0, C1)"
	# each schema is dropped once measured: at SF 10 each takes 14 GB
	measure load.c0 "C0: 8 x COPY FROM .tbl, no keys" run_copy c0 0
	pq -c "DROP SCHEMA IF EXISTS c0 CASCADE" >/dev/null 2>&1
	measure load.l0 "L0: tpch_load(keys => 'none', analyze => false)" \
		run_load l0 ", keys => 'none', \"analyze\" => false"
	[ "${RESULT[load.l0]:-}" = "$CLI_ROWS" ] &&
		CHECKS+=("tpch_load loads as many rows as the CLI's 8 files have lines")
	[ -n "${RESULT[load.l0]:-}" ] && [ "${RESULT[load.l0]}" != "$CLI_ROWS" ] &&
		fail load.l0 "tpch_load loaded ${RESULT[load.l0]} rows, the CLI wrote $CLI_ROWS"
	[ "${1:-}" != load0 ] || { pq -c "DROP SCHEMA IF EXISTS l0 CASCADE" >/dev/null 2>&1; return; }
	measure load.l0.w0 "L0 with workers => 0" \
		run_load l0 ", keys => 'none', \"analyze\" => false, workers => 0"
	measure load.l0.w2 "L0 with workers => 2" \
		run_load l0 ", keys => 'none', \"analyze\" => false, workers => 2"
	pq -c "DROP SCHEMA IF EXISTS l0 CASCADE" >/dev/null 2>&1
	measure load.c1 "C1: C0 + primary keys + ANALYZE, per session" run_copy c1 1
	pq -c "DROP SCHEMA IF EXISTS c1 CASCADE" >/dev/null 2>&1
	measure load.l1 "L1: tpch_load() (primary keys, ANALYZE)" run_load l1 ""
	pq -c "DROP SCHEMA IF EXISTS l1 CASCADE" >/dev/null 2>&1

	# wal_level = minimal: a restart of our own cluster, undone after
	if [ $STARTED = 1 ]; then
		pq -c "ALTER SYSTEM SET wal_level = minimal" -c "ALTER SYSTEM SET max_wal_senders = 0" >/dev/null
		as_server "$PGBIN/pg_ctl -D '$BASE/data' -l '$BASE/server.log' -w -t 60 restart" >/dev/null
		measure load.l0.min "L0 under wal_level = minimal" \
			run_load l0 ", keys => 'none', \"analyze\" => false"
		pq -c "ALTER SYSTEM RESET wal_level" -c "ALTER SYSTEM RESET max_wal_senders" >/dev/null
		as_server "$PGBIN/pg_ctl -D '$BASE/data' -l '$BASE/server.log' -w -t 60 restart" >/dev/null
	fi
	pq -c "DROP SCHEMA IF EXISTS c0, c1, l0, l1 CASCADE" >/dev/null 2>&1
}

mb() { [ -n "${WAL[$1]:-}" ] && awk -v b="${WAL[$1]}" 'BEGIN { printf "%.0f", b / 1e6 }' || echo "–"; }
peak() { [ -n "${PEAK[$1]:-}" ] && awk -v k="${PEAK[$1]}" 'BEGIN { printf "%.0f", k / 1024 }' || echo "–"; }
wpeak() { [ -n "${WPEAK[$1]:-}" ] && awk -v k="${WPEAK[$1]}" 'BEGIN { printf "%.0f", k / 1024 }' || echo "–"; }
# step ID N: median seconds of step N (1 fill, 2 keys, 3 ANALYZE) over the runs
step() {
	[ -n "${STEPS[$1]:-}" ] || { echo "–"; return; }
	stats $(printf '%s' "${STEPS[$1]}" | awk -v n="$2" '{ print $n }') |
		awk '{ printf "%.2f", $1 }'
}

# lrow LABEL ID BASE: one tpch_load row of the table
lrow() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$(secs "$2")" "$(ratio "$2" "$3")" "$(mb "$2")" \
		"$(peak "$2")" "$(wpeak "$2")"
}

load_report() {
	have load.c0 || have load.l0 || return
	say "#### A whole database: tpch_load against COPY FROM"
	say ""
	say "C0/C1: the CLI's eight .tbl files loaded by eight \`psql\` sessions at once (\`COPY ... FROM '...' (DELIMITER '|')\`, into tables made beforehand with tpch_load's DDL and a last column for dbgen's trailing \`|\`); C1 adds, in each session after its COPY, the primary key and \`ANALYZE\`. Generating the files is not counted. L0/L1: one \`SELECT ... FROM tpch_load(sf => $SF, ...)\` in its own session, max_parallel_workers_per_gather = $(setting max_parallel_workers_per_gather) (tpchgen $([ $PRELOAD = 1 ] && echo "preloaded" || echo "not preloaded")). WAL = \`pg_current_wal_lsn()\` difference, MB; peak = VmHWM, the backend's after the statement, the parallel workers' (the largest) sampled every 50 ms in the first run; both count the shared pages a process touched (the text pool's mapping, the slots in dynamic shared memory, shared buffers)."
	say ""
	{
		printf 'run\ts, median (min):\t× COPY:\tWAL MB:\tbackend peak MiB:\tworkers peak MiB:\n'
		printf 'C0: 8 × COPY FROM, no keys\t%s\t1.00\t%s\t\t\n' "$(secs load.c0)" "$(mb load.c0)"
		lrow 'L0: tpch_load(keys => none, analyze => false)' load.l0 load.c0
		lrow 'L0, workers => 0' load.l0.w0 load.c0
		lrow 'L0, workers => 2' load.l0.w2 load.c0
		lrow 'L0, wal_level = minimal' load.l0.min load.c0
		printf 'C1: C0 + primary keys + ANALYZE\t%s\t1.00\t%s\t\t\n' "$(secs load.c1)" "$(mb load.c1)"
		lrow 'L1: tpch_load() (primary keys, ANALYZE)' load.l1 load.c1
	} | table
	say ""
	say "× COPY = T(run) / T(C0), or / T(C1) for L1: below 1 tpch_load is faster."
	say ""
	have load.l1 && say "L1's steps (tpch_load's DEBUG1 lines, seconds summed over the eight tables, medians): fill $(step load.l1 1), primary keys $(step load.l1 2), ANALYZE $(step load.l1 3). Speedup of workers => 2 over 0: $(inv load.l0.w0 load.l0.w2)x." && say ""
}

load_targets() {
	target "L0 / C0 (tpch_load without keys / 8 x COPY)" "$(ratio load.l0 load.c0)" "<=" 0.15 "≤ 0.15"
	target "L1 / C1 (with primary keys and ANALYZE)" "$(ratio load.l1 load.c1)" "<=" 0.25 "≤ 0.25"
	target "L0 speedup, workers => 2 over 0" "$(inv load.l0.w0 load.l0.w2)" ">=" 1.6 "≥ 1.6x"
}
