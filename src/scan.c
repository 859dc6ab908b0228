/*
 * scan.c - the scan engine shared by the SQL functions and the foreign
 * tables: it turns the core's rows into Datums, one row at a time.
 *
 * A table part is cut into chunks of consecutive group rows.  Participants
 * of a parallel scan claim chunks from one atomic counter in shared memory,
 * each with its own generator seeked to the chunk, so every chunk is
 * generated exactly once whatever the number of workers: the multiset of
 * rows is the serial one.  Only the columns bound to an output attribute are
 * built; the core keeps its random streams in step for the others.
 *
 * Values are converted without text where the target type allows it
 * (integers, numeric with two decimals, date, char/varchar/text); any other
 * type goes through its input function, so a foreign table may declare any
 * type that accepts the value's text.
 *
 * A scan whose rows leave the plan whole (CREATE TABLE AS, INSERT ...
 * SELECT *) can instead hand out heap tuples formed straight from the
 * core's rows (tupleform.c), in batches.  Outside a parallel worker, with a
 * second CPU, a helper thread of the backend generates and forms the
 * batches ahead while the backend stores the rows: generating then costs
 * the backend nothing, as reading a heap table costs little.  The thread
 * runs only the core and tupleform.c, which call nothing of PostgreSQL (no
 * palloc, no elog, no locks), with every signal blocked; the backend alone
 * reports its errors, and stops and joins it at the end of the scan, at a
 * rewind, or when the scan's memory goes away on an error or cancel.
 */
#include "tpchgen_pg.h"

#include "../core/update.h"

#include "access/htup_details.h"
#include "access/parallel.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

/*
 * Group rows per chunk: about ten thousand table rows, small enough to
 * balance the work of the participants at the end of a scan, large enough
 * that claiming and seeking (O(log n)) cost nothing per row.
 */
#define CHUNK_ROWS			10000

/* Rows of stream replay between two cancel checks (about 0.1 s). */
#define REPLAY_STEP			10000000

/*
 * How core values become Datums.  A row converts its columns one kind at a
 * time, each kind in its own loop: a switch per column costs more in
 * mispredicted jumps than most conversions themselves.
 */
typedef enum TpchgenConv
{
	CONV_INT8,
	CONV_INT4,					/* integer, range-checked */
	CONV_DATE,
	CONV_NUMERIC,				/* numeric, scale 2 */
	CONV_TEXT,					/* text, varchar or char(n) wide enough */
	CONV_INPUT,					/* anything else: text through typinput */
	CONV_POOL,					/* CONV_TEXT of a comment, copied late */
	NCONV
} TpchgenConv;

/*
 * Rows are generated a few ahead of the one handed out.  A comment is cut
 * from anywhere in the 300 MiB pool, so reading it misses the caches; its
 * place is known when the row is generated, and the read, prefetched then,
 * is done only when the row is handed out, by which time the line is in.
 * Comments are the only strings that stay valid past the next row: they
 * point into the pool.  Everything else is converted as it is generated.
 */
#define RING_ROWS			8

typedef struct TpchgenRingRow
{
	Datum	   *values;
	bool	   *isnull;
	char	   *arena;			/* by-reference values of the row */
	Size		used;			/* arena bytes taken before the comments */
	tpch_str   *pool;			/* CONV_POOL columns: the pool's strings */
	char		altered[128];	/* a supplier comment not in the pool */
} TpchgenRingRow;

typedef struct TpchgenOutColumn
{
	int			attno;			/* 0-based index into values/isnull */
	uint32		offset;			/* of the value in tpch_row */
	int64		cents;			/* CONV_NUMERIC: hundredths per unit */
	uint32		pad;			/* CONV_TEXT: char(n) length to pad to */
	const char *name;			/* the core's column name, for errors */
	tpch_kind	kind;
	FmgrInfo	input;			/* CONV_INPUT */
	Oid			typioparam;
	int32		typmod;
} TpchgenOutColumn;

/*
 * Whole rows as heap tuples: batches of MAXALIGNed tuples, filled by the
 * producer (the helper thread, or the backend itself) and read in turn.
 * A batch is owned by the producer while not full, by the reader while full.
 */
#define BATCHES				4
#define BATCH_BYTES			(256 * 1024)
#define BATCH_FORM_FAILED	(-1000)		/* end: a row could not be formed */

/*
 * Rows generated before they are formed, as for the Datums (RING_ROWS): the
 * comment, prefetched when its row is generated, is in the cache when the
 * row is formed.  Forming each row as it was generated spent more time
 * stalled on the pool than generating it.
 */
#define TUPLE_AHEAD			8

typedef struct TpchgenBatch
{
	char	   *data;
	Size		used;			/* bytes of tuples */
	bool		full;
	int			end;			/* after these rows: 0 more to come, 1 the
								 * scan's end, < 0 an error */
} TpchgenBatch;

/*
 * The helper thread.  Allocated apart from the scan, in the same context,
 * and never freed before it: the reset callback must find it after
 * tpchgen_scan_end.
 */
typedef struct TpchgenThread
{
	pthread_t	thread;
	bool		running;
	bool		stop;			/* under mutex: the reader wants it gone */
	pthread_mutex_t mutex;
	pthread_cond_t cond;		/* a batch filled or freed, or stop */
	MemoryContextCallback callback;
} TpchgenThread;

struct TpchgenScan
{
	tpch_table	table;
	double		sf;
	int64		part;
	int64		parts;
	int			update_kind;	/* 0, or the tpch_update_kind of set `set` */
	int64		set;

