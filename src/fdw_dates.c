/*
 * fdw_dates.c - date conditions of a tpchgen foreign scan of lineitem,
 * handed to the generator: the orders whose lines all fall outside them
 * are skipped, at the cost of their order date (core/tpch.h,
 * tpch_gen_restrict_date).
 *
 * A condition "column op constant" on l_shipdate, l_commitdate or
 * l_receiptdate, with op one of < <= = >= > and the constant a date or a
 * timestamp without time zone, bounds its column; several narrow the
 * window.  The window may be wider than the conditions (a bound is taken
 * inclusive, a timestamp as its day), never narrower, and the conditions
 * stay in the scan's filter: the rows are those of a scan without it,
 * only fewer are generated.  Q20's year of l_shipdate generates a fifth
 * of lineitem, Q6's too, Q14's month a twentieth.
 */
#include "fdw.h"

#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "utils/lsyscache.h"

#include "../core/tpch.h"

/* The columns a window bounds: lineitem's three dates. */
#define FIRST_DATE_COL	10
#define NDATE_COLS		3

typedef struct DateWindow
{
	bool		bounded[NDATE_COLS];
	int64		lo[NDATE_COLS];	/* core day numbers */
	int64		hi[NDATE_COLS];
} DateWindow;

static bool collect_window(List *clauses, Index relid, const int *attcol,
						   DateWindow *w);
static bool date_condition(Expr *clause, Index relid, const int *attcol,
						   int *col, int *strategy, int64 *day);

void
tpchgen_fdw_restrict_dates(TpchgenScan *scan, ForeignScan *plan,
						   tpch_table table, const int *attcol)
{
	DateWindow	w;

	if (table != TPCH_LINEITEM)
		return;
	collect_window(plan->scan.plan.qual, plan->scan.scanrelid, attcol, &w);
	for (int i = 0; i < NDATE_COLS; i++)
		if (w.bounded[i])
			tpchgen_scan_restrict_date(scan, FIRST_DATE_COL + i,
									   (int32) w.lo[i], (int32) w.hi[i]);
}

/*
 * At plan time: the share of the table's rows that a scan with these
 * conditions (Exprs) generates, for its cost; the rows it returns are
 * estimated from the conditions' selectivity as for any table.
 */
double
tpchgen_fdw_dates_share(List *clauses, Index relid, const TpchgenFdwTable *tab,
						const int *attcol)
{
	DateWindow	w;
	tpch_gen	g;

	if (tab->table != TPCH_LINEITEM ||
		!collect_window(clauses, relid, attcol, &w) ||
		tpch_gen_init(&g, TPCH_LINEITEM, tab->sf, tab->part, tab->parts) != TPCH_OK)
		return 1.0;
	for (int i = 0; i < NDATE_COLS; i++)
		if (w.bounded[i])
			tpch_gen_restrict_date(&g, FIRST_DATE_COL + i, (int32) w.lo[i],
								   (int32) w.hi[i]);
	return tpch_gen_dated_share(&g);
}

void
tpchgen_fdw_dates_explain(ForeignScan *plan, tpch_table table,
						  const int *attcol, ExplainState *es)
{
	DateWindow	w;
	StringInfoData buf;
	int			ncols;
	const tpch_column *cols = tpch_columns(table, &ncols);

	if (table != TPCH_LINEITEM)
		return;
	collect_window(plan->scan.plan.qual, plan->scan.scanrelid, attcol, &w);
	initStringInfo(&buf);
	for (int i = 0; i < NDATE_COLS; i++)
	{
		char		day[11];

		if (!w.bounded[i])
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, cols[FIRST_DATE_COL + i].name);
		if (w.lo[i] > w.hi[i])
		{
			appendStringInfoString(&buf, " none");
			continue;
		}
		if (w.lo[i] > PG_INT32_MIN)
		{
			tpch_format_date((int32) w.lo[i], day);
			appendStringInfo(&buf, " from %.10s", day);
		}
		if (w.hi[i] < PG_INT32_MAX)
		{
			tpch_format_date((int32) w.hi[i], day);
			appendStringInfo(&buf, " to %.10s", day);
		}
	}
	if (buf.len > 0)
		ExplainPropertyText("Generated Dates", buf.data, es);
}

