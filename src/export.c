/*
 * export.c - tpch_export(): TPC-H tables straight to .tbl or CSV files,
 * optionally zstd-compressed, generated in parallel and written in order.
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
 *
 * Data goes to an unnamed file in the target's directory (or a new hidden
 * file there), is synced, and gets the target's name only when every file of
 * the call is complete and every target has been checked again.  A failed
 * export never removes a file it has put in place: until the first one is
 * placed, every existing file is as it was; after, the error says which are
 * new.  Paths reach the kernel as given, as COPY TO passes them, and names
 * are resolved in the directory opened once, never through a symbolic link
 * at the name.  A memory context callback removes temporary names and
 * releases rings, descriptors and compression contexts on error or cancel.
 */
#include "tpchgen_pg.h"

#include "../core/update.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "commands/progress.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "storage/condition_variable.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_toc.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* Raw bytes a chunk aims at: big writes, yet many chunks to share out. */
#define CHUNK_BYTES (2 * 1024 * 1024)

/* Keys of the parallel DSM table of contents. */
#define EXPORT_KEY_SHARED		UINT64CONST(0x7470636800000001)
#define EXPORT_KEY_BUFFERS		UINT64CONST(0x7470636800000002)

typedef enum SlotState
{
	SLOT_FREE,					/* chunk `chunk` may fill it */
	SLOT_FILLED,				/* holds a piece of `chunk`, to be written */
	SLOT_WRITING				/* the leader is writing it */
} SlotState;

/*
 * One slot buffer.  A chunk normally fills its slot once; a chunk whose rows
 * do not fit goes on in the same slot after the leader has written it.
 */
typedef struct ExportSlot
{
	int64		chunk;
	SlotState	state;
	bool		last;			/* the piece ends its chunk */
	size_t		len;
	int64		rows;
} ExportSlot;

/* What every producer needs, in DSM (or local memory when serial). */
typedef struct ExportShared
{
	/* fixed before producers start */
	tpch_table	table;
	double		sf;
	int64		part;
	int64		parts;
	int			update_kind;	/* 0, or a file of update set `set` */
	int64		set;
	tpch_format format;
	bool		zstd;
	int			level;
	int64		first;			/* first group row of the part */
	int64		count;			/* group rows of the part */
	int64		chunk_rows;
	int64		nchunks;
	int			nslots;
	size_t		raw_cap;		/* formatted bytes per piece at most */
	size_t		slot_cap;		/* bytes per slot (compressed bound) */
	int			test_delay_ms;
	int			leader_pgprocno;
	/* changing, under mutex */
	slock_t		mutex;
	ConditionVariable slot_freed;
	int64		next_chunk;		/* next chunk to be claimed */
	ExportSlot	slots[FLEXIBLE_ARRAY_MEMBER];
	/* then int64 worker_chunk[nworkers]: chunk each worker holds, or -1 */
} ExportShared;

#define EXPORT_SHARED_SIZE(nslots, nworkers) \
	(offsetof(ExportShared, slots) + sizeof(ExportSlot) * (nslots) + \
	 sizeof(int64) * (nworkers))
#define EXPORT_WORKER_CHUNKS(sh) ((int64 *) &(sh)->slots[(sh)->nslots])

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

/* One file of a call. */
typedef struct ExportFile
{
	tpch_table	table;
	int			update_kind;	/* 0, or tpch_update_kind */
	char	   *path;			/* the target as given, for messages */
	char	   *name;			/* its name in the directory */
	char	   *tmp;			/* a hidden name in the directory, or NULL */
	int			fd;				/* open from creation to commit, or -1 */
	bool		unnamed;		/* fd is an O_TMPFILE file */
	bool		created;		/* tmp names our file */
	int64		rows;
	uint64		bytes;
} ExportFile;

/*
 * Everything not palloc'd, released by a memory context callback, so that an
 * error or a cancel anywhere leaves no file, ring or descriptor behind.
 */
