/*
 * fdw.c - the tpchgen foreign data wrapper: foreign tables that generate
 * TPC-H rows on the scan engine (scan.c) instead of reading storage.
 *
 * A foreign table names a TPC-H table and takes sf, part and parts from its
 * own options or else its server's.  It may declare any subset of the
 * table's columns, in any order; they are matched by name when a query is
 * planned (the validator never sees the columns).  Rows come out exactly as
 * the SQL functions and dbgen make them, serially or from parallel workers
 * claiming chunks of one shared counter.
 *
 * Conditions on the leading key (l_orderkey, o_orderkey, p_partkey,
 * ps_partkey, c_custkey, s_suppkey) compared with =, <, <=, >, >= or
 * = ANY to values known before the scan (constants, parameters, the outer
 * row of a nested loop) become group-row ranges the generator seeks to, so
 * a handful of keys costs a handful of rows at any scale factor.  Every
 * condition also stays a filter on the rows produced: a range only ever
 * skips rows that the filter would reject.  An equality of another column
 * with a parameter makes a rescanned scan keep its first run's rows for
 * the rescans to look up (fdw_cache.c).  Date ranges of lineitem narrow
 * the orders generated (fdw_dates.c).
 */
#include "fdw.h"
#include "fdw_cache.h"

#include "../core/number.h"

#include "access/table.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include <math.h>

/* Planner state of a foreign table, in baserel->fdw_private. */
typedef struct TpchgenFdwPlanState
{
	TpchgenFdwTable tab;
	AttrNumber	keyatt;			/* the leading key's attribute, or 0 */
	Oid			keytype;		/* its type */
	double		gen_rows;		/* rows the unparameterized scan generates */
	bool		has_in;			/* a pushed = ANY condition: several ranges */
	Selectivity other_sel;		/* of the restrictions not computed exactly */
} TpchgenFdwPlanState;

/* The items of ForeignScan.fdw_private. */
enum TpchgenFdwPrivate
{
	FDW_PRIVATE_TABLE,			/* Integer: tpch_table */
	FDW_PRIVATE_SF,				/* Const float8 */
	FDW_PRIVATE_PART,			/* Const int8 */
	FDW_PRIVATE_PARTS,			/* Const int8 */
	FDW_PRIVATE_USED,			/* IntList: attributes to generate */
	FDW_PRIVATE_KEY_OPS,		/* IntList: the op of each fdw_exprs value */
	FDW_PRIVATE_CACHE_KEYS		/* Const float8: keys a rescan cache expects */
};

/*
 * What the participants of a parallel scan share: the engine's counter, and
 * the group rows the leader's key conditions leave, so that workers need
 * not evaluate them (and cannot disagree).
 */
typedef struct TpchgenFdwShared
{
	TpchgenScanShared scan;
	bool		keyed;
	int64		first;
	int64		count;
} TpchgenFdwShared;

/* Executor state of a foreign scan. */
typedef struct TpchgenFdwScanState
{
	TpchgenFdwTable tab;
	int		   *attcol;			/* attribute -> core column, or -1 */
	List	   *key_states;		/* ExprStates of the key condition values */
	List	   *key_ops;
	TpchgenScan *scan;			/* created at the first row */
	TpchgenFdwShared *shared;	/* set when running under a Gather */
	TpchgenCache *cache;		/* rows kept for rescans (fdw_cache.c) */
	bool		cached;			/* this run is served by the cache */

	/* the group-row ranges of this scan, and the one being generated */
	bool		started;
	int			nranges;
	int64	   *range_first;
	int64	   *range_count;
	int			cur_range;
	MemoryContext rangecxt;		/* ranges, rebuilt at every rescan */
} TpchgenFdwScanState;

/* Seeking to a key range: a few hundred random-stream skips. */
#define SEEK_COST_FACTOR	10.0

PG_FUNCTION_INFO_V1(tpchgen_fdw_handler);

/*
 * FDW callback routines
 */
static void tpchGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
								  Oid foreigntableid);
static void tpchGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
								Oid foreigntableid);
static ForeignScan *tpchGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
									   Oid foreigntableid, ForeignPath *best_path,
									   List *tlist, List *scan_clauses,
									   Plan *outer_plan);
static void tpchExplainForeignScan(ForeignScanState *node, ExplainState *es);
static void tpchBeginForeignScan(ForeignScanState *node, int eflags);
static TupleTableSlot *tpchIterateForeignScan(ForeignScanState *node);
static void tpchReScanForeignScan(ForeignScanState *node);
static void tpchEndForeignScan(ForeignScanState *node);
static bool tpchIsForeignScanParallelSafe(PlannerInfo *root, RelOptInfo *rel,
										  RangeTblEntry *rte);
