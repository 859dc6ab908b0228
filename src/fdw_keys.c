/*
 * fdw_keys.c - conditions on a foreign table's leading key, and the sets of
 * keys and group-row ranges they leave.
 *
 * The planner finds the conditions (tpchgen_fdw_key_condition); the
 * executor evaluates their values into a set of closed key intervals (KeySet)
 * and turns it into the ranges of group rows the generator seeks to.  Orders and lineitem
 * number their group rows 1..n with sparse keys; the other tables' key is
 * the group row itself.
 */
#include "fdw.h"

#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "../core/number.h"

/* Whether an expression is the key column of the scanned relation. */
static bool
is_key_var(Node *node, Index relid, AttrNumber keyatt)
{
	return node != NULL && IsA(node, Var) &&
		((Var *) node)->varno == relid &&
		((Var *) node)->varattno == keyatt &&
		((Var *) node)->varlevelsup == 0;
}

/* generate_implied_equalities_for_column: equivalence members on the key. */
bool
tpchgen_fdw_ec_member_is_key(PlannerInfo *root, RelOptInfo *rel,
							 EquivalenceClass *ec, EquivalenceMember *em,
							 void *arg)
{
	return is_key_var((Node *) em->em_expr, rel->relid, *(AttrNumber *) arg);
}

/*
 * If clause compares the key with an integer operator to a value that the
 * executor can compute before the scan (no column of this relation, nothing
 * volatile), returns the operator (a btree strategy, or KEY_IN for
 * = ANY (array)) and sets *value; else -1.
 */
int
tpchgen_fdw_key_condition(PlannerInfo *root, Expr *clause, Index relid,
						  AttrNumber keyatt, Expr **value)
{
	Oid			opno;
	Node	   *key;
	int			op;

	if (keyatt == 0)
		return -1;
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *opexpr = (OpExpr *) clause;

		opno = opexpr->opno;
		key = linitial(opexpr->args);
		*value = lsecond(opexpr->args);
		if (!is_key_var(key, relid, keyatt))
		{
			key = lsecond(opexpr->args);
			*value = linitial(opexpr->args);
			opno = get_commutator(opno);
		}
		op = OidIsValid(opno) ?
			get_op_opfamily_strategy(opno, INTEGER_BTREE_FAM_OID) :
			InvalidStrategy;
	}
	else if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;

		key = linitial(saop->args);
		*value = lsecond(saop->args);
		if (!saop->useOr ||
			get_op_opfamily_strategy(saop->opno, INTEGER_BTREE_FAM_OID) !=
			BTEqualStrategyNumber)
			return -1;
		op = KEY_IN;
	}
	else
		return -1;

	if (op == InvalidStrategy ||
		!is_key_var(key, relid, keyatt) ||
		bms_is_member(relid, pull_varnos(root, (Node *) *value)) ||
		contain_volatile_functions((Node *) *value) ||
		contain_subplans((Node *) *value))
		return -1;
	return op;
}

/* All keys. */
void
tpchgen_keyset_init(KeySet *set)
{
	set->n = 1;
	set->lo = palloc(sizeof(int64));
	set->hi = palloc(sizeof(int64));
	set->lo[0] = PG_INT64_MIN;
	set->hi[0] = PG_INT64_MAX;
}

static int64
int_datum(Datum d, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return DatumGetInt64(d);
	}
	elog(ERROR, "unexpected type %u of a tpchgen key value", type);
	return 0;
}

int
tpchgen_cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Intersects set with the sorted, disjoint intervals lo[i]..hi[i]. */
static void
keyset_intersect(KeySet *set, int n, const int64 *lo, const int64 *hi)
{
	int64	   *rlo = palloc(sizeof(int64) * (set->n + n));
	int64	   *rhi = palloc(sizeof(int64) * (set->n + n));
	int			r = 0;
	int			i = 0;
	int			j = 0;

	while (i < set->n && j < n)
	{
		int64		a = Max(set->lo[i], lo[j]);
		int64		b = Min(set->hi[i], hi[j]);

		if (a <= b)
		{
			rlo[r] = a;
			rhi[r] = b;
			r++;
		}
		if (set->hi[i] < hi[j])
			i++;
		else
			j++;
	}
	set->n = r;
	set->lo = rlo;
	set->hi = rhi;
}

/*
 * Keeps the keys of set for which "key op value" holds; a NULL value (or a
 * NULL array) holds for none.
 */
