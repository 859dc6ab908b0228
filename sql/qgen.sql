-- qgen's parameters, the stream order and the query texts (core/qgen.c,
-- core/queries.c), and the stored answers.

-- qgen -s 1 -r 0101000000 -l: the official subparam_1
SELECT query_nr, array_to_string(params, E'\t') FROM tpch_query_params(0101000000);
-- qgen -d: the validation values; query 11 logs its fraction as 0.0001
SELECT * FROM tpch_query_params(NULL, 100) WHERE query_nr IN (6, 11, 16, 18);
-- only query 11 depends on the scale factor
SELECT a.query_nr, a.params, b.params FROM tpch_query_params(101000000, 0.01) a
	JOIN tpch_query_params(101000000, 100000) b USING (query_nr)
WHERE a.params IS DISTINCT FROM b.params;

-- the power test's order, stream 1 with the facts' seed, and the wrap-around
SELECT array_agg(query_nr ORDER BY position) FROM tpch_queries();
SELECT position, query_nr, split_part(query, E'\n', 1) AS first_line
FROM tpch_queries(1, 1130114800) WHERE position <= 3;
SELECT count(*) FROM tpch_queries(41) a JOIN tpch_queries(0) b USING (position)
WHERE a.query_nr = b.query_nr AND a.query = b.query;
-- every stream is a permutation of 1..22
SELECT count(*) FROM generate_series(0, 40) s,
	LATERAL (SELECT array_agg(query_nr ORDER BY query_nr) AS qs FROM tpch_queries(s)) x
WHERE qs = (SELECT array_agg(g) FROM generate_series(1, 22) g);
SELECT bool_and(query = tpch_query(query_nr, 42, 10)) FROM tpch_queries(5, 42, 10);

-- texts: the validation Q6 and Q15 (a CTE, one statement), Q11 at SF 0.01
SELECT tpch_query(6);
SELECT tpch_query(15);
SELECT tpch_query(11, 101000000, 0.01);

-- forms: the Citus form has texts of its own for five queries, the spec's
-- for the rest, in every function that gives texts
SELECT query_nr FROM tpch_queries(form => 'citus') c JOIN tpch_queries() s USING (position, query_nr)
WHERE c.query <> s.query ORDER BY query_nr;
SELECT bool_and(query = tpch_query(query_nr, 42, 10, 'citus')) FROM tpch_queries(5, 42, 10, 'citus');
SELECT tpch_query(18, form => 'citus');
SELECT tpch_query(6, form => 'spec') = tpch_query(6);

-- bad input
SELECT tpch_query(1, form => 'Citus');
SELECT tpch_query(1, form => NULL);
SELECT * FROM tpch_queries(form => 'greenplum');
SELECT * FROM tpch_check(1, 0.01, 'dbgen');
SELECT tpch_query(0);
SELECT tpch_query(23);
SELECT tpch_query(NULL);
SELECT * FROM tpch_queries(-1);
SELECT * FROM tpch_queries(NULL);
SELECT * FROM tpch_query_params(-1);
SELECT tpch_query(1, 0);
SELECT tpch_query(1, 4294967294);
SELECT tpch_query(1, 548781717162990);
SELECT tpch_query(1, NULL, 0);
SELECT tpch_query(1, NULL, 1.5);
SELECT * FROM tpch_query_params(1, NULL);
SELECT * FROM tpch_answers(0.5);
SELECT * FROM tpch_check(23);

-- the answers: SF 1 is the official answer set
SELECT sf, count(*), sum(length(answer)), sum(array_length(string_to_array(rtrim(answer, E'\n'), E'\n'), 1))
FROM unnest(ARRAY[0.01, 0.1, 1]) sf, LATERAL tpch_answers(sf) GROUP BY sf ORDER BY sf;
SELECT answer FROM tpch_answers() WHERE query_nr IN (1, 6, 8);
SELECT query_nr, answer FROM tpch_answers(0.01) WHERE query_nr IN (17, 18, 20);

-- the functions come with ALTER EXTENSION UPDATE as with CREATE EXTENSION
-- (in a database of its own, so this one's extension stays as it is)
\set regress_db :DBNAME
CREATE DATABASE qgen_upgrade;
\c qgen_upgrade
CREATE EXTENSION tpchgen VERSION '0.1.0';
SELECT count(*) FROM pg_proc WHERE proname IN ('tpch_queries', 'tpch_check');
ALTER EXTENSION tpchgen UPDATE;
SELECT proname, pg_get_function_arguments(oid) FROM pg_proc
WHERE proname IN ('tpch_queries', 'tpch_query', 'tpch_query_params', 'tpch_answers', 'tpch_check')
ORDER BY proname;
SELECT query_nr FROM tpch_queries(7) WHERE position = 1;
\c :regress_db
DROP DATABASE qgen_upgrade;
