/*
 * fdw_cache.h - the rescan cache of tpchgen foreign scans (fdw_cache.c),
 * private to the FDW.
 */
#ifndef TPCHGEN_FDW_CACHE_H
#define TPCHGEN_FDW_CACHE_H

#include "tpchgen_pg.h"

#include "commands/explain.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"

typedef struct TpchgenCache TpchgenCache;

/*
 * At plan time: how many runs of a scan of baserel (key column keyatt, or
 * 0) one generation serves through its cache; 1 without a cache.
 */
extern double tpchgen_cache_runs(PlannerInfo *root, RelOptInfo *baserel,
								 AttrNumber keyatt);

/*
 * A scan's cache, or NULL when the scan cannot use one.  attcol maps each
 * attribute to its TPC-H column, -1 for those not generated; keys is
 * tpchgen_cache_runs at plan time, the keys the cache should expect.
 */
extern TpchgenCache *tpchgen_cache_create(ForeignScanState *node,
										  const int *attcol, double keys);

/* At the start of a run: whether the last run stopped while recording. */
extern bool tpchgen_cache_recording(TpchgenCache *cache);

/*
 * Records a generated row (in slot) while recording; false when the row
 * fails the conditions of the filter that hold no parameter, so that the
 * scan's filter would reject it too.
 */
extern bool tpchgen_cache_add(TpchgenCache *cache, TupleTableSlot *slot);

/* The generator ran out: a recording is complete. */
extern void tpchgen_cache_done(TpchgenCache *cache);

/*
 * At the start of a run: true when the cache serves it, with the rows of
 * the current parameter values; false when the run generates (and, on the
 * first run, records).
 */
extern bool tpchgen_cache_lookup(TpchgenCache *cache, ExprContext *econtext);

/* The next served row into slot; false after the last. */
extern bool tpchgen_cache_next(TpchgenCache *cache, TupleTableSlot *slot);

extern void tpchgen_cache_explain(ForeignScanState *node, TpchgenCache *cache,
								  const int *attcol, ExplainState *es);
extern void tpchgen_cache_end(TpchgenCache *cache);

#endif							/* TPCHGEN_FDW_CACHE_H */
