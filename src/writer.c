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
 */
#include "tpchgen_pg.h"

#include "miscadmin.h"
#include "storage/fd.h"

#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Far below the 2 GiB at which write(2) truncates, far above our buffers. */
#define WRITER_MAX_IO ((size_t) 64 * 1024 * 1024)

/*
 * Start writeback after this much new data, so that the final fdatasync
 * finds little left to do and the disk works while rows are generated.
 */
#define WRITER_FLUSH_AFTER ((uint64) 32 * 1024 * 1024)

typedef struct WriterReq
{
	const char *buf;			/* what is still to be written */
	size_t		left;
	uint64		offset;
	int			tag;			/* the caller's tag; -1: entry unused */
} WriterReq;

struct ExportWriter
{
	int			fd;
	const char *path;			/* the file named in messages */
	bool		uring;			/* else synchronous pwrite */
	struct io_uring ring;
	int			efd;			/* eventfd signalled on completions */
	int			nreqs;
	int			inflight;		/* io_uring requests submitted, not reaped */
	WriterReq  *reqs;
	int		   *done;			/* finished tags not yet handed back */
	int			ndone;
	uint64		written_end;	/* highest end offset written so far */
	uint64		flushed;		/* writeback started up to here */
};

static void writer_uring_setup(ExportWriter *w, int method);
static void writer_submit(ExportWriter *w, WriterReq *req);
static void writer_reap(ExportWriter *w, bool wait);
static void writer_complete(ExportWriter *w, struct io_uring_cqe *cqe);
static void writer_progress(ExportWriter *w, WriterReq *req, ssize_t res);
static void writer_pwrite(ExportWriter *w, WriterReq *req);

/*
 * Creates a writer for `fd`, with room for `depth` requests at once.  The
 * method is a TpchgenIoMethod; auto falls back to pwrite() quietly when the
 * kernel refuses io_uring (disabled by sysctl, seccomp, old kernel).
 */
ExportWriter *
writer_create(int fd, const char *path, int method, int depth)
{
	ExportWriter *w = palloc0(sizeof(ExportWriter));

	w->fd = fd;
	w->path = pstrdup(path);
	w->efd = -1;
	w->nreqs = depth;
	w->reqs = palloc(sizeof(WriterReq) * depth);
	for (int i = 0; i < depth; i++)
		w->reqs[i].tag = -1;
	w->done = palloc(sizeof(int) * depth);
	if (method != TPCHGEN_IO_SYNC)
		writer_uring_setup(w, method);
	return w;
}

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

/*
 * Queues `len` bytes at `offset`.  The buffer must stay untouched until its
 * tag comes back from writer_next_done().  With pwrite() the data is in the
 * file when this returns.
 */
void
writer_write(ExportWriter *w, const char *buf, size_t len, uint64 offset,
			 int tag)
{
	WriterReq  *req = NULL;

	for (int i = 0; i < w->nreqs; i++)
	{
		if (w->reqs[i].tag < 0)
		{
			req = &w->reqs[i];
			break;
		}
	}
	if (req == NULL)
		elog(ERROR, "tpchgen writer has no free request slot");
	req->buf = buf;
	req->left = len;
	req->offset = offset;
	req->tag = tag;

	if (w->uring)
		writer_submit(w, req);
	else
		writer_pwrite(w, req);
}

static void
writer_submit(ExportWriter *w, WriterReq *req)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);
	int			rc;

	if (sqe == NULL)
		elog(ERROR, "tpchgen writer found the io_uring submission queue full");
	io_uring_prep_write(sqe, w->fd, req->buf, Min(req->left, WRITER_MAX_IO),
						req->offset);
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
	if (res < 0)
	{
		errno = -res;
		res = -1;
	}
	writer_progress(w, req, res);
	if (req->left > 0)
		writer_submit(w, req);
}

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
		w->done[w->ndone++] = req->tag;
		req->tag = -1;
	}
	if (w->written_end - w->flushed >= WRITER_FLUSH_AFTER)
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
writer_next_done(ExportWriter *w, bool wait, int *tag)
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
writer_wait_fd(ExportWriter *w)
{
	return (w->uring && w->inflight > 0) ? w->efd : PGINVALID_SOCKET;
}

/* Waits for every request and makes the data durable (unless fsync = off). */
void
writer_finish(ExportWriter *w)
{
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
writer_close(ExportWriter *w)
{
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
}
