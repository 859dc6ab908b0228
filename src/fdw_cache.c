/*
 * fdw_cache.c - the rescan cache of tpchgen foreign scans: a correlated
 * subquery or a nested loop over a foreign table costs one generation of
 * the table, not one per outer row.
 *
 * A scan filtered by "column = value", where the value changes between
 * rescans (a parameter: the outer row of a correlated subquery, a lateral
 * reference or a nested loop) and the column is not a key the scan can
 * seek to, would generate the whole table at every rescan.  Instead, its
 * first run records each generated row that passes the filter's unchanging
 * conditions, with the columns the query reads, in a hash table keyed by
 * the compared columns; later runs look up the parameters' values and
 * return the rows found, in the order they were generated (so in key
 * order, as the scan's paths promise).  The scan's filter still checks
 * every row returned: the cache only ever leaves out rows the filter would
 * reject.  A rescan that comes before the first run ended (a LIMIT, an
 * EXISTS) first records the rest of the table.
 *
 * The cache belongs to one scan in one process, and is never used by a
 * parallel-aware scan, whose participants each generate a share.  It holds
 * at most tpchgen.rescan_cache_mem; past that it is dropped, rescans
 * generate the table as they would without it, and the first one says so
 * in a NOTICE.  Everything lives in one memory context under the query's,
 * deleted when the scan ends.
 */
#include "fdw_cache.h"

#include "access/sysattr.h"
#include "access/tupmacs.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/selfuncs.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include <sys/mman.h>

/*
 * Bytes a recorded row takes beyond its columns' width, for the planner:
 * its link, and its share of an entry of the table.
 */
#define PLANNED_ROW_OVERHEAD	16

/* Size of the blocks the recorded rows are packed into. */
#define ARENA_BLOCK		((Size) 1024 * 1024)

/* A column compared with a parameter: what the hash table is keyed by. */
typedef struct CacheKey
{
	int			att;			/* attribute index in the scan tuple */
	bool		var_left;		/* the column is the operator's left input */
	int16		typlen;
	bool		typbyval;
	Oid			collation;
	FmgrInfo	col_hash;		/* hashes a column value */
	FmgrInfo	value_hash;		/* hashes a parameter value, compatibly */
	FmgrInfo	col_eq;			/* column value = column value */
	FmgrInfo	op;				/* the condition's operator */
	ExprState  *value;			/* the parameter side */
} CacheKey;

/* Another column the query reads, stored in each recorded row. */
typedef struct CacheColumn
{
	int			att;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool		packable;		/* a varlena that may take a 1-byte header */
} CacheColumn;

/*
 * A key value: one or two columns' values inline, where the hash table
 * compares them without another memory access; with more columns, the
 * second Datum points to an array of the values of all but the first.  An
 * entry takes 32 bytes, where a separate pointer to the array made it 40
 * (for Q20, a million of them).
 */
#define KEY_INLINE 2

typedef struct CacheKeyValue
{
	Datum		v[KEY_INLINE];
} CacheKeyValue;

/*
 * The rows of one key value, in a list linked from the last generated to
 * the first while recording, so that recording a row touches its entry and
 * nothing else; the first lookup of the key turns the list around, in
 * place.  A row is the pointer to the next one followed by its stored
 * columns, packed as in a heap tuple (varlenas with a 1-byte header where
 * they can take one, otherwise aligned after zero padding), without header
 * or alignment of its own: reading goes through memcpy.
 */
typedef struct CacheEntry
{
	CacheKeyValue key;
	char	   *rows;
	uint32		hash;
	char		status;
	bool		in_order;		/* rows is in generation order */
} CacheEntry;

struct cachetab_hash;
static uint32 cache_hash(struct cachetab_hash *tb, CacheKeyValue key);
static bool cache_equal(struct cachetab_hash *tb, CacheKeyValue stored,
						CacheKeyValue probe);

#define SH_PREFIX		cachetab
#define SH_ELEMENT_TYPE	CacheEntry
#define SH_KEY_TYPE		CacheKeyValue
#define SH_KEY			key
#define SH_HASH_KEY(tb, key)	cache_hash(tb, key)
#define SH_EQUAL(tb, a, b)		cache_equal(tb, a, b)
#define SH_SCOPE		static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)		a->hash
#define SH_USE_NONDEFAULT_ALLOCATOR
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Tables this large ask for transparent huge pages. */
#define HUGE_PAGE_SIZE ((Size) 2 * 1024 * 1024)

