-- ------------------------------------------------------------------------
-- tpch_load(distribute => 'citus'): the tables as Citus distributed
-- tables, every shard filled on its own worker (src/citus.c)
-- ------------------------------------------------------------------------

-- tpch_load gains the distribute argument: a new signature, so the function
-- of ext/load.sql is replaced whole (its comment goes with it).
DROP FUNCTION tpch_load(float8, text, text[], text, boolean, text, bigint,
	bigint, integer, boolean);

CREATE FUNCTION tpch_load(
	sf float8 DEFAULT 1,
	schema text DEFAULT 'public',
	tables text[] DEFAULT NULL,
	keys text DEFAULT 'primary',
	"analyze" boolean DEFAULT true,
	if_exists text DEFAULT 'error',
	part bigint DEFAULT 1,
	parts bigint DEFAULT 1,
	workers integer DEFAULT NULL,
	unlogged boolean DEFAULT false,
	distribute text DEFAULT NULL,
	OUT table_name text,
	OUT rows bigint,
	OUT bytes bigint,
	OUT seconds float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'tpch_load'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION tpch_load(float8, text, text[], text, boolean, text, bigint,
	bigint, integer, boolean, text)
IS 'create and fill the TPC-H tables in one statement, with keys and statistics';

-- Runs on a Citus worker, sent there by tpch_load on the coordinator inside
-- the transaction that created the shard.  SECURITY INVOKER: the caller
-- needs INSERT on the shard.
CREATE FUNCTION tpch_citus_fill(
	shard text,
	table_name text,
	sf float8,
	hash_min integer,
	hash_max integer)
RETURNS bigint
AS 'MODULE_PATHNAME', 'tpch_citus_fill'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION tpch_citus_fill(text, text, float8, integer, integer)
IS 'append to a shard the rows of a TPC-H table whose key hashes into [hash_min, hash_max]';
