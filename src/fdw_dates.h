/*
 * fdw_dates.h - date conditions of tpchgen foreign scans handed to the
 * generator (fdw_dates.c), private to the FDW.
 */
#ifndef TPCHGEN_FDW_DATES_H
#define TPCHGEN_FDW_DATES_H

#include "tpchgen_pg.h"

#include "commands/explain.h"
#include "nodes/plannodes.h"

/*
 * Narrows what scan generates to the dates its plan's filter can accept;
 * attcol maps each attribute to its TPC-H column, -1 for those not
 * generated.
 */
extern void tpchgen_fdw_restrict_dates(TpchgenScan *scan, ForeignScan *plan,
									   tpch_table table, const int *attcol);

/* The window, as EXPLAIN shows it ("Generated Dates"). */
extern void tpchgen_fdw_dates_explain(ForeignScan *plan, tpch_table table,
									  const int *attcol, ExplainState *es);

#endif							/* TPCHGEN_FDW_DATES_H */
