-- The rescan cache: a foreign scan filtered by "column = parameter" on a
-- column it cannot seek to keeps the rows of its first run for its rescans.
-- Every query here is checked against heap tables holding the same rows.
CREATE SERVER tpch_rc FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
CREATE SCHEMA rc;
IMPORT FOREIGN SCHEMA tpch LIMIT TO (lineitem, part, partsupp, supplier, nation)
	FROM SERVER tpch_rc INTO rc;
CREATE SCHEMA rh;
CREATE TABLE rh.lineitem AS SELECT * FROM rc.lineitem;
CREATE TABLE rh.part AS SELECT * FROM rc.part;
CREATE TABLE rh.partsupp AS SELECT * FROM rc.partsupp;
CREATE TABLE rh.supplier AS SELECT * FROM rc.supplier;
CREATE TABLE rh.nation AS SELECT * FROM rc.nation;
CREATE INDEX ON rh.lineitem (l_partkey, l_suppkey);
ANALYZE rc.lineitem, rc.part, rc.partsupp, rc.supplier, rc.nation;
ANALYZE rh.lineitem, rh.part, rh.partsupp, rh.supplier, rh.nation;
SHOW tpchgen.rescan_cache_mem;

-- Runs a query on both schemas; same_rows compares the rows as a multiset.
CREATE FUNCTION rc_check(query text, OUT nrows bigint, OUT same_rows boolean)
LANGUAGE plpgsql AS $$
DECLARE
	f text;
	h text;
BEGIN
	PERFORM set_config('search_path', 'rc', true);
	EXECUTE format('SELECT count(*), md5(string_agg(r::text, E''\n'' ORDER BY r::text)) FROM (%s) r', query)
		INTO nrows, f;
	PERFORM set_config('search_path', 'rh', true);
	EXECUTE format('SELECT md5(string_agg(r::text, E''\n'' ORDER BY r::text)) FROM (%s) r', query)
		INTO h;
	same_rows := f IS NOT DISTINCT FROM h;
END
$$;

-- Q17 and Q20 of the validation queries.
SELECT * FROM rc_check($q$
select sum(l_extendedprice) / 7.0 as avg_yearly
from lineitem, part
where p_partkey = l_partkey and p_brand = 'Brand#23' and p_container = 'MED BOX'
	and l_quantity < (select 0.2 * avg(l_quantity) from lineitem where l_partkey = p_partkey)
$q$);
SELECT * FROM rc_check($q$
select s_name, s_address from supplier, nation
where s_suppkey in (
		select ps_suppkey from partsupp
		where ps_partkey in (select p_partkey from part where p_name like 'forest%')
			and ps_availqty > (
				select 0.5 * sum(l_quantity) from lineitem
				where l_partkey = ps_partkey and l_suppkey = ps_suppkey
					and l_shipdate >= date '1994-01-01'
					and l_shipdate < date '1994-01-01' + interval '1' year))
	and s_nationkey = n_nationkey and n_name = 'CANADA'
order by s_name
$q$);

-- What is cached, by which columns; with ANALYZE, how much and how often
-- it served.
SET search_path = rc;
EXPLAIN (COSTS OFF)
SELECT p_partkey, (SELECT sum(l_quantity) FROM lineitem WHERE l_partkey = p_partkey)
FROM part WHERE p_partkey <= 5;
EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT p_partkey, (SELECT sum(l_quantity) FROM lineitem WHERE l_partkey = p_partkey)
FROM part WHERE p_partkey <= 5;
EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT YAML)
SELECT (SELECT count(*) FROM lineitem WHERE l_partkey = p_partkey AND l_suppkey = p_partkey)
FROM part WHERE p_partkey <= 2;
-- a key that changes at each rescan is sought to, not cached
EXPLAIN (COSTS OFF)
SELECT (SELECT count(*) FROM lineitem WHERE l_orderkey = p_partkey AND l_partkey = p_partkey)
FROM part WHERE p_partkey <= 2;
-- a constant key condition narrows what is cached
EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT (SELECT count(*) FROM lineitem WHERE l_orderkey < 100 AND l_partkey = p_partkey)
FROM part WHERE p_partkey <= 3;
-- the other conditions without parameters too; the first run skips the
-- rows they reject
EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT (SELECT count(*) FROM lineitem WHERE l_shipdate < date '1992-06-01'
	AND l_partkey = p_partkey)
FROM part WHERE p_partkey <= 3;
RESET search_path;

