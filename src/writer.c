/*
 * writer.c - the file writer of exports: io_uring with several requests in
 * flight, or plain pwrite() where io_uring is unavailable.
 *
 * Every request either reaches the file completely or raises an error: short
 * writes, EINTR and EAGAIN are resubmitted for the rest, and no single system
 * call asks for more than WRITER_MAX_IO bytes (write(2) stops silently just
 * below 2 GiB, and an io_uring request carries a 32-bit length).  Requests
 * finish in any order; each hands its caller's tag back when it is done.
 * Offsets are 64-bit throughout.
 *
 * With io_uring the file is written with O_DIRECT where the file system
 * allows it (tpchgen.direct_io): the pieces, which come in file order, are
 * copied into a few aligned staging blocks and each full block goes to the
 * disk without passing through the page cache.  A buffered write costs a copy
 * into freshly allocated page cache pages plus writeback, on a core that the
 * generators need; a direct write costs one copy into a warm block, and the
 * piece's buffer is free again at once.  The tail that does not fill an
 * aligned block is written without O_DIRECT at the end.  A file system that
 * refuses an O_DIRECT write (EINVAL) gets buffered writes from then on.
 *
 * Built without liburing (make USE_LIBURING=0, which leaves TPCHGEN_LIBURING
 * undefined), every writer uses pwrite().
 */
#include "tpchgen_pg.h"

#include "miscadmin.h"
#include "storage/fd.h"

#include <fcntl.h>
#ifdef TPCHGEN_LIBURING
#include <liburing.h>
#endif
#include <sys/eventfd.h>
#include <unistd.h>

/* Far below the 2 GiB at which write(2) truncates, far above our buffers. */
#define WRITER_MAX_IO ((size_t) 64 * 1024 * 1024)

/*
 * Start writeback after this much new data, so that the final fdatasync
 * finds little left to do and the disk works while rows are generated.
 */
#define WRITER_FLUSH_AFTER ((uint64) 32 * 1024 * 1024)

/*
 * Direct I/O: staging blocks, and their offsets, aligned to 4 KiB, which
 * suits every usual logical block size.
 */
#define WRITER_ALIGN 4096
#define WRITER_BLOCK ((size_t) 4 * 1024 * 1024)
#define WRITER_NBLOCKS 8

typedef struct WriterReq
{
	bool		used;
	const char *buf;			/* what is still to be written */
	size_t		left;
	uint64		offset;
	int			tag;			/* the caller's tag, or -1 */
	int			block;			/* the staging block written, or -1 */
	bool		direct;			/* submitted while fd had O_DIRECT */
} WriterReq;

struct ExportWriter
{
	int			fd;
	const char *path;			/* the file named in messages */
	bool		uring;			/* else synchronous pwrite */
#ifdef TPCHGEN_LIBURING
	struct io_uring ring;
#endif
	int			efd;			/* eventfd signalled on completions */
	int			nreqs;
	int			inflight;		/* io_uring requests submitted, not reaped */
	WriterReq  *reqs;
	int		   *done;			/* finished tags not yet handed back */
	int			ndone;
	uint64		written_end;	/* highest end offset written so far */
	uint64		flushed;		/* writeback started up to here */
	/* staging blocks, when the file was opened for direct I/O */
	bool		staging;		/* pieces are copied into blocks */
	bool		direct;			/* fd has O_DIRECT (until a refusal) */
	bool		started;		/* the first piece fixed block_offset */
	char	   *blocks;			/* WRITER_NBLOCKS aligned blocks */
	void	   *blocks_mem;		/* their allocation */
	bool		busy[WRITER_NBLOCKS];	/* being written */
	int			cur;			/* the block being filled */
	size_t		fill;			/* bytes in it */
	uint64		block_offset;	/* where it goes in the file */
};

