/*
 * export_pipeline.c - the ordered pipeline of tpch_export and COPY TO a
 * file: workers generate and format chunks, the leader writes them in order.
 *
 * A table part is cut into numbered chunks of group rows whose boundaries
 * depend only on (table, sf, part, parts).  Producers (parallel workers, and
 * the leader when it has nothing to write) claim chunks in order, format their
 * rows into shared slot buffers (compressing each buffer into one zstd frame)
 * and the leader writes the slots in chunk order, through the slot ring of
 * slotring.c.  The file is therefore the same bytes whatever the number of
 * workers, and identical to bin/tpchgen.
 */
#include "export.h"
#include "slotring.h"

#include "../core/update.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/shm_toc.h"
#include "utils/backend_progress.h"

/* Raw bytes a chunk aims at: big writes, yet many chunks to share out. */
#define CHUNK_BYTES (2 * 1024 * 1024)

/* Keys of the parallel DSM table of contents. */
#define EXPORT_KEY_SHARED		UINT64CONST(0x7470636800000001)
#define EXPORT_KEY_BUFFERS		UINT64CONST(0x7470636800000002)
#define EXPORT_KEY_RING			UINT64CONST(0x7470636800000003)

/* One process that generates chunks: a worker or the leader. */
typedef struct ExportProducer
{
	ExportShared *sh;
	SlotRing   *slots;		/* the chunks and slots */
	char	   *bufs;			/* nslots * slot_cap bytes */
	SlotRingLeader *leader;		/* the leader's; NULL in a worker */
	char	   *raw;			/* zstd: rows before compression */
	ZSTD_CCtx  *cctx;
	bool		gen_ready;		/* gen is initialised for this file */
	tpch_gen	gen;
} ExportProducer;

/* The leader's state while it writes one file. */
typedef struct ExportRun
{
	ExportShared *sh;
	SlotRingLeader leader;
	ExportWriter *writer;
	ExportProducer prod;
	int			pending;		/* writes submitted and not yet done */
	uint64		offset;			/* where the next piece goes */
	int64		rows;
	uint64		bytes;
	int64		progress_rows;	/* totals of the files before this one */
	uint64		progress_bytes;
} ExportRun;

PGDLLEXPORT void tpchgen_export_worker(dsm_segment *seg, shm_toc *toc);

static size_t export_compress(ZSTD_CCtx *cctx, char *dst, size_t cap,
							  const char *src, size_t len);
static void leader_produce(void *arg, int64 chunk);
static bool leader_write(void *arg, int idx, const SlotRingSlot *piece);
static bool leader_reap(void *arg);
static int	leader_pending(void *arg);
static void leader_progress(void *arg);
static pgsocket leader_wait_fd(void *arg);
static void export_test_delay(int ms);
static void produce_chunk(ExportProducer *p, int64 chunk);
static void worker_produce(void *arg, int64 chunk);

