/*
 * load.c - tpch_load(): a whole TPC-H database in one statement, with its
 * keys and statistics, inside the caller's transaction.
 *
 * The tables are created (by DDL text from core/schema.c, through SPI) in
 * the calling transaction, so their files are new relfilenodes of that
 * transaction: an error, a cancel or a crash before the commit leaves no
 * table behind, and PostgreSQL unlinks the files at the abort.  That also
 * lets the rows be written frozen and the pages all-visible, as COPY FREEZE
 * does: no transaction can see these tables before ours commits.
 *
 * Heap pages are built outside shared buffers, as CLUSTER's heap rewrite
 * and the btree build do.  A table part is cut into chunks of group rows
 * whose boundaries depend only on (table, sf, part, parts), and every chunk
 * starts a new page, so a table's pages are the same whatever the number of
 * workers.  Producers (parallel workers, and the leader when a CPU is left
 * for it) claim chunks in order and build them into slots of the slot ring
 * (slotring.c, which tpch_export shares).
 *
 * Each producer writes the pages it built itself, at the blocks its chunk
 * reserves in chunk order (a chunk's first block is known once the chunks
 * before it are built, not written), WAL-logged whole when the relation
 * needs WAL, each run of a piece's pages within a segment in one write
 * (segwrite.c).  The leader learns of
 * each written piece in chunk order (its first block, its rows: progress),
 * writes out the WAL the workers insert meanwhile (leader_progress), then
 * writes the visibility map and makes the heap durable.  The writes and
 * the WAL of a table are so shared by the producers instead of serialised in
 * the leader, which was the bottleneck of a parallel load.  Why parallel
 * workers may do this although PostgreSQL lets them insert no tuple:
 *
 * - Tuple inserts are forbidden in workers for what they share through the
 *   buffer manager and the transaction (combo CIDs, new tuples the other
 *   processes must see).  These are raw pages of a relfilenode that the
 *   leader's transaction created, outside shared buffers, that no other
 *   transaction can see.  The leader holds AccessExclusiveLock on the table
 *   for the whole load and the workers are in its lock group: nothing else
 *   reads or writes the file.
 * - md.c: a block in segment k may only be written once every segment
 *   before it is whole (a write past a short segment pads it with a zero
 *   page, which could overwrite a page another producer writes at the same
 *   moment).  A producer whose blocks reach segment k >= 1 first waits until
 *   the leader has seen every block before that segment (or before its own
 *   first block) written.  Segments are so created in order, with no gap,
 *   and the abort's unlink, which stops at the first missing segment,
 *   removes them all.  Within a segment blocks may be written in any order.
 * - Durability: each write asks the checkpointer to sync its segment, from
 *   whichever process wrote it, so a checkpoint that begins after our last
 *   write syncs every page before its redo pointer passes our records.
 *   Only a checkpoint that began while we wrote can have moved its redo
 *   pointer past records whose pages it did not sync; then (and only then)
 *   the leader syncs the table before the commit, once the workers are
 *   done: an fsync covers the file's pages whoever wrote them.  Skipping
 *   that sync saves the wait for the whole table to reach the disk in the
 *   common case.
 * - The workers' WAL: parallel.c hands each worker's last WAL position back
 *   to the leader when it waits for them to finish, and our commit record
 *   follows all of it, so the commit flushes the workers' records too.
 *   Parallel VACUUM's workers WAL-log their index writes the same way.
 * - Under wal_level = minimal (and for an unlogged table) nothing is
 *   logged: the relation is a pending sync of the leader's transaction,
 *   which its commit syncs (or WAL-logs, when small), reading the files
 *   whoever wrote them.  The leader decides whether to log, and tells the
 *   workers.
 * - PostgreSQL 17's bulk-write API keeps one writer's state per fork (the
 *   blocks written so far, up to which it zero-extends), so processes cannot
 *   share it: the heap goes through plain smgr calls on every version,
 *   serial or parallel, and only the visibility map, which the leader
 *   writes alone in block order, through the bulk API.
 *
 * The visibility map has every heap block all-visible and all-frozen, so
 * index-only scans need no VACUUM.
 */
#include "btbuild.h"
#include "segwrite.h"
#include "slotring.h"

#include "../core/schema.h"

#include "access/heapam.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "catalog/namespace.h"
#include "commands/progress.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/shm_toc.h"
#include "storage/smgr.h"
#include "utils/array.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include <sched.h>
#include <unistd.h>

/* Heap bytes a chunk aims at: many chunks to share out, few partial pages. */
#define CHUNK_BYTES (1024 * 1024)

/*
 * Pages per slot: a whole chunk and half as much again, so that a chunk
 * normally fills its slot once.  A chunk that overflows goes on in its slot
 * only after the leader has written it, which waits for every chunk before
 * it: with slots of a fraction of a chunk, the producers would take turns.
 */
#define SLOT_PAGES (CHUNK_BYTES * 3 / 2 / BLCKSZ)

/* Rows a slot may hold, for the primary key's entries beside its pages. */
#define SLOT_ROWS (SLOT_PAGES * MaxHeapTuplesPerPage)

/*
 * The visibility map's layout (visibilitymap.c keeps it private): two bits
 * per heap block, all-visible and all-frozen, after a standard page header.
 */
#define VM_MAPSIZE (BLCKSZ - MAXALIGN(SizeOfPageHeaderData))
#define VM_BLOCKS_PER_BYTE 4
#define VM_BLOCKS_PER_PAGE (VM_MAPSIZE * VM_BLOCKS_PER_BYTE)

/*
 * Progress: tpch_load reports as a COPY FROM a callback in
 * pg_stat_progress_copy, and in spare parameters of the same slot what the
 * tpch_load_progress view shows beside it.
 */
#define PROGRESS_LOAD_ROWS_TOTAL	10
#define PROGRESS_LOAD_TABLE			11
#define PROGRESS_LOAD_TABLES_DONE	12
#define PROGRESS_LOAD_TABLES_TOTAL	13
#define PROGRESS_LOAD_MARK			19
#define PROGRESS_LOAD_MARK_VALUE	0x74706368	/* "tpch" */

/* Keys of the parallel DSM table of contents. */
#define LOAD_KEY_SHARED		UINT64CONST(0x7470636800000011)
#define LOAD_KEY_PAGES		UINT64CONST(0x7470636800000012)
#define LOAD_KEY_RING		UINT64CONST(0x7470636800000013)
#define LOAD_KEY_KEYS		UINT64CONST(0x7470636800000014)

