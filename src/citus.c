/*
 * citus.c - tpch_load(distribute => 'citus'): the TPC-H tables as Citus
 * distributed tables, every shard filled on its own worker with the rows it
 * owns, generated there.
 *
 * Citus places a row of a hash-distributed table in the shard whose range
 * (pg_dist_shard.shardminvalue .. shardmaxvalue) holds the hash of its
 * distribution key, PostgreSQL's hashint8 for our bigint keys.  The core
 * computes that hash (tpch_hash_int8) and, since the keys are functions of
 * the group row, finds a shard's group rows without generating the others
 * (tpch_hash_next): a shard costs its share of the rows.
 *
 * The coordinator creates the tables and asks Citus to distribute them, in
 * the caller's transaction: Citus creates the shards on the workers in its
 * own transactions there, which commit or abort with ours (two-phase
 * commit).  Those worker transactions alone can see the new shards, so the
 * fill must run inside them, and on every worker at once.  A seed table
 * does both: distributed in the same co-location group, it gets a row per
 * shard to fill (a key hashing into the shard's range, the shard's name and
 * range), stored in the seed shard beside that shard; a query over the seed
 * that calls tpch_citus_fill() on each row is a task per seed shard, which
 * Citus's executor runs on all workers in parallel, each over the
 * connection that created the co-located shards there.  Only the row
 * counts come back.  An error or cancel anywhere aborts every worker's
 * transaction, shards and rows with it; a coordinator that crashes after
 * preparing them leaves prepared transactions that Citus's recovery
 * (recover_prepared_transactions, run by its maintenance daemon) commits
 * or aborts as the coordinator's outcome says.
 */
#include "tpchgen_pg.h"

#include "../core/partition.h"
#include "../core/schema.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/varlena.h"

/*
 * The reference tables, a copy on every node: nation and region, and
 * supplier (10 000 rows a SF), which lineitem and partsupp join on
 * l_suppkey and ps_suppkey, not their distribution keys: as a reference
 * table, those joins (Q2, Q5, Q7, Q8, Q9, Q11, Q20, Q21) run on each worker
 * against its local copy.
 */
#define REFERENCE_TABLE(t) \
	((t) == TPCH_REGION || (t) == TPCH_NATION || (t) == TPCH_SUPPLIER)

/* Rows handed to table_multi_insert at once. */
#define FILL_BATCH 1000

PG_FUNCTION_INFO_V1(tpch_citus_fill);

/* ------------------------------------------------------------------------
 * Worker side: one shard
 * ------------------------------------------------------------------------ */

/*
 * tpch_citus_fill(shard text, table_name text, sf float8, hash_min int4,
 * hash_max int4) -> bigint: appends to the table `shard` the rows of TPC-H
 * table `table_name` at `sf` whose distribution key hashes into
 * [hash_min, hash_max], and returns their count.  The rows are formed by
 * the scan engine, as tpch_<table>() forms them.  The shard must have the
 * columns tpch_load makes and nothing that an insert would have to
 * maintain or check (indexes, triggers, check constraints, row security):
 * tpch_load adds the keys after the fill.
 */
