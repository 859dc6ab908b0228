/*
 * format.c - rows as dbgen .tbl lines or RFC 4180 CSV records.
 *
 * .tbl: every field followed by '|', the last one too, then '\n'.
 * CSV: fields separated by ',', a field quoted (with '"' doubled) only when
 * it holds ',', '"', CR or LF; no trailing delimiter; '\n' line ends.
 * Both write the same values: money as [-]units.hundredths, dates as
 * YYYY-MM-DD, integers in plain decimal.
 */
#include "internal.h"
#include "update.h"
#include "put.h"

#include <string.h>

void
tpch_format_date(int32_t day, char *buf)
{
	put_date(buf, day);
}

size_t
tpch_format_money(int64_t cents, char *buf)
{
	return (size_t) (put_money(buf, cents) - buf);
}

static inline int
csv_needs_quotes(const char *s, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == ',' || c == '"' || c == '\n' || c == '\r')
			return 1;
	}
	return 0;
}

static char *
put_csv_str(char *p, tpch_str s)
{
	if (!csv_needs_quotes(s.ptr, s.len))
		return put_str(p, s);
	*p++ = '"';
	for (uint32_t i = 0; i < s.len; i++)
	{
		if (s.ptr[i] == '"')
			*p++ = '"';
		*p++ = s.ptr[i];
	}
	*p++ = '"';
	return p;
}

/* One field's value, unquoted (CSV quoting is done by the caller). */
static inline char *
put_value(char *p, const tpch_column *c, const char *base)
{
	const void *f = base + c->offset;

	switch (c->kind)
	{
		case TPCH_KIND_INT:
		case TPCH_KIND_KEY:
		case TPCH_KIND_QUANTITY:
			return put_i64(p, *(const int64_t *) f);
		case TPCH_KIND_MONEY:
			return put_money(p, *(const int64_t *) f);
		case TPCH_KIND_DATE:
			return put_date(p, *(const int32_t *) f);
		case TPCH_KIND_CHAR:
		case TPCH_KIND_VARCHAR:
			return put_str(p, *(const tpch_str *) f);
	}
	return p;
}

/*
 * lineitem, the bulk of every export, written field by field without the
 * descriptor loop.  `sep` follows each field; CSV drops the last one.  Only
 * l_comment can hold a comma.
 */
static size_t
format_lineitem(const tpch_lineitem_row *l, tpch_format fmt, char *buf)
{
	char		sep = fmt == TPCH_FMT_TBL ? '|' : ',';
	char	   *p = buf;

	p = put_u64(p, (uint64_t) l->l_orderkey);
	*p++ = sep;
	p = put_u64(p, (uint64_t) l->l_partkey);
	*p++ = sep;
	p = put_u64(p, (uint64_t) l->l_suppkey);
	*p++ = sep;
	p = put_u64(p, (uint64_t) l->l_linenumber);
	*p++ = sep;
	p = put_u64(p, (uint64_t) l->l_quantity);
	*p++ = sep;
	p = put_money(p, l->l_extendedprice);
	*p++ = sep;
	p = put_money(p, l->l_discount);
	*p++ = sep;
	p = put_money(p, l->l_tax);
	*p++ = sep;
	*p++ = l->l_returnflag.ptr[0];
	*p++ = sep;
	*p++ = l->l_linestatus.ptr[0];
	*p++ = sep;
	p = put_date(p, l->l_shipdate);
	*p++ = sep;
	p = put_date(p, l->l_commitdate);
	*p++ = sep;
	p = put_date(p, l->l_receiptdate);
	*p++ = sep;
	p = put_str(p, l->l_shipinstruct);
	*p++ = sep;
	p = put_str(p, l->l_shipmode);
	*p++ = sep;
	if (fmt == TPCH_FMT_TBL)
	{
		p = put_str(p, l->l_comment);
		*p++ = '|';
	}
	else
		p = put_csv_str(p, l->l_comment);
	*p++ = '\n';
	return (size_t) (p - buf);
}

size_t
tpch_format_row(tpch_table t, tpch_format fmt, const tpch_row *row, char *buf)
{
	int			n;
	const tpch_column *cols;
	const char *base = (const char *) row;
	char	   *p = buf;

	if (t == TPCH_LINEITEM)
		return format_lineitem(&row->lineitem, fmt, buf);
	cols = tpch_columns(t, &n);
	if (fmt == TPCH_FMT_TBL)
	{
		for (int i = 0; i < n; i++)
		{
			p = put_value(p, &cols[i], base);
			*p++ = '|';
		}
	}
	else
	{
		for (int i = 0; i < n; i++)
		{
			if (i > 0)
				*p++ = ',';
			if (cols[i].kind == TPCH_KIND_VARCHAR || cols[i].kind == TPCH_KIND_CHAR)
				p = put_csv_str(p, *(const tpch_str *) (base + cols[i].offset));
			else
				p = put_value(p, &cols[i], base);
		}
	}
	*p++ = '\n';
	return (size_t) (p - buf);
}

size_t
tpch_format_header(tpch_table t, char *buf)
{
	int			n;
	const tpch_column *cols = tpch_columns(t, &n);
	char	   *p = buf;

	for (int i = 0; i < n; i++)
	{
		size_t		len = strlen(cols[i].name);

		if (i > 0)
			*p++ = ',';
		memcpy(p, cols[i].name, len);
		p += len;
	}
	*p++ = '\n';
	return (size_t) (p - buf);
}

/*
 * Rows are generated FORMAT_AHEAD ahead of the one being formatted: a comment
 * is a random spot in the 300 MiB pool, prefetched when its row is made, and
 * the rows in between give the cache miss time to finish before the copy.
 */
#define FORMAT_AHEAD 4

size_t
tpch_gen_format(tpch_gen *g, tpch_format fmt, char *buf, size_t cap, int64_t *nrows)
{
	tpch_row	ring[FORMAT_AHEAD];
	size_t		used = 0;
	int			head = 0;
	int			pending = 0;
	int			end = 0;
	int64_t		n = 0;

	for (;;)
	{
		/* Only rows that are sure to fit: each takes TPCH_MAX_LINE at most. */
		while (!end && pending < FORMAT_AHEAD &&
			   used + (size_t) (pending + 1) * TPCH_MAX_LINE <= cap)
		{
			if (tpch_gen_next(g, &ring[(head + pending) % FORMAT_AHEAD]) > 0)
				pending++;
			else
				end = 1;
		}
		if (pending == 0)
			break;
		if (g->keys_only)
			used += tpch_format_delete(fmt, ring[head].orders.o_orderkey, buf + used);
		else
			used += tpch_format_row(g->table, fmt, &ring[head], buf + used);
		head = (head + 1) % FORMAT_AHEAD;
		pending--;
		n++;
	}
	*nrows += n;
	return used;
}