/* Average heap bytes per group row (tuple and line pointer), for chunks. */
static const int group_row_bytes[TPCH_NTABLES] = {
	[TPCH_REGION] = 160,
	[TPCH_NATION] = 160,
	[TPCH_SUPPLIER] = 190,
	[TPCH_PART] = 170,
	[TPCH_PARTSUPP] = 780,
	[TPCH_CUSTOMER] = 220,
	[TPCH_ORDERS] = 150,
	[TPCH_LINEITEM] = 600,
};

/*
 * What every producer needs, in DSM (or local memory when serial).  The
 * chunks and slots are a SlotRing beside it; a slot holds SLOT_PAGES pages,
 * and a chunk fills its slot as many times as its pages need, the leader
 * writing and freeing it in between.
 */
typedef struct LoadShared
{
	/* fixed before producers start */
	tpch_table	table;
	double		sf;
	int64		part;
	int64		parts;
	Oid			relid;
	bool		use_wal;		/* WAL-log the pages: the leader's decision */
	TransactionId xid;
	CommandId	cid;
	int64		first;			/* first group row of the part */
	int64		count;			/* group rows of the part */
	int64		chunk_rows;
	int			test_delay_ms;
	/* the primary key's columns, when its entries go beside the pages */
	int			nkeys;			/* 0: no key is built from the fill */
	uint32		key_offset[BTBUILD_MAX_KEYS];	/* in tpch_row */
} LoadShared;

/*
 * Rows generated ahead of the one stored: a comment is cut from anywhere in
 * the 300 MiB pool, so its read misses the caches; prefetched when its row
 * is generated, it is in the cache by the time the row is stored.
 */
#define ROWS_AHEAD 4

/* One process that builds pages: a worker or the leader. */
typedef struct LoadProducer
{
	LoadShared *sh;
	SlotRing   *slots;		/* the chunks and slots */
	char	   *pages;			/* nslots * SLOT_PAGES pages */

	/*
	 * The primary key's entries of each slot's rows, in row order: nslots *
	 * SLOT_ROWS keys of nkeys values, then nslots * SLOT_ROWS locations
	 * (BTBUILD_LOC) of their tuples in the slot's pages; NULL without keys.
	 */
	int64	   *keys;
	uint32	   *locs;
	SlotRingLeader *leader;		/* the leader's; NULL in a worker */
	Relation	rel;			/* this process's, to write through */
	TpchgenSegWriter *writer;	/* of its heap */
	int			ncols;
	TpchgenTupleColumn *cols;	/* the columns as core/schema.c types them */
	int			comment;		/* the column cut from the pool, or -1 */
	bool		gen_ready;
	tpch_gen	gen;
	tpch_row	ring[ROWS_AHEAD];
	char		data[BLCKSZ];	/* the tuple data of one row */
} LoadProducer;

/* The leader's state while it fills one table. */
typedef struct LoadRun
{
	SlotRingLeader leader;
	Relation	rel;
	TpchgenBtBuild *btree;		/* the primary key's, or NULL */
	instr_time	btree_time;		/* spent on it */
	LoadProducer prod;
	BlockNumber nblocks;		/* heap blocks written, in chunk order */
	bool		use_wal;		/* the pages are WAL-logged */
	bool		write_wal;		/* the leader writes the workers' WAL out */
	int64		rows;
} LoadRun;

/* One table of a call and what it took. */
typedef struct LoadTable
{
	tpch_table	table;
	Oid			relid;
	Oid			pkey;			/* its primary key index, or InvalidOid */
	int64		rows;
	int64		bytes;
	/* its seconds, by step: the result has their sum, DEBUG1 each */
	double		fill_seconds;
	double		key_seconds;
	double		analyze_seconds;
} LoadTable;


PG_FUNCTION_INFO_V1(tpch_load);
PGDLLEXPORT void tpchgen_load_worker(dsm_segment *seg, shm_toc *toc);

static void fill_table(LoadTable *lt, double sf, int64 part, int64 parts,
					   int workers, Oid pkey, int index, int ntables);
static void leader_produce(void *arg, int64 chunk);
static bool leader_written(void *arg, int idx, const SlotRingSlot *piece);
static void leader_progress(void *arg);
static void write_vm(LoadRun *r);
static void producer_start(LoadProducer *p, Relation rel);
static void producer_keys(LoadProducer *p, char *keys);
static void produce_chunk(LoadProducer *p, int64 chunk);
static void worker_produce(void *arg, int64 chunk);
static void start_page(Page page);
static void finish_page(Page page);
static bool place_tuple(LoadProducer *p, Page page, const char *data,
						Size data_len);
static void write_piece(LoadProducer *p, int64 chunk, char *pages, int npages,
						int64 rows, bool last);
static void run_sql(const char *sql);

/*
 * The leader's side of the slot ring: it learns of the pieces the producers
 * wrote, in chunk order.  A worker sets the leader's latch when it publishes
 * a piece; the leader also rechecks every 100 ms.
 */
static const SlotRingOps load_ring_ops = {
	.produce = leader_produce,
	.consume = leader_written,
	.moved = leader_progress,
	.idle_timeout_ms = 100,
	.lost_worker_message = gettext_noop("parallel worker exited before finishing its part of the load"),
};

/* ------------------------------------------------------------------------
 * The SQL function
 * ------------------------------------------------------------------------ */

static const char *const load_arg_names[] = {
	"sf", "schema", "tables", "keys", "analyze", "if_exists", "part",
	"parts", "workers", "unlogged", "distribute"
};

#define LOAD_ARG_TABLES 2
#define LOAD_ARG_WORKERS 8
#define LOAD_ARG_DISTRIBUTE 10

typedef enum LoadKeys
{
	KEYS_NONE,
	KEYS_PRIMARY,
	KEYS_FOREIGN
} LoadKeys;

/* The tables named in `arr`, as a mask by tpch_table; raises bad names. */
static uint32
parse_tables(ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	uint32		mask = 0;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("tables must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *name;
		int			t;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("tables must not contain null")));
		name = TextDatumGetCString(elems[i]);
		t = tpch_table_lookup(name);
		if (t < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown TPC-H table \"%s\"", name),
					 errhint("The tables are %s.", tpch_table_list())));
		mask |= 1u << t;
	}
	if (mask == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tables must name at least one table"),
				 errhint("Leave tables out (or pass NULL) to load all eight.")));
	return mask;
}

