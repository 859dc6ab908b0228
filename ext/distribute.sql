-- ------------------------------------------------------------------------
-- tpch_load_distributed: a TPC-H database sharded over postgres_fdw
-- servers, each node loading its own part (src/distribute.c)
-- ------------------------------------------------------------------------

-- Not STRICT: a NULL argument gets its own error and hint.  SECURITY
-- INVOKER: the caller's user mappings connect to the nodes, and the
-- coordinator's tables are created with the caller's privileges.
CREATE FUNCTION tpch_load_distributed(
	sf float8 DEFAULT 1,
	servers text[] DEFAULT NULL,
	schema text DEFAULT 'public',
	keys text DEFAULT 'primary',
	"analyze" boolean DEFAULT true,
	if_exists text DEFAULT 'error',
	OUT server text,
	OUT table_name text,
	OUT rows bigint,
	OUT seconds float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'tpch_load_distributed'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION tpch_load_distributed(float8, text[], text, text, boolean, text)
IS 'load part k of n of TPC-H on each of n postgres_fdw servers, and partition the tables over them here';
