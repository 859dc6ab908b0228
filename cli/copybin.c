/*
 * copybin.c - rows in PostgreSQL's binary COPY format.
 *
 * Each value goes in the representation of the column's type's binary input
 * function, so the server parses nothing: bigint and integer in network
 * order, date as days since 2000-01-01, numeric(15,2) as base-10000 digits,
 * text as its bytes (char(n) is padded by the server, as for text input).
 *
 * This runs once for every field the client sends (about 100 million at
 * SF 1), so it avoids calls: fixed-size stores the compiler turns into single
 * byte-swapped moves, short strings copied inline (a libc memcpy call costs
 * more than the dozen bytes it copies), numeric digits without a loop for
 * the values TPC-H has.
 */
#include "client.h"

#include <string.h>

static inline char *
put16(char *p, uint16_t v)
{
	v = __builtin_bswap16(v);
	memcpy(p, &v, 2);
	return p + 2;
}

static inline char *
put32(char *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static inline char *
put64(char *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
	return p + 8;
}

/*
 * A length word and the bytes of s.  Copies in 8-byte words, the last one
 * overlapping the one before, and never reads past s + n.
 */
static inline char *
put_text(char *p, const char *s, uint32_t n)
{
	uint64_t	w;
	uint32_t	h;

	p = put32(p, n);
	if (n >= 8)
	{
		for (uint32_t i = 0; i + 8 < n; i += 8)
		{
			memcpy(&w, s + i, 8);
			memcpy(p + i, &w, 8);
		}
		memcpy(&w, s + n - 8, 8);
		memcpy(p + n - 8, &w, 8);
	}
	else if (n >= 4)
	{
		memcpy(&h, s, 4);
		memcpy(p, &h, 4);
		memcpy(&h, s + n - 4, 4);
		memcpy(p + n - 4, &h, 4);
	}
	else
		for (uint32_t i = 0; i < n; i++)
			p[i] = s[i];
	return p + n;
}

/*
 * numeric with scale 2 from hundredths: the integer part in base-10000
 * digits, most significant first, then one digit for the cents (x 100) when
 * they are not zero.  TPC-H's values have at most two integer digits (below
 * 10^8), which take the short way.
 */
static inline char *
put_numeric(char *p, int64_t cents)
{
	uint64_t	a = cents < 0 ? 0 - (uint64_t) cents : (uint64_t) cents;
	uint64_t	ip = a / 100;
	uint16_t	frac = (uint16_t) (a % 100 * 100);
	uint16_t	digits[8];
	int			n = 0;
	int			weight;

	if (ip >= 100000000)
	{
		uint16_t	rev[8];
		int			k = 0;

		while (ip > 0)
		{
			rev[k++] = (uint16_t) (ip % 10000);
			ip /= 10000;
		}
		while (k > 0)
			digits[n++] = rev[--k];
	}
	else if (ip >= 10000)
	{
		digits[n++] = (uint16_t) (ip / 10000);
		digits[n++] = (uint16_t) (ip % 10000);
	}
	else if (ip > 0)
		digits[n++] = (uint16_t) ip;
	weight = n > 0 ? n - 1 : (frac != 0 ? -1 : 0);
	if (frac != 0)
		digits[n++] = frac;
	p = put32(p, (uint32_t) (8 + 2 * n));
	p = put16(p, (uint16_t) n);
	p = put16(p, (uint16_t) (int16_t) weight);
	p = put16(p, cents < 0 ? 0x4000 : 0);
	p = put16(p, 2);
	for (int i = 0; i < n; i++)
		p = put16(p, digits[i]);
	return p;
}

size_t
copybin_header(char *buf)
{
	static const char sig[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};
	char	   *p = buf;

	memcpy(p, sig, sizeof(sig));
	p += sizeof(sig);
	p = put32(p, 0);			/* flags: no OIDs */
	p = put32(p, 0);			/* no header extension */
	return (size_t) (p - buf);
}

size_t
copybin_trailer(char *buf)
{
	put16(buf, 0xffff);
	return 2;
}

/* The fields, each with its length word. */

static inline char *
put_int(char *p, int64_t v)
{
	p = put32(p, 4);
	return put32(p, (uint32_t) v);
}

static inline char *
put_key(char *p, int64_t v)
{
	p = put32(p, 8);
	return put64(p, (uint64_t) v);
}

static inline char *
put_date(char *p, int32_t day)
{
	p = put32(p, 4);
	return put32(p, (uint32_t) (day + TPCH_DATE_PG_OFFSET));
}

static inline char *
put_str(char *p, tpch_str s)
{
	return put_text(p, s.ptr, s.len);
}

/*
 * lineitem, 70% of the rows at any SF, field by field: without the column
 * descriptors' loop and its jump on each field's kind, its encoding costs
 * about a third less.  The columns are those of tpch_columns(TPCH_LINEITEM),
 * in its order (the client tests compare every table with dbgen's).
 */
static size_t
copybin_lineitem(const tpch_lineitem_row *l, char *buf)
{
	char	   *p = put16(buf, 16);

	p = put_key(p, l->l_orderkey);
	p = put_key(p, l->l_partkey);
	p = put_key(p, l->l_suppkey);
	p = put_int(p, l->l_linenumber);
	p = put_numeric(p, l->l_quantity * 100);
	p = put_numeric(p, l->l_extendedprice);
	p = put_numeric(p, l->l_discount);
	p = put_numeric(p, l->l_tax);
	p = put_str(p, l->l_returnflag);
	p = put_str(p, l->l_linestatus);
	p = put_date(p, l->l_shipdate);
	p = put_date(p, l->l_commitdate);
	p = put_date(p, l->l_receiptdate);
	p = put_str(p, l->l_shipinstruct);
	p = put_str(p, l->l_shipmode);
	p = put_str(p, l->l_comment);
	return (size_t) (p - buf);
}

size_t
copybin_row(tpch_table t, const tpch_row *row, char *buf)
{
	int			ncols;
	const tpch_column *cols;
	const char *base = (const char *) row;
	char	   *p = buf;

	if (t == TPCH_LINEITEM)
		return copybin_lineitem(&row->lineitem, buf);
	cols = tpch_columns(t, &ncols);
	p = put16(p, (uint16_t) ncols);
	for (int i = 0; i < ncols; i++)
	{
		const void *field = base + cols[i].offset;

		switch (cols[i].kind)
		{
			case TPCH_KIND_INT:
				p = put_int(p, *(const int64_t *) field);
				break;
			case TPCH_KIND_KEY:
				p = put_key(p, *(const int64_t *) field);
				break;
			case TPCH_KIND_MONEY:
				p = put_numeric(p, *(const int64_t *) field);
				break;
			case TPCH_KIND_QUANTITY:
				p = put_numeric(p, *(const int64_t *) field * 100);
				break;
			case TPCH_KIND_DATE:
				p = put_date(p, *(const int32_t *) field);
				break;
			case TPCH_KIND_CHAR:
			case TPCH_KIND_VARCHAR:
				p = put_str(p, *(const tpch_str *) field);
				break;
		}
	}
	return (size_t) (p - buf);
}