Datum
tpch_load(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		sf;
	char	   *schema;
	const char *qschema;
	uint32		mask;
	char	   *keys_name;
	LoadKeys	keys;
	bool		analyze;
	char	   *if_exists;
	bool		replace;
	int64		part;
	int64		parts;
	int			workers;
	bool		unlogged;
	char	   *distribute;
	Oid			nsp;
	LoadTable	tables[TPCH_NTABLES];
	int			ntables = 0;
	StringInfoData sql;
	instr_time	start;
	instr_time	duration;

	for (int i = 0; i < lengthof(load_arg_names); i++)
	{
		if (PG_ARGISNULL(i) && i != LOAD_ARG_TABLES && i != LOAD_ARG_WORKERS &&
			i != LOAD_ARG_DISTRIBUTE)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument \"%s\" of tpch_load must not be null",
							load_arg_names[i])));
	}
	sf = PG_GETARG_FLOAT8(0);
	schema = text_to_cstring(PG_GETARG_TEXT_PP(1));
	mask = PG_ARGISNULL(LOAD_ARG_TABLES) ? (1u << TPCH_NTABLES) - 1 :
		parse_tables(PG_GETARG_ARRAYTYPE_P(LOAD_ARG_TABLES));
	keys_name = text_to_cstring(PG_GETARG_TEXT_PP(3));
	analyze = PG_GETARG_BOOL(4);
	if_exists = text_to_cstring(PG_GETARG_TEXT_PP(5));
	part = PG_GETARG_INT64(6);
	parts = PG_GETARG_INT64(7);
	/* NULL: follow max_parallel_workers_per_gather, as -1 below */
	workers = PG_ARGISNULL(LOAD_ARG_WORKERS) ? -1 :
		PG_GETARG_INT32(LOAD_ARG_WORKERS);
	unlogged = PG_GETARG_BOOL(9);
	distribute = PG_ARGISNULL(LOAD_ARG_DISTRIBUTE) ? NULL :
		text_to_cstring(PG_GETARG_TEXT_PP(LOAD_ARG_DISTRIBUTE));

	/* Every argument is checked before anything is created. */
	if (sf == 0)
		tpchgen_check_args(1, part, parts);
	else
		tpchgen_check_args(sf, part, parts);
	if (schema[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_NAME),
				 errmsg("schema name must not be empty")));
	if (strcmp(keys_name, "none") == 0)
		keys = KEYS_NONE;
	else if (strcmp(keys_name, "primary") == 0)
		keys = KEYS_PRIMARY;
	else if (strcmp(keys_name, "foreign") == 0)
		keys = KEYS_FOREIGN;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown keys value \"%s\"", keys_name),
				 errhint("The keys values are \"none\", \"primary\" and \"foreign\".")));
	if (strcmp(if_exists, "error") == 0)
		replace = false;
	else if (strcmp(if_exists, "replace") == 0)
		replace = true;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown if_exists value \"%s\"", if_exists),
				 errhint("The if_exists values are \"error\" and \"replace\".")));
	if (!PG_ARGISNULL(LOAD_ARG_WORKERS) && workers < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workers must not be negative"),
				 errhint("Use 0 to load without parallel workers, or NULL to follow max_parallel_workers_per_gather.")));
	if (keys == KEYS_FOREIGN && parts > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("foreign keys cannot be built on part %lld of %lld",
						(long long) part, (long long) parts),
				 errdetail("A part of orders refers to customers of other parts, a part of partsupp to suppliers of other parts."),
				 errhint("Use keys => 'primary' when loading parts.")));

	if (distribute != NULL && strcmp(distribute, "citus") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown distribute value \"%s\"", distribute),
				 errhint("The only distribute value is \"citus\"; leave distribute out (NULL) to load this server.")));
	if (distribute != NULL &&
		(!PG_ARGISNULL(LOAD_ARG_TABLES) || parts != 1 || keys == KEYS_FOREIGN ||
		 !PG_ARGISNULL(LOAD_ARG_WORKERS) || unlogged))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("distribute => 'citus' cannot be combined with tables, part, parts, workers, unlogged or keys => 'foreign'"),
				 errdetail("Citus loads the eight tables whole, each worker filling its shards; Citus cannot check foreign keys between tables distributed on different keys."),
				 errhint("Leave those arguments out.")));

	/* Existing tables are left alone unless the caller asks to replace them. */
	nsp = get_namespace_oid(schema, true);
	qschema = quote_identifier(schema);
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		if (!(mask & (1u << t)))
			continue;
		tables[ntables].table = (tpch_table) t;
		tables[ntables].rows = 0;
		tables[ntables].bytes = 0;
		tables[ntables].fill_seconds = 0;
		tables[ntables].key_seconds = 0;
		tables[ntables].analyze_seconds = 0;
		tables[ntables].pkey = InvalidOid;
		if (OidIsValid(nsp) && !replace &&
			OidIsValid(get_relname_relid(tpch_table_name(t), nsp)))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation \"%s.%s\" already exists", schema,
							tpch_table_name(t)),
					 errhint("Use if_exists => 'replace' to drop and load it again, or load into another schema.")));
		ntables++;
	}

	if (distribute != NULL)
	{
		tpchgen_load_citus(fcinfo, sf, schema, keys == KEYS_PRIMARY, analyze,
						   replace);
		return (Datum) 0;
	}

	InitMaterializedSRF(fcinfo, 0);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	initStringInfo(&sql);

	/* DDL runs as the caller: CREATE privileges are checked as usual. */
	if (!OidIsValid(nsp))
	{
		appendStringInfo(&sql, "CREATE SCHEMA %s", qschema);
		run_sql(sql.data);
	}
	else if (replace)
	{
		resetStringInfo(&sql);
		for (int i = 0; i < ntables; i++)
			if (OidIsValid(get_relname_relid(tpch_table_name(tables[i].table), nsp)))
				appendStringInfo(&sql, "%s%s.%s", sql.len == 0 ? "DROP TABLE " : ", ",
								 qschema, tpch_table_name(tables[i].table));
		if (sql.len > 0)
			run_sql(sql.data);
	}
	nsp = get_namespace_oid(schema, false);

	for (int i = 0; i < ntables; i++)
	{
		size_t		len;

		resetStringInfo(&sql);
		len = tpch_sql_create_table(tables[i].table, qschema, unlogged, NULL, 0);
		enlargeStringInfo(&sql, len + 1);
		tpch_sql_create_table(tables[i].table, qschema, unlogged, sql.data, len + 1);
		sql.len = len;
		run_sql(sql.data);
		tables[i].relid = get_relname_relid(tpch_table_name(tables[i].table), nsp);
		if (!OidIsValid(tables[i].relid))
			elog(ERROR, "table \"%s\" created by tpch_load is missing",
				 tpch_table_name(tables[i].table));
	}

	/*
	 * Primary keys are made on the empty tables, by PostgreSQL, so that its
	 * catalog entries and NOT NULL constraints are those of ALTER TABLE ...
	 * ADD PRIMARY KEY; the fill then writes each index's pages from the keys
	 * of its rows (btbuild.c).
	 */
	if (keys != KEYS_NONE)
	{
		for (int i = 0; i < ntables; i++)
		{
			size_t		len;
			char	   *name;

			INSTR_TIME_SET_CURRENT(start);
			resetStringInfo(&sql);
			len = tpch_sql_primary_key(tables[i].table, qschema, NULL, 0);
			enlargeStringInfo(&sql, len + 1);
			tpch_sql_primary_key(tables[i].table, qschema, sql.data, len + 1);
			sql.len = len;
			run_sql(sql.data);
			name = psprintf("%s_pkey", tpch_table_name(tables[i].table));
			tables[i].pkey = get_relname_relid(name, nsp);
			if (!OidIsValid(tables[i].pkey))
				elog(ERROR, "index \"%s\" created by tpch_load is missing", name);
			INSTR_TIME_SET_CURRENT(duration);
			INSTR_TIME_SUBTRACT(duration, start);
			tables[i].key_seconds = INSTR_TIME_GET_DOUBLE(duration);
		}
	}

	if (sf > 0)
	{
		tpchgen_pool();
		for (int i = 0; i < ntables; i++)
		{
			double		key_before = tables[i].key_seconds;

			INSTR_TIME_SET_CURRENT(start);
			fill_table(&tables[i], sf, part, parts, workers, tables[i].pkey,
					   i, ntables);
			INSTR_TIME_SET_CURRENT(duration);
			INSTR_TIME_SUBTRACT(duration, start);
			/* the index's share of the fill is counted with the keys */
			tables[i].fill_seconds = INSTR_TIME_GET_DOUBLE(duration) -
				(tables[i].key_seconds - key_before);
		}
	}

	/* Foreign keys between the tables of this call, checked by PostgreSQL. */
	if (keys == KEYS_FOREIGN)
	{
		for (int i = 0; i < ntables; i++)
		{
			int			nfk;
			const tpch_foreign_key *fk = tpch_foreign_keys(tables[i].table, &nfk);

			INSTR_TIME_SET_CURRENT(start);
			for (int k = 0; k < nfk; k++)
			{
				size_t		len;

				if (!(mask & (1u << fk[k].ref)))
					continue;
				resetStringInfo(&sql);
				len = tpch_sql_foreign_key(tables[i].table, k, qschema, NULL, 0);
				enlargeStringInfo(&sql, len + 1);
				tpch_sql_foreign_key(tables[i].table, k, qschema, sql.data, len + 1);
				sql.len = len;
				run_sql(sql.data);
			}
			INSTR_TIME_SET_CURRENT(duration);
			INSTR_TIME_SUBTRACT(duration, start);
			tables[i].key_seconds += INSTR_TIME_GET_DOUBLE(duration);
		}
	}

	if (analyze)
	{
		for (int i = 0; i < ntables; i++)
		{
			INSTR_TIME_SET_CURRENT(start);
			resetStringInfo(&sql);
			appendStringInfo(&sql, "ANALYZE %s.%s", qschema,
							 tpch_table_name(tables[i].table));
			run_sql(sql.data);
			INSTR_TIME_SET_CURRENT(duration);
			INSTR_TIME_SUBTRACT(duration, start);
			tables[i].analyze_seconds = INSTR_TIME_GET_DOUBLE(duration);
		}
	}

	SPI_finish();

	for (int i = 0; i < ntables; i++)
	{
		LoadTable  *lt = &tables[i];

		/* where the time went, for tuning and the benchmark's breakdown */
		elog(DEBUG1, "tpch_load %s: filled in %.3f s, keys in %.3f s, analyzed in %.3f s",
			 tpch_table_name(lt->table), lt->fill_seconds, lt->key_seconds,
			 lt->analyze_seconds);
		tpchgen_load_result(rsinfo, lt->table, lt->rows, lt->bytes,
							lt->fill_seconds + lt->key_seconds + lt->analyze_seconds);
	}
	return (Datum) 0;
}

