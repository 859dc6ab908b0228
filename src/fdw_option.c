/*
 * fdw_option.c - the options of tpchgen servers and foreign tables, and the
 * columns a foreign table may declare.
 *
 * The validator checks what one object's option list shows; the merged
 * options of a table and its server, and its columns, are checked when a
 * query plans the table or ANALYZE samples it.
 */
#include "fdw.h"

#include "access/reloptions.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/varlena.h"

/*
 * Valid options and the catalogs they may appear in: the server holds the
 * defaults of its tables, a table names its TPC-H table and may override
 * them.
 */
typedef struct TpchgenFdwOption
{
	const char *name;
	Oid			context;
} TpchgenFdwOption;

static const TpchgenFdwOption valid_options[] = {
	{"sf", ForeignServerRelationId},
	{"part", ForeignServerRelationId},
	{"parts", ForeignServerRelationId},
	{"table", ForeignTableRelationId},
	{"sf", ForeignTableRelationId},
	{"part", ForeignTableRelationId},
	{"parts", ForeignTableRelationId},
	{NULL, InvalidOid}
};

PG_FUNCTION_INFO_V1(tpchgen_fdw_validator);

static bool is_valid_option(const char *name, Oid context);
static double option_sf(DefElem *def);
static int64 option_int(DefElem *def);
static void check_option_values(List *options, Oid catalog);

/*
 * Validate the generic options given to a FOREIGN DATA WRAPPER, SERVER,
 * USER MAPPING or FOREIGN TABLE that uses tpchgen: names, values, and the
 * combinations visible in one option list.  A table's part is checked
 * against its server's parts only when a query plans it, since the
 * validator sees one object's options alone.
 */
Datum
tpchgen_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	bool		has_table = false;
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (!is_valid_option(def->defname, catalog))
		{
			const char *names[lengthof(valid_options)];
			int			n = 0;
			const char *match;
			StringInfoData valid;

			initStringInfo(&valid);
			for (const TpchgenFdwOption *opt = valid_options; opt->name; opt++)
				if (opt->context == catalog)
				{
					names[n++] = opt->name;
					appendStringInfo(&valid, "%s%s", valid.len > 0 ? ", " : "",
									 opt->name);
				}
			match = tpchgen_closest_match(def->defname, names, n);

			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 match ? errhint("Perhaps you meant the option \"%s\".", match) :
					 n > 0 ? errhint("Valid options in this context are: %s.", valid.data) :
					 errhint("There are no valid options in this context.")));
		}
		if (strcmp(def->defname, "table") == 0)
		{
			const char *name = defGetString(def);

			if (tpch_table_lookup(name) < 0)
			{
				const char *tables[TPCH_NTABLES];
				const char *match;

				for (int t = 0; t < TPCH_NTABLES; t++)
					tables[t] = tpch_table_name(t);
				match = tpchgen_closest_match(name, tables, TPCH_NTABLES);
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown TPC-H table \"%s\"", name),
						 match ? errhint("Perhaps you meant the table \"%s\".", match) :
						 errhint("The tables are region, nation, supplier, part, partsupp, customer, orders and lineitem.")));
			}
			has_table = true;
		}
	}

	check_option_values(options, catalog);

	if (catalog == ForeignTableRelationId && !has_table)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"table\" is required for a tpchgen foreign table"),
				 errhint("Name the TPC-H table to generate, as in OPTIONS (table 'lineitem').")));

	PG_RETURN_VOID();
}

/*
 * The candidate nearest to name by edit distance, or NULL when none is near
 * enough to be a likely misspelling (at most half of name, and 4, changed),
 * as PostgreSQL's own hints choose.
 */
const char *
tpchgen_closest_match(const char *name, const char *const *candidates,
					  int ncandidates)
{
	ClosestMatchState match;

	initClosestMatch(&match, name, 4);
	for (int i = 0; i < ncandidates; i++)
		updateClosestMatch(&match, candidates[i]);
	return getClosestMatch(&match);
}

