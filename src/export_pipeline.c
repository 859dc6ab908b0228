/*
 * export_pipeline.c - the ordered pipeline of tpch_export and COPY TO a
 * file: workers generate and format chunks, the leader writes them in order.
 *
 * A table part is cut into numbered chunks of group rows whose boundaries
 * depend only on (table, sf, part, parts).  Producers (parallel workers, and
 * the leader when it has nothing to write) claim chunks in order, format their
 * rows into shared slot buffers (compressing each buffer into one zstd frame)
 * and the leader writes the slots in chunk order.  The file is therefore the
 * same bytes whatever the number of workers, and identical to bin/tpchgen.
 *
 * Chunk c may only use slot c % nslots, and only after chunk c - nslots has
 * left it: every chunk before c can then always make progress, so the
 * producers can never deadlock waiting for each other's slots.
 */
#include "export.h"

#include "../core/update.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_toc.h"
#include "utils/backend_progress.h"

#include <sched.h>
#include <unistd.h>

/* Raw bytes a chunk aims at: big writes, yet many chunks to share out. */
#define CHUNK_BYTES (2 * 1024 * 1024)

/* Keys of the parallel DSM table of contents. */
#define EXPORT_KEY_SHARED		UINT64CONST(0x7470636800000001)
#define EXPORT_KEY_BUFFERS		UINT64CONST(0x7470636800000002)

struct ExportRun;

/* One process that generates chunks: a worker or the leader. */
typedef struct ExportProducer
{
	ExportShared *sh;
	char	   *bufs;			/* nslots * slot_cap bytes */
	struct ExportRun *run;		/* the leader's run; NULL in a worker */
	char	   *raw;			/* zstd: rows before compression */
	ZSTD_CCtx  *cctx;
	bool		gen_ready;		/* gen is initialised for this file */
	tpch_gen	gen;
} ExportProducer;

/* The leader's state while it writes one file. */
typedef struct ExportRun
{
	ExportShared *sh;
	ParallelContext *pcxt;
	ExportWriter *writer;
	ExportProducer prod;
	bool		participate;	/* the leader also generates chunks */
	int			pending;		/* writes submitted and not yet done */
	int64		next;			/* next chunk to write */
	uint64		offset;			/* where the next piece goes */
	int64		rows;
	uint64		bytes;
	int64		progress_rows;	/* totals of the files before this one */
	uint64		progress_bytes;
} ExportRun;

PGDLLEXPORT void tpchgen_export_worker(dsm_segment *seg, shm_toc *toc);

static int	export_cpus(void);
static size_t export_compress(ZSTD_CCtx *cctx, char *dst, size_t cap,
							  const char *src, size_t len);
static void export_leader_loop(ExportRun *r);
static void slot_release(ExportShared *sh, int idx);
static bool leader_service(ExportRun *r);
static bool leader_claim(ExportRun *r, int64 *chunk);
static void leader_idle(ExportRun *r);
static void export_test_delay(int ms);
static void producer_wait_slot(ExportProducer *p, ExportSlot *s, int64 chunk);
static void produce_chunk(ExportProducer *p, int64 chunk);

/* Average .tbl bytes per group row at SF 1, to size chunks. */
static const int group_row_bytes[TPCH_NTABLES] = {
	[TPCH_REGION] = 78,
	[TPCH_NATION] = 89,
	[TPCH_SUPPLIER] = 141,
	[TPCH_PART] = 121,
	[TPCH_PARTSUPP] = 595,
	[TPCH_CUSTOMER] = 162,
	[TPCH_ORDERS] = 115,
	[TPCH_LINEITEM] = 507,
};

/* The CPUs this process may run on (its affinity mask, as in a container). */
static int
export_cpus(void)
{
	cpu_set_t	set;
	long		n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int) n : 1;
}

/* A zstd context for one producer, owned by `cl` from the start. */
void
tpchgen_export_zstd_create(ExportCleanup *cl, int level)
{
	size_t		rc;

	cl->cctx = ZSTD_createCCtx();
	if (cl->cctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not create a zstd compression context.")));
	rc = ZSTD_CCtx_setParameter(cl->cctx, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(rc))
		rc = ZSTD_CCtx_setParameter(cl->cctx, ZSTD_c_checksumFlag, 1);
	if (ZSTD_isError(rc))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not set up zstd compression: %s",
						ZSTD_getErrorName(rc))));
}

