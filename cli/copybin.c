/*
 * copybin.c - rows in PostgreSQL's binary COPY format.
 *
 * Each value goes in the representation of the column's type's binary input
 * function, so the server parses nothing: bigint and integer in network
 * order, date as days since 2000-01-01, numeric(15,2) as base-10000 digits,
 * text as its bytes (char(n) is padded by the server, as for text input).
 */
#include "client.h"

#include <string.h>

static char *
put16(char *p, int v)
{
	p[0] = (char) ((v >> 8) & 0xff);
	p[1] = (char) (v & 0xff);
	return p + 2;
}

static char *
put32(char *p, int64_t v)
{
	uint32_t	u = (uint32_t) v;

	p[0] = (char) (u >> 24);
	p[1] = (char) (u >> 16);
	p[2] = (char) (u >> 8);
	p[3] = (char) u;
	return p + 4;
}

static char *
put64(char *p, int64_t v)
{
	p = put32(p, (int64_t) ((uint64_t) v >> 32));
	return put32(p, v);
}

/*
 * numeric with scale 2 from hundredths: the integer part in base-10000
 * digits, most significant first, then one digit for the cents (x 100).
 */
static char *
put_numeric(char *p, int64_t cents)
{
	uint64_t	a = cents < 0 ? (uint64_t) -cents : (uint64_t) cents;
	uint64_t	ip = a / 100;
	int			frac = (int) (a % 100) * 100;
	int			digits[8];
	int			n = 0;
	int			weight;
	char	   *len = p;

	p += 4;
	while (ip > 0)
	{
		digits[n++] = (int) (ip % 10000);
		ip /= 10000;
	}
	weight = n - 1;				/* -1: no integer part */
	/* reverse into most significant first */
	for (int i = 0; i < n / 2; i++)
	{
		int			t = digits[i];

		digits[i] = digits[n - 1 - i];
		digits[n - 1 - i] = t;
	}
	if (frac != 0)
		digits[n++] = frac;
	if (n == 0)
		weight = 0;
	p = put16(p, n);
	p = put16(p, weight);
	p = put16(p, cents < 0 ? 0x4000 : 0);
	p = put16(p, 2);
	for (int i = 0; i < n; i++)
		p = put16(p, digits[i]);
	put32(len, p - len - 4);
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
	put16(buf, -1);
	return 2;
}

size_t
copybin_row(tpch_table t, const tpch_row *row, char *buf)
{
	int			ncols;
	const tpch_column *cols = tpch_columns(t, &ncols);
	const char *base = (const char *) row;
	char	   *p = buf;

	p = put16(p, ncols);
	for (int i = 0; i < ncols; i++)
	{
		const void *field = base + cols[i].offset;

		switch (cols[i].kind)
		{
			case TPCH_KIND_INT:
				p = put32(p, 4);
				p = put32(p, *(const int64_t *) field);
				break;
			case TPCH_KIND_KEY:
				p = put32(p, 8);
				p = put64(p, *(const int64_t *) field);
				break;
			case TPCH_KIND_MONEY:
				p = put_numeric(p, *(const int64_t *) field);
				break;
			case TPCH_KIND_QUANTITY:
				p = put_numeric(p, *(const int64_t *) field * 100);
				break;
			case TPCH_KIND_DATE:
				p = put32(p, 4);
				p = put32(p, *(const int32_t *) field + TPCH_DATE_PG_OFFSET);
				break;
			case TPCH_KIND_CHAR:
			case TPCH_KIND_VARCHAR:
				{
					const tpch_str *s = field;

					p = put32(p, s->len);
					memcpy(p, s->ptr, s->len);
					p += s->len;
				}
				break;
		}
	}
	return (size_t) (p - buf);
}