static bool
is_valid_option(const char *name, Oid context)
{
	for (const TpchgenFdwOption *opt = valid_options; opt->name; opt++)
		if (opt->context == context && strcmp(opt->name, name) == 0)
			return true;
	return false;
}

/* The value of an sf option, parsed as the functions' float8 argument is. */
static double
option_sf(DefElem *def)
{
	return DatumGetFloat8(DirectFunctionCall1(float8in,
											  CStringGetDatum(defGetString(def))));
}

/* The value of a part or parts option, parsed as a bigint argument is. */
static int64
option_int(DefElem *def)
{
	return DatumGetInt64(DirectFunctionCall1(int8in,
											 CStringGetDatum(defGetString(def))));
}

/*
 * Checks sf, part and parts as the functions do, with the values present in
 * one option list (a table's part may refer to its server's parts).
 */
static void
check_option_values(List *options, Oid catalog)
{
	double		sf = 1.0;
	int64		part = 1;
	int64		parts = 1;
	bool		has_part = false;
	bool		has_parts = false;
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "sf") == 0)
		{
			sf = option_sf(def);
			tpchgen_check_args(sf, 1, 1);
		}
		else if (strcmp(def->defname, "part") == 0)
		{
			part = option_int(def);
			has_part = true;
		}
		else if (strcmp(def->defname, "parts") == 0)
		{
			parts = option_int(def);
			has_parts = true;
		}
	}

	/* without parts here, the server's (or the default) applies later */
	if (has_part && !has_parts)
	{
		if (part < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("part must be at least 1, not %lld",
							(long long) part)));
		parts = part;
	}
	tpchgen_check_args(sf, part, parts);
}

/* Error context while a foreign table's merged options are checked. */
static void
table_options_context(void *arg)
{
	errcontext("foreign table \"%s\"", RelationGetRelationName((Relation) arg));
}

/*
 * The TPC-H table, sf, part and parts of a foreign table: its own options
 * over its server's over the defaults (1, 1 of 1).  Read at planning, so
 * that ALTER SERVER and ALTER FOREIGN TABLE, which invalidate cached plans,
 * apply from the next query on.
 */
void
tpchgen_fdw_get_table(Relation rel, TpchgenFdwTable *tab)
{
	ForeignTable *table = GetForeignTable(RelationGetRelid(rel));
	ForeignServer *server = GetForeignServer(table->serverid);
	List	   *options = list_concat_copy(server->options, table->options);
	bool		has_table = false;
	ErrorContextCallback errcallback;
	ListCell   *lc;

	tab->sf = 1.0;
	tab->part = 1;
	tab->parts = 1;
	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "table") == 0)
		{
			int			t = tpch_table_lookup(defGetString(def));

			has_table = t >= 0;
			tab->table = (tpch_table) t;
		}
		else if (strcmp(def->defname, "sf") == 0)
			tab->sf = option_sf(def);
		else if (strcmp(def->defname, "part") == 0)
			tab->part = option_int(def);
		else if (strcmp(def->defname, "parts") == 0)
			tab->parts = option_int(def);
	}
	if (!has_table)
		elog(ERROR, "foreign table \"%s\" has no valid table option",
			 RelationGetRelationName(rel));

	errcallback.callback = table_options_context;
	errcallback.arg = rel;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	tpchgen_check_args(tab->sf, tab->part, tab->parts);
	error_context_stack = errcallback.previous;
}

/* The SQL type of a column in the SQL functions and IMPORT FOREIGN SCHEMA. */
const char *
tpchgen_fdw_column_type(const tpch_column *c)
{
	switch (c->kind)
	{
		case TPCH_KIND_INT:
			return "integer";
		case TPCH_KIND_KEY:
			return "bigint";
		case TPCH_KIND_MONEY:
		case TPCH_KIND_QUANTITY:
			return "numeric(15,2)";
		case TPCH_KIND_DATE:
			return "date";
		case TPCH_KIND_CHAR:
			return psprintf("char(%d)", c->width);
		case TPCH_KIND_VARCHAR:
			return psprintf("varchar(%d)", c->width);
	}
	elog(ERROR, "unexpected tpchgen column kind %d", (int) c->kind);
	return NULL;
}

