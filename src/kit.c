/*
 * kit.c - the SQL functions of the query kit: tpch_queries(), tpch_query(),
 * tpch_query_params(), tpch_answers() and tpch_check().
 *
 * Everything TPC-H about them (qgen's parameters, the stream order, the
 * query texts, the answers and the rules for comparing with them) comes from
 * the core, which the CLI shares; this file checks arguments, runs the
 * validation queries through SPI and turns the core's results into rows.
 */
#include "tpchgen_pg.h"

#include "../core/number.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "../core/answers.h"
#include "../core/qgen.h"
#include "../core/queries.h"

PG_FUNCTION_INFO_V1(tpch_queries);
PG_FUNCTION_INFO_V1(tpch_query);
PG_FUNCTION_INFO_V1(tpch_query_params);
PG_FUNCTION_INFO_V1(tpch_answers);
PG_FUNCTION_INFO_V1(tpch_check);

/* Argument n, which must not be NULL; the hint says what it takes. */
static void
require_arg(FunctionCallInfo fcinfo, int n, const char *name, const char *hint)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name),
				 errhint("%s", hint)));
}

#define HINT_QUERY_NR "The TPC-H queries are numbered 1 to 22."
#define HINT_SF "The scale factor must be a number above 0 and at most 100000."
#define HINT_STREAM "Stream 0 is the power test and stream s (1 or more) throughput stream s, as in qgen -p."
#define HINT_FORM "The forms are 'spec' (the specification's texts) and 'citus' (Q13, Q17, Q18, Q20 and Q22 in equivalent forms Citus can plan)."


static void
check_query_nr(int32 q)
{
	if (q < 1 || q > TPCH_NQUERIES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query number %d is out of range", q),
				 errhint(HINT_QUERY_NR)));
}

/* The scale factor argument n, as the data functions take it. */
static double
sf_arg(FunctionCallInfo fcinfo, int n)
{
	double		sf;

	require_arg(fcinfo, n, "sf", HINT_SF);
	sf = PG_GETARG_FLOAT8(n);
	tpchgen_check_args(sf, 1, 1);
	return sf;
}

/* The seed argument n: NULL selects the validation parameters. */
static int64
seed_arg(FunctionCallInfo fcinfo, int n)
{
	int64		seed;

	if (PG_ARGISNULL(n))
		return TPCH_SEED_VALIDATION;
	seed = PG_GETARG_INT64(n);
	switch (tpch_qgen_check_seed(seed))
	{
		case TPCH_QGEN_OK:
			break;
		case TPCH_ERR_SEED_ZERO:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("seed %lld gives no random parameters",
							(long long) seed),
					 errdetail("A multiple of 2147483647 leaves qgen's random streams at zero, where qgen never ends."),
					 errhint("Use another seed, or NULL for the validation parameters.")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("seed %lld is out of range", (long long) seed),
					 errhint("A seed is a whole number from 1 to %lld, as qgen's -r reads it; NULL gives the validation parameters.",
							 (long long) TPCH_SEED_MAX)));
	}
	return seed;
}

/* The query form argument n. */
static tpch_query_form
form_arg(FunctionCallInfo fcinfo, int n)
{
	tpch_query_form form;
	char	   *name;

	require_arg(fcinfo, n, "form", HINT_FORM);
	name = text_to_cstring(PG_GETARG_TEXT_PP(n));
	if (!tpch_query_form_parse(name, &form))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown query form \"%s\"", name),
				 errhint(HINT_FORM)));
	return form;
}

static tpch_qparams
params_of(int q, int64 seed, double sf)
{
	tpch_qparams p;

	if (tpch_qgen_params(q, seed, sf, &p) != TPCH_QGEN_OK)
		elog(ERROR, "qgen parameters of query %d failed", q);
	return p;
}