static void writer_uring_setup(ExportWriter *w, int method);
static void writer_submit(ExportWriter *w, WriterReq *req);
static void writer_reap(ExportWriter *w, bool wait);
#ifdef TPCHGEN_LIBURING
static void writer_complete(ExportWriter *w, struct io_uring_cqe *cqe);
#endif
static void writer_progress(ExportWriter *w, WriterReq *req, ssize_t res);
static void writer_pwrite(ExportWriter *w, WriterReq *req);
static WriterReq *writer_new_req(ExportWriter *w, const char *buf, size_t len,
								 uint64 offset, int tag, int block);
static void writer_start(ExportWriter *w, WriterReq *req);
static void writer_direct_setup(ExportWriter *w);
static void writer_direct_off(ExportWriter *w, bool refused);
static void writer_stage(ExportWriter *w, const char *buf, size_t len,
						 uint64 offset);
static void writer_put_block(ExportWriter *w, size_t len);

/*
 * Creates a writer for `fd`, with room for `depth` requests at once.  The
 * method is a TpchgenIoMethod; auto falls back to pwrite() quietly when the
 * kernel refuses io_uring (disabled by sysctl, seccomp, old kernel).
 */
ExportWriter *
tpchgen_writer_create(int fd, const char *path, int method, bool direct,
					  int depth)
{
	ExportWriter *w = palloc0(sizeof(ExportWriter));

	w->fd = fd;
	w->path = pstrdup(path);
	w->efd = -1;
	w->nreqs = depth + WRITER_NBLOCKS;
	w->reqs = palloc0(sizeof(WriterReq) * w->nreqs);
	w->done = palloc(sizeof(int) * depth);
	if (method != TPCHGEN_IO_SYNC)
		writer_uring_setup(w, method);
	/* Synchronous direct writes would wait for the disk on every block. */
	if (direct && w->uring)
		writer_direct_setup(w);
	return w;
}

/*
 * Turns O_DIRECT on for the file, with staging blocks; a file system that
 * does not take it (EINVAL) keeps buffered writes.
 */
static void
writer_direct_setup(ExportWriter *w)
{
	int			flags = fcntl(w->fd, F_GETFL);

	if (flags < 0 || fcntl(w->fd, F_SETFL, flags | O_DIRECT) < 0)
	{
		ereport(DEBUG1,
				(errmsg_internal("tpchgen: no direct I/O for \"%s\": %m", w->path)));
		return;
	}
	w->blocks_mem = palloc(WRITER_NBLOCKS * WRITER_BLOCK + WRITER_ALIGN);
	w->blocks = (char *) TYPEALIGN(WRITER_ALIGN, w->blocks_mem);
	w->staging = true;
	w->direct = true;
	ereport(DEBUG1,
			(errmsg_internal("tpchgen: writing \"%s\" with direct I/O", w->path)));
}

/*
 * Buffered writes from now on: for the tail or a start off the block grid,
 * or because the file system refused an O_DIRECT write.
 */
static void
writer_direct_off(ExportWriter *w, bool refused)
{
	int			flags = fcntl(w->fd, F_GETFL);

	if (flags < 0 || fcntl(w->fd, F_SETFL, flags & ~O_DIRECT) < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not turn off direct I/O for file \"%s\": %m",
						w->path)));
	w->direct = false;
	if (refused)
		ereport(DEBUG1,
				(errmsg_internal("tpchgen: direct I/O refused for \"%s\", writing through the page cache",
								 w->path)));
}

