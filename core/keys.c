/*
 * keys.c - from ranges of leading keys to the group rows that hold them.
 *
 * A foreign scan's key conditions leave sets of closed key intervals; the
 * generator seeks by group row.  Orders (and their lines) are numbered
 * 1..n with sparse keys, 8 used keys in every 32 (tpch_orderkey), so a key
 * range maps to an index range by search; the other tables' key is the
 * group row.  Pure functions of their arguments, tested in test/core.
 */
#include "tpch.h"

int64_t
tpch_order_index_ceil(int64_t key, int64_t n)
{
	int64_t		lo = 1;
	int64_t		hi = n + 1;

	/* keys grow with the index, leaving gaps: search, do not invert */
	while (lo < hi)
	{
		int64_t		mid = lo + (hi - lo) / 2;

		if (tpch_orderkey(mid) >= key)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void
tpch_key_group_range(tpch_table t, double sf, int64_t lo, int64_t hi,
					 int64_t *first, int64_t *end)
{
	if (t == TPCH_ORDERS || t == TPCH_LINEITEM)
	{
		int64_t		n = tpch_group_rows(t, sf);

		*first = tpch_order_index_ceil(lo, n);
		*end = hi == INT64_MAX ? n + 1 : tpch_order_index_ceil(hi + 1, n);
	}
	else
	{
		*first = lo;
		*end = hi == INT64_MAX ? INT64_MAX : hi + 1;
	}
}

int
tpch_intervals_intersect(int n, const int64_t *lo, const int64_t *hi, int m,
						 const int64_t *lo2, const int64_t *hi2,
						 int64_t *rlo, int64_t *rhi)
{
	int			r = 0;
	int			i = 0;
	int			j = 0;

	while (i < n && j < m)
	{
		int64_t		a = lo[i] > lo2[j] ? lo[i] : lo2[j];
		int64_t		b = hi[i] < hi2[j] ? hi[i] : hi2[j];

		if (a <= b)
		{
			rlo[r] = a;
			rhi[r] = b;
			r++;
		}
		if (hi[i] < hi2[j])
			i++;
		else
			j++;
	}
	return r;
}
