-- The update sets' functions: dbgen -U's rows byte for byte (the sha256 of
-- dbgen 3.0.1's orders.tbl.u<s>, lineitem.tbl.u<s> and delete.<s> at SF 0.1
-- sets 1-2 and SF 1 set 1), exact row estimates, parallel scans, errors.
SET datestyle = ISO;

CREATE FUNCTION pg_temp.orders_tbl(sf float8, s bigint) RETURNS text
LANGUAGE sql AS $$
	SELECT encode(sha256(convert_to(string_agg(concat_ws('|', o_orderkey, o_custkey,
		o_orderstatus::text, o_totalprice, o_orderdate, o_orderpriority::text,
		o_clerk::text, o_shippriority, o_comment) || E'|\n', '' ORDER BY o_orderkey),
		'UTF8')), 'hex')
	FROM tpch_rf1_orders(sf, s)
$$;
CREATE FUNCTION pg_temp.lineitem_tbl(sf float8, s bigint) RETURNS text
LANGUAGE sql AS $$
	SELECT encode(sha256(convert_to(string_agg(concat_ws('|', l_orderkey, l_partkey,
		l_suppkey, l_linenumber, l_quantity::bigint, l_extendedprice, l_discount, l_tax,
		l_returnflag::text, l_linestatus::text, l_shipdate, l_commitdate,
		l_receiptdate, l_shipinstruct::text, l_shipmode::text, l_comment)
		|| E'|\n', '' ORDER BY l_orderkey, l_linenumber), 'UTF8')), 'hex')
	FROM tpch_rf1_lineitem(sf, s)
$$;
CREATE FUNCTION pg_temp.delete_tbl(sf float8, s bigint) RETURNS text
LANGUAGE sql AS $$
	SELECT encode(sha256(convert_to(string_agg(o_orderkey || E'|\n', ''
		ORDER BY o_orderkey), 'UTF8')), 'hex')
	FROM tpch_rf2_keys(sf, s)
$$;

-- dbgen's fingerprints (test/update_fingerprints.tsv)
SELECT sf, s, pg_temp.orders_tbl(sf, s) = o AS orders_u,
	pg_temp.lineitem_tbl(sf, s) = l AS lineitem_u, pg_temp.delete_tbl(sf, s) = d AS delete
FROM (VALUES
	(0.1, 1, 'd3b2058d4272061397f7703d124c8d655828af28a1f5a7794059b784951667e4',
	 'e614315aa7582368b43ae671fdcf9dbd260f3c290a47c5699be6f92f7906c564',
	 '95c553661f5a725fc43188c05770f1789da9ee7a48b070b1de81f1f322a906ba'),
	(0.1, 2, 'a3d7f5052a691645365d8e619c34d80ba038e281ba95b6ec8f0bbb74f0fb1505',
	 '3552229150e47cf7269408c860013cea959ac8fb2a30cbf30e2c14557bff5cfd',
	 '0cd81f4bf811d5bc739a9b04a4045feda7f5fff790e3b63f1417d566930a6e4d'),
	(1, 1, '9959cc8fc853d82cc8a424828af2ea4c3a9e9b36f3ec4b0fece52f130a26a8aa',
	 'bd924b1d723f906ca63f8b76e8dd19deb7c55374cbb0cc47785c73bb90cdea1f',
	 '801d3d83fd0735a07ac9c60c247d93f2233bdd17d1e5ff7a7e9c81629c6cb8b9'))
	AS f(sf, s, o, l, d);

-- DBGEN_FACTS.md 14: the first insert of set 1 at SF 0.1; the keys fill the
-- gaps of the base keys (sequence 1), the deleted ones are base keys
SELECT * FROM tpch_rf1_orders(0.1, 1) LIMIT 1;
SELECT min(o_orderkey), max(o_orderkey), count(*) FILTER (WHERE o_orderkey & 24 = 8)
FROM tpch_rf1_orders(0.1, 1);
SELECT min(o_orderkey), max(o_orderkey), count(*) FILTER (WHERE o_orderkey & 24 = 0)
FROM tpch_rf2_keys(0.1, 1);

-- exact row estimates, lineitem's too (its line counts are drawn at plan time)
EXPLAIN SELECT * FROM tpch_rf1_orders(0.1, 2);
EXPLAIN SELECT * FROM tpch_rf1_lineitem(0.1, 2);
SELECT count(*) FROM tpch_rf1_lineitem(0.1, 2);
EXPLAIN SELECT * FROM tpch_rf2_keys(1, 150);
-- set 150 at SF 100000 (150 million orders a set) is as near as set 1
SELECT * FROM tpch_rf2_keys(100000, 150) LIMIT 2;
SELECT o_orderkey, o_orderdate FROM tpch_rf1_orders(100000, 150) LIMIT 1;

-- parallel: workers claim chunks, the rows are the serial ones
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT count(*) FROM tpch_rf1_lineitem(10, 3);
SELECT count(*), sum(l_extendedprice), sum(l_orderkey * l_linenumber)
FROM tpch_rf1_lineitem(10, 3);
SELECT count(*), sum(o_totalprice), sum(o_orderkey) FROM tpch_rf1_orders(10, 3);
RESET max_parallel_workers_per_gather;
SELECT count(*), sum(l_extendedprice), sum(l_orderkey * l_linenumber)
FROM tpch_rf1_lineitem(10, 3);
SELECT count(*), sum(o_totalprice), sum(o_orderkey) FROM tpch_rf1_orders(10, 3);

-- arguments known only at run time, and the value-per-call path
EXPLAIN (COSTS OFF) SELECT * FROM tpch_rf2_keys((SELECT 0.1), 1);
SELECT count(*) FROM tpch_rf2_keys((SELECT 0.1), 1);
SELECT (tpch_rf1_orders(0.01, 3)).o_orderkey LIMIT 3;

-- errors
SELECT * FROM tpch_rf1_orders(0.1, 0);
SELECT * FROM tpch_rf1_lineitem(0.1, 3000);
SELECT * FROM tpch_rf2_keys(0.005, 1);
SELECT * FROM tpch_rf2_keys(1.5, 1);
SELECT * FROM tpch_rf1_orders(NULL, 1);
SELECT * FROM tpch_rf1_orders(1, NULL);
