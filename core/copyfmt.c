/*
 * copyfmt.c - rows as PostgreSQL's COPY TO writes them (see copyfmt.h).
 *
 * Text and CSV: each value is written as its type's output function writes
 * it, then looked at only when one of its bytes is special under the
 * options (the delimiter, a backslash or control byte in text; the
 * delimiter, the quote, CR or LF in CSV) or, in CSV, when it equals the NULL
 * string or its column is in FORCE_QUOTE: then it is rewritten with COPY's
 * escapes or quotes.  Numbers and dates are looked at only when a digit,
 * '-' or '.' is special.  Binary: each value as its type's send function
 * makes it, behind its 32-bit length.
 */
#include "copyfmt.h"
#include "internal.h"
#include "put.h"

#include <string.h>

/*
 * What of a value may hold a special byte: nothing, its own bytes (not the
 * blanks that pad a char(n) when a blank is not special), or all of it.
 */
#define CHECK_NONE 0
#define CHECK_TEXT 1
#define CHECK_ALL 2

/* Longest text of a value of each kind, before escapes. */
static size_t
kind_max_len(const tpch_column *c)
{
	switch (c->kind)
	{
		case TPCH_KIND_INT:
		case TPCH_KIND_KEY:
			return 20;
		case TPCH_KIND_MONEY:
		case TPCH_KIND_QUANTITY:
			return 24;
		case TPCH_KIND_DATE:
			return 10;
		case TPCH_KIND_CHAR:
		case TPCH_KIND_VARCHAR:
			return (size_t) c->width;
	}
	return 0;
}

/* Whether any value of a distribution holds a byte special under the options. */
static int
dist_special(const tpch_copy_spec *s, const tpch_dist *d)
{
	for (int i = 0; i < d->count; i++)
		for (int j = 0; j < d->len[i]; j++)
			if (s->special[(unsigned char) d->text[(size_t) i * d->width + j]])
				return 1;
	return 0;
}

/*
 * Whether the row is lineitem's, every column in order, text or CSV, and
 * only l_comment can need escapes or quotes: no FORCE_QUOTE, a NULL string
 * no value can equal (CSV: the empty one; text never compares values with
 * it), and no special byte in numbers, dates, the flags (R, A, N, O and F),
 * l_shipinstruct's and l_shipmode's words or the blanks that pad them.
 */
static int
plain_lineitem(const tpch_copy_spec *s, const tpch_column *cols, int ncols,
			   int num_special)
{
	if (s->table != TPCH_LINEITEM || s->format == TPCH_COPY_BINARY ||
		s->nfields != ncols || num_special || s->special[' '] ||
		s->special['R'] || s->special['A'] || s->special['N'] ||
		s->special['O'] || s->special['F'] ||
		dist_special(s, &tpch_dist_instruct) || dist_special(s, &tpch_dist_smode) ||
		(s->format == TPCH_COPY_CSV && s->null_len != 0))
		return 0;
	for (int i = 0; i < ncols; i++)
		if (s->col[i] != i || s->force_quote[i] ||
			(cols[i].kind == TPCH_KIND_CHAR && cols[i].width > 32))
			return 0;
	return 1;
}