/*
 * Adds tpch_load's result row for one table: table_name, rows, bytes (NULL
 * when bytes < 0: not known), seconds.
 */
void
tpchgen_load_result(ReturnSetInfo *rsinfo, tpch_table table, int64 rows,
					int64 bytes, double seconds)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, bytes < 0, false};

	values[0] = CStringGetTextDatum(tpch_table_name(table));
	values[1] = Int64GetDatum(rows);
	values[2] = bytes < 0 ? (Datum) 0 : Int64GetDatum(bytes);
	values[3] = Float8GetDatum(seconds);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* Runs one utility statement through SPI; errors propagate. */
static void
run_sql(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc < 0)
		elog(ERROR, "tpch_load could not run \"%s\": %s", sql,
			 SPI_result_code_string(rc));
}

/* The CPUs this process may run on (its affinity mask, as in a container). */
int
tpchgen_cpus(void)
{
	cpu_set_t	set;
	long		n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int) n : 1;
}

/* ------------------------------------------------------------------------
 * Filling one table
 * ------------------------------------------------------------------------ */

/* Adds the time since `start` to the primary key's. */
static void
add_btree_time(LoadRun *r, instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_ACCUM_DIFF(r->btree_time, now, start);
}

/*
 * Fills one table; with pkey (the table's empty primary key index), writes
 * that index too, from the keys the producers put beside their pages.
 */