static text *
query_text(int q, int64 seed, double sf, tpch_query_form form)
{
	tpch_qparams p = params_of(q, seed, sf);
	char		buf[TPCH_QUERY_TEXT_MAX];

	if (tpch_query_text_form(&p, form, buf, sizeof(buf)) >= sizeof(buf))
		elog(ERROR, "text of query %d is too long", q);
	return cstring_to_text(buf);
}

/*
 * tpch_queries(stream int, seed bigint, sf float8, form text)
 *   RETURNS TABLE (position int, query_nr int, query text)
 */
Datum
tpch_queries(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		stream;
	int64		seed;
	double		sf;
	tpch_query_form form;

	require_arg(fcinfo, 0, "stream", HINT_STREAM);
	stream = PG_GETARG_INT32(0);
	if (stream < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stream %d is negative", stream),
				 errhint(HINT_STREAM)));
	seed = seed_arg(fcinfo, 1);
	sf = sf_arg(fcinfo, 2);
	form = form_arg(fcinfo, 3);

	InitMaterializedSRF(fcinfo, 0);
	for (int pos = 1; pos <= TPCH_NQUERIES; pos++)
	{
		int			q = tpch_qgen_stream_query(stream, pos);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum(pos);
		values[1] = Int32GetDatum(q);
		values[2] = PointerGetDatum(query_text(q, seed, sf, form));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* tpch_query(query_nr int, seed bigint, sf float8, form text) RETURNS text */
Datum
tpch_query(PG_FUNCTION_ARGS)
{
	int32		q;
	int64		seed;
	double		sf;

	require_arg(fcinfo, 0, "query_nr", HINT_QUERY_NR);
	q = PG_GETARG_INT32(0);
	check_query_nr(q);
	seed = seed_arg(fcinfo, 1);
	sf = sf_arg(fcinfo, 2);
	PG_RETURN_TEXT_P(query_text(q, seed, sf, form_arg(fcinfo, 3)));
}

/*
 * tpch_query_params(seed bigint, sf float8)
 *   RETURNS TABLE (query_nr int, params text[])
 *
 * The values of qgen's -l log, so under the validation parameters query 11
 * shows its fraction as 0.0001, as qgen -d logs it.
 */
Datum
tpch_query_params(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		seed = seed_arg(fcinfo, 0);
	double		sf = sf_arg(fcinfo, 1);

	InitMaterializedSRF(fcinfo, 0);
	for (int q = 1; q <= TPCH_NQUERIES; q++)
	{
		tpch_qparams p = params_of(q, seed, sf);
		char		line[TPCH_QGEN_MAXPARAMS * (TPCH_QGEN_PARAMLEN + 1) + 8];
		char	   *field,
				   *save;
		Datum		elems[TPCH_QGEN_MAXPARAMS];
		int			n = 0;
		Datum		values[2];
		bool		nulls[2] = {false, false};

		/* the log line is the source of truth for what qgen prints */
		tpch_qgen_log_line(&p, seed == TPCH_SEED_VALIDATION, line, sizeof(line));
		line[strcspn(line, "\n")] = '\0';
		strtok_r(line, "\t", &save);
		while ((field = strtok_r(NULL, "\t", &save)) != NULL)
			elems[n++] = CStringGetTextDatum(field);
		values[0] = Int32GetDatum(q);
		values[1] = PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
													TYPALIGN_INT));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* The stored answer of query q at an SF, or an error if there is none. */
static const char *
answer_of(int q, double sf)
{
	const char *a = tpch_answer(q, sf);

	if (a == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("there are no answers for scale factor %s",
						tpch_format_double(sf, palloc(TPCH_DOUBLE_BUFLEN))),
				 errhint("Answers are stored for scale factors 0.01, 0.1 and 1.")));
	return a;
}