typedef struct ExportCleanup
{
	MemoryContextCallback cb;
	ExportFile *files;
	int			nfiles;
	char	   *dir;			/* the directory of every file, as given */
	int			dirfd;			/* it, opened (O_PATH), or -1 */
	ExportWriter *writer;
	ZSTD_CCtx  *cctx;
} ExportCleanup;

/*
 * GUCs.  A build without liburing offers no io_uring and says so in its
 * default, as PostgreSQL's own io_method lists only what was built in.
 */
#ifdef TPCHGEN_LIBURING
#define EXPORT_IO_DEFAULT TPCHGEN_IO_AUTO
#else
#define EXPORT_IO_DEFAULT TPCHGEN_IO_SYNC
#endif
static int	export_io_method = EXPORT_IO_DEFAULT;
static bool export_direct_io = true;
static int	export_test_offset_kb = 0;
static int	export_test_delay_ms = 0;
static bool export_test_named = false;
static char *export_test_refuse = NULL;

static const struct config_enum_entry export_io_method_options[] = {
	{"auto", TPCHGEN_IO_AUTO, false},
#ifdef TPCHGEN_LIBURING
	{"io_uring", TPCHGEN_IO_URING, false},
#endif
	{"sync", TPCHGEN_IO_SYNC, false},
	{NULL, 0, false}
};

PG_FUNCTION_INFO_V1(tpch_export);
PGDLLEXPORT void tpchgen_export_worker(dsm_segment *seg, shm_toc *toc);

static void export_plan(ExportCleanup *cl, tpch_table table,
						const char *target, tpch_format format, bool zstd,
						int64 part, int64 parts, bool all);
static void export_open_dir(ExportCleanup *cl, bool all);
static void export_check_target(ExportCleanup *cl, ExportFile *f,
								bool overwrite, bool late);
static void export_hidden_name(ExportFile *f);
static void export_open(ExportCleanup *cl, ExportFile *f);
static void export_stage(ExportCleanup *cl, ExportFile *f);
static void export_place(ExportCleanup *cl, int i, bool overwrite);
static void export_plan_update(ExportCleanup *cl, const char *table_name,
							   const char *target, tpch_format format, bool zstd,
							   int64 set);
static void export_cleanup(void *arg);
static void export_zstd_create(ExportCleanup *cl, int level);
static int	export_cpus(void);
static size_t export_compress(ZSTD_CCtx *cctx, char *dst, size_t cap,
							  const char *src, size_t len);
static void export_file(ExportCleanup *cl, ExportFile *f,
						const ExportShared *tmpl, bool header, int workers,
						int64 *total_rows, uint64 *total_bytes);
static void export_commit(ExportCleanup *cl, bool overwrite);
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

