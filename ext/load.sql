-- ------------------------------------------------------------------------
-- tpch_load: a whole TPC-H database in one statement (src/load.c)
-- ------------------------------------------------------------------------

-- Not STRICT: tables => NULL loads all eight, workers => NULL follows
-- max_parallel_workers_per_gather.  SECURITY INVOKER (the default): the
-- tables are created with the caller's privileges and owned by the caller.
-- ANALYZE is a reserved word: callers name the argument "analyze", quoted.
-- distribute => 'citus' makes Citus tables instead (ext/citus.sql, src/citus.c).
CREATE FUNCTION tpch_load(
	sf float8 DEFAULT 1,
	schema text DEFAULT 'public',
	tables text[] DEFAULT NULL,
	keys text DEFAULT 'primary',
	"analyze" boolean DEFAULT true,
	if_exists text DEFAULT 'error',
	part bigint DEFAULT 1,
	parts bigint DEFAULT 1,
	workers integer DEFAULT NULL,
	unlogged boolean DEFAULT false,
	distribute text DEFAULT NULL,
	OUT table_name text,
	OUT rows bigint,
	OUT bytes bigint,
	OUT seconds float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'tpch_load'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION tpch_load(float8, text, text[], text, boolean, text, bigint,
	bigint, integer, boolean, text)
IS 'create and fill the TPC-H tables in one statement, with keys and statistics';

-- The loads running now: tpch_load reports in pg_stat_progress_copy (as a
-- COPY FROM) and, in spare fields of the same report, what this view adds.
CREATE VIEW tpch_load_progress AS
SELECT s.pid,
	d.datname,
	(ARRAY['region', 'nation', 'supplier', 'part', 'partsupp', 'customer',
		   'orders', 'lineitem'])[s.param12 + 1] AS table_name,
	s.param3 AS rows_done,
	s.param11 AS rows_total,
	s.param13 AS tables_done,
	s.param14 AS tables_total
FROM pg_stat_get_progress_info('COPY') s
	LEFT JOIN pg_database d ON d.oid = s.datid
WHERE s.param20 = 1953522536;

COMMENT ON VIEW tpch_load_progress
IS 'progress of the running tpch_load calls: table, rows done and rows total';