void
tpchgen_keyset_restrict(KeySet *set, int op, Datum value, bool isnull,
						Oid type)
{
	int64		lo = PG_INT64_MIN;
	int64		hi = PG_INT64_MAX;

	if (isnull)
	{
		set->n = 0;
		return;
	}
	if (op == KEY_IN)
	{
		ArrayType  *array = DatumGetArrayTypeP(value);
		Oid			elemtype = ARR_ELEMTYPE(array);
		int16		elmlen;
		bool		elmbyval;
		char		elmalign;
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;
		int64	   *keys;
		int			nkeys = 0;

		get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
		deconstruct_array(array, elemtype, elmlen, elmbyval, elmalign,
						  &elems, &nulls, &nelems);
		keys = palloc(sizeof(int64) * Max(nelems, 1));
		for (int i = 0; i < nelems; i++)
			if (!nulls[i])
				keys[nkeys++] = int_datum(elems[i], elemtype);
		qsort(keys, nkeys, sizeof(int64), tpchgen_cmp_int64);
		nelems = 0;
		for (int i = 0; i < nkeys; i++)
			if (nelems == 0 || keys[i] != keys[nelems - 1])
				keys[nelems++] = keys[i];
		keyset_intersect(set, nelems, keys, keys);
		return;
	}

	switch (op)
	{
		case BTLessStrategyNumber:
			if (int_datum(value, type) == PG_INT64_MIN)
			{
				set->n = 0;
				return;
			}
			hi = int_datum(value, type) - 1;
			break;
		case BTLessEqualStrategyNumber:
			hi = int_datum(value, type);
			break;
		case BTEqualStrategyNumber:
			lo = hi = int_datum(value, type);
			break;
		case BTGreaterEqualStrategyNumber:
			lo = int_datum(value, type);
			break;
		case BTGreaterStrategyNumber:
			if (int_datum(value, type) == PG_INT64_MAX)
			{
				set->n = 0;
				return;
			}
			lo = int_datum(value, type) + 1;
			break;
	}
	keyset_intersect(set, 1, &lo, &hi);
}

/* The first order index whose key is at least key (n + 1 if none). */
static int64
order_index_from(int64 key, int64 n)
{
	int64		lo = 1;
	int64		hi = n + 1;

	/* keys grow with the index, leaving gaps: search, do not invert */
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (tpch_orderkey(mid) >= key)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * The group rows of the table part whose keys are in set, as ranges in
 * increasing order (adjacent ones merged) if first/count are given; returns
 * their number of group rows.  Orders (and their lines) are numbered
 * 1..n with sparse keys; the other tables' key is the group row.
 */
int64
tpchgen_keyset_group_rows(const KeySet *set, const TpchgenFdwTable *tab,
						  int64 **first, int64 **count)
{
	int64		part_first;
	int64		part_count;
	int64		part_end;
	int64		total = 0;
	int			nranges = 0;

	tpch_part_range(tab->table, tab->sf, tab->part, tab->parts,
					&part_first, &part_count);
	part_end = part_first + part_count;
	if (first)
	{
		*first = palloc(sizeof(int64) * Max(set->n, 1));
		*count = palloc(sizeof(int64) * Max(set->n, 1));
	}

	for (int i = 0; i < set->n; i++)
	{
		int64		a;
		int64		b;			/* one past the last */

		if (tab->table == TPCH_ORDERS || tab->table == TPCH_LINEITEM)
		{
			int64		n = tpch_group_rows(tab->table, tab->sf);

			a = order_index_from(set->lo[i], n);
			b = set->hi[i] == PG_INT64_MAX ? n + 1 :
				order_index_from(set->hi[i] + 1, n);
		}
		else
		{
			a = set->lo[i];
			b = set->hi[i] == PG_INT64_MAX ? part_end : set->hi[i] + 1;
		}
		a = Max(a, part_first);
		b = Min(b, part_end);
		if (a >= b)
			continue;
		total += b - a;
		if (first == NULL)
			continue;
		if (nranges > 0 && (*first)[nranges - 1] + (*count)[nranges - 1] == a)
			(*count)[nranges - 1] += b - a;
		else
		{
			(*first)[nranges] = a;
			(*count)[nranges] = b - a;
			nranges++;
		}
	}
	if (first)
		return nranges;
	return total;
}