/*
 * The table's buckets.  Rows come in table order and their keys at random,
 * so past a few megabytes nearly every row's bucket is a TLB miss as well
 * as a cache miss: at SF 10 (a 168 MB table for Q17) they took most of the
 * recording.  Huge pages (where the kernel gives them on request) take the
 * TLB misses away; the memory is zeroed only after asking for them, so
 * that its first touch already gets them.
 */
static inline void *
cachetab_allocate(cachetab_hash *tb, Size size)
{
	char	   *mem = MemoryContextAllocExtended(tb->ctx, size, MCXT_ALLOC_HUGE);

#ifdef MADV_HUGEPAGE
	if (size >= 2 * HUGE_PAGE_SIZE)
	{
		char	   *start = (char *) TYPEALIGN(HUGE_PAGE_SIZE, mem);
		char	   *end = (char *) TYPEALIGN_DOWN(HUGE_PAGE_SIZE, mem + size);

		(void) madvise(start, end - start, MADV_HUGEPAGE);
	}
#endif
	memset(mem, 0, size);
	return mem;
}

static inline void
cachetab_free(cachetab_hash *tb, void *pointer)
{
	pfree(pointer);
}

/* A recorded row waiting for its entry to be prefetched. */
typedef struct PendingRow
{
	CacheKeyValue key;
	uint32		hash;
	char	   *row;
} PendingRow;

/* Rows generated while the first of them waits: enough to hide a miss. */
#define QUEUE_SIZE 16

typedef enum CacheState
{
	CACHE_EMPTY,				/* before the first run */
	CACHE_RECORDING,			/* the first run records what it generates */
	CACHE_COMPLETE,				/* serving rescans */
	CACHE_OVER					/* dropped at the memory limit */
} CacheState;

/* Where the value of key column i of nkeys is. */
static inline Datum *
key_slot(CacheKeyValue *key, int nkeys, int i)
{
	if (i == 0 || nkeys <= KEY_INLINE)
		return &key->v[i];
	return &((Datum *) DatumGetPointer(key->v[1]))[i - 1];
}

struct TpchgenCache
{
	CacheState	state;
	const char *relname;
	int			natts;
	int			nkeys;
	CacheKey   *keys;
	int			ncols;
	CacheColumn *cols;
	ExprState  *filter;			/* the unchanging conditions, or NULL */
	ExprContext *econtext;
	MemoryContext cxt;			/* all that is recorded */
	Size		limit;			/* bytes */
	double		planned_keys;	/* the planner's estimate of the keys */
	cachetab_hash *table;
	bool		probing;		/* hashing parameter values, not columns */
	CacheKeyValue probe;		/* key values being looked up or inserted */
	char	   *pos;			/* free space of the current block */
	char	   *end;
	bool		queue_rows;		/* every key column is passed by value */
	PendingRow	queue[QUEUE_SIZE];
	int			queue_head;
	int			nqueued;
	CacheEntry *entry;			/* the rows being served */
	char	   *next;
	bool		warned;

	/* for EXPLAIN ANALYZE */
	int64		rows;
	int64		skipped;		/* generated rows the filter would reject */
	Size		mem;
	int64		runs_served;
	int64		runs_generated;
};

static bool cache_applies(ForeignScan *plan, const int *attcol,
						  List **key_clauses, List **filters);
static bool key_clause(Expr *clause, Index relid, const int *attcol,
					   Var **var, Expr **value, bool *var_left);
static bool contains_exec_param(Node *node, void *context);
static Bitmapset *pull_varattnos_of(Expr *node, Index relid);
static bool store_key(TpchgenCache *c, CacheEntry *entry);
static void link_row(TpchgenCache *c, PendingRow *pending);
static char *arena_alloc(TpchgenCache *c, Size size, bool align);
static void cache_drop(TpchgenCache *c);
static Size value_size_bound(const CacheColumn *col, Datum value);
static char *write_value(char *p, const CacheColumn *col, Datum value);
static char *read_value(char *p, const CacheColumn *col, Datum *value);

/* ------------------------------------------------------------------------
 * Which scans have a cache
 * ------------------------------------------------------------------------ */

/*
 * Whether a scan can use a cache: not parallel-aware, the key conditions
 * it seeks by the same at every run, and a condition "column = value" on a
 * generated column with a hashable, strict operator and a value that holds
 * parameters.  Sets the key conditions (one per column) and the conditions
 * that hold no parameter, which decide what is worth recording.
 */
