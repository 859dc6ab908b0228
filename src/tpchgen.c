/*
 * tpchgen.c - module entry point: _PG_init, GUCs and the checks every front
 * door (functions, foreign tables, export) shares.
 */
#include "tpchgen_pg.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/dsm_impl.h"
#include "utils/guc.h"

#include <math.h>
#include <sys/mman.h>
#include <sys/statvfs.h>

PG_MODULE_MAGIC;

/* Whether this process inherited the postmaster's text pool. */
static bool pool_preloaded = false;

void		_PG_init(void);

void
_PG_init(void)
{
	/*
	 * Loaded through shared_preload_libraries: build the text pool in the
	 * postmaster, so that every backend and parallel worker forked later
	 * shares its pages instead of building its own.
	 */
	if (process_shared_preload_libraries_in_progress)
	{
		tpchgen_ensure_pool();
		pool_preloaded = true;
	}

	tpchgen_functions_init();
	tpchgen_export_init();
	tpchgen_copy_init();

	MarkGUCPrefixReserved("tpchgen");
}

/*
 * The text pool.  Preloaded, the postmaster builds it and every process
 * inherits its pages.  Otherwise a backend builds its own on first use, and
 * for its parallel workers, which the postmaster forks without one, it keeps
 * a copy in a dynamic shared memory segment for the rest of the session,
 * which its workers take instead of building their own.  Shared memory gets
 * no transparent huge pages, and comments are cut from anywhere in 300 MiB:
 * with 4 kB pages their reads took half as long again (sum(length(l_comment))
 * over lineitem at SF 1), so a worker with much to generate copies the pool
 * into private memory first.
 */

/* This backend's pool segment, for its workers; invalid if none. */
static dsm_handle pool_segment = DSM_HANDLE_INVALID;

/* Room to leave in /dev/shm beside the pool for parallel queries' DSM. */
#define SHM_HEADROOM ((uint64) 64 * 1024 * 1024)

static void
log_pool(const char *how, instr_time start)
{
	instr_time	duration;

	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	/* which processes pay for a pool is worth seeing (and testing) */
	elog(DEBUG1, "tpchgen text pool %s in %.0f ms", how,
		 INSTR_TIME_GET_MILLISEC(duration));
}

/* Makes sure this process has the text pool, building it if need be. */
void
tpchgen_ensure_pool(void)
{
	instr_time	start;

	if (tpch_pool() != NULL)
		return;
	INSTR_TIME_SET_CURRENT(start);
	if (tpch_pool_init() != TPCH_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not allocate the tpchgen text pool"),
				 errdetail("The pool needs %zu bytes of memory.", TPCH_POOL_ALLOC)));
	log_pool("built", start);
}

/*
 * Whether a pool segment fits.  POSIX segments live in /dev/shm, often small
 * in containers; dsm_create would fail there with an error, while workers
 * can still build their own pools.  Other implementations are left to
 * dsm_create.
 */
static bool
shm_has_room(void)
{
	struct statvfs fs;

	if (dynamic_shared_memory_type != DSM_IMPL_POSIX ||
		statvfs("/dev/shm", &fs) != 0)
		return true;
	return (uint64) fs.f_bavail * fs.f_frsize >= TPCH_POOL_ALLOC + SHM_HEADROOM;
}

/*
 * In a leader: the segment its workers can copy the pool from, made on the
 * first call; DSM_HANDLE_INVALID when they need none (they inherit the
 * postmaster's pool) or none fits (they build their own).
 */
dsm_handle
tpchgen_share_pool(void)
{
	instr_time	start;
	dsm_segment *seg;

	if (pool_preloaded || pool_segment != DSM_HANDLE_INVALID)
		return pool_segment;
	tpchgen_ensure_pool();
	if (!shm_has_room())
		return DSM_HANDLE_INVALID;

	INSTR_TIME_SET_CURRENT(start);
	seg = dsm_create(TPCH_POOL_ALLOC, DSM_CREATE_NULL_IF_MAXSEGMENTS);
	if (seg == NULL)
		return DSM_HANDLE_INVALID;
	dsm_pin_mapping(seg);
	memcpy(dsm_segment_address(seg), tpch_pool(), TPCH_POOL_ALLOC);
	pool_segment = dsm_segment_handle(seg);
	log_pool("shared", start);
	return pool_segment;
}

/*
 * In a parallel worker: takes the leader's pool from its segment, or builds
 * one when there is no segment.  For a large scan (`copy`) the pool is copied
 * into private memory with huge pages; a small one reads the segment in
 * place, sparing the copy and the faults on pages it never reads.
 */
void
tpchgen_attach_pool(dsm_handle segment, bool copy)
{
	instr_time	start;
	dsm_segment *seg;
	char	   *mem;

	if (tpch_pool() != NULL)
		return;
	INSTR_TIME_SET_CURRENT(start);
	seg = segment == DSM_HANDLE_INVALID ? NULL : dsm_attach(segment);
	if (seg == NULL)
	{
		tpchgen_ensure_pool();
		return;
	}
	if (!copy)
	{
		/* the core reads the pool for the rest of this process's life */
		dsm_pin_mapping(seg);
		tpch_pool_adopt(dsm_segment_address(seg));
		log_pool("attached from the leader", start);
		return;
	}

	/* process-lifetime memory, like the pool the core maps itself */
	mem = mmap(NULL, TPCH_POOL_ALLOC, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not allocate the tpchgen text pool"),
				 errdetail("The pool needs %zu bytes of memory.", TPCH_POOL_ALLOC)));
#ifdef MADV_HUGEPAGE
	(void) madvise(mem, TPCH_POOL_ALLOC, MADV_HUGEPAGE);
#endif
	memcpy(mem, dsm_segment_address(seg), TPCH_POOL_ALLOC);
	(void) mprotect(mem, TPCH_POOL_ALLOC, PROT_READ);
	dsm_detach(seg);
	tpch_pool_adopt(mem);
	log_pool("copied from the leader", start);
}

/* Raises the error for bad (sf, part, parts), with what is allowed. */
void
tpchgen_check_args(double sf, int64 part, int64 parts)
{
	switch (tpch_check_args(sf, part, parts))
	{
		case TPCH_OK:
			return;
		case TPCH_ERR_SF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scale factor %g is out of range", sf),
					 errhint("The scale factor must be a number above 0 and at most 100000.")));
			break;
		case TPCH_ERR_SF_NOT_WHOLE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scale factor %g is not a whole number", sf),
					 errdetail("dbgen would silently truncate it to %.0f.", floor(sf)),
					 errhint("Scale factors above 1 must be whole numbers.")));
			break;
		case TPCH_ERR_PARTS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parts must be at least 1, not " INT64_FORMAT, parts)));
			break;
		case TPCH_ERR_PART:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("part " INT64_FORMAT " is outside 1..parts (" INT64_FORMAT ")",
							part, parts)));
			break;
		default:
			elog(ERROR, "unexpected tpchgen argument error");
	}
}
