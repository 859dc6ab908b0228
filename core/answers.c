/*
 * answers.c - the columns of the validation answers and the comparison of a
 * result with them, by the rules of spec clause 2.1.3.5.
 *
 * Rows are compared by position, as TPC-H's own checker does, so a tie in
 * ORDER BY must come out in the answer's order; the validation queries sort
 * on unique keys, or on values without ties in the answers.
 */
#include "answers.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgen.h"

typedef struct column
{
	const char *name;
	tpch_colkind kind;
} column;

#define S TPCH_COL_STR
#define I TPCH_COL_INT
#define X TPCH_COL_EXACT
#define U TPCH_COL_SUM
#define A TPCH_COL_AVG
#define R TPCH_COL_RATIO

/*
 * colprecision.txt, with the spec's stricter rules where it is looser: Q1's
 * sum_qty and Q18's sum(l_quantity) are exact, Q12's counts are counts, and
 * Q17's average is a ratio of sums.  Q22's country code is a string.
 */
static const column columns[TPCH_NQUERIES][10] = {
	{{"l_returnflag", S}, {"l_linestatus", S}, {"sum_qty", X}, {"sum_base_price", U},
	 {"sum_disc_price", U}, {"sum_charge", U}, {"avg_qty", A}, {"avg_price", A},
	 {"avg_disc", A}, {"count_order", I}},
	{{"s_acctbal", X}, {"s_name", S}, {"n_name", S}, {"p_partkey", I}, {"p_mfgr", S},
	 {"s_address", S}, {"s_phone", S}, {"s_comment", S}},
	{{"l_orderkey", I}, {"revenue", U}, {"o_orderdate", S}, {"o_shippriority", I}},
	{{"o_orderpriority", S}, {"order_count", I}},
	{{"n_name", S}, {"revenue", U}},
	{{"revenue", U}},
	{{"supp_nation", S}, {"cust_nation", S}, {"l_year", I}, {"revenue", U}},
	{{"o_year", I}, {"mkt_share", R}},
	{{"nation", S}, {"o_year", I}, {"sum_profit", U}},
	{{"c_custkey", I}, {"c_name", S}, {"revenue", U}, {"c_acctbal", X}, {"n_name", S},
	 {"c_address", S}, {"c_phone", S}, {"c_comment", S}},
	{{"ps_partkey", I}, {"value", U}},
	{{"l_shipmode", S}, {"high_line_count", I}, {"low_line_count", I}},
	{{"c_count", I}, {"custdist", I}},
	{{"promo_revenue", R}},
	{{"s_suppkey", I}, {"s_name", S}, {"s_address", S}, {"s_phone", S}, {"total_revenue", U}},
	{{"p_brand", S}, {"p_type", S}, {"p_size", X}, {"supplier_cnt", I}},
	{{"avg_yearly", R}},
	{{"c_name", S}, {"c_custkey", I}, {"o_orderkey", I}, {"o_orderdate", S},
	 {"o_totalprice", X}, {"sum", X}},
	{{"revenue", U}},
	{{"s_name", S}, {"s_address", S}},
	{{"s_name", S}, {"numwait", I}},
	{{"cntrycode", S}, {"numcust", I}, {"totacctbal", U}},
};

#undef S
#undef I
#undef X
#undef U
#undef A
#undef R

/* in answers_data.c, made by tools/answers_to_c.sh from core/answers/ */
extern const char *const tpch_answers_sf0_01[TPCH_NQUERIES];
extern const char *const tpch_answers_sf0_1[TPCH_NQUERIES];
extern const char *const tpch_answers_sf1[TPCH_NQUERIES];

const char *
tpch_answer(int q, double sf)
{
	if (q < 1 || q > TPCH_NQUERIES)
		return NULL;
	if (sf == 0.01)
		return tpch_answers_sf0_01[q - 1];
	if (sf == 0.1)
		return tpch_answers_sf0_1[q - 1];
	if (sf == 1)
		return tpch_answers_sf1[q - 1];
	return NULL;
}

int
tpch_answer_columns(int q)
{
	int			n = 0;

	if (q < 1 || q > TPCH_NQUERIES)
		return 0;
	while (n < 10 && columns[q - 1][n].name)
		n++;
	return n;
}

