-- Foreign scans: the rows of the SQL functions, only the columns a query
-- reads, key conditions turned into seeks, and rescans.
SET datestyle = ISO;
CREATE SERVER fdw_scan FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
CREATE SCHEMA fs;
IMPORT FOREIGN SCHEMA tpch FROM SERVER fdw_scan INTO fs;
SET search_path = fs, public;

-- Every table gives the rows of its function (and of dbgen), in order.
CREATE FUNCTION pg_temp.same_rows(t text) RETURNS TABLE (rows bigint, same boolean)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT count(*), bool_and(f IS NOT DISTINCT FROM g) FROM
			(SELECT row_number() OVER () n, f FROM fs.%1$I f) a
			FULL JOIN (SELECT row_number() OVER () n, g FROM tpch_%1$s(sf => 0.01) g) b
			USING (n)', t);
END
$$;
SELECT t, s.* FROM unnest(ARRAY['region', 'nation', 'supplier', 'part',
	'partsupp', 'customer', 'orders', 'lineitem']) t,
	LATERAL pg_temp.same_rows(t) s;

-- EXPLAIN: the table, its scale factor and part, and the columns generated.
EXPLAIN (COSTS OFF) SELECT * FROM region;
EXPLAIN (COSTS OFF) SELECT count(*) FROM lineitem;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT sum(l_extendedprice * (1 - l_discount)) FROM lineitem WHERE l_shipmode = 'AIR';
SELECT sum(l_extendedprice * (1 - l_discount)) FROM lineitem WHERE l_shipmode = 'AIR';
EXPLAIN (COSTS OFF, FORMAT YAML) SELECT p_name FROM part;
-- a whole-row reference reads every column
EXPLAIN (COSTS OFF) SELECT r FROM region r;
SELECT r FROM region r WHERE r_regionkey = 2;

