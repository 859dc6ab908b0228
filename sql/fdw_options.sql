-- The tpchgen foreign data wrapper: objects, options and their validation.
-- Bad options fail at CREATE/ALTER time with the functions' errors; what
-- one statement cannot see (a table's part against its server's parts, the
-- columns) fails when a query plans the table.
SELECT fdwname, fdwhandler::regproc, fdwvalidator::regproc
FROM pg_foreign_data_wrapper WHERE fdwname = 'tpchgen';

-- Server options: sf, part, parts; nothing else, with a hint.
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (scale_factor '1');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sff '1');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (prts '4');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (table 'lineitem');
-- the functions' errors for bad values
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '-1');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf 'NaN');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf 'Infinity');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '100001');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '2.5');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf 'ten');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (parts '0');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (parts 'two');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (part '0');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (part '3', parts '2');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '1', sf '2');
-- the wrapper and user mappings take no options
ALTER FOREIGN DATA WRAPPER tpchgen OPTIONS (ADD sf '1');
CREATE SERVER fdw_opt FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
CREATE USER MAPPING FOR CURRENT_USER SERVER fdw_opt OPTIONS (sf '1');
-- ALTER SERVER is validated too
ALTER SERVER fdw_opt OPTIONS (ADD parts '0');
ALTER SERVER fdw_opt OPTIONS (SET sf '0');
ALTER SERVER fdw_opt OPTIONS (ADD scale '1');

-- Table options: table (required), and sf, part, parts over the server's.
CREATE FOREIGN TABLE t_none (r_regionkey bigint) SERVER fdw_opt;
CREATE FOREIGN TABLE t_bad (r_regionkey bigint) SERVER fdw_opt
	OPTIONS (table 'regions');
CREATE FOREIGN TABLE t_bad (r_regionkey bigint) SERVER fdw_opt
	OPTIONS (table 'warehouse');
CREATE FOREIGN TABLE t_bad (r_regionkey bigint) SERVER fdw_opt
	OPTIONS (table 'region', tabel 'region');
CREATE FOREIGN TABLE t_bad (r_regionkey bigint) SERVER fdw_opt
	OPTIONS (table 'region', sf '3.5');
CREATE FOREIGN TABLE t_bad (r_regionkey bigint) SERVER fdw_opt
	OPTIONS (table 'region', part '0');
CREATE FOREIGN TABLE t_bad (r_regionkey bigint) SERVER fdw_opt
	OPTIONS (table 'region', part '5', parts '4');
CREATE FOREIGN TABLE t_bad (r_regionkey bigint OPTIONS (name 'x')) SERVER fdw_opt
	OPTIONS (table 'region');
CREATE FOREIGN TABLE cust (c_custkey bigint, c_name varchar(25)) SERVER fdw_opt
	OPTIONS (table 'customer');
ALTER FOREIGN TABLE cust OPTIONS (DROP table);
ALTER FOREIGN TABLE cust OPTIONS (SET table 'customers');
SELECT count(*) FROM cust;

-- Table options override the server's; ALTER takes effect on the next query,
-- also for a prepared statement (the plan is invalidated).
PREPARE cust_count AS SELECT count(*), max(c_custkey) FROM cust;
EXECUTE cust_count;
ALTER SERVER fdw_opt OPTIONS (SET sf '0.1');
EXECUTE cust_count;
ALTER FOREIGN TABLE cust OPTIONS (ADD sf '0.02');
EXECUTE cust_count;
ALTER SERVER fdw_opt OPTIONS (ADD parts '3');
EXECUTE cust_count;
ALTER FOREIGN TABLE cust OPTIONS (ADD part '3');
EXECUTE cust_count;
ALTER FOREIGN TABLE cust OPTIONS (DROP sf, DROP part);
EXECUTE cust_count;
ALTER SERVER fdw_opt OPTIONS (DROP parts, SET sf '0.01');
EXECUTE cust_count;
DEALLOCATE cust_count;

-- A table's part against its server's parts: checked when planned.
ALTER FOREIGN TABLE cust OPTIONS (ADD part '2');
SELECT count(*) FROM cust;
ALTER SERVER fdw_opt OPTIONS (ADD parts '2');
SELECT count(*), min(c_custkey), max(c_custkey) FROM cust;
ALTER SERVER fdw_opt OPTIONS (DROP parts);
ALTER FOREIGN TABLE cust OPTIONS (DROP part);

