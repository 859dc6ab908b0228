-- Date conditions on lineitem's l_shipdate, l_commitdate and l_receiptdate
-- go to the generator, which skips the orders whose lines all fall outside
-- them; the conditions stay in the filter, so the rows are those of a heap
-- table holding the same rows.
CREATE SERVER tpch_dt FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
CREATE SCHEMA dt;
IMPORT FOREIGN SCHEMA tpch LIMIT TO (lineitem, orders) FROM SERVER tpch_dt INTO dt;
CREATE TABLE dt.heap AS SELECT * FROM dt.lineitem;

-- What EXPLAIN shows: the window of each column, bounds taken inclusive
EXPLAIN (COSTS OFF)
SELECT count(*) FROM dt.lineitem
WHERE l_shipdate >= date '1994-01-01' AND l_shipdate < date '1994-01-01' + interval '1' year;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM dt.lineitem
WHERE date '1995-09-01' <= l_shipdate AND l_commitdate BETWEEN '1995-01-01' AND '1995-12-31'
	AND l_receiptdate = '1995-10-10';
EXPLAIN (COSTS OFF)
SELECT count(*) FROM dt.lineitem WHERE l_shipdate > '1998-01-01' AND l_shipdate < '1990-01-01';
-- not pushed down: OR, a parameter, timestamptz, another table, infinity
EXPLAIN (COSTS OFF)
SELECT count(*) FROM dt.lineitem
WHERE (l_shipdate < '1993-01-01' OR l_shipdate > '1998-01-01')
	AND l_shipdate < now() AND l_receiptdate < timestamptz '1995-01-01'
	AND l_shipdate < 'infinity';
EXPLAIN (COSTS OFF)
SELECT count(*) FROM dt.orders WHERE o_orderdate < '1993-01-01';

-- The same rows as the heap table, in the same order
CREATE FUNCTION dt_same(cond text) RETURNS TABLE (nrows bigint, same boolean)
LANGUAGE plpgsql AS $$
DECLARE
	f text;
	h text;
BEGIN
	EXECUTE format('SELECT count(*), md5(string_agg(l::text, E''\n'' ORDER BY l_orderkey, l_linenumber)) FROM dt.lineitem l WHERE %s', cond)
		INTO nrows, f;
	EXECUTE format('SELECT md5(string_agg(l::text, E''\n'' ORDER BY l_orderkey, l_linenumber)) FROM dt.heap l WHERE %s', cond)
		INTO h;
	same := f IS NOT DISTINCT FROM h;
	RETURN NEXT;
END
$$;
SELECT cond, s.* FROM (VALUES
	($$l_shipdate >= date '1994-01-01' AND l_shipdate < date '1995-01-01'$$),
	($$l_shipdate >= '1994-01-01' AND l_shipdate < timestamp '1995-01-01 00:00'$$),
	($$l_shipdate > timestamp '1994-03-05 12:00' AND l_shipdate <= '1994-03-09'$$),
	($$l_shipdate = '1996-02-29'$$),
	($$l_commitdate < '1992-03-15'$$),
	($$l_receiptdate > '1998-11-01'$$),
	($$'1995-03-15' < l_shipdate AND l_receiptdate <= date '1995-04-15' AND l_commitdate > '1995-01-01'$$),
	($$l_shipdate > '1998-01-01' AND l_shipdate < '1990-01-01'$$),
	($$l_shipdate <= date '1998-12-01' - interval '90' day$$)
) c(cond), dt_same(cond) s;

-- Parallel participants skip the same orders; a key range and a window
-- together; ORDER BY the key needs no sort, with LIMIT
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF)
SELECT count(*), sum(l_quantity) FROM dt.lineitem
WHERE l_shipdate >= date '1996-01-01' AND l_shipdate < date '1996-04-01';
SELECT (SELECT (count(*), sum(l_quantity)) FROM dt.lineitem
		WHERE l_shipdate >= date '1996-01-01' AND l_shipdate < date '1996-04-01') =
	(SELECT (count(*), sum(l_quantity)) FROM dt.heap
		WHERE l_shipdate >= date '1996-01-01' AND l_shipdate < date '1996-04-01') AS same;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT * FROM dt_same($$l_orderkey BETWEEN 1000 AND 9000 AND l_shipdate < '1993-06-01'$$);
EXPLAIN (COSTS OFF)
SELECT l_orderkey, l_linenumber FROM dt.lineitem
WHERE l_shipdate = '1994-07-04' ORDER BY l_orderkey LIMIT 3;
SELECT l_orderkey, l_linenumber FROM dt.lineitem
WHERE l_shipdate = '1994-07-04' ORDER BY l_orderkey LIMIT 3;
SELECT l_orderkey, l_linenumber FROM dt.heap
WHERE l_shipdate = '1994-07-04' ORDER BY l_orderkey LIMIT 3;

-- The planner: a window's rows are estimated from its conditions as any
-- filter's, but generating them costs the window's share of the orders
-- (Q20's year: a fifth, with the filter's cost), not the whole table; a
-- filter on another column generates all
CREATE FUNCTION dt_plan(query text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
	RETURN jsonb_path_query_first(plan, '$.** ? (@."Relation Name" == "lineitem")."Total Cost"');
END
$$;
SET max_parallel_workers_per_gather = 0;
SELECT round((y / a)::numeric, 1) AS year_cost_share,
	round((m / a)::numeric, 2) AS month_cost_share,
	round((n / a)::numeric, 1) AS other_filter_cost_share
FROM dt_plan('SELECT l_quantity FROM dt.lineitem') a,
	dt_plan($$SELECT l_quantity FROM dt.lineitem
		WHERE l_shipdate >= date '1994-01-01' AND l_shipdate < date '1995-01-01'$$) y,
	dt_plan($$SELECT l_quantity FROM dt.lineitem
		WHERE l_shipdate >= date '1995-09-01' AND l_shipdate < date '1995-10-01'$$) m,
	dt_plan($$SELECT l_quantity FROM dt.lineitem WHERE l_quantity < 2$$) n;
RESET max_parallel_workers_per_gather;

DROP SCHEMA dt CASCADE;
DROP SERVER tpch_dt;