static Size tpchEstimateDSMForeignScan(ForeignScanState *node,
									   ParallelContext *pcxt);
static void tpchInitializeDSMForeignScan(ForeignScanState *node,
										 ParallelContext *pcxt,
										 void *coordinate);
static void tpchReInitializeDSMForeignScan(ForeignScanState *node,
										   ParallelContext *pcxt,
										   void *coordinate);
static void tpchInitializeWorkerForeignScan(ForeignScanState *node,
											shm_toc *toc, void *coordinate);
static bool tpchAnalyzeForeignTable(Relation relation,
									AcquireSampleRowsFunc *func,
									BlockNumber *totalpages);
static List *tpchImportForeignSchema(ImportForeignSchemaStmt *stmt,
									 Oid serverOid);

/*
 * Helper functions
 */
static Cost gen_cost(double gen_rows, double rows, RelOptInfo *baserel);
static TpchgenScan *create_scan(TpchgenFdwScanState *st, ForeignScanState *node,
								TpchgenScanShared *shared);
static void compute_ranges(TpchgenFdwScanState *st, ExprContext *econtext);
static bool generate_row(TpchgenFdwScanState *st, TupleTableSlot *slot);
static int *bind_attributes(Relation rel, tpch_table table, List *used);
static void decode_private(List *fdw_private, TpchgenFdwTable *tab,
						   List **used, List **key_ops);

/*
 * Foreign-data wrapper handler function: return a struct with pointers
 * to my callback routines.
 */
Datum
tpchgen_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = tpchGetForeignRelSize;
	routine->GetForeignPaths = tpchGetForeignPaths;
	routine->GetForeignPlan = tpchGetForeignPlan;
	routine->ExplainForeignScan = tpchExplainForeignScan;
	routine->BeginForeignScan = tpchBeginForeignScan;
	routine->IterateForeignScan = tpchIterateForeignScan;
	routine->ReScanForeignScan = tpchReScanForeignScan;
	routine->EndForeignScan = tpchEndForeignScan;
	routine->IsForeignScanParallelSafe = tpchIsForeignScanParallelSafe;
	routine->EstimateDSMForeignScan = tpchEstimateDSMForeignScan;
	routine->InitializeDSMForeignScan = tpchInitializeDSMForeignScan;
	routine->ReInitializeDSMForeignScan = tpchReInitializeDSMForeignScan;
	routine->InitializeWorkerForeignScan = tpchInitializeWorkerForeignScan;
	routine->AnalyzeForeignTable = tpchAnalyzeForeignTable;
	routine->ImportForeignSchema = tpchImportForeignSchema;

	PG_RETURN_POINTER(routine);
}

/*
 * tpchGetForeignRelSize
 *		Check the table's options and columns, and estimate its rows: exact
 *		for the ranges of constant key conditions, by selectivity for the
 *		rest.
 */
static void
tpchGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
					  Oid foreigntableid)
{
	TpchgenFdwPlanState *ps = palloc0(sizeof(TpchgenFdwPlanState));
	Relation	rel = table_open(foreigntableid, NoLock);
	List	   *estimated = NIL;
	List	   *key_ranges = NIL;
	KeySet		keys;
	int64		key_groups;
	bool		eq_param = false;
	int		   *attcol;
	ListCell   *lc;

	tpchgen_fdw_get_table(rel, &ps->tab);
	tpchgen_fdw_check_columns(rel, ps->tab.table);
	ps->keyatt = tpchgen_fdw_key_attribute(rel, ps->tab.table, &ps->keytype);
	attcol = bind_attributes(rel, ps->tab.table, list_make1_int(0));
	table_close(rel, NoLock);

	baserel->tuples = tpchgen_table_rows(ps->tab.table, ps->tab.sf,
										 ps->tab.part, ps->tab.parts);

	tpchgen_keyset_init(&keys);
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		Expr	   *value;
		int			op = tpchgen_fdw_key_condition(root, rinfo->clause,
												   baserel->relid, ps->keyatt,
												   &value);

		if (op >= 0)
			ps->has_in |= op == KEY_IN;
		if (op >= 0 && IsA(value, Const))
		{
			Const	   *c = (Const *) value;

			tpchgen_keyset_restrict(&keys, op, c->constvalue, c->constisnull,
									c->consttype);
		}
		else if (op == BTEqualStrategyNumber)
			eq_param = true;
		else if (op >= 0)
			key_ranges = lappend(key_ranges, rinfo);
		else
			estimated = lappend(estimated, rinfo);
	}

	/*
	 * Constant key conditions give the rows generated exactly; an equality
	 * with a parameter one group; other conditions with parameters a
	 * selectivity.
	 */
	key_groups = tpchgen_keyset_group_rows(&keys, &ps->tab, NULL, NULL);
	if (eq_param)
		key_groups = Min(key_groups, 1);
	ps->gen_rows = (double) tpch_rows_estimate(ps->tab.table, key_groups) *
		clauselist_selectivity(root, key_ranges, baserel->relid, JOIN_INNER,
							   NULL);
	ps->other_sel = clauselist_selectivity(root, estimated, baserel->relid,
										   JOIN_INNER, NULL);
	baserel->rows = clamp_row_est(ps->gen_rows * ps->other_sel);

	/*
	 * A date window of lineitem generates only the orders that can have
	 * lines in it (fdw_dates.c): the rows are estimated as above, from the
	 * conditions, but the generating costs less.
	 */
	ps->gen_rows = Max(baserel->rows,
					   ps->gen_rows *
					   tpchgen_fdw_dates_share(extract_actual_clauses(baserel->baserestrictinfo,
																	  false),
											   baserel->relid, &ps->tab,
											   attcol));
	baserel->fdw_private = ps;
}

