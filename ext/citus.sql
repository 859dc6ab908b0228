-- ------------------------------------------------------------------------
-- tpch_load(distribute => 'citus'): the tables as Citus distributed
-- tables, every shard filled on its own worker (src/citus.c)
-- ------------------------------------------------------------------------

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