/* Compresses src into one complete zstd frame at dst. */
static size_t
export_compress(ZSTD_CCtx *cctx, char *dst, size_t cap, const char *src,
				size_t len)
{
	size_t		n = ZSTD_compress2(cctx, dst, cap, src, len);

	if (ZSTD_isError(n))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compress export data: %s",
						ZSTD_getErrorName(n))));
	return n;
}

/* ------------------------------------------------------------------------
 * One file
 * ------------------------------------------------------------------------ */

void
tpchgen_export_file(ExportCleanup *cl, ExportFile *f, const ExportShared *tmpl,
					bool header, int workers, int64 *total_rows,
					uint64 *total_bytes)
{
	ExportShared *sh;
	ExportRun	r;
	int64		first;
	int64		count;
	int64		chunk_rows;
	int64		nchunks;
	int			nworkers;
	int			nslots;
	size_t		raw_cap;
	size_t		slot_cap;
	size_t		shared_size;
	char	   *bufs;

	if (f->update_kind != 0)
		tpch_update_range(f->update_kind, tmpl->sf, tmpl->set, 1, 1, &first, &count);
	else
		tpch_part_range(f->table, tmpl->sf, tmpl->part, tmpl->parts, &first, &count);
	chunk_rows = Max(1, CHUNK_BYTES / group_row_bytes[f->table]);
	nchunks = (count + chunk_rows - 1) / chunk_rows;
	raw_cap = CHUNK_BYTES + CHUNK_BYTES / 2 + TPCH_MAX_LINE;
	slot_cap = tmpl->zstd ? ZSTD_compressBound(raw_cap) : raw_cap;

	/* Workers only help when there is more than one chunk to share. */
	nworkers = workers >= 0 ? workers : max_parallel_workers_per_gather;
	nworkers = Min(nworkers, max_worker_processes);
	if (nworkers > nchunks - 1)
		nworkers = Max(nchunks - 1, 0);
	nslots = 2 * (nworkers + 1) + 2;
	shared_size = EXPORT_SHARED_SIZE(nslots, nworkers);

	cl->writer = tpchgen_writer_create(f->fd, f->path, tpchgen_io_method,
									   tpchgen_direct_io, nslots + 1);

	memset(&r, 0, sizeof(r));
	if (nworkers > 0)
	{
		EnterParallelMode();
		r.pcxt = CreateParallelContext("tpchgen", "tpchgen_export_worker",
									   nworkers);
		shm_toc_estimate_chunk(&r.pcxt->estimator, shared_size);
		shm_toc_estimate_chunk(&r.pcxt->estimator, nslots * slot_cap);
		shm_toc_estimate_keys(&r.pcxt->estimator, 2);
		InitializeParallelDSM(r.pcxt);
		sh = shm_toc_allocate(r.pcxt->toc, shared_size);
		bufs = shm_toc_allocate(r.pcxt->toc, nslots * slot_cap);
		shm_toc_insert(r.pcxt->toc, EXPORT_KEY_SHARED, sh);
		shm_toc_insert(r.pcxt->toc, EXPORT_KEY_BUFFERS, bufs);
	}
	else
	{
		sh = palloc(shared_size);
		bufs = palloc(nslots * slot_cap);
	}

	memcpy(sh, tmpl, offsetof(ExportShared, slots));
	sh->table = f->table;
	sh->update_kind = f->update_kind;
	sh->first = first;
	sh->count = count;
	sh->chunk_rows = chunk_rows;
	sh->nchunks = nchunks;
	sh->nslots = nslots;
	sh->raw_cap = raw_cap;
	sh->slot_cap = slot_cap;
	sh->leader_pgprocno = GetNumberFromPGProc(MyProc);
	SpinLockInit(&sh->mutex);
	ConditionVariableInit(&sh->slot_freed);
	sh->next_chunk = 0;
	for (int i = 0; i < nslots; i++)
	{
		sh->slots[i].chunk = i;
		sh->slots[i].state = SLOT_FREE;
	}
	for (int i = 0; i < nworkers; i++)
		EXPORT_WORKER_CHUNKS(sh)[i] = -1;

	r.sh = sh;
	r.writer = cl->writer;
	r.prod.sh = sh;
	r.prod.bufs = bufs;
	r.prod.run = &r;
	r.prod.cctx = cl->cctx;
	if (sh->zstd)
		r.prod.raw = palloc(raw_cap);
	r.offset = f->start;
	r.progress_rows = *total_rows;
	r.progress_bytes = *total_bytes;

	if (r.pcxt != NULL)
		LaunchParallelWorkers(r.pcxt);
	/*
	 * The leader is the writer first: it generates too only when a CPU is
	 * left for it.  On a core the workers already fill, the chunks it takes
	 * hold up the in-order writes that every worker waits for.
	 */
	r.participate = r.pcxt == NULL || r.pcxt->nworkers_launched == 0 ||
		(parallel_leader_participation &&
		 r.pcxt->nworkers_launched < export_cpus());

	if (header)
	{
		char	   *line = palloc(TPCH_MAX_LINE);
		size_t		len = f->update_kind != 0 ?
			tpch_update_format_header(f->table, f->update_kind, line) :
			tpch_format_header(f->table, line);

		if (sh->zstd)
		{
			char	   *frame = palloc(ZSTD_compressBound(len));

			len = export_compress(cl->cctx, frame, ZSTD_compressBound(len),
								  line, len);
			line = frame;
		}
		/* Tag nslots: not a slot, nothing to release when it is done. */
		tpchgen_writer_write(r.writer, line, len, r.offset, nslots);
		r.pending++;
		r.offset += len;
		r.bytes += len;
	}

	export_leader_loop(&r);

	if (r.pcxt != NULL)
	{
		WaitForParallelWorkersToFinish(r.pcxt);
		DestroyParallelContext(r.pcxt);
		ExitParallelMode();
	}
	tpchgen_writer_finish(cl->writer);
	tpchgen_writer_close(cl->writer);
	cl->writer = NULL;
	/* 'all' writes eight files: hold one file's buffers at a time */
	if (r.pcxt == NULL)
	{
		pfree(bufs);
		pfree(sh);
	}
	if (r.prod.raw != NULL)
		pfree(r.prod.raw);
	/* Closed at the commit: an unnamed file lives only as long as it is open. */

	f->rows = r.rows;
	f->bytes = r.bytes;
	*total_rows += r.rows;
	*total_bytes += r.bytes;
}

