/*
 * pg_compat.h - the differences between the PostgreSQL majors tpchgen builds
 * against, 15 to 18, in one place.
 *
 * The code of src/ is written against PostgreSQL 18's API.  For an older
 * major, this header includes what 18 moved to new headers and redefines
 * each changed function as a macro of the same name that calls the old
 * form (a macro does not expand itself again, so the old function is what
 * gets called).  Every PG_VERSION_NUM test of the project lives here.
 *
 * How to use it: every file of src/ gets it through tpchgen_pg.h.  When a
 * new file needs an API that differs between these majors, call the 18 form
 * and add its shim here, after including the header that declares the
 * function (the shim must come after the prototype); never test
 * PG_VERSION_NUM in a .c file.  15 and 18 are built and tested; the 16 and
 * 17 branches are written from those releases' headers and are expected to
 * build.
 */
#ifndef TPCHGEN_PG_COMPAT_H
#define TPCHGEN_PG_COMPAT_H

#include "postgres.h"

#include "access/multixact.h"
#include "commands/explain.h"
#include "commands/vacuum.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "storage/proc.h"
#include "utils/rel.h"
#include "utils/varlena.h"

#if PG_VERSION_NUM < 150000
#error "tpchgen needs PostgreSQL 15 or later"
#endif

/* 16 moved the varlena header macros out of postgres.h into varatt.h. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* 18 moved ExplainState and the ExplainProperty* functions out of explain.h. */
#if PG_VERSION_NUM >= 180000
#include "commands/explain_format.h"
#include "commands/explain_state.h"
#endif

/*
 * The module's magic block: 18 can record the name and version, which
 * pg_get_loaded_modules() shows.
 */
#if PG_VERSION_NUM >= 180000
#define TPCHGEN_MODULE_MAGIC \
	PG_MODULE_MAGIC_EXT(.name = "tpchgen", .version = TPCHGEN_VERSION)
#else
#define TPCHGEN_MODULE_MAGIC PG_MODULE_MAGIC
#endif

/*
 * create_foreignscan_path: 17 added fdw_restrictinfo (always NIL for a
 * base relation before 17, so dropped there), 18 added disabled_nodes
 * (always 0 here: we never build a disabled path).
 */
#if PG_VERSION_NUM < 170000
#define create_foreignscan_path(root, rel, target, rows, disabled_nodes, \
								startup_cost, total_cost, pathkeys, \
								required_outer, fdw_outerpath, \
								fdw_restrictinfo, fdw_private) \
	create_foreignscan_path(root, rel, target, rows, startup_cost, total_cost, \
							pathkeys, required_outer, fdw_outerpath, fdw_private)
#elif PG_VERSION_NUM < 180000
#define create_foreignscan_path(root, rel, target, rows, disabled_nodes, \
								startup_cost, total_cost, pathkeys, \
								required_outer, fdw_outerpath, \
								fdw_restrictinfo, fdw_private) \
	create_foreignscan_path(root, rel, target, rows, startup_cost, total_cost, \
							pathkeys, required_outer, fdw_outerpath, \
							fdw_restrictinfo, fdw_private)
#endif

/*
 * build_expression_pathkey: 16's outer-join-aware Vars removed the
 * nullable_relids argument (NULL for a base relation's own expressions).
 */
#if PG_VERSION_NUM < 160000
#define build_expression_pathkey(root, expr, opno, rel, create_it) \
	build_expression_pathkey(root, expr, NULL, opno, rel, create_it)
#endif

/* vacuum_delay_point: 18 added is_analyze, for ANALYZE's own cost delay. */
#if PG_VERSION_NUM < 180000
#define vacuum_delay_point(is_analyze) vacuum_delay_point()
#endif

/*
 * 16 renamed RelFileNode to RelFileLocator, and a relation's rd_node to
 * rd_locator; the functions that take one (log_newpage, ...) kept their
 * names.
 */
#if PG_VERSION_NUM < 160000
#define rd_locator rd_node
#endif

/* 16's direct I/O wants buffers so aligned; 15 has none. */
#if PG_VERSION_NUM < 160000
#define PG_IO_ALIGN_SIZE 4096
#endif

/* 17 dropped PGPROC.pgprocno for a macro that computes it. */
#if PG_VERSION_NUM < 170000
#define GetNumberFromPGProc(proc) ((proc)->pgprocno)
#endif

/*
 * The "Perhaps you meant" matcher of 16 (utils/varlena.h), for 15: the
 * candidate nearest to the source by edit distance, if at most max_d and at
 * most half the source's length away; the first of equally near ones.
 */
#if PG_VERSION_NUM < 160000
typedef struct ClosestMatchState
{
	const char *source;
	int			min_d;			/* distance of match, -1 while none */
	int			max_d;
	const char *match;
} ClosestMatchState;