/*
 * tpchGetForeignPaths
 *		A serial path; a partial path when the scan may run in parallel and
 *		its key conditions leave one range; and a path parameterized by each
 *		set of outer relations that join clauses on the key compare with.
 *		Serial scans return rows in key order (ranges in increasing order,
 *		group rows in key order), which merge joins and ORDER BY can use.
 */
static void
tpchGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					Oid foreigntableid)
{
	TpchgenFdwPlanState *ps = baserel->fdw_private;
	Cost		startup = baserel->baserestrictcost.startup;
	Cost		run;
	double		runs;
	List	   *pathkeys = NIL;
	List	   *candidates = NIL;
	List	   *outers = NIL;
	ListCell   *lc;

	if (ps->keyatt != 0)
	{
		Var		   *key = makeVar(baserel->relid, ps->keyatt, ps->keytype, -1,
								  InvalidOid, 0);
		Oid			lt = get_opfamily_member(INTEGER_BTREE_FAM_OID, ps->keytype,
											 ps->keytype, BTLessStrategyNumber);

		pathkeys = build_expression_pathkey(root, (Expr *) key, lt,
											baserel->relids, false);
	}
	/*
	 * Lateral references make every path parameterized, as a seqscan's.  A
	 * run the rescan cache serves hands out its rows from memory, and
	 * shares one generation with the other runs.
	 */
	runs = tpchgen_cache_runs(root, baserel, ps->keyatt);
	run = gen_cost(ps->gen_rows, baserel->rows, baserel) / runs;
	if (runs > 1.0)
		run += gen_cost(baserel->rows, baserel->rows, baserel);
	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows, 0,
									 startup, startup + run,
									 pathkeys, baserel->lateral_relids,
									 NULL, NIL, NIL));

	if (baserel->consider_parallel && baserel->lateral_relids == NULL &&
		!ps->has_in)
	{
		int			workers;
		uint64		chunks;

		workers = compute_parallel_worker(baserel,
										  ps->gen_rows / ROWS_PER_PAGE, -1,
										  max_parallel_workers_per_gather);
		chunks = tpchgen_table_chunks(ps->tab.table, ps->tab.sf, ps->tab.part,
									  ps->tab.parts);
		chunks = (uint64) ceil(chunks * ps->gen_rows / Max(baserel->tuples, 1));
		workers = Min((uint64) workers, chunks);
		if (workers > 0)
		{
			double		divisor = tpchgen_parallel_divisor(workers);
			ForeignPath *path;

			path = create_foreignscan_path(root, baserel, NULL,
										   clamp_row_est(baserel->rows / divisor),
										   0, startup,
										   startup + gen_cost(ps->gen_rows,
															  baserel->rows,
															  baserel) / divisor,
										   NIL, NULL, NULL, NIL, NIL);
			path->path.parallel_aware = true;
			path->path.parallel_workers = workers;
			add_partial_path(baserel, (Path *) path);
		}
	}

	if (ps->keyatt == 0)
		return;

	/*
	 * Join clauses that could be key conditions: equalities with other
	 * relations from the equivalence classes of the key, and any other
	 * comparison of the key with them among the join clauses.
	 */
	foreach(lc, baserel->joininfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		Expr	   *value;

		if (tpchgen_fdw_key_condition(root, rinfo->clause, baserel->relid,
									  ps->keyatt, &value) >= 0 &&
			join_clause_is_movable_to(rinfo, baserel))
			candidates = lappend(candidates, rinfo);
	}
	if (baserel->has_eclass_joins)
	{
		AttrNumber	keyatt = ps->keyatt;

		candidates = list_concat(candidates,
								 generate_implied_equalities_for_column(root, baserel,
																		tpchgen_fdw_ec_member_is_key,
																		&keyatt,
																		baserel->lateral_referencers));
	}

	foreach(lc, candidates)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		Relids		required_outer;
		ParamPathInfo *param_info;
		List	   *other = NIL;
		bool		has_eq = false;
		bool		seen = false;
		double		gen_rows;
		double		rows;
		Cost		seek_run;
		QualCost	join_cost;
		ListCell   *lc2;

		required_outer = bms_union(bms_difference(rinfo->clause_relids,
												  baserel->relids),
								   baserel->lateral_relids);
		foreach(lc2, outers)
			seen |= bms_equal(lfirst(lc2), required_outer);
		if (bms_is_empty(required_outer) || seen)
			continue;
		outers = lappend(outers, required_outer);
		param_info = get_baserel_parampathinfo(root, baserel, required_outer);

		/*
		 * An equality generates the rows of one group per outer row; other
		 * key conditions and every other clause count by selectivity.
		 */
		foreach(lc2, param_info->ppi_clauses)
		{
			RestrictInfo *jinfo = lfirst_node(RestrictInfo, lc2);
			Expr	   *value;

			if (tpchgen_fdw_key_condition(root, jinfo->clause, baserel->relid,
										  ps->keyatt, &value) ==
				BTEqualStrategyNumber)
				has_eq = true;
			else
				other = lappend(other, jinfo);
		}
		if (!has_eq)
			continue;
		gen_rows = (double) tpch_rows_estimate(ps->tab.table, 1);
		rows = clamp_row_est(gen_rows * ps->other_sel *
							 clauselist_selectivity(root, other, baserel->relid,
													JOIN_INNER, NULL));
		/*
		 * The join clauses are a filter on every row generated: one may
		 * hold a subquery (as in Q17) that costs far more than the seek.
		 */
		cost_qual_eval(&join_cost, param_info->ppi_clauses, root);
		seek_run = cpu_tuple_cost * SEEK_COST_FACTOR + join_cost.startup +
			gen_rows * join_cost.per_tuple +
			gen_cost(gen_rows, rows, baserel);
		add_path(baserel, (Path *)
				 create_foreignscan_path(root, baserel, NULL, rows, 0, startup,
										 startup + seek_run, pathkeys, required_outer,
										 NULL, NIL, NIL));
	}
}