static bool
cache_applies(ForeignScan *plan, const int *attcol, List **key_clauses,
			  List **filters)
{
	Bitmapset  *seen = NULL;
	ListCell   *lc;

	*key_clauses = NIL;
	*filters = NIL;
	if (tpchgen_rescan_cache_mem == 0 || plan->scan.plan.parallel_aware ||
		contains_exec_param((Node *) plan->fdw_exprs, NULL))
		return false;

	foreach(lc, plan->scan.plan.qual)
	{
		Expr	   *clause = lfirst(lc);
		Var		   *var;
		Expr	   *value;
		bool		var_left;

		if (key_clause(clause, plan->scan.scanrelid, attcol, &var, &value,
					   &var_left))
		{
			if (!bms_is_member(var->varattno, seen))
				*key_clauses = lappend(*key_clauses, clause);
			seen = bms_add_member(seen, var->varattno);
		}
		else if (!contains_exec_param((Node *) clause, NULL) &&
				 !contain_volatile_functions((Node *) clause) &&
				 !contain_subplans((Node *) clause))
			*filters = lappend(*filters, clause);
	}
	return *key_clauses != NIL;
}

/*
 * Whether clause is "column = value" as cache_applies wants it; attcol NULL
 * (at plan time) takes every column as generated.
 */
static bool
key_clause(Expr *clause, Index relid, const int *attcol, Var **var,
		   Expr **value, bool *var_left)
{
	OpExpr	   *opexpr = (OpExpr *) clause;
	Oid			lhs_hash;
	Oid			rhs_hash;
	Oid			lhs_eq;
	Oid			rhs_eq;

	if (!IsA(clause, OpExpr) || list_length(opexpr->args) != 2)
		return false;
	for (int side = 0; side < 2; side++)
	{
		Node	   *arg = list_nth(opexpr->args, side);

		/* a binary-compatible cast of the column hashes as the column */
		while (IsA(arg, RelabelType))
			arg = (Node *) ((RelabelType *) arg)->arg;
		if (IsA(arg, Var) && ((Var *) arg)->varno == relid &&
			((Var *) arg)->varattno > 0 && ((Var *) arg)->varlevelsup == 0 &&
			(attcol == NULL || attcol[((Var *) arg)->varattno - 1] >= 0))
		{
			*var = (Var *) arg;
			*value = list_nth(opexpr->args, 1 - side);
			*var_left = side == 0;
			break;
		}
		if (side == 1)
			return false;
	}
	return !contain_var_clause((Node *) *value) &&
		contains_exec_param((Node *) *value, NULL) &&
		!contain_volatile_functions((Node *) *value) &&
		!contain_subplans((Node *) *value) &&
		op_strict(opexpr->opno) &&
		op_hashjoinable(opexpr->opno,
						exprType(linitial(opexpr->args))) &&
		get_op_hash_functions(opexpr->opno, &lhs_hash, &rhs_hash) &&
		get_compatible_hash_operators(opexpr->opno, &lhs_eq, &rhs_eq);
}

/*
 * Parameters of kind PARAM_EXEC: the values that may change between runs
 * of a scan (nested loop and subquery parameters, and, to be safe, those
 * of initplans, which a rescan of their plan recomputes).
 */
static bool
contains_exec_param(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXEC)
		return true;
	return expression_tree_walker(node, contains_exec_param, context);
}

/*
 * The planner's view: how many runs of a scan one generation serves, 1
 * when the scan would have no cache.  A run with new parameter values is a
 * lookup, so one generation is shared by as many runs as the compared
 * columns have distinct values (a correlated subquery's plan is costed per
 * run, and the full generation at every run made Q20's plan cost 1.4e9:
 * enough for JIT to compile it, which took longer than the query).  Not
 * when the rows kept would not fit in tpchgen.rescan_cache_mem, nor when
 * the key column keyatt (0: none) is compared with a parameter, as such a
 * scan seeks anew at each run and has no cache.
 */
double
tpchgen_cache_runs(PlannerInfo *root, RelOptInfo *baserel, AttrNumber keyatt)
{
	List	   *columns = NIL;
	List	   *filters = NIL;
	double		rows;
	double		distinct = 1.0;
	ListCell   *lc;

	if (tpchgen_rescan_cache_mem == 0)
		return 1.0;
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		Var		   *var;
		Expr	   *value;
		bool		var_left;

		if (!contains_exec_param((Node *) rinfo->clause, NULL))
			filters = lappend(filters, rinfo);
		else if (keyatt != 0 &&
				 bms_is_member(keyatt - FirstLowInvalidHeapAttributeNumber,
							   pull_varattnos_of(rinfo->clause, baserel->relid)))
			return 1.0;
		else if (key_clause(rinfo->clause, baserel->relid, NULL, &var, &value,
							&var_left))
			columns = lappend(columns, var);
	}
	if (columns == NIL)
		return 1.0;
	rows = clamp_row_est(baserel->tuples *
						 clauselist_selectivity(root, filters, baserel->relid,
												JOIN_INNER, NULL));
	if (rows * (baserel->reltarget->width + PLANNED_ROW_OVERHEAD) >
		(double) tpchgen_rescan_cache_mem * 1024)
		return 1.0;

	/*
	 * Not estimate_num_groups: it scales the distinct values down by the
	 * selectivity of every condition, the equalities with parameters too.
	 */
	foreach(lc, columns)
	{
		VariableStatData vardata;
		bool		isdefault;

		examine_variable(root, lfirst(lc), baserel->relid, &vardata);
		distinct *= get_variable_numdistinct(&vardata, &isdefault);
		ReleaseVariableStats(vardata);
	}
	return Max(1.0, Min(distinct, rows));
}