	/* the part's group rows, cut into chunks */
	int64		first;
	int64		count;
	int64		chunk_rows;
	uint64		nchunks;

	/* where chunks come from: the shared counter, or a private one */
	TpchgenScanShared *shared;
	uint64		next_local;
	bool		in_chunk;
	bool		gen_ready;		/* gen set up, with the pool if needed */

	/* the output: bound columns by conversion, and the rows generated ahead */
	int			natts;
	int			conv_end[NCONV];	/* out[conv_end[c - 1]..conv_end[c]) */
	TpchgenOutColumn *out;
	uint64		columns;
	Size		arena_size;
	int			ring_size;		/* 1 when CONV_INPUT values need rowcxt */
	int			ring_len;
	int			ring_pos;		/* next row to hand out */
	TpchgenRingRow ring[RING_ROWS];
	MemoryContext rowcxt;		/* CONV_INPUT results, reset every row */

	/* whole rows as heap tuples (tpchgen_scan_bind_tuples) */
	bool		tuples;
	TpchgenTupleColumn *tcols;
	int			ntcols;
	Oid			typid;
	int32		typmod;
	Size		tuple_bound;	/* bytes a tuple may take */
	uint32		pool_off[2];	/* offsets in tpch_row of the pool's strings */
	int			npool;
	tpch_row   *ahead;			/* TUPLE_AHEAD rows generated, not yet formed */
	int			ahead_pos;		/* the oldest */
	int			ahead_len;
	int			ahead_end;		/* after them: 0 more, 1 the end, < 0 an error */
	int			nbatches;
	TpchgenBatch batch[BATCHES];
	int			fill;			/* the batch the producer fills next */
	int			take;			/* the batch being read */
	Size		take_off;
	bool		taking;			/* batch `take` is full and being read */
	bool		done;
	TpchgenThread *thread;		/* NULL until a thread is first started */
	/* date windows (tpchgen_scan_restrict_date), set on every new gen */
	int			ndates;
	int			date_col[4];
	int32		date_lo[4];
	int32		date_hi[4];

	tpch_gen	gen;
	tpch_row	row;
};


static void start_scan(TpchgenScan *scan);
static int	take_chunk(TpchgenScan *scan);
static bool claim_chunk(TpchgenScan *scan);
static void stop_thread(TpchgenThread *t);
static void start_generator(TpchgenScan *scan);
static TpchgenConv choose_conv(const tpch_column *c, Form_pg_attribute att);
static char *value_text(const TpchgenOutColumn *oc, const char *field);

/* ------------------------------------------------------------------------
 * Sizes, for the planner and EXPLAIN (the arguments must be valid)
 * ------------------------------------------------------------------------ */

static int64
chunk_rows_of(tpch_table table)
{
	/* lineitem and partsupp: 4 rows a group on average, 2500 group rows */
	return CHUNK_ROWS / tpch_rows_estimate(table, 1);
}

static void
part_range(tpch_table table, double sf, int64 part, int64 parts,
		   int64 *first, int64 *count)
{
	if (tpch_part_range(table, sf, part, parts, first, count) != TPCH_OK)
		elog(ERROR, "tpchgen arguments were not checked");
}

/* Rows of a table part: exact, but for lineitem (within 0.1%). */
double
tpchgen_table_rows(tpch_table table, double sf, int64 part, int64 parts)
{
	int64		first;
	int64		count;

	part_range(table, sf, part, parts, &first, &count);
	return (double) tpch_rows_estimate(table, count);
}

/* Chunks of a table part. */
uint64
tpchgen_table_chunks(tpch_table table, double sf, int64 part, int64 parts)
{
	int64		first;
	int64		count;
	int64		chunk = chunk_rows_of(table);

	part_range(table, sf, part, parts, &first, &count);
	return count / chunk + (count % chunk != 0);
}

/* ------------------------------------------------------------------------
 * Set-up
 * ------------------------------------------------------------------------ */

/*
 * A scan of part `part` of `parts` of a table, in CurrentMemoryContext.
 * Raises the error for bad arguments.  Nothing is bound yet: bind before
 * the first row.
 */
TpchgenScan *
tpchgen_scan_create(tpch_table table, double sf, int64 part, int64 parts)
{
	TpchgenScan *scan;

	tpchgen_check_args(sf, part, parts);

	scan = palloc0(sizeof(TpchgenScan));
	scan->table = table;
	scan->sf = sf;
	scan->part = part;
	scan->parts = parts;
	part_range(table, sf, part, parts, &scan->first, &scan->count);
	scan->chunk_rows = chunk_rows_of(table);
	scan->nchunks = tpchgen_table_chunks(table, sf, part, parts);
	scan->rowcxt = AllocSetContextCreate(CurrentMemoryContext,
										 "tpchgen row",
										 ALLOCSET_SMALL_SIZES);
	return scan;
}

/*
 * A scan of update set `set` (core/update.h): for TPCH_INSERTS the new
 * orders (TPCH_ORDERS) or their lines (TPCH_LINEITEM), for TPCH_DELETES the
 * keys to delete (TPCH_ORDERS, column o_orderkey only).  Raises the error
 * for bad arguments.  Chunks and parallel workers as for a table.
 */