int
tpch_copy_prepare(tpch_copy_spec *s)
{
	int			ncols;
	const tpch_column *cols = tpch_columns(s->table, &ncols);
	size_t		bound = 32;
	int			num_special;

	if (s->nfields < 1 || s->nfields > TPCH_COPY_MAX_FIELDS ||
		s->null_len > TPCH_COPY_MAX_NULL)
		return TPCH_ERR_RANGE;
	s->columns = 0;
	for (int i = 0; i < s->nfields; i++)
	{
		if (s->col[i] < 0 || s->col[i] >= ncols)
			return TPCH_ERR_RANGE;
		s->columns |= UINT64_C(1) << s->col[i];
		/* every byte escaped or doubled, quotes, the delimiter or length */
		bound += 2 * kind_max_len(&cols[s->col[i]]) + 24;
	}
	/* put_text may write 32 bytes past a value's own (blanks) */
	s->row_bound = bound + 32;

	memset(s->special, 0, sizeof(s->special));
	if (s->format == TPCH_COPY_TEXT)
	{
		for (int c = 0; c < 0x20; c++)
			s->special[c] = 1;
		s->special['\\'] = 1;
		s->special[(unsigned char) s->delim] = 1;
		s->word[0] = UINT64_C(0x0101010101010101) * '\\';
		s->word[1] = UINT64_C(0x0101010101010101) * (unsigned char) s->delim;
	}
	else if (s->format == TPCH_COPY_CSV)
	{
		s->special['\n'] = 1;
		s->special['\r'] = 1;
		s->special[(unsigned char) s->delim] = 1;
		s->special[(unsigned char) s->quote] = 1;
		s->word[0] = UINT64_C(0x0101010101010101) * (unsigned char) s->delim;
		s->word[1] = UINT64_C(0x0101010101010101) * (unsigned char) s->quote;
	}
	num_special = s->special['-'] || s->special['.'];
	for (int c = '0'; c <= '9'; c++)
		num_special |= s->special[c];
	for (int i = 0; i < s->nfields; i++)
	{
		const tpch_column *c = &cols[s->col[i]];

		s->kind[i] = (unsigned char) c->kind;
		s->width[i] = (uint16_t) c->width;
		s->offset[i] = c->offset;
		if (c->kind == TPCH_KIND_CHAR && s->special[' '])
			s->check[i] = CHECK_ALL;
		else if (c->kind == TPCH_KIND_CHAR || c->kind == TPCH_KIND_VARCHAR ||
				 num_special)
			s->check[i] = CHECK_TEXT;
		else
			s->check[i] = CHECK_NONE;
	}
	s->lineitem = plain_lineitem(s, cols, ncols, num_special);
	return TPCH_OK;
}

/* ------------------------------------------------------------------------
 * Text and CSV
 * ------------------------------------------------------------------------ */

/* Blanks that pad a char(n) value: every char(n) of TPC-H is at most 32 wide. */
static const char blanks[32] = "                                ";

/*
 * A value's text at p, unescaped; returns its end.  A char(n) value comes
 * out blank-padded to n; *text_end receives the end of the value's own
 * bytes before the blanks (the end for other kinds).
 */
static inline __attribute__((always_inline)) char *
put_text(char *p, int kind, int width, const void *f, char **text_end)
{
	switch (kind)
	{
		case TPCH_KIND_INT:
		case TPCH_KIND_KEY:
			p = put_i64(p, *(const int64_t *) f);
			break;
		case TPCH_KIND_QUANTITY:
			/* numeric(15,2) of whole units */
			p = put_i64(p, *(const int64_t *) f);
			memcpy(p, ".00", 3);
			p += 3;
			break;
		case TPCH_KIND_MONEY:
			p = put_money(p, *(const int64_t *) f);
			break;
		case TPCH_KIND_DATE:
			p = put_date(p, *(const int32_t *) f);
			break;
		case TPCH_KIND_VARCHAR:
			p = put_str(p, *(const tpch_str *) f);
			break;
		case TPCH_KIND_CHAR:
			{
				tpch_str	v = *(const tpch_str *) f;
				char	   *start = p;

				p = put_str(p, v);
				*text_end = p;
				/* fixed-size stores, not a memset call per value */
				if (width <= (int) sizeof(blanks))
					memcpy(p, blanks, sizeof(blanks));
				else if (v.len < (uint32_t) width)
					memset(p, ' ', (size_t) width - v.len);
				return v.len < (uint32_t) width ? start + width : p;
			}
	}
	*text_end = p;
	return p;
}
/*
 * Whether a word may hold a special byte: one equal to a byte of s->word
 * (the delimiter, and the backslash in text or the quote in CSV) or below
 * 0x20 (a control byte), by the usual test for a zero byte.  It
 * may say yes for a byte after a true one, never no for a word that has one.
 */
static inline int
word_maybe_special(const tpch_copy_spec *s, uint64_t x)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t highs = UINT64_C(0x8080808080808080);
	uint64_t	t = (x - ones * 0x20) & ~x & highs;

	uint64_t	y0 = x ^ s->word[0];
	uint64_t	y1 = x ^ s->word[1];

	t |= (y0 - ones) & ~y0 & highs;
	t |= (y1 - ones) & ~y1 & highs;
	return t != 0;
}