/* The attributes of relid that node reads, offset as pull_varattnos's. */
static Bitmapset *
pull_varattnos_of(Expr *node, Index relid)
{
	Bitmapset  *atts = NULL;

	pull_varattnos((Node *) node, relid, &atts);
	return atts;
}

/* ------------------------------------------------------------------------
 * Executor interface
 * ------------------------------------------------------------------------ */

TpchgenCache *
tpchgen_cache_create(ForeignScanState *node, const int *attcol, double keys)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *key_clauses;
	List	   *filters;
	TpchgenCache *c;
	Bitmapset  *keyatts = NULL;
	ListCell   *lc;
	int			i = 0;

	if (!cache_applies(plan, attcol, &key_clauses, &filters))
		return NULL;

	c = palloc0(sizeof(TpchgenCache));
	c->relname = pstrdup(RelationGetRelationName(rel));
	c->natts = desc->natts;
	c->nkeys = list_length(key_clauses);
	c->keys = palloc0(sizeof(CacheKey) * c->nkeys);
	if (c->nkeys > KEY_INLINE)
		c->probe.v[1] = PointerGetDatum(palloc(sizeof(Datum) * (c->nkeys - 1)));
	foreach(lc, key_clauses)
	{
		OpExpr	   *opexpr = lfirst(lc);
		CacheKey   *k = &c->keys[i++];
		Var		   *var;
		Expr	   *value;
		Oid			lhs_hash;
		Oid			rhs_hash;
		Oid			lhs_eq;
		Oid			rhs_eq;

		key_clause((Expr *) opexpr, plan->scan.scanrelid, attcol, &var,
				   &value, &k->var_left);
		get_op_hash_functions(opexpr->opno, &lhs_hash, &rhs_hash);
		get_compatible_hash_operators(opexpr->opno, &lhs_eq, &rhs_eq);
		k->att = var->varattno - 1;
		keyatts = bms_add_member(keyatts, k->att);
		get_typlenbyval(var->vartype, &k->typlen, &k->typbyval);
		k->collation = opexpr->inputcollid;
		fmgr_info(k->var_left ? lhs_hash : rhs_hash, &k->col_hash);
		fmgr_info(k->var_left ? rhs_hash : lhs_hash, &k->value_hash);
		fmgr_info(get_opcode(k->var_left ? lhs_eq : rhs_eq), &k->col_eq);
		fmgr_info(opexpr->opfuncid, &k->op);
		k->value = ExecInitExpr(value, &node->ss.ps);
	}

	/* a queued row carries its key values inline */
	c->queue_rows = c->nkeys <= KEY_INLINE;
	for (i = 0; i < c->nkeys; i++)
		c->queue_rows &= c->keys[i].typbyval;
	c->cols = palloc(sizeof(CacheColumn) * desc->natts);
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		CacheColumn *col = &c->cols[c->ncols];

		if (attcol[a] < 0 || bms_is_member(a, keyatts))
			continue;
		col->att = a;
		col->typlen = att->attlen;
		col->typbyval = att->attbyval;
		col->typalign = att->attalign;
		col->packable = att->attlen == -1 &&
			get_typstorage(att->atttypid) != TYPSTORAGE_PLAIN;
		c->ncols++;
	}

	if (filters != NIL)
		c->filter = ExecInitQual(filters, &node->ss.ps);
	c->econtext = node->ss.ps.ps_ExprContext;
	c->limit = (Size) tpchgen_rescan_cache_mem * 1024;
	c->planned_keys = keys;
	c->cxt = AllocSetContextCreate(node->ss.ps.state->es_query_cxt,
								   "tpchgen rescan cache",
								   ALLOCSET_DEFAULT_SIZES);
	return c;
}

bool
tpchgen_cache_recording(TpchgenCache *cache)
{
	return cache->state == CACHE_RECORDING;
}