TpchgenScan *
tpchgen_scan_create_update(tpch_table table, int kind, double sf, int64 set)
{
	TpchgenScan *scan;

	tpchgen_check_update(sf, set);

	scan = palloc0(sizeof(TpchgenScan));
	scan->table = table;
	scan->sf = sf;
	scan->part = 1;
	scan->parts = 1;
	scan->update_kind = kind;
	scan->set = set;
	if (tpch_update_range(kind, sf, set, 1, 1, &scan->first, &scan->count) != TPCH_OK)
		elog(ERROR, "tpchgen update arguments were not checked");
	scan->chunk_rows = chunk_rows_of(table);
	scan->nchunks = scan->count / scan->chunk_rows +
		(scan->count % scan->chunk_rows != 0);
	scan->rowcxt = AllocSetContextCreate(CurrentMemoryContext,
										 "tpchgen row",
										 ALLOCSET_SMALL_SIZES);
	return scan;
}

/* Rows of an update set's scan: exact (lines counted up to a size). */
double
tpchgen_update_rows(tpch_table table, double sf, int64 set)
{
	if (table == TPCH_LINEITEM)
		return (double) tpch_update_lines(sf, set);
	return (double) tpch_update_rows(sf);
}

/* Chunks of an update set's scan. */
uint64
tpchgen_update_chunks(tpch_table table, double sf, int64 set)
{
	int64		count = tpch_update_rows(sf);
	int64		chunk = chunk_rows_of(table);

	return count / chunk + (count % chunk != 0);
}

/* A worker's scan: the arguments of the leader's, claiming from its counter. */
TpchgenScan *
tpchgen_scan_create_shared(TpchgenScanShared *shared)
{
	TpchgenScan *scan;

	if (shared->update_kind != 0)
		scan = tpchgen_scan_create_update((tpch_table) shared->table,
										  shared->update_kind, shared->sf,
										  shared->set);
	else
		scan = tpchgen_scan_create((tpch_table) shared->table, shared->sf,
								   shared->part, shared->parts);
	scan->shared = shared;
	return scan;
}

/*
 * Chooses what each attribute of `desc` receives: attcol[i] is the core's
 * column for attribute i, or -1 for an attribute that stays NULL (not
 * referenced by the query).  Raises an error for a type that cannot hold
 * the column's values.
 */
void
tpchgen_scan_bind(TpchgenScan *scan, TupleDesc desc, const int *attcol)
{
	int			ncols;
	const tpch_column *cols = tpch_columns(scan->table, &ncols);
	TpchgenConv *conv = palloc(sizeof(TpchgenConv) * desc->natts);
	int			nout = 0;
	Size		size = 0;

	scan->natts = desc->natts;
	scan->out = palloc0(sizeof(TpchgenOutColumn) * desc->natts);
	scan->columns = 0;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		conv[i] = NCONV;
		if (attcol[i] < 0 || att->attisdropped)
			continue;
		Assert(attcol[i] < ncols);
		conv[i] = choose_conv(&cols[attcol[i]], att);
		if (conv[i] == CONV_TEXT &&
			(tpch_pool_columns(scan->table) & (UINT64CONST(1) << attcol[i])))
			conv[i] = CONV_POOL;
		scan->columns |= UINT64CONST(1) << attcol[i];
	}

	/* out[] in conversion order, each kind in attribute order */
	for (int k = 0; k < NCONV; k++)
	{
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);
			const tpch_column *c = &cols[Max(attcol[i], 0)];
			TpchgenOutColumn *oc;

			if (conv[i] != (TpchgenConv) k)
				continue;
			oc = &scan->out[nout++];
			oc->attno = i;
			oc->offset = c->offset;
			oc->name = c->name;
			oc->kind = c->kind;
			oc->cents = c->kind == TPCH_KIND_QUANTITY ? 100 : 1;
			if ((k == CONV_TEXT || k == CONV_POOL) && att->atttypid == BPCHAROID &&
				att->atttypmod >= (int32) VARHDRSZ)
				oc->pad = att->atttypmod - VARHDRSZ;
			if (k == CONV_INPUT)
			{
				Oid			typinput;

				getTypeInputInfo(att->atttypid, &typinput, &oc->typioparam);
				fmgr_info(typinput, &oc->input);
				oc->typmod = att->atttypmod;
			}

			/* room in the arena, kept aligned for 4-byte headers */
			if (k == CONV_NUMERIC)
				size += MAXALIGN(VARHDRSZ + sizeof(uint16) + 8 * sizeof(int16));
			else if (k == CONV_TEXT || k == CONV_POOL)
				size += MAXALIGN(VARHDRSZ + Max((uint32) c->width, oc->pad));
		}
		scan->conv_end[k] = nout;
	}
	pfree(conv);

	/* strings may exceed their spec width only up to a formatted line */
	scan->arena_size = size + TPCH_MAX_LINE;
	scan->ring_size = scan->conv_end[CONV_INPUT] > scan->conv_end[CONV_TEXT] ?
		1 : RING_ROWS;
	for (int r = 0; r < scan->ring_size; r++)
	{
		TpchgenRingRow *rr = &scan->ring[r];

		rr->values = palloc0(sizeof(Datum) * desc->natts);
		/* attributes bound to no column stay NULL for good */
		rr->isnull = palloc(sizeof(bool) * desc->natts);
		memset(rr->isnull, true, sizeof(bool) * desc->natts);
		rr->arena = palloc(scan->arena_size);
		rr->pool = palloc(sizeof(tpch_str) * Max(desc->natts, 1));
	}
	start_scan(scan);
}

/* Chunks of this scan's part. */
uint64
tpchgen_scan_chunks(const TpchgenScan *scan)
{
	return scan->nchunks;
}

/*
 * Leader: publishes the scan's arguments in `shared`, resets its counter
 * and claims chunks from it from now on.
 */
