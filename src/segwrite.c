/*
 * segwrite.c - writes runs of a new relation's pages straight into its
 * segment files, one write() per run, WAL-logged whole when the relation
 * needs WAL (tpch_load's heap).
 *
 * smgrextend writes one 8 kB page a call.  On Linux, buffered writes of
 * 128 kB and more cost about a third of the system CPU of 8 kB writes for
 * the same bytes, and two processes writing one file take the file's lock a
 * sixteenth as often.  PostgreSQL 15 and 16 have no vectored smgr write, so
 * the writer opens the fork's segment files itself (fd.c) and does what
 * md.c's extend does for each page once for the whole run: write, then ask
 * the checkpointer to sync the segment.  Why md.c still finds the files as
 * it expects:
 *
 * - Segment k >= 1 must appear only once segment k - 1 is whole: mdnblocks
 *   stops counting at the first short segment, and the abort's unlink stops
 *   at the first missing one.  The caller writes a block of segment k >= 1
 *   only once every block before that segment is written (load.c's slot
 *   ring), so opening with O_CREAT creates the segments in order, never with
 *   a hole, and a run never crosses a segment's end.
 * - md.c's cache of open segments holds descriptors, not sizes, and smgr
 *   trusts a cached relation size only in recovery: whoever asks md.c the
 *   size afterwards (the sync at the end, pg_class's relpages, a pending
 *   sync under wal_level = minimal) measures the files we wrote.  Nothing
 *   else extends the fork meanwhile: the relation is new in the leader's
 *   transaction, which holds AccessExclusiveLock on it.
 * - Durability: each write sends the sync request md.c's own writes send
 *   (handler md, relation, fork, segment), so a checkpoint fsyncs these
 *   files as it would md.c's, and an abort's unlink cancels the request.
 *   When the checkpointer's queue is full the segment is synced here, as md.c
 *   does.  An unlogged fork or one under wal_level = minimal asks nothing:
 *   it is synced by its owner at the end (see tpchgen_sync_written), so its
 *   writeback is started at once instead, which leaves that sync little to
 *   wait for.
 * - The pages are WAL-logged (log_newpages) before any is written, with
 *   their LSNs set, and checksummed after, as smgrextend's callers do.
 * - Direct I/O (16 and later): files are opened with md.c's flags; the
 *   caller's pages are aligned to PG_IO_ALIGN_SIZE.
 *
 * A descriptor left open by an error is closed when the memory context that
 * holds the writer is reset.
 */
#include "segwrite.h"

#include "storage/bufpage.h"
#include "storage/fd.h"
#include "storage/sync.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include <fcntl.h>

struct TpchgenSegWriter
{
	Relation	rel;
	ForkNumber	fork;
	bool		use_wal;
	char		path[MAXPGPATH];	/* the fork's, segment 0 */
	File		file;			/* the open segment's, or -1 */
	BlockNumber segno;			/* its number */
	MemoryContextCallback cleanup;
};

static void
segwriter_cleanup(void *arg)
{
	TpchgenSegWriter *w = arg;

	if (w->file >= 0)
		FileClose(w->file);
	w->file = -1;
}

/*
 * A writer of `fork` of `rel`, a relation created in this transaction (or
 * the leader's, in a parallel worker); use_wal as the leader decided.
 */
TpchgenSegWriter *
tpchgen_segwriter_open(Relation rel, ForkNumber fork, bool use_wal)
{
	TpchgenSegWriter *w = palloc0(sizeof(TpchgenSegWriter));

	w->rel = rel;
	w->fork = fork;
	w->use_wal = use_wal;
	tpchgen_fork_path(rel, fork, w->path);
	w->file = -1;
	w->cleanup.func = segwriter_cleanup;
	w->cleanup.arg = w;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &w->cleanup);
	return w;
}

/* Opens segment segno (creating it: see the header), closing the last one. */
static void
segwriter_open_segment(TpchgenSegWriter *w, BlockNumber segno)
{
	char		path[MAXPGPATH + 16];

	segwriter_cleanup(w);
	if (segno == 0)
		strlcpy(path, w->path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s.%u", w->path, segno);
	w->file = PathNameOpenFile(path, TPCHGEN_DATA_FILE_FLAGS);
	if (w->file < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\": %m", path)));
	w->segno = segno;
}

/*
 * Writes npages pages at blocks first, first + 1, ..., all in one segment,
 * that segment's predecessors whole.  The pages get their LSNs and
 * checksums here.
 */
void
tpchgen_segwriter_write(TpchgenSegWriter *w, BlockNumber first, char *pages,
						int npages)
{
	BlockNumber segno = first / RELSEG_SIZE;
	off_t		offset = (off_t) (first % RELSEG_SIZE) * BLCKSZ;
	int			nbytes = npages * BLCKSZ;

	Assert(npages > 0 && (first + npages - 1) / RELSEG_SIZE == segno);
	if (w->use_wal)
		tpchgen_log_pages(w->rel, w->fork, first, pages, npages, true);
	for (int i = 0; i < npages; i++)
		PageSetChecksumInplace(pages + (Size) i * BLCKSZ, first + i);

	if (w->file < 0 || w->segno != segno)
		segwriter_open_segment(w, segno);

	/*
	 * A write that the disk cannot take whole writes what fits: the rest is
	 * written again, so that a full disk is reported as such (ENOSPC).
	 */
	for (int done = 0; done < nbytes;)
	{
		int			written = FileWrite(w->file, pages + done, nbytes - done,
										offset + done,
										WAIT_EVENT_DATA_FILE_EXTEND);

		if (written <= 0)
		{
			if (written == 0)
				errno = ENOSPC;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not write blocks %u to %u of file \"%s\": %m",
							first, first + npages - 1, FilePathName(w->file)),
					 errhint("Check free disk space.")));
		}
		done += written;
	}

	if (w->use_wal)
	{
		FileTag		tag;

		tpchgen_md_filetag(&tag, w->rel, w->fork, segno);
		if (!RegisterSyncRequest(&tag, SYNC_REQUEST, false) &&
			FileSync(w->file, WAIT_EVENT_DATA_FILE_SYNC) < 0)
			ereport(data_sync_elevel(ERROR),
					(errcode_for_file_access(),
					 errmsg("could not fsync file \"%s\": %m",
							FilePathName(w->file))));
	}
	else
		FileWriteback(w->file, offset, nbytes, WAIT_EVENT_DATA_FILE_FLUSH);
}

/* Closes the writer's file; the writer is freed with its memory context. */
void
tpchgen_segwriter_close(TpchgenSegWriter *w)
{
	segwriter_cleanup(w);
}