#ifdef TPCHGEN_LIBURING
static void
writer_uring_setup(ExportWriter *w, int method)
{
	int			rc;

	rc = io_uring_queue_init(w->nreqs, &w->ring, 0);
	if (rc < 0)
	{
		errno = -rc;
		ereport(method == TPCHGEN_IO_URING ? ERROR : DEBUG1,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("could not set up io_uring: %m"),
				 method == TPCHGEN_IO_URING ?
				 errhint("Set tpchgen.io_method to \"auto\" or \"sync\" to write without io_uring.") :
				 errdetail("Writing with synchronous pwrite() instead.")));
		return;
	}
	ReserveExternalFD();

	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0 || (rc = io_uring_register_eventfd(&w->ring, w->efd)) < 0)
	{
		int			save_errno = w->efd < 0 ? errno : -rc;

		if (w->efd >= 0)
			close(w->efd);
		w->efd = -1;
		io_uring_queue_exit(&w->ring);
		ReleaseExternalFD();
		errno = save_errno;
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not set up io_uring completion events: %m")));
	}
	ReserveExternalFD();
	w->uring = true;
	ereport(DEBUG1,
			(errmsg_internal("tpchgen: writing \"%s\" with io_uring", w->path)));
}
#else

/* Built without liburing: the writers use pwrite(). */
static void
writer_uring_setup(ExportWriter *w, int method)
{
	ereport(DEBUG1,
			(errmsg_internal("tpchgen: built without io_uring, writing \"%s\" with pwrite()",
							 w->path)));
}
#endif

/*
 * Queues `len` bytes at `offset`.  The buffer must stay untouched until its
 * tag comes back from tpchgen_writer_next_done().  With pwrite() the data is
 * in the file when this returns.
 */
void
tpchgen_writer_write(ExportWriter *w, const char *buf, size_t len,
					 uint64 offset, int tag)
{
	if (w->staging)
	{
		/* Copied: the buffer is free again as soon as this returns. */
		writer_stage(w, buf, len, offset);
		w->done[w->ndone++] = tag;
		return;
	}
	writer_start(w, writer_new_req(w, buf, len, offset, tag, -1));
}

/* Takes a free request entry for a write. */
static WriterReq *
writer_new_req(ExportWriter *w, const char *buf, size_t len, uint64 offset,
			   int tag, int block)
{
	for (int i = 0; i < w->nreqs; i++)
	{
		WriterReq  *req = &w->reqs[i];

		if (!req->used)
		{
			req->used = true;
			req->buf = buf;
			req->left = len;
			req->offset = offset;
			req->tag = tag;
			req->block = block;
			return req;
		}
	}
	elog(ERROR, "tpchgen writer has no free request slot");
	return NULL;				/* keep compiler quiet */
}

/* Submits a request, or with pwrite() carries it out. */
static void
writer_start(ExportWriter *w, WriterReq *req)
{
	if (w->uring)
		writer_submit(w, req);
	else
		writer_pwrite(w, req);
}

/*
 * Copies a piece into the staging blocks, sending each block that fills up
 * to the disk and waiting, if need be, for the next one to be free.
 */
static void
writer_stage(ExportWriter *w, const char *buf, size_t len, uint64 offset)
{
	if (!w->started)
	{
		w->started = true;
		w->block_offset = offset;
		/* Only the test hole can put the start off the block grid. */
		if (w->direct && offset % WRITER_ALIGN != 0)
			writer_direct_off(w, false);
	}
	if (offset != w->block_offset + w->fill)
		elog(ERROR, "tpchgen writer got a piece out of order");

	while (len > 0)
	{
		size_t		n = Min(len, WRITER_BLOCK - w->fill);

		memcpy(w->blocks + w->cur * WRITER_BLOCK + w->fill, buf, n);
		w->fill += n;
		buf += n;
		len -= n;
		if (w->fill == WRITER_BLOCK)
			writer_put_block(w, WRITER_BLOCK);
	}
}

/* Writes the first `len` bytes of the current block; the next becomes current. */
static void
writer_put_block(ExportWriter *w, size_t len)
{
	int			b = w->cur;

	w->busy[b] = true;
	writer_start(w, writer_new_req(w, w->blocks + b * WRITER_BLOCK, len,
								   w->block_offset, -1, b));
	w->block_offset += len;
	w->fill = 0;
	w->cur = (b + 1) % WRITER_NBLOCKS;
	while (w->busy[w->cur])
		writer_reap(w, true);
}

