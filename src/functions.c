/*
 * functions.c - the SQL functions tpch_region() .. tpch_lineitem(): the
 * set-returning functions, their planner support function, and the custom
 * scan that replaces a FROM-clause call of them.
 *
 * A FunctionScan stores every row of a function in a tuplestore (spilling
 * to temporary files beyond work_mem) before the first one is read.  When
 * the arguments do not depend on other relations of the query, the planner
 * hook below replaces the function's paths with a CustomScan that streams
 * rows from the scan engine (scan.c), builds only the columns the query
 * uses, and has a parallel-aware partial path whose participants claim
 * chunks from one shared counter.  A whole-row reference (SELECT t FROM
 * tpch_orders() t, row_to_json(t)) is one more column of the scan, a row
 * formed from all the others.  Otherwise (LATERAL references, volatile
 * arguments, ORDINALITY, row marks of UPDATE ... FROM) the plain
 * set-returning function runs, value per call, and still returns the same
 * rows.
 */
#include "tpchgen_pg.h"

#include "../core/number.h"
#include "../core/update.h"

#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/stratnum.h"
#include "catalog/pg_opfamily.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/prep.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/typcache.h"

/* The three arguments, in declaration order. */
#define NARGS 3
static const char *const arg_names[NARGS] = {"sf", "part", "parts"};

/*
 * The functions of the update sets (core/update.h) take (sf, set) and are
 * numbered after the tables: FN_RF1_ORDERS.. in function_table()'s terms.
 */
#define FN_RF1_ORDERS		TPCH_NTABLES
#define FN_RF1_LINEITEM		(TPCH_NTABLES + 1)
#define FN_RF2_KEYS			(TPCH_NTABLES + 2)
#define NFUNCTIONS			(TPCH_NTABLES + 3)
#define UPDATE_NARGS 2
static const char *const update_arg_names[UPDATE_NARGS] = {"sf", "set"};

#define IS_UPDATE_FN(fn)	((fn) >= TPCH_NTABLES)
#define FN_NARGS(fn)		(IS_UPDATE_FN(fn) ? UPDATE_NARGS : NARGS)
#define FN_TABLE(fn)		((fn) == FN_RF1_LINEITEM ? TPCH_LINEITEM : \
							 IS_UPDATE_FN(fn) ? TPCH_ORDERS : (tpch_table) (fn))
#define FN_KIND(fn)			((fn) == FN_RF2_KEYS ? TPCH_DELETES : \
							 IS_UPDATE_FN(fn) ? TPCH_INSERTS : 0)

/* Executor state of the custom scan. */
typedef struct TpchgenScanState
{
	CustomScanState css;
	int			fn;				/* tpch_table, or FN_RF1_ORDERS.. */
	tpch_table	table;
	int64		set;			/* update functions: their set */
	List	   *arg_states;		/* ExprStates of sf, part, parts (sf, set) */
	bool		args_known;		/* sf, part, parts hold valid values */
	double		sf;
	int64		part;
	int64		parts;
	int		   *attcol;			/* scan attribute -> core column */
	int			wholerow;		/* scan attribute of the whole row, or -1 */
	TupleDesc	row_desc;		/* with a whole row: the row type */
	AttrNumber *row_attno;		/* with a whole row: scan attribute -> row's */
	Datum	   *row_values;		/* with a whole row: the row's values */
	bool	   *row_isnull;
	TpchgenScan *scan;			/* NULL until the first row */
	TupleTableSlot *tuple_slot; /* whole rows as heap tuples, or NULL */
	HeapTupleData tuple;		/* tuple_slot's current row */
} TpchgenScanState;

PG_FUNCTION_INFO_V1(tpch_region_srf);
PG_FUNCTION_INFO_V1(tpch_nation_srf);
PG_FUNCTION_INFO_V1(tpch_supplier_srf);
PG_FUNCTION_INFO_V1(tpch_part_srf);
PG_FUNCTION_INFO_V1(tpch_partsupp_srf);
PG_FUNCTION_INFO_V1(tpch_customer_srf);
PG_FUNCTION_INFO_V1(tpch_orders_srf);
PG_FUNCTION_INFO_V1(tpch_lineitem_srf);
PG_FUNCTION_INFO_V1(tpch_rf1_orders_srf);
PG_FUNCTION_INFO_V1(tpch_rf1_lineitem_srf);
PG_FUNCTION_INFO_V1(tpch_rf2_keys_srf);
PG_FUNCTION_INFO_V1(tpch_rows_support);

/* Planner hook and custom scan callbacks */
static void tpchgen_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel,
									 Index rti, RangeTblEntry *rte);
static Plan *tpchgen_plan_path(PlannerInfo *root, RelOptInfo *rel,
							   CustomPath *best_path, List *tlist,
							   List *clauses, List *custom_plans);
