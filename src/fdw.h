/*
 * fdw.h - private header of the foreign data wrapper (fdw.c, fdw_option.c,
 * fdw_keys.c, fdw_dates.c, fdw_analyze.c).
 */
#ifndef TPCHGEN_FDW_H
#define TPCHGEN_FDW_H

#include "tpchgen_pg.h"

#include "access/htup.h"
#include "access/stratnum.h"
#include "commands/explain.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
#include "utils/relcache.h"

/* What a foreign table generates, after merging its and its server's options. */
typedef struct TpchgenFdwTable
{
	tpch_table	table;
	double		sf;
	int64		part;
	int64		parts;
} TpchgenFdwTable;

/*
 * A pushed-down key condition: "key <op> value", where op is a btree
 * strategy number or KEY_IN for = ANY (array).
 */
#define KEY_IN (BTMaxStrategyNumber + 1)

/* Closed intervals of keys, sorted and disjoint. */
typedef struct KeySet
{
	int			n;
	int64	   *lo;
	int64	   *hi;
} KeySet;

/* in fdw_option.c: options and columns */
extern const char *tpchgen_closest_match(const char *name,
										 const char *const *candidates,
										 int ncandidates);
extern void tpchgen_fdw_get_table(Relation rel, TpchgenFdwTable *tab);
extern void tpchgen_fdw_check_columns(Relation rel, tpch_table table);
extern const char *tpchgen_fdw_column_type(const tpch_column *c);
extern AttrNumber tpchgen_fdw_key_attribute(Relation rel, tpch_table table,
											Oid *type);

/* in fdw_keys.c: key conditions and the group-row ranges they leave */
extern bool tpchgen_fdw_ec_member_is_key(PlannerInfo *root, RelOptInfo *rel,
										 EquivalenceClass *ec,
										 EquivalenceMember *em, void *arg);
extern int	tpchgen_fdw_key_condition(PlannerInfo *root, Expr *clause,
									  Index relid, AttrNumber keyatt,
									  Expr **value);
extern void tpchgen_keyset_init(KeySet *set);
extern void tpchgen_keyset_restrict(KeySet *set, int op, Datum value,
									bool isnull, Oid type);
extern int64 tpchgen_keyset_group_rows(const KeySet *set,
									   const TpchgenFdwTable *tab,
									   int64 **first, int64 **count);
extern int	tpchgen_cmp_int64(const void *a, const void *b);

/*
 * in fdw_dates.c: date conditions handed to the generator.  attcol maps
 * each attribute to its TPC-H column, -1 for those not generated.
 */
extern void tpchgen_fdw_restrict_dates(TpchgenScan *scan, ForeignScan *plan,
									   tpch_table table, const int *attcol);
extern void tpchgen_fdw_dates_explain(ForeignScan *plan, tpch_table table,
									  const int *attcol, ExplainState *es);
extern double tpchgen_fdw_dates_share(List *clauses, Index relid,
									  const TpchgenFdwTable *tab,
									  const int *attcol);

/* in fdw_analyze.c */
extern int	tpchgen_fdw_sample_rows(Relation relation, int elevel,
									HeapTuple *rows, int targrows,
									double *totalrows, double *totaldeadrows);

#endif							/* TPCHGEN_FDW_H */
