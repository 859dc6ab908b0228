-- The query kit: qgen's parameters and stream order, the 22 queries as
-- PostgreSQL text, the validation answers and a check against them.

-- form: 'spec', the specification's texts, or 'citus', equivalent texts of
-- Q13, Q17, Q18, Q20 and Q22 that Citus can plan (core/queries.c).
CREATE FUNCTION tpch_queries(stream integer DEFAULT 0, seed bigint DEFAULT NULL,
	sf double precision DEFAULT 1, form text DEFAULT 'spec')
RETURNS TABLE ("position" integer, query_nr integer, query text)
AS 'MODULE_PATHNAME', 'tpch_queries'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION tpch_query(query_nr integer, seed bigint DEFAULT NULL,
	sf double precision DEFAULT 1, form text DEFAULT 'spec')
RETURNS text
AS 'MODULE_PATHNAME', 'tpch_query'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION tpch_query_params(seed bigint, sf double precision DEFAULT 1)
RETURNS TABLE (query_nr integer, params text[])
AS 'MODULE_PATHNAME', 'tpch_query_params'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION tpch_answers(sf double precision DEFAULT 1)
RETURNS TABLE (query_nr integer, answer text)
AS 'MODULE_PATHNAME', 'tpch_answers'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Runs queries against the tables of search_path: volatile, and restricted
-- to the leader since it uses SPI.
CREATE FUNCTION tpch_check(query_nr integer DEFAULT NULL, sf double precision DEFAULT 1,
	form text DEFAULT 'spec')
RETURNS TABLE (query_nr integer, ok boolean, detail text)
AS 'MODULE_PATHNAME', 'tpch_check'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
