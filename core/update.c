/*
 * update.c - dbgen's update sets on the table generators (see update.h).
 */
#include "update.h"

#include "internal.h"

#include <stdio.h>
#include <string.h>

const char *
tpch_update_strerror(int err)
{
	switch (err)
	{
		case TPCH_ERR_SET:
			return "update set must be between 1 and 2999";
		case TPCH_ERR_NO_UPDATES:
			return "update sets are empty below scale factor 0.007 "
				"(dbgen writes an empty delete.1 and nothing else)";
	}
	return tpch_strerror(err);
}

int64_t
tpch_update_rows(double sf)
{
	/* the order base before the whole multiplier: k * 1500 below SF 1 */
	int64_t		obase = tpch_scaled(1500000, sf < 1.0 ? sf : 1.0);

	return obase / 10000 * tpch_scale_of(sf) * 10;
}

int
tpch_check_update(double sf, int64_t set)
{
	int			err = tpch_check_sf(sf);

	if (err != TPCH_OK)
		return err;
	if (set < 1 || set > TPCH_UPDATE_SET_MAX)
		return TPCH_ERR_SET;
	if (tpch_update_rows(sf) == 0)
		return TPCH_ERR_NO_UPDATES;
	return TPCH_OK;
}

/* Group row of the generator for order index i of the sets. */
static int64_t
group_row(tpch_update_kind kind, double sf, int64_t i)
{
	return kind == TPCH_INSERTS ? tpch_group_rows(TPCH_ORDERS, sf) + i : i;
}

int
tpch_update_range(tpch_update_kind kind, double sf, int64_t set,
				  int64_t part, int64_t parts, int64_t *first, int64_t *count)
{
	int			err = tpch_check_update(sf, set);
	int64_t		r,
				q;

	if (err != TPCH_OK)
		return err;
	err = tpch_check_args(sf, part, parts);
	if (err != TPCH_OK)
		return err;
	if (kind != TPCH_INSERTS && kind != TPCH_DELETES)
		return TPCH_ERR_TABLE;
	r = tpch_update_rows(sf);
	q = r / parts;
	*first = group_row(kind, sf, (set - 1) * r + (part - 1) * q + 1);
	*count = part == parts ? r - (parts - 1) * q : q;
	return TPCH_OK;
}

int
tpch_update_init(tpch_gen *g, tpch_table t, tpch_update_kind kind,
				 double sf, int64_t set, int64_t part, int64_t parts)
{
	int64_t		first,
				count;
	int			err;

	if (t != TPCH_ORDERS && !(t == TPCH_LINEITEM && kind == TPCH_INSERTS))
		return TPCH_ERR_TABLE;
	err = tpch_update_range(kind, sf, set, part, parts, &first, &count);
	if (err != TPCH_OK)
		return err;
	err = tpch_gen_init(g, t, sf, 1, 1);
	if (err != TPCH_OK)
		return err;
	g->part_first = first;
	g->part_count = count;
	if (kind == TPCH_INSERTS)
	{
		/*
		 * Set s's new orders are base orders Nbase + i with another key.  At
		 * SF >= 30000 the 64-bit streams start at the set's first row, the
		 * way dbgen -U s -S s starts them, whatever the part.
		 */
		g->chunk_first = group_row(kind, sf, (set - 1) * tpch_update_rows(sf) + 1);
		g->key_base = tpch_group_rows(TPCH_ORDERS, sf);
		g->key_seq = 1 + (int) (set / 1000);
	}
	else
	{
		/* only keys: nothing random is drawn, so no 64-bit replay either */
		g->big = 0;
		g->keys_only = 1;
		g->key_seq = (int) (set / 1000);
		tpch_gen_set_columns(g, 1);
	}
	return tpch_gen_seek(g, first, count);
}

int64_t
tpch_update_lines(double sf, int64_t set)
{
	int64_t		r = tpch_update_rows(sf);
	int64_t		row = group_row(TPCH_INSERTS, sf, (set - 1) * r + 1);
	int64_t		x,
				n = 0;

	if (r > TPCH_UPDATE_COUNT_MAX)
		return tpch_rows_estimate(TPCH_LINEITEM, r);
	/* the line count is stream 43's only draw, one step a row */
	x = tpch_mulmod(tpch_stream_seed[S_O_LCNT], tpch_pow16807((uint64_t) (row - 1)));
	for (int64_t i = 0; i < r; i++)
	{
		int64_t		y = x;

		n += tpch_uniform(&y, 1, 7);
		x = tpch_next(x);
	}
	return n;
}

size_t
tpch_update_format_header(tpch_table t, tpch_update_kind kind, char *buf)
{
	if (kind == TPCH_DELETES)
	{
		memcpy(buf, "o_orderkey\n", 11);
		return 11;
	}
	return tpch_format_header(t, buf);
}

size_t
tpch_format_delete(tpch_format fmt, int64_t key, char *buf)
{
	char		tmp[24];
	size_t		n = 0,
				len = 0;

	do
	{
		tmp[n++] = (char) ('0' + key % 10);
		key /= 10;
	} while (key > 0);
	while (n > 0)
		buf[len++] = tmp[--n];
	if (fmt == TPCH_FMT_TBL)
		buf[len++] = '|';
	buf[len++] = '\n';
	return len;
}

int
tpch_update_file_name(char *buf, size_t cap, tpch_table t,
					  tpch_update_kind kind, const char *ext, int64_t set,
					  int64_t seg)
{
	if (kind == TPCH_DELETES)
		return seg > 0 ?
			snprintf(buf, cap, "delete.u%lld.%lld", (long long) set,
					 (long long) seg) :
			snprintf(buf, cap, "delete.%lld", (long long) set);
	return seg > 0 ?
		snprintf(buf, cap, "%s.%s.u%lld.%lld", tpch_table_name(t), ext,
				 (long long) set, (long long) seg) :
		snprintf(buf, cap, "%s.%s.u%lld", tpch_table_name(t), ext,
				 (long long) set);
}