/*
 * Whether [v, end) holds a byte special under the options: 8 at a time, the
 * last 8 overlapping, then byte by byte from the first word that may.
 */
static inline int
has_special(const tpch_copy_spec *s, const char *v, const char *end)
{
	const char *p = v;
	uint64_t	x;

	if (end - p >= 8)
	{
		for (; end - p > 8; p += 8)
		{
			memcpy(&x, p, 8);
			if (word_maybe_special(s, x))
				goto bytes;
		}
		memcpy(&x, end - 8, 8);
		if (!word_maybe_special(s, x))
			return 0;
	}
bytes:
	for (; p < end; p++)
		if (s->special[(unsigned char) *p])
			return 1;
	return 0;
}

/*
 * Rewrites the value at [v, end) with text format's backslash escapes, as
 * COPY does: control bytes with a letter of their own become \b \f \n \r \t
 * \v, a backslash or the delimiter gets a backslash before it (a control
 * byte too when it is the delimiter), other control bytes stay as they are.
 */
static char *
text_escape(const tpch_copy_spec *s, char *v, char *end)
{
	char		tmp[TPCH_MAX_LINE];
	size_t		len = (size_t) (end - v);
	char	   *p = v;

	memcpy(tmp, v, len);
	for (size_t i = 0; i < len; i++)
	{
		char		c = tmp[i];
		char		letter = 0;

		switch (c)
		{
			case '\b':
				letter = 'b';
				break;
			case '\f':
				letter = 'f';
				break;
			case '\n':
				letter = 'n';
				break;
			case '\r':
				letter = 'r';
				break;
			case '\t':
				letter = 't';
				break;
			case '\v':
				letter = 'v';
				break;
		}
		if (letter != 0)
		{
			*p++ = '\\';
			*p++ = letter;
		}
		else
		{
			if (c == '\\' || c == s->delim)
				*p++ = '\\';
			*p++ = c;
		}
	}
	return p;
}

/*
 * The CSV value at [v, end) in quotes, the quote and escape characters in it
 * with the escape before them.
 */
static char *
csv_quote(const tpch_copy_spec *s, char *v, char *end)
{
	char		tmp[TPCH_MAX_LINE];
	size_t		len = (size_t) (end - v);
	char	   *p = v;

	memcpy(tmp, v, len);
	*p++ = s->quote;
	for (size_t i = 0; i < len; i++)
	{
		if (tmp[i] == s->quote || tmp[i] == s->escape)
			*p++ = s->escape;
		*p++ = tmp[i];
	}
	*p++ = s->quote;
	return p;
}

/*
 * Whether field i's value at [v, end), its own bytes ending at text_end
 * (before a char(n)'s blanks), has a byte special under the options.
 */
static inline int
field_special(const tpch_copy_spec *s, int i, const char *v,
			  const char *text_end, const char *end)
{
	switch (s->check[i])
	{
		case CHECK_NONE:
			return 0;
		case CHECK_TEXT:
			return has_special(s, v, text_end);
	}
	return has_special(s, v, end);
}

/*
 * CSV: a value is quoted when COPY would quote it: in FORCE_QUOTE, equal to
 * the NULL string, or holding the delimiter, the quote, CR or LF.
 */
static size_t
format_csv(const tpch_copy_spec *s, const tpch_row *row, char *buf)
{
	const char *base = (const char *) row;
	char	   *p = buf;

	for (int i = 0; i < s->nfields; i++)
	{
		char	   *v = p;
		char	   *text_end;

		p = put_text(p, s->kind[i], s->width[i], base + s->offset[i], &text_end);
		if (s->force_quote[i] ||
			((size_t) (p - v) == s->null_len &&
			 memcmp(v, s->null_str, s->null_len) == 0) ||
			field_special(s, i, v, text_end, p))
			p = csv_quote(s, v, p);
		*p++ = s->delim;
	}
	p[-1] = '\n';
	return (size_t) (p - buf);
}