void
tpchgen_scan_share(TpchgenScan *scan, TpchgenScanShared *shared)
{
	shared->table = scan->table;
	shared->sf = scan->sf;
	shared->part = scan->part;
	shared->parts = scan->parts;
	shared->update_kind = scan->update_kind;
	shared->set = scan->set;
	pg_atomic_init_u64(&shared->next_chunk, 0);
	scan->shared = shared;
	start_scan(scan);
}

/* Hands out every chunk again (a rescan of a parallel scan). */
void
tpchgen_scan_shared_reset(TpchgenScanShared *shared)
{
	pg_atomic_write_u64(&shared->next_chunk, 0);
}

/* Starts over: drops the current chunk and resets the private counter. */
void
tpchgen_scan_rewind(TpchgenScan *scan)
{
	start_scan(scan);
}

/*
 * Restricts the scan to group rows [first, first + count), clipped to its
 * part, and starts it over there: the foreign tables' key pushdown.  The
 * participants of a parallel scan must all set the same range before they
 * claim a chunk, since chunk numbers count from its first row.
 */
void
tpchgen_scan_set_range(TpchgenScan *scan, int64 first, int64 count)
{
	int64		part_first;
	int64		part_count;
	int64		end;

	part_range(scan->table, scan->sf, scan->part, scan->parts,
			   &part_first, &part_count);
	end = Min(first + count, part_first + part_count);
	scan->first = Max(first, part_first);
	scan->count = Max(end - scan->first, 0);
	scan->nchunks = scan->count / scan->chunk_rows +
		(scan->count % scan->chunk_rows != 0);
	start_scan(scan);

	/*
	 * Orders and lineitem at SF 30000 and above are reached by replaying a
	 * random stream, linearly in the distance (tpch.h): a key far into the
	 * table is approached in bounded steps with a cancel check between them,
	 * and the first chunk's seek then finds the generator in place.
	 */
	if ((scan->table == TPCH_ORDERS || scan->table == TPCH_LINEITEM) &&
		scan->sf >= 30000 && scan->count > 0)
	{
		int			r;

		if (!scan->gen_ready)
			start_generator(scan);
		while ((r = tpch_gen_seek_bounded(&scan->gen, scan->first,
										  Min(scan->count, scan->chunk_rows),
										  REPLAY_STEP)) == TPCH_AGAIN)
			CHECK_FOR_INTERRUPTS();
		if (r != TPCH_OK)
			elog(ERROR, "could not seek the tpchgen generator to row " INT64_FORMAT,
				 scan->first);
	}
}

/*
 * Lets the scan leave out rows whose date column col cannot lie in [lo,
 * hi] (core day numbers; lineitem's dates, see tpch_gen_restrict_date):
 * the foreign tables' date pushdown.  Call before the first row; the
 * participants of a parallel scan each set the same.
 */
void
tpchgen_scan_restrict_date(TpchgenScan *scan, int col, int32 lo, int32 hi)
{
	if (scan->update_kind != 0 || scan->ndates == lengthof(scan->date_col))
		return;
	scan->date_col[scan->ndates] = col;
	scan->date_lo[scan->ndates] = lo;
	scan->date_hi[scan->ndates] = hi;
	scan->ndates++;
	if (scan->gen_ready)
		tpch_gen_restrict_date(&scan->gen, col, lo, hi);
}

void
tpchgen_scan_end(TpchgenScan *scan)
{
	if (scan->thread)
		stop_thread(scan->thread);
	for (int b = 0; b < scan->nbatches; b++)
		pfree(scan->batch[b].data);
	if (scan->tcols)
		pfree(scan->tcols);
	if (scan->ahead)
		pfree(scan->ahead);
	MemoryContextDelete(scan->rowcxt);
	if (scan->out)
		pfree(scan->out);
	for (int r = 0; r < scan->ring_size; r++)
	{
		pfree(scan->ring[r].values);
		pfree(scan->ring[r].isnull);
		pfree(scan->ring[r].arena);
		pfree(scan->ring[r].pool);
	}
	pfree(scan);
}

static void
start_scan(TpchgenScan *scan)
{
	if (scan->thread)
		stop_thread(scan->thread);
	scan->next_local = 0;
	scan->in_chunk = false;
	scan->ring_len = 0;
	scan->ring_pos = 0;
	for (int b = 0; b < scan->nbatches; b++)
		scan->batch[b].full = false;
	scan->ahead_pos = 0;
	scan->ahead_len = 0;
	scan->ahead_end = 0;
	scan->fill = 0;
	scan->take = 0;
	scan->take_off = 0;
	scan->taking = false;
	scan->done = false;
}

/*
 * Sets up the generator on the first chunk, once the scan's columns are
 * known: the pool is needed only for columns cut from it (comments), so a
 * count or a sum of prices never waits for a pool build.  A parallel worker
 * maps the server's pool file, as its leader does.
 */
static void
start_generator(TpchgenScan *scan)
{
	if (scan->columns & tpch_pool_columns(scan->table))
		tpchgen_pool();
	if ((scan->update_kind != 0 ?
		 tpch_update_init(&scan->gen, scan->table, scan->update_kind, scan->sf,
						  scan->set, 1, 1) :
		 tpch_gen_init(&scan->gen, scan->table, scan->sf, scan->part,
					   scan->parts)) != TPCH_OK)
		elog(ERROR, "could not set up the tpchgen generator");
	for (int i = 0; i < scan->ndates; i++)
		tpch_gen_restrict_date(&scan->gen, scan->date_col[i], scan->date_lo[i],
							   scan->date_hi[i]);
	scan->gen_ready = true;
}