static Node *tpchgen_create_state(CustomScan *cscan);
static void tpchgen_begin(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *tpchgen_exec(CustomScanState *node);
static void tpchgen_end(CustomScanState *node);
static void tpchgen_rescan(CustomScanState *node);
static Size tpchgen_estimate_dsm(CustomScanState *node, ParallelContext *pcxt);
static void tpchgen_initialize_dsm(CustomScanState *node,
								   ParallelContext *pcxt, void *coordinate);
static void tpchgen_reinitialize_dsm(CustomScanState *node,
									 ParallelContext *pcxt, void *coordinate);
static void tpchgen_initialize_worker(CustomScanState *node, shm_toc *toc,
									  void *coordinate);
static void tpchgen_explain(CustomScanState *node, List *ancestors,
							ExplainState *es);

/* Helpers */
static int	function_table(Oid funcid);
static bool const_args(int fn, List *args, double *sf, int64 *part,
					   int64 *parts, int64 *set);
static List *key_order(PlannerInfo *root, RelOptInfo *rel, FuncExpr *fexpr);
static Path *make_path(PlannerInfo *root, RelOptInfo *rel, bool parallel,
					   int workers);
static bool rows_leave_whole(Plan *plan, PlannedStmt *stmt);
static void init_whole_row(TpchgenScanState *ts, CustomScan *cscan);
static void bind_scan(TpchgenScanState *ts, TupleDesc desc);
static TupleTableSlot *next_with_whole_row(TpchgenScanState *ts,
										   TupleTableSlot *slot);
static void eval_args(TpchgenScanState *ts);
static void start_scan(TpchgenScanState *ts);
static TupleTableSlot *tpchgen_next(ScanState *ss);
static bool tpchgen_recheck(ScanState *ss, TupleTableSlot *slot);

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

static const CustomPathMethods tpchgen_path_methods = {
	.CustomName = "tpchgen",
	.PlanCustomPath = tpchgen_plan_path,
};

static const CustomScanMethods tpchgen_scan_methods = {
	.CustomName = "tpchgen",
	.CreateCustomScanState = tpchgen_create_state,
};

static const CustomExecMethods tpchgen_exec_methods = {
	.CustomName = "tpchgen",
	.BeginCustomScan = tpchgen_begin,
	.ExecCustomScan = tpchgen_exec,
	.EndCustomScan = tpchgen_end,
	.ReScanCustomScan = tpchgen_rescan,
	.EstimateDSMCustomScan = tpchgen_estimate_dsm,
	.InitializeDSMCustomScan = tpchgen_initialize_dsm,
	.ReInitializeDSMCustomScan = tpchgen_reinitialize_dsm,
	.InitializeWorkerCustomScan = tpchgen_initialize_worker,
	.ExplainCustomScan = tpchgen_explain,
};

/* Called from _PG_init. */
void
tpchgen_functions_init(void)
{
	RegisterCustomScanMethods(&tpchgen_scan_methods);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = tpchgen_set_rel_pathlist;
}

/* ------------------------------------------------------------------------
 * The set-returning functions
 * ------------------------------------------------------------------------ */

/* Raises the error for a NULL argument: NULL is no table size. */
static void
check_not_null(bool isnull, int argno, int fn)
{
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be null",
						IS_UPDATE_FN(fn) ? update_arg_names[argno] : arg_names[argno])));
}

/* Maps a row descriptor's attributes to the core's columns, by name. */
static int *
map_columns(tpch_table table, TupleDesc desc)
{
	int		   *attcol = palloc(sizeof(int) * desc->natts);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		attcol[i] = att->attisdropped ? -1 :
			tpch_column_lookup(table, NameStr(att->attname));
	}
	return attcol;
}

typedef struct SrfState
{
	TpchgenScan *scan;
	Datum	   *values;
	bool	   *isnull;
} SrfState;

/*
 * Value per call rather than a tuplestore of our own: in a FROM clause the
 * executor materializes either way, but in a target list this streams.
 */