/* Registers the export GUCs; called from _PG_init. */
void
tpchgen_export_init(void)
{
	DefineCustomEnumVariable("tpchgen.io_method",
							 "How tpch_export writes files.",
							 "auto uses io_uring where the kernel allows it and "
							 "synchronous writes elsewhere.",
							 &export_io_method,
							 EXPORT_IO_DEFAULT,
							 export_io_method_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("tpchgen.direct_io",
							 "Whether tpch_export writes around the page cache (O_DIRECT).",
							 "Used with io_uring where the file system allows it; "
							 "the page cache then holds none of the file.",
							 &export_direct_io,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("tpchgen.export_test_offset",
							"Test only: starts every exported file at this offset, leaving a hole.",
							NULL,
							&export_test_offset_kb,
							0, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_KB | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							NULL, NULL, NULL);

	DefineCustomIntVariable("tpchgen.export_test_delay",
							"Test only: sleeps this long before generating each chunk.",
							NULL,
							&export_test_delay_ms,
							0, 0, 60 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("tpchgen.export_test_named",
							 "Test only: writes under a temporary name, as on file systems without O_TMPFILE.",
							 NULL,
							 &export_test_named,
							 false,
							 PGC_SUSET,
							 GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("tpchgen.export_test_refuse",
							   "Test only: putting a file of this name in place fails, as if the kernel refused.",
							   NULL,
							   &export_test_refuse,
							   "",
							   PGC_SUSET,
							   GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							   NULL, NULL, NULL);
}

/* ------------------------------------------------------------------------
 * The SQL function
 * ------------------------------------------------------------------------ */

/* The name of each argument, for messages about NULLs. */
static const char *const export_arg_names[] = {
	"table", "path", "sf", "format", "header", "compression", "level",
	"part", "parts", "workers", "overwrite"
};

/* The arguments that may be NULL: workers, and set (after the names). */
#define EXPORT_ARG_WORKERS 9
#define EXPORT_ARG_SET 11

Datum
tpch_export(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *table_name;
	char	   *target;
	char	   *format_name;
	char	   *compression;
	double		sf;
	bool		header;
	int			level;
	int64		part;
	int64		parts;
	int			workers;
	bool		overwrite;
	int64		set;
	bool		all;
	tpch_table	table = TPCH_REGION;
	tpch_format format;
	ExportShared tmpl;
	ExportCleanup *cl;
	int64		total_rows = 0;
	uint64		total_bytes = 0;

	for (int i = 0; i < lengthof(export_arg_names); i++)
	{
		if (PG_ARGISNULL(i) && i != EXPORT_ARG_WORKERS)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument \"%s\" of tpch_export must not be null",
							export_arg_names[i])));
	}
	table_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	target = text_to_cstring(PG_GETARG_TEXT_PP(1));
	sf = PG_GETARG_FLOAT8(2);
	format_name = text_to_cstring(PG_GETARG_TEXT_PP(3));
	header = PG_GETARG_BOOL(4);
	compression = text_to_cstring(PG_GETARG_TEXT_PP(5));
	level = PG_GETARG_INT32(6);
	part = PG_GETARG_INT64(7);
	parts = PG_GETARG_INT64(8);
	/* NULL: follow max_parallel_workers_per_gather, as -1 below */
	workers = PG_ARGISNULL(EXPORT_ARG_WORKERS) ? -1 :
		PG_GETARG_INT32(EXPORT_ARG_WORKERS);
	overwrite = PG_GETARG_BOOL(10);
	/* an update set's files (ext/refresh.sql), or NULL for the tables */
	set = PG_NARGS() > EXPORT_ARG_SET && !PG_ARGISNULL(EXPORT_ARG_SET) ?
		PG_GETARG_INT64(EXPORT_ARG_SET) : 0;

	/* Like COPY TO a file: the server's files are at stake. */
	if (!superuser() && !has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to export to a file"),
				 errdetail("Only roles with privileges of the \"%s\" role may export to a file.",
						   "pg_write_server_files")));

	all = strcmp(table_name, "all") == 0;
	if (set != 0)
		;						/* names checked with the set below */
	else if (!all)
	{
		int			t = tpch_table_lookup(table_name);

		if (t < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown TPC-H table \"%s\"", table_name),
					 errhint("The tables are region, nation, supplier, part, partsupp, customer, orders and lineitem, or \"all\" for every one.")));
		table = (tpch_table) t;
	}
	if (strcmp(format_name, "csv") == 0)
		format = TPCH_FMT_CSV;
	else if (strcmp(format_name, "tbl") == 0)
		format = TPCH_FMT_TBL;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown export format \"%s\"", format_name),
				 errhint("The formats are \"csv\" and \"tbl\".")));
	if (header && format != TPCH_FMT_CSV)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a header line needs format \"csv\""),
				 errdetail("Files in dbgen's \"tbl\" format have no header.")));
	if (strcmp(compression, "zstd") != 0 && strcmp(compression, "none") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown compression \"%s\"", compression),
				 errhint("The compressions are \"none\" and \"zstd\".")));
	if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("compression level %d is out of range", level),
				 errhint("zstd levels go from %d to %d.",
						 ZSTD_minCLevel(), ZSTD_maxCLevel())));
	if (!PG_ARGISNULL(EXPORT_ARG_WORKERS) && workers < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workers must not be negative"),
				 errhint("Use 0 to write without parallel workers, or NULL to follow max_parallel_workers_per_gather.")));
	tpchgen_check_args(sf, part, parts);
	if (set != 0)
	{
		tpchgen_check_update(sf, set);
		if (parts != 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an update set is exported whole"),
					 errdetail("dbgen refuses -C with -U."),
					 errhint("Leave part and parts out when set is given.")));
	}

	if (!is_absolute_path(target))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("relative path not allowed for tpch_export: \"%s\"", target),
				 errhint("Give an absolute path, such as \"/tmp/lineitem.csv\".")));

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.sf = sf;
	tmpl.part = part;
	tmpl.parts = parts;
	tmpl.format = format;
	tmpl.zstd = strcmp(compression, "zstd") == 0;
	tmpl.level = level;
	tmpl.test_delay_ms = export_test_delay_ms;

	InitMaterializedSRF(fcinfo, 0);

	cl = palloc0(sizeof(ExportCleanup));
	cl->dirfd = -1;
	cl->cb.func = export_cleanup;
	cl->cb.arg = cl;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &cl->cb);
	if (set != 0)
		export_plan_update(cl, table_name, target, format, tmpl.zstd, set);
	else
		export_plan(cl, table, target, format, tmpl.zstd, part, parts, all);
	tmpl.set = set;
	if (tmpl.zstd)
		export_zstd_create(cl, level);

	/*
	 * Everything that can be checked is checked before anything is
	 * generated: the directory, every target, and that the files can be
	 * created.  The targets are checked again before any is replaced.
	 */
	export_open_dir(cl, all);
	for (int i = 0; i < cl->nfiles; i++)
		export_check_target(cl, &cl->files[i], overwrite, false);
	for (int i = 0; i < cl->nfiles; i++)
		export_open(cl, &cl->files[i]);

	tpchgen_pool();

	pgstat_progress_start_command(PROGRESS_COMMAND_COPY, InvalidOid);
	{
		const int	index[] = {PROGRESS_COPY_COMMAND, PROGRESS_COPY_TYPE};
		const int64 val[] = {PROGRESS_COPY_COMMAND_TO, PROGRESS_COPY_TYPE_FILE};

		pgstat_progress_update_multi_param(2, index, val);
	}

	for (int i = 0; i < cl->nfiles; i++)
		export_file(cl, &cl->files[i], &tmpl, header, workers,
					&total_rows, &total_bytes);
	export_commit(cl, overwrite);

	pgstat_progress_end_command();

	for (int i = 0; i < cl->nfiles; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(cl->files[i].path);
		values[1] = Int64GetDatum(cl->files[i].rows);
		values[2] = Int64GetDatum((int64) cl->files[i].bytes);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}


