# bench/client.sh - the client section of bench/run (sourced by it): a whole
# database loaded over libpq by `tpchgen load` (binary COPY, generated in the
# client) against eight psql \copy of the CLI's .tbl files, and against
# tpch_load on the server.  Client and server CPU are counted apart: the
# client's from its own process(es), the server's as the growth of the
# postmaster's reaped children (every backend of a load has exited by then).
# Uses bench/run's helpers (pq, measure, now, calc, say, table, ...).

declare -A CPU_CLIENT CPU_SERVER

# user + system seconds of the postmaster's children reaped so far
server_cpu() {
	local pm
	[ $STARTED = 1 ] || { echo 0; return; }
	pm=$(head -1 "$BASE/data/postmaster.pid")
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($16 + $17) / hz }' "/proc/$pm/stat"
}

# run_client SCHEMA JOBS [cold]: tpchgen load into a fresh schema, client
# side; cold: with no text pool cached, so the load builds and keeps it
run_client() {
	local s=$1 jobs=$2 s0 out
	pq -c "DROP SCHEMA IF EXISTS $s CASCADE" -c "CHECKPOINT" >/dev/null 2>"$BASE/err" ||
		{ ERR=$(errline "$BASE/err"); return 1; }
	[ "${3:-}" = cold ] && rm -rf "$XDG_CACHE_HOME/tpchgen"
	sync # the last run's dirty pages would throttle this one's writes
	s0=$(server_cpu)
	local t0 t1
	t0=$(now)
	out=$(/usr/bin/time -f '%U %S' "$CLI" load --sf "$SF" --jobs "$jobs" --keys none --no-analyze \
		--schema "$s" --no-progress "${CONN[@]}" 2>&1 >/dev/null) || { ERR=$(echo "$out" | tail -1); return 1; }
	t1=$(now)
	T=$(calc "$t1 - $t0")
	CPU_CLIENT[$CUR]=$(echo "$out" | tail -1 | awk '{ printf "%.2f", $1 + $2 }')
	CPU_SERVER[$CUR]=$(awk -v a="$(server_cpu)" -v b="$s0" 'BEGIN { printf "%.2f", a - b }')
	# gone before the next run, where autovacuum would analyze the new tables
	pq -c "DROP SCHEMA $s CASCADE" >/dev/null 2>&1
}

# run_psql_copy SCHEMA: eight psql \copy at once into tables made beforehand
# (untimed) with the same DDL and a last column for dbgen's trailing '|'
run_psql_copy() {
	local s=$1 t t0 t1 s0 pids=() rc=0
	# the tables of tpchgen load (a tiny load, emptied), plus the last column
	pq -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null
	"$CLI" load --sf 0.01 --keys none --no-analyze --schema "$s" --no-progress \
		"${CONN[@]}" >/dev/null 2>"$BASE/err" || { ERR=$(errline "$BASE/err"); return 1; }
	for t in "${LOAD_TABLES[@]}"; do
		pq -c "TRUNCATE $s.$t" -c "ALTER TABLE $s.$t ADD COLUMN tbl_end text" >/dev/null || return 1
	done
	pq -c "CHECKPOINT" >/dev/null
	sync # the last run's dirty pages would throttle this one's writes
	s0=$(server_cpu)
	t0=$(now)
	for t in "${LOAD_TABLES[@]}"; do
		/usr/bin/time -f '%U %S' -o "$BASE/cpu.$t" "$PSQL" -X -q -v ON_ERROR_STOP=1 "${CONN[@]}" \
			-c "\\copy $s.$t FROM '$CLIDIR/$t.tbl' (DELIMITER '|')" >/dev/null 2>"$BASE/err.$t" &
		pids+=($!)
	done
	for t in "${pids[@]}"; do wait "$t" || rc=1; done
	t1=$(now)
	[ $rc = 0 ] || { ERR=$(cat "$BASE"/err.* | grep -v '^$' | tail -1); return 1; }
	T=$(calc "$t1 - $t0")
	CPU_CLIENT[$CUR]=$(cat "$BASE"/cpu.* | awk '{ s += $1 + $2 } END { printf "%.2f", s }')
	CPU_SERVER[$CUR]=$(awk -v a="$(server_cpu)" -v b="$s0" 'BEGIN { printf "%.2f", a - b }')
	# gone before the next run, where autovacuum would vacuum and analyze the new rows
	pq -c "DROP SCHEMA $s CASCADE" >/dev/null 2>&1
}

