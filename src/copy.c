/*
 * copy.c - the COPY fast path: COPY (SELECT ... FROM tpch_<table>(...)) TO
 * and COPY <tpchgen foreign table> TO write the core's formatted rows
 * instead of passing tuples through the types' output functions.
 *
 * PostgreSQL's own COPY stays in charge of everything but the rows: it
 * checks privileges, parses the options, opens the file, sends the
 * CopyOutResponse and the header, reports progress, writes the binary
 * trailer and sets the command tag.  Between the header and the trailer it
 * runs the query with ExecutorRun into its DestReceiver: our ExecutorRun
 * hook recognises that receiver and, when the plan is one of our scans
 * passing whole columns on unchanged (alone or under a Gather), writes the
 * rows itself in dbgen's order: into the same file through the export's
 * engine (export.c, with the Gather's workers), or as the same CopyData
 * messages (one per row).
 *
 * The hook is in place from the first statement of a session even without
 * shared_preload_libraries: the library is loaded while the COPY's query is
 * planned (by the functions' support function or the FDW handler), before
 * the query runs.  A ProcessUtility hook would miss that first statement.
 *
 * The rows are only written where they come out byte for byte as
 * PostgreSQL's COPY would write them; anything else (a filter, an
 * expression, another type, a conversion to another encoding, DateStyle
 * other than ISO, COPY TO PROGRAM) runs the ordinary way.
 *
 * COPY of a foreign table is refused by PostgreSQL before any FDW is asked.
 * A ProcessUtility hook turns COPY <our foreign table> [(columns)] TO into
 * COPY (SELECT columns FROM table) TO, which PostgreSQL accepts; that hook
 * only works once the library is loaded in the session (an earlier query,
 * or session_preload_libraries / shared_preload_libraries).
 */
#include "tpchgen_pg.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "commands/progress.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "libpq/libpq.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/cost.h"
#include "pgstat.h"
#include "tcop/utility.h"
#include "utils/backend_progress.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include "../core/copyfmt.h"

#include <stdio.h>
#include <sys/stat.h>

/*
 * The state PostgreSQL's COPY TO keeps, and its DestReceiver: copyto.c keeps
 * both structs private, so their leading fields are declared here as the
 * versions we know lay them out.  copy_state() checks that the state points
 * back at the running query before anything else is read; with another
 * layout the fast path stays off.
 */
#if PG_VERSION_NUM >= 150000 && PG_VERSION_NUM < 160000
#define COPY_LAYOUT_KNOWN 1
#elif PG_VERSION_NUM >= 180000 && PG_VERSION_NUM < 190000
#define COPY_LAYOUT_KNOWN 1
#define COPY_LAYOUT_ROUTINE 1	/* format routines first, a data callback */
#endif

#ifdef COPY_LAYOUT_KNOWN
typedef struct PgCopyToState
{
#ifdef COPY_LAYOUT_ROUTINE
	const void *routine;
#endif
	int			dest;			/* PG_COPY_FILE or PG_COPY_FRONTEND */
	FILE	   *file;
	StringInfo	msgbuf;
	int			file_encoding;
	bool		need_transcoding;
	bool		encoding_embeds_ascii;
	Relation	rel;
	QueryDesc  *query;
	List	   *attnums;		/* the result columns sent, 1-based */
	char	   *filename;
	bool		is_program;
#ifdef COPY_LAYOUT_ROUTINE
	void	   *data_dest_cb;
#endif
	CopyFormatOptions opts;
	Node	   *where;
	MemoryContext copycontext;
	FmgrInfo   *out_functions;
	MemoryContext rowcontext;
	uint64		bytes_processed;
} PgCopyToState;

typedef struct PgCopyReceiver
{
	DestReceiver pub;
	PgCopyToState *cstate;
	uint64		processed;
} PgCopyReceiver;
#endif

/* The wrapper's handler, to recognise our foreign tables. */
extern PGDLLEXPORT Datum tpchgen_fdw_handler(PG_FUNCTION_ARGS);

#define PG_COPY_FILE 0
#define PG_COPY_FRONTEND 1

/* Bytes formatted between two writes, and at most as many CopyData rows. */
#define COPY_BUF_BYTES (1024 * 1024)
#define COPY_BUF_ROWS 16384

static bool copy_fast_path = true;

static ExecutorRun_hook_type prev_executor_run = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