/*
 * Whether values of a column can be stored in a type: the engine converts
 * the usual types directly and any other through its input function, so a
 * type fits if its category takes the value's text.  Integers cannot take
 * money, which has decimals; char(n)/varchar(n) must be as wide as the
 * specification's strings.
 */
static bool
type_fits(const tpch_column *c, Oid type, int32 typmod)
{
	Oid			base = getBaseType(type);
	char		category;
	bool		preferred;

	get_type_category_preferred(base, &category, &preferred);
	if ((base == BPCHAROID || base == VARCHAROID) && typmod >= (int32) VARHDRSZ &&
		(c->kind == TPCH_KIND_CHAR || c->kind == TPCH_KIND_VARCHAR) &&
		typmod - (int32) VARHDRSZ < c->width)
		return false;
	if (category == TYPCATEGORY_STRING)
		return true;
	switch (c->kind)
	{
		case TPCH_KIND_INT:
		case TPCH_KIND_KEY:
		case TPCH_KIND_QUANTITY:
			return category == TYPCATEGORY_NUMERIC;
		case TPCH_KIND_MONEY:
			return category == TYPCATEGORY_NUMERIC && base != INT2OID &&
				base != INT4OID && base != INT8OID && base != OIDOID;
		case TPCH_KIND_DATE:
			return category == TYPCATEGORY_DATETIME;
		case TPCH_KIND_CHAR:
		case TPCH_KIND_VARCHAR:
			return false;
	}
	return false;
}

/*
 * Raises an error for a column of the foreign table that its TPC-H table
 * does not have, or whose type cannot hold its values.  Done when a query
 * is planned or the table analyzed: CREATE FOREIGN TABLE shows the
 * validator the options only.
 */
void
tpchgen_fdw_check_columns(Relation rel, tpch_table table)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			ncols;
	const tpch_column *cols = tpch_columns(table, &ncols);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *name = NameStr(att->attname);
		int			col;

		if (att->attisdropped)
			continue;
		col = tpch_column_lookup(table, name);
		if (col < 0)
		{
			const char **names = palloc(sizeof(char *) * ncols);
			const char *match;
			StringInfoData list;

			initStringInfo(&list);
			for (int c = 0; c < ncols; c++)
			{
				names[c] = cols[c].name;
				appendStringInfo(&list, "%s%s", c > 0 ? ", " : "", cols[c].name);
			}
			match = tpchgen_closest_match(name, names, ncols);
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of foreign table \"%s\" is not a column of TPC-H table %s",
							name, RelationGetRelationName(rel),
							tpch_table_name(table)),
					 match ? errhint("Perhaps you meant the column \"%s\".", match) :
					 errhint("The columns of %s are %s.", tpch_table_name(table),
							 list.data)));
		}
		if (!type_fits(&cols[col], att->atttypid, att->atttypmod))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of foreign table \"%s\" has type %s, which cannot hold its values",
							name, RelationGetRelationName(rel),
							format_type_with_typemod(att->atttypid,
													 att->atttypmod)),
					 errhint("Declare it as %s, the type of TPC-H column %s.%s.",
							 tpchgen_fdw_column_type(&cols[col]),
							 tpch_table_name(table), cols[col].name)));
	}
}

/*
 * The attribute number and type of the table's leading key, if the foreign
 * table declares it as an integer type (the only one its conditions are
 * pushed down for), else 0.  Nation and region are too small to need it.
 */
AttrNumber
tpchgen_fdw_key_attribute(Relation rel, tpch_table table, Oid *type)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			ncols;
	const char *key = tpch_columns(table, &ncols)[0].name;

	if (table == TPCH_REGION || table == TPCH_NATION)
		return 0;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), key) == 0 &&
			(att->atttypid == INT2OID || att->atttypid == INT4OID ||
			 att->atttypid == INT8OID))
		{
			*type = att->atttypid;
			return att->attnum;
		}
	}
	return 0;
}