Datum
tpch_citus_fill(PG_FUNCTION_ARGS)
{
	char	   *shard = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	double		sf = PG_GETARG_FLOAT8(2);
	int32		lo = PG_GETARG_INT32(3);
	int32		hi = PG_GETARG_INT32(4);
	int			t = tpch_table_lookup(name);
	Relation	rel;
	TupleDesc	desc;
	int			ncols;
	const tpch_column *cols;
	int		   *attcol;
	TpchgenScan *scan;
	int64		groups;
	int64		rows = 0;
	TupleTableSlot *slots[FILL_BATCH];
	int			nslots = 0;
	BulkInsertState bistate;
	CommandId	cid;
	AclResult	aclresult;

	if (t < 0 || REFERENCE_TABLE(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a TPC-H table distributed by hash", name),
				 errhint("The tables distributed by hash are part, partsupp, customer, orders and lineitem.")));
	tpchgen_check_args(sf, 1, 1);
	if (lo > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hash_min %d is greater than hash_max %d", lo, hi)));

	rel = table_openrv(makeRangeVarFromNameList(textToQualifiedNameList(PG_GETARG_TEXT_PP(0))),
					   RowExclusiveLock);
	aclresult = pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
	desc = RelationGetDescr(rel);
	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relhasindex ||
		rel->trigdesc != NULL ||
		(desc->constr != NULL && desc->constr->num_check > 0) ||
		check_enable_rls(RelationGetRelid(rel), InvalidOid, true) != RLS_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" cannot be filled by tpch_citus_fill", shard),
				 errdetail("The shard must be a plain table without indexes, triggers, check constraints or row security."),
				 errhint("tpch_load(distribute => 'citus') adds the keys after filling the shards.")));

	/* every column of the table, by name, in any order */
	cols = tpch_columns((tpch_table) t, &ncols);
	attcol = palloc(sizeof(int) * desc->natts);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		attcol[i] = -1;
		for (int c = 0; c < ncols && !att->attisdropped; c++)
			if (strcmp(NameStr(att->attname), cols[c].name) == 0)
				attcol[i] = c;
		if (attcol[i] < 0 && !att->attisdropped)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("\"%s\" has a column \"%s\" that TPC-H table %s does not have",
							shard, NameStr(att->attname), name)));
	}
	{
		int			live = 0;

		for (int i = 0; i < desc->natts; i++)
			live += attcol[i] >= 0;
		if (live != ncols)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("\"%s\" does not have every column of TPC-H table %s",
							shard, name)));
	}

	scan = tpchgen_scan_create((tpch_table) t, sf, 1, 1);
	tpchgen_scan_bind(scan, desc, attcol);
	for (int i = 0; i < FILL_BATCH; i++)
		slots[i] = table_slot_create(rel, NULL);
	bistate = GetBulkInsertState();
	cid = GetCurrentCommandId(true);
	groups = tpch_group_rows((tpch_table) t, sf);

	for (int64 r = tpch_hash_next((tpch_table) t, 1, groups + 1, lo, hi);
		 r <= groups;
		 r = tpch_hash_next((tpch_table) t, r + 1, groups + 1, lo, hi))
	{
		/* a group row (an order with its lines, a part with its suppliers) */
		tpchgen_scan_set_range(scan, r, 1);
		for (;;)
		{
			TupleTableSlot *slot = slots[nslots];

			ExecClearTuple(slot);
			if (!tpchgen_scan_next(scan, slot->tts_values, slot->tts_isnull))
				break;
			ExecStoreVirtualTuple(slot);
			/* the values point into the scan's buffers, reused for later rows */
			ExecMaterializeSlot(slot);
			if (++nslots == FILL_BATCH)
			{
				table_multi_insert(rel, slots, nslots, cid, 0, bistate);
				rows += nslots;
				nslots = 0;
			}
		}
	}
	if (nslots > 0)
	{
		table_multi_insert(rel, slots, nslots, cid, 0, bistate);
		rows += nslots;
	}

	FreeBulkInsertState(bistate);
	table_finish_bulk_insert(rel, 0);
	for (int i = 0; i < FILL_BATCH; i++)
		ExecDropSingleTupleTableSlot(slots[i]);
	tpchgen_scan_end(scan);
	table_close(rel, NoLock);
	PG_RETURN_INT64(rows);
}

/* ------------------------------------------------------------------------
 * Coordinator side: tpch_load(distribute => 'citus')
 * ------------------------------------------------------------------------ */

/*
 * One table of the load and what it took, by step: the result has their
 * sum, DEBUG1 each.  The seed table's making is shared by the five hash
 * tables, in their create seconds.
 */
typedef struct CitusTable
{
	tpch_table	table;
	int64		rows;
	double		create_seconds;
	double		fill_seconds;
	double		key_seconds;
	double		analyze_seconds;
} CitusTable;

/* Runs one statement through SPI; errors propagate. */
static void
citus_sql(const char *sql, int expect)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc != expect)
		elog(ERROR, "tpch_load could not run \"%s\": %s", sql,
			 SPI_result_code_string(rc));
}