client_measure() {
	if [ ! -f "$CLIDIR/lineitem.tbl" ]; then
		fail client.copy "no .tbl files from the CLI"
		return
	fi
	[ -n "$GNUTIME" ] || { fail client.copy "/usr/bin/time is needed for the CPU figures"; return; }
	log "== tpchgen load (libpq, binary COPY) against eight psql \\copy sessions"
	# the text pool cache of the loads, apart from the user's own
	export XDG_CACHE_HOME="$BASE/cache"
	measure client.copy "8 x psql \\copy of the .tbl files, no keys" run_psql_copy pc
	measure client.j1 "tpchgen load --jobs 1 --keys none --no-analyze" run_client cl 1
	measure client.j2 "tpchgen load --jobs 2 --keys none --no-analyze" run_client cl 2
	measure client.j2c "tpchgen load --jobs 2 --keys none --no-analyze, no pool cached" run_client cl 2 cold
	pq -c "DROP SCHEMA IF EXISTS pc, cl CASCADE" >/dev/null 2>&1
}

client_report() {
	have client.copy || have client.j2 || return
	say "#### Over libpq: tpchgen load against psql \\copy"
	say ""
	say "psql: the CLI's eight .tbl files (dbgen's bytes) sent by eight \`psql -c '\\copy ... FROM file (DELIMITER '|')'\` at once, into tables made beforehand with the same DDL and a last column for the trailing \`|\`; generating the files is not counted. tpchgen load: generates in the client and sends binary COPY over --jobs connections, through a staging schema moved into place at the end; no keys, no ANALYZE; the text pool mapped from the cache file an earlier run kept, or, with no pool cached, built and then written to the cache (as on a first run). Each run's wall clock from start to end, over the Unix socket of the same server. Client CPU: user + system seconds of the client process(es) (\`/usr/bin/time\`); server CPU: the growth of the postmaster's reaped children (the backends of the load). L0 for comparison: tpch_load on the server (the section above)."
	say ""
	{
		printf 'run\ts, median (min):\t× psql:\tclient CPU s:\tserver CPU s:\n'
		printf '8 × psql \\copy, no keys\t%s\t1.00\t%s\t%s\n' "$(secs client.copy)" \
			"${CPU_CLIENT[client.copy]:-–}" "${CPU_SERVER[client.copy]:-–}"
		printf 'tpchgen load --jobs 1\t%s\t%s\t%s\t%s\n' "$(secs client.j1)" "$(ratio client.j1 client.copy)" \
			"${CPU_CLIENT[client.j1]:-–}" "${CPU_SERVER[client.j1]:-–}"
		printf 'tpchgen load --jobs 2\t%s\t%s\t%s\t%s\n' "$(secs client.j2)" "$(ratio client.j2 client.copy)" \
			"${CPU_CLIENT[client.j2]:-–}" "${CPU_SERVER[client.j2]:-–}"
		printf 'tpchgen load --jobs 2, no pool cached\t%s\t%s\t%s\t%s\n' "$(secs client.j2c)" \
			"$(ratio client.j2c client.copy)" "${CPU_CLIENT[client.j2c]:-–}" "${CPU_SERVER[client.j2c]:-–}"
		have load.l0 && printf 'L0: tpch_load on the server\t%s\t%s\t–\t–\n' "$(secs load.l0)" \
			"$(ratio load.l0 client.copy)"
	} | table
	say ""
	say "CPU figures are those of the last timed run."
	say ""
}

client_targets() {
	target "tpchgen load --jobs 2 / 8 x psql \\copy" "$(ratio client.j2 client.copy)" "<=" 0.5 "≤ 0.5"
}
