/*
 * qgen.c - qgen's substitution parameters and stream order.
 *
 * qgen seeds the dbgen streams 1..22 with state_q = SEED * 16807^q mod M and
 * draws every parameter of query q from stream q, so a query's parameters
 * depend on (SEED, q) alone (and on SF for query 11's fraction): each query
 * is computed here on its own, in O(log q), without generating the others.
 */
#include "qgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * The query order of each stream: spec Appendix A, which qgen carries as a
 * fixed table (row 0 is the power test, row s throughput stream s).
 */
static const uint8_t stream_order[TPCH_NSTREAM_ROWS][TPCH_NQUERIES] = {
	{14, 2, 9, 20, 6, 17, 18, 8, 21, 13, 3, 22, 16, 4, 11, 15, 1, 10, 19, 5, 7, 12},
	{21, 3, 18, 5, 11, 7, 6, 20, 17, 12, 16, 15, 13, 10, 2, 8, 14, 19, 9, 22, 1, 4},
	{6, 17, 14, 16, 19, 10, 9, 2, 15, 8, 5, 22, 12, 7, 13, 18, 1, 4, 20, 3, 11, 21},
	{8, 5, 4, 6, 17, 7, 1, 18, 22, 14, 9, 10, 15, 11, 20, 2, 21, 19, 13, 16, 12, 3},
	{5, 21, 14, 19, 15, 17, 12, 6, 4, 9, 8, 16, 11, 2, 10, 18, 1, 13, 7, 22, 3, 20},
	{21, 15, 4, 6, 7, 16, 19, 18, 14, 22, 11, 13, 3, 1, 2, 5, 8, 20, 12, 17, 10, 9},
	{10, 3, 15, 13, 6, 8, 9, 7, 4, 11, 22, 18, 12, 1, 5, 16, 2, 14, 19, 20, 17, 21},
	{18, 8, 20, 21, 2, 4, 22, 17, 1, 11, 9, 19, 3, 13, 5, 7, 10, 16, 6, 14, 15, 12},
	{19, 1, 15, 17, 5, 8, 9, 12, 14, 7, 4, 3, 20, 16, 6, 22, 10, 13, 2, 21, 18, 11},
	{8, 13, 2, 20, 17, 3, 6, 21, 18, 11, 19, 10, 15, 4, 22, 1, 7, 12, 9, 14, 5, 16},
	{6, 15, 18, 17, 12, 1, 7, 2, 22, 13, 21, 10, 14, 9, 3, 16, 20, 19, 11, 4, 8, 5},
	{15, 14, 18, 17, 10, 20, 16, 11, 1, 8, 4, 22, 5, 12, 3, 9, 21, 2, 13, 6, 19, 7},
	{1, 7, 16, 17, 18, 22, 12, 6, 8, 9, 11, 4, 2, 5, 20, 21, 13, 10, 19, 3, 14, 15},
	{21, 17, 7, 3, 1, 10, 12, 22, 9, 16, 6, 11, 2, 4, 5, 14, 8, 20, 13, 18, 15, 19},
	{2, 9, 5, 4, 18, 1, 20, 15, 16, 17, 7, 21, 13, 14, 19, 8, 22, 11, 10, 3, 12, 6},
	{16, 9, 17, 8, 14, 11, 10, 12, 6, 21, 7, 3, 15, 5, 22, 20, 1, 13, 19, 2, 4, 18},
	{1, 3, 6, 5, 2, 16, 14, 22, 17, 20, 4, 9, 10, 11, 15, 8, 12, 19, 18, 13, 7, 21},
	{3, 16, 5, 11, 21, 9, 2, 15, 10, 18, 17, 7, 8, 19, 14, 13, 1, 4, 22, 20, 6, 12},
	{14, 4, 13, 5, 21, 11, 8, 6, 3, 17, 2, 20, 1, 19, 10, 9, 12, 18, 15, 7, 22, 16},
	{4, 12, 22, 14, 5, 15, 16, 2, 8, 10, 17, 9, 21, 7, 3, 6, 13, 18, 11, 20, 19, 1},
	{16, 15, 14, 13, 4, 22, 18, 19, 7, 1, 12, 17, 5, 10, 20, 3, 9, 21, 11, 2, 6, 8},
	{20, 14, 21, 12, 15, 17, 4, 19, 13, 10, 11, 1, 16, 5, 18, 7, 8, 22, 9, 6, 3, 2},
	{16, 14, 13, 2, 21, 10, 11, 4, 1, 22, 18, 12, 19, 5, 7, 8, 6, 3, 15, 20, 9, 17},
	{18, 15, 9, 14, 12, 2, 8, 11, 22, 21, 16, 1, 6, 17, 5, 10, 19, 4, 20, 13, 3, 7},
	{7, 3, 10, 14, 13, 21, 18, 6, 20, 4, 9, 8, 22, 15, 2, 1, 5, 12, 19, 17, 11, 16},
	{18, 1, 13, 7, 16, 10, 14, 2, 19, 5, 21, 11, 22, 15, 8, 17, 20, 3, 4, 12, 6, 9},
	{13, 2, 22, 5, 11, 21, 20, 14, 7, 10, 4, 9, 19, 18, 6, 3, 1, 8, 15, 12, 17, 16},
	{14, 17, 21, 8, 2, 9, 6, 4, 5, 13, 22, 7, 15, 3, 1, 18, 16, 11, 10, 12, 20, 19},
	{10, 22, 1, 12, 13, 18, 21, 20, 2, 14, 16, 7, 15, 3, 4, 17, 5, 19, 6, 8, 9, 11},
	{10, 8, 9, 18, 12, 6, 1, 5, 20, 11, 17, 22, 16, 3, 13, 2, 15, 21, 14, 19, 7, 4},
	{7, 17, 22, 5, 3, 10, 13, 18, 9, 1, 14, 15, 21, 19, 16, 12, 8, 6, 11, 20, 4, 2},
	{2, 9, 21, 3, 4, 7, 1, 11, 16, 5, 20, 19, 18, 8, 17, 13, 10, 12, 15, 6, 14, 22},
	{15, 12, 8, 4, 22, 13, 16, 17, 18, 3, 7, 5, 6, 1, 9, 11, 21, 10, 14, 20, 19, 2},
	{15, 16, 2, 11, 17, 7, 5, 14, 20, 4, 21, 3, 10, 9, 12, 8, 13, 6, 18, 19, 22, 1},
	{1, 13, 11, 3, 4, 21, 6, 14, 15, 22, 18, 9, 7, 5, 10, 20, 12, 16, 17, 8, 19, 2},
	{14, 17, 22, 20, 8, 16, 5, 10, 1, 13, 2, 21, 12, 9, 4, 18, 3, 7, 6, 19, 15, 11},
	{9, 17, 7, 4, 5, 13, 21, 18, 11, 3, 22, 1, 6, 16, 20, 14, 15, 10, 8, 2, 12, 19},
	{13, 14, 5, 22, 19, 11, 9, 6, 18, 15, 8, 10, 7, 4, 17, 16, 3, 1, 12, 2, 21, 20},
	{20, 5, 4, 14, 11, 1, 6, 16, 8, 22, 7, 3, 2, 12, 21, 19, 17, 13, 10, 15, 18, 9},
	{3, 7, 14, 15, 6, 5, 21, 20, 18, 10, 4, 16, 19, 1, 13, 9, 8, 17, 11, 12, 22, 2},
	{13, 15, 17, 1, 22, 11, 3, 4, 7, 20, 14, 21, 9, 8, 2, 18, 16, 6, 10, 12, 5, 19},
};