/*
 * tpchGetForeignPlan
 *		Every clause stays a filter; the key conditions among them also go
 *		to fdw_exprs (their values) and fdw_private (their operators), for
 *		the executor to turn into ranges.  For a parameterized path the
 *		planner replaces outer Vars in fdw_exprs with nestloop Params after
 *		this returns.
 */
static ForeignScan *
tpchGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
				   Oid foreigntableid, ForeignPath *best_path,
				   List *tlist, List *scan_clauses, Plan *outer_plan)
{
	TpchgenFdwPlanState *ps = baserel->fdw_private;
	Bitmapset  *attrs = NULL;
	List	   *used = NIL;
	List	   *key_values = NIL;
	List	   *key_ops = NIL;
	List	   *fdw_private;
	ListCell   *lc;

	foreach(lc, scan_clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		Expr	   *value;
		int			op;

		if (rinfo->pseudoconstant)
			continue;
		op = tpchgen_fdw_key_condition(root, rinfo->clause, baserel->relid,
									   ps->keyatt, &value);
		if (op < 0)
			continue;
		key_values = lappend(key_values, value);
		key_ops = lappend_int(key_ops, op);
	}
	scan_clauses = extract_actual_clauses(scan_clauses, false);

	/* generate only the columns the query reads; a whole-row Var reads all */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs);
	pull_varattnos((Node *) scan_clauses, baserel->relid, &attrs);
	for (int x = bms_next_member(attrs, -1); x >= 0;
		 x = bms_next_member(attrs, x))
		used = lappend_int(used, x + FirstLowInvalidHeapAttributeNumber);

	fdw_private = list_make5(makeInteger(ps->tab.table),
							 makeConst(FLOAT8OID, -1, InvalidOid, sizeof(float8),
									   Float8GetDatum(ps->tab.sf), false,
									   FLOAT8PASSBYVAL),
							 makeConst(INT8OID, -1, InvalidOid, sizeof(int64),
									   Int64GetDatum(ps->tab.part), false,
									   FLOAT8PASSBYVAL),
							 makeConst(INT8OID, -1, InvalidOid, sizeof(int64),
									   Int64GetDatum(ps->tab.parts), false,
									   FLOAT8PASSBYVAL),
							 used);
	fdw_private = lappend(fdw_private, key_ops);
	fdw_private = lappend(fdw_private,
						  makeConst(FLOAT8OID, -1, InvalidOid, sizeof(float8),
									Float8GetDatum(tpchgen_cache_runs(root, baserel,
																	  ps->keyatt)),
									false, FLOAT8PASSBYVAL));

	return make_foreignscan(tlist, scan_clauses, baserel->relid, key_values,
							fdw_private, NIL, NIL, outer_plan);
}

