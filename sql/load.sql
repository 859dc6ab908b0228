-- tpch_load: one statement creates and fills the eight tables with their
-- keys and statistics.  Crashes, standbys, wal_level and cancels are in the
-- TAP tests (test/t/030_load_*.pl).
SET datestyle = ISO;

-- A schema name that needs quoting is quoted, and created when missing.
SELECT table_name, rows, bytes > 0 AS has_pages, seconds >= 0 AS timed
FROM tpch_load(sf => 0.01, schema => 'TPC-H "load"', workers => 0);
SET search_path = 'TPC-H "load"', public;

-- Every table equals dbgen's rows at SF 0.01: the same fingerprints as
-- functions_rows, over the loaded tables.
SELECT count(*), md5(string_agg(concat_ws('|', r_regionkey, r_name::text,
		r_comment) || E'|\n', '' ORDER BY r_regionkey))
FROM region;
SELECT count(*), md5(string_agg(concat_ws('|', n_nationkey, n_name::text,
		n_regionkey, n_comment) || E'|\n', '' ORDER BY n_nationkey))
FROM nation;
SELECT count(*), md5(string_agg(concat_ws('|', s_suppkey, s_name::text,
		s_address, s_nationkey, s_phone::text, s_acctbal, s_comment) || E'|\n',
		'' ORDER BY s_suppkey))
FROM supplier;
SELECT count(*), md5(string_agg(concat_ws('|', p_partkey, p_name, p_mfgr::text,
		p_brand::text, p_type, p_size, p_container::text, p_retailprice,
		p_comment) || E'|\n', '' ORDER BY p_partkey))
FROM part;
SELECT count(*), md5(string_agg(concat_ws('|', ps_partkey, ps_suppkey,
		ps_availqty, ps_supplycost, ps_comment) || E'|\n',
		'' ORDER BY ps_partkey, ps_suppkey))
FROM partsupp;
SELECT count(*), md5(string_agg(concat_ws('|', c_custkey, c_name, c_address,
		c_nationkey, c_phone::text, c_acctbal, c_mktsegment::text, c_comment)
		|| E'|\n', '' ORDER BY c_custkey))
FROM customer;
SELECT count(*), md5(string_agg(concat_ws('|', o_orderkey, o_custkey,
		o_orderstatus::text, o_totalprice, o_orderdate, o_orderpriority::text,
		o_clerk::text, o_shippriority, o_comment) || E'|\n', '' ORDER BY o_orderkey))
FROM orders;
SELECT count(*), md5(string_agg(concat_ws('|', l_orderkey, l_partkey, l_suppkey,
		l_linenumber, l_quantity::bigint, l_extendedprice, l_discount, l_tax,
		l_returnflag::text, l_linestatus::text, l_shipdate, l_commitdate,
		l_receiptdate, l_shipinstruct::text, l_shipmode::text, l_comment)
		|| E'|\n', '' ORDER BY l_orderkey, l_linenumber))
FROM lineitem;

-- The columns and types of the tpch_*_row types, NOT NULL.
SELECT c.relname, count(*) AS columns,
	bool_and(a.attnotnull) AS not_null,
	bool_and(format_type(a.atttypid, a.atttypmod) =
			 format_type(t.atttypid, t.atttypmod)) AS row_types
FROM pg_class c
	JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
	JOIN pg_attribute t ON t.attrelid = ('public.tpch_' || c.relname || '_row')::regclass
		AND t.attname = a.attname
WHERE c.relnamespace = '"TPC-H ""load"""'::regnamespace AND c.relkind = 'r'
GROUP BY c.relname ORDER BY c.relname;

-- Primary keys (the default), valid; statistics; every page all-visible;
-- the caller owns the tables.  (Here and below, NOT NULL constraints, which
-- pg_constraint lists from PostgreSQL 18 on, are left out.)
SELECT conrelid::regclass::text AS "table", conname, pg_get_constraintdef(oid),
	convalidated
FROM pg_constraint
WHERE connamespace = '"TPC-H ""load"""'::regnamespace AND contype <> 'n'
ORDER BY 1, 2;
SELECT c.relname, c.reltuples, c.relallvisible = c.relpages AS all_visible,
	pg_get_userbyid(c.relowner) = current_user AS owned,
	(SELECT count(*) > 0 FROM pg_stats s
	 WHERE s.schemaname = 'TPC-H "load"' AND s.tablename = c.relname) AS has_stats
FROM pg_class c
WHERE c.relnamespace = '"TPC-H ""load"""'::regnamespace AND c.relkind = 'r'
ORDER BY c.relname;

-- Index-only scans need no VACUUM: the visibility map is set.  The plan's
-- figures are read from its JSON form, which prints them alike on every
-- major (18 adds decimals, buffers and index searches to the text form).
CREATE FUNCTION pg_temp.scan_of(query text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF, TIMING OFF, FORMAT JSON) ' || query
		INTO plan;
	RETURN plan->0->'Plan'->'Plans'->0;
END $$;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT s->>'Node Type' AS node, s->>'Index Name' AS index,
	round((s->>'Actual Rows')::numeric) AS rows, s->>'Heap Fetches' AS heap_fetches
FROM pg_temp.scan_of('SELECT count(*) FROM orders WHERE o_orderkey < 1000') s;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- The same rows with two workers as with none, page for page.
SELECT table_name, rows, bytes FROM tpch_load(sf => 0.01, schema => 'load_w2',
	tables => '{orders,lineitem}', workers => 2, keys => 'none', "analyze" => false);