static Datum
table_srf(FunctionCallInfo fcinfo, int fn)
{
	FuncCallContext *funcctx;
	SrfState   *st;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	desc;
		tpch_table	table = FN_TABLE(fn);

		for (int i = 0; i < FN_NARGS(fn); i++)
			check_not_null(PG_ARGISNULL(i), i, fn);

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type of a tpchgen function must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(desc);

		st = palloc(sizeof(SrfState));
		if (IS_UPDATE_FN(fn))
			st->scan = tpchgen_scan_create_update(table, FN_KIND(fn),
												  PG_GETARG_FLOAT8(0),
												  PG_GETARG_INT64(1));
		else
			st->scan = tpchgen_scan_create(table, PG_GETARG_FLOAT8(0),
										   PG_GETARG_INT64(1), PG_GETARG_INT64(2));
		tpchgen_scan_bind(st->scan, desc, map_columns(table, desc));
		st->values = palloc(sizeof(Datum) * desc->natts);
		st->isnull = palloc(sizeof(bool) * desc->natts);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}

	funcctx = SRF_PERCALL_SETUP();
	st = funcctx->user_fctx;
	if (tpchgen_scan_next(st->scan, st->values, st->isnull))
	{
		HeapTuple	tuple = heap_form_tuple(funcctx->tuple_desc,
											st->values, st->isnull);

		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
	}
	SRF_RETURN_DONE(funcctx);
}

Datum
tpch_region_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, TPCH_REGION);
}

Datum
tpch_nation_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, TPCH_NATION);
}

Datum
tpch_supplier_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, TPCH_SUPPLIER);
}

Datum
tpch_part_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, TPCH_PART);
}

Datum
tpch_partsupp_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, TPCH_PARTSUPP);
}

Datum
tpch_customer_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, TPCH_CUSTOMER);
}

Datum
tpch_orders_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, TPCH_ORDERS);
}

Datum
tpch_lineitem_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, TPCH_LINEITEM);
}

Datum
tpch_rf1_orders_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, FN_RF1_ORDERS);
}

Datum
tpch_rf1_lineitem_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, FN_RF1_LINEITEM);
}

Datum
tpch_rf2_keys_srf(PG_FUNCTION_ARGS)
{
	return table_srf(fcinfo, FN_RF2_KEYS);
}

/* The C entry point of each function, in tpch_table order, then updates. */
static const PGFunction srf_entry[NFUNCTIONS] = {
	tpch_region_srf, tpch_nation_srf, tpch_supplier_srf, tpch_part_srf,
	tpch_partsupp_srf, tpch_customer_srf, tpch_orders_srf, tpch_lineitem_srf,
	tpch_rf1_orders_srf, tpch_rf1_lineitem_srf, tpch_rf2_keys_srf,
};

/*
 * The table (or FN_RF1_ORDERS..) of one of our functions, or -1.  Identified by the C entry
 * point, not by name, so a same-named function in another schema is left
 * alone; functions without our support function are rejected without
 * looking further.
 */
static int
function_table(Oid funcid)
{
	RegProcedure support = get_func_support(funcid);
	FmgrInfo	flinfo;

	if (!OidIsValid(support))
		return -1;
	fmgr_info(support, &flinfo);
	if (flinfo.fn_addr != tpch_rows_support)
		return -1;
	fmgr_info(funcid, &flinfo);
	for (int t = 0; t < NFUNCTIONS; t++)
		if (flinfo.fn_addr == srf_entry[t])
			return t;
	return -1;
}

/*
 * The arguments when they are non-NULL constants with valid values; false
 * otherwise (the executor will evaluate them and report what is wrong).
 */
static bool
const_args(int fn, List *args, double *sf, int64 *part, int64 *parts,
		   int64 *set)
{
	Const	   *c[NARGS];

	if (list_length(args) != FN_NARGS(fn))
		return false;
	for (int i = 0; i < FN_NARGS(fn); i++)
	{
		Node	   *arg = list_nth(args, i);

		if (!IsA(arg, Const) || ((Const *) arg)->constisnull)
			return false;
		c[i] = (Const *) arg;
	}
	*sf = DatumGetFloat8(c[0]->constvalue);
	if (IS_UPDATE_FN(fn))
	{
		*set = DatumGetInt64(c[1]->constvalue);
		*part = *parts = 1;
		return tpch_check_update(*sf, *set) == TPCH_OK;
	}
	*part = DatumGetInt64(c[1]->constvalue);
	*parts = DatumGetInt64(c[2]->constvalue);
	return tpch_check_args(*sf, *part, *parts) == TPCH_OK;
}

/*
 * Planner support: the exact number of rows (lineitem's within 0.1%) when
 * the arguments are constants.
 */
Datum
tpch_rows_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);

	if (IsA(rawreq, SupportRequestRows))
	{
		SupportRequestRows *req = (SupportRequestRows *) rawreq;
		int			table = function_table(req->funcid);
		double		sf;
		int64		part;
		int64		parts;
		int64		set;

		if (table >= 0 && req->node && IsA(req->node, FuncExpr) &&
			const_args(table, ((FuncExpr *) req->node)->args, &sf, &part,
					   &parts, &set))
		{
			req->rows = IS_UPDATE_FN(table) ?
				tpchgen_update_rows(FN_TABLE(table), sf, set) :
				tpchgen_table_rows(table, sf, part, parts);
			PG_RETURN_POINTER(req);
		}
	}
	PG_RETURN_POINTER(NULL);
}