/* Text: special bytes get COPY's backslash escapes. */
static size_t
format_text(const tpch_copy_spec *s, const tpch_row *row, char *buf)
{
	const char *base = (const char *) row;
	char	   *p = buf;

	for (int i = 0; i < s->nfields; i++)
	{
		char	   *v = p;
		char	   *text_end;

		p = put_text(p, s->kind[i], s->width[i], base + s->offset[i], &text_end);
		if (field_special(s, i, v, text_end, p))
			p = text_escape(s, v, p);
		*p++ = s->delim;
	}
	p[-1] = '\n';
	return (size_t) (p - buf);
}

/* ------------------------------------------------------------------------
 * Binary
 * ------------------------------------------------------------------------ */

static inline char *
put_be16(char *p, uint16_t v)
{
	p[0] = (char) (v >> 8);
	p[1] = (char) v;
	return p + 2;
}

static inline char *
put_be32(char *p, uint32_t v)
{
	p[0] = (char) (v >> 24);
	p[1] = (char) (v >> 16);
	p[2] = (char) (v >> 8);
	p[3] = (char) v;
	return p + 4;
}

static inline char *
put_be64(char *p, uint64_t v)
{
	p = put_be32(p, (uint32_t) (v >> 32));
	return put_be32(p, (uint32_t) v);
}

/* PostgreSQL's days from 2000-01-01 to 1992-01-01. */
#define DATE_PG_OFFSET (-2922)

/*
 * numeric(15,2) as numeric_send sends it: digit count, weight, sign
 * (0x4000 negative), display scale 2, then base-10000 digits without
 * leading or trailing zero digits; zero has none.
 */
static char *
put_numeric_send(char *p, int64_t cents)
{
	int			neg = cents < 0;
	uint64_t	v = neg ? 0 - (uint64_t) cents : (uint64_t) cents;
	uint64_t	whole = v / 100;
	uint16_t	group[6];
	uint16_t	digits[7];
	int			ngroups = 0;
	int			ndigits = 0;
	int			weight;

	while (whole > 0)
	{
		group[ngroups++] = (uint16_t) (whole % 10000);
		whole /= 10000;
	}
	for (int i = ngroups - 1; i >= 0; i--)
		digits[ndigits++] = group[i];
	digits[ndigits++] = (uint16_t) (v % 100 * 100);
	weight = ngroups - 1;
	while (ndigits > 0 && digits[ndigits - 1] == 0)
		ndigits--;
	if (ndigits == 0)
	{
		weight = 0;
		neg = 0;
	}

	p = put_be32(p, (uint32_t) (8 + 2 * ndigits));
	p = put_be16(p, (uint16_t) ndigits);
	p = put_be16(p, (uint16_t) (int16_t) weight);
	p = put_be16(p, neg ? 0x4000 : 0);
	p = put_be16(p, 2);
	for (int i = 0; i < ndigits; i++)
		p = put_be16(p, digits[i]);
	return p;
}

static size_t
format_binary(const tpch_copy_spec *s, const tpch_row *row, char *buf)
{
	const char *base = (const char *) row;
	char	   *p = put_be16(buf, (uint16_t) s->nfields);

	for (int i = 0; i < s->nfields; i++)
	{
		const void *f = base + s->offset[i];

		switch (s->kind[i])
		{
			case TPCH_KIND_INT:
				p = put_be32(p, 4);
				p = put_be32(p, (uint32_t) *(const int64_t *) f);
				break;
			case TPCH_KIND_KEY:
				p = put_be32(p, 8);
				p = put_be64(p, (uint64_t) *(const int64_t *) f);
				break;
			case TPCH_KIND_QUANTITY:
				p = put_numeric_send(p, *(const int64_t *) f * 100);
				break;
			case TPCH_KIND_MONEY:
				p = put_numeric_send(p, *(const int64_t *) f);
				break;
			case TPCH_KIND_DATE:
				p = put_be32(p, 4);
				p = put_be32(p, (uint32_t) (*(const int32_t *) f + DATE_PG_OFFSET));
				break;
			case TPCH_KIND_VARCHAR:
				{
					tpch_str	v = *(const tpch_str *) f;

					p = put_be32(p, v.len);
					p = put_str(p, v);
					break;
				}
			case TPCH_KIND_CHAR:
				{
					char	   *len = p;

					char	   *text_end;

					p = put_text(p + 4, TPCH_KIND_CHAR, s->width[i], f, &text_end);
					put_be32(len, (uint32_t) (p - len - 4));
					break;
				}
		}
	}
	return (size_t) (p - buf);
}