/* The leader's side of the slot ring: slots are written to the file. */
static const SlotRingOps export_ring_ops = {
	.produce = leader_produce,
	.consume = leader_write,
	.reap = leader_reap,
	.pending = leader_pending,
	.moved = leader_progress,
	.wait_fd = leader_wait_fd,
	.idle_timeout_ms = -1,
	.lost_worker_message = gettext_noop("parallel worker exited before finishing its part of the export"),
};

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
	SlotRing   *ring;
	ParallelContext *pcxt = NULL;
	ExportRun	r;
	int64		first;
	int64		count;
	int64		chunk_rows;
	int64		nchunks;
	int			nworkers;
	int			nslots;
	size_t		raw_cap;
	size_t		slot_cap;
	Size		ring_size;
	char	   *bufs;

	if (f->update_kind != 0)
		tpch_update_range(f->update_kind, tmpl->sf, tmpl->set, 1, 1, &first, &count);
	else
		tpch_part_range(f->table, tmpl->sf, tmpl->part, tmpl->parts, &first, &count);
	chunk_rows = Max(1, CHUNK_BYTES / tpch_group_tbl_bytes(f->table));
	nchunks = (count + chunk_rows - 1) / chunk_rows;
	raw_cap = CHUNK_BYTES + CHUNK_BYTES / 2 + TPCH_MAX_LINE;
	slot_cap = tmpl->zstd ? ZSTD_compressBound(raw_cap) : raw_cap;

	nworkers = tpchgen_slotring_workers(workers, nchunks);
	nslots = SLOTRING_NSLOTS(nworkers);
	ring_size = tpchgen_slotring_size(nslots, nworkers);

	cl->writer = tpchgen_writer_create(f->fd, f->path, tpchgen_io_method,
									   tpchgen_direct_io, nslots + 1);

	memset(&r, 0, sizeof(r));
	if (nworkers > 0)
	{
		EnterParallelMode();
		pcxt = CreateParallelContext("tpchgen", "tpchgen_export_worker",
									 nworkers);
		shm_toc_estimate_chunk(&pcxt->estimator, sizeof(ExportShared));
		shm_toc_estimate_chunk(&pcxt->estimator, ring_size);
		shm_toc_estimate_chunk(&pcxt->estimator, nslots * slot_cap);
		shm_toc_estimate_keys(&pcxt->estimator, 3);
		InitializeParallelDSM(pcxt);
		sh = shm_toc_allocate(pcxt->toc, sizeof(ExportShared));
		ring = shm_toc_allocate(pcxt->toc, ring_size);
		bufs = shm_toc_allocate(pcxt->toc, nslots * slot_cap);
		shm_toc_insert(pcxt->toc, EXPORT_KEY_SHARED, sh);
		shm_toc_insert(pcxt->toc, EXPORT_KEY_RING, ring);
		shm_toc_insert(pcxt->toc, EXPORT_KEY_BUFFERS, bufs);
	}
	else
	{
		sh = palloc(sizeof(ExportShared));
		ring = palloc(ring_size);
		bufs = palloc(nslots * slot_cap);
	}

	*sh = *tmpl;
	sh->table = f->table;
	sh->update_kind = f->update_kind;
	sh->first = first;
	sh->count = count;
	sh->chunk_rows = chunk_rows;
	sh->raw_cap = raw_cap;
	sh->slot_cap = slot_cap;
	tpchgen_slotring_init(ring, nchunks, nslots, nworkers);

	r.sh = sh;
	r.writer = cl->writer;
	r.prod.sh = sh;
	r.prod.slots = ring;
	r.prod.bufs = bufs;
	r.prod.leader = &r.leader;
	r.prod.cctx = cl->cctx;
	if (sh->zstd)
		r.prod.raw = palloc(raw_cap);
	r.offset = f->start;
	r.progress_rows = *total_rows;
	r.progress_bytes = *total_bytes;

	if (pcxt != NULL)
		LaunchParallelWorkers(pcxt);

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

	tpchgen_slotring_lead(&r.leader, ring, pcxt, &export_ring_ops, &r);

	if (pcxt != NULL)
	{
		WaitForParallelWorkersToFinish(pcxt);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
	}
	tpchgen_writer_finish(cl->writer);
	tpchgen_writer_close(cl->writer);
	cl->writer = NULL;
	/* 'all' writes eight files: hold one file's buffers at a time */
	if (pcxt == NULL)
	{
		pfree(bufs);
		pfree(ring);
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
leader_produce(void *arg, int64 chunk)
{
	ExportRun  *r = arg;

	produce_chunk(&r->prod, chunk);
}

/*
 * Submits a piece's write, tagged with its slot; the slot is freed when the
 * write is done (an empty piece's at once).
 */
static bool
leader_write(void *arg, int idx, const SlotRingSlot *piece)
{
	ExportRun  *r = arg;
	bool		done = true;

	if (piece->size > 0)
	{
		tpchgen_writer_write(r->writer, r->prod.bufs + idx * r->sh->slot_cap,
							 piece->size, r->offset, idx);
		r->pending++;
		done = false;
	}
	r->offset += piece->size;
	r->bytes += piece->size;
	r->rows += piece->rows;
	return done;
}

/* Takes back finished writes and frees their slots. */
static bool
leader_reap(void *arg)
{
	ExportRun  *r = arg;
	bool		moved = false;
	int			tag;

	while (tpchgen_writer_next_done(r->writer, false, &tag))
	{
		r->pending--;
		moved = true;
		/* the header's tag is nslots: not a slot */
		if (tag < r->leader.ring->nslots)
			tpchgen_slotring_release(&r->leader, tag);
	}
	return moved;
}

static int
leader_pending(void *arg)
{
	return ((ExportRun *) arg)->pending;
}

static void
leader_progress(void *arg)
{
	ExportRun  *r = arg;
	const int	index[] = {PROGRESS_COPY_BYTES_PROCESSED,
	PROGRESS_COPY_TUPLES_PROCESSED};
	const int64 val[] = {(int64) (r->progress_bytes + r->bytes),
	r->progress_rows + r->rows};

	pgstat_progress_update_multi_param(2, index, val);
}

/* The writer's completion descriptor, if it has one. */
static pgsocket
leader_wait_fd(void *arg)
{
	return tpchgen_writer_wait_fd(((ExportRun *) arg)->writer);
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

/*
 * Generates one chunk into its slot, one piece per slot fill (normally a
 * single one), each piece compressed into its own zstd frame when asked.
 */
static void
produce_chunk(ExportProducer *p, int64 chunk)
{
	ExportShared *sh = p->sh;
	int			idx = chunk % p->slots->nslots;
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

		tpchgen_slotring_wait(p->slots, p->leader, chunk);
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

		tpchgen_slotring_publish(p->slots, p->leader, chunk, len, rows, last);
		CHECK_FOR_INTERRUPTS();
	}
}

static void
worker_produce(void *arg, int64 chunk)
{
	produce_chunk(arg, chunk);
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
	p.slots = shm_toc_lookup(toc, EXPORT_KEY_RING, false);
	p.bufs = shm_toc_lookup(toc, EXPORT_KEY_BUFFERS, false);
	tpchgen_pool();
	if (p.sh->zstd)
	{
		tpchgen_export_zstd_create(cl, p.sh->level);
		p.cctx = cl->cctx;
		p.raw = palloc(p.sh->raw_cap);
	}
	tpchgen_slotring_work(p.slots, worker_produce, &p);
}