/*
 * tpchExplainForeignScan
 *		The table, its scale factor and part, the key conditions pushed
 *		down and how many columns are generated; from the plan alone, so
 *		that EXPLAIN without ANALYZE sets nothing up.
 */
static void
tpchExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	TupleDesc	desc = RelationGetDescr(node->ss.ss_currentRelation);
	TpchgenFdwTable tab;
	List	   *used;
	List	   *key_ops;
	int			natts = 0;
	int			ncols = 0;
	bool		whole = false;
	ListCell   *lc;

	decode_private(plan->fdw_private, &tab, &used, &key_ops);
	ExplainPropertyText("Table", tpch_table_name(tab.table), es);
	tpchgen_explain_part(tab.sf, tab.part, tab.parts, es);

	if (plan->fdw_exprs != NIL)
	{
		static const char *const opname[] = {"", "<", "<=", "=", ">=", ">"};
		List	   *context = set_deparse_context_plan(es->deparse_cxt,
													   &plan->scan.plan, NIL);
		const char *key = tpch_columns(tab.table, &ncols)[0].name;
		StringInfoData buf;
		ListCell   *lo;
		int			n = list_length(plan->fdw_exprs);

		initStringInfo(&buf);
		forboth(lc, plan->fdw_exprs, lo, key_ops)
		{
			char	   *value = deparse_expression(lfirst(lc), context, false,
												   false);

			if (buf.len > 0)
				appendStringInfoString(&buf, " AND ");
			if (lfirst_int(lo) == KEY_IN)
				appendStringInfo(&buf, "(%s = ANY (%s))", key, value);
			else
				appendStringInfo(&buf, "(%s %s %s)", key, opname[lfirst_int(lo)],
								 value);
		}
		ExplainPropertyText("Key Conditions",
							n > 1 ? psprintf("(%s)", buf.data) : buf.data, es);
	}
	tpchgen_fdw_dates_explain(plan, tab.table,
							  bind_attributes(node->ss.ss_currentRelation,
											  tab.table, used),
							  es);

	tpch_columns(tab.table, &ncols);
	foreach(lc, used)
	{
		if (lfirst_int(lc) == 0)
			whole = true;
		else if (lfirst_int(lc) > 0)
			natts++;
	}
	if (whole)
	{
		natts = 0;
		for (int i = 0; i < desc->natts; i++)
			natts += !TupleDescAttr(desc, i)->attisdropped;
	}
	if (es->format == EXPLAIN_FORMAT_TEXT)
		ExplainPropertyText("Columns", psprintf("%d of %d", natts, ncols), es);
	else
		ExplainPropertyInteger("Columns", NULL, natts, es);

	tpchgen_cache_explain(node, node->fdw_state ?
						  ((TpchgenFdwScanState *) node->fdw_state)->cache : NULL,
						  bind_attributes(node->ss.ss_currentRelation, tab.table,
										  used),
						  es);
}

/*
 * tpchBeginForeignScan
 *		Bind the referenced attributes to the table's columns and prepare
 *		the key condition values; the engine scan starts at the first row
 *		(or when the leader sets up its workers).
 */
static void
tpchBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	TpchgenFdwScanState *st;
	List	   *used;

	/* EXPLAIN without ANALYZE reads the plan alone */
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	st = palloc0(sizeof(TpchgenFdwScanState));
	decode_private(plan->fdw_private, &st->tab, &used, &st->key_ops);

	/* the table may have changed since planning: columns are checked again */
	tpchgen_fdw_check_columns(rel, st->tab.table);
	st->attcol = bind_attributes(rel, st->tab.table, used);

	st->key_states = ExecInitExprList(plan->fdw_exprs, &node->ss.ps);
	st->rangecxt = AllocSetContextCreate(node->ss.ps.state->es_query_cxt,
										 "tpchgen key ranges",
										 ALLOCSET_SMALL_SIZES);
	st->cache = tpchgen_cache_create(node, st->attcol,
									 DatumGetFloat8(list_nth_node(Const, plan->fdw_private,
																  FDW_PRIVATE_CACHE_KEYS)->constvalue));
	node->fdw_state = st;
}

/*
 * For the COPY fast path: whether ps is a scan of one of our tables without
 * conditions, and what its target list passes on.
 */