static void
fill_table(LoadTable *lt, double sf, int64 part, int64 parts, int workers,
		   Oid pkey, int index, int ntables)
{
	LoadShared *sh;
	SlotRing   *ring;
	ParallelContext *pcxt = NULL;
	LoadRun		r;
	XLogRecPtr	start_redo;
	int64		first;
	int64		count;
	int64		chunk_rows;
	int64		nchunks;
	int			nworkers;
	int			nslots;
	Size		ring_size;
	Size		pages_size;
	Size		keys_size = 0;
	char	   *pages_mem = NULL;
	char	   *pages;
	char	   *keys = NULL;
	Relation	irel = NULL;
	const tpch_key *pk = tpch_primary_key(lt->table);

	tpch_part_range(lt->table, sf, part, parts, &first, &count);
	chunk_rows = Max(1, CHUNK_BYTES / group_row_bytes[lt->table]);
	nchunks = (count + chunk_rows - 1) / chunk_rows;

	nworkers = tpchgen_slotring_workers(workers, nchunks);
	nslots = SLOTRING_NSLOTS(nworkers);
	ring_size = tpchgen_slotring_size(nslots, nworkers);
	/* aligned for direct I/O (debug_io_direct), which md.c may be doing */
	pages_size = (Size) nslots * SLOT_PAGES * BLCKSZ + PG_IO_ALIGN_SIZE;
	if (OidIsValid(pkey))
		keys_size = (Size) nslots * SLOT_ROWS *
			(sizeof(int64) * pk->ncols + sizeof(uint32));

	memset(&r, 0, sizeof(r));
	r.rel = table_open(lt->relid, AccessExclusiveLock);
	/* a table of this transaction, so that the rows may be frozen */
	if (r.rel->rd_createSubid == InvalidSubTransactionId)
		elog(ERROR, "table \"%s\" was not created by this transaction",
			 RelationGetRelationName(r.rel));
	/* before any page is written: see tpchgen_sync_written */
	start_redo = GetRedoRecPtr();
	if (OidIsValid(pkey))
	{
		irel = index_open(pkey, AccessExclusiveLock);
		r.btree = tpchgen_btbuild_start(irel, pk->ncols);
	}

	if (nworkers > 0)
	{
		EnterParallelMode();
		pcxt = CreateParallelContext("tpchgen", "tpchgen_load_worker",
									 nworkers);
		shm_toc_estimate_chunk(&pcxt->estimator, sizeof(LoadShared));
		shm_toc_estimate_chunk(&pcxt->estimator, ring_size);
		shm_toc_estimate_chunk(&pcxt->estimator, pages_size);
		if (keys_size > 0)
			shm_toc_estimate_chunk(&pcxt->estimator, keys_size);
		shm_toc_estimate_keys(&pcxt->estimator, 4);
		InitializeParallelDSM(pcxt);
		sh = shm_toc_allocate(pcxt->toc, sizeof(LoadShared));
		ring = shm_toc_allocate(pcxt->toc, ring_size);
		pages = shm_toc_allocate(pcxt->toc, pages_size);
		pages = (char *) TYPEALIGN(PG_IO_ALIGN_SIZE, pages);
		shm_toc_insert(pcxt->toc, LOAD_KEY_SHARED, sh);
		shm_toc_insert(pcxt->toc, LOAD_KEY_RING, ring);
		shm_toc_insert(pcxt->toc, LOAD_KEY_PAGES, pages);
		if (keys_size > 0)
		{
			keys = shm_toc_allocate(pcxt->toc, keys_size);
			shm_toc_insert(pcxt->toc, LOAD_KEY_KEYS, keys);
		}
	}
	else
	{
		sh = palloc(sizeof(LoadShared));
		ring = palloc(ring_size);
		pages_mem = palloc(pages_size);
		pages = (char *) TYPEALIGN(PG_IO_ALIGN_SIZE, pages_mem);
		if (keys_size > 0)
			keys = palloc(keys_size);
	}

	memset(sh, 0, sizeof(LoadShared));
	sh->table = lt->table;
	sh->sf = sf;
	sh->part = part;
	sh->parts = parts;
	sh->relid = lt->relid;
	sh->use_wal = r.use_wal = RelationNeedsWAL(r.rel);
	sh->xid = GetCurrentTransactionId();
	sh->cid = GetCurrentCommandId(true);
	sh->first = first;
	sh->count = count;
	sh->chunk_rows = chunk_rows;
	sh->test_delay_ms = tpchgen_load_test_delay_ms;
	if (keys != NULL)
	{
		int			ncols;
		const tpch_column *cols = tpch_columns(lt->table, &ncols);

		sh->nkeys = pk->ncols;
		for (int k = 0; k < pk->ncols; k++)
			sh->key_offset[k] = cols[pk->cols[k]].offset;
	}
	tpchgen_slotring_init(ring, nchunks, nslots, nworkers);

	r.prod.sh = sh;
	r.prod.slots = ring;
	r.prod.pages = pages;
	producer_keys(&r.prod, keys);
	r.prod.leader = &r.leader;
	r.prod.rel = r.rel;
	producer_start(&r.prod, r.rel);

	/* one COPY FROM report per table, as COPY would make */
	pgstat_progress_start_command(PROGRESS_COMMAND_COPY, lt->relid);
	{
		const int	param[] = {PROGRESS_COPY_COMMAND, PROGRESS_COPY_TYPE,
			PROGRESS_LOAD_ROWS_TOTAL, PROGRESS_LOAD_TABLE,
			PROGRESS_LOAD_TABLES_DONE, PROGRESS_LOAD_TABLES_TOTAL,
		PROGRESS_LOAD_MARK};
		const int64 val[] = {PROGRESS_COPY_COMMAND_FROM,
			PROGRESS_COPY_TYPE_CALLBACK, tpch_rows_estimate(lt->table, count),
			lt->table, index, ntables, PROGRESS_LOAD_MARK_VALUE};

		pgstat_progress_update_multi_param(lengthof(param), param, val);
	}

	if (pcxt != NULL)
	{
		LaunchParallelWorkers(pcxt);
		r.write_wal = r.use_wal && pcxt->nworkers_launched > 0;
	}

	tpchgen_slotring_lead(&r.leader, ring, pcxt, &load_ring_ops, &r);
	tpchgen_segwriter_close(r.prod.writer);

	if (pcxt != NULL)
	{
		WaitForParallelWorkersToFinish(pcxt);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
	}

	/* sh is gone with the parallel context: r.use_wal is the leader's copy */
	if (tpchgen_sync_written(r.rel, MAIN_FORKNUM, r.use_wal, start_redo) &&
		r.use_wal)
		elog(DEBUG1, "tpch_load synced table \"%s\": a checkpoint began while it was written",
			 RelationGetRelationName(r.rel));
	write_vm(&r);
	if (r.btree != NULL)
	{
		instr_time	start;

		INSTR_TIME_SET_CURRENT(start);
		tpchgen_btbuild_finish(r.btree);
		/* the figures CREATE INDEX would have left in pg_class */
		tpchgen_set_relstats(r.rel, r.nblocks, (double) r.rows, r.nblocks);
		tpchgen_set_relstats(irel, RelationGetNumberOfBlocks(irel),
							 (double) r.rows, 0);
		add_btree_time(&r, start);
		index_close(irel, NoLock);
	}
	lt->key_seconds += INSTR_TIME_GET_DOUBLE(r.btree_time);

	if (pcxt == NULL)
	{
		pfree(pages_mem);
		pfree(ring);
		pfree(sh);
		if (keys != NULL)
			pfree(keys);
	}

	pgstat_progress_end_command();
	lt->rows = r.rows;
	lt->bytes = (int64) r.nblocks * BLCKSZ;
	table_close(r.rel, NoLock);
}