/*
 * Takes the next chunk and seeks the generator to it; false when none is
 * left.  The counter is 64 bits wide so that it cannot wrap however many
 * times the participants draw from it past the last chunk.  Each
 * participant's chunks come in increasing order, so its seeks go forward,
 * which the core does in O(log n) (linearly in the gap for orders and
 * lineitem at SF 30000 and above, still far cheaper than generating).
 */
static bool
claim_chunk(TpchgenScan *scan)
{
	int			r;

	if (!scan->gen_ready)
		start_generator(scan);
	r = take_chunk(scan);
	if (r < 0)
		elog(ERROR, "could not seek the tpchgen generator: %s",
			 tpch_strerror(-r));
	return r > 0;
}

/*
 * claim_chunk for a generator already set up, and without raising errors,
 * so that the helper thread can call it: 1 for a chunk, 0 when none is
 * left, or a negated core error code.
 */
static int
take_chunk(TpchgenScan *scan)
{
	uint64		k;
	int64		first;
	int64		count;
	int			r;

	if (scan->shared)
		k = pg_atomic_fetch_add_u64(&scan->shared->next_chunk, 1);
	else
		k = scan->next_local++;
	if (k >= scan->nchunks)
		return 0;

	first = scan->first + (int64) k * scan->chunk_rows;
	count = Min(scan->chunk_rows, scan->first + scan->count - first);
	if ((r = tpch_gen_seek(&scan->gen, first, count)) != TPCH_OK ||
		(r = tpch_gen_set_columns(&scan->gen, scan->columns)) != TPCH_OK)
		return -r;
	return 1;
}

/* ------------------------------------------------------------------------
 * Rows
 * ------------------------------------------------------------------------ */

/* Generates the next row of the scan into scan->row; false at the end. */
static bool
next_core_row(TpchgenScan *scan)
{
	for (;;)
	{
		if (scan->in_chunk)
		{
			int			r = tpch_gen_next(&scan->gen, &scan->row);

			if (r > 0)
				return true;
			if (r < 0)
				elog(ERROR, "tpchgen generator failed: %s", tpch_strerror(-r));
		}
		scan->in_chunk = claim_chunk(scan);
		if (!scan->in_chunk)
			return false;
	}
}

/* Stores a string as a text Datum at *used in arena, blank-padded to pad. */
static Datum
text_datum(const tpch_str *s, uint32 pad, char *arena, Size *used,
		   Size arena_size)
{
	uint32		len = Max(s->len, pad);
	char	   *p;
	char	   *data;

	if (MAXALIGN(*used) + VARHDRSZ + len > arena_size)
		elog(ERROR, "tpchgen row does not fit its buffer");

	/*
	 * Short values take a 1-byte header and no alignment, as in a heap
	 * tuple: storing the row converts nothing.
	 */
	if (len + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
	{
		p = arena + *used;
		SET_VARSIZE_SHORT(p, len + VARHDRSZ_SHORT);
		data = p + VARHDRSZ_SHORT;
	}
	else
	{
		p = arena + MAXALIGN(*used);
		SET_VARSIZE(p, len + VARHDRSZ);
		data = p + VARHDRSZ;
	}
	memcpy(data, s->ptr, s->len);
	if (len > s->len)
		memset(data + s->len, ' ', len - s->len);
	*used = data + len - arena;
	return PointerGetDatum(p);
}

/*
 * Converts scan->row into a ring row, all but the comments, whose place in
 * the pool is kept and prefetched.
 */
static void
convert_row(TpchgenScan *scan, TpchgenRingRow *rr)
{
	const char *row = (const char *) &scan->row;
	Datum	   *values = rr->values;
	bool	   *isnull = rr->isnull;
	Size		used = 0;
	TpchgenOutColumn *oc;
	int			i = 0;

	for (; i < scan->conv_end[CONV_INT8]; i++)
	{
		oc = &scan->out[i];
		values[oc->attno] = Int64GetDatum(*(const int64 *) (row + oc->offset));
		isnull[oc->attno] = false;
	}

	for (; i < scan->conv_end[CONV_INT4]; i++)
	{
		int64		v;

		oc = &scan->out[i];
		v = *(const int64 *) (row + oc->offset);
		if (v > PG_INT32_MAX || v < PG_INT32_MIN)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value %lld of column %s is out of range for type integer",
							(long long) v, oc->name),
					 errhint("Declare the column as bigint.")));
		values[oc->attno] = Int32GetDatum((int32) v);
		isnull[oc->attno] = false;
	}

	for (; i < scan->conv_end[CONV_DATE]; i++)
	{
		oc = &scan->out[i];
		values[oc->attno] = DateADTGetDatum(*(const int32 *) (row + oc->offset) +
											TPCH_DATE_PG_OFFSET);
		isnull[oc->attno] = false;
	}

	for (; i < scan->conv_end[CONV_NUMERIC]; i++)
	{
		char	   *p = rr->arena + MAXALIGN(used);

		oc = &scan->out[i];
		values[oc->attno] = tpchgen_numeric_from_cents(p, *(const int64 *) (row + oc->offset) *
													   oc->cents);
		isnull[oc->attno] = false;
		used = p + VARSIZE(p) - rr->arena;
	}

	for (; i < scan->conv_end[CONV_TEXT]; i++)
	{
		oc = &scan->out[i];
		values[oc->attno] = text_datum((const tpch_str *) (row + oc->offset),
									   oc->pad, rr->arena, &used,
									   scan->arena_size);
		isnull[oc->attno] = false;
	}

	if (i < scan->conv_end[CONV_INPUT])
	{
		MemoryContext old;

		MemoryContextReset(scan->rowcxt);
		old = MemoryContextSwitchTo(scan->rowcxt);
		for (; i < scan->conv_end[CONV_INPUT]; i++)
		{
			oc = &scan->out[i];
			values[oc->attno] = InputFunctionCall(&oc->input,
												  value_text(oc, row + oc->offset),
												  oc->typioparam, oc->typmod);
			isnull[oc->attno] = false;
		}
		MemoryContextSwitchTo(old);
	}

	for (int j = 0; i < scan->conv_end[CONV_POOL]; i++, j++)
	{
		const tpch_str *s = (const tpch_str *) (row + scan->out[i].offset);
		const char *pool = tpch_pool();

		rr->pool[j] = *s;
		if (s->ptr < pool || s->ptr >= pool + TPCH_POOL_SIZE)
		{
			/*
			 * dbgen's "Customer ... Complaints" supplier comments are altered
			 * copies in scan->row, which the next row overwrites: keep one.
			 * Tables have a single comment column, so one buffer will do.
			 */
			Assert(s->len <= sizeof(rr->altered));
			memcpy(rr->altered, s->ptr, s->len);
			rr->pool[j].ptr = rr->altered;
			continue;
		}
		__builtin_prefetch(s->ptr);
		__builtin_prefetch(s->ptr + s->len - 1);
	}
	rr->used = used;
}