/* ------------------------------------------------------------------------
 * Planner
 * ------------------------------------------------------------------------ */

/*
 * Whether the query needs a system column of rel, or marks its rows (the
 * other relations of UPDATE ... FROM): EvalPlanQual would ask a scan of
 * ours to return a row it had stored, which only the function scan does.
 */
static bool
needs_function_scan(PlannerInfo *root, RelOptInfo *rel)
{
	Bitmapset  *attrs = NULL;
	ListCell   *lc;

	if (get_plan_rowmark(root->rowMarks, rel->relid) != NULL)
		return true;
	pull_varattnos((Node *) rel->reltarget->exprs, rel->relid, &attrs);
	foreach(lc, rel->baserestrictinfo)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause,
					   rel->relid, &attrs);
	for (int x = bms_next_member(attrs, -1); x >= 0;
		 x = bms_next_member(attrs, x))
		if (x + FirstLowInvalidHeapAttributeNumber < 0)
			return true;
	return false;
}

/*
 * Replaces the paths of a call of one of our functions with the custom
 * scan, when nothing ties its arguments to a row of another relation.
 */
static void
tpchgen_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
						 RangeTblEntry *rte)
{
	RangeTblFunction *rtfunc;
	FuncExpr   *fexpr;
	int			table;
	double		sf;
	int64		part;
	int64		parts;
	int64		set;
	int			workers;
	Path	   *path;

	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (rte->rtekind != RTE_FUNCTION || rte->funcordinality ||
		list_length(rte->functions) != 1 || rel->lateral_relids != NULL)
		return;
	rtfunc = linitial_node(RangeTblFunction, rte->functions);
	if (!IsA(rtfunc->funcexpr, FuncExpr))
		return;
	fexpr = (FuncExpr *) rtfunc->funcexpr;
	table = function_table(fexpr->funcid);
	if (table < 0 || list_length(fexpr->args) != FN_NARGS(table) ||
		contain_volatile_functions((Node *) fexpr->args) ||
		needs_function_scan(root, rel))
		return;

	rel->pathlist = NIL;
	path = make_path(root, rel, false, 0);
	/* the base tables' order is tested; the update sets' is not promised */
	if (!IS_UPDATE_FN(table))
		path->pathkeys = key_order(root, rel, fexpr);
	add_path(rel, path);

	if (!rel->consider_parallel)
		return;

	/* size the workers as for a heap of the same rows */
	workers = compute_parallel_worker(rel, rel->tuples / ROWS_PER_PAGE, -1,
									  max_parallel_workers_per_gather);
	if (const_args(table, fexpr->args, &sf, &part, &parts, &set))
		workers = Min((uint64) workers, IS_UPDATE_FN(table) ?
					  tpchgen_update_chunks(FN_TABLE(table), sf, set) :
					  tpchgen_table_chunks(table, sf, part, parts));
	if (workers > 0)
		add_partial_path(rel, make_path(root, rel, true, workers));
}

/*
 * A serial scan hands out a part's rows in the order of the table's leading
 * key, its first column (the core generates group rows in key order, and
 * the rows of nation and region in theirs), as the foreign scan does: ORDER
 * BY the key, or a merge join on it, then needs no sort.  Only an ordering
 * the query can use is returned.
 */
static List *
key_order(PlannerInfo *root, RelOptInfo *rel, FuncExpr *fexpr)
{
	TupleDesc	desc = get_expr_result_tupdesc((Node *) fexpr, false);
	Form_pg_attribute att = TupleDescAttr(desc, 0);
	Var		   *key = makeVar(rel->relid, 1, att->atttypid, att->atttypmod,
							  att->attcollation, 0);
	Oid			lt = get_opfamily_member(INTEGER_BTREE_FAM_OID, att->atttypid,
										 att->atttypid, BTLessStrategyNumber);

	if (!OidIsValid(lt))
		return NIL;
	return build_expression_pathkey(root, (Expr *) key, lt, rel->relids, false);
}

static Path *
make_path(PlannerInfo *root, RelOptInfo *rel, bool parallel, int workers)
{
	CustomPath *cpath = makeNode(CustomPath);
	Path	   *path = &cpath->path;
	Cost		run;

	path->pathtype = T_CustomScan;
	path->parent = rel;
	path->pathtarget = rel->reltarget;
	path->param_info = NULL;
	path->parallel_aware = parallel;
	path->parallel_safe = rel->consider_parallel;
	path->parallel_workers = workers;
	path->pathkeys = NIL;
	path->rows = rel->rows;

	path->startup_cost = rel->baserestrictcost.startup +
		path->pathtarget->cost.startup;
	run = rel->tuples * (cpu_tuple_cost * GEN_COST_FACTOR +
						 rel->baserestrictcost.per_tuple);
	if (parallel)
	{
		double		divisor = tpchgen_parallel_divisor(workers);

		run /= divisor;
		path->rows = clamp_row_est(path->rows / divisor);
	}
	run += path->pathtarget->cost.per_tuple * path->rows;
	path->total_cost = path->startup_cost + run;

	cpath->flags = CUSTOMPATH_SUPPORT_PROJECTION;
	cpath->methods = &tpchgen_path_methods;
	return path;
}