/* ------------------------------------------------------------------------
 * The leader: writes pieces in chunk order, generates when it is idle
 * ------------------------------------------------------------------------ */

static void
export_leader_loop(ExportRun *r)
{
	ExportShared *sh = r->sh;
	int64		chunk;

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (leader_service(r))
			continue;
		if (r->next >= sh->nchunks && r->pending == 0)
			break;
		if (r->participate && leader_claim(r, &chunk))
			produce_chunk(&r->prod, chunk);
		else
			leader_idle(r);
	}
}

/* Gives a written slot back to its chunk, or to chunk + nslots. */
static void
slot_release(ExportShared *sh, int idx)
{
	ExportSlot *s = &sh->slots[idx];

	SpinLockAcquire(&sh->mutex);
	if (s->last)
		s->chunk += sh->nslots;
	s->state = SLOT_FREE;
	SpinLockRelease(&sh->mutex);
}

/*
 * Takes back finished writes and submits every piece that is next in order.
 * Returns whether anything moved.
 */
static bool
leader_service(ExportRun *r)
{
	ExportShared *sh = r->sh;
	bool		moved = false;
	bool		freed = false;
	int			tag;

	while (tpchgen_writer_next_done(r->writer, false, &tag))
	{
		r->pending--;
		moved = true;
		if (tag < sh->nslots)
		{
			slot_release(sh, tag);
			freed = true;
		}
	}

	while (r->next < sh->nchunks)
	{
		int			idx = r->next % sh->nslots;
		ExportSlot *s = &sh->slots[idx];
		bool		ready;
		bool		last = false;
		size_t		len = 0;
		int64		rows = 0;

		SpinLockAcquire(&sh->mutex);
		ready = s->chunk == r->next && s->state == SLOT_FILLED;
		if (ready)
		{
			s->state = SLOT_WRITING;
			len = s->len;
			last = s->last;
			rows = s->rows;
		}
		SpinLockRelease(&sh->mutex);
		if (!ready)
			break;

		if (len > 0)
		{
			tpchgen_writer_write(r->writer, r->prod.bufs + idx * sh->slot_cap,
								 len, r->offset, idx);
			r->pending++;
		}
		else
		{
			slot_release(sh, idx);
			freed = true;
		}
		r->offset += len;
		r->bytes += len;
		r->rows += rows;
		if (last)
			r->next++;
		moved = true;
	}

	if (freed && r->pcxt != NULL)
		ConditionVariableBroadcast(&sh->slot_freed);
	if (moved)
	{
		const int	index[] = {PROGRESS_COPY_BYTES_PROCESSED,
		PROGRESS_COPY_TUPLES_PROCESSED};
		const int64 val[] = {(int64) (r->progress_bytes + r->bytes),
		r->progress_rows + r->rows};

		pgstat_progress_update_multi_param(2, index, val);
	}
	return moved;
}