/* The one bigint a query returns. */
static int64
citus_sql_int8(const char *sql)
{
	bool		isnull;
	Datum		d;

	citus_sql(sql, SPI_OK_SELECT);
	if (SPI_processed != 1)
		elog(ERROR, "tpch_load expected one row from \"%s\"", sql);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetInt64(d);
}

/* Adds the time since `start` to one step's seconds. */
static void
add_seconds(double *seconds, instr_time start)
{
	instr_time	duration;

	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	*seconds += INSTR_TIME_GET_DOUBLE(duration);
}

/* The name of a table's distribution column. */
static const char *
key_column(tpch_table t)
{
	int			ncols;

	return tpch_columns(t, &ncols)[tpch_part_key_column(t)].name;
}

/*
 * Appends to `values` a row of the seed table for every shard of one
 * hash-distributed table: a key that hashes into the shard's range (so
 * Citus stores the row in the seed's shard co-located with it), the table,
 * the shard's name and its range.
 */
static void
seed_rows(StringInfo values, tpch_table t, const char *qtable)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT pg_catalog.shard_name(logicalrelid, shardid),"
					 " shardminvalue::int4, shardmaxvalue::int4"
					 " FROM pg_catalog.pg_dist_shard"
					 " WHERE logicalrelid = %s::regclass ORDER BY 2",
					 quote_literal_cstr(qtable));
	citus_sql(sql.data, SPI_OK_SELECT);
	for (uint64 s = 0; s < SPI_processed; s++)
	{
		HeapTuple	tup = SPI_tuptable->vals[s];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char	   *name = SPI_getvalue(tup, td, 1);
		bool		isnull;
		int32		lo = DatumGetInt32(SPI_getbinval(tup, td, 2, &isnull));
		int32		hi = DatumGetInt32(SPI_getbinval(tup, td, 3, &isnull));
		int64		probe = tpch_hash_probe_key(lo, hi);

		if (probe == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("shard \"%s\" has a hash range too narrow to route a row to it",
							name)));
		appendStringInfo(values, "%s(" INT64_FORMAT ", %s, %s, %d, %d)",
						 values->len == 0 ? "" : ", ", probe,
						 quote_literal_cstr(tpch_table_name(t)),
						 quote_literal_cstr(name), lo, hi);
	}
	pfree(sql.data);
}

/*
 * tpch_load(distribute => 'citus') on the coordinator, once tpch_load has
 * checked the arguments that apply: creates the eight tables in `schema`
 * (dropping them first when `replace`), distributes them, fills them on
 * the workers, adds the primary keys and gathers statistics.
 */