/*
 * The scan tuple holds just the columns the query uses, described by
 * custom_scan_tlist with scanrelid 0 (a function RTE is no relation the
 * executor could open): no other column is built, and when the query wants
 * those columns as they are, no projection is needed either.  A whole-row
 * Var is a column too, of the row type, as the planner makes it for a
 * function returning a named composite type.  custom_exprs holds the
 * arguments, so that setrefs.c and subselect.c see any Params in them.
 */
static Plan *
tpchgen_plan_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				  List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
	FuncExpr   *fexpr = (FuncExpr *) linitial_node(RangeTblFunction,
												   rte->functions)->funcexpr;
	TupleDesc	desc = get_expr_result_tupdesc((Node *) fexpr, false);
	Bitmapset  *attrs = NULL;
	List	   *scan_tlist = NIL;

	clauses = extract_actual_clauses(clauses, false);

	/*
	 * The columns come from the path's target, not from tlist: when a
	 * projection is put on this scan, tlist is empty here and the
	 * projection's expressions over the target's Vars replace it later.
	 */
	pull_varattnos((Node *) best_path->path.pathtarget->exprs, rel->relid,
				   &attrs);
	pull_varattnos((Node *) clauses, rel->relid, &attrs);
	for (int x = bms_next_member(attrs, -1); x >= 0;
		 x = bms_next_member(attrs, x))
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;
		Form_pg_attribute att;

		if (attno == InvalidAttrNumber)
		{
			scan_tlist = lappend(scan_tlist,
								 makeTargetEntry((Expr *) makeVar(rel->relid, 0,
																  fexpr->funcresulttype,
																  -1, InvalidOid, 0),
												 list_length(scan_tlist) + 1,
												 pstrdup(rte->eref->aliasname),
												 false));
			continue;
		}
		att = TupleDescAttr(desc, attno - 1);
		scan_tlist = lappend(scan_tlist,
							 makeTargetEntry((Expr *) makeVar(rel->relid, attno,
															  att->atttypid,
															  att->atttypmod,
															  att->attcollation,
															  0),
											 list_length(scan_tlist) + 1,
											 pstrdup(NameStr(att->attname)),
											 false));
	}

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = clauses;
	cscan->scan.scanrelid = 0;
	cscan->flags = best_path->flags;
	cscan->custom_exprs = copyObject(fexpr->args);
	cscan->custom_private = list_make1(makeInteger(function_table(fexpr->funcid)));
	cscan->custom_scan_tlist = scan_tlist;
	cscan->methods = &tpchgen_scan_methods;
	return &cscan->scan.plan;
}

/* ------------------------------------------------------------------------
 * Executor
 * ------------------------------------------------------------------------ */

static Node *
tpchgen_create_state(CustomScan *cscan)
{
	TpchgenScanState *ts = palloc0(sizeof(TpchgenScanState));

	NodeSetTag(ts, T_CustomScanState);
	ts->css.methods = &tpchgen_exec_methods;
	ts->fn = intVal(linitial(cscan->custom_private));
	ts->table = FN_TABLE(ts->fn);
	return (Node *) ts;
}

