-- Planning: constant arguments get the streaming custom scan, everything
-- else the plain function; row estimates come from the support function.

EXPLAIN (COSTS OFF) SELECT * FROM tpch_region();
EXPLAIN (COSTS OFF) SELECT * FROM tpch_lineitem(sf => 0.1, part => 2, parts => 3);

-- only the referenced columns are built; the rest stay NULL in the scan
EXPLAIN (VERBOSE, COSTS OFF)
SELECT sum(l_extendedprice * (1 - l_discount)) FROM tpch_lineitem(sf => 0.01)
WHERE l_shipmode = 'AIR';
SELECT sum(l_extendedprice * (1 - l_discount)) FROM tpch_lineitem(sf => 0.01)
WHERE l_shipmode = 'AIR';

-- streaming: the first rows of a huge table come at once
SELECT l_orderkey, l_linenumber, l_shipdate FROM tpch_lineitem(sf => 1000) LIMIT 3;
EXPLAIN (COSTS OFF) SELECT * FROM tpch_supplier(sf => 100000);
-- a part of a huge table is cut into chunks too (forward seeks stay cheap)
EXPLAIN (COSTS OFF) SELECT * FROM tpch_orders(sf => 30000, part => 7, parts => 100);

-- Row estimates: exact, lineitem within 1%.
CREATE FUNCTION pg_temp.plan_rows(query text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	plan json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
	RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END
$$;
SELECT t, pg_temp.plan_rows(format('SELECT * FROM tpch_%s(sf => 1)', t))
FROM unnest(ARRAY['region', 'nation', 'supplier', 'part', 'partsupp',
	'customer', 'orders']) t;
SELECT pg_temp.plan_rows('SELECT * FROM tpch_customer(sf => 0.01, part => 3, parts => 7)') AS estimate,
	(SELECT count(*) FROM tpch_customer(sf => 0.01, part => 3, parts => 7)) AS actual;
SELECT abs(pg_temp.plan_rows('SELECT * FROM tpch_lineitem(sf => 1)') / 6001215 - 1) < 0.01
	AS lineitem_within_1pct;
SELECT abs(pg_temp.plan_rows('SELECT * FROM tpch_lineitem(sf => 0.01)') / 60175 - 1) < 0.01
	AS lineitem_within_1pct;

-- Arguments from another relation: the plain function, value per call.
EXPLAIN (COSTS OFF)
SELECT p, count(*) FROM generate_series(1, 2) p,
	LATERAL tpch_supplier(sf => 0.01, part => p, parts => 2) GROUP BY p;
-- so are WITH ORDINALITY, volatile arguments and the rows of UPDATE ... FROM
EXPLAIN (COSTS OFF) SELECT * FROM tpch_region() WITH ORDINALITY;
EXPLAIN (COSTS OFF) SELECT * FROM tpch_region(sf => random() + 1);
CREATE TEMP TABLE regions AS SELECT * FROM tpch_region();
EXPLAIN (COSTS OFF)
UPDATE regions SET r_comment = r.r_comment FROM tpch_region() r
	WHERE regions.r_regionkey = r.r_regionkey;
UPDATE regions SET r_comment = r.r_comment FROM tpch_region() r
	WHERE regions.r_regionkey = r.r_regionkey;
DROP TABLE regions;

-- Whole-row references stream through the custom scan: a row-typed column.
EXPLAIN (COSTS OFF) SELECT r FROM tpch_region() r;
SELECT r FROM tpch_region() r WHERE r_regionkey = 1;
EXPLAIN (COSTS OFF, VERBOSE) SELECT r_name, row_to_json(r) FROM tpch_region() r
	WHERE r::text LIKE '%AS%';
SELECT r_name, row_to_json(r) FROM tpch_region() r WHERE r::text LIKE '%AS%';
-- the row is the row of its columns, in a serial and a parallel scan
SELECT md5(string_agg(o::text, '|' ORDER BY o_orderkey)) =
	   md5(string_agg(ROW(o_orderkey, o_custkey, o_orderstatus, o_totalprice,
			o_orderdate, o_orderpriority, o_clerk, o_shippriority,
			o_comment)::tpch_orders_row::text, '|' ORDER BY o_orderkey)) AS same_rows
FROM tpch_orders(sf => 0.01) o;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT sum(hashtext(o::text)) FROM tpch_orders(sf => 0.01) o;
SELECT sum(hashtext(o::text)) FROM tpch_orders(sf => 0.01) o;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT sum(hashtext(o::text)) FROM tpch_orders(sf => 0.01) o;
SELECT count(DISTINCT c), count(DISTINCT (c).c_nationkey) FROM tpch_customer(sf => 0.01) c;

-- Arguments known at execution: Params of a generic plan.
PREPARE q(float8, bigint) AS
	SELECT count(*), min(s_suppkey), max(s_suppkey)
	FROM tpch_supplier(sf => $1, part => $2, parts => 4);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE q(0.01, 2);
EXECUTE q(0.01, 2);
EXECUTE q(0.1, 4);
EXECUTE q(0.1, 5);
RESET plan_cache_mode;
DEALLOCATE q;

-- or a correlated subquery: a rescan with new arguments
SELECT sf, (SELECT count(*) FROM tpch_supplier(sf => v.sf)) AS suppliers
FROM (VALUES (0.01::float8), (0.02), (0.05)) v(sf);

-- a rescan with the same arguments starts over
SELECT count(*) FROM generate_series(1, 3),
	LATERAL (SELECT * FROM tpch_region() OFFSET 0) r;

-- Functions of the same name in another schema are left alone.
CREATE SCHEMA other;
CREATE FUNCTION other.tpch_region(sf float8 DEFAULT 1, part bigint DEFAULT 1,
	parts bigint DEFAULT 1)
RETURNS SETOF tpch_region_row LANGUAGE sql
AS $$ SELECT 9, 'NOWHERE', 'none' $$;
EXPLAIN (COSTS OFF) SELECT * FROM other.tpch_region();
SELECT * FROM other.tpch_region();
DROP SCHEMA other CASCADE;

-- A serial scan returns rows in key order and says so: ORDER BY the key needs
-- no sort (at SF 100000 a sort would never end), a merge join on the key
-- none either; other orders are sorted.  Even with parallelism free, the
-- ordered serial scan beats a sort of a parallel one.
SET statement_timeout = '60s';
EXPLAIN (COSTS OFF)
SELECT l_orderkey, l_linenumber FROM tpch_lineitem(sf => 100000) ORDER BY l_orderkey LIMIT 3;
SELECT l_orderkey, l_linenumber FROM tpch_lineitem(sf => 100000) ORDER BY l_orderkey LIMIT 3;
SELECT ps_partkey, ps_suppkey FROM tpch_partsupp(sf => 100000, part => 7, parts => 1000)
ORDER BY ps_partkey LIMIT 2;
RESET statement_timeout;
EXPLAIN (COSTS OFF)
SELECT o_orderkey, l_linenumber FROM tpch_orders(sf => 0.01) o
JOIN tpch_lineitem(sf => 0.01) l ON l_orderkey = o_orderkey ORDER BY o_orderkey;
EXPLAIN (COSTS OFF) SELECT n_name FROM tpch_nation() ORDER BY n_nationkey DESC;
EXPLAIN (COSTS OFF) SELECT c_custkey FROM tpch_customer(sf => 1) ORDER BY c_name;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
EXPLAIN (COSTS OFF) SELECT l_orderkey FROM tpch_lineitem(sf => 1) ORDER BY l_orderkey;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;

-- DROP EXTENSION leaves no tpch object behind.
DROP EXTENSION tpchgen;
SELECT count(*) FROM pg_proc WHERE proname LIKE 'tpch%';
SELECT count(*) FROM pg_type WHERE typname LIKE 'tpch%';
CREATE EXTENSION tpchgen;
SELECT count(*) FROM tpch_nation();