bool
tpchgen_fdw_source(PlanState *ps, TpchgenSource *src)
{
	ForeignScanState *node = (ForeignScanState *) ps;
	ForeignScan *plan;
	TpchgenFdwScanState *st;

	if (!IsA(ps, ForeignScanState) ||
		node->fdwroutine->IterateForeignScan != tpchIterateForeignScan)
		return false;
	plan = (ForeignScan *) ps->plan;
	st = node->fdw_state;
	if (st == NULL || plan->scan.plan.qual != NIL || plan->fdw_exprs != NIL ||
		plan->fdw_scan_tlist != NIL)
		return false;
	src->table = st->tab.table;
	src->sf = st->tab.sf;
	src->part = st->tab.part;
	src->parts = st->tab.parts;
	tpchgen_source_entries(src, plan->scan.plan.targetlist,
						   plan->scan.scanrelid, NIL);
	for (int i = 0; i < src->nentries; i++)
		if (src->col[i] > 0)
			src->col[i] = st->attcol[src->col[i] - 1];
	return true;
}

/*
 * tpchIterateForeignScan
 *		The next row of the current range, moving on to the next range when
 *		one runs out; or, on a rescan the cache serves, the next row it
 *		found.  A parallel participant has a single range, shared.
 */
static TupleTableSlot *
tpchIterateForeignScan(ForeignScanState *node)
{
	TpchgenFdwScanState *st = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;

	ExecClearTuple(slot);
	if (st->scan == NULL)
		st->scan = create_scan(st, node, NULL);
	if (!st->started)
	{
		st->started = true;
		st->cached = false;
		if (st->cache != NULL)
		{
			/* rescanned before the first run ended: record the rest */
			if (tpchgen_cache_recording(st->cache))
			{
				while (tpchgen_cache_recording(st->cache) &&
					   generate_row(st, slot))
					tpchgen_cache_add(st->cache, slot);
				tpchgen_cache_done(st->cache);
			}
			st->cached = tpchgen_cache_lookup(st->cache, econtext);
		}
		if (!st->cached && st->shared == NULL)
			compute_ranges(st, econtext);
	}

	if (st->cached)
	{
		tpchgen_cache_next(st->cache, slot);
		return slot;
	}
	/* a row the cache finds failing the filter's constant part is skipped */
	for (;;)
	{
		if (!generate_row(st, slot))
		{
			if (st->cache != NULL)
				tpchgen_cache_done(st->cache);
			return slot;
		}
		if (st->cache == NULL || tpchgen_cache_add(st->cache, slot))
			return slot;
	}
}

/*
 * tpchReScanForeignScan
 *		Start over.  Key values may have changed (a nested loop's outer
 *		row), so a private scan computes its ranges again at the next row;
 *		a parallel one gets them, with its counter reset, from the leader in
 *		ReInitializeDSM.
 */
static void
tpchReScanForeignScan(ForeignScanState *node)
{
	TpchgenFdwScanState *st = node->fdw_state;

	if (st->scan == NULL)
		return;
	if (st->shared != NULL)
		tpchgen_scan_rewind(st->scan);
	else
		st->started = false;
}

/*
 * tpchEndForeignScan
 *		Release the engine scan and the rescan cache; everything else is in
 *		the query context.
 */
static void
tpchEndForeignScan(ForeignScanState *node)
{
	TpchgenFdwScanState *st = node->fdw_state;

	if (st == NULL)
		return;
	if (st->scan)
		tpchgen_scan_end(st->scan);
	st->scan = NULL;
	if (st->cache)
		tpchgen_cache_end(st->cache);
	st->cache = NULL;
}

/*
 * tpchIsForeignScanParallelSafe
 *		Generation reads no state that a worker could not have.
 */
static bool
tpchIsForeignScanParallelSafe(PlannerInfo *root, RelOptInfo *rel,
							  RangeTblEntry *rte)
{
	return true;
}

/*
 * tpchEstimateDSMForeignScan
 */
static Size
tpchEstimateDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt)
{
	return sizeof(TpchgenFdwShared);
}

/*
 * tpchInitializeDSMForeignScan
 *		The leader computes the range and publishes it with the engine's
 *		shared state.
 */
static void
tpchInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
							 void *coordinate)
{
	TpchgenFdwScanState *st = node->fdw_state;
	TpchgenFdwShared *shared = (TpchgenFdwShared *) coordinate;

	if (st->scan == NULL)
		st->scan = create_scan(st, node, NULL);
	tpchgen_scan_share(st->scan, &shared->scan);
	st->shared = shared;
	tpchReInitializeDSMForeignScan(node, pcxt, coordinate);
}

/*
 * tpchReInitializeDSMForeignScan
 *		Before workers start (again): the key values may differ from the
 *		last run, so the range is computed anew, and every chunk is handed
 *		out again.
 */