-- Rescans with changing, repeated, missing and NULL parameters, of several
-- types, the column on either side, several columns, lateral references.
SELECT * FROM rc_check($q$
select k, (select count(*) from lineitem where l_partkey = k),
	(select sum(l_extendedprice) from lineitem where k = l_partkey)
from (values (1), (1), (2), (null), (999999), (7), (1), (2000)) v(k)
$q$);
SELECT * FROM rc_check($q$
select k, (select count(*) from lineitem where l_partkey = k::int4),
	(select count(*) from lineitem where l_suppkey = k::int2)
from (values (3), (null), (3), (40)) v(k)
$q$);
SELECT * FROM rc_check($q$
select q, (select count(*) from lineitem where l_quantity = q),
	(select count(*) from lineitem where l_quantity = q::float8)
from (values (1.00), (17), (17.0), (50), (null), (0.5)) v(q)
$q$);
SELECT * FROM rc_check($q$
select d, (select count(*) from lineitem where l_shipdate = d),
	(select count(*) from lineitem where l_shipdate = d::timestamp)
from (values (date '1994-01-01'), (date '1998-12-01'), (null), (date '1994-01-01')) v(d)
$q$);
SELECT * FROM rc_check($q$
select b, (select count(*) from part where p_brand = b),
	(select count(*) from part where p_type = t),
	(select min(p_partkey) from part where p_container = b::text)
from (values ('Brand#23'::char(10), 'STANDARD POLISHED TIN'),
	('Brand#11', 'no such type'), (null, null), ('Brand#23 ', 'ECONOMY ANODIZED STEEL')) v(b, t)
$q$);
SELECT * FROM rc_check($q$
select ps_partkey, ps_suppkey,
	(select sum(l_quantity) from lineitem
	 where l_partkey = ps_partkey and l_suppkey = ps_suppkey and l_returnflag = 'R')
from partsupp where ps_partkey % 50 = 1
$q$);
SELECT * FROM rc_check($q$
select ps_partkey, f, m,
	(select count(*) from lineitem
	 where l_partkey = ps_partkey and l_suppkey = ps_suppkey and l_returnflag = f
	   and l_shipmode = m)
from partsupp, (values ('R'::char(1), 'AIR'::char(10)), ('N', 'MAIL'), (null, 'AIR'),
	('A', 'TRUCK'), ('R', 'AIR')) v(f, m)
where ps_partkey % 20 = 1
$q$);
SELECT * FROM rc_check($q$
select p_partkey, s.n, s.q from part,
	lateral (select count(*) n, sum(l_quantity) q from lineitem where l_partkey = p_partkey) s
where p_size = 7
$q$);

-- LIMIT stops a run early: the next rescan records the rest first, and the
-- rows still come in key order (no Sort in the plan).
SET search_path = rc;
EXPLAIN (COSTS OFF)
SELECT p_partkey, (SELECT l_orderkey FROM lineitem WHERE l_partkey = p_partkey
	ORDER BY l_orderkey LIMIT 1 OFFSET 1)
FROM part WHERE p_partkey <= 3;
RESET search_path;
SELECT * FROM rc_check($q$
select p_partkey,
	(select l_orderkey from lineitem where l_partkey = p_partkey order by l_orderkey limit 1 offset 1),
	(select array_agg(l_orderkey) from (select l_orderkey from lineitem where l_partkey = p_partkey
		order by l_orderkey limit 3) x)
from part where p_partkey % 100 = 3
$q$);
SELECT * FROM rc_check($q$
select p_partkey from part
where p_partkey < 5 or exists (select 1 from lineitem where l_partkey = p_partkey and l_quantity > 49)
$q$);

-- In a parallel plan, every process keeps its own cache.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET search_path = rc;
EXPLAIN (COSTS OFF)
SELECT count(*), sum(s.q) FROM part,
	LATERAL (SELECT sum(l_quantity) q FROM lineitem WHERE l_partkey = p_partkey) s
