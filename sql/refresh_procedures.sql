-- RF1 and RF2 on tables made from the functions at SF 0.01, sets 1..3.
-- The expected counts and sums were computed apart from the server, with
-- awk over the CLI's files (tpchgen --sf 0.01 --updates 3, and the base
-- orders.tbl and lineitem.tbl):
--   base       orders 15000 / 2127396830.02   lineitem 60175 / 1536127 / 2152189760.47
--   set 1  +   orders 10 / 1369880.22         lineitem 37 / 976 / 1382456.34
--          -   orders 10 / 1314205.51         lineitem 38 / 957 / 1350281.34
--   set 2  +   orders 10 / 1726025.59         lineitem 44 / 1168 / 1739810.17
--          -   orders 10 / 1486609.69         lineitem 36 / 1083 / 1496229.30
--   set 3  +   orders 10 / 1428864.44         lineitem 37 / 1011 / 1451084.40
--          -   orders 10 / 1437905.79         lineitem 43 / 1056 / 1450286.32
CREATE SCHEMA rf;
CREATE TABLE rf.orders AS SELECT * FROM tpch_orders(0.01);
CREATE TABLE rf.lineitem AS SELECT * FROM tpch_lineitem(0.01);
ALTER TABLE rf.orders ADD PRIMARY KEY (o_orderkey);
ALTER TABLE rf.lineitem ADD PRIMARY KEY (l_orderkey, l_linenumber);
CREATE TABLE rf.expect (s int, step text, o_count bigint, o_total numeric,
	l_count bigint, l_qty numeric, l_price numeric);
INSERT INTO rf.expect VALUES
	(1, 'rf1', 10, 1369880.22, 37, 976, 1382456.34),
	(1, 'rf2', 10, 1314205.51, 38, 957, 1350281.34),
	(2, 'rf1', 10, 1726025.59, 44, 1168, 1739810.17),
	(2, 'rf2', 10, 1486609.69, 36, 1083, 1496229.30),
	(3, 'rf1', 10, 1428864.44, 37, 1011, 1451084.40),
	(3, 'rf2', 10, 1437905.79, 43, 1056, 1450286.32);
CREATE VIEW rf.now AS SELECT
	(SELECT count(*) FROM rf.orders) o_count,
	(SELECT sum(o_totalprice) FROM rf.orders) o_total,
	(SELECT count(*) FROM rf.lineitem) l_count,
	(SELECT sum(l_quantity) FROM rf.lineitem) l_qty,
	(SELECT sum(l_extendedprice) FROM rf.lineitem) l_price;
-- what the tables should hold after set s's step: the base plus every RF1
-- so far minus every RF2 so far
CREATE FUNCTION pg_temp.expected(upto int, last text) RETURNS rf.now
LANGUAGE sql AS $$
	SELECT 15000 + sum(sign * o_count), 2127396830.02 + sum(sign * o_total),
		60175 + sum(sign * l_count), 1536127 + sum(sign * l_qty),
		2152189760.47 + sum(sign * l_price)
	FROM (SELECT e.*, CASE step WHEN 'rf1' THEN 1 ELSE -1 END sign FROM rf.expect e) e
	WHERE s < upto OR (s = upto AND (step = 'rf1' OR last = 'rf2'))
$$;

SELECT * FROM rf.now;

-- set 1: RF1, the tables hold the base plus the new rows
CALL tpch_rf1(set => 1, sf => 0.01, schema => 'rf');
SELECT (SELECT n FROM rf.now n) = pg_temp.expected(1, 'rf1') AS rf1_set1;
-- a second RF1 of the same set is refused, and changes nothing
CALL tpch_rf1(set => 1, sf => 0.01, schema => 'rf');
SELECT (SELECT n FROM rf.now n) = pg_temp.expected(1, 'rf1') AS unchanged;
CALL tpch_rf2(set => 1, sf => 0.01, schema => 'rf');
SELECT (SELECT n FROM rf.now n) = pg_temp.expected(1, 'rf2') AS rf2_set1;
-- a second RF2 finds nothing left to delete: refused
CALL tpch_rf2(set => 1, sf => 0.01, schema => 'rf');

-- sets 2 and 3, in one transaction each the way a refresh stream runs them
BEGIN;
CALL tpch_rf1(2, 0.01, 'rf');
SELECT (SELECT n FROM rf.now n) = pg_temp.expected(2, 'rf1') AS rf1_set2;
CALL tpch_rf2(2, 0.01, 'rf');
COMMIT;
SELECT (SELECT n FROM rf.now n) = pg_temp.expected(2, 'rf2') AS rf2_set2;
CALL tpch_rf1(3, 0.01, 'rf');
CALL tpch_rf2(3, 0.01, 'rf');
SELECT (SELECT n FROM rf.now n) = pg_temp.expected(3, 'rf2') AS rf2_set3;
SELECT * FROM rf.now;

-- the deleted orders were base orders with all their lines; the inserted
-- keys fill the gaps of the base keys (sequence 1 in bits 3-4)
SELECT count(*) AS lines_of_deleted_orders FROM rf.lineitem
WHERE l_orderkey IN (SELECT o_orderkey FROM tpch_rf2_keys(0.01, 1)
	UNION ALL SELECT o_orderkey FROM tpch_rf2_keys(0.01, 2)
	UNION ALL SELECT o_orderkey FROM tpch_rf2_keys(0.01, 3));
SELECT o_orderkey & 24 AS sequence, count(*) FROM rf.orders GROUP BY 1 ORDER BY 1;

-- all or nothing: a failing lineitem insert leaves the orders untouched
SELECT min(l_orderkey) FROM tpch_rf1_lineitem(0.01, 4);
ALTER TABLE rf.lineitem ADD CONSTRAINT no_set4 CHECK (l_orderkey <> 111);
CALL tpch_rf1(4, 0.01, 'rf');
SELECT count(*) AS set4_orders FROM rf.orders
WHERE o_orderkey IN (SELECT o_orderkey FROM tpch_rf1_orders(0.01, 4));
SELECT (SELECT n FROM rf.now n) = pg_temp.expected(3, 'rf2') AS unchanged;
ALTER TABLE rf.lineitem DROP CONSTRAINT no_set4;

-- missing tables or columns are named
CALL tpch_rf1(4, 0.01, 'nosuch');
ALTER TABLE rf.orders RENAME o_comment TO comment;
CALL tpch_rf1(4, 0.01, 'rf');
-- RF2 needs only the keys
CALL tpch_rf2(4, 0.01, 'rf');
ALTER TABLE rf.orders RENAME comment TO o_comment;
-- the helper first: its temporary schema's name differs from run to run
DROP FUNCTION pg_temp.expected(int, text);
DROP TABLE rf.lineitem CASCADE;
CALL tpch_rf2(5, 0.01, 'rf');

-- bad arguments: the functions' errors
CALL tpch_rf1(0, 0.01, 'rf');
CALL tpch_rf1(1, 0.001, 'rf');
CALL tpch_rf2(NULL, 0.01, 'rf');
CALL tpch_rf2(1, 0.01, NULL);

DROP SCHEMA rf CASCADE;