static void
tpchReInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
							   void *coordinate)
{
	TpchgenFdwScanState *st = node->fdw_state;
	TpchgenFdwShared *shared = (TpchgenFdwShared *) coordinate;

	shared->keyed = st->key_states != NIL;
	if (shared->keyed)
	{
		compute_ranges(st, node->ss.ps.ps_ExprContext);

		/* no = ANY in a parallel plan, so at most one range */
		Assert(st->nranges <= 1);
		shared->first = st->nranges > 0 ? st->range_first[0] : 1;
		shared->count = st->nranges > 0 ? st->range_count[0] : 0;
		tpchgen_scan_set_range(st->scan, shared->first, shared->count);
	}
	else
		tpchgen_scan_rewind(st->scan);
	st->started = true;
	tpchgen_scan_shared_reset(&shared->scan);
}

/*
 * tpchInitializeWorkerForeignScan
 *		A worker generates the leader's table and range.
 */
static void
tpchInitializeWorkerForeignScan(ForeignScanState *node, shm_toc *toc,
								void *coordinate)
{
	TpchgenFdwScanState *st = node->fdw_state;
	TpchgenFdwShared *shared = (TpchgenFdwShared *) coordinate;

	st->scan = create_scan(st, node, &shared->scan);
	st->shared = shared;
	if (shared->keyed)
		tpchgen_scan_set_range(st->scan, shared->first, shared->count);
	st->started = true;
}

/*
 * tpchAnalyzeForeignTable
 *		Any tpchgen table can be sampled.
 */
static bool
tpchAnalyzeForeignTable(Relation relation, AcquireSampleRowsFunc *func,
						BlockNumber *totalpages)
{
	TpchgenFdwTable tab;

	tpchgen_fdw_get_table(relation, &tab);
	tpchgen_fdw_check_columns(relation, tab.table);
	*func = tpchgen_fdw_sample_rows;
	*totalpages = (BlockNumber)
		Max(1.0, ceil(tpchgen_table_rows(tab.table, tab.sf, tab.part,
										 tab.parts) / ROWS_PER_PAGE));
	return true;
}

/*
 * tpchImportForeignSchema
 *		The one schema, "tpch", holds the eight tables with the columns and
 *		types of the SQL functions.  The tables take sf, part and parts from
 *		the server, so that ALTER SERVER rescales them all.
 */
static List *
tpchImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ForeignServer *server = GetForeignServer(serverOid);
	List	   *commands = NIL;
	ListCell   *lc;

	if (strcmp(stmt->remote_schema, "tpch") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("schema \"%s\" does not exist on server \"%s\"",
						stmt->remote_schema, server->servername),
				 errhint("A tpchgen server has one schema, \"tpch\".")));
	if (stmt->options != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\"",
						linitial_node(DefElem, stmt->options)->defname),
				 errhint("IMPORT FOREIGN SCHEMA takes no options from a tpchgen server; set sf, part and parts on the server or on the imported tables.")));

	/* a name in LIMIT TO or EXCEPT that is no table is likely a typo */
	foreach(lc, stmt->table_list)
	{
		RangeVar   *rv = lfirst_node(RangeVar, lc);

		if (tpch_table_lookup(rv->relname) < 0)
		{
			const char *tables[TPCH_NTABLES];
			const char *match;

			for (int t = 0; t < TPCH_NTABLES; t++)
				tables[t] = tpch_table_name(t);
			match = tpchgen_closest_match(rv->relname, tables, TPCH_NTABLES);
			ereport(ERROR,
					(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
					 errmsg("table \"%s\" does not exist in schema \"tpch\"",
							rv->relname),
					 match ? errhint("Perhaps you meant the table \"%s\".", match) :
					 errhint("The tables are %s.", tpch_table_list())));
		}
	}

	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		const char *name = tpch_table_name(t);
		int			ncols;
		const tpch_column *cols = tpch_columns(t, &ncols);
		StringInfoData buf;

		if (!IsImportableForeignTable(name, stmt))
			continue;
		initStringInfo(&buf);
		appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (", quote_identifier(name));
		for (int i = 0; i < ncols; i++)
			appendStringInfo(&buf, "%s\n\t%s %s", i > 0 ? "," : "",
							 quote_identifier(cols[i].name),
							 tpchgen_fdw_column_type(&cols[i]));
		appendStringInfo(&buf, "\n) SERVER %s OPTIONS (table %s)",
						 quote_identifier(server->servername),
						 quote_literal_cstr(name));
		commands = lappend(commands, buf.data);
	}
	return commands;
}

/* ------------------------------------------------------------------------
 * Planner and executor helpers
 * ------------------------------------------------------------------------ */