-- Columns: any subset, in any order, matched by name; types that hold the
-- values (the usual ones directly, others through their input function).
CREATE FOREIGN TABLE li (
	l_comment text,
	l_shipdate timestamp,
	l_linenumber bigint,
	l_orderkey integer,
	l_extendedprice float8,
	l_quantity integer,
	l_returnflag varchar,
	l_discount numeric
) SERVER fdw_opt OPTIONS (table 'lineitem');
SELECT * FROM li LIMIT 3;
-- dropped columns are skipped; added ones are checked
ALTER FOREIGN TABLE li DROP COLUMN l_comment;
ALTER FOREIGN TABLE li ADD COLUMN l_shipmode char(10);
SELECT * FROM li WHERE l_orderkey = 3 AND l_linenumber = 2;
ALTER FOREIGN TABLE li ADD COLUMN l_ordrkey bigint;
SELECT count(*) FROM li;
ALTER FOREIGN TABLE li DROP COLUMN l_ordrkey;
ALTER FOREIGN TABLE li ADD COLUMN l_price numeric;
SELECT count(*) FROM li;
ALTER FOREIGN TABLE li DROP COLUMN l_price;
-- types that cannot hold the values
ALTER FOREIGN TABLE li ALTER COLUMN l_shipdate TYPE integer;
SELECT count(*) FROM li;
ALTER FOREIGN TABLE li ALTER COLUMN l_shipdate TYPE date;
ALTER FOREIGN TABLE li ALTER COLUMN l_discount TYPE integer;
SELECT count(*) FROM li;
ALTER FOREIGN TABLE li ALTER COLUMN l_discount TYPE numeric(15,2);
ALTER FOREIGN TABLE li ALTER COLUMN l_shipmode TYPE char(4);
SELECT count(*) FROM li;
ALTER FOREIGN TABLE li ALTER COLUMN l_shipmode TYPE date;
SELECT count(*) FROM li;
ALTER FOREIGN TABLE li ALTER COLUMN l_shipmode TYPE char(10);
-- a table with no column at all still counts rows
CREATE FOREIGN TABLE li0 () SERVER fdw_opt OPTIONS (table 'lineitem');
SELECT count(*) FROM li0;
-- ANALYZE checks the columns too
ALTER FOREIGN TABLE li0 ADD COLUMN foo integer;
ANALYZE li0;
DROP FOREIGN TABLE li0;

-- IMPORT FOREIGN SCHEMA: the eight tables, with the SQL functions' columns.
CREATE SCHEMA fdw_import;
IMPORT FOREIGN SCHEMA public FROM SERVER fdw_opt INTO fdw_import;
IMPORT FOREIGN SCHEMA tpch FROM SERVER fdw_opt INTO fdw_import OPTIONS (sf '1');
IMPORT FOREIGN SCHEMA tpch LIMIT TO (lineitems) FROM SERVER fdw_opt INTO fdw_import;
IMPORT FOREIGN SCHEMA tpch LIMIT TO (nation, region) FROM SERVER fdw_opt INTO fdw_import;
SELECT relname FROM pg_class WHERE relnamespace = 'fdw_import'::regnamespace ORDER BY 1;
IMPORT FOREIGN SCHEMA tpch EXCEPT (nation, region) FROM SERVER fdw_opt INTO fdw_import;
SELECT c.relname, s.srvname, c2.ftoptions
FROM pg_class c JOIN pg_foreign_table c2 ON c2.ftrelid = c.oid
	JOIN pg_foreign_server s ON s.oid = c2.ftserver
WHERE c.relnamespace = 'fdw_import'::regnamespace ORDER BY 1;
\d fdw_import.lineitem
-- the same names, types and order as the functions' row types
SELECT t.relname, count(*) AS columns,
	count(*) FILTER (WHERE fa.attname = ta.attname AND
		format_type(fa.atttypid, fa.atttypmod) = format_type(ta.atttypid, ta.atttypmod))
		AS matching
FROM pg_class t
	JOIN pg_attribute fa ON fa.attrelid = t.oid AND fa.attnum > 0
	JOIN pg_attribute ta ON ta.attrelid = format('tpch_%s_row', t.relname)::regclass
		AND ta.attnum = fa.attnum
WHERE t.relnamespace = 'fdw_import'::regnamespace
GROUP BY t.relname ORDER BY t.relname;
-- the tables take sf from the server
SELECT count(*) FROM fdw_import.supplier;
ALTER SERVER fdw_opt OPTIONS (SET sf '1');
SELECT count(*) FROM fdw_import.supplier;

-- Not writable.
INSERT INTO fdw_import.region VALUES (5, 'ATLANTIS', 'sunk');
DELETE FROM fdw_import.region;

-- The SQLSTATEs.
\set VERBOSITY sqlstate
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (scale '1');
CREATE SERVER bad FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0');
CREATE FOREIGN TABLE t_bad (x int) SERVER fdw_opt OPTIONS (table 'nope');
CREATE FOREIGN TABLE t_bad (x int) SERVER fdw_opt;
ALTER FOREIGN TABLE li ADD COLUMN x int;
SELECT count(*) FROM li;
ALTER FOREIGN TABLE li DROP COLUMN x;
ALTER FOREIGN TABLE li ALTER COLUMN l_shipdate TYPE integer;
SELECT count(*) FROM li;
IMPORT FOREIGN SCHEMA public FROM SERVER fdw_opt INTO fdw_import;
IMPORT FOREIGN SCHEMA tpch LIMIT TO (x) FROM SERVER fdw_opt INTO fdw_import;
\set VERBOSITY default

SET client_min_messages = warning;
DROP SCHEMA fdw_import CASCADE;
DROP SERVER fdw_opt CASCADE;
RESET client_min_messages;
