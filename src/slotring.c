/*
 * slotring.c - the ordered slot ring of tpch_export and tpch_load: producers
 * fill numbered chunks into shared slots, the leader consumes them in order.
 *
 * A table part is cut into numbered chunks whose boundaries depend only on
 * the data, so the output is the same whatever the number of producers.
 * Producers (parallel workers, and the leader when a CPU is left for it)
 * claim chunks in order; chunk c may only use slot c % nslots, and only once
 * chunk c - nslots has left it.  Every chunk before c can then always make
 * progress, so the producers can never deadlock waiting for each other's
 * slots.  The leader consumes the slots in chunk order (writes a file's
 * bytes, records a relation's pages) and frees each when its consumption is
 * done.
 *
 * Producers that write their output themselves reserve its place in chunk
 * order (tpchgen_slotring_reserve: chunk c's offset is known once every
 * chunk before it has reserved, i.e. has been built, not written) and may
 * wait until the leader has consumed everything before a given offset
 * (tpchgen_slotring_wait_consumed).  Both waits are on chunks before the
 * waiter's, so they cannot deadlock either.
 */
#include "slotring.h"

#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "storage/proc.h"

#define WORKER_CHUNKS(ring) ((int64 *) &(ring)->slots[(ring)->nslots])

static bool slotring_service(SlotRingLeader *l);
static bool slotring_claim(SlotRingLeader *l, int64 *chunk);
static void slotring_idle(SlotRingLeader *l);
static void slotring_wait_for(SlotRing *ring, SlotRingLeader *leader,
							  ConditionVariable *cv,
							  bool (*ready) (SlotRing *ring, int64 chunk,
											 uint64 upto),
							  int64 chunk, uint64 upto);

/*
 * The workers to ask for: `workers`, or max_parallel_workers_per_gather when
 * negative; they only help when there is more than one chunk to share.
 */
int
tpchgen_slotring_workers(int workers, int64 nchunks)
{
	int			n = workers >= 0 ? workers : max_parallel_workers_per_gather;

	n = Min(n, max_worker_processes);
	if (n > nchunks - 1)
		n = Max(nchunks - 1, 0);
	return n;
}

Size
tpchgen_slotring_size(int nslots, int nworkers)
{
	return offsetof(SlotRing, slots) + sizeof(SlotRingSlot) * nslots +
		sizeof(int64) * nworkers;
}

/* Sets up a ring whose leader is this process. */
void
tpchgen_slotring_init(SlotRing *ring, int64 nchunks, int nslots, int nworkers)
{
	ring->nchunks = nchunks;
	ring->nslots = nslots;
	ring->leader_pgprocno = GetNumberFromPGProc(MyProc);
	SpinLockInit(&ring->mutex);
	ConditionVariableInit(&ring->slot_freed);
	ConditionVariableInit(&ring->turn);
	ring->next_chunk = 0;
	ring->reserve_chunk = 0;
	ring->reserved = 0;
	ring->consumed = 0;
	for (int i = 0; i < nslots; i++)
	{
		ring->slots[i].chunk = i;
		ring->slots[i].state = SLOT_FREE;
	}
	for (int i = 0; i < nworkers; i++)
		WORKER_CHUNKS(ring)[i] = -1;
}

/* ------------------------------------------------------------------------
 * The leader: consumes pieces in chunk order, produces when it is idle
 * ------------------------------------------------------------------------ */

/*
 * Runs the leader until every chunk is consumed; pcxt's workers are
 * launched.  The leader is the consumer first: it produces too only when a
 * CPU is left for it.  On a core the workers already fill, the chunks it
 * takes hold up the in-order consumption that every worker waits for.
 */
void
tpchgen_slotring_lead(SlotRingLeader *l, SlotRing *ring, ParallelContext *pcxt,
					  const SlotRingOps *ops, void *arg)
{
	int64		chunk;

	l->ring = ring;
	l->pcxt = pcxt;
	l->ops = ops;
	l->arg = arg;
	l->freed = false;
	l->next = 0;
	l->participate = pcxt == NULL || pcxt->nworkers_launched == 0 ||
		(parallel_leader_participation &&
		 pcxt->nworkers_launched < tpchgen_cpus());

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (slotring_service(l))
			continue;
		if (l->next >= ring->nchunks &&
			(ops->pending == NULL || ops->pending(arg) == 0))
			break;
		if (l->participate && slotring_claim(l, &chunk))
			ops->produce(arg, chunk);
		else
			slotring_idle(l);
	}
}