/*
 * The window of every date condition among clauses (Exprs); false when
 * none bounds a date.
 */
static bool
collect_window(List *clauses, Index relid, const int *attcol, DateWindow *w)
{
	bool		any = false;
	ListCell   *lc;

	for (int i = 0; i < NDATE_COLS; i++)
	{
		w->bounded[i] = false;
		w->lo[i] = PG_INT32_MIN;
		w->hi[i] = PG_INT32_MAX;
	}
	foreach(lc, clauses)
	{
		int			col;
		int			strategy;
		int64		day;
		int			i;

		if (!date_condition(lfirst(lc), relid, attcol, &col, &strategy, &day))
			continue;
		i = col - FIRST_DATE_COL;
		w->bounded[i] = any = true;
		/* inclusive bounds: wider than < and >, never narrower */
		if (strategy != BTLessStrategyNumber &&
			strategy != BTLessEqualStrategyNumber)
			w->lo[i] = Max(w->lo[i], day);
		if (strategy != BTGreaterStrategyNumber &&
			strategy != BTGreaterEqualStrategyNumber)
			w->hi[i] = Min(w->hi[i], day);
	}
	return any;
}

/*
 * Whether clause compares a lineitem date column with a finite date or
 * timestamp constant by a btree operator of the date family; sets the
 * column, the strategy as "column op constant" and the constant's day.
 */
static bool
date_condition(Expr *clause, Index relid, const int *attcol, int *col,
			   int *strategy, int64 *day)
{
	OpExpr	   *opexpr = (OpExpr *) clause;
	Var		   *var;
	Const	   *value;
	bool		var_left;
	Oid			opclass;
	int64		pgday;

	if (!IsA(clause, OpExpr) || list_length(opexpr->args) != 2)
		return false;
	var_left = IsA(linitial(opexpr->args), Var);
	var = (Var *) (var_left ? linitial(opexpr->args) : lsecond(opexpr->args));
	value = (Const *) (var_left ? lsecond(opexpr->args) : linitial(opexpr->args));
	if (!IsA(var, Var) || !IsA(value, Const) || value->constisnull ||
		var->varno != relid || var->varattno <= 0 || var->varlevelsup != 0 ||
		var->vartype != DATEOID)
		return false;
	*col = attcol[var->varattno - 1];
	if (*col < FIRST_DATE_COL || *col >= FIRST_DATE_COL + NDATE_COLS)
		return false;

	opclass = GetDefaultOpClass(DATEOID, BTREE_AM_OID);
	if (!OidIsValid(opclass))
		return false;
	*strategy = get_op_opfamily_strategy(opexpr->opno,
										 get_opclass_family(opclass));
	if (*strategy == 0)
		return false;
	if (!var_left && *strategy != BTEqualStrategyNumber)
		*strategy = BTMaxStrategyNumber + 1 - *strategy;

	if (value->consttype == DATEOID)
	{
		DateADT		d = DatumGetDateADT(value->constvalue);

		if (DATE_NOT_FINITE(d))
			return false;
		pgday = d;
	}
	else if (value->consttype == TIMESTAMPOID)
	{
		Timestamp	ts = DatumGetTimestamp(value->constvalue);

		if (TIMESTAMP_NOT_FINITE(ts))
			return false;
		pgday = ts / USECS_PER_DAY - (ts % USECS_PER_DAY < 0);
	}
	else
		return false;
	*day = Min(Max(pgday - TPCH_DATE_PG_OFFSET, PG_INT32_MIN), PG_INT32_MAX);
	return true;
}