#ifdef TPCHGEN_LIBURING
static void
writer_submit(ExportWriter *w, WriterReq *req)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);
	int			rc;

	if (sqe == NULL)
		elog(ERROR, "tpchgen writer found the io_uring submission queue full");
	io_uring_prep_write(sqe, w->fd, req->buf, Min(req->left, WRITER_MAX_IO),
						req->offset);
	req->direct = w->direct;
	io_uring_sqe_set_data64(sqe, req - w->reqs);
	/*
	 * Straight to the kernel's workers: a buffered write would otherwise copy
	 * into the page cache inside io_uring_submit(), on the generating core.
	 */
	io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
	for (;;)
	{
		rc = io_uring_submit(&w->ring);
		if (rc >= 0)
			break;
		if (rc != -EINTR && rc != -EAGAIN)
		{
			errno = -rc;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not submit a write to file \"%s\": %m",
							w->path)));
		}
		CHECK_FOR_INTERRUPTS();
	}
	w->inflight++;
}

/* Takes in the completions that are there, or waits for one if asked. */
static void
writer_reap(ExportWriter *w, bool wait)
{
	struct io_uring_cqe *cqe;
	uint64		count;
	int			rc;

	/* Clear the eventfd first: a later completion sets it again. */
	if (read(w->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read io_uring completion events: %m")));

	while (w->inflight > 0)
	{
		if (wait)
		{
			rc = io_uring_wait_cqe(&w->ring, &cqe);
			if (rc == -EINTR || rc == -EAGAIN)
			{
				CHECK_FOR_INTERRUPTS();
				continue;
			}
			wait = false;
		}
		else
		{
			rc = io_uring_peek_cqe(&w->ring, &cqe);
			if (rc == -EAGAIN)
				break;
		}
		if (rc < 0)
		{
			errno = -rc;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not wait for writes to file \"%s\": %m",
							w->path)));
		}
		writer_complete(w, cqe);
	}
}

/* Takes in one completion: done, the rest of a short write, or an error. */
static void
writer_complete(ExportWriter *w, struct io_uring_cqe *cqe)
{
	WriterReq  *req = &w->reqs[io_uring_cqe_get_data64(cqe)];
	int			res = cqe->res;

	io_uring_cqe_seen(&w->ring, cqe);
	w->inflight--;
	if (res == -EINTR || res == -EAGAIN)
	{
		writer_submit(w, req);
		return;
	}
	if (res == -EINVAL && req->direct)
	{
		/* The others in flight may be refused too: turn it off once. */
		if (w->direct)
			writer_direct_off(w, true);
		writer_submit(w, req);
		return;
	}
	if (res < 0)
	{
		errno = -res;
		res = -1;
	}
	writer_progress(w, req, res);
	if (req->left > 0)
		writer_submit(w, req);
}
#else

/*
 * Without liburing no writer has a ring (uring stays false), so nothing is
 * ever submitted or reaped.
 */
static void
writer_submit(ExportWriter *w, WriterReq *req)
{
	elog(ERROR, "tpchgen was built without io_uring");
}

static void
writer_reap(ExportWriter *w, bool wait)
{
	elog(ERROR, "tpchgen was built without io_uring");
}
#endif

/*
 * Accounts for `res` bytes written by one system call, raising the error of
 * a failed one.  A call that wrote nothing means the disk is full, as
 * PostgreSQL itself assumes.
 */
