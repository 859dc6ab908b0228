/*
 * internal.h - what the core's files share: the random number generator,
 * the distribution tables and the stream numbers.
 *
 * The generator is dbgen's Park-Miller stream x' = 16807 x mod (2^31 - 1).
 * A uniform draw in [lo, hi] is lo + trunc((x / M) * (hi - lo + 1)) in IEEE
 * double.  For ranges below 2^21 that equals the exact integer quotient
 * lo + x * range / M: the double result is within range * 2^-52 of the true
 * quotient, while a true quotient is never closer than 1/M to an integer
 * (M is prime), so truncation cannot differ.  Wider ranges keep the double.
 */
#ifndef TPCH_INTERNAL_H
#define TPCH_INTERNAL_H

#include "tpch.h"

#define TPCH_M 2147483647LL
#define TPCH_NDATES 2557
#define TPCH_CURRENT_DATE 1263	/* 1995-06-17 */
#define TPCH_ORDER_DATE_MAX 2405

/* Stream numbers (the dbgen seed table's indices). */
enum
{
	S_P_MFG = 0, S_P_BRND = 1, S_P_TYPE = 2, S_P_SIZE = 3, S_P_CNTR = 4,
	S_POOL = 5, S_P_CMNT = 6, S_PS_QTY = 7, S_PS_SCST = 8, S_PS_CMNT = 9,
	S_O_SUPP = 10, S_O_CLRK = 11, S_O_CMNT = 12, S_O_ODATE = 13,
	S_L_QTY = 14, S_L_DCNT = 15, S_L_TAX = 16, S_L_SHIP = 17, S_L_SMODE = 18,
	S_L_PKEY = 19, S_L_SKEY = 20, S_L_SDTE = 21, S_L_CDTE = 22, S_L_RDTE = 23,
	S_L_RFLG = 24, S_L_CMNT = 25, S_C_ADDR = 26, S_C_NTRG = 27, S_C_PHNE = 28,
	S_C_ABAL = 29, S_C_MSEG = 30, S_C_CMNT = 31, S_S_ADDR = 32, S_S_NTRG = 33,
	S_S_PHNE = 34, S_S_ABAL = 35, S_S_CMNT = 36, S_P_NAME = 37, S_O_PRIO = 38,
	S_HVAR = 39, S_O_CKEY = 40, S_N_CMNT = 41, S_R_CMNT = 42, S_O_LCNT = 43,
	S_BBB_JNK = 44, S_BBB_TYPE = 45, S_BBB_CMNT = 46, S_BBB_OFFSET = 47
};

/* A weighted list from dists.dss, with a direct table from draw to entry. */
typedef struct tpch_dist
{
	int32_t		count;
	int32_t		total;			/* sum of the weights */
	const char *text;			/* count strings, `width` bytes apart */
	int32_t		width;
	const uint8_t *len;
	const uint8_t *by_draw;		/* total entries: draw j picks by_draw[j-1] */
} tpch_dist;

extern const int64_t tpch_stream_seed[TPCH_NSTREAMS];
extern const int32_t tpch_stream_boundary[TPCH_NSTREAMS];
extern const int64_t tpch_stream_stride[TPCH_NSTREAMS];
extern const tpch_dist tpch_dist_p_cntr, tpch_dist_p_types, tpch_dist_colors,
			tpch_dist_msegmnt, tpch_dist_o_oprio, tpch_dist_instruct,
			tpch_dist_smode, tpch_dist_rflag, tpch_dist_nations,
			tpch_dist_regions;
extern const tpch_dist tpch_dist_nouns, tpch_dist_verbs, tpch_dist_adjectives,
			tpch_dist_adverbs, tpch_dist_prepositions, tpch_dist_auxillaries,
			tpch_dist_terminators, tpch_dist_grammar, tpch_dist_np, tpch_dist_vp;
extern const int8_t tpch_nation_region[25];
extern const char tpch_date_text[TPCH_NDATES][10];

/* a * b mod M, for a, b in [0, M). */
static inline int64_t
tpch_mulmod(int64_t a, int64_t b)
{
	uint64_t	p = (uint64_t) a * (uint64_t) b;
	uint64_t	r = (p & TPCH_M) + (p >> 31);

	r = (r & TPCH_M) + (r >> 31);
	return r >= (uint64_t) TPCH_M ? (int64_t) (r - TPCH_M) : (int64_t) r;
}

/* 16807^n mod M by square and multiply. */
static inline int64_t
tpch_pow16807(uint64_t n)
{
	int64_t		z = 1;
	int64_t		m = 16807;

	while (n)
	{
		if (n & 1)
			z = tpch_mulmod(z, m);
		m = tpch_mulmod(m, m);
		n >>= 1;
	}
	return z;
}

/* One step of a stream. */
static inline int64_t
tpch_next(int64_t x)
{
	uint64_t	p = (uint64_t) x * 16807u;
	uint64_t	r = (p & TPCH_M) + (p >> 31);

	return r >= (uint64_t) TPCH_M ? (int64_t) (r - TPCH_M) : (int64_t) r;
}

/* Value of a draw in [lo, lo + range) for state x (already stepped). */
static inline int64_t
tpch_scale_draw(int64_t x, int64_t lo, int64_t range)
{
	if (range < (1 << 21))
		return lo + (int64_t) (((uint64_t) x * (uint64_t) range) / (uint64_t) TPCH_M);
	return lo + (int64_t) (((double) x / 2147483647.0) * (double) range);
}

/* U(lo, hi) on stream state *x. */
static inline int64_t
tpch_uniform(int64_t *x, int64_t lo, int64_t hi)
{
	*x = tpch_next(*x);
	return tpch_scale_draw(*x, lo, hi - lo + 1);
}

/* A weighted pick: the entry index. */
static inline int
tpch_pick(int64_t *x, const tpch_dist *d)
{
	*x = tpch_next(*x);
	return d->by_draw[((uint64_t) *x * (uint64_t) d->total) / (uint64_t) TPCH_M];
}

static inline tpch_str
tpch_dist_str(const tpch_dist *d, int i)
{
	tpch_str	s = {d->text + (size_t) i * d->width, d->len[i]};

	return s;
}

/* in scale.c */
extern int64_t tpch_scale_of(double sf);
extern int64_t tpch_scaled(int64_t base, double sf);

#endif							/* TPCH_INTERNAL_H */