WHERE p_partkey % 10 = 0;
RESET search_path;
SELECT * FROM rc_check($q$
select count(*), sum(s.q) from part,
	lateral (select sum(l_quantity) q from lineitem where l_partkey = p_partkey) s
where p_partkey % 10 = 0
$q$);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Past tpchgen.rescan_cache_mem the cache is dropped: rescans generate the
-- table again, the first one says so, and the rows are the same.
SET tpchgen.rescan_cache_mem = '1500kB';
SET search_path = rc;
EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT (SELECT max(l_comment) FROM lineitem WHERE l_partkey = p_partkey)
FROM part WHERE p_partkey <= 3;
RESET search_path;
SELECT * FROM rc_check($q$
select p_partkey, (select max(l_comment) from lineitem where l_partkey = p_partkey)
from part where p_partkey <= 30
$q$);
-- 0 turns it off
SET tpchgen.rescan_cache_mem = 0;
SET search_path = rc;
EXPLAIN (COSTS OFF)
SELECT (SELECT count(*) FROM lineitem WHERE l_partkey = p_partkey)
FROM part WHERE p_partkey <= 3;
RESET search_path;
SELECT * FROM rc_check($q$
select p_partkey, (select count(*) from lineitem where l_partkey = p_partkey)
from part where p_partkey <= 30
$q$);
RESET tpchgen.rescan_cache_mem;

-- The planner costs a run the cache serves as its share of one generation
-- (shared by the distinct values of the compared columns) plus handing out
-- its rows; without the cache, or when the rows would not fit, as a whole
-- generation.  Q20's plan, costed a generation per run, went over
-- jit_above_cost and spent longer compiling than running.
CREATE FUNCTION rc_scan_cost(query text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
	RETURN jsonb_path_query_first(plan,
		'$.** ? (@."Relation Name" == "lineitem")."Total Cost"')::float8;
END
$$;
SET search_path = rc, public;
CREATE TEMP TABLE rc_costs (name text, cost float8);
INSERT INTO rc_costs VALUES
	('generation', rc_scan_cost('SELECT sum(l_quantity) FROM lineitem')),
	('cached', rc_scan_cost('SELECT (SELECT sum(l_quantity) FROM lineitem
		WHERE l_partkey = p_partkey) FROM part')),
	('two columns and a filter', rc_scan_cost('SELECT (SELECT sum(l_quantity)
		FROM lineitem WHERE l_partkey = p_partkey AND l_suppkey = p_size
		AND l_shipdate < date ''1993-01-01'') FROM part')),
	('key sought', rc_scan_cost('SELECT (SELECT sum(l_quantity) FROM lineitem
		WHERE l_orderkey = p_partkey AND l_partkey = p_partkey) FROM part'));
SET tpchgen.rescan_cache_mem = 0;
INSERT INTO rc_costs VALUES ('cache off', rc_scan_cost('SELECT (SELECT
	sum(l_quantity) FROM lineitem WHERE l_partkey = p_partkey) FROM part'));
SET tpchgen.rescan_cache_mem = '64kB';
INSERT INTO rc_costs VALUES ('over the limit', rc_scan_cost('SELECT (SELECT
	sum(l_quantity) FROM lineitem WHERE l_partkey = p_partkey) FROM part'));
RESET tpchgen.rescan_cache_mem;
RESET search_path;
SELECT name, CASE WHEN cost >= g THEN 'a generation or more'
	WHEN cost < g / 100 THEN 'under 1/100 of a generation' ELSE 'between' END AS cost
FROM rc_costs, (SELECT cost AS g FROM rc_costs WHERE name = 'generation') g
WHERE name <> 'generation';

-- A cancel (here a timeout) while the cache records is honoured, and the
-- cache's memory goes with the query, as it does at the end of one.
CREATE SERVER tpch_rc1 FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '1');
CREATE FOREIGN TABLE rc.lineitem1 (l_partkey bigint, l_quantity numeric(15,2))
	SERVER tpch_rc1 OPTIONS (table 'lineitem');
SET statement_timeout = '300ms';
SELECT p_partkey, (SELECT sum(l_quantity) FROM rc.lineitem1 WHERE l_partkey = p_partkey)
FROM rc.part WHERE p_partkey <= 3;
RESET statement_timeout;
SELECT count(*) FROM pg_backend_memory_contexts WHERE name = 'tpchgen rescan cache';
SELECT (SELECT count(*) FROM rc.lineitem WHERE l_partkey = p_partkey)
FROM rc.part WHERE p_partkey <= 2;
SELECT count(*) FROM pg_backend_memory_contexts WHERE name = 'tpchgen rescan cache';

SET tpchgen.rescan_cache_mem = -1;
SET tpchgen.rescan_cache_mem = 'lots';

DROP FUNCTION rc_check(text);
SET client_min_messages = warning;
DROP SCHEMA rh CASCADE;
DROP SCHEMA rc CASCADE;
DROP SERVER tpch_rc;
DROP SERVER tpch_rc1;
RESET client_min_messages;