/* Gives a consumed slot back to its chunk, or to chunk + nslots. */
void
tpchgen_slotring_release(SlotRingLeader *l, int idx)
{
	SlotRing   *ring = l->ring;
	SlotRingSlot *s = &ring->slots[idx];

	SpinLockAcquire(&ring->mutex);
	if (s->last)
		s->chunk += ring->nslots;
	s->state = SLOT_FREE;
	SpinLockRelease(&ring->mutex);
	l->freed = true;
}

/*
 * Takes back finished consumptions and consumes every piece that is next in
 * order.  Returns whether anything moved.
 */
static bool
slotring_service(SlotRingLeader *l)
{
	SlotRing   *ring = l->ring;
	const SlotRingOps *ops = l->ops;
	bool		moved = false;
	bool		consumed = false;

	l->freed = false;
	if (ops->reap != NULL && ops->reap(l->arg))
		moved = true;

	while (l->next < ring->nchunks)
	{
		int			idx = l->next % ring->nslots;
		SlotRingSlot *s = &ring->slots[idx];
		SlotRingSlot piece;
		bool		ready;

		SpinLockAcquire(&ring->mutex);
		ready = s->chunk == l->next && s->state == SLOT_FILLED;
		if (ready)
		{
			s->state = SLOT_CONSUMING;
			piece = *s;
		}
		SpinLockRelease(&ring->mutex);
		if (!ready)
			break;

		if (ops->consume(l->arg, idx, &piece))
			tpchgen_slotring_release(l, idx);
		SpinLockAcquire(&ring->mutex);
		ring->consumed += piece.size;
		SpinLockRelease(&ring->mutex);
		if (piece.last)
			l->next++;
		moved = true;
		consumed = true;
	}

	if (l->freed && l->pcxt != NULL)
		ConditionVariableBroadcast(&ring->slot_freed);
	if (consumed && l->pcxt != NULL)
		ConditionVariableBroadcast(&ring->turn);
	if (moved && ops->moved != NULL)
		ops->moved(l->arg);
	return moved;
}

/* Claims the next chunk if its slot is free now: the leader never blocks. */
static bool
slotring_claim(SlotRingLeader *l, int64 *chunk)
{
	SlotRing   *ring = l->ring;
	bool		ok;

	SpinLockAcquire(&ring->mutex);
	*chunk = ring->next_chunk;
	ok = *chunk < ring->nchunks &&
		ring->slots[*chunk % ring->nslots].chunk == *chunk &&
		ring->slots[*chunk % ring->nslots].state == SLOT_FREE;
	if (ok)
		ring->next_chunk++;
	SpinLockRelease(&ring->mutex);
	return ok;
}

/*
 * Nothing to do until a worker fills a slot or a consumption finishes.  A
 * worker's error arrives through CHECK_FOR_INTERRUPTS; a worker that is gone
 * without one must not leave the leader waiting for its chunk forever, and
 * when no worker is left the leader produces the rest itself.
 */
