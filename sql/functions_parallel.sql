-- Parallel scans: workers claim chunks from one shared counter, so the
-- multiset of rows equals the serial one, whatever the number of workers.
SET datestyle = ISO;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

EXPLAIN (COSTS OFF)
SELECT count(*) FROM tpch_lineitem(sf => 0.01);

-- Workers do launch, so that "parallel = serial" below compares something:
-- the number launched, summed over the plan's Gather nodes.
CREATE FUNCTION workers_launched(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || query
		INTO plan;
	RETURN (SELECT sum(n::bigint) FROM jsonb_path_query(plan, 'strict $.**."Workers Launched"') n);
END $$;
SELECT workers_launched('SELECT count(*), sum(length(l_comment)) FROM tpch_lineitem(sf => 0.01)') > 0
	AS lineitem_workers;
SELECT workers_launched('SELECT count(*) FROM tpch_partsupp(sf => 0.01)') > 0
	AS partsupp_workers;
SELECT workers_launched('SELECT count(*) FROM (SELECT 1 FROM tpch_orders(sf => 0.01)
	UNION ALL SELECT 1 FROM tpch_customer(sf => 0.01)) s') > 0 AS append_workers;

-- the same fingerprints as the serial ones in functions_rows
SELECT count(*), md5(string_agg(concat_ws('|', l_orderkey, l_partkey, l_suppkey,
		l_linenumber, l_quantity::bigint, l_extendedprice, l_discount, l_tax,
		l_returnflag::text, l_linestatus::text, l_shipdate, l_commitdate,
		l_receiptdate, l_shipinstruct::text, l_shipmode::text, l_comment)
		|| E'|\n', '' ORDER BY l_orderkey, l_linenumber))
FROM tpch_lineitem(sf => 0.01);

SELECT count(*), md5(string_agg(concat_ws('|', ps_partkey, ps_suppkey,
		ps_availqty, ps_supplycost, ps_comment) || E'|\n', '' ORDER BY ps_partkey, ps_suppkey))
FROM tpch_partsupp(sf => 0.01);

-- the other tables in one query: a Gather over an Append of parallel scans
SELECT t, count(*), md5(string_agg(line, '' ORDER BY k1, k2)) FROM (
	SELECT 'region' t, r_regionkey k1, 0 k2,
		concat_ws('|', r_regionkey, r_name::text, r_comment) || E'|\n' line
	FROM tpch_region(sf => 0.01)
	UNION ALL
	SELECT 'nation', n_nationkey, 0,
		concat_ws('|', n_nationkey, n_name::text, n_regionkey, n_comment) || E'|\n'
	FROM tpch_nation(sf => 0.01)
	UNION ALL
	SELECT 'supplier', s_suppkey, 0,
		concat_ws('|', s_suppkey, s_name::text, s_address, s_nationkey,
			s_phone::text, s_acctbal, s_comment) || E'|\n'
	FROM tpch_supplier(sf => 0.01)
	UNION ALL
	SELECT 'part', p_partkey, 0,
		concat_ws('|', p_partkey, p_name, p_mfgr::text, p_brand::text, p_type,
			p_size, p_container::text, p_retailprice, p_comment) || E'|\n'
	FROM tpch_part(sf => 0.01)
	UNION ALL
	SELECT 'customer', c_custkey, 0,
		concat_ws('|', c_custkey, c_name, c_address, c_nationkey, c_phone::text,
			c_acctbal, c_mktsegment::text, c_comment) || E'|\n'
	FROM tpch_customer(sf => 0.01)
	UNION ALL
	SELECT 'orders', o_orderkey, 0,
		concat_ws('|', o_orderkey, o_custkey, o_orderstatus::text, o_totalprice,
			o_orderdate, o_orderpriority::text, o_clerk::text, o_shippriority,
			o_comment) || E'|\n'
	FROM tpch_orders(sf => 0.01)
) s GROUP BY t ORDER BY t;

-- whole rows through the Gather as heap tuples, stored as they are
CREATE TABLE orders AS SELECT * FROM tpch_orders(sf => 0.01);
SELECT count(*), md5(string_agg(concat_ws('|', o_orderkey, o_custkey,
		o_orderstatus::text, o_totalprice, o_orderdate, o_orderpriority::text,
		o_clerk::text, o_shippriority, o_comment) || E'|\n', '' ORDER BY o_orderkey))
FROM orders;
DROP TABLE orders;
-- and sorted
SELECT md5(string_agg(o::text, E'\n')) FROM (
	SELECT * FROM tpch_orders(sf => 0.01) ORDER BY o_orderkey DESC) o;
SELECT md5(string_agg(o::text, E'\n' ORDER BY o_orderkey DESC))
FROM tpch_orders(sf => 0.01) o;

-- a small table joined in every worker: a non-partial scan inside the plan
EXPLAIN (COSTS OFF)
SELECT n_name, count(*) FROM tpch_customer(sf => 0.1)
	JOIN tpch_nation() ON c_nationkey = n_nationkey
GROUP BY n_name ORDER BY n_name LIMIT 3;
SELECT n_name, count(*) FROM tpch_customer(sf => 0.1)
	JOIN tpch_nation() ON c_nationkey = n_nationkey
GROUP BY n_name ORDER BY n_name LIMIT 3;

-- Parts: the parts of a table are the whole table, for constant arguments
-- (custom scans) and for arguments from another relation (LATERAL, the
-- plain function).
SELECT count(*), sum(hashtext(o::text)) FROM tpch_orders(sf => 0.01) o;
SELECT count(*), sum(hashtext(o::text)) FROM (
	SELECT * FROM tpch_orders(sf => 0.01, part => 1, parts => 3)
	UNION ALL SELECT * FROM tpch_orders(sf => 0.01, part => 2, parts => 3)
	UNION ALL SELECT * FROM tpch_orders(sf => 0.01, part => 3, parts => 3)) o;
SELECT count(*), sum(hashtext(o::text))
FROM generate_series(1, 3) p, LATERAL tpch_orders(sf => 0.01, part => p, parts => 3) o;

SELECT p, count(*), min(l_orderkey), max(l_orderkey)
FROM generate_series(1, 4) p,
	LATERAL tpch_lineitem(sf => 0.01, part => p, parts => 4)
GROUP BY p ORDER BY p;
SELECT count(*), sum(l_orderkey), sum(l_extendedprice) FROM tpch_lineitem(sf => 0.01);
SELECT count(*), sum(l_orderkey), sum(l_extendedprice)
FROM generate_series(1, 4) p,
	LATERAL tpch_lineitem(sf => 0.01, part => p, parts => 4);

-- nation and region are never split: every part has all of them
SELECT count(*) FROM tpch_nation(part => 2, parts => 3);