/*
 * Produces the next row into values/isnull (desc->natts entries of the
 * bound descriptor); false at the end of the scan.  By-reference values
 * point into the scan's buffers and stay valid until the next call.
 */
bool
tpchgen_scan_next(TpchgenScan *scan, Datum *values, bool *isnull)
{
	TpchgenRingRow *rr;
	Size		used;

	CHECK_FOR_INTERRUPTS();

	if (scan->ring_pos == scan->ring_len)
	{
		scan->ring_len = 0;
		scan->ring_pos = 0;
		while (scan->ring_len < scan->ring_size && next_core_row(scan))
			convert_row(scan, &scan->ring[scan->ring_len++]);
		if (scan->ring_len == 0)
			return false;
	}

	rr = &scan->ring[scan->ring_pos++];
	used = rr->used;
	for (int i = scan->conv_end[CONV_INPUT], j = 0;
		 i < scan->conv_end[CONV_POOL]; i++, j++)
	{
		const TpchgenOutColumn *oc = &scan->out[i];

		rr->values[oc->attno] = text_datum(&rr->pool[j], oc->pad, rr->arena,
										   &used, scan->arena_size);
		rr->isnull[oc->attno] = false;
	}
	memcpy(values, rr->values, sizeof(Datum) * scan->natts);
	memcpy(isnull, rr->isnull, sizeof(bool) * scan->natts);
	return true;
}

/* ------------------------------------------------------------------------
 * Whole rows as heap tuples
 * ------------------------------------------------------------------------ */

/*
 * How each attribute of desc is stored when tuples are formed from the
 * core's rows: false when one is not (an attribute bound to no column, or
 * of a type that needs its input function).  Integer columns of key kind
 * must be bigint: only a value's conversion reports it out of range.
 */
static bool
tuple_columns(tpch_table table, TupleDesc desc, const int *attcol,
			  TpchgenTupleColumn *tc)
{
	int			ncols;
	const tpch_column *cols = tpch_columns(table, &ncols);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const tpch_column *c;

		if (attcol[i] < 0 || att->attisdropped)
			return false;
		c = &cols[attcol[i]];
		tc[i].offset = c->offset;
		tc[i].cents = c->kind == TPCH_KIND_QUANTITY ? 100 : 1;
		tc[i].pad = 0;
		switch (choose_conv(c, att))
		{
			case CONV_INT8:
				tc[i].store = TPCHGEN_STORE_INT8;
				break;
			case CONV_INT4:
				if (c->kind != TPCH_KIND_INT)
					return false;
				tc[i].store = TPCHGEN_STORE_INT4;
				break;
			case CONV_DATE:
				tc[i].store = TPCHGEN_STORE_DATE;
				break;
			case CONV_NUMERIC:
				tc[i].store = TPCHGEN_STORE_NUMERIC;
				break;
			case CONV_TEXT:
				tc[i].store = TPCHGEN_STORE_TEXT;
				if (att->atttypid == BPCHAROID && att->atttypmod >= (int32) VARHDRSZ)
					tc[i].pad = att->atttypmod - VARHDRSZ;
				break;
			default:
				return false;
		}
	}
	return true;
}

/*
 * Whether rows of table can be formed as heap tuples of desc, attribute i
 * receiving the core's column attcol[i] (tpchgen_scan_bind_tuples).
 */
bool
tpchgen_scan_tuples_fit(tpch_table table, TupleDesc desc, const int *attcol)
{
	TpchgenTupleColumn *tc = palloc(sizeof(TpchgenTupleColumn) *
									Max(desc->natts, 1));
	bool		fit = desc->natts > 0 && tuple_columns(table, desc, attcol, tc);

	pfree(tc);
	return fit;
}

/*
 * Binds the scan to hand out whole rows as heap tuples of desc (of a row
 * type, or blessed), which tpchgen_scan_tuples_fit must accept, through
 * tpchgen_scan_next_tuple.
 */