/* Claims the next chunk if its slot is free now: the leader never blocks. */
static bool
leader_claim(ExportRun *r, int64 *chunk)
{
	ExportShared *sh = r->sh;
	bool		ok;

	SpinLockAcquire(&sh->mutex);
	*chunk = sh->next_chunk;
	ok = *chunk < sh->nchunks &&
		sh->slots[*chunk % sh->nslots].chunk == *chunk &&
		sh->slots[*chunk % sh->nslots].state == SLOT_FREE;
	if (ok)
		sh->next_chunk++;
	SpinLockRelease(&sh->mutex);
	return ok;
}

/*
 * Nothing to do until a worker fills a slot or a write completes.  A worker's
 * error arrives through CHECK_FOR_INTERRUPTS; a worker that is gone without
 * one must not leave the leader waiting for its chunk forever, and when no
 * worker is left the leader generates the rest itself.
 */
static void
leader_idle(ExportRun *r)
{
	pgsocket	fd;

	if (r->pcxt != NULL)
	{
		int			alive = 0;

		for (int i = 0; i < r->pcxt->nworkers_launched; i++)
		{
			pid_t		pid;
			int64		held;

			if (GetBackgroundWorkerPid(r->pcxt->worker[i].bgwhandle, &pid) != BGWH_STOPPED)
			{
				alive++;
				continue;
			}
			SpinLockAcquire(&r->sh->mutex);
			held = EXPORT_WORKER_CHUNKS(r->sh)[i];
			SpinLockRelease(&r->sh->mutex);
			if (held >= 0)
			{
				/* Its own error, if it sent one, explains it better. */
				CHECK_FOR_INTERRUPTS();
				ereport(ERROR,
						(errcode(ERRCODE_INTERNAL_ERROR),
						 errmsg("parallel worker exited before finishing its part of the export")));
			}
		}
		if (alive == 0)
			r->participate = true;
	}

	fd = tpchgen_writer_wait_fd(r->writer);
	(void) WaitLatchOrSocket(MyLatch,
							 WL_LATCH_SET | WL_EXIT_ON_PM_DEATH |
							 (fd != PGINVALID_SOCKET ? WL_SOCKET_READABLE : 0),
							 fd, -1L, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
}

/* ------------------------------------------------------------------------
 * Producers
 * ------------------------------------------------------------------------ */

/* Test hook: slows generation down so that tests can cancel mid-way. */
static void
export_test_delay(int ms)
{
	for (int done = 0; done < ms; done += 10)
	{
		pg_usleep(10 * 1000L);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Waits until `chunk` may fill slot `s`. */
static void
producer_wait_slot(ExportProducer *p, ExportSlot *s, int64 chunk)
{
	ExportShared *sh = p->sh;

	for (;;)
	{
		bool		free;

		SpinLockAcquire(&sh->mutex);
		free = s->chunk == chunk && s->state == SLOT_FREE;
		SpinLockRelease(&sh->mutex);
		if (free)
			break;
		if (p->run == NULL)
			ConditionVariableSleep(&sh->slot_freed, PG_WAIT_EXTENSION);
		else if (!leader_service(p->run))
			leader_idle(p->run);
	}
	if (p->run == NULL)
		ConditionVariableCancelSleep();
}

/*
 * Generates one chunk into its slot, one piece per slot fill (normally a
 * single one), each piece compressed into its own zstd frame when asked.
 */
static void
produce_chunk(ExportProducer *p, int64 chunk)
{
	ExportShared *sh = p->sh;
	int			idx = chunk % sh->nslots;
	ExportSlot *s = &sh->slots[idx];
	char	   *out = p->bufs + idx * sh->slot_cap;
	int64		first = sh->first + chunk * sh->chunk_rows;
	int64		count = Min(sh->chunk_rows, sh->first + sh->count - first);
	bool		last = false;
	int			rc;

	if (sh->test_delay_ms > 0)
		export_test_delay(sh->test_delay_ms);

	/*
	 * One generator per producer and file, seeking forward from chunk to
	 * chunk: at SF >= 30000 a seek replays orders only over the gap.
	 */
	if (!p->gen_ready)
	{
		rc = sh->update_kind != 0 ?
			tpch_update_init(&p->gen, sh->table, sh->update_kind, sh->sf,
							 sh->set, 1, 1) :
			tpch_gen_init(&p->gen, sh->table, sh->sf, sh->part, sh->parts);
		if (rc != TPCH_OK)
			elog(ERROR, "could not start a tpchgen generator: %s",
				 tpch_strerror(rc));
		p->gen_ready = true;
	}
	rc = tpch_gen_seek(&p->gen, first, count);
	if (rc == TPCH_OK && sh->copy)
		rc = tpch_gen_set_columns(&p->gen, sh->spec.columns);
	if (rc != TPCH_OK)
		elog(ERROR, "could not seek a tpchgen generator: %s", tpch_strerror(rc));

	while (!last)
	{
		int64		rows = 0;
		size_t		n;
		size_t		len;

		producer_wait_slot(p, s, chunk);
		if (sh->copy)
		{
			int64		got = tpch_copy_gen(&p->gen, &sh->spec, out, sh->raw_cap,
											NULL, INT_MAX, &rows);

			if (got < 0)
				elog(ERROR, "could not generate tpchgen rows: %s",
					 tpch_strerror((int) -got));
			n = (size_t) got;
			last = sh->raw_cap - n >= sh->spec.row_bound;
		}
		else
		{
			n = tpch_gen_format(&p->gen, sh->format, sh->zstd ? p->raw : out,
								sh->raw_cap, &rows);
			/* It stops early only at the end of the range. */
			last = sh->raw_cap - n >= TPCH_MAX_LINE;
		}
		len = n;
		if (sh->zstd && n > 0)
			len = export_compress(p->cctx, out, sh->slot_cap, p->raw, n);

		SpinLockAcquire(&sh->mutex);
		s->len = len;
		s->rows = rows;
		s->last = last;
		s->state = SLOT_FILLED;
		if (last && p->run == NULL)
			EXPORT_WORKER_CHUNKS(sh)[ParallelWorkerNumber] = -1;
		SpinLockRelease(&sh->mutex);
		if (p->run == NULL)
			SetLatch(&ProcGlobal->allProcs[sh->leader_pgprocno].procLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Entry point of a parallel worker: claims chunks until none is left. */
void
tpchgen_export_worker(dsm_segment *seg, shm_toc *toc)
{
	ExportProducer p;
	ExportCleanup *cl = palloc0(sizeof(ExportCleanup));

	cl->cb.func = tpchgen_export_cleanup;
	cl->cb.arg = cl;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &cl->cb);

	memset(&p, 0, sizeof(p));
	p.sh = shm_toc_lookup(toc, EXPORT_KEY_SHARED, false);
	p.bufs = shm_toc_lookup(toc, EXPORT_KEY_BUFFERS, false);
	tpchgen_pool();
	if (p.sh->zstd)
	{
		tpchgen_export_zstd_create(cl, p.sh->level);
		p.cctx = cl->cctx;
		p.raw = palloc(p.sh->raw_cap);
	}

	for (;;)
	{
		ExportShared *sh = p.sh;
		int64		chunk;

		SpinLockAcquire(&sh->mutex);
		chunk = sh->next_chunk;
		if (chunk < sh->nchunks)
		{
			sh->next_chunk++;
			EXPORT_WORKER_CHUNKS(sh)[ParallelWorkerNumber] = chunk;
		}
		SpinLockRelease(&sh->mutex);
		if (chunk >= sh->nchunks)
			break;
		produce_chunk(&p, chunk);
	}
}