const char *
tpch_answer_column_name(int q, int c)
{
	return columns[q - 1][c].name;
}

tpch_colkind
tpch_answer_column_kind(int q, int c)
{
	return columns[q - 1][c].kind;
}

/* Copies s[0..n) with a NUL into out (len bytes); returns n. */
static size_t
put(const char *s, size_t n, char *out, size_t len)
{
	if (len > 0)
	{
		size_t		k = n < len ? n : len - 1;

		memcpy(out, s, k);
		out[k] = '\0';
	}
	return n;
}

/* s[0..*n) without leading (if `lead`) and trailing blanks. */
static const char *
trim(const char *s, size_t *n, bool lead)
{
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	while (lead && *n > 0 && *s == ' ')
		s++, (*n)--;
	return s;
}

/*
 * A plain decimal (sign, digits, optional point and digits) rounded half
 * away from zero to two decimals, exactly, in decimal; false if the text is
 * something else (an exponent, NaN, more than 40 integer digits).
 */
static bool
round2(const char *s, size_t n, char *out, size_t len, size_t *outlen)
{
	char		digits[48],
				buf[64];
	size_t		nd = 0,
				i = 0,
				k = 0,
				b = 0,
				intdigits;
	bool		neg = false,
				any = false,
				zero = true;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n && isdigit((unsigned char) s[i]); i++, any = true)
	{
		if (nd == 40)
			return false;
		digits[nd++] = s[i];
	}
	intdigits = nd;
	if (i < n && s[i] == '.')
		for (i++; i < n && isdigit((unsigned char) s[i]); i++, any = true)
			if (nd < intdigits + 3)
				digits[nd++] = s[i];
	if (i != n || !any)
		return false;
	while (nd < intdigits + 3)
		digits[nd++] = '0';
	/* drop the third decimal, carrying a 5..9 up */
	if (digits[--nd] >= '5')
	{
		size_t		j = nd;

		while (j > 0 && digits[j - 1] == '9')
			digits[--j] = '0';
		if (j > 0)
			digits[j - 1]++;
		else
		{
			memmove(digits + 1, digits, nd);
			digits[0] = '1';
			nd++;
			intdigits++;
		}
	}
	/* no leading zeros but the one before the point; no sign on zero */
	while (k + 1 < intdigits && digits[k] == '0')
		k++;
	for (size_t j = k; j < nd; j++)
		zero &= digits[j] == '0';
	if (neg && !zero)
		buf[b++] = '-';
	if (intdigits == 0)
		buf[b++] = '0';
	memcpy(buf + b, digits + k, intdigits - k);
	b += intdigits - k;
	buf[b++] = '.';
	memcpy(buf + b, digits + intdigits, 2);
	b += 2;
	*outlen = put(buf, b, out, len);
	return true;
}

size_t
tpch_answer_value(tpch_colkind kind, const char *in, size_t inlen,
				  char *out, size_t len)
{
	size_t		n;

	/* trailing blanks go always, leading ones only from numbers */
	in = trim(in, &inlen, kind != TPCH_COL_STR);
	/* integers stay bare, as the answer sets print them */
	if (kind == TPCH_COL_STR || kind == TPCH_COL_INT ||
		(memchr(in, '.', inlen) == NULL && memchr(in, 'e', inlen) == NULL &&
		 memchr(in, 'E', inlen) == NULL))
		return put(in, inlen, out, len);
	if (round2(in, inlen, out, len, &n))
		return n;
	{
		char		num[64],
					buf[64];

		snprintf(num, sizeof(num), "%.*s", (int) (inlen < 63 ? inlen : 63), in);
		snprintf(buf, sizeof(buf), "%.2f", strtod(num, NULL));
		return put(buf, strlen(buf), out, len);
	}
}

/* A value of a decimal column as a two-decimal text and a double. */
static void
decimal(const char *s, size_t n, char *buf, size_t len, double *v)
{
	size_t		k;

	if (!round2(s, n, buf, len, &k))
	{
		char		num[64];

		snprintf(num, sizeof(num), "%.*s", (int) (n < 63 ? n : 63), s);
		snprintf(buf, len, "%.2f", strtod(num, NULL));
	}
	*v = strtod(buf, NULL);
}

