/*
 * partition.h - the key ranges of dbgen's parts, for tables partitioned (or
 * sharded) by range on a node's part.
 *
 * Part k of n of a table (tpch_part_range) holds consecutive group rows, and
 * the first key column of every table grows with the group row: so a part is
 * exactly the rows whose key lies in one range, and the ranges of parts
 * 1..n of a table are adjacent.  Orders and lineitem split by the same group
 * rows, so their part k holds the same orders.
 */
#ifndef TPCH_PARTITION_H
#define TPCH_PARTITION_H

#include "tpch.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The index in tpch_columns(t) of the column whose values the parts split:
 * the first column of the primary key (o_orderkey, l_orderkey, p_partkey,
 * ps_partkey, ...).
 */
int			tpch_part_key_column(tpch_table t);

/*
 * The keys [*lo, *hi) of part `part` of `parts` of a table: every row of the
 * part has lo <= key < hi, and no row of another part has.  Order keys are
 * sparse (tpch_orderkey), so hi is the key of the next part's first order;
 * the last part's hi is the key after the table's last order.  Nation and
 * region are never split: their range covers every key.  Returns TPCH_OK or
 * the error of tpch_part_range.
 */
int			tpch_part_key_range(tpch_table t, double sf, int64_t part,
								int64_t parts, int64_t *lo, int64_t *hi);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_PARTITION_H */