-- Row estimates: exact; lineitem within 1%.
CREATE FUNCTION pg_temp.plan_rows(query text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	plan json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
	RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END
$$;
SELECT t, pg_temp.plan_rows(format('SELECT * FROM %I', t)) AS estimate
FROM unnest(ARRAY['region', 'nation', 'supplier', 'part', 'partsupp',
	'customer', 'orders']) t;
SELECT abs(pg_temp.plan_rows('SELECT * FROM lineitem') / 60175 - 1) < 0.01
	AS lineitem_within_1pct;
SELECT pg_temp.plan_rows('SELECT * FROM orders WHERE o_orderkey BETWEEN 1 AND 1000') AS estimate,
	(SELECT count(*) FROM orders WHERE o_orderkey BETWEEN 1 AND 1000) AS actual;
SELECT pg_temp.plan_rows('SELECT * FROM customer WHERE c_custkey IN (5, 10, 10, 2000)') AS estimate;

-- Key conditions: =, <, <=, >, >=, BETWEEN, IN on the leading key seek to
-- their rows; they stay filters too.
EXPLAIN (COSTS OFF)
SELECT * FROM lineitem WHERE l_orderkey BETWEEN 1000 AND 2000;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT l_orderkey FROM lineitem WHERE l_orderkey BETWEEN 1000 AND 2000;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT o_orderkey FROM orders WHERE o_orderkey IN (1, 7, 8, 32, 33, 60000, NULL);
EXPLAIN (COSTS OFF) SELECT * FROM partsupp WHERE ps_partkey > 1995;
EXPLAIN (COSTS OFF) SELECT * FROM part WHERE 10 >= p_partkey;
EXPLAIN (COSTS OFF) SELECT * FROM supplier WHERE s_suppkey = 7;
-- no pushdown: other columns, other operators, nation and region
EXPLAIN (COSTS OFF) SELECT * FROM customer WHERE c_custkey <> 7;
EXPLAIN (COSTS OFF) SELECT * FROM customer WHERE c_custkey + 0 = 7;
EXPLAIN (COSTS OFF) SELECT * FROM orders WHERE o_custkey = 7;
EXPLAIN (COSTS OFF) SELECT * FROM nation WHERE n_nationkey = 7;
-- a volatile value is left to the filter
EXPLAIN (COSTS OFF) SELECT * FROM supplier WHERE s_suppkey = (random() * 0)::int + 7;

-- The rows are those the filter alone would give.
CREATE FUNCTION pg_temp.check_keys(tab text, cond text)
RETURNS TABLE (rows bigint, same boolean)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT count(*), coalesce(bool_and(f IS NOT DISTINCT FROM g), true) FROM
			(SELECT * FROM fs.%1$I WHERE %2$s) f
			FULL JOIN (SELECT * FROM tpch_%1$s(sf => 0.01) WHERE %2$s) g
			ON row(f.*)::text = row(g.*)::text', tab, cond);
END
$$;
SELECT c, r.* FROM unnest(ARRAY[
	'l_orderkey BETWEEN 1000 AND 2000',
	'l_orderkey = 7', 'l_orderkey = 8', 'l_orderkey = 31', 'l_orderkey = 32',
	'l_orderkey BETWEEN 8 AND 31', 'l_orderkey BETWEEN 7 AND 32',
	'l_orderkey > 59990', 'l_orderkey >= 60000', 'l_orderkey > 60000',
	'l_orderkey < 1', 'l_orderkey <= 1', 'l_orderkey < 0',
	'l_orderkey > 9223372036854775807', 'l_orderkey < -9223372036854775808',
	'l_orderkey >= -9223372036854775808 AND l_orderkey <= 2',
	'l_orderkey IN (3, 1, 3, 8, 59975, 99999)',
	'l_orderkey IN (1, 2, 3, 4, 5, 6, 7, 32)',
	'l_orderkey = ANY (ARRAY[]::bigint[])',
	'l_orderkey = ANY (ARRAY[NULL, 5]::int[])',
	'l_orderkey IN (1, 7, 100) AND l_orderkey > 5',
	'l_orderkey < 100 AND l_orderkey > 100',
	'l_orderkey = NULL::int',
	'l_orderkey BETWEEN 100 AND 200 AND l_linenumber = 1',
	'l_orderkey = 1::smallint'
]) c, LATERAL pg_temp.check_keys('lineitem', c) r;
SELECT t, c, r.* FROM (VALUES
	('orders', 'o_orderkey BETWEEN 33 AND 100'),
	('orders', 'o_orderkey IN (1, 2, 3, 4, 32, 33, 34)'),
	('part', 'p_partkey < 5 OR p_partkey > 1995'),
	('part', 'p_partkey BETWEEN 1999 AND 2005'),
	('partsupp', 'ps_partkey = 2000'),
	('partsupp', 'ps_partkey IN (0, 1, 2001)'),
	('customer', 'c_custkey >= 1499'),
	('supplier', 's_suppkey <= 2')
) v(t, c), LATERAL pg_temp.check_keys(t, c) r;

-- A part of the table: keys outside it give nothing.
CREATE FOREIGN TABLE orders_p2 (o_orderkey bigint, o_custkey bigint)
	SERVER fdw_scan OPTIONS (table 'orders', part '2', parts '3');
SELECT count(*), min(o_orderkey), max(o_orderkey) FROM orders_p2;
SELECT count(*) FROM orders_p2 WHERE o_orderkey < 10000;
SELECT count(*), min(o_orderkey), max(o_orderkey) FROM orders_p2
WHERE o_orderkey BETWEEN 19990 AND 20010 OR o_orderkey BETWEEN 39990 AND 40010;
EXPLAIN (COSTS OFF) SELECT * FROM orders_p2 WHERE o_orderkey = 20000;
SELECT * FROM orders_p2 WHERE o_orderkey = 20000;
-- a key column of another type: no pushdown, same rows
CREATE FOREIGN TABLE orders_num (o_orderkey numeric, o_custkey bigint)
	SERVER fdw_scan OPTIONS (table 'orders');
EXPLAIN (COSTS OFF) SELECT * FROM orders_num WHERE o_orderkey = 7;
SELECT * FROM orders_num WHERE o_orderkey = 7;

-- Serial scans come in key order: no sort for ORDER BY key or merge joins.
EXPLAIN (COSTS OFF)
SELECT l_orderkey, l_linenumber FROM lineitem ORDER BY l_orderkey LIMIT 3;
SELECT l_orderkey, l_linenumber FROM lineitem ORDER BY l_orderkey LIMIT 3;
EXPLAIN (COSTS OFF)
SELECT * FROM lineitem WHERE l_orderkey IN (39, 3, 100) ORDER BY l_orderkey;
SELECT l_orderkey, l_linenumber FROM lineitem WHERE l_orderkey IN (39, 3, 100)
ORDER BY l_orderkey;

-- Parameters: of a generic plan, and from the outer side of a nested loop.
PREPARE by_key(bigint, bigint) AS
	SELECT count(*), min(l_orderkey), max(l_orderkey) FROM lineitem
	WHERE l_orderkey BETWEEN $1 AND $2;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE by_key(1, 100);
EXECUTE by_key(1, 100);
EXECUTE by_key(1000, 2000);
EXECUTE by_key(NULL, 2000);
RESET plan_cache_mode;
DEALLOCATE by_key;

SET enable_hashjoin = off;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF)
SELECT o_orderkey, l_linenumber FROM orders JOIN lineitem ON l_orderkey = o_orderkey
WHERE o_custkey = 370;
SELECT o_orderkey, count(*), sum(l_quantity) FROM orders JOIN lineitem ON l_orderkey = o_orderkey
WHERE o_custkey = 370 GROUP BY o_orderkey ORDER BY o_orderkey;
SELECT o_orderkey, count(*), sum(l_quantity)
FROM tpch_orders(sf => 0.01) JOIN tpch_lineitem(sf => 0.01) ON l_orderkey = o_orderkey
WHERE o_custkey = 370 GROUP BY o_orderkey ORDER BY o_orderkey;
-- keys in the gaps, and out of the table, find nothing
EXPLAIN (COSTS OFF)
SELECT k, o_orderkey FROM (VALUES (1), (8), (33), (60000), (60001)) v(k)
	LEFT JOIN orders ON o_orderkey = k;