/*
 * Whether one value is the same text (once trimmed and rounded to two
 * decimals if it is a number), the same within the rule of its column, or
 * different.
 */
static tpch_cmp
compare_value(tpch_colkind kind, const char *e, size_t en, const char *a, size_t an)
{
	char		eb[64],
				ab[64];
	double		ev,
				av,
				diff;

	if (kind == TPCH_COL_STR || kind == TPCH_COL_INT)
	{
		e = trim(e, &en, kind == TPCH_COL_INT);
		a = trim(a, &an, kind == TPCH_COL_INT);
		return en == an && memcmp(e, a, en) == 0 ? TPCH_ANSWER_SAME : TPCH_ANSWER_DIFFERENT;
	}
	tpch_answer_value(kind, e, en, eb, sizeof(eb));
	tpch_answer_value(kind, a, an, ab, sizeof(ab));
	if (strcmp(eb, ab) == 0)
		return TPCH_ANSWER_SAME;
	/* an integer against its two-decimal form, or a tolerance */
	decimal(eb, strlen(eb), eb, sizeof(eb), &ev);
	decimal(ab, strlen(ab), ab, sizeof(ab), &av);
	if (strcmp(eb, ab) == 0)
		return TPCH_ANSWER_CLOSE;
	diff = fabs(av - ev);
	switch (kind)
	{
		case TPCH_COL_SUM:
			return diff <= 100.0 ? TPCH_ANSWER_CLOSE : TPCH_ANSWER_DIFFERENT;
		case TPCH_COL_AVG:
			return diff <= 0.01 * fabs(ev) + 1e-9 ? TPCH_ANSWER_CLOSE : TPCH_ANSWER_DIFFERENT;
		case TPCH_COL_RATIO:
			return diff <= 0.01 * fabs(ev) + 1e-9 && diff <= 100.0 ?
				TPCH_ANSWER_CLOSE : TPCH_ANSWER_DIFFERENT;
		default:
			return TPCH_ANSWER_DIFFERENT;
	}
}

/* The end of the line or field starting at s. */
static const char *
field_end(const char *s)
{
	while (*s && *s != '|' && *s != '\n')
		s++;
	return s;
}

static int
count_rows(const char *s)
{
	int			n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

tpch_cmp
tpch_answer_compare(int q, const char *expected, const char *actual,
					char *detail, size_t len)
{
	int			ncols = tpch_answer_columns(q);
	const char *e = expected,
			   *a = actual;
	tpch_cmp	result = TPCH_ANSWER_SAME;
	int			row = 0;

	if (len > 0)
		detail[0] = '\0';
	if (strcmp(expected, actual) == 0)
		return TPCH_ANSWER_SAME;
	while (*e && *a)
	{
		row++;
		for (int c = 0;; c++)
		{
			const char *ee = field_end(e),
					   *ae = field_end(a);
			tpch_cmp	r;

			if (c >= ncols || (*ee == '|') != (*ae == '|') || (*ee == '|') != (c + 1 < ncols))
			{
				snprintf(detail, len, "row %d has a different number of columns: expected %d", row,
						 ncols);
				return TPCH_ANSWER_DIFFERENT;
			}
			r = compare_value(columns[q - 1][c].kind, e, ee - e, a, ae - a);
			if (r != TPCH_ANSWER_SAME && (r == TPCH_ANSWER_DIFFERENT || result == TPCH_ANSWER_SAME))
				snprintf(detail, len, "row %d, column %s: expected \"%.*s\", got \"%.*s\"%s",
						 row, columns[q - 1][c].name, (int) (ee - e), e, (int) (ae - a), a,
						 r == TPCH_ANSWER_CLOSE ? " (within the TPC-H tolerance)" : "");
			if (r == TPCH_ANSWER_DIFFERENT)
				return r;
			if (r == TPCH_ANSWER_CLOSE)
				result = r;
			e = *ee ? ee + 1 : ee;
			a = *ae ? ae + 1 : ae;
			if (*ee != '|')
				break;
		}
	}
	if (*e || *a)
	{
		snprintf(detail, len, "expected %d rows, got %d", count_rows(expected), count_rows(actual));
		return TPCH_ANSWER_DIFFERENT;
	}
	return result;
}
