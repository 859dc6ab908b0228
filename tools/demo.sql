-- tools/demo.sql - the Quick start showcase of the SQL functions, run by
-- `tools/quickstart demo` on its throwaway cluster.
\set ON_ERROR_STOP on
\pset footer off
CREATE EXTENSION IF NOT EXISTS tpchgen;

\echo
\echo '== Every TPC-H table is a function: tpch_region() .. tpch_lineitem(sf, part, parts)'
SELECT * FROM tpch_region();

\echo '== Constant arguments: a streaming, parallel custom scan, exact row estimates'
EXPLAIN SELECT count(*) FROM tpch_lineitem(sf => 1);

\timing on
\echo '== Six million lines, generated and counted: no table, no temporary file'
SELECT count(*) FROM tpch_lineitem(sf => 1);

\echo '== Streaming: the first rows of SF 1000 (six billion lines) come at once'
SELECT l_orderkey, l_linenumber, l_partkey, l_shipdate, l_comment
FROM tpch_lineitem(sf => 1000) LIMIT 3;

\echo '== TPC-H Q1 (pricing summary) straight from the generator at SF 0.1'
SELECT l_returnflag, l_linestatus,
	sum(l_quantity) AS sum_qty,
	sum(l_extendedprice) AS sum_base_price,
	sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
	sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
	round(avg(l_quantity), 2) AS avg_qty,
	round(avg(l_extendedprice), 2) AS avg_price,
	round(avg(l_discount), 4) AS avg_disc,
	count(*) AS count_order
FROM tpch_lineitem(sf => 0.1)
WHERE l_shipdate <= date '1998-12-01' - interval '90 days'
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus;

\echo '== Loading is CREATE TABLE AS: the column types of the specification'
CREATE TABLE demo_customer AS SELECT * FROM tpch_customer(sf => 0.1);
CREATE TABLE demo_orders AS SELECT * FROM tpch_orders(sf => 0.1);
\d demo_orders

\echo '== TPC-H Q13 (customer distribution) over the loaded tables'
SELECT c_count, count(*) AS custdist
FROM (SELECT c_custkey, count(o_orderkey) AS c_count
	FROM demo_customer LEFT JOIN demo_orders
		ON c_custkey = o_custkey AND o_comment NOT LIKE '%special%requests%'
	GROUP BY c_custkey) c_orders
GROUP BY c_count
ORDER BY custdist DESC, c_count DESC
LIMIT 5;

\echo '== Parts (dbgen -C 4 -S k): four parts make the whole table'
SELECT p AS part, count(*), min(o_orderkey), max(o_orderkey),
	sum(o_totalprice)
FROM generate_series(1, 4) p,
	LATERAL tpch_orders(sf => 0.1, part => p, parts => 4)
GROUP BY p ORDER BY p;
SELECT count(*), sum(o_totalprice) FROM demo_orders;

\echo '== Bad input says what is allowed'
\set ON_ERROR_STOP off
SELECT count(*) FROM tpch_lineitem(sf => 2.5);
\set ON_ERROR_STOP on

DROP TABLE demo_customer, demo_orders;

\echo '== Foreign tables: a whole TPC-H schema at SF 1000 that costs no disk'
CREATE SERVER demo_tpch FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '1000');
CREATE SCHEMA demo_tpch;
IMPORT FOREIGN SCHEMA tpch FROM SERVER demo_tpch INTO demo_tpch;
\echo '-- a key range is a seek, not a scan of six billion lines'
EXPLAIN (COSTS OFF)
SELECT count(*), sum(l_extendedprice) FROM demo_tpch.lineitem
WHERE l_orderkey BETWEEN 5999999000 AND 5999999100;
SELECT count(*), sum(l_extendedprice) FROM demo_tpch.lineitem
WHERE l_orderkey BETWEEN 5999999000 AND 5999999100;
\echo '-- TPC-H Q6 on the foreign lineitem of a smaller server'
ALTER SERVER demo_tpch OPTIONS (SET sf '0.1');
SELECT sum(l_extendedprice * l_discount) AS revenue
FROM demo_tpch.lineitem
WHERE l_shipdate >= date '1994-01-01' AND l_shipdate < date '1995-01-01'
	AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24;
SET client_min_messages = warning;
DROP SCHEMA demo_tpch CASCADE;
RESET client_min_messages;
DROP SERVER demo_tpch;

\echo '== Export: files straight from the generator, byte-identical to dbgen'
SELECT * FROM tpch_export('lineitem', '/tmp/tpchgen-demo-lineitem.tbl', sf => 0.1,
	format => 'tbl', overwrite => true);
SELECT * FROM tpch_export('orders', '/tmp/tpchgen-demo-orders.csv.zst', sf => 0.1,
	compression => 'zstd', header => true, overwrite => true);
\! ls -l /tmp/tpchgen-demo-*; rm -f /tmp/tpchgen-demo-*

\echo '== A whole TPC-H database in one statement, checked against the TPC-H answers'
SELECT * FROM tpch_load(sf => 0.01, schema => 'demo_db');
SET search_path = demo_db, public;
SELECT count(*) FILTER (WHERE ok) AS queries_right, count(*) AS queries
FROM tpch_check(sf => 0.01);
\echo '-- query 3 with the parameters TPC-H qgen draws for seed 1130120000'
SELECT tpch_query(3, seed => 1130120000, sf => 0.01);
\echo '-- the refresh functions: set 1 in, then out'
CALL tpch_rf1(set => 1, sf => 0.01, schema => 'demo_db');
CALL tpch_rf2(set => 1, sf => 0.01, schema => 'demo_db');
RESET search_path;