/*
 * The two word lists of query 13 (dists.dss blocks Q13a and Q13b): four
 * words of equal weight, 20 each in Q13a and 40 each in Q13b.  The draw
 * range is the total weight, so a pick is U(1, 80) or U(1, 160).
 */
static const char *const q13_word1[4] = {"special", "pending", "unusual", "express"};
static const char *const q13_word2[4] = {"packages", "requests", "accounts", "deposits"};

/* The validation parameters (spec clause 2.3, qgen -d). */
static const char *const validation[TPCH_NQUERIES][TPCH_QGEN_MAXPARAMS] = {
	{"90"},
	{"15", "BRASS", "EUROPE"},
	{"BUILDING", "1995-03-15"},
	{"1993-07-01"},
	{"ASIA", "1994-01-01"},
	{"1994-01-01", ".06", "24"},
	{"FRANCE", "GERMANY"},
	{"BRAZIL", "AMERICA", "ECONOMY ANODIZED STEEL"},
	{"green"},
	{"1993-10-01"},
	{"GERMANY", NULL},			/* the fraction depends on the SF */
	{"MAIL", "SHIP", "1994-01-01"},
	{"special", "requests"},
	{"1995-09-01"},
	{"1996-01-01"},
	{"Brand#45", "MEDIUM POLISHED", "49", "14", "23", "45", "19", "3", "36", "9"},
	{"Brand#23", "MED BOX"},
	{"300"},
	{"Brand#12", "Brand#23", "Brand#34", "1", "10", "20"},
	{"forest", "1994-01-01", "CANADA"},
	{"SAUDI ARABIA"},
	{"13", "31", "23", "29", "30", "18", "17"},
};

