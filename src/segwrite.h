/*
 * segwrite.h - writes runs of a new relation's pages into its segment
 * files, one system call per run (segwrite.c).
 */
#ifndef TPCHGEN_SEGWRITE_H
#define TPCHGEN_SEGWRITE_H

#include "tpchgen_pg.h"

#include "common/relpath.h"
#include "utils/rel.h"

typedef struct TpchgenSegWriter TpchgenSegWriter;

extern TpchgenSegWriter *tpchgen_segwriter_open(Relation rel, ForkNumber fork,
												bool use_wal);
extern void tpchgen_segwriter_write(TpchgenSegWriter *w, BlockNumber first,
									char *pages, int npages);
extern void tpchgen_segwriter_close(TpchgenSegWriter *w);

#endif							/* TPCHGEN_SEGWRITE_H */