/*
 * lineitem whole (s->lineitem): field by field without the descriptor loop,
 * as format.c writes it for .tbl and CSV; only l_comment is looked at.
 */
static size_t
format_lineitem(const tpch_copy_spec *s, const tpch_lineitem_row *l, char *buf)
{
	char		d = s->delim;
	char	   *p = buf;
	char	   *v;

	p = put_u64(p, (uint64_t) l->l_orderkey);
	*p++ = d;
	p = put_u64(p, (uint64_t) l->l_partkey);
	*p++ = d;
	p = put_u64(p, (uint64_t) l->l_suppkey);
	*p++ = d;
	p = put_u64(p, (uint64_t) l->l_linenumber);
	*p++ = d;
	p = put_u64(p, (uint64_t) l->l_quantity);
	memcpy(p, ".00", 3);
	p += 3;
	*p++ = d;
	p = put_money(p, l->l_extendedprice);
	*p++ = d;
	p = put_money(p, l->l_discount);
	*p++ = d;
	p = put_money(p, l->l_tax);
	*p++ = d;
	*p++ = l->l_returnflag.ptr[0];
	*p++ = d;
	*p++ = l->l_linestatus.ptr[0];
	*p++ = d;
	p = put_date(p, l->l_shipdate);
	*p++ = d;
	p = put_date(p, l->l_commitdate);
	*p++ = d;
	p = put_date(p, l->l_receiptdate);
	*p++ = d;
	put_str(p, l->l_shipinstruct);
	memcpy(p + l->l_shipinstruct.len, blanks, sizeof(blanks));
	p += s->width[13];
	*p++ = d;
	put_str(p, l->l_shipmode);
	memcpy(p + l->l_shipmode.len, blanks, sizeof(blanks));
	p += s->width[14];
	*p++ = d;
	v = p;
	p = put_str(p, l->l_comment);
	if (s->format == TPCH_COPY_CSV)
	{
		if (p == v || has_special(s, v, p))
			p = csv_quote(s, v, p);
	}
	else if (has_special(s, v, p))
		p = text_escape(s, v, p);
	*p++ = '\n';
	return (size_t) (p - buf);
}

size_t
tpch_copy_format_row(const tpch_copy_spec *s, const tpch_row *row, char *buf)
{
	if (s->lineitem)
		return format_lineitem(s, &row->lineitem, buf);
	switch (s->format)
	{
		case TPCH_COPY_TEXT:
			return format_text(s, row, buf);
		case TPCH_COPY_CSV:
			return format_csv(s, row, buf);
		case TPCH_COPY_BINARY:
			break;
	}
	return format_binary(s, row, buf);
}

/* Rows generated ahead of the one formatted, as in tpch_gen_format. */
#define COPY_AHEAD 4

int64_t
tpch_copy_gen(tpch_gen *g, const tpch_copy_spec *s, char *buf, size_t cap,
			  uint32_t *ends, int max_rows, int64_t *nrows)
{
	tpch_row	ring[COPY_AHEAD];
	size_t		used = 0;
	int			head = 0;
	int			pending = 0;
	int			end = 0;
	int			n = 0;

	for (;;)
	{
		while (!end && pending < COPY_AHEAD && n + pending < max_rows &&
			   used + (size_t) (pending + 1) * (s->row_prefix + s->row_bound) <= cap)
		{
			int			rc = tpch_gen_next(g, &ring[(head + pending) % COPY_AHEAD]);

			if (rc < 0)
				return rc;
			if (rc > 0)
				pending++;
			else
				end = 1;
		}
		if (pending == 0)
			break;
		used += (size_t) s->row_prefix;
		used += tpch_copy_format_row(s, &ring[head], buf + used);
		if (ends != NULL)
			ends[n] = (uint32_t) used;
		head = (head + 1) % COPY_AHEAD;
		pending--;
		n++;
	}
	*nrows += n;
	return (int64_t) used;
}