/* Parameters per query, in qgen's -l log. */
static const uint8_t param_count[TPCH_NQUERIES] = {
	1, 3, 2, 1, 2, 3, 2, 3, 1, 1, 2, 3, 2, 1, 1, 10, 2, 1, 6, 3, 1, 7
};

const char *
tpch_qgen_strerror(int err)
{
	switch (err)
	{
		case TPCH_QGEN_OK:
			return "no error";
		case TPCH_ERR_QUERY:
			return "the query number must be between 1 and 22";
		case TPCH_ERR_SEED:
			return "the seed must be between 1 and 548781581296767";
		case TPCH_ERR_SEED_ZERO:
			return "a seed that is a multiple of 2147483647 leaves qgen's random streams at zero";
		case TPCH_ERR_STREAM:
			return "the stream number must not be negative";
	}
	return "unknown error";
}

int
tpch_qgen_check_seed(int64_t seed)
{
	if (seed < 0 || seed > TPCH_SEED_MAX)
		return TPCH_ERR_SEED;
	if (seed % TPCH_M == 0)
		return TPCH_ERR_SEED_ZERO;
	return TPCH_QGEN_OK;
}

/* Sets parameter i (0-based) to a formatted text. */
static void set(tpch_qparams *p, int i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set(tpch_qparams *p, int i, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(p->value[i], TPCH_QGEN_PARAMLEN, fmt, ap);
	va_end(ap);
}

static void
set_str(tpch_qparams *p, int i, const char *s, size_t len)
{
	if (len >= TPCH_QGEN_PARAMLEN)
		len = TPCH_QGEN_PARAMLEN - 1;
	memcpy(p->value[i], s, len);
	p->value[i][len] = '\0';
}

/* A weighted pick's entry text. */
static void
set_pick(tpch_qparams *p, int i, int64_t *x, const tpch_dist *d, int *index)
{
	int			k = tpch_pick(x, d);
	tpch_str	s = tpch_dist_str(d, k);

	if (index)
		*index = k;
	set_str(p, i, s.ptr, s.len);
}

/* A nation from the nations2 list: the nations in order, weight 1 each. */
static int
set_nation(tpch_qparams *p, int i, int64_t *x)
{
	int			k = (int) tpch_uniform(x, 1, 25) - 1;
	tpch_str	s = tpch_dist_str(&tpch_dist_nations, k);

	set_str(p, i, s.ptr, s.len);
	return k;
}

/* The first day of month m counted from January 1993. */
static void
set_month(tpch_qparams *p, int i, int64_t m)
{
	set(p, i, "19%02d-%02d-01", (int) (93 + m / 12), (int) (m % 12 + 1));
}

static void
set_year(tpch_qparams *p, int i, int64_t *x)
{
	set(p, i, "19%02d-01-01", (int) tpch_uniform(x, 93, 97));
}

static void
set_brand(tpch_qparams *p, int i, int64_t *x)
{
	int			a = (int) tpch_uniform(x, 1, 5);
	int			b = (int) tpch_uniform(x, 1, 5);

	set(p, i, "Brand#%d%d", a, b);
}

/* qgen's shuffle: for each i, swap a[i] with a[U(i, n - 1)]. */
static void
shuffle(int *a, int n, int64_t *x)
{
	for (int i = 0; i < n; i++)
	{
		int			k = (int) tpch_uniform(x, i, n - 1);
		int			t = a[i];

		a[i] = a[k];
		a[k] = t;
	}
}

/* The part of a p_types entry before (head) or after its last space. */
static void
set_type_word(tpch_qparams *p, int i, tpch_str t, int head)
{
	size_t		sp = t.len;

	while (sp > 0 && t.ptr[sp - 1] != ' ')
		sp--;
	if (head)
		set_str(p, i, t.ptr, sp > 0 ? sp - 1 : 0);
	else
		set_str(p, i, t.ptr + sp, t.len - sp);
}

/* Query 11's fraction, as qgen prints 0.0001 / SF. */
static void
set_fraction(tpch_qparams *p, int i, double sf)
{
	set(p, i, "%11.10f", 0.0001 / sf);
}

static void
draw(int q, int64_t *x, double sf, tpch_qparams *p)
{
	int			i1,
				i2,
				k;
	int			a[50];

	switch (q)
	{
		case 1:
			set(p, 0, "%d", (int) tpch_uniform(x, 60, 120));
			break;
		case 2:
			set(p, 0, "%d", (int) tpch_uniform(x, 1, 50));
			k = tpch_pick(x, &tpch_dist_p_types);
			set_type_word(p, 1, tpch_dist_str(&tpch_dist_p_types, k), 0);
			set_pick(p, 2, x, &tpch_dist_regions, NULL);
			break;
		case 3:
			set_pick(p, 0, x, &tpch_dist_msegmnt, NULL);
			set_str(p, 1, tpch_date_text[1155 + tpch_uniform(x, 0, 30)], 10);
			break;
		case 4:
		case 15:
			set_month(p, 0, tpch_uniform(x, 0, 57));
			break;
		case 5:
			set_pick(p, 0, x, &tpch_dist_regions, NULL);
			set_year(p, 1, x);
			break;
		case 6:
			set_year(p, 0, x);
			set(p, 1, "0.%02d", (int) tpch_uniform(x, 2, 9));
			set(p, 2, "%d", (int) tpch_uniform(x, 24, 25));
			break;
		case 7:
			i1 = set_nation(p, 0, x);
			do
				i2 = set_nation(p, 1, x);
			while (i2 == i1);
			break;
		case 8:
			i1 = set_nation(p, 0, x);
			k = tpch_nation_region[i1];
			{
				tpch_str	r = tpch_dist_str(&tpch_dist_regions, k);

				set_str(p, 1, r.ptr, r.len);
			}
			set_pick(p, 2, x, &tpch_dist_p_types, NULL);
			break;
		case 9:
			set_pick(p, 0, x, &tpch_dist_colors, NULL);
			break;
		case 10:
			set_month(p, 0, tpch_uniform(x, 1, 24));
			break;
		case 11:
			set_nation(p, 0, x);
			set_fraction(p, 1, sf);
			break;
		case 12:
			set_pick(p, 0, x, &tpch_dist_smode, &i1);
			do
				set_pick(p, 1, x, &tpch_dist_smode, &i2);
			while (i2 == i1);
			set_year(p, 2, x);
			break;
		case 13:
			k = (int) tpch_uniform(x, 1, 80);
			set(p, 0, "%s", q13_word1[(k - 1) / 20]);
			k = (int) tpch_uniform(x, 1, 160);
			set(p, 1, "%s", q13_word2[(k - 1) / 40]);
			break;
		case 14:
			set_month(p, 0, tpch_uniform(x, 0, 59));
			break;
		case 16:
			set_brand(p, 0, x);
			k = tpch_pick(x, &tpch_dist_p_types);
			set_type_word(p, 1, tpch_dist_str(&tpch_dist_p_types, k), 1);
			for (int i = 0; i < 50; i++)
				a[i] = i + 1;
			shuffle(a, 50, x);
			for (int i = 0; i < 8; i++)
				set(p, 2 + i, "%d", a[i]);
			break;
		case 17:
			set_brand(p, 0, x);
			set_pick(p, 1, x, &tpch_dist_p_cntr, NULL);
			break;
		case 18:
			set(p, 0, "%d", (int) tpch_uniform(x, 312, 315));
			break;
		case 19:
			for (int i = 0; i < 3; i++)
				set_brand(p, i, x);
			set(p, 3, "%d", (int) tpch_uniform(x, 1, 10));
			set(p, 4, "%d", (int) tpch_uniform(x, 10, 20));
			set(p, 5, "%d", (int) tpch_uniform(x, 20, 30));
			break;
		case 20:
			set_pick(p, 0, x, &tpch_dist_colors, NULL);
			set_year(p, 1, x);
			set_nation(p, 2, x);
			break;
		case 21:
			set_nation(p, 0, x);
			break;
		case 22:
			for (int i = 0; i < 25; i++)
				a[i] = i;
			shuffle(a, 25, x);
			for (int i = 0; i < 7; i++)
				set(p, i, "%d", 10 + a[i]);
			break;
	}
}

int
tpch_qgen_params(int q, int64_t seed, double sf, tpch_qparams *out)
{
	int			err;

	if (q < 1 || q > TPCH_NQUERIES)
		return TPCH_ERR_QUERY;
	memset(out, 0, sizeof(*out));
	out->query = q;
	out->count = param_count[q - 1];
	if (seed == TPCH_SEED_VALIDATION)
	{
		for (int i = 0; i < out->count; i++)
		{
			if (validation[q - 1][i])
				set(out, i, "%s", validation[q - 1][i]);
			else
				set_fraction(out, i, sf);
		}
		return TPCH_QGEN_OK;
	}
	if ((err = tpch_qgen_check_seed(seed)) != TPCH_QGEN_OK)
		return err;
	{
		int64_t		x = tpch_mulmod(seed % TPCH_M, tpch_pow16807((uint64_t) q));

		draw(q, &x, sf, out);
	}
	return TPCH_QGEN_OK;
}

size_t
tpch_qgen_log_line(const tpch_qparams *p, int validation, char *buf, size_t len)
{
	size_t		n = 0;
	char		num[4];

	snprintf(num, sizeof(num), "%d", p->query);
	/* appends text up to the buffer's end, counting all of it */
#define APPEND(s) \
	do { \
		const char *s_ = (s); \
		size_t		l_ = strlen(s_); \
		if (n < len) \
			memcpy(buf + n, s_, n + l_ < len ? l_ : len - n); \
		n += l_; \
	} while (0)
	APPEND(num);
	for (int i = 0; i < p->count; i++)
	{
		APPEND("\t");
		APPEND(validation && p->query == 11 && i == 1 ? "0.0001" : p->value[i]);
	}
	APPEND("\n");
#undef APPEND
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

int
tpch_qgen_stream_query(int64_t stream, int pos)
{
	if (stream < 0 || pos < 1 || pos > TPCH_NQUERIES)
		return 0;
	return stream_order[stream % TPCH_NSTREAM_ROWS][pos - 1];
}