/* tpch_answers(sf float8) RETURNS TABLE (query_nr int, answer text) */
Datum
tpch_answers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		sf = sf_arg(fcinfo, 0);

	/* an SF without answers is an error, not an empty set */
	answer_of(1, sf);
	InitMaterializedSRF(fcinfo, 0);
	for (int q = 1; q <= TPCH_NQUERIES; q++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = Int32GetDatum(q);
		values[1] = CStringGetTextDatum(answer_of(q, sf));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * Runs validation query q and returns its result in the answers' format,
 * or NULL with *detail set when it has the wrong number of columns.
 */
static char *
run_query(int q, double sf, tpch_query_form form, char **detail)
{
	text	   *sql = query_text(q, TPCH_SEED_VALIDATION, sf, form);
	int			ncols = tpch_answer_columns(q);
	StringInfoData out;
	char		buf[256];
	int			rc;

	rc = SPI_execute(text_to_cstring(sql), true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "validation query %d failed: %s", q, SPI_result_code_string(rc));
	if (SPI_tuptable->tupdesc->natts != ncols)
	{
		*detail = psprintf("the query returned %d columns, expected %d",
						   SPI_tuptable->tupdesc->natts, ncols);
		return NULL;
	}
	initStringInfo(&out);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int c = 0; c < ncols; c++)
		{
			char	   *v = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1);
			tpch_colkind kind = tpch_answer_column_kind(q, c);
			size_t		n;

			if (c > 0)
				appendStringInfoChar(&out, '|');
			if (v == NULL)
				continue;
			/* strings keep their text, trimmed; numbers are short */
			if (kind == TPCH_COL_STR)
				appendBinaryStringInfo(&out, v, tpch_answer_value(kind, v, strlen(v), NULL, 0));
			else
			{
				n = tpch_answer_value(kind, v, strlen(v), buf, sizeof(buf));
				appendBinaryStringInfo(&out, buf, Min(n, sizeof(buf) - 1));
			}
			pfree(v);
		}
		appendStringInfoChar(&out, '\n');
	}
	SPI_freetuptable(SPI_tuptable);
	return out.data;
}

/*
 * tpch_check(query_nr int, sf float8, form text)
 *   RETURNS TABLE (query_nr int, ok boolean, detail text)
 *
 * Runs the validation queries, in the texts of form, on the tables of
 * search_path, as the caller, and compares their results with
 * tpch_answers(sf).  detail is NULL when the result is the stored answer to
 * the character, and otherwise names the first row and column that differ
 * (ok stays true within the tolerances).
 */
Datum
tpch_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		only = 0;
	double		sf;
	tpch_query_form form;
	int			nestlevel;

	if (!PG_ARGISNULL(0))
	{
		only = PG_GETARG_INT32(0);
		check_query_nr(only);
	}
	sf = sf_arg(fcinfo, 1);
	form = form_arg(fcinfo, 2);
	/* an SF without answers fails before any query runs */
	answer_of(1, sf);

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();

	/*
	 * Dates as the answers print them, whatever the session's DateStyle; the
	 * setting is undone below, or by the abort of an error.
	 */
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("datestyle", "ISO", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	for (int q = 1; q <= TPCH_NQUERIES; q++)
	{
		char	   *detail = NULL;
		char	   *result;
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		bool		ok = false;

		if (only != 0 && q != only)
			continue;
		result = run_query(q, sf, form, &detail);
		if (result != NULL)
		{
			const char *expected = answer_of(q, sf);
			size_t		len = 512;
			tpch_cmp	cmp;

			detail = palloc(len);
			cmp = tpch_answer_compare(q, expected, result, detail, len);
			ok = cmp != TPCH_ANSWER_DIFFERENT;
			if (cmp == TPCH_ANSWER_SAME)
				detail = NULL;
			pfree(result);
		}
		values[0] = Int32GetDatum(q);
		values[1] = BoolGetDatum(ok);
		if (detail)
			values[2] = CStringGetTextDatum(detail);
		else
			nulls[2] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	AtEOXact_GUC(true, nestlevel);
	SPI_finish();
	return (Datum) 0;
}
