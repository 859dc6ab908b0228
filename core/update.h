/*
 * update.h - dbgen's update sets (dbgen -U): the rows the refresh functions
 * RF1 (new orders and their lines) and RF2 (order keys to delete) apply.
 *
 * Set s (1-based) covers order indices (s - 1) R + 1 .. s R, R rows a set
 * (tpch_update_rows).  Its new orders are drawn exactly as base order
 * Nbase + i would be (the random streams run on past the orders table) with
 * key sequence 1 + s / 1000, which puts their keys in the gaps of the base
 * keys; its deletes are the keys of index i with sequence s / 1000, which
 * for s < 1000 are the base orders at those indices.
 *
 * A set is generated through an ordinary tpch_gen, set up here: it seeks,
 * chunks and runs in parallel as a base table does, and any part of any set
 * costs what the same rows of set 1 cost.
 */
#ifndef TPCH_UPDATE_H
#define TPCH_UPDATE_H

#include "tpch.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The highest set: an order key holds its sequence number in two bits, and
 * sets from 3000 on would need a fourth one (1 + 3000 / 1000).
 */
#define TPCH_UPDATE_SET_MAX 2999

/* Errors of this header, beyond tpch_err's; tpch_update_strerror() says them. */
#define TPCH_ERR_SET 100		/* set outside 1..TPCH_UPDATE_SET_MAX */
#define TPCH_ERR_NO_UPDATES 101 /* SF below 0.007: a set has no rows */

typedef enum tpch_update_kind
{
	TPCH_INSERTS = 1,			/* orders.tbl.u<s> and lineitem.tbl.u<s> */
	TPCH_DELETES = 2			/* delete.<s> */
} tpch_update_kind;

/* tpch_strerror() extended with the errors above. */
const char *tpch_update_strerror(int err);

/*
 * Orders per set at an SF: (Obase / 10000) * scale * 10, Obase being the
 * scaled order base (1500000, or k * 1500 for SF = k / 1000 below 1); so
 * 1500 at SF 1, 550 (not 555) at SF 0.37, 0 below SF 0.007.
 */
int64_t		tpch_update_rows(double sf);

/* Validates (sf, set): TPCH_OK, TPCH_ERR_SF_*, TPCH_ERR_SET or
 * TPCH_ERR_NO_UPDATES. */
int			tpch_check_update(double sf, int64_t set);

/*
 * Lines of a set's new orders: counted exactly (one draw per order) for
 * sets up to TPCH_UPDATE_COUNT_MAX orders, else 4 per order (the mean).
 * Requires valid arguments.
 */
#define TPCH_UPDATE_COUNT_MAX 1000000
int64_t		tpch_update_lines(double sf, int64_t set);

/*
 * Group rows [*first, *first + *count) of part `part` of `parts` of a set,
 * cut as dbgen -C cuts a table (the last part takes the remainder), in the
 * numbering the generator of tpch_update_init seeks in.
 */
int			tpch_update_range(tpch_update_kind kind, double sf, int64_t set,
							  int64_t part, int64_t parts,
							  int64_t *first, int64_t *count);

/*
 * Sets up g for part `part` of `parts` of a set: TPCH_ORDERS or
 * TPCH_LINEITEM for TPCH_INSERTS, TPCH_ORDERS for TPCH_DELETES (whose rows
 * carry only o_orderkey; no other column may be selected).  Then g works as
 * after tpch_gen_init: tpch_gen_seek within the part, tpch_gen_next,
 * tpch_gen_format (delete lines for TPCH_DELETES), tpch_gen_set_columns.  The bytes do not
 * depend on the parts.
 */
int			tpch_update_init(tpch_gen *g, tpch_table t, tpch_update_kind kind,
							 double sf, int64_t set, int64_t part, int64_t parts);

/* The CSV header of a set's file, with its newline; returns its length. */
size_t		tpch_update_format_header(tpch_table t, tpch_update_kind kind,
									  char *buf);

/*
 * dbgen -U's name of a file of update set `set`, ext being "tbl" or "csv":
 * "orders.tbl.u3" or "lineitem.tbl.u3" (table t) for the inserts,
 * "delete.3" for the deletes; segment seg > 0 of a set written in several
 * files: "orders.tbl.u3.2", "delete.u3.2".  Returns what snprintf returns.
 */
int			tpch_update_file_name(char *buf, size_t cap, tpch_table t,
								  tpch_update_kind kind, const char *ext,
								  int64_t set, int64_t seg);

/*
 * Writes a delete line for a key: "key|\n" (dbgen) or "key\n" (csv);
 * returns its length.
 */
size_t		tpch_format_delete(tpch_format fmt, int64_t key, char *buf);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_UPDATE_H */