/*
 * The files of update set `set`: 'orders_u', 'lineitem_u' or 'delete' into
 * the target, or 'all' of them into the target directory under dbgen -U's
 * names (orders.tbl.u3, lineitem.tbl.u3, delete.3; .csv for csv, .zst when
 * compressed).
 */
static void
export_plan_update(ExportCleanup *cl, const char *table_name, const char *target,
				   tpch_format format, bool zstd, int64 set)
{
	static const char *const names[3] = {"orders_u", "lineitem_u", "delete"};
	const char *ext = format == TPCH_FMT_CSV ? "csv" : "tbl";
	bool		all = strcmp(table_name, "all") == 0;
	int			n = 0;

	cl->files = palloc0(sizeof(ExportFile) * 3);
	for (int i = 0; i < 3; i++)
	{
		ExportFile *f = &cl->files[n];

		if (!all && strcmp(table_name, names[i]) != 0)
			continue;
		f->table = i == 1 ? TPCH_LINEITEM : TPCH_ORDERS;
		f->update_kind = i == 2 ? TPCH_DELETES : TPCH_INSERTS;
		f->fd = -1;
		if (i == 2)
			f->name = psprintf("delete." INT64_FORMAT "%s", set, zstd ? ".zst" : "");
		else
			f->name = psprintf("%s.%s.u" INT64_FORMAT "%s", i ? "lineitem" : "orders",
							   ext, set, zstd ? ".zst" : "");
		f->path = psprintf("%s%s%s", target,
						   target[strlen(target) - 1] == '/' ? "" : "/", f->name);
		n++;
	}
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown update set file \"%s\"", table_name),
				 errhint("With set, the tables are orders_u, lineitem_u and delete, or \"all\" for the three.")));
	cl->nfiles = n;
	if (all)
	{
		cl->dir = pstrdup(target);
		return;
	}

	/* one file, named as given: as export_plan's */
	{
		ExportFile *f = &cl->files[0];
		const char *slash = strrchr(target, '/');

		f->path = pstrdup(target);
		f->name = pstrdup(slash + 1);
		cl->dir = slash == target ? pstrdup("/") : pnstrdup(target, slash - target);
		if (f->name[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is a directory", target),
					 errhint("Give the path of a file, such as \"/tmp/orders.tbl.u1\".")));
	}
}

