/*
 * schema.h - the TPC-H schema as data: each table's SQL column types,
 * primary key and foreign keys, and the DDL text that creates them.
 *
 * Every front end that creates the tables (tpch_load in the extension, a
 * client loading over libpq) takes its DDL from here, so that they all
 * build the same tables: the column names and order of tpch_columns(), the
 * types of the tpch_*_row composite types, the keys of the specification
 * (TPC-H 3.0.1, clause 1.4.2).
 */
#ifndef TPCH_SCHEMA_H
#define TPCH_SCHEMA_H

#include "tpch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many columns in a key (partsupp's and lineitem's: two). */
#define TPCH_KEY_MAX_COLS 2

typedef struct tpch_key
{
	int			ncols;
	int			cols[TPCH_KEY_MAX_COLS];	/* column indexes in tpch_columns() */
} tpch_key;

typedef struct tpch_foreign_key
{
	tpch_key	key;			/* the referencing columns */
	tpch_table	ref;			/* the referenced table, by its primary key */
} tpch_foreign_key;

/* The column's SQL type ("bigint", "numeric(15,2)", "char(25)", ...). */
size_t		tpch_column_sql_type(const tpch_column *c, char *buf, size_t cap);

/* The table's primary key. */
const tpch_key *tpch_primary_key(tpch_table t);

/* The table's foreign keys; *n receives their count. */
const tpch_foreign_key *tpch_foreign_keys(tpch_table t, int *n);

/*
 * DDL text, one statement each, without a trailing semicolon.  `qschema` is
 * the schema name already quoted as an identifier where it needs quoting
 * (the caller's SQL dialect decides how); table, column and constraint names
 * need none.  Each writes at most cap - 1 bytes and a NUL, and returns the
 * length of the whole text, as snprintf does: a result >= cap means the
 * buffer was too small.
 */
size_t		tpch_sql_create_table(tpch_table t, const char *qschema, int unlogged,
								  char *buf, size_t cap);
size_t		tpch_sql_primary_key(tpch_table t, const char *qschema, char *buf,
								 size_t cap);
size_t		tpch_sql_foreign_key(tpch_table t, int i, const char *qschema,
								 char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_SCHEMA_H */
