/*
 * slotring.h - the ordered slot ring shared by tpch_export and tpch_load:
 * producers fill numbered chunks into shared slots, the leader consumes them
 * in chunk order.
 */
#ifndef TPCHGEN_SLOTRING_H
#define TPCHGEN_SLOTRING_H

#include "tpchgen_pg.h"

#include "access/parallel.h"
#include "storage/condition_variable.h"
#include "storage/spin.h"

typedef enum SlotRingState
{
	SLOT_FREE,					/* chunk `chunk` may fill it */
	SLOT_FILLED,				/* holds a piece of `chunk`, to be consumed */
	SLOT_CONSUMING				/* the leader is consuming it */
} SlotRingState;

/*
 * One slot.  A chunk normally fills its slot once; a chunk whose output does
 * not fit goes on in the same slot after the leader has consumed it.
 */
typedef struct SlotRingSlot
{
	int64		chunk;
	SlotRingState state;
	bool		last;			/* the piece ends its chunk */
	size_t		size;			/* what the piece holds: bytes, pages, ... */
	int64		rows;
} SlotRingSlot;

/* The ring, in DSM (or local memory when serial). */
typedef struct SlotRing
{
	/* fixed before producers start */
	int64		nchunks;
	int			nslots;
	int			leader_pgprocno;
	/* changing, under mutex */
	slock_t		mutex;
	ConditionVariable slot_freed;
	ConditionVariable turn;		/* reserved or consumed moved on */
	int64		next_chunk;		/* next chunk to be claimed */
	int64		reserve_chunk;	/* the chunk whose reservation is next */
	uint64		reserved;		/* sizes reserved, in chunk order */
	uint64		consumed;		/* sizes of the pieces consumed, in order */
	SlotRingSlot slots[FLEXIBLE_ARRAY_MEMBER];
	/* then int64 worker_chunk[nworkers]: chunk each worker holds, or -1 */
} SlotRing;

/* What the leader does with the ring, for its user. */
typedef struct SlotRingOps
{
	/* builds one chunk in the leader (it waits and publishes as workers do) */
	void		(*produce) (void *arg, int64 chunk);

	/*
	 * Consumes a filled piece of slot idx; returns whether the slot may be
	 * refilled now, or later through tpchgen_slotring_release.
	 */
	bool		(*consume) (void *arg, int idx, const SlotRingSlot *piece);
	/* optional: takes back finished consumptions; whether any finished */
	bool		(*reap) (void *arg);
	/* optional: consumptions still under way (the leader waits for them) */
	int			(*pending) (void *arg);
	/* optional: after a service that moved anything (progress reports) */
	void		(*moved) (void *arg);
	/* optional: a descriptor that becomes readable when reap has work */
	pgsocket	(*wait_fd) (void *arg);
	long		idle_timeout_ms;	/* -1: wait for a latch or wait_fd alone */
	/* the error when a worker exits holding a chunk (gettext_noop'd) */
	const char *lost_worker_message;
} SlotRingOps;

/* The leader's state. */
typedef struct SlotRingLeader
{
	SlotRing   *ring;
	ParallelContext *pcxt;		/* NULL when serial */
	const SlotRingOps *ops;
	void	   *arg;
	bool		participate;	/* the leader also produces chunks */
	bool		freed;			/* a slot was freed in this service */
	int64		next;			/* next chunk to consume */
} SlotRingLeader;

/* Slots for nworkers: two per producer and two more. */
#define SLOTRING_NSLOTS(nworkers) (2 * ((nworkers) + 1) + 2)

extern int	tpchgen_slotring_workers(int workers, int64 nchunks);
extern Size tpchgen_slotring_size(int nslots, int nworkers);
extern void tpchgen_slotring_init(SlotRing *ring, int64 nchunks, int nslots,
								  int nworkers);
extern void tpchgen_slotring_lead(SlotRingLeader *l, SlotRing *ring,
								  ParallelContext *pcxt,
								  const SlotRingOps *ops, void *arg);
extern void tpchgen_slotring_release(SlotRingLeader *l, int idx);
extern void tpchgen_slotring_wait(SlotRing *ring, SlotRingLeader *leader,
								  int64 chunk);
extern void tpchgen_slotring_publish(SlotRing *ring, SlotRingLeader *leader,
									 int64 chunk, size_t size, int64 rows,
									 bool last);
extern uint64 tpchgen_slotring_reserve(SlotRing *ring, SlotRingLeader *leader,
									   int64 chunk, size_t size, bool last);
extern void tpchgen_slotring_wait_consumed(SlotRing *ring,
										   SlotRingLeader *leader,
										   uint64 upto);
extern void tpchgen_slotring_work(SlotRing *ring,
								  void (*produce) (void *arg, int64 chunk),
								  void *arg);

#endif							/* TPCHGEN_SLOTRING_H */