static void
tpchgen_begin(CustomScanState *node, EState *estate, int eflags)
{
	TpchgenScanState *ts = (TpchgenScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	TupleDesc	desc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;

	/*
	 * Valid constant arguments need no expression states: with JIT on (the
	 * cost of a scan of a large table passes jit_above_cost), compiling them
	 * would load LLVM into the session for nothing.
	 */
	if (!const_args(ts->fn, cscan->custom_exprs, &ts->sf, &ts->part, &ts->parts,
					&ts->set))
		ts->arg_states = ExecInitExprList(cscan->custom_exprs, &node->ss.ps);
	ts->attcol = map_columns(ts->table, desc);
	init_whole_row(ts, cscan);

	/*
	 * EXPLAIN shows constant arguments; nothing is evaluated or generated.
	 * Otherwise the scan starts at the first row (or when the leader sets up
	 * parallel workers): arguments may depend on Params that a correlated
	 * subquery sets only when it runs.
	 */
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
	{
		ts->args_known = const_args(ts->fn, cscan->custom_exprs,
									&ts->sf, &ts->part, &ts->parts, &ts->set);
		return;
	}

	/*
	 * Whole rows that leave the plan as they are (CREATE TABLE AS, a
	 * worker's rows into its Gather, INSERT ... SELECT *) are stored, not
	 * read: the engine forms heap tuples straight from the core's rows,
	 * ahead in a helper thread when it can (scan.c), and ModifyTable or the
	 * receiver copies them as they are, where a virtual tuple would be
	 * formed value by value.  Under another node (an aggregate, a sort) a
	 * heap tuple would only be taken apart again: the full-row aggregate
	 * over lineitem at SF 1 took 1.5x the backend CPU time of the foreign
	 * table's virtual tuples.  The parent learns the slot type before it
	 * sets itself up.
	 */
	if (node->ss.ps.ps_ProjInfo == NULL && node->ss.ps.qual == NULL &&
		ts->wholerow < 0 && rows_leave_whole(node->ss.ps.plan,
											 estate->es_plannedstmt))
	{
		int			ncols;

		(void) tpch_columns(ts->table, &ncols);
		if (desc->natts == ncols && ts->fn != FN_RF2_KEYS &&
			tpchgen_scan_tuples_fit(ts->table, desc, ts->attcol))
		{
			ts->tuple_slot = ExecInitExtraTupleSlot(estate, desc,
													&TTSOpsHeapTuple);
			node->ss.ps.resultops = &TTSOpsHeapTuple;
			node->ss.ps.resultopsfixed = true;
			node->ss.ps.resultopsset = true;
		}
	}
}

/*
 * Whether the rows of plan leave the statement as they are: plan is its
 * top node, or the source of an INSERT, which copies them into the target's
 * slot unchanged (a projection on plan was checked for by the caller).
 */
static bool
rows_leave_whole(Plan *plan, PlannedStmt *stmt)
{
	Plan	   *top = stmt->planTree;

	if (plan == top)
		return true;
	return IsA(top, ModifyTable) &&
		((ModifyTable *) top)->operation == CMD_INSERT &&
		outerPlan(top) == plan;
}

/*
 * With a whole-row column, the engine generates every column of the row
 * type, and the scan tuple takes its columns from them.
 */
static void
init_whole_row(TpchgenScanState *ts, CustomScan *cscan)
{
	ListCell   *lc;
	int			i = 0;

	ts->wholerow = -1;
	foreach(lc, cscan->custom_scan_tlist)
	{
		Var		   *var = (Var *) ((TargetEntry *) lfirst(lc))->expr;

		if (var->varattno == InvalidAttrNumber)
		{
			ts->wholerow = i;
			ts->row_desc = lookup_rowtype_tupdesc_copy(var->vartype, -1);
		}
		i++;
	}
	if (ts->wholerow < 0)
		return;
	ts->row_attno = palloc(sizeof(AttrNumber) * i);
	i = 0;
	foreach(lc, cscan->custom_scan_tlist)
		ts->row_attno[i++] = ((Var *) ((TargetEntry *) lfirst(lc))->expr)->varattno;
	ts->row_values = palloc(sizeof(Datum) * ts->row_desc->natts);
	ts->row_isnull = palloc(sizeof(bool) * ts->row_desc->natts);
}

/*
 * For the COPY fast path: whether ps is this custom scan with constant
 * arguments and no filter, and what its target list passes on.
 */
bool
tpchgen_function_source(PlanState *ps, TpchgenSource *src)
{
	CustomScan *cscan;
	TpchgenScanState *ts;
	int64		set;

	if (!IsA(ps, CustomScanState) ||
		((CustomScanState *) ps)->methods != &tpchgen_exec_methods)
		return false;
	cscan = (CustomScan *) ps->plan;
	ts = (TpchgenScanState *) ps;
	/* base tables only, each column passed on by itself */
	if (cscan->scan.plan.qual != NIL || IS_UPDATE_FN(ts->fn) || ts->wholerow >= 0 ||
		!const_args(ts->fn, cscan->custom_exprs, &src->sf, &src->part, &src->parts, &set))
		return false;
	src->table = ts->table;
	tpchgen_source_entries(src, cscan->scan.plan.targetlist, INDEX_VAR,
						   cscan->custom_scan_tlist);
	/* the row type's attributes are the table's columns, in order */
	for (int i = 0; i < src->nentries; i++)
		if (src->col[i] > 0)
			src->col[i]--;
	return true;
}

/* Evaluates sf, part and parts, raising the error for bad values. */
static void
eval_args(TpchgenScanState *ts)
{
	ExprContext *econtext = ts->css.ss.ps.ps_ExprContext;
	Datum		d[NARGS];
	ListCell   *lc;
	int			i = 0;

	if (ts->arg_states == NIL)
	{
		(void) const_args(ts->fn, ((CustomScan *) ts->css.ss.ps.plan)->custom_exprs,
						  &ts->sf, &ts->part, &ts->parts, &ts->set);
		ts->args_known = true;
		return;
	}
	foreach(lc, ts->arg_states)
	{
		bool		isnull;

		d[i] = ExecEvalExprSwitchContext((ExprState *) lfirst(lc), econtext,
										 &isnull);
		check_not_null(isnull, i, ts->fn);
		i++;
	}
	ts->sf = DatumGetFloat8(d[0]);
	if (IS_UPDATE_FN(ts->fn))
	{
		ts->set = DatumGetInt64(d[1]);
		ts->part = ts->parts = 1;
		tpchgen_check_update(ts->sf, ts->set);
		ts->args_known = true;
		return;
	}
	ts->part = DatumGetInt64(d[1]);
	ts->parts = DatumGetInt64(d[2]);
	tpchgen_check_args(ts->sf, ts->part, ts->parts);
	ts->args_known = true;
}

/* Binds an engine scan to the scan slot, or to the whole row. */
static void
bind_scan(TpchgenScanState *ts, TupleDesc desc)
{
	if (ts->wholerow >= 0)
		tpchgen_scan_bind(ts->scan, ts->row_desc,
						  map_columns(ts->table, ts->row_desc));
	else if (ts->tuple_slot)
		tpchgen_scan_bind_tuples(ts->scan, desc, ts->attcol);
	else
		tpchgen_scan_bind(ts->scan, desc, ts->attcol);
}

/* An engine scan for the current arguments, bound to the scan slot. */
static void
start_scan(TpchgenScanState *ts)
{
	TupleDesc	desc = ts->css.ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	MemoryContext old;

	eval_args(ts);
	old = MemoryContextSwitchTo(ts->css.ss.ps.state->es_query_cxt);
	if (IS_UPDATE_FN(ts->fn))
		ts->scan = tpchgen_scan_create_update(ts->table, FN_KIND(ts->fn),
											  ts->sf, ts->set);
	else
		ts->scan = tpchgen_scan_create(ts->table, ts->sf, ts->part, ts->parts);
	bind_scan(ts, desc);
	MemoryContextSwitchTo(old);
}

/*
 * The next row with its whole-row column: a composite datum in the
 * per-tuple memory, which ExecScan resets before each row.
 */
static TupleTableSlot *
next_with_whole_row(TpchgenScanState *ts, TupleTableSlot *slot)
{
	MemoryContext old;
	int			natts = slot->tts_tupleDescriptor->natts;

	if (!tpchgen_scan_next(ts->scan, ts->row_values, ts->row_isnull))
		return slot;
	for (int i = 0; i < natts; i++)
	{
		AttrNumber	a = ts->row_attno[i];

		if (a == InvalidAttrNumber)
			continue;
		slot->tts_values[i] = ts->row_values[a - 1];
		slot->tts_isnull[i] = ts->row_isnull[a - 1];
	}
	old = MemoryContextSwitchTo(ts->css.ss.ps.ps_ExprContext->ecxt_per_tuple_memory);
	slot->tts_values[ts->wholerow] =
		HeapTupleGetDatum(heap_form_tuple(ts->row_desc, ts->row_values,
										  ts->row_isnull));
	MemoryContextSwitchTo(old);
	slot->tts_isnull[ts->wholerow] = false;
	return ExecStoreVirtualTuple(slot);
}

static TupleTableSlot *
tpchgen_next(ScanState *ss)
{
	TpchgenScanState *ts = (TpchgenScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;

	if (ts->scan == NULL)
		start_scan(ts);
	ExecClearTuple(slot);
	if (ts->wholerow >= 0)
		return next_with_whole_row(ts, slot);
	if (tpchgen_scan_next(ts->scan, slot->tts_values, slot->tts_isnull))
		ExecStoreVirtualTuple(slot);
	return slot;
}

/* No EvalPlanQual: the planner never puts a row-marked function here. */
static bool
tpchgen_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

/*
 * The next whole row as a heap tuple in the engine's buffers, valid until
 * the next row: whoever keeps it copies it (the receiver's insert
 * materialises it, ModifyTable copies it into the target's slot).
 */
static TupleTableSlot *
tpchgen_next_tuple(TpchgenScanState *ts)
{
	TupleTableSlot *slot = ts->tuple_slot;
	HeapTupleHeader td;

	if (ts->scan == NULL)
		start_scan(ts);
	td = tpchgen_scan_next_tuple(ts->scan);
	if (td == NULL)
		return ExecClearTuple(slot);
	ts->tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&ts->tuple.t_self);
	ts->tuple.t_tableOid = InvalidOid;
	ts->tuple.t_data = td;
	return ExecStoreHeapTuple(&ts->tuple, slot, false);
}

static TupleTableSlot *
tpchgen_exec(CustomScanState *node)
{
	TpchgenScanState *ts = (TpchgenScanState *) node;

	if (ts->tuple_slot)
		return tpchgen_next_tuple(ts);
	return ExecScan(&node->ss, tpchgen_next, tpchgen_recheck);
}

static void
tpchgen_end(CustomScanState *node)
{
	TpchgenScanState *ts = (TpchgenScanState *) node;

	if (ts->scan)
		tpchgen_scan_end(ts->scan);
	ts->scan = NULL;
}

/*
 * Arguments that depend on Params (a correlated subquery) may differ at
 * each rescan: then the next row starts a new scan.  Under a Gather they
 * cannot change (such Params are parallel-restricted), so a parallel scan
 * only needs the counter reset that ReInitializeDSM gives it.
 */
static void
tpchgen_rescan(CustomScanState *node)
{
	TpchgenScanState *ts = (TpchgenScanState *) node;

	if (ts->scan && node->ss.ps.chgParam != NULL &&
		!node->ss.ps.plan->parallel_aware)
	{
		tpchgen_scan_end(ts->scan);
		ts->scan = NULL;
		ts->args_known = false;
	}
	else if (ts->scan)
		tpchgen_scan_rewind(ts->scan);
	if (ts->tuple_slot)
		ExecClearTuple(ts->tuple_slot);
	ExecScanReScan(&node->ss);
}

static Size
tpchgen_estimate_dsm(CustomScanState *node, ParallelContext *pcxt)
{
	return sizeof(TpchgenScanShared);
}

static void
tpchgen_initialize_dsm(CustomScanState *node, ParallelContext *pcxt,
					   void *coordinate)
{
	TpchgenScanState *ts = (TpchgenScanState *) node;

	if (ts->scan == NULL)
		start_scan(ts);
	tpchgen_scan_share(ts->scan, (TpchgenScanShared *) coordinate);
}

static void
tpchgen_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt,
						 void *coordinate)
{
	tpchgen_scan_shared_reset((TpchgenScanShared *) coordinate);
}