/* PostgreSQL 18 dropped ExecutorRun's execute_once. */
#if PG_VERSION_NUM >= 180000
#define EXECUTOR_RUN_ARGS QueryDesc *queryDesc, ScanDirection direction, uint64 count
#define EXECUTOR_RUN_PASS queryDesc, direction, count
#else
#define EXECUTOR_RUN_ARGS QueryDesc *queryDesc, ScanDirection direction, \
	uint64 count, bool execute_once
#define EXECUTOR_RUN_PASS queryDesc, direction, count, execute_once
#endif

static void copy_executor_run(EXECUTOR_RUN_ARGS);
static void copy_process_utility(PlannedStmt *pstmt, const char *queryString,
								 bool readOnlyTree,
								 ProcessUtilityContext context,
								 ParamListInfo params,
								 QueryEnvironment *queryEnv,
								 DestReceiver *dest, QueryCompletion *qc);
#ifdef COPY_LAYOUT_KNOWN
static PgCopyToState *copy_state(QueryDesc *queryDesc);
static bool copy_plan(QueryDesc *queryDesc, PgCopyToState *cstate,
					  TpchgenSource *src, tpch_copy_spec *spec);
static void copy_rows(QueryDesc *queryDesc, PgCopyToState *cstate,
					  const TpchgenSource *src, const tpch_copy_spec *spec);
#endif

