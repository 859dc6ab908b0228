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

#include <string.h>

static const char digit_pairs[201] =
"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
"8081828384858687888990919293949596979899";

static inline int
digits(uint64_t v)
{
	int			n = 1;

	while (v >= 10000)
	{
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Unsigned decimal, no padding: written back to front in pairs. */
static inline char *
put_u64(char *p, uint64_t v)
{
	int			n = digits(v);
	char	   *t = p + n;

	while (v >= 100)
	{
		t -= 2;
		memcpy(t, digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(t - 2, digit_pairs + v * 2, 2);
	else
		t[-1] = (char) ('0' + v);
	return p + n;
}

static inline char *
put_i64(char *p, int64_t v)
{
	if (v < 0)
	{
		*p++ = '-';
		return put_u64(p, 0 - (uint64_t) v);
	}
	return put_u64(p, (uint64_t) v);
}

/*
 * Copies a short string in 16-byte pieces.  Every source is padded so that
 * this may read up to 15 bytes past its end (the pool has slack, the word
 * tables fixed widths, row buffers room), and every row is formatted into at
 * least TPCH_MAX_LINE free bytes, far more than a row and the overshoot.
 */
static inline char *
put_str(char *p, tpch_str s)
{
	for (uint32_t i = 0; i < s.len; i += 16)
		memcpy(p + i, s.ptr + i, 16);
	return p + s.len;
}

static inline char *
put_money(char *p, int64_t cents)
{
	uint64_t	a;

	if (cents < 0)
		*p++ = '-';
	a = cents < 0 ? 0 - (uint64_t) cents : (uint64_t) cents;
	p = put_u64(p, a / 100);
	*p++ = '.';
	memcpy(p, digit_pairs + (a % 100) * 2, 2);
	return p + 2;
}

/* A day outside dbgen's calendar: the civil date from days since 1970. */
static void
civil_date(int32_t day, char *buf)
{
	int64_t		z = (int64_t) day + 8035 + 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int64_t		d = doy - (153 * mp + 2) / 5 + 1;
	int64_t		m = mp < 10 ? mp + 3 : mp - 9;
	int64_t		y = yoe + era * 400 + (m <= 2);

	buf[0] = (char) ('0' + (y / 1000) % 10);
	buf[1] = (char) ('0' + (y / 100) % 10);
	memcpy(buf + 2, digit_pairs + (y % 100) * 2, 2);
	buf[4] = '-';
	memcpy(buf + 5, digit_pairs + m * 2, 2);
	buf[7] = '-';
	memcpy(buf + 8, digit_pairs + d * 2, 2);
}

/* Every date of the data is in the table: that path stays inline. */
static inline char *
put_date(char *p, int32_t day)
{
	if (day >= 0 && day < TPCH_NDATES)
		memcpy(p, tpch_date_text[day], 10);
	else
		civil_date(day, p);
	return p + 10;
}

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