static inline void
initClosestMatch(ClosestMatchState *state, const char *source, int max_d)
{
	state->source = source;
	state->min_d = -1;
	state->max_d = max_d;
	state->match = NULL;
}

static inline void
updateClosestMatch(ClosestMatchState *state, const char *candidate)
{
	int			len;
	int			bound;
	int			d;

	if (state->source == NULL || candidate == NULL)
		return;
	len = strlen(state->source);
	bound = Min(state->max_d, len / 2);
	/* Only a strictly nearer candidate can replace the one found. */
	if (state->min_d >= 0)
		bound = Min(bound, state->min_d - 1);
	if (bound < 0)
		return;
	d = varstr_levenshtein_less_equal(state->source, len, candidate,
									  strlen(candidate), 1, 1, 1, bound, true);
	if (d <= bound)
	{
		state->min_d = d;
		state->match = candidate;
	}
}

static inline const char *
getClosestMatch(ClosestMatchState *state)
{
	return state->match;
}
#endif

/*
 * Sets pg_class's relpages, reltuples and relallvisible (and on 18 and later
 * relallfrozen, the same) of a relation created by this transaction, as an
 * index build does for its table and index; 18 added relallfrozen.
 */
static inline void
tpchgen_set_relstats(Relation rel, BlockNumber pages, double tuples,
					 BlockNumber allvisible)
{
#if PG_VERSION_NUM >= 180000
	vac_update_relstats(rel, pages, tuples, allvisible, allvisible,
						rel->rd_rel->relhasindex, InvalidTransactionId,
						InvalidMultiXactId, NULL, NULL, true);
#else
	vac_update_relstats(rel, pages, tuples, allvisible,
						rel->rd_rel->relhasindex, InvalidTransactionId,
						InvalidMultiXactId, NULL, NULL, true);
#endif
}

/*
 * Writing the pages of a relation created in this transaction around shared
 * buffers (tpch_load).
 *
 * tpchgen_log_pages WAL-logs npages pages whole (log_newpages, up to
 * XLR_MAX_BLOCK_ID to a record), at blocks first, first + 1, ...
 *
 * tpchgen_write_blocks writes npages standard or non-standard pages (page_std,
 * as log_newpage takes it) at blocks first, first + 1, ...: WAL-logged whole,
 * up to XLR_MAX_BLOCK_ID to a record, when use_wal, then written through smgr
 * with a request that the checkpointer sync the segment (none when !use_wal:
 * an unlogged fork is synced at the end, under wal_level = minimal the commit
 * syncs or WAL-logs the new relation).  Any process may call it, at any
 * blocks, in any order, as long as every segment before the one it writes in
 * is whole (md.c pads a short earlier segment with a zero page, which could
 * land on a page another process writes at the same time).  Every version
 * has these smgr steps.
 *
 * tpchgen_sync_written, once every page of the fork is written, makes them
 * durable by the commit where the checkpointer will not: a checkpoint that
 * began after `start_redo` (GetRedoRecPtr() before the first write) may have
 * let its redo pointer pass records whose pages it did not sync, so then the
 * fork is synced here, as is an unlogged fork.  Returns whether it synced.
 */
#include "access/xlog.h"
#include "access/xloginsert.h"
#include "storage/bufpage.h"
#include "storage/smgr.h"

static inline void
tpchgen_log_pages(Relation rel, ForkNumber fork, BlockNumber first,
				  char *pages, int npages, bool page_std)
{
	for (int done = 0; done < npages; done += XLR_MAX_BLOCK_ID)
	{
		int			n = Min(XLR_MAX_BLOCK_ID, npages - done);
		BlockNumber blknos[XLR_MAX_BLOCK_ID];
		Page		list[XLR_MAX_BLOCK_ID];

		for (int i = 0; i < n; i++)
		{
			blknos[i] = first + done + i;
			list[i] = pages + (Size) (done + i) * BLCKSZ;
		}
		log_newpages(&rel->rd_locator, fork, n, blknos, list, page_std);
	}
}

static inline void
tpchgen_write_blocks(Relation rel, ForkNumber fork, bool use_wal,
					 BlockNumber first, char *pages, int npages, bool page_std)
{
	if (use_wal)
		tpchgen_log_pages(rel, fork, first, pages, npages, page_std);
	for (int i = 0; i < npages; i++)
	{
		Page		page = pages + (Size) i * BLCKSZ;

		PageSetChecksumInplace(page, first + i);
		smgrextend(RelationGetSmgr(rel), fork, first + i, page, !use_wal);
	}
}

static inline bool
tpchgen_sync_written(Relation rel, ForkNumber fork, bool use_wal,
					 XLogRecPtr start_redo)
{
	if ((use_wal && GetRedoRecPtr() != start_redo) ||
		rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED)
	{
		smgrimmedsync(RelationGetSmgr(rel), fork);
		return true;
	}
	return false;
}