/* ------------------------------------------------------------------------
 * The leader: learns of the written pages in chunk order, builds pages when
 * it is idle
 * ------------------------------------------------------------------------ */

static void
leader_produce(void *arg, int64 chunk)
{
	LoadRun    *r = arg;

	produce_chunk(&r->prod, chunk);
}

/*
 * A piece of a chunk is written: its pages are blocks r->nblocks onwards.
 * Here, in chunk order, the leader learns where each chunk landed; the slot
 * is free again at once.
 */
static bool
leader_written(void *arg, int idx, const SlotRingSlot *piece)
{
	LoadRun    *r = arg;
	BlockNumber first = r->nblocks;

	r->nblocks += (BlockNumber) piece->size;
	r->rows += piece->rows;
	if (r->btree != NULL)
	{
		instr_time	start;

		INSTR_TIME_SET_CURRENT(start);
		tpchgen_btbuild_add(r->btree,
							r->prod.keys + (Size) idx * SLOT_ROWS * r->prod.sh->nkeys,
							r->prod.locs + (Size) idx * SLOT_ROWS,
							piece->rows, first);
		add_btree_time(r, start);
	}
	return true;
}

/*
 * After pieces were consumed: progress, and the WAL the workers inserted is
 * written out.  A process inserting WAL that finds the WAL buffers full
 * writes them itself, and fsyncs each 16 MB segment it completes, waiting
 * for the disk; the WAL writer wakes too seldom to keep up with the
 * workers.  The leader, otherwise idle, takes that part (as the WAL writer
 * does: up to the last full page) so that the workers go on building.
 */
static void
leader_progress(void *arg)
{
	LoadRun    *r = arg;

	pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED, r->rows);
	if (r->write_wal)
		(void) XLogBackgroundFlush();
}

/*
 * Writes the visibility map: every heap block all-visible and all-frozen.
 * Built here rather than by visibilitymap_set() per block, which would pin
 * each heap page in shared buffers and WAL-log a record per block.  The
 * map's pages have a standard header and no line pointers, so they are
 * logged as non-standard pages, without the hole a heap page's WAL image
 * leaves out.
 */
static void
write_vm(LoadRun *r)
{
	SMgrRelation smgr;
	TpchgenBulkWrite *bw;
	PGAlignedBlock buf;
	BlockNumber nvm;

	if (r->nblocks == 0)
		return;
	smgr = RelationGetSmgr(r->rel);
	if (!smgrexists(smgr, VISIBILITYMAP_FORKNUM))
		smgrcreate(smgr, VISIBILITYMAP_FORKNUM, false);
	bw = tpchgen_bulk_start(r->rel, VISIBILITYMAP_FORKNUM);
	nvm = (r->nblocks + VM_BLOCKS_PER_PAGE - 1) / VM_BLOCKS_PER_PAGE;
	for (BlockNumber v = 0; v < nvm; v++)
	{
		BlockNumber covered = Min(r->nblocks - v * VM_BLOCKS_PER_PAGE,
								  VM_BLOCKS_PER_PAGE);
		char	   *map;

		PageInit(buf.data, BLCKSZ, 0);
		map = PageGetContents(buf.data);
		memset(map, 0xFF, covered / VM_BLOCKS_PER_BYTE);
		if (covered % VM_BLOCKS_PER_BYTE != 0)
			map[covered / VM_BLOCKS_PER_BYTE] =
				(1 << (2 * (covered % VM_BLOCKS_PER_BYTE))) - 1;
		tpchgen_bulk_write(bw, v, buf.data, 1, false);
	}
	tpchgen_bulk_finish(bw);
}

/* ------------------------------------------------------------------------
 * Producers
 * ------------------------------------------------------------------------ */

/*
 * Sets a producer up for the relation, whose columns must be the core's
 * with the types core/schema.c gives them.
 */