bool
tpchgen_cache_add(TpchgenCache *c, TupleTableSlot *slot)
{
	Datum	   *values = slot->tts_values;
	bool	   *isnull = slot->tts_isnull;
	PendingRow	pending;
	Size		size = sizeof(char *);
	char	   *row;
	char	   *p;

	if (c->state != CACHE_RECORDING)
		return true;
	if (c->filter != NULL)
	{
		ResetExprContext(c->econtext);
		c->econtext->ecxt_scantuple = slot;
		if (!ExecQual(c->filter, c->econtext))
		{
			c->skipped++;
			return false;
		}
	}

	/* with a strict operator, a NULL column equals no parameter value */
	for (int i = 0; i < c->nkeys; i++)
	{
		if (isnull[c->keys[i].att])
			return true;
		*key_slot(&c->probe, c->nkeys, i) = values[c->keys[i].att];
	}
	for (int i = 0; i < c->ncols; i++)
	{
		const CacheColumn *col = &c->cols[i];

		if (isnull[col->att])
			elog(ERROR, "tpchgen generated a NULL value");
		if (col->typlen == -1)
			values[col->att] = PointerGetDatum(PG_DETOAST_DATUM_PACKED(values[col->att]));
		size += value_size_bound(col, values[col->att]);
	}

	row = arena_alloc(c, size, false);
	if (row == NULL)
	{
		cache_drop(c);
		return true;
	}
	p = row + sizeof(char *);
	for (int i = 0; i < c->ncols; i++)
		p = write_value(p, &c->cols[i], values[c->cols[i].att]);
	c->pos = p;
	c->rows++;

	/*
	 * Rows come in table order and their keys at random, so each one's
	 * entry is a cache miss: with keys passed by value the row waits in a
	 * queue while its entry is prefetched.
	 */
	pending.key = c->probe;
	pending.hash = cache_hash(c->table, c->probe);
	pending.row = row;
	if (!c->queue_rows)
	{
		link_row(c, &pending);
		return true;
	}
	__builtin_prefetch(&c->table->data[pending.hash & c->table->sizemask]);
	if (c->nqueued == QUEUE_SIZE)
	{
		PendingRow	oldest = c->queue[c->queue_head];

		c->queue[c->queue_head] = pending;
		c->queue_head = (c->queue_head + 1) % QUEUE_SIZE;
		link_row(c, &oldest);
	}
	else
		c->queue[(c->queue_head + c->nqueued++) % QUEUE_SIZE] = pending;
	return true;
}

/* Links a recorded row to its entry, which may be new. */
static void
link_row(TpchgenCache *c, PendingRow *pending)
{
	CacheEntry *entry;
	bool		found;

	if (c->state != CACHE_RECORDING)
		return;
	/* the table doubles when full: that must fit too */
	if (c->table->members >= c->table->grow_threshold &&
		MemoryContextMemAllocated(c->cxt, true) +
		(Size) c->table->size * 2 * sizeof(CacheEntry) > c->limit)
	{
		cache_drop(c);
		return;
	}
	entry = cachetab_insert_hash(c->table, pending->key, pending->hash, &found);
	if (!found && !store_key(c, entry))
	{
		cache_drop(c);
		return;
	}
	memcpy(pending->row, &entry->rows, sizeof(char *));
	entry->rows = pending->row;
}

void
tpchgen_cache_done(TpchgenCache *c)
{
	if (c->state != CACHE_RECORDING)
		return;
	while (c->nqueued > 0)
	{
		PendingRow	oldest = c->queue[c->queue_head];

		c->queue_head = (c->queue_head + 1) % QUEUE_SIZE;
		c->nqueued--;
		link_row(c, &oldest);
	}
	if (c->state != CACHE_RECORDING)
		return;
	c->state = CACHE_COMPLETE;
	c->mem = MemoryContextMemAllocated(c->cxt, true);
}