/* Called from _PG_init. */
void
tpchgen_copy_init(void)
{
	DefineCustomBoolVariable("tpchgen.copy_fast_path",
							 "Whether COPY TO of tpchgen functions and foreign tables writes rows directly.",
							 "When off, PostgreSQL's COPY converts every value through its type's output function.",
							 &copy_fast_path,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	prev_executor_run = ExecutorRun_hook;
	ExecutorRun_hook = copy_executor_run;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = copy_process_utility;
}

/* ------------------------------------------------------------------------
 * Target lists
 * ------------------------------------------------------------------------ */

/*
 * Fills src's entries from a scan's target list: the attribute number of
 * each plain Var of `varno` (looked up in inner_tlist when given), with its
 * type, or -1.
 */
void
tpchgen_source_entries(TpchgenSource *src, List *tlist, Index varno,
					   List *inner_tlist)
{
	ListCell   *lc;
	int			i = 0;

	src->nentries = list_length(tlist);
	src->col = palloc(sizeof(int) * src->nentries);
	src->type = palloc(sizeof(Oid) * src->nentries);
	src->typmod = palloc(sizeof(int32) * src->nentries);
	foreach(lc, tlist)
	{
		Var		   *var = (Var *) ((TargetEntry *) lfirst(lc))->expr;

		src->col[i] = -1;
		if (IsA(var, Var) && var->varno == varno && var->varattno > 0)
		{
			src->type[i] = var->vartype;
			src->typmod[i] = var->vartypmod;
			if (inner_tlist == NIL)
				src->col[i] = var->varattno;
			else if (var->varattno <= list_length(inner_tlist))
			{
				Var		   *inner = (Var *) list_nth_node(TargetEntry, inner_tlist,
														  var->varattno - 1)->expr;

				if (IsA(inner, Var) && inner->varattno > 0)
					src->col[i] = inner->varattno;
			}
		}
		i++;
	}
}

/*
 * Renumbers src's entries after the target list of a Gather over the scan,
 * whose Vars (OUTER_VAR) name the scan's entries.
 */
static void
gather_entries(TpchgenSource *src, List *tlist)
{
	TpchgenSource scan = *src;

	tpchgen_source_entries(src, tlist, OUTER_VAR, NIL);
	for (int i = 0; i < src->nentries; i++)
	{
		int			k = src->col[i];

		src->col[i] = -1;
		if (k >= 1 && k <= scan.nentries)
		{
			src->col[i] = scan.col[k - 1];
			src->type[i] = scan.type[k - 1];
			src->typmod[i] = scan.typmod[k - 1];
		}
	}
}

/* Whether a value of this type is the column's own type, as the functions return it. */
static bool
column_type(const tpch_column *c, Oid type, int32 typmod)
{
	switch (c->kind)
	{
		case TPCH_KIND_KEY:
			return type == INT8OID;
		case TPCH_KIND_INT:
			return type == INT4OID;
		case TPCH_KIND_MONEY:
		case TPCH_KIND_QUANTITY:
			return type == NUMERICOID &&
				typmod == (int32) (((15 << 16) | 2) + VARHDRSZ);
		case TPCH_KIND_DATE:
			return type == DATEOID;
		case TPCH_KIND_CHAR:
			return type == BPCHAROID && typmod == c->width + VARHDRSZ;
		case TPCH_KIND_VARCHAR:
			return type == VARCHAROID && typmod == c->width + VARHDRSZ;
	}
	return false;
}

/* ------------------------------------------------------------------------
 * ExecutorRun: the rows of COPY TO
 * ------------------------------------------------------------------------ */

static void
copy_executor_run(EXECUTOR_RUN_ARGS)
{
#ifdef COPY_LAYOUT_KNOWN
	if (copy_fast_path && queryDesc->dest->mydest == DestCopyOut &&
		ScanDirectionIsForward(direction) && count == 0 &&
		!queryDesc->already_executed)
	{
		PgCopyToState *cstate = copy_state(queryDesc);
		TpchgenSource src;
		tpch_copy_spec spec;

		if (cstate != NULL && copy_plan(queryDesc, cstate, &src, &spec))
		{
			copy_rows(queryDesc, cstate, &src, &spec);
			return;
		}
	}
#endif
	if (prev_executor_run)
		prev_executor_run(EXECUTOR_RUN_PASS);
	else
		standard_ExecutorRun(EXECUTOR_RUN_PASS);
}

#ifdef COPY_LAYOUT_KNOWN

/* COPY's state behind the query's receiver, or NULL if it does not look right. */
static PgCopyToState *
copy_state(QueryDesc *queryDesc)
{
	static bool (*copy_receive) (TupleTableSlot *, DestReceiver *) = NULL;
	PgCopyToState *cstate;

	/*
	 * Other receivers say DestCopyOut too (Citus's, which sends the rows of
	 * an INSERT ... SELECT to its workers): only COPY TO's own, known by its
	 * receive function, leads to COPY's state.
	 */
	if (copy_receive == NULL)
	{
		DestReceiver *r = CreateCopyDestReceiver();

		copy_receive = r->receiveSlot;
		pfree(r);
	}
	if (queryDesc->dest->receiveSlot != copy_receive)
		return NULL;
	cstate = ((PgCopyReceiver *) queryDesc->dest)->cstate;
	if (cstate == NULL || cstate->query != queryDesc ||
		(cstate->dest != PG_COPY_FILE && cstate->dest != PG_COPY_FRONTEND) ||
		!IsA(cstate->attnums, IntList))
		return NULL;
	return cstate;
}

/*
 * Whether the fast path writes exactly what COPY would: sets up the source
 * and the formatting of the rows if so.
 */
static bool
copy_plan(QueryDesc *queryDesc, PgCopyToState *cstate, TpchgenSource *src,
		  tpch_copy_spec *spec)
{
	const CopyFormatOptions *opts = &cstate->opts;
	PlanState  *ps = queryDesc->planstate;
	const tpch_column *cols;
	int			ncols;
	ListCell   *lc;

	/*
	 * PostgreSQL 15 sets need_transcoding in every multibyte database, but
	 * the conversion to the server's own encoding (or to SQL_ASCII) leaves
	 * every byte as it is; to any other encoding COPY converts.
	 */
	if (cstate->need_transcoding &&
		cstate->file_encoding != GetDatabaseEncoding() &&
		cstate->file_encoding != PG_SQL_ASCII)
		return false;
	if (cstate->is_program ||
		queryDesc->plannedstmt->commandType != CMD_SELECT ||
		queryDesc->plannedstmt->hasModifyingCTE ||
		queryDesc->plannedstmt->subplans != NIL)
		return false;
	/*
	 * Under a Gather the scan's rows would come from workers in no set
	 * order; ours come in dbgen's order from as many workers as the Gather
	 * has, through the export's engine (files only).  Never started, the
	 * Gather launches none itself.
	 */
	src->workers = max_parallel_workers_per_gather;
	if (IsA(ps, GatherState))
	{
		Gather	   *gather = (Gather *) ps->plan;

		if (gather->plan.qual != NIL || gather->initParam != NULL)
			return false;
		src->workers = gather->num_workers;
		ps = outerPlanState(ps);
	}
	if (!tpchgen_function_source(ps, src) && !tpchgen_fdw_source(ps, src))
		return false;
	if (ps != queryDesc->planstate)
		gather_entries(src, queryDesc->planstate->plan->targetlist);

	memset(spec, 0, sizeof(*spec));
	spec->table = src->table;
	spec->format = opts->binary ? TPCH_COPY_BINARY :
		opts->csv_mode ? TPCH_COPY_CSV : TPCH_COPY_TEXT;
	if (spec->format != TPCH_COPY_BINARY)
		spec->delim = opts->delim[0];
	if (spec->format == TPCH_COPY_CSV)
	{
		spec->quote = opts->quote[0];
		spec->escape = opts->escape[0];
		/* a longer one is refused by tpch_copy_prepare: COPY's way then */
		if (opts->null_print_len <= TPCH_COPY_MAX_NULL)
			memcpy(spec->null_str, opts->null_print, opts->null_print_len);
		spec->null_len = opts->null_print_len;
	}

	cols = tpch_columns(src->table, &ncols);
	foreach(lc, cstate->attnums)
	{
		int			attnum = lfirst_int(lc);
		int			col;

		if (spec->nfields >= TPCH_COPY_MAX_FIELDS || attnum < 1 ||
			attnum > src->nentries)
			return false;
		col = src->col[attnum - 1];
		if (col < 0 || col >= ncols ||
			!column_type(&cols[col], src->type[attnum - 1],
						 src->typmod[attnum - 1]))
			return false;
		/* dates come out in the ISO style only */
		if (cols[col].kind == TPCH_KIND_DATE &&
			spec->format != TPCH_COPY_BINARY && DateStyle != USE_ISO_DATES)
			return false;
		spec->col[spec->nfields] = col;
		if (spec->format == TPCH_COPY_CSV && opts->force_quote_flags != NULL)
			spec->force_quote[spec->nfields] =
				opts->force_quote_flags[attnum - 1];
		spec->nfields++;
	}
	return tpch_copy_prepare(spec) == TPCH_OK;
}

/* Reports the totals so far in pg_stat_progress_copy. */
static void
copy_progress(uint64 bytes, int64 rows)
{
	const int	index[] = {PROGRESS_COPY_BYTES_PROCESSED,
	PROGRESS_COPY_TUPLES_PROCESSED};
	const int64 val[] = {(int64) bytes, rows};

	pgstat_progress_update_multi_param(2, index, val);
}

/* Writes to COPY's file, after what COPY has not written yet. */
static void
copy_write(PgCopyToState *cstate, const char *buf, size_t len)
{
	pgstat_report_wait_start(WAIT_EVENT_COPY_FILE_WRITE);
	if ((cstate->msgbuf->len > 0 &&
		 fwrite(cstate->msgbuf->data, cstate->msgbuf->len, 1, cstate->file) != 1) ||
		fwrite(buf, len, 1, cstate->file) != 1 || ferror(cstate->file))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write to COPY file: %m")));
	pgstat_report_wait_end();
	resetStringInfo(cstate->msgbuf);
}

/* A CopyData message's type byte and length word, before each row. */
#define COPYDATA_HEADER 5

/*
 * Sends rows as CopyData messages, one per row, as COPY sends them; the
 * first one after what COPY has not sent yet.  The rows lie in buf after
 * COPYDATA_HEADER free bytes each, where their headers are put: the batch
 * then goes out as it is in one call.  pq_putmessage_v2 writes a type byte
 * and the body with no length word, which makes the bytes on the wire those
 * of one pq_putmessage per row without a copy into the send buffer for each
 * row (a body larger than the send buffer is sent straight from ours).
 */
static void
copy_send_rows(StringInfo pending, char *buf, const uint32 *ends, int nrows)
{
	uint32		start = 0;

	if (nrows == 0)
		return;
	if (pending->len > 0)
	{
		/* the pending bytes and the first row in one message */
		appendBinaryStringInfo(pending, buf + COPYDATA_HEADER,
							   ends[0] - COPYDATA_HEADER);
		pq_putmessage('d', pending->data, pending->len);
		resetStringInfo(pending);
		start = ends[0];
	}
	for (int i = start > 0 ? 1 : 0; i < nrows; i++)
	{
		uint32		head = i == 0 ? 0 : ends[i - 1];
		uint32		len = ends[i] - head - 1;	/* the length word counts itself */

		buf[head] = 'd';
		buf[head + 1] = (char) (len >> 24);
		buf[head + 2] = (char) (len >> 16);
		buf[head + 3] = (char) (len >> 8);
		buf[head + 4] = (char) len;
	}
	/*
	 * As for COPY's own messages, a failure has been reported and has set
	 * ClientConnectionLost: the caller's CHECK_FOR_INTERRUPTS ends the
	 * backend.
	 */
	if (ends[nrows - 1] > start)
		(void) pq_putmessage_v2(buf[start], buf + start + 1,
								ends[nrows - 1] - start - 1);
}

/* Whether COPY writes into a regular file, which pwrite() can fill. */
static bool
copy_to_regular_file(PgCopyToState *cstate)
{
	struct stat st;

	return cstate->dest == PG_COPY_FILE &&
		fstat(fileno(cstate->file), &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * COPY TO a file through the export's engine (export.c): chunks generated
 * in order by the backend and parallel workers, written with io_uring.
 * What COPY wrote or holds so far (its header) goes first; afterwards the
 * stream stands at the end, for COPY's binary trailer.
 */
static void
copy_through_export(PgCopyToState *cstate, const TpchgenSource *src,
					const tpch_copy_spec *spec, int64 *rows, uint64 *bytes)
{
	FILE	   *file = cstate->file;
	const char *path = cstate->filename ? cstate->filename : "stdout";
	uint64		written;
	off_t		offset;

	*bytes = cstate->bytes_processed + cstate->msgbuf->len;
	if ((cstate->msgbuf->len > 0 &&
		 fwrite(cstate->msgbuf->data, cstate->msgbuf->len, 1, file) != 1) ||
		fflush(file) != 0 || (offset = ftello(file)) < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write to COPY file: %m")));
	resetStringInfo(cstate->msgbuf);

	tpchgen_export_copy(fileno(file), path, (uint64) offset, src->table,
						src->sf, src->part, src->parts, spec, src->workers,
						*bytes, rows, &written);
	*bytes += written;
	if (fseeko(file, offset + (off_t) written, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write to COPY file: %m")));
}

/*
 * Generates and writes every row in dbgen's order, serially: to the client
 * as one CopyData message per row, or with fwrite() into a file COPY opened
 * that is no regular file (a pipe, a device).  A client that went away
 * makes CHECK_FOR_INTERRUPTS end the backend, as it does for COPY.
 */
static void
copy_stream(PgCopyToState *cstate, const TpchgenSource *src,
			const tpch_copy_spec *spec, int64 *rows, uint64 *bytes)
{
	tpch_gen   *gen = palloc(sizeof(tpch_gen));
	char	   *buf = palloc(COPY_BUF_BYTES);
	uint32	   *ends = NULL;
	tpch_copy_spec framed;
	int			rc;

	if (spec->columns & tpch_pool_columns(src->table))
		tpchgen_pool();
	rc = tpch_gen_init(gen, src->table, src->sf, src->part, src->parts);
	if (rc == TPCH_OK)
		rc = tpch_gen_set_columns(gen, spec->columns);
	if (rc != TPCH_OK)
		elog(ERROR, "could not start a tpchgen generator: %s", tpch_strerror(rc));
	if (cstate->dest == PG_COPY_FRONTEND)
	{
		ends = palloc(sizeof(uint32) * COPY_BUF_ROWS);
		/* room for each row's CopyData header */
		framed = *spec;
		framed.row_prefix = COPYDATA_HEADER;
		spec = &framed;
	}

	*bytes = cstate->bytes_processed;
	for (;;)
	{
		int64		before = *rows;
		int64		n = tpch_copy_gen(gen, spec, buf, COPY_BUF_BYTES, ends,
									  COPY_BUF_ROWS, rows);

		if (n < 0)
			elog(ERROR, "could not generate tpchgen rows: %s",
				 tpch_strerror((int) -n));
		if (n == 0)
			break;

		/*
		 * COPY may hold bytes not sent yet (the binary header): they go out
		 * first, in the first row's message, as COPY would send them.
		 */
		*bytes += cstate->msgbuf->len;
		if (cstate->dest == PG_COPY_FRONTEND)
		{
			copy_send_rows(cstate->msgbuf, buf, ends, (int) (*rows - before));
			/* COPY counts the rows' bytes, not the headers */
			n -= (*rows - before) * COPYDATA_HEADER;
		}
		else
			copy_write(cstate, buf, n);
		*bytes += n;
		copy_progress(*bytes, *rows);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Runs the query of a COPY TO the fast way: what ExecutorRun would do, with
 * our rows in place of the receiver's, and the count and bytes where COPY
 * reads them.
 */
static void
copy_rows(QueryDesc *queryDesc, PgCopyToState *cstate,
		  const TpchgenSource *src, const tpch_copy_spec *spec)
{
	DestReceiver *dest = queryDesc->dest;
	EState	   *estate = queryDesc->estate;
	MemoryContext cxt;
	MemoryContext old;
	int64		rows = 0;
	uint64		bytes;

	cxt = AllocSetContextCreate(estate->es_query_cxt, "tpchgen COPY",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);

	/* which statements take the fast path is worth seeing (and testing) */
	elog(DEBUG1, "tpchgen writes the rows of this COPY");
	if (queryDesc->totaltime)
		InstrStartNode(queryDesc->totaltime);
	queryDesc->already_executed = true;
	dest->rStartup(dest, CMD_SELECT, queryDesc->tupDesc);

	if (copy_to_regular_file(cstate))
		copy_through_export(cstate, src, spec, &rows, &bytes);
	else
		copy_stream(cstate, src, spec, &rows, &bytes);

	cstate->bytes_processed = bytes;
	((PgCopyReceiver *) dest)->processed += rows;
	estate->es_processed += rows;
	dest->rShutdown(dest);
	if (queryDesc->totaltime)
		InstrStopNode(queryDesc->totaltime, (double) rows);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

#endif							/* COPY_LAYOUT_KNOWN */

/* ------------------------------------------------------------------------
 * ProcessUtility: COPY of our foreign tables
 * ------------------------------------------------------------------------ */

/* Whether relid is a foreign table of the tpchgen wrapper. */
static bool
is_our_foreign_table(Oid relid)
{
	ForeignServer *server;
	ForeignDataWrapper *fdw;
	FmgrInfo	flinfo;

	if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE)
		return false;
	server = GetForeignServer(GetForeignServerIdByRelId(relid));
	fdw = GetForeignDataWrapper(server->fdwid);
	if (!OidIsValid(fdw->fdwhandler))
		return false;
	fmgr_info(fdw->fdwhandler, &flinfo);
	return flinfo.fn_addr == tpchgen_fdw_handler;
}

/*
 * COPY <table> [(columns)] TO as COPY (SELECT columns FROM table) TO, the
 * form PostgreSQL accepts for a foreign table; the SELECT needs the same
 * privileges.  Unknown and repeated columns are refused as COPY refuses
 * them.
 */
static CopyStmt *
copy_as_query(CopyStmt *stmt, Oid relid)
{
	CopyStmt   *copy = makeNode(CopyStmt);
	SelectStmt *select = makeNode(SelectStmt);
	ListCell   *lc;

	if (stmt->attlist == NIL)
	{
		ColumnRef  *star = makeNode(ColumnRef);
		ResTarget  *target = makeNode(ResTarget);

		star->fields = list_make1(makeNode(A_Star));
		star->location = -1;
		target->val = (Node *) star;
		target->location = -1;
		select->targetList = list_make1(target);
	}
	foreach(lc, stmt->attlist)
	{
		char	   *name = strVal(lfirst(lc));
		ColumnRef  *ref = makeNode(ColumnRef);
		ResTarget  *target = makeNode(ResTarget);

		for (ListCell *prev = list_head(stmt->attlist); prev != lc;
			 prev = lnext(stmt->attlist, prev))
			if (strcmp(strVal(lfirst(prev)), name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" specified more than once",
								name)));
		if (get_attnum(relid, name) == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							name, get_rel_name(relid))));
		ref->fields = list_make1(makeString(name));
		ref->location = -1;
		target->val = (Node *) ref;
		target->location = -1;
		select->targetList = lappend(select->targetList, target);
	}
	select->fromClause = list_make1(copyObject(stmt->relation));

	copy->query = (Node *) select;
	copy->is_from = false;
	copy->is_program = stmt->is_program;
	copy->filename = stmt->filename;
	copy->options = stmt->options;
	return copy;
}

static void
copy_process_utility(PlannedStmt *pstmt, const char *queryString,
					 bool readOnlyTree, ProcessUtilityContext context,
					 ParamListInfo params, QueryEnvironment *queryEnv,
					 DestReceiver *dest, QueryCompletion *qc)
{
	CopyStmt   *stmt = (CopyStmt *) pstmt->utilityStmt;

	if (IsA(stmt, CopyStmt) && !stmt->is_from && stmt->relation != NULL &&
		stmt->query == NULL)
	{
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

		if (OidIsValid(relid) && is_our_foreign_table(relid))
		{
			PlannedStmt *copy = makeNode(PlannedStmt);

			memcpy(copy, pstmt, sizeof(PlannedStmt));
			copy->utilityStmt = (Node *) copy_as_query(stmt, relid);
			pstmt = copy;
		}
	}

	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params,
							 queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}
