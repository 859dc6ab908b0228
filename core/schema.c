/*
 * schema.c - the TPC-H schema as data (keys of TPC-H 3.0.1 clause 1.4.2)
 * and the DDL text written from it.
 */
#include "schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Column indexes, in the order of tpch_columns(). */
static const tpch_key primary_keys[TPCH_NTABLES] = {
	[TPCH_REGION] = {1, {0}},	/* r_regionkey */
	[TPCH_NATION] = {1, {0}},	/* n_nationkey */
	[TPCH_SUPPLIER] = {1, {0}}, /* s_suppkey */
	[TPCH_PART] = {1, {0}},		/* p_partkey */
	[TPCH_PARTSUPP] = {2, {0, 1}},	/* ps_partkey, ps_suppkey */
	[TPCH_CUSTOMER] = {1, {0}}, /* c_custkey */
	[TPCH_ORDERS] = {1, {0}},	/* o_orderkey */
	[TPCH_LINEITEM] = {2, {0, 3}},	/* l_orderkey, l_linenumber */
};

static const tpch_foreign_key nation_fkeys[] = {
	{{1, {2}}, TPCH_REGION},	/* n_regionkey */
};
static const tpch_foreign_key supplier_fkeys[] = {
	{{1, {3}}, TPCH_NATION},	/* s_nationkey */
};
static const tpch_foreign_key partsupp_fkeys[] = {
	{{1, {0}}, TPCH_PART},		/* ps_partkey */
	{{1, {1}}, TPCH_SUPPLIER},	/* ps_suppkey */
};
static const tpch_foreign_key customer_fkeys[] = {
	{{1, {3}}, TPCH_NATION},	/* c_nationkey */
};
static const tpch_foreign_key orders_fkeys[] = {
	{{1, {1}}, TPCH_CUSTOMER},	/* o_custkey */
};

/*
 * The specification makes l_partkey and l_suppkey both single keys (to part
 * and supplier) and together the compound key of partsupp.
 */
static const tpch_foreign_key lineitem_fkeys[] = {
	{{1, {0}}, TPCH_ORDERS},	/* l_orderkey */
	{{1, {1}}, TPCH_PART},		/* l_partkey */
	{{1, {2}}, TPCH_SUPPLIER},	/* l_suppkey */
	{{2, {1, 2}}, TPCH_PARTSUPP},	/* l_partkey, l_suppkey */
};

#define NKEYS(a) ((int) (sizeof(a) / sizeof((a)[0])))

const tpch_key *
tpch_primary_key(tpch_table t)
{
	if ((unsigned) t >= TPCH_NTABLES)
		return NULL;
	return &primary_keys[t];
}

const tpch_foreign_key *
tpch_foreign_keys(tpch_table t, int *n)
{
	switch (t)
	{
		case TPCH_NATION:
			*n = NKEYS(nation_fkeys);
			return nation_fkeys;
		case TPCH_SUPPLIER:
			*n = NKEYS(supplier_fkeys);
			return supplier_fkeys;
		case TPCH_PARTSUPP:
			*n = NKEYS(partsupp_fkeys);
			return partsupp_fkeys;
		case TPCH_CUSTOMER:
			*n = NKEYS(customer_fkeys);
			return customer_fkeys;
		case TPCH_ORDERS:
			*n = NKEYS(orders_fkeys);
			return orders_fkeys;
		case TPCH_LINEITEM:
			*n = NKEYS(lineitem_fkeys);
			return lineitem_fkeys;
		default:
			*n = 0;
			return NULL;
	}
}

