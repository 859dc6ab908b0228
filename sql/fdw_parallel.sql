-- Parallel foreign scans: workers claim chunks from one shared counter, so
-- the rows are the serial ones at any number of workers, with or without a
-- key range, and again at every rescan.
SET datestyle = ISO;
CREATE SERVER fdw_par FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
CREATE SCHEMA fp;
IMPORT FOREIGN SCHEMA tpch FROM SERVER fdw_par INTO fp;
SET search_path = fp, public;

-- The serial fingerprints (those of functions_rows).
CREATE TEMP TABLE serial AS
SELECT 'lineitem' t, count(*) n, md5(string_agg(concat_ws('|', l_orderkey,
		l_partkey, l_suppkey, l_linenumber, l_quantity, l_extendedprice,
		l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate,
		l_receiptdate, l_shipinstruct, l_shipmode, l_comment),
		E'\n' ORDER BY l_orderkey, l_linenumber)) md5
FROM lineitem
UNION ALL
SELECT 'partsupp', count(*), md5(string_agg(concat_ws('|', ps_partkey,
		ps_suppkey, ps_availqty, ps_supplycost, ps_comment),
		E'\n' ORDER BY ps_partkey, ps_suppkey))
FROM partsupp
UNION ALL
SELECT 'orders<30000', count(*), md5(string_agg(concat_ws('|', o_orderkey,
		o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_orderpriority,
		o_clerk, o_shippriority, o_comment), E'\n' ORDER BY o_orderkey))
FROM orders WHERE o_orderkey < 30000;
SELECT * FROM serial ORDER BY t;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;

EXPLAIN (COSTS OFF)
SELECT count(*) FROM lineitem;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM orders WHERE o_orderkey < 30000;
-- IN lists are several ranges: no parallel scan for them
EXPLAIN (COSTS OFF)
SELECT count(*) FROM orders WHERE o_orderkey IN (1, 2, 3);

CREATE FUNCTION pg_temp.parallel_rows() RETURNS TABLE (t text, n bigint, same boolean)
LANGUAGE sql AS $$
	SELECT 'lineitem', count(*), md5(string_agg(concat_ws('|', l_orderkey,
		l_partkey, l_suppkey, l_linenumber, l_quantity, l_extendedprice,
		l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate,
		l_receiptdate, l_shipinstruct, l_shipmode, l_comment),
		E'\n' ORDER BY l_orderkey, l_linenumber)) =
		(SELECT md5 FROM serial WHERE t = 'lineitem')
	FROM fp.lineitem
	UNION ALL
	SELECT 'partsupp', count(*), md5(string_agg(concat_ws('|', ps_partkey,
		ps_suppkey, ps_availqty, ps_supplycost, ps_comment),
		E'\n' ORDER BY ps_partkey, ps_suppkey)) =
		(SELECT md5 FROM serial WHERE t = 'partsupp')
	FROM fp.partsupp
	UNION ALL
	SELECT 'orders<30000', count(*), md5(string_agg(concat_ws('|', o_orderkey,
		o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_orderpriority,
		o_clerk, o_shippriority, o_comment), E'\n' ORDER BY o_orderkey)) =
		(SELECT md5 FROM serial WHERE t = 'orders<30000')
	FROM fp.orders WHERE o_orderkey < 30000
$$;
SET max_parallel_workers_per_gather = 1;
SELECT * FROM pg_temp.parallel_rows() ORDER BY t;
SET max_parallel_workers_per_gather = 2;
SELECT * FROM pg_temp.parallel_rows() ORDER BY t;
SET max_parallel_workers_per_gather = 4;
SELECT * FROM pg_temp.parallel_rows() ORDER BY t;
-- the leader alone, when no worker can start
SET max_parallel_workers = 0;
SELECT * FROM pg_temp.parallel_rows() ORDER BY t;
RESET max_parallel_workers;
SET max_parallel_workers_per_gather = 2;

-- Rows come from the workers too.
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM lineitem WHERE l_orderkey < 30000;

-- Parameters of a generic plan: the leader computes the range for all.
PREPARE by_key(bigint) AS SELECT count(*), sum(l_extendedprice) FROM lineitem
	WHERE l_orderkey <= $1;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE by_key(30000);
EXECUTE by_key(30000);
EXECUTE by_key(0);
RESET plan_cache_mode;
SELECT count(*), sum(l_extendedprice) FROM tpch_lineitem(sf => 0.01)
WHERE l_orderkey <= 30000;
DEALLOCATE by_key;

-- A Gather rescanned: every chunk is handed out again each time.
SET enable_material = off;
EXPLAIN (COSTS OFF)
SELECT * FROM (SELECT count(*), sum(l_quantity) FROM lineitem
		WHERE l_orderkey > 30000) s
	RIGHT JOIN (VALUES (1), (2), (3)) v(x) ON true;
SELECT * FROM (SELECT count(*), sum(l_quantity) FROM lineitem
		WHERE l_orderkey > 30000) s
	RIGHT JOIN (VALUES (1), (2), (3)) v(x) ON true;
RESET enable_material;
SELECT count(*), sum(l_quantity) FROM tpch_lineitem(sf => 0.01)
WHERE l_orderkey > 30000;

-- An initplan's value as the key: computed before the workers start.
EXPLAIN (COSTS OFF)
SELECT count(*) FROM lineitem WHERE l_orderkey < (SELECT max(o_orderkey) / 2 FROM orders);
SELECT count(*) FROM lineitem WHERE l_orderkey < (SELECT max(o_orderkey) / 2 FROM orders);

SET client_min_messages = warning;
DROP SCHEMA fp CASCADE;
DROP SERVER fdw_par CASCADE;
RESET client_min_messages;
