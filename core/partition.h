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

/*
 * Hash partitioning, as Citus shards a table: a row belongs to the shard
 * whose range [lo, hi] holds the hash of its distribution key, and the hash
 * of a bigint key is PostgreSQL's hashint8 (the support function of the
 * default hash operator class of int8).  tpch_hash_int8 computes the same
 * value, as a signed 32-bit integer, without PostgreSQL.
 */
int32_t		tpch_hash_int8(int64_t key);

/*
 * The key of a table's group row `index` (1-based) that hash partitioning
 * splits on: the order key for orders and lineitem (every line of an order
 * has its key), the part key for part and partsupp, else the row's key.
 */
int64_t		tpch_group_key(tpch_table t, int64_t index);

/*
 * The first group row r in [from, end) whose key hashes into [lo, hi], or
 * end when there is none.  Keys are functions of the row index, so the rows
 * of other ranges are skipped at the cost of a hash each, never generated.
 */
int64_t		tpch_hash_next(tpch_table t, int64_t from, int64_t end,
						   int32_t lo, int32_t hi);

/*
 * The smallest positive key whose hash lies in [lo, hi] (lo <= hi), whether
 * or not a table has it: a value that routes a query to that range's shard.
 * Returns 0 when none exists below 2^31 (a range too narrow to be hit).
 */
int64_t		tpch_hash_probe_key(int32_t lo, int32_t hi);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_PARTITION_H */