/*
 * The files of a call: one for a table, or dbgen's names in a directory for
 * 'all' (lineitem.tbl, lineitem.tbl.3 for part 3; nation and region are never
 * split, so they keep their plain names), with ".zst" when compressed.  The
 * path is split as given, never rewritten: "/d/link/../x.csv" is x.csv in
 * "/d/link/..", which the kernel resolves as COPY TO's open() would.
 */
static void
export_plan(ExportCleanup *cl, tpch_table table, const char *target,
			tpch_format format, bool zstd, int64 part, int64 parts, bool all)
{
	if (!all)
	{
		const char *slash = strrchr(target, '/');

		cl->files = palloc0(sizeof(ExportFile));
		cl->files[0].table = table;
		cl->files[0].path = pstrdup(target);
		cl->files[0].name = pstrdup(slash + 1);
		cl->files[0].fd = -1;
		cl->dir = slash == target ? pstrdup("/") : pnstrdup(target, slash - target);
		cl->nfiles = 1;
		/* "/d/": no name to create, the path is a directory to the kernel */
		if (cl->files[0].name[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is a directory", target),
					 errhint("Give the path of a file, such as \"/tmp/lineitem.csv\".")));
		return;
	}

	cl->dir = pstrdup(target);
	cl->files = palloc0(sizeof(ExportFile) * TPCH_NTABLES);
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		ExportFile *f = &cl->files[t];
		StringInfoData name;

		initStringInfo(&name);
		appendStringInfo(&name, "%s.%s", tpch_table_name((tpch_table) t),
						 format == TPCH_FMT_CSV ? "csv" : "tbl");
		if (parts > 1 && t != TPCH_NATION && t != TPCH_REGION)
			appendStringInfo(&name, "." INT64_FORMAT, part);
		if (zstd)
			appendStringInfoString(&name, ".zst");
		f->table = (tpch_table) t;
		f->name = name.data;
		f->path = psprintf("%s%s%s", target,
						   target[strlen(target) - 1] == '/' ? "" : "/", f->name);
		f->fd = -1;
	}
	cl->nfiles = TPCH_NTABLES;
}

/*
 * Opens the directory of the files once: every later step names files
 * relative to it, so that the directory cannot change under the export.
 */