static void
slotring_idle(SlotRingLeader *l)
{
	pgsocket	fd = PGINVALID_SOCKET;
	int			events = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH;

	if (l->pcxt != NULL)
	{
		int			alive = 0;

		for (int i = 0; i < l->pcxt->nworkers_launched; i++)
		{
			pid_t		pid;
			int64		held;

			if (GetBackgroundWorkerPid(l->pcxt->worker[i].bgwhandle, &pid) != BGWH_STOPPED)
			{
				alive++;
				continue;
			}
			SpinLockAcquire(&l->ring->mutex);
			held = WORKER_CHUNKS(l->ring)[i];
			SpinLockRelease(&l->ring->mutex);
			if (held >= 0)
			{
				/* Its own error, if it sent one, explains it better. */
				CHECK_FOR_INTERRUPTS();
				ereport(ERROR,
						(errcode(ERRCODE_INTERNAL_ERROR),
						 errmsg("%s", _(l->ops->lost_worker_message))));
			}
		}
		if (alive == 0)
			l->participate = true;
	}

	if (l->ops->wait_fd != NULL)
		fd = l->ops->wait_fd(l->arg);
	if (fd != PGINVALID_SOCKET)
		events |= WL_SOCKET_READABLE;
	if (l->ops->idle_timeout_ms >= 0)
		events |= WL_TIMEOUT;
	(void) WaitLatchOrSocket(MyLatch, events, fd, l->ops->idle_timeout_ms,
							 PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
}

/* ------------------------------------------------------------------------
 * Producers
 * ------------------------------------------------------------------------ */

/*
 * Waits until ready() holds, as checked under the ring's mutex.  The leader
 * (leader != NULL) keeps consuming meanwhile: what it waits for may be the
 * consumption itself, or a worker that waits for one.
 */
static void
slotring_wait_for(SlotRing *ring, SlotRingLeader *leader, ConditionVariable *cv,
				  bool (*ready) (SlotRing *ring, int64 chunk, uint64 upto),
				  int64 chunk, uint64 upto)
{
	for (;;)
	{
		bool		ok;

		SpinLockAcquire(&ring->mutex);
		ok = ready(ring, chunk, upto);
		SpinLockRelease(&ring->mutex);
		if (ok)
			break;
		if (leader == NULL)
			ConditionVariableSleep(cv, PG_WAIT_EXTENSION);
		else if (!slotring_service(leader))
			slotring_idle(leader);
	}
	if (leader == NULL)
		ConditionVariableCancelSleep();
}

static bool
slot_is_free(SlotRing *ring, int64 chunk, uint64 upto)
{
	SlotRingSlot *s = &ring->slots[chunk % ring->nslots];

	return s->chunk == chunk && s->state == SLOT_FREE;
}

static bool
reserve_turn(SlotRing *ring, int64 chunk, uint64 upto)
{
	return ring->reserve_chunk == chunk;
}

static bool
consumed_upto(SlotRing *ring, int64 chunk, uint64 upto)
{
	return ring->consumed >= upto;
}

/* Waits until `chunk` may fill its slot. */
void
tpchgen_slotring_wait(SlotRing *ring, SlotRingLeader *leader, int64 chunk)
{
	slotring_wait_for(ring, leader, &ring->slot_freed, slot_is_free, chunk, 0);
}

/*
 * Reserves `size` for a piece of `chunk` and returns its offset: the sizes
 * of every piece before it, in chunk order.  Waits until every chunk before
 * `chunk` has reserved all its pieces; `last` ends the chunk's reservations.
 */
uint64
tpchgen_slotring_reserve(SlotRing *ring, SlotRingLeader *leader, int64 chunk,
						 size_t size, bool last)
{
	uint64		offset;

	slotring_wait_for(ring, leader, &ring->turn, reserve_turn, chunk, 0);
	SpinLockAcquire(&ring->mutex);
	offset = ring->reserved;
	ring->reserved += size;
	if (last)
		ring->reserve_chunk++;
	SpinLockRelease(&ring->mutex);

	/* the next chunk's producer may be waiting: a worker, or the leader */
	if (last && leader == NULL)
	{
		ConditionVariableBroadcast(&ring->turn);
		SetLatch(&ProcGlobal->allProcs[ring->leader_pgprocno].procLatch);
	}
	else if (last && leader->pcxt != NULL)
		ConditionVariableBroadcast(&ring->turn);
	return offset;
}

/*
 * Waits until the leader has consumed pieces of `upto` in all, in chunk
 * order: everything before offset `upto` is then done.
 */
void
tpchgen_slotring_wait_consumed(SlotRing *ring, SlotRingLeader *leader,
							   uint64 upto)
{
	slotring_wait_for(ring, leader, &ring->turn, consumed_upto, 0, upto);
}

/* Hands a filled piece of `chunk` to the leader. */
void
tpchgen_slotring_publish(SlotRing *ring, SlotRingLeader *leader, int64 chunk,
						 size_t size, int64 rows, bool last)
{
	SlotRingSlot *s = &ring->slots[chunk % ring->nslots];

	SpinLockAcquire(&ring->mutex);
	s->size = size;
	s->rows = rows;
	s->last = last;
	s->state = SLOT_FILLED;
	if (last && leader == NULL)
		WORKER_CHUNKS(ring)[ParallelWorkerNumber] = -1;
	SpinLockRelease(&ring->mutex);
	if (leader == NULL)
		SetLatch(&ProcGlobal->allProcs[ring->leader_pgprocno].procLatch);
}

/* A parallel worker's loop: claims chunks in order until none is left. */
void
tpchgen_slotring_work(SlotRing *ring, void (*produce) (void *arg, int64 chunk),
					  void *arg)
{
	for (;;)
	{
		int64		chunk;

		SpinLockAcquire(&ring->mutex);
		chunk = ring->next_chunk;
		if (chunk < ring->nchunks)
		{
			ring->next_chunk++;
			WORKER_CHUNKS(ring)[ParallelWorkerNumber] = chunk;
		}
		SpinLockRelease(&ring->mutex);
		if (chunk >= ring->nchunks)
			break;
		produce(arg, chunk);
	}
}
