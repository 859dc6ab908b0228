/*
 * qgen.h - the substitution parameters of the 22 TPC-H queries, as TPC-H
 * qgen 3.0.1 draws them from a seed, and the query order of each stream.
 *
 * For every seed and scale factor the parameters equal those of
 * `qgen -s SF -r SEED -l`, the validation parameters those of `qgen -d`, and
 * the order of stream N that of `qgen -p N`.  Pure C: no allocation, no I/O,
 * no global state.
 */
#ifndef TPCH_QGEN_H
#define TPCH_QGEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TPCH_NQUERIES 22
#define TPCH_NSTREAM_ROWS 41		/* rows of the permutation table */
#define TPCH_QGEN_MAXPARAMS 10
#define TPCH_QGEN_PARAMLEN 32

/* The seed that selects the validation parameters (qgen -d). */
#define TPCH_SEED_VALIDATION 0

/*
 * The largest seed: qgen multiplies the seed by 16807 in a 64-bit integer
 * before it reduces it, so larger seeds overflow there and mean nothing.
 */
#define TPCH_SEED_MAX (INT64_MAX / 16807)

/* Error codes of this API (disjoint from tpch_err). */
typedef enum tpch_qgen_err
{
	TPCH_QGEN_OK = 0,
	TPCH_ERR_QUERY = 100,		/* query number outside 1..22 */
	TPCH_ERR_SEED,				/* seed below 0 or above TPCH_SEED_MAX */
	TPCH_ERR_SEED_ZERO,			/* a multiple of 2^31 - 1: qgen never ends */
	TPCH_ERR_STREAM				/* negative stream */
} tpch_qgen_err;

const char *tpch_qgen_strerror(int err);

/* The parameters of one query, as text, exactly as qgen substitutes them. */
typedef struct tpch_qparams
{
	int			query;			/* 1..22 */
	int			count;			/* number of parameters */
	char		value[TPCH_QGEN_MAXPARAMS][TPCH_QGEN_PARAMLEN];
} tpch_qparams;

/* TPCH_QGEN_OK, TPCH_ERR_SEED or TPCH_ERR_SEED_ZERO. */
int			tpch_qgen_check_seed(int64_t seed);

/*
 * The parameters of query q for a seed (TPCH_SEED_VALIDATION for qgen -d)
 * and a scale factor (only query 11 depends on it).  The SF must be valid
 * (tpch_check_sf).  Returns TPCH_QGEN_OK or an error code.
 */
int			tpch_qgen_params(int q, int64_t seed, double sf, tpch_qparams *out);

/*
 * The line qgen's -l log holds for these parameters, with its "\n": the
 * query number, then each parameter after a TAB.  Under -d, query 11 logs
 * its fraction as 0.0001 whatever the SF (the text gets the real one), so
 * `validation` says whether p came from TPCH_SEED_VALIDATION.  Writes at
 * most len bytes with a NUL, like snprintf, and returns the full length.
 */
size_t		tpch_qgen_log_line(const tpch_qparams *p, int validation,
							   char *buf, size_t len);

/*
 * The query at position pos (1..22) of stream `stream` (>= 0; row
 * stream mod 41 of the permutation table), or 0 if either is out of range.
 */
int			tpch_qgen_stream_query(int64_t stream, int pos);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_QGEN_H */