bool
tpchgen_cache_lookup(TpchgenCache *c, ExprContext *econtext)
{
	switch (c->state)
	{
		case CACHE_EMPTY:

			/*
			 * Sized for the keys the planner expects: growing to them from
			 * a small table copied every entry about twice, and each larger
			 * table was new memory to fault in and zero.  At most a quarter
			 * of the limit, which an estimate far too high could otherwise
			 * take from the rows.
			 */
			c->table = cachetab_create(c->cxt,
									   (uint32) Max(1024.0,
													Min(c->planned_keys,
														(double) c->limit / 4 /
														sizeof(CacheEntry))),
									   c);
			c->state = CACHE_RECORDING;
			c->runs_generated++;
			return false;
		case CACHE_RECORDING:
			elog(ERROR, "tpchgen rescan cache looked up while recording");
			break;
		case CACHE_OVER:
			if (!c->warned)
				ereport(NOTICE,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("rows of foreign table \"%s\" do not fit in tpchgen.rescan_cache_mem (%d kB)",
								c->relname, (int) (c->limit / 1024)),
						 errdetail("Each rescan of the scan generates the table again."),
						 errhint("Raise tpchgen.rescan_cache_mem to keep the rows in memory between rescans.")));
			c->warned = true;
			c->runs_generated++;
			return false;
		case CACHE_COMPLETE:
			break;
	}

	c->entry = NULL;
	for (int i = 0; i < c->nkeys; i++)
	{
		bool		isnull;

		*key_slot(&c->probe, c->nkeys, i) = ExecEvalExpr(c->keys[i].value, econtext,
											   &isnull);
		if (isnull)
			break;
		if (i == c->nkeys - 1)
		{
			c->probing = true;
			c->entry = cachetab_lookup(c->table, c->probe);
			c->probing = false;
		}
	}

	/* the rows go out in generation order, as a generating run has them */
	if (c->entry != NULL && !c->entry->in_order)
	{
		char	   *prev = NULL;
		char	   *row = c->entry->rows;

		while (row != NULL)
		{
			char	   *next;

			memcpy(&next, row, sizeof(char *));
			memcpy(row, &prev, sizeof(char *));
			prev = row;
			row = next;
		}
		c->entry->rows = prev;
		c->entry->in_order = true;
	}
	c->next = c->entry != NULL ? c->entry->rows : NULL;
	c->runs_served++;
	return true;
}

bool
tpchgen_cache_next(TpchgenCache *c, TupleTableSlot *slot)
{
	char	   *p = c->next;

	if (p == NULL)
		return false;
	memcpy(&c->next, p, sizeof(char *));
	p += sizeof(char *);
	for (int a = 0; a < c->natts; a++)
		slot->tts_isnull[a] = true;
	for (int i = 0; i < c->nkeys; i++)
	{
		slot->tts_values[c->keys[i].att] = *key_slot(&c->entry->key, c->nkeys, i);
		slot->tts_isnull[c->keys[i].att] = false;
	}
	for (int i = 0; i < c->ncols; i++)
	{
		p = read_value(p, &c->cols[i], &slot->tts_values[c->cols[i].att]);
		slot->tts_isnull[c->cols[i].att] = false;
	}
	ExecStoreVirtualTuple(slot);
	return true;
}

/*
 * The columns a scan's cache is keyed by and stores; with ANALYZE, what it
 * held and how many runs it served.  The memory it took shows with COSTS,
 * as it depends on the platform.
 */
void
tpchgen_cache_explain(ForeignScanState *node, TpchgenCache *c,
					  const int *attcol, ExplainState *es)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	TupleDesc	desc = RelationGetDescr(node->ss.ss_currentRelation);
	List	   *key_clauses;
	List	   *filters;
	List	   *keys = NIL;
	List	   *columns = NIL;
	Bitmapset  *keyatts = NULL;
	ListCell   *lc;

	if (!cache_applies(plan, attcol, &key_clauses, &filters))
		return;
	foreach(lc, key_clauses)
	{
		Var		   *var;
		Expr	   *value;
		bool		var_left;

		key_clause(lfirst(lc), plan->scan.scanrelid, attcol, &var, &value,
				   &var_left);
		keys = lappend(keys,
					   NameStr(TupleDescAttr(desc, var->varattno - 1)->attname));
		keyatts = bms_add_member(keyatts, var->varattno - 1);
	}
	for (int a = 0; a < desc->natts; a++)
		if (attcol[a] >= 0 && !bms_is_member(a, keyatts))
			columns = lappend(columns, NameStr(TupleDescAttr(desc, a)->attname));
	ExplainPropertyList("Rescan Cache Key", keys, es);
	if (columns != NIL || es->format != EXPLAIN_FORMAT_TEXT)
		ExplainPropertyList("Rescan Cache Columns", columns, es);

	if (!es->analyze || c == NULL)
		return;
	if (es->format == EXPLAIN_FORMAT_TEXT)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		switch (c->state)
		{
			case CACHE_EMPTY:
				appendStringInfoString(&buf, "never run");
				break;
			case CACHE_RECORDING:
				appendStringInfo(&buf, "incomplete, " INT64_FORMAT " rows", c->rows);
				break;
			case CACHE_COMPLETE:
				appendStringInfo(&buf, INT64_FORMAT " rows in %u keys, ",
								 c->rows, c->table->members);
				if (c->skipped > 0)
					appendStringInfo(&buf, INT64_FORMAT " rows skipped by the filter, ",
									 c->skipped);
				appendStringInfo(&buf, INT64_FORMAT " rescans served",
								 c->runs_served);
				if (es->costs)
					appendStringInfo(&buf, ", Memory: " UINT64_FORMAT "kB",
									 (uint64) ((c->mem + 1023) / 1024));
				break;
			case CACHE_OVER:
				appendStringInfo(&buf, "over tpchgen.rescan_cache_mem, " INT64_FORMAT " runs generated the table",
								 c->runs_generated);
				if (es->costs)
					appendStringInfo(&buf, ", dropped at " INT64_FORMAT " rows",
									 c->rows);
				break;
		}
		ExplainPropertyText("Rescan Cache Use", buf.data, es);
	}
	else
	{
		static const char *const states[] = {"never run", "incomplete",
		"complete", "over limit"};

		ExplainPropertyText("Rescan Cache State", states[c->state], es);
		ExplainPropertyInteger("Rescan Cache Rows", NULL, c->rows, es);
		ExplainPropertyInteger("Rescan Cache Rows Skipped", NULL, c->skipped, es);
		ExplainPropertyInteger("Rescan Cache Keys", NULL,
							   c->state == CACHE_COMPLETE ? c->table->members : 0,
							   es);
		ExplainPropertyInteger("Rescans Served", NULL, c->runs_served, es);
		ExplainPropertyInteger("Runs Generated", NULL, c->runs_generated, es);
		if (es->costs)
			ExplainPropertyInteger("Rescan Cache Memory", "kB",
								   (int64) ((c->mem + 1023) / 1024), es);
	}
}