static void
writer_progress(ExportWriter *w, WriterReq *req, ssize_t res)
{
	if (res == 0)
		errno = ENOSPC;
	if (res <= 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write to file \"%s\": %m", w->path)));
	req->buf += res;
	req->left -= res;
	req->offset += res;
	if (req->offset > w->written_end)
		w->written_end = req->offset;
	if (req->left == 0)
	{
		if (req->block >= 0)
			w->busy[req->block] = false;
		else if (req->tag >= 0)
			w->done[w->ndone++] = req->tag;
		req->used = false;
	}
	/* Direct writes are on their way to the disk already. */
	if (!w->direct &&
		w->written_end - w->flushed >= WRITER_FLUSH_AFTER)
	{
		pg_flush_data(w->fd, w->flushed, w->written_end - w->flushed);
		w->flushed = w->written_end;
	}
}

static void
writer_pwrite(ExportWriter *w, WriterReq *req)
{
	while (req->left > 0)
	{
		ssize_t		res = pwrite(w->fd, req->buf, Min(req->left, WRITER_MAX_IO),
								 req->offset);

		if (res < 0 && (errno == EINTR || errno == EAGAIN))
		{
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		writer_progress(w, req, res);
	}
}

/*
 * Hands back the tag of one finished request; false when none is finished.
 * With `wait`, blocks for one if any is in flight.
 */
bool
tpchgen_writer_next_done(ExportWriter *w, bool wait, int *tag)
{
	/* A completion may only resubmit the rest of a short write: go on. */
	while (w->ndone == 0 && w->uring && w->inflight > 0)
	{
		writer_reap(w, wait);
		if (!wait)
			break;
	}
	if (w->ndone == 0)
		return false;
	*tag = w->done[--w->ndone];
	return true;
}

/*
 * A descriptor that becomes readable when an io_uring request completes, for
 * WaitLatchOrSocket(); PGINVALID_SOCKET when nothing is in flight.
 */
pgsocket
tpchgen_writer_wait_fd(ExportWriter *w)
{
	/* Staged pieces are handed back at once: block writes concern no one. */
	return (w->uring && !w->staging && w->inflight > 0) ?
		w->efd : PGINVALID_SOCKET;
}

/* Waits for every request and makes the data durable (unless fsync = off). */
void
tpchgen_writer_finish(ExportWriter *w)
{
	if (w->staging && w->fill > 0)
	{
		size_t		whole = w->direct ? w->fill - w->fill % WRITER_ALIGN : w->fill;
		const char *tail = w->blocks + w->cur * WRITER_BLOCK + whole;
		size_t		rest = w->fill - whole;

		if (whole > 0)
			writer_put_block(w, whole);
		if (rest > 0)
		{
			/* The last partial 4 KiB goes through the page cache. */
			while (w->uring && w->inflight > 0)
				writer_reap(w, true);
			writer_direct_off(w, false);
			writer_pwrite(w, writer_new_req(w, tail, rest, w->block_offset,
											-1, -1));
		}
		w->fill = 0;
	}
	while (w->uring && w->inflight > 0)
		writer_reap(w, true);
	w->ndone = 0;
	if (pg_fdatasync(w->fd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not fsync file \"%s\": %m", w->path)));
}

/*
 * Releases the ring, raising nothing: it runs while an error is cleaned up.
 * Requests still in flight are waited for, so that the kernel never writes
 * from buffers that are about to be freed.
 */
void
tpchgen_writer_close(ExportWriter *w)
{
#ifdef TPCHGEN_LIBURING
	struct io_uring_cqe *cqe;

	if (!w->uring)
		return;
	while (w->inflight > 0)
	{
		int			rc = io_uring_wait_cqe(&w->ring, &cqe);

		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (rc < 0)
			break;
		io_uring_cqe_seen(&w->ring, cqe);
		w->inflight--;
	}
	io_uring_queue_exit(&w->ring);
	close(w->efd);
	ReleaseExternalFD();
	ReleaseExternalFD();
	w->uring = false;
	/* 32 MiB: not to be held until the end of an 'all' call */
	if (w->blocks_mem != NULL)
		pfree(w->blocks_mem);
	w->blocks_mem = NULL;
	w->blocks = NULL;
	w->staging = false;
#endif
}
