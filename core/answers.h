/*
 * answers.h - the expected answers of the 22 validation queries and the
 * TPC-H rules for comparing a result with them.
 *
 * An answer is text: one line per row ending in "\n", the columns separated
 * by "|", numbers other than integers with two decimals, strings without
 * their trailing blanks, no header.  SF 1 holds the official answer set
 * (spec Appendix C); SF 0.01 and 0.1 hold the results of the same queries on
 * the data of this generator, which is byte-identical to dbgen's.
 */
#ifndef TPCH_ANSWERS_H
#define TPCH_ANSWERS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a column is compared (spec clause 2.1.3.5 and colprecision.txt). */
typedef enum tpch_colkind
{
	TPCH_COL_STR,				/* exact, after trimming trailing blanks */
	TPCH_COL_INT,				/* keys and counts: exact */
	TPCH_COL_EXACT,				/* two decimals, exact (stored money, Q1/Q18 quantities) */
	TPCH_COL_SUM,				/* two decimals, within 100 */
	TPCH_COL_AVG,				/* two decimals, within 1% */
	TPCH_COL_RATIO				/* two decimals, within 1% and within 100 */
} tpch_colkind;

/* The answer of validation query q at a scale factor, or NULL if none. */
const char *tpch_answer(int q, double sf);

/* Number of columns of query q's result (0 for a query outside 1..22). */
int			tpch_answer_columns(int q);

/* Name and kind of column c (0-based) of query q's result. */
const char *tpch_answer_column_name(int q, int c);
tpch_colkind tpch_answer_column_kind(int q, int c);

/*
 * Writes one result value (the text PostgreSQL prints) as the answers
 * hold it: numbers other than integers rounded half away from zero to two
 * decimals, strings without trailing blanks, integers as they are.  Writes at
 * most len bytes with a NUL, like snprintf, and returns the full length.
 */
size_t		tpch_answer_value(tpch_colkind kind, const char *in, size_t inlen,
							  char *out, size_t len);

typedef enum tpch_cmp
{
	TPCH_ANSWER_SAME = 0,		/* identical text */
	TPCH_ANSWER_CLOSE,			/* within the TPC-H tolerances */
	TPCH_ANSWER_DIFFERENT
} tpch_cmp;

/*
 * Compares a result of query q (in the answer format) with the expected
 * answer.  Unless the texts are the same, writes to `detail` (len bytes,
 * NUL-terminated) the first row and column that differ, and the values.
 */
tpch_cmp	tpch_answer_compare(int q, const char *expected, const char *actual,
								char *detail, size_t len);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_ANSWERS_H */