void
tpchgen_cache_end(TpchgenCache *cache)
{
	MemoryContextDelete(cache->cxt);
}

/* ------------------------------------------------------------------------
 * Storage
 * ------------------------------------------------------------------------ */

static uint32
cache_hash(struct cachetab_hash *tb, CacheKeyValue key)
{
	TpchgenCache *c = tb->private_data;
	uint32		hash = 0;

	for (int i = 0; i < c->nkeys; i++)
	{
		CacheKey   *k = &c->keys[i];
		uint32		h;

		h = DatumGetUInt32(FunctionCall1Coll(c->probing ? &k->value_hash :
											 &k->col_hash,
											 k->collation, *key_slot(&key, c->nkeys, i)));
		hash = i == 0 ? h : hash_combine(hash, h);
	}
	return hash;
}

/* Stored column values against column values, or parameter values. */
static bool
cache_equal(struct cachetab_hash *tb, CacheKeyValue stored,
			CacheKeyValue probe)
{
	TpchgenCache *c = tb->private_data;

	for (int i = 0; i < c->nkeys; i++)
	{
		CacheKey   *k = &c->keys[i];
		Datum		a = *key_slot(&stored, c->nkeys, i);
		Datum		b = *key_slot(&probe, c->nkeys, i);
		Datum		eq;

		if (!c->probing)
			eq = FunctionCall2Coll(&k->col_eq, k->collation, a, b);
		else if (k->var_left)
			eq = FunctionCall2Coll(&k->op, k->collation, a, b);
		else
			eq = FunctionCall2Coll(&k->op, k->collation, b, a);
		if (!DatumGetBool(eq))
			return false;
	}
	return true;
}

/*
 * A new entry holds the probe's values, which may point into the
 * generator's buffers: the values it keeps are copied to the arena.  False
 * when they do not fit under the limit.
 */
static bool
store_key(TpchgenCache *c, CacheEntry *entry)
{
	entry->rows = NULL;
	entry->in_order = false;
	if (c->nkeys > KEY_INLINE)
	{
		Size		len = sizeof(Datum) * (c->nkeys - 1);
		char	   *more = arena_alloc(c, len, true);

		if (more == NULL)
			return false;
		memcpy(more, DatumGetPointer(c->probe.v[1]), len);
		c->pos = more + len;
		entry->key.v[1] = PointerGetDatum(more);
	}
	for (int i = 0; i < c->nkeys; i++)
	{
		const CacheKey *k = &c->keys[i];
		Datum	   *value = key_slot(&entry->key, c->nkeys, i);
		Size		len;
		char	   *copy;

		if (k->typbyval)
			continue;
		len = datumGetSize(*value, false, k->typlen);
		copy = arena_alloc(c, len, true);
		if (copy == NULL)
			return false;
		memcpy(copy, DatumGetPointer(*value), len);
		c->pos = copy + len;
		*value = PointerGetDatum(copy);
	}
	return true;
}

/*
 * Room for size bytes (maximally aligned if align) in the current block or
 * a new one; the caller moves c->pos past what it writes.  NULL when a new
 * block would exceed the limit.
 */