static void
export_open_dir(ExportCleanup *cl, bool all)
{
	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not open directory \"%s\": too many open files",
						cl->dir)));
	cl->dirfd = open(cl->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cl->dirfd >= 0)
		return;
	ReleaseExternalFD();
	if (errno == ENOTDIR && all)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a directory", cl->dir),
				 errhint("tpch_export('all', ...) writes into an existing directory.")));
	ereport(ERROR,
			(errcode_for_file_access(),
			 errmsg("could not open directory \"%s\": %m", cl->dir),
			 all ? errhint("tpch_export('all', ...) writes into an existing directory.") :
			 errdetail("The file \"%s\" would go there.", cl->files[0].path)));
}

/*
 * Refuses a target that cannot be written or replaced.  The name itself is
 * looked at (lstat), never what a symbolic link there points to: a link
 * exists, dangling or not, and replacing it would replace the link, not its
 * target.  late: the check just before the files are put in place, when
 * whatever differs appeared while the export was running.
 */
static void
export_check_target(ExportCleanup *cl, ExportFile *f, bool overwrite, bool late)
{
	struct stat st;
	struct stat dir;

	if (fstatat(cl->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
	{
		if (errno == ENOENT)
			return;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", f->path)));
	}
	if (S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is a directory", f->path),
				 late ? errdetail("It appeared while the export was running; no file was replaced.") : 0));
	if (!overwrite)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_FILE),
				 errmsg("file \"%s\" already exists", f->path),
				 late ? errdetail("It appeared while the export was running; no file was replaced.") :
				 S_ISLNK(st.st_mode) ? errdetail("It is a symbolic link.") : 0,
				 errhint("Use overwrite => true to replace it.")));
	if (S_ISLNK(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is a symbolic link", f->path),
				 errdetail(late ? "It appeared while the export was running; no file was replaced." :
						   "Only regular files are replaced: the link would be replaced, not the file it points to.")));
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a regular file", f->path),
				 errdetail(late ? "It appeared while the export was running; no file was replaced." :
						   "Only regular files are replaced.")));

	/*
	 * In a sticky directory (such as /tmp) only a file's owner, or the
	 * directory's, may replace it: the rename would fail with EPERM at the
	 * end, after all the data was written.
	 */
	if (fstat(cl->dirfd, &dir) == 0 && (dir.st_mode & S_ISVTX) &&
		st.st_uid != geteuid() && dir.st_uid != geteuid())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot replace file \"%s\"", f->path),
				 errdetail(late ? "It belongs to another user, in a directory with the sticky bit set; it appeared while the export was running, and no file was replaced." :
						   "It belongs to another user, in a directory with the sticky bit set.")));
}

/*
 * A hidden name beside the target that nobody can plant anything at
 * beforehand.  It stays short whatever the target's name (which may take
 * all of NAME_MAX): a long name is left out.
 */
static void
export_hidden_name(ExportFile *f)
{
	uint64		r;

	if (!pg_strong_random(&r, sizeof(r)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random temporary file name")));
	if (f->tmp != NULL)
		pfree(f->tmp);
	if (strlen(f->name) <= 200)
		f->tmp = psprintf(".%s.tpchgen-%d-%016llx.tmp", f->name, MyProcPid,
						  (unsigned long long) r);
	else
		f->tmp = psprintf(".tpchgen-%d-%016llx.tmp", MyProcPid,
						  (unsigned long long) r);
}

/* Releases whatever an export still holds, and removes unfinished files. */
static void
export_cleanup(void *arg)
{
	ExportCleanup *cl = arg;

	if (cl->writer != NULL)
		tpchgen_writer_close(cl->writer);
	cl->writer = NULL;
	if (cl->cctx != NULL)
		ZSTD_freeCCtx(cl->cctx);
	cl->cctx = NULL;
	for (int i = 0; i < cl->nfiles; i++)
	{
		ExportFile *f = &cl->files[i];

		/* An unnamed file vanishes with its last descriptor. */
		if (f->fd >= 0)
		{
			close(f->fd);
			ReleaseExternalFD();
		}
		f->fd = -1;
		/* Only hidden names: a file put in place is never removed. */
		if (f->created)
			unlinkat(cl->dirfd, f->tmp, 0);
		f->created = false;
	}
	if (cl->dirfd >= 0)
	{
		close(cl->dirfd);
		ReleaseExternalFD();
	}
	cl->dirfd = -1;
}

/*
 * Creates the file that receives the data: an unnamed file in the target's
 * directory (O_TMPFILE), which no crash can leave behind, since it only gets
 * a name once complete; or, on file systems without unnamed files or without
 * /proc to name them through, a new file under a hidden random name (O_EXCL,
 * which follows no link).  Readable by others, as COPY TO makes its files.
 */
static void
export_open(ExportCleanup *cl, ExportFile *f)
{
	struct stat st;
	mode_t		oumask;
	int			save_errno;

	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not open file \"%s\" for writing: too many open files",
						f->path)));
	oumask = umask(S_IWGRP | S_IWOTH);