void
tpchgen_scan_bind_tuples(TpchgenScan *scan, TupleDesc desc, const int *attcol)
{
	scan->tcols = palloc(sizeof(TpchgenTupleColumn) * desc->natts);
	if (!tuple_columns(scan->table, desc, attcol, scan->tcols))
		elog(ERROR, "tpchgen rows do not fit the tuple descriptor");
	scan->ntcols = desc->natts;
	scan->typid = desc->tdtypeid;
	scan->typmod = desc->tdtypmod;
	scan->tuple_bound = MAXALIGN(MAXALIGN(SizeofHeapTupleHeader) +
								 tpchgen_tuple_data_bound(scan->tcols,
														  scan->ntcols));
	scan->tuples = true;
	scan->columns = 0;
	scan->npool = 0;
	for (int i = 0; i < desc->natts; i++)
	{
		scan->columns |= UINT64CONST(1) << attcol[i];
		if ((tpch_pool_columns(scan->table) & (UINT64CONST(1) << attcol[i])) &&
			scan->npool < lengthof(scan->pool_off))
			scan->pool_off[scan->npool++] = scan->tcols[i].offset;
	}
	scan->ahead = palloc(sizeof(tpch_row) * TUPLE_AHEAD);
	/* a second batch only for the thread, which fills one while one is read */
	scan->nbatches = tpchgen_scan_thread && !IsParallelWorker() && tpchgen_cpus() > 1 ?
		BATCHES : 1;
	for (int b = 0; b < scan->nbatches; b++)
		scan->batch[b].data = palloc(BATCH_BYTES);
	start_scan(scan);
}

/*
 * Generates rows into the ahead ring until it is full or the scan ends,
 * prefetching their comments.  Calls nothing of PostgreSQL.
 */
static void
generate_ahead(TpchgenScan *scan)
{
	while (scan->ahead_len < TUPLE_AHEAD && scan->ahead_end == 0)
	{
		tpch_row   *row = &scan->ahead[(scan->ahead_pos + scan->ahead_len) %
									   TUPLE_AHEAD];
		int			r;

		if (!scan->in_chunk)
		{
			r = take_chunk(scan);
			if (r <= 0)
			{
				scan->ahead_end = r == 0 ? 1 : r;
				return;
			}
			scan->in_chunk = true;
		}
		r = tpch_gen_next(&scan->gen, row);
		if (r < 0)
		{
			scan->ahead_end = r;
			return;
		}
		if (r == 0)
		{
			scan->in_chunk = false;
			continue;
		}
		for (int p = 0; p < scan->npool; p++)
		{
			const tpch_str *str = (const tpch_str *) ((const char *) row +
													  scan->pool_off[p]);

			__builtin_prefetch(str->ptr);
			__builtin_prefetch(str->ptr + str->len - 1);
		}
		scan->ahead_len++;
	}
}

/*
 * Fills a batch with the next rows' tuples, as many as surely fit.  Calls
 * nothing of PostgreSQL: the helper thread runs it.
 */
static void
fill_batch(TpchgenScan *scan, TpchgenBatch *b)
{
	b->used = 0;
	b->end = 0;
	while (b->used + scan->tuple_bound <= BATCH_BYTES)
	{
		Size		len;

		generate_ahead(scan);
		if (scan->ahead_len == 0)
		{
			b->end = scan->ahead_end;
			return;
		}
		len = tpchgen_form_tuple(scan->tcols, scan->ntcols, scan->typid,
								 scan->typmod, &scan->ahead[scan->ahead_pos],
								 b->data + b->used);
		if (len == 0)
		{
			b->end = BATCH_FORM_FAILED;
			return;
		}
		scan->ahead_pos = (scan->ahead_pos + 1) % TUPLE_AHEAD;
		scan->ahead_len--;
		b->used += MAXALIGN(len);
	}
}

/* The helper thread: fills the batches in turn until the end or a stop. */
static void *
producer_main(void *arg)
{
	TpchgenScan *scan = arg;
	TpchgenThread *t = scan->thread;

	for (;;)
	{
		TpchgenBatch *b = &scan->batch[scan->fill];
		bool		stop;

		pthread_mutex_lock(&t->mutex);
		while (!t->stop && b->full)
			pthread_cond_wait(&t->cond, &t->mutex);
		stop = t->stop;
		pthread_mutex_unlock(&t->mutex);
		if (stop)
			break;

		fill_batch(scan, b);
		scan->fill = (scan->fill + 1) % scan->nbatches;

		pthread_mutex_lock(&t->mutex);
		b->full = true;
		pthread_cond_broadcast(&t->cond);
		pthread_mutex_unlock(&t->mutex);
		if (b->end != 0)
			break;
	}
	return NULL;
}

/* Stops the helper thread and waits for it; it may be running or done. */
static void
stop_thread(TpchgenThread *t)
{
	if (!t->running)
		return;
	pthread_mutex_lock(&t->mutex);
	t->stop = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->mutex);
	pthread_join(t->thread, NULL);
	t->running = false;
	t->stop = false;
}

/* The scan's memory goes away (an error, a cancel): no thread may outlive it. */
static void
thread_callback(void *arg)
{
	stop_thread((TpchgenThread *) arg);
}

/*
 * Starts the helper thread on the batches; without one (a single batch, or
 * no thread could be made) the reader fills them itself.
 */
static void
start_thread(TpchgenScan *scan)
{
	TpchgenThread *t = scan->thread;
	sigset_t	all;
	sigset_t	old;
	int			r;

	if (scan->nbatches < 2)
		return;
	if (t == NULL)
	{
		t = MemoryContextAllocZero(GetMemoryChunkContext(scan),
								   sizeof(TpchgenThread));
		if (pthread_mutex_init(&t->mutex, NULL) != 0 ||
			pthread_cond_init(&t->cond, NULL) != 0)
		{
			scan->nbatches = 1;
			return;
		}
		t->callback.func = thread_callback;
		t->callback.arg = t;
		MemoryContextRegisterResetCallback(GetMemoryChunkContext(scan),
										   &t->callback);
		scan->thread = t;
	}

	/* signals are the backend's: the thread inherits a mask blocking all */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t->thread, NULL, producer_main, scan);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
	{
		scan->nbatches = 1;
		return;
	}
	t->running = true;
}