/*
 * A new relation's segment files written through descriptors of our own
 * (segwrite.c), as md.c would write them: the path of a fork (18 returns it
 * by value), the tag of md.c's sync request for a segment (16 renamed its
 * relation field), and the flags md.c opens data files with (16 added
 * direct I/O).
 */
#include "common/relpath.h"
#include "storage/fd.h"
#include "storage/sync.h"

static inline void
tpchgen_fork_path(Relation rel, ForkNumber fork, char *buf)
{
#if PG_VERSION_NUM >= 180000
	RelPathStr	path = relpathbackend(rel->rd_locator, rel->rd_backend, fork);

	strlcpy(buf, path.str, MAXPGPATH);
#else
	char	   *path = relpathbackend(rel->rd_locator, rel->rd_backend, fork);

	strlcpy(buf, path, MAXPGPATH);
	pfree(path);
#endif
}

static inline void
tpchgen_md_filetag(FileTag *tag, Relation rel, ForkNumber fork,
				   BlockNumber segno)
{
	/* the checkpointer hashes the whole tag: the padding must be zero */
	memset(tag, 0, sizeof(FileTag));
	tag->handler = SYNC_HANDLER_MD;
	tag->forknum = fork;
#if PG_VERSION_NUM >= 160000
	tag->rlocator = rel->rd_locator;
#else
	tag->rnode = rel->rd_locator;
#endif
	tag->segno = segno;
}

#if PG_VERSION_NUM >= 160000
#define TPCHGEN_DATA_FILE_FLAGS \
	(O_RDWR | O_CREAT | PG_BINARY | \
	 ((io_direct_flags & IO_DIRECT_DATA) ? PG_O_DIRECT : 0))
#else
#define TPCHGEN_DATA_FILE_FLAGS (O_RDWR | O_CREAT | PG_BINARY)
#endif

/*
 * One writer for a whole fork, in block order (tpch_load's visibility map):
 * tpchgen_bulk_start, tpchgen_bulk_write (as tpchgen_write_blocks), then
 * tpchgen_bulk_finish, which makes the pages durable as
 * tpchgen_sync_written does.  The caller's pages may be reused as soon as
 * tpchgen_bulk_write returns.
 */
#if PG_VERSION_NUM >= 170000
/*
 * 17's bulk-write API: the pages are handed to the checkpointer once per
 * fork at the end instead of once per write, and an unlogged fork is left to
 * the shutdown checkpoint rather than synced here.  It takes buffers of its
 * own, so the pages are copied into them.
 */
#include "storage/bulk_write.h"

typedef BulkWriteState TpchgenBulkWrite;

static inline TpchgenBulkWrite *
tpchgen_bulk_start(Relation rel, ForkNumber fork)
{
	return smgr_bulk_start_rel(rel, fork);
}

static inline void
tpchgen_bulk_write(TpchgenBulkWrite *bw, BlockNumber first, char *pages,
				   int npages, bool page_std)
{
	for (int i = 0; i < npages; i++)
	{
		BulkWriteBuffer buf = smgr_bulk_get_buf(bw);

		memcpy(buf->data, pages + (Size) i * BLCKSZ, BLCKSZ);
		smgr_bulk_write(bw, first + i, buf, page_std);
	}
}

static inline void
tpchgen_bulk_finish(TpchgenBulkWrite *bw)
{
	smgr_bulk_finish(bw);
}
#else
/* Before 17, the smgr steps above, from the caller's memory. */
typedef struct TpchgenBulkWrite
{
	Relation	rel;
	ForkNumber	fork;
	bool		use_wal;
	XLogRecPtr	start_redo;		/* redo pointer before our first record */
} TpchgenBulkWrite;

static inline TpchgenBulkWrite *
tpchgen_bulk_start(Relation rel, ForkNumber fork)
{
	TpchgenBulkWrite *bw = palloc(sizeof(TpchgenBulkWrite));

	bw->rel = rel;
	bw->fork = fork;
	bw->use_wal = RelationNeedsWAL(rel);
	bw->start_redo = GetRedoRecPtr();
	return bw;
}

static inline void
tpchgen_bulk_write(TpchgenBulkWrite *bw, BlockNumber first, char *pages,
				   int npages, bool page_std)
{
	tpchgen_write_blocks(bw->rel, bw->fork, bw->use_wal, first, pages, npages,
						 page_std);
}

static inline void
tpchgen_bulk_finish(TpchgenBulkWrite *bw)
{
	(void) tpchgen_sync_written(bw->rel, bw->fork, bw->use_wal,
								bw->start_redo);
	pfree(bw);
}
#endif

#endif							/* TPCHGEN_PG_COMPAT_H */
