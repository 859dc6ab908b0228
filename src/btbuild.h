/*
 * btbuild.h - a btree primary key written straight from keys that arrive in
 * key order (tpch_load), instead of CREATE INDEX's heap scan and sort.
 */
#ifndef TPCHGEN_BTBUILD_H
#define TPCHGEN_BTBUILD_H

#include "tpchgen_pg.h"

#include "storage/block.h"
#include "utils/relcache.h"

/* Key columns a primary key of ours may have. */
#define BTBUILD_MAX_KEYS 2

/* Where a row's tuple is within a piece of pages: page index and offset. */
#define BTBUILD_LOC(page, off) (((uint32) (page) << 16) | (uint32) (off))

typedef struct TpchgenBtBuild TpchgenBtBuild;

extern TpchgenBtBuild *tpchgen_btbuild_start(Relation index, int nkeys);
extern void tpchgen_btbuild_add(TpchgenBtBuild *b, const int64 *keys,
								const uint32 *locs, int64 nrows,
								BlockNumber first_block);
extern void tpchgen_btbuild_finish(TpchgenBtBuild *b);

#endif							/* TPCHGEN_BTBUILD_H */