#ifdef O_TMPFILE
	if (!export_test_named && stat("/proc/self/fd", &st) == 0)
		f->fd = openat(cl->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	f->unnamed = f->fd >= 0;
#endif
	for (int tries = 0; f->fd < 0 && tries < 100; tries++)
	{
		export_hidden_name(f);
		f->fd = openat(cl->dirfd, f->tmp,
					   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		f->created = f->fd >= 0;
		if (f->fd < 0 && errno != EEXIST)
			break;
	}
	save_errno = errno;
	umask(oumask);
	if (f->fd < 0)
	{
		ReleaseExternalFD();
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\" for writing: %m", f->path),
				 f->tmp != NULL ?
				 errdetail("The data goes to \"%s\" in the same directory first.", f->tmp) : 0));
	}
	ereport(DEBUG1,
			(errmsg_internal("tpchgen: writing \"%s\" %s", f->path,
							 f->unnamed ? "as an unnamed file" : "under a temporary name")));
}

/*
 * Gives an unnamed file a hidden name, from which a rename can replace the
 * target atomically.
 */
static void
export_stage(ExportCleanup *cl, ExportFile *f)
{
	char		proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
	for (int tries = 0; !f->created; tries++)
	{
		export_hidden_name(f);
		if (linkat(AT_FDCWD, proc, cl->dirfd, f->tmp, AT_SYMLINK_FOLLOW) == 0)
			f->created = true;
		else if (errno != EEXIST || tries == 100)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not link file \"%s\": %m", f->path),
					 errdetail("It was written as an unnamed file; no file was replaced.")));
	}
}

/*
 * Puts file i in place: a rename of its hidden name over the target, or,
 * when nothing may be replaced, a link (of the unnamed file) or a rename
 * that fail if the name exists.  On a failure, files before i are in place
 * already: the error says which are new and which were left as they were.
 */