/* Waits for batch b to be full, checking for a cancel every 10 ms. */
static void
wait_batch(TpchgenThread *t, TpchgenBatch *b)
{
	pthread_mutex_lock(&t->mutex);
	while (!b->full)
	{
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 10 * 1000 * 1000;
		if (until.tv_nsec >= 1000 * 1000 * 1000)
		{
			until.tv_sec++;
			until.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&t->cond, &t->mutex, &until);
		if (!b->full)
		{
			pthread_mutex_unlock(&t->mutex);
			CHECK_FOR_INTERRUPTS();
			pthread_mutex_lock(&t->mutex);
		}
	}
	pthread_mutex_unlock(&t->mutex);
}

/*
 * The next row as a heap tuple of the bound descriptor, or NULL at the end
 * of the scan.  It lies in the scan's buffers and stays valid until the
 * next call; the caller points a HeapTupleData at it.
 */
HeapTupleHeader
tpchgen_scan_next_tuple(TpchgenScan *scan)
{
	CHECK_FOR_INTERRUPTS();

	for (;;)
	{
		TpchgenBatch *b = &scan->batch[scan->take];

		if (scan->done)
			return NULL;
		if (!scan->taking)
		{
			if (!scan->gen_ready)
				start_generator(scan);
			if (scan->nbatches > 1 &&
				(scan->thread == NULL || !scan->thread->running))
				start_thread(scan);
			if (scan->nbatches > 1)
				wait_batch(scan->thread, b);
			else
			{
				fill_batch(scan, b);
				b->full = true;
			}
			scan->taking = true;
			scan->take_off = 0;
		}
		if (scan->take_off < b->used)
		{
			HeapTupleHeader td = (HeapTupleHeader) (b->data + scan->take_off);

			scan->take_off += MAXALIGN(HeapTupleHeaderGetDatumLength(td));
			return td;
		}

		/* the batch is read: its end, or hand it back */
		if (b->end == BATCH_FORM_FAILED)
			elog(ERROR, "tpchgen row of table \"%s\" could not be formed",
				 tpch_table_name(scan->table));
		if (b->end < 0)
			elog(ERROR, "tpchgen generator failed: %s", tpch_strerror(-b->end));
		if (b->end > 0)
		{
			scan->done = true;
			return NULL;
		}
		scan->taking = false;
		if (scan->nbatches > 1)
		{
			pthread_mutex_lock(&scan->thread->mutex);
			b->full = false;
			pthread_cond_broadcast(&scan->thread->cond);
			pthread_mutex_unlock(&scan->thread->mutex);
		}
		else
			b->full = false;
		scan->take = (scan->take + 1) % scan->nbatches;
	}
}

/* ------------------------------------------------------------------------
 * Conversions
 * ------------------------------------------------------------------------ */

/* Whether a numeric typmod takes two-decimal values up to 15 digits as is. */
static bool
numeric_typmod_fits(int32 typmod)
{
	int32		precision;
	int32		scale;

	if (typmod < (int32) VARHDRSZ)
		return true;
	precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
	scale = (typmod - VARHDRSZ) & 0xffff;
	return scale == 2 && precision >= 15;
}

/* Whether a char(n)/varchar(n) typmod holds every value of the column. */
static bool
length_typmod_fits(int32 typmod, int width)
{
	return typmod < (int32) VARHDRSZ || typmod - (int32) VARHDRSZ >= width;
}

static TpchgenConv
choose_conv(const tpch_column *c, Form_pg_attribute att)
{
	Oid			type = att->atttypid;

	switch (c->kind)
	{
		case TPCH_KIND_INT:
		case TPCH_KIND_KEY:
			if (type == INT8OID)
				return CONV_INT8;
			if (type == INT4OID)
				return CONV_INT4;
			break;
		case TPCH_KIND_MONEY:
		case TPCH_KIND_QUANTITY:
			if (type == NUMERICOID && numeric_typmod_fits(att->atttypmod))
				return CONV_NUMERIC;
			break;
		case TPCH_KIND_DATE:
			if (type == DATEOID)
				return CONV_DATE;
			break;
		case TPCH_KIND_CHAR:
		case TPCH_KIND_VARCHAR:
			if (type == TEXTOID ||
				((type == VARCHAROID || type == BPCHAROID) &&
				 length_typmod_fits(att->atttypmod, c->width)))
				return CONV_TEXT;
			break;
	}
	return CONV_INPUT;
}

/* The value as text, for the type's input function. */
static char *
value_text(const TpchgenOutColumn *oc, const char *field)
{
	char		buf[32];

	switch (oc->kind)
	{
		case TPCH_KIND_INT:
		case TPCH_KIND_KEY:
		case TPCH_KIND_QUANTITY:
			return psprintf(INT64_FORMAT, *(const int64 *) field);
		case TPCH_KIND_MONEY:
			return pnstrdup(buf, tpch_format_money(*(const int64 *) field, buf));
		case TPCH_KIND_DATE:
			tpch_format_date(*(const int32 *) field, buf);
			return pnstrdup(buf, 10);
		case TPCH_KIND_CHAR:
		case TPCH_KIND_VARCHAR:
			{
				const tpch_str *s = (const tpch_str *) field;

				return pnstrdup(s->ptr, s->len);
			}
	}
	elog(ERROR, "unexpected tpchgen column kind %d", (int) oc->kind);
	return NULL;
}