static char *
arena_alloc(TpchgenCache *c, Size size, bool align)
{
	char	   *p = align ? (char *) MAXALIGN(c->pos) : c->pos;

	if (c->pos != NULL && p + size <= c->end)
		return p;
	if (MemoryContextMemAllocated(c->cxt, true) + Max(size, ARENA_BLOCK) >
		c->limit)
		return NULL;
	c->pos = MemoryContextAlloc(c->cxt, Max(size, ARENA_BLOCK));
	c->end = c->pos + Max(size, ARENA_BLOCK);
	return c->pos;
}

/* Drops what is recorded: rescans generate the table again. */
static void
cache_drop(TpchgenCache *c)
{
	c->mem = MemoryContextMemAllocated(c->cxt, true);
	MemoryContextReset(c->cxt);
	c->table = NULL;
	c->nqueued = 0;
	c->pos = NULL;
	c->end = NULL;
	c->state = CACHE_OVER;
	elog(DEBUG1, "tpchgen rescan cache of \"%s\" dropped at " INT64_FORMAT " rows: over %d kB",
		 c->relname, c->rows, (int) (c->limit / 1024));
}

/* The most bytes write_value takes for value. */
static Size
value_size_bound(const CacheColumn *col, Datum value)
{
	if (col->typbyval)
		return col->typlen;
	if (col->typlen == -1)
		return VARSIZE_ANY(DatumGetPointer(value)) + ALIGNOF_INT - 1;
	if (col->typlen == -2)
		return strlen(DatumGetCString(value)) + 1;
	return col->typlen + MAXIMUM_ALIGNOF - 1;
}

/* Zero bytes up to alignment align: read_value skips them the same way. */
static char *
pad_to(char *p, char align)
{
	char	   *aligned = (char *) att_align_nominal((uintptr_t) p, align);

	memset(p, 0, aligned - p);
	return aligned;
}

static char *
write_value(char *p, const CacheColumn *col, Datum value)
{
	if (col->typbyval)
	{
		switch (col->typlen)
		{
			case 1:
				*p = DatumGetChar(value);
				break;
			case 2:
				{
					int16		v = DatumGetInt16(value);

					memcpy(p, &v, 2);
					break;
				}
			case 4:
				{
					int32		v = DatumGetInt32(value);

					memcpy(p, &v, 4);
					break;
				}
			default:
				memcpy(p, &value, sizeof(Datum));
				break;
		}
		return p + col->typlen;
	}
	if (col->typlen == -1)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(value);

		if (VARATT_IS_SHORT(v))
		{
			memcpy(p, v, VARSIZE_SHORT(v));
			return p + VARSIZE_SHORT(v);
		}
		if (col->packable && VARATT_CAN_MAKE_SHORT(v))
		{
			Size		len = VARATT_CONVERTED_SHORT_SIZE(v);

			SET_VARSIZE_SHORT(p, len);
			memcpy(p + VARHDRSZ_SHORT, VARDATA(v), len - VARHDRSZ_SHORT);
			return p + len;
		}
		p = pad_to(p, TYPALIGN_INT);
		memcpy(p, v, VARSIZE(v));
		return p + VARSIZE(v);
	}
	if (col->typlen == -2)
	{
		Size		len = strlen(DatumGetCString(value)) + 1;

		memcpy(p, DatumGetPointer(value), len);
		return p + len;
	}
	p = pad_to(p, col->typalign);
	memcpy(p, DatumGetPointer(value), col->typlen);
	return p + col->typlen;
}

static char *
read_value(char *p, const CacheColumn *col, Datum *value)
{
	if (col->typbyval)
	{
		switch (col->typlen)
		{
			case 1:
				*value = CharGetDatum(*p);
				break;
			case 2:
				{
					int16		v;

					memcpy(&v, p, 2);
					*value = Int16GetDatum(v);
					break;
				}
			case 4:
				{
					int32		v;

					memcpy(&v, p, 4);
					*value = Int32GetDatum(v);
					break;
				}
			default:
				memcpy(value, p, sizeof(Datum));
				break;
		}
		return p + col->typlen;
	}
	if (col->typlen == -1)
	{
		/* a 4-byte header is aligned; a 1-byte header is never zero */
		if (!VARATT_NOT_PAD_BYTE(p))
			p = (char *) att_align_nominal((uintptr_t) p, TYPALIGN_INT);
		*value = PointerGetDatum(p);
		return p + VARSIZE_ANY(p);
	}
	if (col->typlen == -2)
	{
		*value = CStringGetDatum(p);
		return p + strlen(p) + 1;
	}
	p = (char *) att_align_nominal((uintptr_t) p, col->typalign);
	*value = PointerGetDatum(p);
	return p + col->typlen;
}