static void
export_place(ExportCleanup *cl, int i, bool overwrite)
{
	ExportFile *f = &cl->files[i];
	int			rc;
	int			save_errno;
	bool		exists;
	StringInfoData placed;
	StringInfoData left;

	if (export_test_refuse != NULL && strcmp(f->name, export_test_refuse) == 0)
	{
		rc = -1;
		errno = EPERM;
	}
	else if (f->created)
	{
		rc = renameat2(cl->dirfd, f->tmp, cl->dirfd, f->name,
					   overwrite ? 0 : RENAME_NOREPLACE);
		/* File systems without RENAME_NOREPLACE: the last check stands. */
		if (rc != 0 && errno == EINVAL && !overwrite)
			rc = renameat(cl->dirfd, f->tmp, cl->dirfd, f->name);
	}
	else
	{
		char		proc[64];

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
		rc = linkat(AT_FDCWD, proc, cl->dirfd, f->name, AT_SYMLINK_FOLLOW);
	}
	if (rc == 0)
	{
		f->created = false;
		return;
	}

	save_errno = errno;
	exists = errno == EEXIST;
	initStringInfo(&placed);
	initStringInfo(&left);
	for (int j = 0; j < cl->nfiles; j++)
	{
		StringInfo	list = j < i ? &placed : &left;

		appendStringInfo(list, "%s\"%s\"", list->len > 0 ? ", " : "",
						 cl->files[j].name);
	}
	errno = save_errno;
	ereport(ERROR,
			(exists ? errcode(ERRCODE_DUPLICATE_FILE) : errcode_for_file_access(),
			 exists ?
			 errmsg("file \"%s\" already exists", f->path) :
			 errmsg("could not put file \"%s\" in place: %m", f->path),
			 i == 0 ?
			 errdetail("No file was put in place: every existing file is as it was.") :
			 errdetail("In \"%s\", these files are new and complete: %s.  These were left as they were: %s.",
					   cl->dir, placed.data, left.data),
			 exists ? errhint("Use overwrite => true to replace it.") : 0));
}

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
static void
export_zstd_create(ExportCleanup *cl, int level)
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

static void
export_file(ExportCleanup *cl, ExportFile *f, const ExportShared *tmpl,
			bool header, int workers, int64 *total_rows, uint64 *total_bytes)
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

	cl->writer = tpchgen_writer_create(f->fd, f->path, export_io_method,
									   export_direct_io, nslots + 1);

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
	r.offset = (uint64) export_test_offset_kb * 1024;
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

/*
 * Puts every finished file in place, in three steps: every file gets the
 * name it is renamed from (unnamed files a hidden link), every target is
 * checked again, and only then are the targets replaced, one after the
 * other.  Until the last step nothing existing has changed; in it, only a
 * change made by someone else since the check can make a placement fail,
 * and then the files already placed stay (their old versions are gone).
 * Last, the directory is synced, so that the names are durable too.
 */
static void
export_commit(ExportCleanup *cl, bool overwrite)
{
	for (int i = 0; i < cl->nfiles; i++)
		if (cl->files[i].unnamed && overwrite)
			export_stage(cl, &cl->files[i]);
	for (int i = 0; i < cl->nfiles; i++)
		export_check_target(cl, &cl->files[i], overwrite, true);
	for (int i = 0; i < cl->nfiles; i++)
		export_place(cl, i, overwrite);

	for (int i = 0; i < cl->nfiles; i++)
	{
		ExportFile *f = &cl->files[i];
		int			rc = close(f->fd);
		int			save_errno = errno;

		f->fd = -1;
		ReleaseExternalFD();
		errno = save_errno;
		if (rc != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not close file \"%s\": %m", f->path)));
	}
	/* An export file is not the database: a failure here is a plain error. */
	fsync_fname_ext(cl->dir, true, false, ERROR);
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
	if (rc != TPCH_OK)
		elog(ERROR, "could not seek a tpchgen generator: %s", tpch_strerror(rc));

	while (!last)
	{
		int64		rows = 0;
		size_t		n;
		size_t		len;

		producer_wait_slot(p, s, chunk);
		n = tpch_gen_format(&p->gen, sh->format, sh->zstd ? p->raw : out,
							sh->raw_cap, &rows);
		/* It stops early only at the end of the range. */
		last = sh->raw_cap - n >= TPCH_MAX_LINE;
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

	cl->cb.func = export_cleanup;
	cl->cb.arg = cl;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &cl->cb);

	memset(&p, 0, sizeof(p));
	p.sh = shm_toc_lookup(toc, EXPORT_KEY_SHARED, false);
	p.bufs = shm_toc_lookup(toc, EXPORT_KEY_BUFFERS, false);
	tpchgen_pool();
	if (p.sh->zstd)
	{
		export_zstd_create(cl, p.sh->level);
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
