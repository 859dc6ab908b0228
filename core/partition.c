/*
 * partition.c - the key ranges of dbgen's parts.
 */
#include "partition.h"
#include "schema.h"

int
tpch_part_key_column(tpch_table t)
{
	return tpch_primary_key(t)->cols[0];
}

int
tpch_part_key_range(tpch_table t, double sf, int64_t part, int64_t parts,
					int64_t *lo, int64_t *hi)
{
	int64_t		first,
				count;
	int			err = tpch_part_range(t, sf, part, parts, &first, &count);

	if (err != TPCH_OK)
		return err;
	switch (t)
	{
		case TPCH_ORDERS:
		case TPCH_LINEITEM:
			*lo = tpch_orderkey(first);
			*hi = tpch_orderkey(first + count);
			break;
		case TPCH_REGION:
		case TPCH_NATION:
			/* their keys start at 0 */
			*lo = first - 1;
			*hi = first - 1 + count;
			break;
		default:
			*lo = first;
			*hi = first + count;
			break;
	}
	return TPCH_OK;
}