static void
tpchgen_initialize_worker(CustomScanState *node, shm_toc *toc,
						  void *coordinate)
{
	TpchgenScanState *ts = (TpchgenScanState *) node;
	TpchgenScanShared *shared = (TpchgenScanShared *) coordinate;
	TupleDesc	desc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	MemoryContext old;

	old = MemoryContextSwitchTo(node->ss.ps.state->es_query_cxt);
	ts->sf = shared->sf;
	ts->part = shared->part;
	ts->parts = shared->parts;
	ts->set = shared->set;
	ts->args_known = true;
	ts->scan = tpchgen_scan_create_shared(shared);
	bind_scan(ts, desc);
	MemoryContextSwitchTo(old);
}

static void
tpchgen_explain(CustomScanState *node, List *ancestors, ExplainState *es)
{
	TpchgenScanState *ts = (TpchgenScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;

	ExplainPropertyText("Table", tpch_table_name(ts->table), es);
	if (ts->args_known && IS_UPDATE_FN(ts->fn))
	{
		ExplainPropertyText("Scale Factor",
							tpch_format_double(ts->sf, palloc(TPCH_DOUBLE_BUFLEN)), es);
		ExplainPropertyInteger("Update Set", NULL, ts->set, es);
		ExplainPropertyText("Refresh", ts->fn == FN_RF2_KEYS ?
							"RF2 deletes" : "RF1 inserts", es);
		ExplainPropertyUInteger("Chunks", NULL,
								tpchgen_update_chunks(ts->table, ts->sf, ts->set),
								es);
	}
	else if (ts->args_known)
	{
		tpchgen_explain_part(ts->sf, ts->part, ts->parts, es);
		ExplainPropertyUInteger("Chunks", NULL,
								tpchgen_table_chunks(ts->table, ts->sf,
													 ts->part, ts->parts),
								es);
	}
	else
	{
		/* arguments known only at run time: show their expressions */
		List	   *context = set_deparse_context_plan(es->deparse_cxt,
													   node->ss.ps.plan,
													   ancestors);
		StringInfoData buf;
		ListCell   *lc;
		int			i = 0;

		initStringInfo(&buf);
		foreach(lc, cscan->custom_exprs)
		{
			appendStringInfo(&buf, "%s%s => %s", i > 0 ? ", " : "",
							 IS_UPDATE_FN(ts->fn) ? update_arg_names[i] : arg_names[i],
							 deparse_expression(lfirst(lc), context, false,
												false));
			i++;
		}
		ExplainPropertyText("Arguments", buf.data, es);
	}
}