SELECT k, o_orderkey FROM (VALUES (1), (8), (33), (60000), (60001)) v(k)
	LEFT JOIN orders ON o_orderkey = k ORDER BY k;
-- a join on partsupp's key with two outer relations
EXPLAIN (COSTS OFF)
SELECT p_partkey, s_suppkey, ps_availqty FROM part, supplier, partsupp
WHERE ps_partkey = p_partkey AND ps_suppkey = s_suppkey AND p_partkey <= 2;
SELECT p_partkey, s_suppkey, ps_availqty FROM part, supplier, partsupp
WHERE ps_partkey = p_partkey AND ps_suppkey = s_suppkey AND p_partkey <= 2
ORDER BY 1, 2;
-- a correlated subquery: its Param is a key value, set at each rescan
EXPLAIN (COSTS OFF)
SELECT c_custkey, (SELECT count(*) FROM orders WHERE o_orderkey = c_custkey * 4)
FROM customer WHERE c_custkey <= 3;
SELECT c_custkey, (SELECT count(*) FROM orders WHERE o_orderkey = c_custkey * 4)
FROM customer WHERE c_custkey <= 3;
SELECT g, (SELECT count(*) FROM lineitem WHERE l_orderkey < g) FROM generate_series(1, 40, 13) g;
-- a rescan with the same values: the inner scan starts over
SET enable_material = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM region JOIN lineitem ON l_linenumber > r_regionkey
WHERE l_orderkey < 40;
SELECT count(*) FROM region JOIN lineitem ON l_linenumber > r_regionkey
WHERE l_orderkey < 40;
SELECT count(*) FROM tpch_region(sf => 0.01)
	JOIN tpch_lineitem(sf => 0.01) ON l_linenumber > r_regionkey
WHERE l_orderkey < 40;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM nation JOIN region ON r_regionkey > n_regionkey;
SELECT count(*) FROM nation JOIN region ON r_regionkey > n_regionkey;
RESET enable_material;
RESET enable_hashjoin;
RESET enable_mergejoin;

-- Cursors go back (through a Material node: foreign scans go forward only).
BEGIN;
DECLARE c SCROLL CURSOR FOR
	SELECT o_orderkey, o_custkey FROM orders WHERE o_orderkey BETWEEN 30 AND 40;
FETCH 3 FROM c;
FETCH BACKWARD 2 FROM c;
FETCH LAST FROM c;
FETCH ABSOLUTE 2 FROM c;
MOVE BACKWARD ALL IN c;
FETCH NEXT FROM c;
CLOSE c;
DECLARE c2 SCROLL CURSOR FOR SELECT r_name FROM region;
FETCH ALL FROM c2;
FETCH BACKWARD ALL FROM c2;
COMMIT;

-- At SF 1000 a handful of keys costs a handful of rows.
CREATE SERVER fdw_big FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '1000');
CREATE SCHEMA fs_big;
IMPORT FOREIGN SCHEMA tpch LIMIT TO (orders, lineitem) FROM SERVER fdw_big INTO fs_big;
SELECT count(*), min(l_orderkey), max(l_orderkey), sum(l_extendedprice)
FROM fs_big.lineitem WHERE l_orderkey BETWEEN 1000 AND 2000;
SELECT count(*), sum(l_extendedprice)
FROM tpch_lineitem(sf => 0.01) WHERE l_orderkey BETWEEN 1000 AND 2000;
EXPLAIN (COSTS OFF)
SELECT o_orderkey, o_totalprice FROM (VALUES (1::bigint), (3000000001), (5999999968)) v(k)
	JOIN fs_big.orders ON o_orderkey = k;
SELECT o_orderkey, o_totalprice FROM (VALUES (1::bigint), (3000000001), (5999999968)) v(k)
	JOIN fs_big.orders ON o_orderkey = k ORDER BY 1;
SELECT count(*) FROM fs_big.lineitem WHERE l_orderkey > 5999999900;

-- ANALYZE samples rows (a small table whole); the same statistics each time.
ANALYZE lineitem;
SELECT reltuples FROM pg_class WHERE oid = 'lineitem'::regclass;
SELECT attname, n_distinct FROM pg_stats
WHERE schemaname = 'fs' AND tablename = 'lineitem'
	AND attname IN ('l_returnflag', 'l_linestatus', 'l_shipmode', 'l_linenumber')
ORDER BY attname;
ANALYZE fs_big.orders;
SELECT reltuples FROM pg_class WHERE oid = 'fs_big.orders'::regclass;
SELECT n_distinct, correlation FROM pg_stats
WHERE schemaname = 'fs_big' AND tablename = 'orders' AND attname = 'o_orderkey';

SET client_min_messages = warning;
DROP SCHEMA fs CASCADE;
DROP SCHEMA fs_big CASCADE;
DROP SERVER fdw_scan CASCADE;
DROP SERVER fdw_big CASCADE;
RESET client_min_messages;
