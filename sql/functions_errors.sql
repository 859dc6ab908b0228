-- Bad arguments raise an error saying what is allowed: never a crash, never
-- an empty result.  Through the custom scan (constants) ...
SELECT count(*) FROM tpch_lineitem(sf => 0);
SELECT count(*) FROM tpch_lineitem(sf => -1);
SELECT count(*) FROM tpch_lineitem(sf => 'NaN');
SELECT count(*) FROM tpch_lineitem(sf => 'Infinity');
SELECT count(*) FROM tpch_lineitem(sf => '-Infinity');
SELECT count(*) FROM tpch_lineitem(sf => 100001);
SELECT count(*) FROM tpch_lineitem(sf => 2.5);
-- the value as given, not rounded to six digits
SELECT count(*) FROM tpch_lineitem(sf => 100000.5);
SELECT count(*) FROM tpch_lineitem(sf => 1.0000001);
SELECT count(*) FROM tpch_lineitem(parts => 0);
SELECT count(*) FROM tpch_lineitem(part => 0, parts => 2);
SELECT count(*) FROM tpch_lineitem(part => 3, parts => 2);
SELECT count(*) FROM tpch_region(sf => NULL);
SELECT count(*) FROM tpch_region(part => NULL);
SELECT count(*) FROM tpch_region(parts => NULL);
-- ... through the plain function ...
SELECT tpch_nation(sf => 0);
SELECT count(*) FROM generate_series(1, 2) p, LATERAL tpch_part(part => p, parts => 1);
SELECT count(*) FROM generate_series(1, 2) p, LATERAL tpch_part(sf => NULL::float8 + p);
-- ... and through Params of a generic plan.
PREPARE q(float8) AS SELECT count(*) FROM tpch_orders(sf => $1);
SET plan_cache_mode = force_generic_plan;
EXECUTE q(1.5);
EXECUTE q(NULL);
RESET plan_cache_mode;
DEALLOCATE q;
-- EXPLAIN without ANALYZE runs nothing and reports nothing
EXPLAIN (COSTS OFF) SELECT * FROM tpch_orders(sf => -1);

-- The SQLSTATEs.
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
	('SELECT * FROM tpch_supplier(sf => 0)'),
	('SELECT * FROM tpch_supplier(sf => 1.5)'),
	('SELECT * FROM tpch_supplier(parts => -1)'),
	('SELECT * FROM tpch_supplier(part => 5, parts => 4)'),
	('SELECT * FROM tpch_supplier(sf => NULL)'),
	('SELECT tpch_supplier(sf => 0)'),
	('SELECT * FROM tpch_supplier(sf => 0.001)')) v(q);
