-- tpch_check at SF 0.01 on heap tables (made by tpch_load) and on imported
-- foreign tables: the validation queries recompute the stored
-- answers exactly (detail is NULL), and a changed row is found and named.
-- The heap tables come from tpch_load when the extension has it, else from
-- CREATE TABLE AS with the same keys; either way the output is the same.
DO $$
BEGIN
	IF to_regproc('tpch_load') IS NOT NULL THEN
		PERFORM tpch_load(sf => 0.01, schema => 'qc_heap');
		RETURN;
	END IF;
	CREATE SCHEMA qc_heap;
	CREATE TABLE qc_heap.region AS SELECT * FROM tpch_region(0.01);
	CREATE TABLE qc_heap.nation AS SELECT * FROM tpch_nation(0.01);
	CREATE TABLE qc_heap.supplier AS SELECT * FROM tpch_supplier(0.01);
	CREATE TABLE qc_heap.part AS SELECT * FROM tpch_part(0.01);
	CREATE TABLE qc_heap.partsupp AS SELECT * FROM tpch_partsupp(0.01);
	CREATE TABLE qc_heap.customer AS SELECT * FROM tpch_customer(0.01);
	CREATE TABLE qc_heap.orders AS SELECT * FROM tpch_orders(0.01);
	CREATE TABLE qc_heap.lineitem AS SELECT * FROM tpch_lineitem(0.01);
	ALTER TABLE qc_heap.region ADD PRIMARY KEY (r_regionkey);
	ALTER TABLE qc_heap.nation ADD PRIMARY KEY (n_nationkey);
	ALTER TABLE qc_heap.supplier ADD PRIMARY KEY (s_suppkey);
	ALTER TABLE qc_heap.part ADD PRIMARY KEY (p_partkey);
	ALTER TABLE qc_heap.partsupp ADD PRIMARY KEY (ps_partkey, ps_suppkey);
	ALTER TABLE qc_heap.customer ADD PRIMARY KEY (c_custkey);
	ALTER TABLE qc_heap.orders ADD PRIMARY KEY (o_orderkey);
	ALTER TABLE qc_heap.lineitem ADD PRIMARY KEY (l_orderkey, l_linenumber);
	ANALYZE qc_heap.region, qc_heap.nation, qc_heap.supplier, qc_heap.part,
		qc_heap.partsupp, qc_heap.customer, qc_heap.orders, qc_heap.lineitem;
END
$$;
SET search_path = qc_heap, public;

SELECT * FROM tpch_check(sf => 0.01);
-- the Citus form's texts give the same answers
SELECT count(*), bool_and(ok AND detail IS NULL) FROM tpch_check(sf => 0.01, form => 'citus');

-- under another DateStyle too
SET datestyle = 'Postgres, DMY';
SELECT * FROM tpch_check(3, 0.01);
SHOW datestyle;
RESET datestyle;

-- a stream's queries run as-is with random parameters
CREATE FUNCTION pg_temp.rows_of(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM (%s) q', rtrim(query, E';\n')) INTO n;
	RETURN n;
END
$$;
SELECT position, query_nr, pg_temp.rows_of(query) AS rows
FROM tpch_queries(3, 0101000000, 0.01) ORDER BY position;

-- a changed quantity: Q1's sum_qty is exact
UPDATE lineitem SET l_quantity = l_quantity + 1 WHERE l_orderkey = 1 AND l_linenumber = 1;
SELECT * FROM tpch_check(1, 0.01);
UPDATE lineitem SET l_quantity = l_quantity - 1 WHERE l_orderkey = 1 AND l_linenumber = 1;
-- a price one dollar off: the sums stay within $100
UPDATE lineitem SET l_extendedprice = l_extendedprice + 1 WHERE l_orderkey = 1 AND l_linenumber = 1;
SELECT * FROM tpch_check(1, 0.01);
UPDATE lineitem SET l_extendedprice = l_extendedprice - 1 WHERE l_orderkey = 1 AND l_linenumber = 1;
-- a string
UPDATE supplier SET s_name = 'Supplier#000000999' WHERE s_suppkey = 13;
SELECT * FROM tpch_check(20, 0.01);
-- a row too many: a copy of a Q18 order, cheaper, so that it sorts last
INSERT INTO orders SELECT 99999999, o_custkey, o_orderstatus, 1.00,
	o_orderdate, o_orderpriority, o_clerk, o_shippriority, o_comment
FROM orders WHERE o_orderkey = 29158;
INSERT INTO lineitem SELECT 99999999, l_partkey, l_suppkey, l_linenumber, l_quantity,
	l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate,
	l_receiptdate, l_shipinstruct, l_shipmode, l_comment
FROM lineitem WHERE l_orderkey = 29158;
SELECT * FROM tpch_check(18, 0.01);
-- the wrong scale factor's answers
SELECT * FROM tpch_check(6, 0.1);
-- no tables on search_path: an error, which also undoes tpch_check's DateStyle
SET search_path = public;
SET datestyle = 'SQL, DMY';
SELECT * FROM tpch_check(6, 0.01);
SHOW datestyle;
RESET datestyle;
RESET search_path;

-- the same on foreign tables
CREATE SERVER qc_server FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
CREATE SCHEMA qc_fdw;
IMPORT FOREIGN SCHEMA tpch FROM SERVER qc_server INTO qc_fdw;
SET search_path = qc_fdw, public;
SELECT * FROM tpch_check(sf => 0.01);
RESET search_path;

SET client_min_messages = warning;
DROP SCHEMA qc_heap CASCADE;
DROP SCHEMA qc_fdw CASCADE;
DROP SERVER qc_server;
RESET client_min_messages;
