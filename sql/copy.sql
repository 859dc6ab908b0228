-- The COPY fast path: COPY TO of the functions and of foreign tables writes
-- the same bytes as PostgreSQL's own COPY (tpchgen.copy_fast_path = off),
-- for every table and option; what it does not handle falls through.

-- pg_regress sets DateStyle to Postgres: dates come out fast in ISO only.
SET DateStyle = ISO;
-- Files are written by the export's engine: serially and with pwrite()
-- here, so that no DEBUG line of workers or io_uring shows (TAP 070 writes
-- with both).
SET max_parallel_workers_per_gather = 0;
SET tpchgen.io_method = sync;

-- Build the text pool first: its DEBUG message (with a duration) stays out
-- of the output below.
SELECT count(*) FROM tpch_region() WHERE r_comment <> '';

-- Runs one COPY TO a file with the fast path on and off, and compares the
-- files.  The fast path announces itself at DEBUG1.
CREATE FUNCTION copy_same(source text, options text DEFAULT '')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	f text := current_setting('data_directory') || '/tpchgen_regress_copy_';
	fast bytea;
	slow bytea;
BEGIN
	PERFORM set_config('client_min_messages', 'debug1', true);
	PERFORM set_config('tpchgen.copy_fast_path', 'on', true);
	EXECUTE format('COPY %s TO %L %s', source, f || 'fast', options);
	PERFORM set_config('client_min_messages', 'notice', true);
	PERFORM set_config('tpchgen.copy_fast_path', 'off', true);
	EXECUTE format('COPY %s TO %L %s', source, f || 'slow', options);
	fast := pg_read_binary_file(f || 'fast');
	slow := pg_read_binary_file(f || 'slow');
	RETURN CASE WHEN fast = slow THEN 'same ' || length(fast) || ' bytes'
		ELSE 'DIFFERENT: ' || length(fast) || ' against ' || length(slow) END;
END
$$;

-- Every table with every format and set of options, one statement each so
-- that each result follows its DEBUG line; every column kind meets every
-- option.
SELECT format('SELECT %L AS source, %L AS options, copy_same(%L, %L)',
			  t, o, format('(SELECT * FROM tpch_%s(sf => 0.01))', t), o)
FROM unnest(ARRAY['region', 'nation', 'supplier', 'part', 'partsupp',
				  'customer', 'orders', 'lineitem']) t,
	 unnest(ARRAY['', '(FORMAT csv)', '(FORMAT binary)',
		'(HEADER, DELIMITER ''-'', NULL ''x'')',
		'(DELIMITER '' '')',
		'(DELIMITER ''|'', NULL ''0'')',
		'(FORMAT csv, HEADER, DELIMITER ''|'', QUOTE '''''''', ESCAPE ''\'', FORCE_QUOTE *)',
		'(FORMAT csv, DELIMITER '' '', NULL ''0'')',
		'(FORMAT csv, DELIMITER ''1'', QUOTE ''-'')',
		'(FORMAT csv, DELIMITER '';'', QUOTE ''.'', ESCAPE ''0'')',
		'(FORMAT csv, NULL ''F'', QUOTE ''e'', ESCAPE ''a'')',
		-- upper-case letters special (the flags' and word lists' values), a
		-- NULL string equal to a flag
		'(DELIMITER ''O'')',
		'(FORMAT csv, QUOTE ''A'')',
		'(FORMAT csv, NULL ''N'')']) o
ORDER BY t, o \gexec

-- columns: subsets, orders, repeats, FORCE_QUOTE by name
SELECT copy_same('(SELECT l_comment, l_orderkey, l_shipdate FROM tpch_lineitem(sf => 0.01))',
				 '(FORMAT csv, HEADER, FORCE_QUOTE (l_orderkey))');
SELECT copy_same('(SELECT o_orderkey, o_comment, o_orderkey FROM tpch_orders(sf => 0.01))',
				 '(FORMAT csv, FORCE_QUOTE (o_orderkey))');
SELECT copy_same('(SELECT ps_supplycost FROM tpch_partsupp(sf => 0.01))', '(FORMAT binary)');
SELECT copy_same('(SELECT c_acctbal, c_mktsegment, c_phone FROM tpch_customer(sf => 0.01))');
SELECT copy_same('(SELECT s_acctbal FROM tpch_supplier(sf => 0.01))', '(FORMAT csv, NULL ''-998.13'')');
-- parts of a table
SELECT copy_same('(SELECT * FROM tpch_lineitem(sf => 0.01, part => 3, parts => 7))');
SELECT copy_same('(SELECT * FROM tpch_nation(sf => 0.01, part => 2, parts => 3))', '(FORMAT binary)');
-- positional arguments and defaults
SELECT copy_same('(SELECT * FROM tpch_supplier(0.01))');