/* Generating gen_rows rows, filtering them, and projecting the rows left. */
static Cost
gen_cost(double gen_rows, double rows, RelOptInfo *baserel)
{
	return gen_rows * (cpu_tuple_cost * GEN_COST_FACTOR +
					   baserel->baserestrictcost.per_tuple) +
		rows * baserel->reltarget->cost.per_tuple;
}

/* The fdw_private of a plan, decoded. */
static void
decode_private(List *fdw_private, TpchgenFdwTable *tab, List **used,
			   List **key_ops)
{
	tab->table = intVal(list_nth(fdw_private, FDW_PRIVATE_TABLE));
	tab->sf = DatumGetFloat8(list_nth_node(Const, fdw_private,
										   FDW_PRIVATE_SF)->constvalue);
	tab->part = DatumGetInt64(list_nth_node(Const, fdw_private,
											FDW_PRIVATE_PART)->constvalue);
	tab->parts = DatumGetInt64(list_nth_node(Const, fdw_private,
											 FDW_PRIVATE_PARTS)->constvalue);
	*used = list_nth(fdw_private, FDW_PRIVATE_USED);
	*key_ops = list_nth(fdw_private, FDW_PRIVATE_KEY_OPS);
}

/* An engine scan bound to the scan slot, private or a parallel worker's. */
static TpchgenScan *
create_scan(TpchgenFdwScanState *st, ForeignScanState *node,
			TpchgenScanShared *shared)
{
	MemoryContext old = MemoryContextSwitchTo(node->ss.ps.state->es_query_cxt);
	TpchgenScan *scan;

	if (shared)
		scan = tpchgen_scan_create_shared(shared);
	else
		scan = tpchgen_scan_create(st->tab.table, st->tab.sf, st->tab.part,
								   st->tab.parts);
	tpchgen_scan_bind(scan, node->ss.ss_ScanTupleSlot->tts_tupleDescriptor,
					  st->attcol);
	tpchgen_fdw_restrict_dates(scan, (ForeignScan *) node->ss.ps.plan,
							   st->tab.table, st->attcol);
	MemoryContextSwitchTo(old);
	return scan;
}

/*
 * Evaluates the key condition values and sets the scan to the first of the
 * group-row ranges they leave (the whole part without conditions).
 */
static void
compute_ranges(TpchgenFdwScanState *st, ExprContext *econtext)
{
	MemoryContext old;
	KeySet		keys;
	ListCell   *lc;
	ListCell   *lo;

	st->cur_range = 0;
	if (st->key_states == NIL)
	{
		st->nranges = 1;
		tpchgen_scan_rewind(st->scan);
		return;
	}

	MemoryContextReset(st->rangecxt);
	old = MemoryContextSwitchTo(st->rangecxt);
	tpchgen_keyset_init(&keys);
	forboth(lc, st->key_states, lo, st->key_ops)
	{
		ExprState  *state = (ExprState *) lfirst(lc);
		bool		isnull;
		Datum		value = ExecEvalExpr(state, econtext, &isnull);

		tpchgen_keyset_restrict(&keys, lfirst_int(lo), value, isnull,
								exprType((Node *) state->expr));
	}
	st->nranges = tpchgen_keyset_group_rows(&keys, &st->tab, &st->range_first,
											&st->range_count);
	MemoryContextSwitchTo(old);

	if (st->nranges > 0)
		tpchgen_scan_set_range(st->scan, st->range_first[0], st->range_count[0]);
	else
		tpchgen_scan_set_range(st->scan, 1, 0);
}

/* Generates the next row of the scan's ranges into slot; false at the end. */
static bool
generate_row(TpchgenFdwScanState *st, TupleTableSlot *slot)
{
	ExecClearTuple(slot);
	while (!tpchgen_scan_next(st->scan, slot->tts_values, slot->tts_isnull))
	{
		if (st->shared != NULL || ++st->cur_range >= st->nranges)
			return false;
		tpchgen_scan_set_range(st->scan, st->range_first[st->cur_range],
							   st->range_count[st->cur_range]);
	}
	ExecStoreVirtualTuple(slot);
	return true;
}

/*
 * The TPC-H column of each attribute a plan generates (used, with 0 for a
 * whole-row reference), -1 for the others.
 */
static int *
bind_attributes(Relation rel, tpch_table table, List *used)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int		   *attcol = palloc(sizeof(int) * desc->natts);
	bool		whole = list_member_int(used, 0);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		attcol[i] = -1;
		if (!att->attisdropped && (whole || list_member_int(used, i + 1)))
			attcol[i] = tpch_column_lookup(table, NameStr(att->attname));
	}
	return attcol;
}