static void
producer_start(LoadProducer *p, Relation rel)
{
	LoadShared *sh = p->sh;
	TupleDesc	desc = RelationGetDescr(rel);
	const tpch_column *cols = tpch_columns(sh->table, &p->ncols);
	uint64		pool = tpch_pool_columns(sh->table);

	if (desc->natts != p->ncols)
		elog(ERROR, "table \"%s\" does not have the columns tpch_load made",
			 RelationGetRelationName(rel));
	p->writer = tpchgen_segwriter_open(rel, MAIN_FORKNUM, sh->use_wal);
	p->cols = palloc(sizeof(TpchgenTupleColumn) * p->ncols);
	p->comment = -1;
	for (int i = 0; i < p->ncols; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Oid			want = InvalidOid;

		switch (cols[i].kind)
		{
			case TPCH_KIND_KEY:
				want = INT8OID;
				break;
			case TPCH_KIND_INT:
				want = INT4OID;
				break;
			case TPCH_KIND_DATE:
				want = DATEOID;
				break;
			case TPCH_KIND_MONEY:
			case TPCH_KIND_QUANTITY:
				want = NUMERICOID;
				break;
			case TPCH_KIND_CHAR:
				want = BPCHAROID;
				break;
			case TPCH_KIND_VARCHAR:
				want = VARCHAROID;
				break;
		}
		if (att->attisdropped || att->atttypid != want ||
			strcmp(NameStr(att->attname), cols[i].name) != 0)
			elog(ERROR, "table \"%s\" does not have the columns tpch_load made",
				 RelationGetRelationName(rel));
		p->cols[i].offset = cols[i].offset;
		p->cols[i].store = want == INT8OID ? TPCHGEN_STORE_INT8 :
			want == INT4OID ? TPCHGEN_STORE_INT4 :
			want == DATEOID ? TPCHGEN_STORE_DATE :
			want == NUMERICOID ? TPCHGEN_STORE_NUMERIC : TPCHGEN_STORE_TEXT;
		p->cols[i].cents = cols[i].kind == TPCH_KIND_QUANTITY ? 100 : 1;
		p->cols[i].pad = cols[i].kind == TPCH_KIND_CHAR ? cols[i].width : 0;
		if (pool & (UINT64CONST(1) << i))
			p->comment = i;
	}
}

/*
 * Points the producer at the key area (NULL: no primary key is built from
 * the fill): the keys of every slot, then their locations.
 */
static void
producer_keys(LoadProducer *p, char *keys)
{
	if (keys == NULL)
		return;
	p->keys = (int64 *) keys;
	p->locs = (uint32 *) (p->keys + (Size) p->slots->nslots * SLOT_ROWS *
						  p->sh->nkeys);
}