void
tpchgen_load_citus(FunctionCallInfo fcinfo, double sf, const char *schema,
				   bool primary_keys, bool analyze, bool replace)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *qschema = quote_identifier(schema);
	const char *fnschema;
	char	   *qfill;
	Oid			nsp;
	CitusTable	tables[TPCH_NTABLES];
	StringInfoData sql;
	StringInfoData seed;
	char	   *qseed;
	const char *replication;

	if (!OidIsValid(get_extension_oid("citus", true)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("extension \"citus\" is not installed"),
				 errhint("Create the extension citus on the coordinator, add its workers, or leave distribute out.")));

	/* the fill reaches one placement of a shard: the others would stay empty */
	replication = GetConfigOption("citus.shard_replication_factor", true, false);
	if (replication != NULL && strcmp(replication, "1") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("distribute => 'citus' needs citus.shard_replication_factor = 1"),
				 errdetail("Each shard is filled on one worker, so a shard cannot have several placements."),
				 errhint("SET citus.shard_replication_factor = 1 for the call.")));

	fnschema = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));
	qfill = psprintf("%s.tpch_citus_fill", quote_identifier(fnschema));

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	initStringInfo(&sql);
	initStringInfo(&seed);
	qseed = psprintf("%s.tpch_citus_seed", qschema);

	nsp = get_namespace_oid(schema, true);
	if (!OidIsValid(nsp))
	{
		appendStringInfo(&sql, "CREATE SCHEMA %s", qschema);
		citus_sql(sql.data, SPI_OK_UTILITY);
	}
	else if (replace)
	{
		for (int t = 0; t < TPCH_NTABLES; t++)
			if (OidIsValid(get_relname_relid(tpch_table_name(t), nsp)))
				appendStringInfo(&sql, "%s%s.%s", sql.len == 0 ? "DROP TABLE " : ", ",
								 qschema, tpch_table_name(t));
		if (sql.len > 0)
			citus_sql(sql.data, SPI_OK_UTILITY);
	}

	/* the tables, distributed; the reference tables filled */
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		CitusTable *ct = &tables[t];
		char	   *qtable = psprintf("%s.%s", qschema, tpch_table_name(t));
		size_t		len;
		instr_time	start;

		ct->table = (tpch_table) t;
		ct->rows = 0;
		ct->create_seconds = ct->fill_seconds = ct->key_seconds = ct->analyze_seconds = 0;
		INSTR_TIME_SET_CURRENT(start);

		resetStringInfo(&sql);
		len = tpch_sql_create_table(ct->table, qschema, false, NULL, 0);
		enlargeStringInfo(&sql, len + 1);
		tpch_sql_create_table(ct->table, qschema, false, sql.data, len + 1);
		sql.len = len;
		citus_sql(sql.data, SPI_OK_UTILITY);

		/*
		 * Nation, region and supplier: reference tables (REFERENCE_TABLE).
		 * The hash tables all in part's co-location group (lineitem with
		 * orders and partsupp with part, so their joins on the key stay on
		 * one worker): one seed table then reaches every shard.
		 */
		resetStringInfo(&sql);
		if (REFERENCE_TABLE(t))
			appendStringInfo(&sql, "SELECT create_reference_table(%s)",
							 quote_literal_cstr(qtable));
		else
			appendStringInfo(&sql,
							 "SELECT create_distributed_table(%s, %s, colocate_with => %s)",
							 quote_literal_cstr(qtable),
							 quote_literal_cstr(key_column(ct->table)),
							 quote_literal_cstr(t == TPCH_PART ? "default" :
												t == TPCH_LINEITEM ?
												psprintf("%s.orders", qschema) :
												psprintf("%s.part", qschema)));
		citus_sql(sql.data, SPI_OK_SELECT);
		add_seconds(&ct->create_seconds, start);
		INSTR_TIME_SET_CURRENT(start);

		if (sf > 0 && t == TPCH_REGION)
		{
			/* its 5 rows, whatever the SF, go from here to every node */
			resetStringInfo(&sql);
			appendStringInfo(&sql, "INSERT INTO %s SELECT * FROM %s.tpch_region(%.17g)",
							 qtable, quote_identifier(fnschema), sf);
			citus_sql(sql.data, SPI_OK_INSERT);
			ct->rows = (int64) SPI_processed;
		}
		else if (sf > 0 && REFERENCE_TABLE(t))
		{
			/*
			 * An INSERT ... SELECT from a reference table into a reference
			 * table runs as it is on every node that holds them: joined to
			 * one row of region, the generator runs on each node and fills
			 * that node's copy.
			 */
			resetStringInfo(&sql);
			appendStringInfo(&sql,
							 "INSERT INTO %s SELECT g.* FROM %s.tpch_%s(%.17g) AS g"
							 " JOIN %s.region AS r ON r.r_regionkey = 0",
							 qtable, quote_identifier(fnschema), tpch_table_name(t),
							 sf, qschema);
			citus_sql(sql.data, SPI_OK_INSERT);
			ct->rows = (int64) SPI_processed;
		}
		else if (sf > 0)
			seed_rows(&seed, ct->table, qtable);
		/* the reference tables' fill, or the hash tables' rows of the seed */
		add_seconds(REFERENCE_TABLE(t) ? &ct->fill_seconds : &ct->create_seconds, start);
	}

	if (sf > 0)
	{
		instr_time	start;

		/*
		 * The seed: a distributed table in the same co-location group with
		 * a row per shard to fill, stored in the seed shard beside it.  A
		 * query over the seed is a task per seed shard, which Citus's
		 * executor runs on every worker at once, each over the connection
		 * that created the shards of that group there (it must: only that
		 * worker transaction sees them); each task calls the fill once per
		 * row, that is once per shard of the table, in the worker's
		 * transaction.  The seed goes when the fills are done.
		 */
		INSTR_TIME_SET_CURRENT(start);
		resetStringInfo(&sql);
		appendStringInfo(&sql,
						 "CREATE TABLE %s (probe_key bigint, table_name text, shard text,"
						 " hash_min integer, hash_max integer)", qseed);
		citus_sql(sql.data, SPI_OK_UTILITY);
		resetStringInfo(&sql);
		appendStringInfo(&sql,
						 "SELECT create_distributed_table(%s, 'probe_key', colocate_with => %s)",
						 quote_literal_cstr(qseed),
						 quote_literal_cstr(psprintf("%s.part", qschema)));
		citus_sql(sql.data, SPI_OK_SELECT);
		resetStringInfo(&sql);
		appendStringInfo(&sql, "INSERT INTO %s VALUES %s", qseed, seed.data);
		citus_sql(sql.data, SPI_OK_INSERT);
		/* shared by the five tables, as their rows in the seed are */
		for (int t = 0; t < TPCH_NTABLES; t++)
			if (!REFERENCE_TABLE(t))
				add_seconds(&tables[t].create_seconds, start);

		for (int t = 0; t < TPCH_NTABLES; t++)
		{
			if (REFERENCE_TABLE(t))
				continue;
			INSTR_TIME_SET_CURRENT(start);
			resetStringInfo(&sql);
			appendStringInfo(&sql,
							 "SELECT sum(%s(shard, table_name, %.17g, hash_min, hash_max))::int8"
							 " FROM %s WHERE table_name = %s",
							 qfill, sf, qseed, quote_literal_cstr(tpch_table_name(t)));
			tables[t].rows = citus_sql_int8(sql.data);
			add_seconds(&tables[t].fill_seconds, start);
		}

		resetStringInfo(&sql);
		appendStringInfo(&sql, "DROP TABLE %s", qseed);
		citus_sql(sql.data, SPI_OK_UTILITY);
	}

	/*
	 * The keys and statistics, made on the workers: Citus runs a statement's
	 * shard commands on all workers at once, each worker's one after another
	 * over the one connection the transaction has there.
	 */
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		CitusTable *ct = &tables[t];
		size_t		len;
		instr_time	start;

		if (primary_keys)
		{
			INSTR_TIME_SET_CURRENT(start);
			resetStringInfo(&sql);
			len = tpch_sql_primary_key(ct->table, qschema, NULL, 0);
			enlargeStringInfo(&sql, len + 1);
			tpch_sql_primary_key(ct->table, qschema, sql.data, len + 1);
			sql.len = len;
			citus_sql(sql.data, SPI_OK_UTILITY);
			add_seconds(&ct->key_seconds, start);
		}
		/*
		 * Not the reference tables: where the coordinator holds a copy of
		 * them, Citus wrote it here locally and refuses a parallel ANALYZE
		 * of the same placements in this transaction.  Autovacuum analyzes
		 * each node's copy once the rows are committed.
		 */
		if (analyze && !REFERENCE_TABLE(t))
		{
			INSTR_TIME_SET_CURRENT(start);
			resetStringInfo(&sql);
			appendStringInfo(&sql, "ANALYZE %s.%s", qschema, tpch_table_name(t));
			citus_sql(sql.data, SPI_OK_UTILITY);
			add_seconds(&ct->analyze_seconds, start);
		}
	}
	SPI_finish();

	/* bytes unknown: Citus cannot size tables in the transaction that filled them */
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		CitusTable *ct = &tables[t];

		elog(DEBUG1, "tpch_load %s (citus): created in %.3f s, filled in %.3f s, keys in %.3f s, analyzed in %.3f s",
			 tpch_table_name(ct->table), ct->create_seconds, ct->fill_seconds,
			 ct->key_seconds, ct->analyze_seconds);
		tpchgen_load_result(rsinfo, ct->table, ct->rows, -1,
							ct->create_seconds + ct->fill_seconds + ct->key_seconds +
							ct->analyze_seconds);
	}
}