-- falls through: no DEBUG line, the same bytes
SELECT copy_same('(SELECT * FROM tpch_orders(sf => 0.01) WHERE o_orderkey < 100)');
SELECT copy_same('(SELECT o_orderkey + 1 FROM tpch_orders(sf => 0.01))');
SELECT copy_same('(SELECT o_comment::text FROM tpch_orders(sf => 0.01))');
SELECT copy_same('(SELECT * FROM tpch_nation(sf => 0.01) ORDER BY n_name)');
SELECT copy_same('(SELECT * FROM tpch_region(sf => 0.01) LIMIT 2)');
SELECT copy_same('(SELECT * FROM tpch_region(sf => 0.01) WITH ORDINALITY)');
SELECT copy_same('(SELECT * FROM tpch_region(sf => 0.01), tpch_nation(sf => 0.01) WHERE n_regionkey = r_regionkey)');
SELECT copy_same('(SELECT * FROM tpch_region(sf => 0.01))', '(ENCODING ''SQL_ASCII'')');
SELECT copy_same('(SELECT * FROM tpch_region(sf => 0.01))', '(ENCODING ''LATIN1'')');
SET DateStyle = 'SQL, DMY';
SELECT copy_same('(SELECT o_orderdate FROM tpch_orders(sf => 0.01))');
SELECT copy_same('(SELECT o_orderdate FROM tpch_orders(sf => 0.01))', '(FORMAT binary)');
SET DateStyle = ISO;

-- to the client: one CopyData message per row, as COPY sends them
SET client_min_messages = debug1;
COPY (SELECT * FROM tpch_region()) TO STDOUT;
COPY (SELECT r_name, r_regionkey FROM tpch_region()) TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE *);
RESET client_min_messages;
SET tpchgen.copy_fast_path = off;
COPY (SELECT * FROM tpch_region()) TO STDOUT;
COPY (SELECT r_name, r_regionkey FROM tpch_region()) TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE *);
RESET tpchgen.copy_fast_path;

-- foreign tables: COPY <table> TO is accepted for ours
CREATE SERVER copy_srv FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
CREATE SCHEMA copy_ft;
IMPORT FOREIGN SCHEMA tpch FROM SERVER copy_srv INTO copy_ft;
SELECT format('SELECT %L AS source, %L AS options, copy_same(%L, %L)',
			  t, o, 'copy_ft.' || t, o)
FROM unnest(ARRAY['region', 'nation', 'supplier', 'part', 'partsupp',
				  'customer', 'orders', 'lineitem']) t,
	 unnest(ARRAY['', '(FORMAT csv, HEADER)', '(FORMAT binary)']) o
ORDER BY t, o \gexec
SELECT copy_same('copy_ft.orders (o_comment, o_orderkey)', '(FORMAT csv, FORCE_QUOTE (o_orderkey))');
SELECT copy_same('(SELECT o_totalprice FROM copy_ft.orders)');
-- a hand-written table: columns in another order, one of another type
CREATE FOREIGN TABLE copy_ft.lineitem_p2 (l_comment varchar(44), l_orderkey bigint)
	SERVER copy_srv OPTIONS (table 'lineitem', part '2', parts '3');
CREATE FOREIGN TABLE copy_ft.orders_text (o_orderkey bigint, o_comment text)
	SERVER copy_srv OPTIONS (table 'orders');
-- (planned once first, so that the catalog cache grows before DEBUG shows)
SELECT FROM copy_ft.lineitem_p2, copy_ft.orders_text LIMIT 0;
SELECT copy_same('copy_ft.lineitem_p2');
SELECT copy_same('copy_ft.orders_text');
-- key conditions fall through
SELECT copy_same('(SELECT * FROM copy_ft.orders WHERE o_orderkey BETWEEN 10 AND 100)');
-- errors as COPY's
COPY copy_ft.orders (o_comment, o_comment) TO STDOUT;
COPY copy_ft.orders (o_nothing) TO STDOUT;
-- privileges as COPY's
CREATE ROLE regress_tpch_copy;
SET ROLE regress_tpch_copy;
COPY (SELECT * FROM tpch_region()) TO '/dev/null';
COPY copy_ft.region TO STDOUT;
RESET ROLE;
GRANT SELECT (r_name) ON copy_ft.region TO regress_tpch_copy;
GRANT USAGE ON SCHEMA copy_ft TO regress_tpch_copy;
SET ROLE regress_tpch_copy;
COPY copy_ft.region TO STDOUT;
COPY copy_ft.region (r_name) TO STDOUT;
RESET ROLE;
-- a relative path is refused by COPY itself
COPY (SELECT * FROM tpch_region()) TO 'region.txt';

-- leave two empty files behind in the data directory
SELECT copy_same('(SELECT * FROM tpch_region() LIMIT 0)');

DROP SCHEMA copy_ft CASCADE;
DROP SERVER copy_srv;
DROP ROLE regress_tpch_copy;
DROP FUNCTION copy_same(text, text);