/* Test hook: slows building down so that tests can cancel mid-way. */
static void
load_test_delay(int ms)
{
	for (int done = 0; done < ms; done += 10)
	{
		pg_usleep(10 * 1000L);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Waits until `chunk` may fill its slot. */
static void
producer_wait_slot(LoadProducer *p, int64 chunk)
{
	tpchgen_slotring_wait(p->slots, p->leader, chunk);
}

/* Hands a filled slot to the leader. */
static void
publish(LoadProducer *p, int64 chunk, int npages, int64 rows, bool last)
{
	tpchgen_slotring_publish(p->slots, p->leader, chunk, npages, rows, last);
}

/* Generates the next row into *row, prefetching its comment; false at the end. */
static bool
next_row(LoadProducer *p, tpch_row *row)
{
	int			r = tpch_gen_next(&p->gen, row);

	if (r < 0)
		elog(ERROR, "tpchgen generator failed: %s", tpch_strerror(-r));
	if (r > 0 && p->comment >= 0)
	{
		const tpch_str *s = (const tpch_str *) ((const char *) row +
												p->cols[p->comment].offset);

		__builtin_prefetch(s->ptr);
		__builtin_prefetch(s->ptr + s->len - 1);
	}
	return r > 0;
}

/*
 * Builds the pages of one chunk into its slot: a new page for the chunk's
 * first row, and the slot handed over whenever its pages are full.
 */
static void
produce_chunk(LoadProducer *p, int64 chunk)
{
	LoadShared *sh = p->sh;
	int			idx = chunk % p->slots->nslots;
	char	   *pages = p->pages + (Size) idx * SLOT_PAGES * BLCKSZ;
	int64		first = sh->first + chunk * sh->chunk_rows;
	int64		count = Min(sh->chunk_rows, sh->first + sh->count - first);
	int			cur = 0;
	int64		rows = 0;
	int			head = 0;
	int			ahead = 0;
	bool		done = false;
	int			nkeys = sh->nkeys;
	int64	   *keys = p->keys ? p->keys + (Size) idx * SLOT_ROWS * nkeys : NULL;
	uint32	   *locs = p->locs ? p->locs + (Size) idx * SLOT_ROWS : NULL;
	int64		key[BTBUILD_MAX_KEYS];

	if (sh->test_delay_ms > 0)
		load_test_delay(sh->test_delay_ms);

	/*
	 * One generator per producer, seeking forward from chunk to chunk: at
	 * SF >= 30000 a seek replays orders only over the gap.
	 */
	if (!p->gen_ready)
	{
		if (tpch_gen_init(&p->gen, sh->table, sh->sf, sh->part,
						  sh->parts) != TPCH_OK)
			elog(ERROR, "could not set up the tpchgen generator");
		p->gen_ready = true;
	}
	if (tpch_gen_seek(&p->gen, first, count) != TPCH_OK ||
		tpch_gen_set_columns(&p->gen, TPCH_ALL_COLUMNS) != TPCH_OK)
		elog(ERROR, "could not seek the tpchgen generator to row " INT64_FORMAT,
			 first);

	producer_wait_slot(p, chunk);
	start_page(pages);

	while (ahead < ROWS_AHEAD && next_row(p, &p->ring[ahead]))
		ahead++;
	while (ahead > 0)
	{
		Size		len = tpchgen_form_tuple_data(p->cols, p->ncols,
												  &p->ring[head], p->data);

		if (len == 0)
			elog(ERROR, "tpchgen row of table \"%s\" could not be formed",
				 tpch_table_name(sh->table));
		/* the key, before the row's place in the ring takes the next row */
		for (int k = 0; k < nkeys; k++)
			key[k] = *(const int64 *) ((const char *) &p->ring[head] +
									   sh->key_offset[k]);

		/* the slot of the row just formed takes the row ROWS_AHEAD on */
		if (done || !next_row(p, &p->ring[head]))
		{
			done = true;
			ahead--;
		}
		head = (head + 1) % ROWS_AHEAD;

		if (!place_tuple(p, pages + (Size) cur * BLCKSZ, p->data, len))
		{
			if (++cur == SLOT_PAGES)
			{
				write_piece(p, chunk, pages, SLOT_PAGES, rows, false);
				rows = 0;
				cur = 0;
				producer_wait_slot(p, chunk);
			}
			start_page(pages + (Size) cur * BLCKSZ);
			if (!place_tuple(p, pages + (Size) cur * BLCKSZ, p->data, len))
				elog(ERROR, "tpchgen row does not fit an empty page");
		}
		if (keys != NULL)
		{
			memcpy(keys + rows * nkeys, key, sizeof(int64) * nkeys);
			locs[rows] = BTBUILD_LOC(cur, PageGetMaxOffsetNumber(pages + (Size) cur * BLCKSZ));
		}
		rows++;
		if ((rows & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	write_piece(p, chunk, pages,
				PageGetMaxOffsetNumber(pages + (Size) cur * BLCKSZ) > 0 ?
				cur + 1 : cur, rows, true);
}

/*
 * Writes a piece of `chunk` at the blocks it reserves after the chunks
 * before it, then hands it to the leader; its tuples learn their block
 * numbers here.  A block of a segment after the first is written only once
 * the leader has seen every block before that segment written (md.c: see
 * the file header), or every block before the piece when the rest of the
 * segment is the piece's own.
 */
static void
write_piece(LoadProducer *p, int64 chunk, char *pages, int npages, int64 rows,
			bool last)
{
	BlockNumber first;

	first = (BlockNumber) tpchgen_slotring_reserve(p->slots, p->leader, chunk,
												   npages, last);
	for (int i = 0; i < npages; i++)
	{
		Page		page = pages + (Size) i * BLCKSZ;
		OffsetNumber maxoff = PageGetMaxOffsetNumber(page);

		finish_page(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
		{
			HeapTupleHeader td = (HeapTupleHeader) PageGetItem(page,
															   PageGetItemId(page, off));

			ItemPointerSet(&td->t_ctid, first + i, off);
		}
	}
	for (int done = 0; done < npages;)
	{
		BlockNumber blk = first + done;
		BlockNumber seg_start = blk - blk % RELSEG_SIZE;
		int			n = (int) Min((BlockNumber) (npages - done),
								  seg_start + RELSEG_SIZE - blk);

		if (seg_start > 0)
			tpchgen_slotring_wait_consumed(p->slots, p->leader,
										   Min(first, seg_start));
		tpchgen_segwriter_write(p->writer, blk, pages + (Size) done * BLCKSZ,
								n);
		done += n;
	}
	publish(p, chunk, npages, rows, last);
}

/*
 * Starts an empty all-visible heap page in a slot.  Unlike PageInit it does
 * not zero the whole page, which would write every byte twice: place_tuple
 * writes every byte of a tuple's place, and finish_page zeroes the free
 * space left between the line pointers and the tuples, so the page ends as
 * PageInit and PageAddItem would leave it.
 */
static void
start_page(Page page)
{
	PageHeader	ph = (PageHeader) page;

	memset(page, 0, SizeOfPageHeaderData);
	ph->pd_lower = SizeOfPageHeaderData;
	ph->pd_upper = BLCKSZ;
	ph->pd_special = BLCKSZ;
	PageSetPageSizeAndVersion(page, BLCKSZ, PG_PAGE_LAYOUT_VERSION);
	PageSetAllVisible(page);
}

/* Zeroes a built page's free space, before it is written. */
static void
finish_page(Page page)
{
	PageHeader	ph = (PageHeader) page;

	memset(page + ph->pd_lower, 0, ph->pd_upper - ph->pd_lower);
}

/*
 * Places tuple data as a frozen heap tuple on `page`, with the header
 * heap_form_tuple and heap_insert with HEAP_INSERT_FROZEN would have given
 * it; false when it does not fit.  The block number of its own TID is set
 * when the page's block is known (write_piece).
 */
static bool
place_tuple(LoadProducer *p, Page page, const char *data, Size data_len)
{
	PageHeader	ph = (PageHeader) page;
	Size		hoff = MAXALIGN(SizeofHeapTupleHeader);
	Size		len = hoff + data_len;
	OffsetNumber off;
	HeapTupleHeader td;

	if (len > MaxHeapTupleSize)
		elog(ERROR, "tpchgen row of %zu bytes does not fit a heap page", len);
	off = PageGetMaxOffsetNumber(page) + 1;
	if (off > MaxHeapTuplesPerPage ||
		(Size) (ph->pd_upper - ph->pd_lower) < MAXALIGN(len) + sizeof(ItemIdData))
		return false;

	ph->pd_upper -= MAXALIGN(len);
	ItemIdSetNormal(PageGetItemId(page, off), ph->pd_upper, len);
	ph->pd_lower += sizeof(ItemIdData);

	/*
	 * Every byte of the tuple's place is written (start_page zeroes
	 * nothing): the padding after the data and after the header zero.
	 */
	td = (HeapTupleHeader) (page + ph->pd_upper);
	memset((char *) td + MAXALIGN(len) - sizeof(uint64), 0, sizeof(uint64));
	memset(td, 0, hoff);
	HeapTupleHeaderSetNatts(td, p->ncols);
	td->t_hoff = hoff;
	/* every table has varchar columns, none has NULLs */
	td->t_infomask = HEAP_HASVARWIDTH | HEAP_XMIN_FROZEN | HEAP_XMAX_INVALID;
	HeapTupleHeaderSetXmin(td, p->sh->xid);
	HeapTupleHeaderSetXmax(td, InvalidTransactionId);
	HeapTupleHeaderSetCmin(td, p->sh->cid);
	ItemPointerSet(&td->t_ctid, 0, off);
	memcpy((char *) td + hoff, data, data_len);
	return true;
}

static void
worker_produce(void *arg, int64 chunk)
{
	produce_chunk(arg, chunk);
}

/* Entry point of a parallel worker: claims chunks until none is left. */
void
tpchgen_load_worker(dsm_segment *seg, shm_toc *toc)
{
	LoadProducer p;
	Relation	rel;

	memset(&p, 0, sizeof(p));
	p.sh = shm_toc_lookup(toc, LOAD_KEY_SHARED, false);
	p.slots = shm_toc_lookup(toc, LOAD_KEY_RING, false);
	p.pages = shm_toc_lookup(toc, LOAD_KEY_PAGES, false);
	producer_keys(&p, p.sh->nkeys > 0 ?
				  shm_toc_lookup(toc, LOAD_KEY_KEYS, false) : NULL);
	tpchgen_pool();

	/* the leader's lock covers ours: workers share its lock group */
	rel = table_open(p.sh->relid, AccessShareLock);
	p.rel = rel;
	producer_start(&p, rel);
	tpchgen_slotring_work(p.slots, worker_produce, &p);
	tpchgen_segwriter_close(p.writer);
	table_close(rel, AccessShareLock);
}
