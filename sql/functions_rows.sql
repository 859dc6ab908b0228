-- Every table at SF 0.01 against dbgen 3.0.1.  Each fingerprint is the md5
-- of the rows written as dbgen's .tbl lines, ordered by key: for all tables
-- but partsupp that is the md5 of the reference file itself (partsupp's
-- file lists suppliers in generation order, so it is sorted first).
SET datestyle = ISO;

SELECT count(*), md5(string_agg(concat_ws('|', r_regionkey, r_name::text,
		r_comment) || E'|\n', '' ORDER BY r_regionkey))
FROM tpch_region(sf => 0.01);

SELECT count(*), md5(string_agg(concat_ws('|', n_nationkey, n_name::text,
		n_regionkey, n_comment) || E'|\n', '' ORDER BY n_nationkey))
FROM tpch_nation(sf => 0.01);

SELECT count(*), md5(string_agg(concat_ws('|', s_suppkey, s_name::text,
		s_address, s_nationkey, s_phone::text, s_acctbal, s_comment) || E'|\n',
		'' ORDER BY s_suppkey))
FROM tpch_supplier(sf => 0.01);

SELECT count(*), md5(string_agg(concat_ws('|', p_partkey, p_name, p_mfgr::text,
		p_brand::text, p_type, p_size, p_container::text, p_retailprice,
		p_comment) || E'|\n', '' ORDER BY p_partkey))
FROM tpch_part(sf => 0.01);

SELECT count(*), md5(string_agg(concat_ws('|', ps_partkey, ps_suppkey,
		ps_availqty, ps_supplycost, ps_comment) || E'|\n',
		'' ORDER BY ps_partkey, ps_suppkey))
FROM tpch_partsupp(sf => 0.01);

SELECT count(*), md5(string_agg(concat_ws('|', c_custkey, c_name, c_address,
		c_nationkey, c_phone::text, c_acctbal, c_mktsegment::text, c_comment)
		|| E'|\n', '' ORDER BY c_custkey))
FROM tpch_customer(sf => 0.01);

SELECT count(*), md5(string_agg(concat_ws('|', o_orderkey, o_custkey,
		o_orderstatus::text, o_totalprice, o_orderdate, o_orderpriority::text,
		o_clerk::text, o_shippriority, o_comment) || E'|\n', '' ORDER BY o_orderkey))
FROM tpch_orders(sf => 0.01);

-- dbgen prints the quantity as a whole number
SELECT count(*), md5(string_agg(concat_ws('|', l_orderkey, l_partkey, l_suppkey,
		l_linenumber, l_quantity::bigint, l_extendedprice, l_discount, l_tax,
		l_returnflag::text, l_linestatus::text, l_shipdate, l_commitdate,
		l_receiptdate, l_shipinstruct::text, l_shipmode::text, l_comment)
		|| E'|\n', '' ORDER BY l_orderkey, l_linenumber))
FROM tpch_lineitem(sf => 0.01);

-- The same rows through the plain set-returning function (in a target list
-- the planner cannot use the custom scan).
SELECT count(*), md5(string_agg(r::text, E'\n' ORDER BY (r).o_orderkey))
FROM (SELECT tpch_orders(sf => 0.01) AS r) s;
SELECT count(*), md5(string_agg(o::text, E'\n' ORDER BY o_orderkey))
FROM tpch_orders(sf => 0.01) o;

-- Numbers are built without going through text: they must be the very
-- values numeric_in makes (same hash, same binary form, scale 2).
SELECT count(*) AS values,
	count(*) FILTER (WHERE hash_numeric(v) <> hash_numeric(v::text::numeric)
		OR numeric_send(v) <> numeric_send(v::text::numeric)
		OR scale(v) <> 2) AS different
FROM tpch_lineitem(sf => 0.01),
	LATERAL unnest(ARRAY[l_quantity, l_extendedprice, l_discount, l_tax]) v;
SELECT count(*) FILTER (WHERE numeric_send(c_acctbal) <> numeric_send(c_acctbal::text::numeric))
	AS different, min(c_acctbal), max(c_acctbal), sum(c_acctbal)
FROM tpch_customer(sf => 0.1);
-- hashing agrees too: 0.00 .. 0.10 are eleven values, zero included
SELECT count(DISTINCT l_discount), min(l_discount)
FROM tpch_lineitem(sf => 0.01);

-- char(n) is blank-padded as a loaded table stores it; varchar is not.
SELECT min(octet_length(c_mktsegment)), max(octet_length(c_mktsegment)),
	max(octet_length(c_comment)), min(octet_length(c_comment))
FROM tpch_customer(sf => 0.01);

-- CREATE TABLE AS gives the column types of the TPC-H specification.
CREATE TABLE lineitem AS SELECT * FROM tpch_lineitem(sf => 0.01);
\d lineitem
SELECT count(*), sum(l_extendedprice), sum(l_quantity) FROM lineitem;
-- whole rows go out as heap tuples: the stored rows are dbgen's
SELECT count(*), md5(string_agg(concat_ws('|', l_orderkey, l_partkey, l_suppkey,
		l_linenumber, l_quantity::bigint, l_extendedprice, l_discount, l_tax,
		l_returnflag::text, l_linestatus::text, l_shipdate, l_commitdate,
		l_receiptdate, l_shipinstruct::text, l_shipmode::text, l_comment)
		|| E'|\n', '' ORDER BY l_orderkey, l_linenumber))
FROM lineitem;
DROP TABLE lineitem;
CREATE TABLE orders AS SELECT * FROM tpch_orders(sf => 0.01);
\d orders
DROP TABLE orders;

-- dbgen's altered supplier comments ("Customer ... Complaints/Recommends")
-- live outside the pool; two of them a row apart (suppliers 40325 and 40327
-- at SF 100) must each keep their own (values from bin/tpchgen).
SELECT s_suppkey, s_comment FROM tpch_supplier(sf => 100, part => 4033, parts => 100000)
WHERE s_comment LIKE '%Customer%';
