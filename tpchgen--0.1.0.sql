/* tpchgen--0.1.0.sql - install script */

\echo Use "CREATE EXTENSION tpchgen" to load this file. \quit

-- ------------------------------------------------------------------------
-- SQL functions: one set-returning function per table (src/functions.c)
-- ------------------------------------------------------------------------

-- The row types carry the TPC-H column types.  A function's own result
-- columns would lose their type modifiers (numeric(15,2) would become
-- numeric, char(25) bpchar), so CREATE TABLE AS would not give the tables
-- of the specification; composite types keep them.
CREATE TYPE tpch_region_row AS (
	r_regionkey bigint,
	r_name char(25),
	r_comment varchar(152)
);

CREATE TYPE tpch_nation_row AS (
	n_nationkey bigint,
	n_name char(25),
	n_regionkey bigint,
	n_comment varchar(152)
);

CREATE TYPE tpch_supplier_row AS (
	s_suppkey bigint,
	s_name char(25),
	s_address varchar(40),
	s_nationkey bigint,
	s_phone char(15),
	s_acctbal numeric(15,2),
	s_comment varchar(101)
);

CREATE TYPE tpch_part_row AS (
	p_partkey bigint,
	p_name varchar(55),
	p_mfgr char(25),
	p_brand char(10),
	p_type varchar(25),
	p_size integer,
	p_container char(10),
	p_retailprice numeric(15,2),
	p_comment varchar(23)
);

CREATE TYPE tpch_partsupp_row AS (
	ps_partkey bigint,
	ps_suppkey bigint,
	ps_availqty integer,
	ps_supplycost numeric(15,2),
	ps_comment varchar(199)
);

CREATE TYPE tpch_customer_row AS (
	c_custkey bigint,
	c_name varchar(25),
	c_address varchar(40),
	c_nationkey bigint,
	c_phone char(15),
	c_acctbal numeric(15,2),
	c_mktsegment char(10),
	c_comment varchar(117)
);

CREATE TYPE tpch_orders_row AS (
	o_orderkey bigint,
	o_custkey bigint,
	o_orderstatus char(1),
	o_totalprice numeric(15,2),
	o_orderdate date,
	o_orderpriority char(15),
	o_clerk char(15),
	o_shippriority integer,
	o_comment varchar(79)
);

CREATE TYPE tpch_lineitem_row AS (
	l_orderkey bigint,
	l_partkey bigint,
	l_suppkey bigint,
	l_linenumber integer,
	l_quantity numeric(15,2),
	l_extendedprice numeric(15,2),
	l_discount numeric(15,2),
	l_tax numeric(15,2),
	l_returnflag char(1),
	l_linestatus char(1),
	l_shipdate date,
	l_commitdate date,
	l_receiptdate date,
	l_shipinstruct char(25),
	l_shipmode char(10),
	l_comment varchar(44)
);

-- Planner support: exact row counts for constant arguments.
CREATE FUNCTION tpch_rows_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'tpch_rows_support'
LANGUAGE C STRICT;

-- Not STRICT: a NULL argument is an error, not an empty table.
CREATE FUNCTION tpch_region(sf float8 DEFAULT 1, part bigint DEFAULT 1,
							parts bigint DEFAULT 1)
RETURNS SETOF tpch_region_row
AS 'MODULE_PATHNAME', 'tpch_region_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

CREATE FUNCTION tpch_nation(sf float8 DEFAULT 1, part bigint DEFAULT 1,
							parts bigint DEFAULT 1)
RETURNS SETOF tpch_nation_row
AS 'MODULE_PATHNAME', 'tpch_nation_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

CREATE FUNCTION tpch_supplier(sf float8 DEFAULT 1, part bigint DEFAULT 1,
							  parts bigint DEFAULT 1)
RETURNS SETOF tpch_supplier_row
AS 'MODULE_PATHNAME', 'tpch_supplier_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

CREATE FUNCTION tpch_part(sf float8 DEFAULT 1, part bigint DEFAULT 1,
						  parts bigint DEFAULT 1)
RETURNS SETOF tpch_part_row
AS 'MODULE_PATHNAME', 'tpch_part_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

CREATE FUNCTION tpch_partsupp(sf float8 DEFAULT 1, part bigint DEFAULT 1,
							  parts bigint DEFAULT 1)
RETURNS SETOF tpch_partsupp_row
AS 'MODULE_PATHNAME', 'tpch_partsupp_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

CREATE FUNCTION tpch_customer(sf float8 DEFAULT 1, part bigint DEFAULT 1,
							  parts bigint DEFAULT 1)
RETURNS SETOF tpch_customer_row
AS 'MODULE_PATHNAME', 'tpch_customer_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

CREATE FUNCTION tpch_orders(sf float8 DEFAULT 1, part bigint DEFAULT 1,
							parts bigint DEFAULT 1)
RETURNS SETOF tpch_orders_row
AS 'MODULE_PATHNAME', 'tpch_orders_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

CREATE FUNCTION tpch_lineitem(sf float8 DEFAULT 1, part bigint DEFAULT 1,
							  parts bigint DEFAULT 1)
RETURNS SETOF tpch_lineitem_row
AS 'MODULE_PATHNAME', 'tpch_lineitem_srf'
LANGUAGE C IMMUTABLE PARALLEL SAFE SUPPORT tpch_rows_support;

-- ------------------------------------------------------------------------
-- Export: tables straight to .tbl or CSV files (src/export.c)
-- ------------------------------------------------------------------------

-- Not STRICT: workers => NULL means "follow max_parallel_workers_per_gather".
-- Callable by PUBLIC: like COPY TO a file, the function itself lets only
-- superusers and roles with pg_write_server_files privileges write.
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
	OUT file text,
	OUT rows bigint,
	OUT bytes bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'tpch_export'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION tpch_export(text, text, float8, text, boolean, text, integer,
	bigint, bigint, integer, boolean)
IS 'write TPC-H tables to .tbl or CSV files, optionally zstd-compressed';

-- ------------------------------------------------------------------------
-- Foreign data wrapper: foreign tables over generated data (src/fdw.c)
-- ------------------------------------------------------------------------

CREATE FUNCTION tpchgen_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION tpchgen_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER tpchgen
	HANDLER tpchgen_fdw_handler
	VALIDATOR tpchgen_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER tpchgen
IS 'TPC-H tables generated on the fly; IMPORT FOREIGN SCHEMA tpch creates all eight';