SELECT (SELECT md5(string_agg(ctid::text || l::text, E'\n' ORDER BY ctid))
		FROM load_w2.lineitem l) =
	   (SELECT md5(string_agg(ctid::text || l::text, E'\n' ORDER BY ctid))
		FROM lineitem l) AS same_pages;
SELECT conname FROM pg_constraint
WHERE connamespace = 'load_w2'::regnamespace AND contype <> 'n';
SELECT relname, reltuples FROM pg_class
WHERE relnamespace = 'load_w2'::regnamespace ORDER BY 1;

-- Existing tables are refused before anything is created ...
SELECT * FROM tpch_load(sf => 0.01, schema => 'load_w2');
SELECT count(*) FROM pg_class WHERE relnamespace = 'load_w2'::regnamespace;
-- ... or replaced when asked.
SELECT table_name, rows FROM tpch_load(sf => 0.01, schema => 'load_w2',
	tables => '{lineitem}', if_exists => 'replace', keys => 'none');
SELECT count(*) FROM load_w2.lineitem;

-- Foreign keys, between the tables of the call, validated.
SELECT table_name, rows FROM tpch_load(sf => 0.01, schema => 'load_fk',
	keys => 'foreign', workers => 0);
SELECT conrelid::regclass::text AS "table", conname, pg_get_constraintdef(oid),
	convalidated
FROM pg_constraint
WHERE connamespace = 'load_fk'::regnamespace AND contype = 'f'
ORDER BY 1, 2;

-- Part 2 of 3: the scaled tables are split as the functions split them,
-- nation and region are whole.
SELECT table_name, rows FROM tpch_load(sf => 0.01, schema => 'load_part',
	part => 2, parts => 3);
SELECT (SELECT count(*) FROM load_part.lineitem) =
	   (SELECT count(*) FROM tpch_lineitem(sf => 0.01, part => 2, parts => 3)) AS same,
	   (SELECT min(o_orderkey) FROM load_part.orders) =
	   (SELECT min(o_orderkey) FROM tpch_orders(sf => 0.01, part => 2, parts => 3)) AS same_first;

-- sf => 0: the empty schema, with its keys.
SELECT table_name, rows, bytes FROM tpch_load(sf => 0, schema => 'load_empty');
SELECT count(*) FROM pg_constraint
WHERE connamespace = 'load_empty'::regnamespace AND contype <> 'n';

-- Unlogged tables.
SELECT table_name, rows FROM tpch_load(sf => 0.01, schema => 'load_unlogged',
	tables => '{region,nation}', unlogged => true);
SELECT relname, relpersistence FROM pg_class
WHERE relnamespace = 'load_unlogged'::regnamespace AND relkind = 'r' ORDER BY 1;

-- No load is running now.
SELECT count(*) FROM tpch_load_progress;

-- Bad arguments: an error with a SQLSTATE and a hint, before anything is
-- created.
SELECT * FROM tpch_load(sf => -1, schema => 'load_bad');
SELECT * FROM tpch_load(sf => 1.5, schema => 'load_bad');
SELECT * FROM tpch_load(part => 3, parts => 2, schema => 'load_bad');
SELECT * FROM tpch_load(tables => '{lineitem,lineitems}', schema => 'load_bad');
SELECT * FROM tpch_load(tables => '{}', schema => 'load_bad');
SELECT * FROM tpch_load(tables => '{NULL}', schema => 'load_bad');
SELECT * FROM tpch_load(keys => 'unique', schema => 'load_bad');
SELECT * FROM tpch_load(if_exists => 'append', schema => 'load_bad');
SELECT * FROM tpch_load(workers => -1, schema => 'load_bad');
SELECT * FROM tpch_load(keys => 'foreign', part => 1, parts => 2, schema => 'load_bad');
SELECT * FROM tpch_load(sf => NULL, schema => 'load_bad');
SELECT * FROM tpch_load(schema => '');
SELECT count(*) FROM pg_namespace WHERE nspname = 'load_bad';

CREATE FUNCTION pg_temp.sqlstate(query text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;
SELECT q, pg_temp.sqlstate(q) FROM (VALUES
	('SELECT * FROM tpch_load(sf => -1)'),
	('SELECT * FROM tpch_load(tables => ''{x}'')'),
	('SELECT * FROM tpch_load(keys => ''x'')'),
	('SELECT * FROM tpch_load(sf => 0.01, schema => ''load_w2'')'),
	('SELECT * FROM tpch_load(sf => NULL)')) v(q);

-- Privileges: CREATE on the schema, or on the database to create it.
CREATE ROLE load_user;
SET ROLE load_user;
SELECT * FROM tpch_load(sf => 0.01, schema => 'load_w2', tables => '{region}',
	if_exists => 'replace');
SELECT * FROM tpch_load(sf => 0.01, schema => 'load_user_schema');
RESET ROLE;
SELECT count(*) FROM pg_namespace WHERE nspname = 'load_user_schema';
CREATE SCHEMA load_priv;
GRANT CREATE, USAGE ON SCHEMA load_priv TO load_user;
SET ROLE load_user;
SELECT table_name, rows FROM tpch_load(sf => 0.01, schema => 'load_priv',
	tables => '{region}');
RESET ROLE;
SELECT relname, pg_get_userbyid(relowner) FROM pg_class
WHERE relnamespace = 'load_priv'::regnamespace ORDER BY 1;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA load_priv CASCADE;
DROP ROLE load_user;
DROP SCHEMA "TPC-H ""load""", load_w2, load_fk, load_part, load_empty,
	load_unlogged CASCADE;
