/*
 * export.c - tpch_export(): TPC-H tables straight to .tbl or CSV files,
 * optionally zstd-compressed, generated in parallel and written in order.
 *
 * This file holds the SQL entry: the arguments, the files a call writes and
 * its result.  The files' lifecycle is export_file.c's, the generation and
 * the ordered writing export_pipeline.c's.
 */
#include "export.h"

#include "../core/update.h"

#include "catalog/pg_authid.h"
#include "commands/progress.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/acl.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/guc.h"

/*
 * GUCs.  A build without liburing offers no io_uring and says so in its
 * default, as PostgreSQL's own io_method lists only what was built in.
 */
#ifdef TPCHGEN_LIBURING
#define EXPORT_IO_DEFAULT TPCHGEN_IO_AUTO
#else
#define EXPORT_IO_DEFAULT TPCHGEN_IO_SYNC
#endif
int			tpchgen_io_method = EXPORT_IO_DEFAULT;
bool		tpchgen_direct_io = true;
int			tpchgen_export_test_offset_kb = 0;
int			tpchgen_export_test_delay_ms = 0;
bool		tpchgen_export_test_named = false;
char	   *tpchgen_export_test_refuse = NULL;

static const struct config_enum_entry export_io_method_options[] = {
	{"auto", TPCHGEN_IO_AUTO, false},
#ifdef TPCHGEN_LIBURING
	{"io_uring", TPCHGEN_IO_URING, false},
#endif
	{"sync", TPCHGEN_IO_SYNC, false},
	{NULL, 0, false}
};

PG_FUNCTION_INFO_V1(tpch_export);

static void export_plan(ExportCleanup *cl, tpch_table table,
						const char *target, tpch_format format, bool zstd,
						int64 part, int64 parts, bool all);
static void export_plan_update(ExportCleanup *cl, const char *table_name,
							   const char *target, tpch_format format, bool zstd,
							   int64 set);

/* Registers the export GUCs; called from _PG_init. */
void
tpchgen_export_init(void)
{
	DefineCustomEnumVariable("tpchgen.io_method",
							 "How tpch_export writes files.",
							 "auto uses io_uring where the kernel allows it and "
							 "synchronous writes elsewhere.",
							 &tpchgen_io_method,
							 EXPORT_IO_DEFAULT,
							 export_io_method_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("tpchgen.direct_io",
							 "Whether tpch_export writes around the page cache (O_DIRECT).",
							 "Used with io_uring where the file system allows it; "
							 "the page cache then holds none of the file.",
							 &tpchgen_direct_io,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("tpchgen.export_test_offset",
							"Test only: starts every exported file at this offset, leaving a hole.",
							NULL,
							&tpchgen_export_test_offset_kb,
							0, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_KB | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							NULL, NULL, NULL);

	DefineCustomIntVariable("tpchgen.export_test_delay",
							"Test only: sleeps this long before generating each chunk.",
							NULL,
							&tpchgen_export_test_delay_ms,
							0, 0, 60 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("tpchgen.export_test_named",
							 "Test only: writes under a temporary name, as on file systems without O_TMPFILE.",
							 NULL,
							 &tpchgen_export_test_named,
							 false,
							 PGC_SUSET,
							 GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("tpchgen.export_test_refuse",
							   "Test only: putting a file of this name in place fails, as if the kernel refused.",
							   NULL,
							   &tpchgen_export_test_refuse,
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
	tmpl.test_delay_ms = tpchgen_export_test_delay_ms;

	InitMaterializedSRF(fcinfo, 0);

	cl = palloc0(sizeof(ExportCleanup));
	cl->dirfd = -1;
	cl->cb.func = tpchgen_export_cleanup;
	cl->cb.arg = cl;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &cl->cb);
	if (set != 0)
		export_plan_update(cl, table_name, target, format, tmpl.zstd, set);
	else
		export_plan(cl, table, target, format, tmpl.zstd, part, parts, all);
	tmpl.set = set;
	if (tmpl.zstd)
		tpchgen_export_zstd_create(cl, level);

	/*
	 * Everything that can be checked is checked before anything is
	 * generated: the directory, every target, and that the files can be
	 * created.  The targets are checked again before any is replaced.
	 */
	tpchgen_export_open_dir(cl, all);
	for (int i = 0; i < cl->nfiles; i++)
		tpchgen_export_check_target(cl, &cl->files[i], overwrite, false);
	for (int i = 0; i < cl->nfiles; i++)
	{
		tpchgen_export_open(cl, &cl->files[i]);
		cl->files[i].start = (uint64) tpchgen_export_test_offset_kb * 1024;
	}

	tpchgen_pool();

	pgstat_progress_start_command(PROGRESS_COMMAND_COPY, InvalidOid);
	{
		const int	index[] = {PROGRESS_COPY_COMMAND, PROGRESS_COPY_TYPE};
		const int64 val[] = {PROGRESS_COPY_COMMAND_TO, PROGRESS_COPY_TYPE_FILE};

		pgstat_progress_update_multi_param(2, index, val);
	}

	for (int i = 0; i < cl->nfiles; i++)
		tpchgen_export_file(cl, &cl->files[i], &tmpl, header, workers,
							&total_rows, &total_bytes);
	tpchgen_export_commit(cl, overwrite);

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
 * COPY TO a file (copy.c): the rows of a table part formatted for COPY,
 * written into COPY's open file from `offset` on by the same engine, with
 * up to `workers` parallel workers, and synced.  The descriptor
 * stays COPY's.  Returns the rows and bytes written; progress goes on from
 * the bytes COPY reported before.
 */
void
tpchgen_export_copy(int fd, const char *path, uint64 offset, tpch_table table,
					double sf, int64 part, int64 parts,
					const tpch_copy_spec *spec, int workers,
					uint64 progress_bytes, int64 *rows, uint64 *bytes)
{
	ExportShared tmpl;
	ExportCleanup *cl = palloc0(sizeof(ExportCleanup));
	ExportFile *f = palloc0(sizeof(ExportFile));
	int64		total_rows = 0;
	uint64		total_bytes = progress_bytes;

	f->table = table;
	f->path = pstrdup(path);
	f->fd = fd;
	f->borrowed = true;
	f->start = offset;
	cl->files = f;
	cl->nfiles = 1;
	cl->dirfd = -1;
	cl->cb.func = tpchgen_export_cleanup;
	cl->cb.arg = cl;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &cl->cb);

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.sf = sf;
	tmpl.part = part;
	tmpl.parts = parts;
	tmpl.copy = true;
	tmpl.spec = *spec;
	tmpl.test_delay_ms = tpchgen_export_test_delay_ms;

	if (spec->columns & tpch_pool_columns(table))
		tpchgen_pool();
	tpchgen_export_file(cl, f, &tmpl, false, workers, &total_rows,
						&total_bytes);
	*rows = f->rows;
	*bytes = f->bytes;
}
