/*
 * copyfmt.h - rows as PostgreSQL's COPY TO writes them, for the COPY fast
 * path: text, CSV and binary, with COPY's DELIMITER, NULL, QUOTE, ESCAPE and
 * FORCE_QUOTE, over any list of a table's columns.
 *
 * The values are those of the SQL functions' column types (bigint, integer,
 * numeric(15,2), date in ISO style, char(n) blank-padded, varchar(n)), so a
 * row is byte-identical to what COPY makes of the same row through the
 * types' output (or send) functions.  TPC-H values are never NULL, so the
 * NULL string matters only where COPY compares values with it (CSV quotes a
 * value equal to it).  Header lines and the binary file header and trailer
 * are the caller's.
 */
#ifndef TPCH_COPYFMT_H
#define TPCH_COPYFMT_H

#include "tpch.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tpch_copy_format
{
	TPCH_COPY_TEXT,
	TPCH_COPY_CSV,
	TPCH_COPY_BINARY
} tpch_copy_format;

/*
 * Most fields a row may list (a column may be listed more than once), and
 * the longest NULL string.  The struct holds no pointer, so that it can be
 * copied into shared memory for other processes.
 */
#define TPCH_COPY_MAX_NULL 256
#define TPCH_COPY_MAX_FIELDS 64

typedef struct tpch_copy_spec
{
	/* set by the caller */
	tpch_table	table;
	tpch_copy_format format;
	char		delim;			/* text and CSV */
	char		quote;			/* CSV */
	char		escape;			/* CSV */
	char		null_str[TPCH_COPY_MAX_NULL];	/* CSV: a value equal to it is
												 * quoted */
	size_t		null_len;
	int			nfields;
	int			col[TPCH_COPY_MAX_FIELDS];	/* core column of each field */
	unsigned char force_quote[TPCH_COPY_MAX_FIELDS];	/* CSV */
	int			row_prefix;		/* bytes tpch_copy_gen leaves free before each
								 * row, for the caller's framing */

	/* derived by tpch_copy_prepare */
	uint64_t	columns;		/* for tpch_gen_set_columns */
	size_t		row_bound;		/* no row is longer */
	unsigned char kind[TPCH_COPY_MAX_FIELDS];	/* each field's tpch_kind */
	unsigned char check[TPCH_COPY_MAX_FIELDS];	/* its text may need work */
	int			lineitem;		/* the whole lineitem row, only l_comment to check */
	uint16_t	width[TPCH_COPY_MAX_FIELDS];
	uint32_t	offset[TPCH_COPY_MAX_FIELDS];
	unsigned char special[256]; /* bytes that make a value need work */
	uint64_t	word[2];		/* two special bytes, each repeated 8 times */
} tpch_copy_spec;

/*
 * Checks the caller's fields and derives the rest; TPCH_OK, or
 * TPCH_ERR_RANGE for no field, too many, an unknown column or too long a
 * NULL string.
 */
int			tpch_copy_prepare(tpch_copy_spec *s);

/* Writes one row (buf has room for s->row_bound bytes); returns its length. */
size_t		tpch_copy_format_row(const tpch_copy_spec *s, const tpch_row *row,
								 char *buf);

/*
 * Generates rows and writes them into buf, each after s->row_prefix bytes
 * left as they are, until fewer than s->row_prefix + s->row_bound bytes of
 * cap remain, max_rows rows are written or the range ends.  When ends is not
 * NULL, ends[i] receives the offset just past row i.  Returns
 * the bytes written (0 at the end) and adds the rows to *nrows; a negative
 * value is -TPCH_ERR_NOPOOL.
 */
int64_t		tpch_copy_gen(tpch_gen *g, const tpch_copy_spec *s, char *buf,
						  size_t cap, uint32_t *ends, int max_rows,
						  int64_t *nrows);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_COPYFMT_H */
