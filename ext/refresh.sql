-- ------------------------------------------------------------------------
-- Update sets and the refresh functions RF1/RF2 (core/update.c,
-- src/updates.c): the rows of dbgen -U, and procedures that apply them.
-- ------------------------------------------------------------------------

CREATE TYPE tpch_rf2_keys_row AS (
	o_orderkey bigint
);

-- The new orders of update set `set` (dbgen's orders.tbl.u<set>).
CREATE FUNCTION tpch_rf1_orders(sf float8, set bigint)
RETURNS SETOF tpch_orders_row
AS 'MODULE_PATHNAME', 'tpch_rf1_orders_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

-- Their lines (dbgen's lineitem.tbl.u<set>).
CREATE FUNCTION tpch_rf1_lineitem(sf float8, set bigint)
RETURNS SETOF tpch_lineitem_row
AS 'MODULE_PATHNAME', 'tpch_rf1_lineitem_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

-- The order keys RF2 deletes (dbgen's delete.<set>).
CREATE FUNCTION tpch_rf2_keys(sf float8, set bigint)
RETURNS SETOF tpch_rf2_keys_row
AS 'MODULE_PATHNAME', 'tpch_rf2_keys_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

-- Raises a clear error unless schema.orders and schema.lineitem exist with
-- the given columns; then locks both against a concurrent refresh (reads
-- go on), so the check for a set applied twice below cannot race.
CREATE FUNCTION tpch_refresh_prepare(schema name, orders_cols text[],
									 lineitem_cols text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tbl text;
	cols text[];
	rel regclass;
	col text;
BEGIN
	IF schema IS NULL THEN
		RAISE EXCEPTION 'argument "schema" must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	FOREACH tbl IN ARRAY ARRAY['orders', 'lineitem'] LOOP
		cols := CASE tbl WHEN 'orders' THEN orders_cols ELSE lineitem_cols END;
		rel := to_regclass(format('%I.%I', schema, tbl));
		IF rel IS NULL THEN
			RAISE EXCEPTION 'relation "%.%" does not exist', schema, tbl
				USING ERRCODE = 'undefined_table',
					  HINT = 'Load the TPC-H tables first (CREATE TABLE AS ... FROM tpch_'
							 || tbl || '(sf), or tpch_load), or name their schema with schema => ''...''.';
		END IF;
		FOREACH col IN ARRAY cols LOOP
			IF NOT EXISTS (SELECT FROM pg_attribute
						   WHERE attrelid = rel AND attname = col
							 AND attnum > 0 AND NOT attisdropped) THEN
				RAISE EXCEPTION 'column "%" of relation "%.%" does not exist', col, schema, tbl
					USING ERRCODE = 'undefined_column',
						  DETAIL = 'The refresh functions need the TPC-H columns of ' || tbl || ': '
								   || array_to_string(cols, ', ') || '.',
						  HINT = 'Create the table with the columns of tpch_' || tbl || '().';
			END IF;
		END LOOP;
	END LOOP;
	EXECUTE format('LOCK TABLE %I.orders, %I.lineitem IN SHARE ROW EXCLUSIVE MODE',
				   schema, schema);
END
$$;

-- RF1: inserts update set `set`'s new orders and their lines, in the
-- caller's transaction; refuses a set whose orders are there already.
CREATE PROCEDURE tpch_rf1(set bigint, sf float8 DEFAULT 1,
						  schema name DEFAULT 'public')
LANGUAGE plpgsql
AS $$
DECLARE
	ocols text[] := ARRAY['o_orderkey', 'o_custkey', 'o_orderstatus', 'o_totalprice',
						  'o_orderdate', 'o_orderpriority', 'o_clerk', 'o_shippriority',
						  'o_comment'];
	lcols text[] := ARRAY['l_orderkey', 'l_partkey', 'l_suppkey', 'l_linenumber',
						  'l_quantity', 'l_extendedprice', 'l_discount', 'l_tax',
						  'l_returnflag', 'l_linestatus', 'l_shipdate', 'l_commitdate',
						  'l_receiptdate', 'l_shipinstruct', 'l_shipmode', 'l_comment'];
	olist text;
	llist text;
	present bigint;
BEGIN
	IF set IS NULL OR sf IS NULL THEN
		RAISE EXCEPTION 'argument "%" must not be null', CASE WHEN set IS NULL THEN 'set' ELSE 'sf' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- bad sf or set: the functions' own errors, before anything is locked
	PERFORM FROM @extschema@.tpch_rf2_keys(sf, set) LIMIT 1;
	PERFORM @extschema@.tpch_refresh_prepare(schema, ocols, lcols);
	EXECUTE format('SELECT count(*) FROM %I.orders WHERE o_orderkey IN '
				   '(SELECT o_orderkey FROM @extschema@.tpch_rf1_orders($1, $2))', schema)
		INTO present USING sf, set;
	IF present > 0 THEN
		RAISE EXCEPTION 'update set % is already applied to "%.orders"', set, schema
			USING ERRCODE = 'unique_violation',
				  DETAIL = format('%s of its new orders are in the table.', present),
				  HINT = 'Apply RF2 of the same set first (CALL tpch_rf2(set => ' || set
						 || ', sf => ' || sf || ')), or apply the next set.';
	END IF;
	SELECT string_agg(quote_ident(c), ', ') INTO olist FROM unnest(ocols) c;
	SELECT string_agg(quote_ident(c), ', ') INTO llist FROM unnest(lcols) c;
	EXECUTE format('INSERT INTO %I.orders (%s) SELECT %s FROM @extschema@.tpch_rf1_orders($1, $2)',
				   schema, olist, olist) USING sf, set;
	EXECUTE format('INSERT INTO %I.lineitem (%s) SELECT %s FROM @extschema@.tpch_rf1_lineitem($1, $2)',
				   schema, llist, llist) USING sf, set;
END
$$;

-- RF2: deletes update set `set`'s old orders and their lines, in the
-- caller's transaction; refuses a set none of whose orders is left.
CREATE PROCEDURE tpch_rf2(set bigint, sf float8 DEFAULT 1,
						  schema name DEFAULT 'public')
LANGUAGE plpgsql
AS $$
DECLARE
	deleted bigint;
BEGIN
	IF set IS NULL OR sf IS NULL THEN
		RAISE EXCEPTION 'argument "%" must not be null', CASE WHEN set IS NULL THEN 'set' ELSE 'sf' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM FROM @extschema@.tpch_rf2_keys(sf, set) LIMIT 1;
	PERFORM @extschema@.tpch_refresh_prepare(schema, ARRAY['o_orderkey'], ARRAY['l_orderkey']);
	EXECUTE format('DELETE FROM %I.lineitem WHERE l_orderkey IN '
				   '(SELECT o_orderkey FROM @extschema@.tpch_rf2_keys($1, $2))', schema)
		USING sf, set;
	EXECUTE format('DELETE FROM %I.orders WHERE o_orderkey IN '
				   '(SELECT o_orderkey FROM @extschema@.tpch_rf2_keys($1, $2))', schema)
		USING sf, set;
	GET DIAGNOSTICS deleted = ROW_COUNT;
	IF deleted = 0 THEN
		RAISE EXCEPTION 'update set % is already applied to "%.orders"', set, schema
			USING ERRCODE = 'no_data_found',
				  DETAIL = 'None of the orders that RF2 of this set deletes is in the table.',
				  HINT = 'RF2 of a set deletes base orders once; apply the next set.';
	END IF;
END
$$;

-- tpch_export writes update sets too: with set => s, the tables are
-- orders_u, lineitem_u and delete, or 'all' for the three (dbgen's names).
DROP FUNCTION tpch_export(text, text, float8, text, boolean, text, integer,
	bigint, bigint, integer, boolean);
CREATE FUNCTION tpch_export(
	"table" text,
	path text,
	sf float8 DEFAULT 1,
	format text DEFAULT 'csv',
	header boolean DEFAULT false,
	compression text DEFAULT 'none',
	level integer DEFAULT 3,
	part bigint DEFAULT 1,
	parts bigint DEFAULT 1,
	workers integer DEFAULT NULL,
	overwrite boolean DEFAULT false,
	set bigint DEFAULT NULL,
	OUT file text,
	OUT rows bigint,
	OUT bytes bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'tpch_export'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION tpch_export(text, text, float8, text, boolean, text, integer,
	bigint, bigint, integer, boolean, bigint)
IS 'write TPC-H tables, or an update set''s files, to .tbl or CSV files, optionally zstd-compressed';