size_t
tpch_column_sql_type(const tpch_column *c, char *buf, size_t cap)
{
	int			n = 0;

	switch (c->kind)
	{
		case TPCH_KIND_INT:
			n = snprintf(buf, cap, "integer");
			break;
		case TPCH_KIND_KEY:
			/* orderkey, partkey and custkey outgrow integer near SF 100000 */
			n = snprintf(buf, cap, "bigint");
			break;
		case TPCH_KIND_MONEY:
		case TPCH_KIND_QUANTITY:
			n = snprintf(buf, cap, "numeric(15,2)");
			break;
		case TPCH_KIND_DATE:
			n = snprintf(buf, cap, "date");
			break;
		case TPCH_KIND_CHAR:
			n = snprintf(buf, cap, "char(%d)", c->width);
			break;
		case TPCH_KIND_VARCHAR:
			n = snprintf(buf, cap, "varchar(%d)", c->width);
			break;
	}
	return n < 0 ? 0 : (size_t) n;
}

/* Appends to buf as snprintf would, keeping count of the whole length. */
typedef struct sqlbuf
{
	char	   *buf;
	size_t		cap;
	size_t		len;
} sqlbuf;

static void put(sqlbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
put(sqlbuf *b, const char *fmt, ...)
{
	va_list		ap;
	int			n;
	size_t		room = b->len < b->cap ? b->cap - b->len : 0;

	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->buf + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t) n;
}

static void
put_key_columns(sqlbuf *b, tpch_table t, const tpch_key *k, const char *sep)
{
	int			n;
	const tpch_column *cols = tpch_columns(t, &n);

	for (int i = 0; i < k->ncols; i++)
		put(b, "%s%s", i > 0 ? sep : "", cols[k->cols[i]].name);
}

static size_t
finish(sqlbuf *b)
{
	if (b->cap > 0 && b->len >= b->cap)
		b->buf[b->cap - 1] = '\0';
	return b->len;
}

size_t
tpch_sql_create_table(tpch_table t, const char *qschema, int unlogged,
					  char *buf, size_t cap)
{
	sqlbuf		b = {buf, cap, 0};
	int			n;
	const tpch_column *cols = tpch_columns(t, &n);

	if (cap > 0)
		buf[0] = '\0';
	put(&b, "CREATE %sTABLE %s.%s (", unlogged ? "UNLOGGED " : "", qschema,
		tpch_table_name(t));
	for (int i = 0; i < n; i++)
	{
		char		type[32];

		tpch_column_sql_type(&cols[i], type, sizeof(type));
		put(&b, "%s%s %s NOT NULL", i > 0 ? ", " : "", cols[i].name, type);
	}
	put(&b, ")");
	return finish(&b);
}

/* Constraint names are PostgreSQL's defaults for these keys. */
size_t
tpch_sql_primary_key(tpch_table t, const char *qschema, char *buf, size_t cap)
{
	sqlbuf		b = {buf, cap, 0};
	const char *name = tpch_table_name(t);

	if (cap > 0)
		buf[0] = '\0';
	put(&b, "ALTER TABLE %s.%s ADD CONSTRAINT %s_pkey PRIMARY KEY (", qschema,
		name, name);
	put_key_columns(&b, t, tpch_primary_key(t), ", ");
	put(&b, ")");
	return finish(&b);
}

size_t
tpch_sql_foreign_key(tpch_table t, int i, const char *qschema, char *buf,
					 size_t cap)
{
	sqlbuf		b = {buf, cap, 0};
	int			n;
	const tpch_foreign_key *fk = tpch_foreign_keys(t, &n);
	const char *name = tpch_table_name(t);

	if (cap > 0)
		buf[0] = '\0';
	if (i < 0 || i >= n)
		return 0;
	put(&b, "ALTER TABLE %s.%s ADD CONSTRAINT %s_", qschema, name, name);
	put_key_columns(&b, t, &fk[i].key, "_");
	put(&b, "_fkey FOREIGN KEY (");
	put_key_columns(&b, t, &fk[i].key, ", ");
	put(&b, ") REFERENCES %s.%s (", qschema, tpch_table_name(fk[i].ref));
	put_key_columns(&b, fk[i].ref, tpch_primary_key(fk[i].ref), ", ");
	put(&b, ")");
	return finish(&b);
}
