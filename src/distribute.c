/*
 * distribute.c - tpch_load_distributed(): a TPC-H database sharded over
 * postgres_fdw servers, each node generating and storing its own part.
 *
 * Node k of n runs tpch_load(part => k, parts => n) in a transaction of its
 * own, all nodes at once (libpq's asynchronous calls, one connection per
 * node, opened with the server's options and the caller's user mapping).
 * Meanwhile the coordinator loads nation and region locally and creates the
 * six other tables as partitioned tables whose partitions are foreign
 * tables on the nodes, with range bounds equal to the parts' key ranges
 * (core/partition.h), so no row crosses the network.
 *
 * All or nothing: the nodes' transactions stay open until the coordinator's
 * transaction commits, and are committed from its pre-commit callback (as
 * postgres_fdw commits its remote transactions).  An error, a cancel or an
 * abort anywhere before that closes every connection, after cancelling the
 * statements still running: the nodes roll back, and their tables vanish
 * with the coordinator's.  The connections live with the transaction (or
 * subtransaction) that opened them, whose memory context's reset callback
 * closes them, so a rolled-back savepoint closes them too.  What is not
 * covered: a node whose COMMIT fails after another node's succeeded (that
 * would need two-phase commit, and max_prepared_transactions is 0 by
 * default).
 *
 * The connections are libpq's own rather than dblink's or postgres_fdw's:
 * dblink would have to be installed in the coordinator's database and has
 * no hook at the coordinator's commit, and postgres_fdw keeps its
 * connections private.  Only postgres_fdw servers are accepted, since the
 * coordinator's partitions are postgres_fdw foreign tables on them.
 */
#include "tpchgen_pg.h"

#include "../core/partition.h"
#include "../core/schema.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/wait_event.h"

/* The tables a node stores a part of; nation and region are copied whole. */
static const tpch_table sharded_tables[] = {
	TPCH_SUPPLIER, TPCH_PART, TPCH_PARTSUPP, TPCH_CUSTOMER, TPCH_ORDERS,
	TPCH_LINEITEM,
};

#define NSHARDED lengthof(sharded_tables)

/* One node of a call. */
typedef struct DistNode
{
	char	   *server;			/* the foreign server's name */
	Oid			serverid;
	PGconn	   *conn;			/* NULL once closed */
	bool		busy;			/* its load statement is running */
	PGresult   *result;			/* the rows of its tpch_load */
} DistNode;

/* The nodes of one call, from the connect to the coordinator's commit. */
typedef struct DistCall
{
	int			nnodes;
	DistNode   *nodes;
	MemoryContextCallback cleanup;
	struct DistCall *next;		/* the transaction's other calls */
} DistCall;

/* The calls whose nodes wait for this transaction to commit. */
static DistCall *pending_calls = NULL;
static bool xact_callback_registered = false;

static void dist_xact_callback(XactEvent event, void *arg);
static void dist_call_cleanup(void *arg);
static void dist_close(DistNode *node, bool cancel);
static void dist_check_servers(DistCall *call, ArrayType *arr);
static void dist_connect(DistNode *node);
static char *dist_remote_schema(DistNode *node);
static void dist_send_load(DistNode *node, const char *fnschema, int k,
						   int n, const char *sf, const char *schema,
						   const char *keys, bool analyze,
						   const char *if_exists);
static void dist_wait(DistCall *call);
static void dist_report(DistNode *node, PGresult *res, int k, int n);
static void dist_spi_exec(const char *sql, int expected);

PG_FUNCTION_INFO_V1(tpch_load_distributed);

/*
 * tpch_load_distributed(sf, servers, schema, keys, analyze, if_exists)
 * RETURNS TABLE (server, table_name, rows, seconds)
 */
Datum
tpch_load_distributed(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		sf;
	char	   *schema;
	char	   *keys;
	bool		analyze;
	char	   *if_exists;
	const char *qschema;
	char	   *fnschema;
	char	   *sftext;
	DistCall   *call;
	MemoryContext callcxt;
	StringInfoData sql;
	Oid			nspid;
	char		ddl[4096];

	static const char *const argnames[] = {
		"sf", "servers", "schema", "keys", "analyze", "if_exists"
	};

	for (int i = 0; i < lengthof(argnames); i++)
		if (i != 1 && PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", argnames[i]),
					 errhint("Leave the argument out to take its default.")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("servers must not be null"),
				 errhint("Name the postgres_fdw servers of the nodes, as in servers => ARRAY['n1', 'n2'].")));

	sf = PG_GETARG_FLOAT8(0);
	schema = text_to_cstring(PG_GETARG_TEXT_PP(2));
	keys = text_to_cstring(PG_GETARG_TEXT_PP(3));
	analyze = PG_GETARG_BOOL(4);
	if_exists = text_to_cstring(PG_GETARG_TEXT_PP(5));

	tpchgen_check_args(sf, 1, 1);
	if (strcmp(keys, "none") != 0 && strcmp(keys, "primary") != 0 &&
		strcmp(keys, "foreign") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid keys value \"%s\"", keys),
				 errhint("The keys values are \"none\", \"primary\" and \"foreign\".")));
	if (strcmp(if_exists, "error") != 0 && strcmp(if_exists, "replace") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid if_exists value \"%s\"", if_exists),
				 errhint("The if_exists values are \"error\" and \"replace\".")));
	if (schema[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_NAME),
				 errmsg("schema must not be empty"),
				 errhint("Leave schema out to load into \"public\".")));

	/*
	 * The call's state lives as long as the (sub)transaction: its reset
	 * closes whatever connections the commit has not taken.
	 */
	callcxt = AllocSetContextCreate(CurTransactionContext,
									"tpch_load_distributed",
									ALLOCSET_SMALL_SIZES);
	call = MemoryContextAllocZero(callcxt, sizeof(DistCall));
	call->cleanup.func = dist_call_cleanup;
	call->cleanup.arg = call;
	MemoryContextRegisterResetCallback(callcxt, &call->cleanup);
	{
		MemoryContext old = MemoryContextSwitchTo(callcxt);

		dist_check_servers(call, PG_GETARG_ARRAYTYPE_P(1));
		MemoryContextSwitchTo(old);
	}
	if (strcmp(keys, "foreign") == 0 && call->nnodes > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("keys => 'foreign' needs a single server"),
				 errdetail("A node's orders refer to customers stored on other nodes."),
				 errhint("Use keys => 'primary'.")));

	/* Refuse existing tables before any node is touched. */
	nspid = get_namespace_oid(schema, true);
	if (OidIsValid(nspid) && strcmp(if_exists, "error") == 0)
		for (int t = 0; t < TPCH_NTABLES; t++)
			if (OidIsValid(get_relname_relid(tpch_table_name(t), nspid)))
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("relation \"%s.%s\" already exists",
								schema, tpch_table_name(t)),
						 errhint("Use if_exists => 'replace' to drop and load it again, or load into another schema.")));

	qschema = quote_identifier(schema);
	fnschema = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));
	sftext = DatumGetCString(DirectFunctionCall1(float8out, Float8GetDatum(sf)));

	/* Every node starts its part, then the coordinator does its share. */
	{
		MemoryContext old = MemoryContextSwitchTo(callcxt);

		for (int k = 0; k < call->nnodes; k++)
			dist_connect(&call->nodes[k]);
		for (int k = 0; k < call->nnodes; k++)
			dist_send_load(&call->nodes[k], dist_remote_schema(&call->nodes[k]),
						   k + 1, call->nnodes, sftext, schema, keys, analyze,
						   if_exists);
		MemoryContextSwitchTo(old);
	}
	if (!xact_callback_registered)
	{
		RegisterXactCallback(dist_xact_callback, NULL);
		xact_callback_registered = true;
	}
	call->next = pending_calls;
	pending_calls = call;

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	initStringInfo(&sql);

	/* nation and region: local copies, by tpch_load itself */
	appendStringInfo(&sql,
					 "SELECT table_name, rows, seconds FROM %s.tpch_load("
					 "sf => %s, schema => %s, tables => '{nation,region}', "
					 "keys => %s, \"analyze\" => %s, if_exists => %s)",
					 quote_identifier(fnschema), sftext,
					 quote_literal_cstr(schema), quote_literal_cstr(keys),
					 analyze ? "true" : "false", quote_literal_cstr(if_exists));
	dist_spi_exec(sql.data, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		Datum		values[4];
		bool		nulls[4] = {true, false, false, false};
		bool		isnull;

		for (int c = 0; c < 3; c++)
			values[c + 1] = SPI_getbinval(SPI_tuptable->vals[r],
										  SPI_tuptable->tupdesc, c + 1, &isnull);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	/* the six others: partitioned by the parts' key ranges */
	for (int i = 0; i < (int) NSHARDED; i++)
	{
		tpch_table	t = sharded_tables[i];
		const char *name = tpch_table_name(t);
		int			ncols;
		const tpch_column *cols = tpch_columns(t, &ncols);
		const char *keycol = cols[tpch_part_key_column(t)].name;

		if (strcmp(if_exists, "replace") == 0)
		{
			resetStringInfo(&sql);
			appendStringInfo(&sql, "DROP TABLE IF EXISTS %s.%s", qschema, name);
			dist_spi_exec(sql.data, SPI_OK_UTILITY);
		}
		if (tpch_sql_create_table(t, qschema, 0, ddl, sizeof(ddl)) >= sizeof(ddl))
			elog(ERROR, "DDL of table \"%s\" too long", name);
		resetStringInfo(&sql);
		appendStringInfo(&sql, "%s PARTITION BY RANGE (%s)", ddl, keycol);
		dist_spi_exec(sql.data, SPI_OK_UTILITY);

		for (int k = 0; k < call->nnodes; k++)
		{
			int64_t		lo,
						hi;

			if (tpch_part_key_range(t, sf, k + 1, call->nnodes, &lo, &hi) != TPCH_OK)
				elog(ERROR, "no key range for part %d of %d", k + 1, call->nnodes);

			/*
			 * No local statistics (postgres_fdw's ANALYZE would fetch every
			 * row): the planner asks the node for its estimates instead.
			 * Rows that must come here come in large batches, and the
			 * partitions of an Append are scanned on all nodes at once.
			 */
			resetStringInfo(&sql);
			appendStringInfo(&sql,
							 "CREATE FOREIGN TABLE %s.%s PARTITION OF %s.%s "
							 "FOR VALUES FROM (" INT64_FORMAT ") TO (" INT64_FORMAT ") "
							 "SERVER %s OPTIONS (schema_name %s, table_name %s, "
							 "use_remote_estimate 'true', fetch_size '10000', "
							 "async_capable 'true')",
							 qschema, quote_identifier(psprintf("%s_p%d", name, k + 1)),
							 qschema, name, (int64) lo, (int64) hi,
							 quote_identifier(call->nodes[k].server),
							 quote_literal_cstr(schema), quote_literal_cstr(name));
			dist_spi_exec(sql.data, SPI_OK_UTILITY);
		}
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();

	dist_wait(call);

	for (int k = 0; k < call->nnodes; k++)
	{
		DistNode   *node = &call->nodes[k];

		for (int r = 0; r < PQntuples(node->result); r++)
		{
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};

			values[0] = CStringGetTextDatum(node->server);
			values[1] = CStringGetTextDatum(PQgetvalue(node->result, r, 0));
			values[2] = DirectFunctionCall1(int8in,
											CStringGetDatum(PQgetvalue(node->result, r, 1)));
			values[3] = DirectFunctionCall1(float8in,
											CStringGetDatum(PQgetvalue(node->result, r, 2)));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/*
 * Fills call->nodes from the array of server names: each a postgres_fdw
 * server, named once, usable by the caller, with a user mapping.
 */
static void
dist_check_servers(DistCall *call, ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("servers must be a one-dimensional array"),
				 errhint("Name the postgres_fdw servers of the nodes, as in servers => ARRAY['n1', 'n2'].")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("servers must name at least one server"),
				 errhint("Name the postgres_fdw servers of the nodes, as in servers => ARRAY['n1', 'n2'].")));
	call->nnodes = n;
	call->nodes = palloc0(n * sizeof(DistNode));
	for (int k = 0; k < n; k++)
	{
		DistNode   *node = &call->nodes[k];
		ForeignServer *server;
		ForeignDataWrapper *fdw;

		if (nulls[k])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("servers must not contain nulls"),
					 errhint("Name the postgres_fdw servers of the nodes, as in servers => ARRAY['n1', 'n2'].")));
		node->server = TextDatumGetCString(elems[k]);
		server = GetForeignServerByName(node->server, true);
		if (server == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("server \"%s\" does not exist", node->server),
					 errhint("Create it with CREATE SERVER %s FOREIGN DATA WRAPPER postgres_fdw, and a user mapping for it.",
							 quote_identifier(node->server))));
		node->serverid = server->serverid;
		for (int j = 0; j < k; j++)
			if (call->nodes[j].serverid == node->serverid)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("server \"%s\" is named more than once",
								node->server),
						 errhint("Each node stores one part: name every server once.")));
		fdw = GetForeignDataWrapper(server->fdwid);
		if (strcmp(fdw->fdwname, "postgres_fdw") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("server \"%s\" is not a postgres_fdw server",
							node->server),
					 errdetail("Its foreign-data wrapper is \"%s\".", fdw->fdwname),
					 errhint("The coordinator's partitions are postgres_fdw foreign tables: name postgres_fdw servers.")));
		if (!SearchSysCacheExists2(USERMAPPINGUSERSERVER,
								   ObjectIdGetDatum(GetUserId()),
								   ObjectIdGetDatum(node->serverid)) &&
			!SearchSysCacheExists2(USERMAPPINGUSERSERVER,
								   ObjectIdGetDatum(InvalidOid),
								   ObjectIdGetDatum(node->serverid)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("no user mapping for user \"%s\" on server \"%s\"",
							GetUserNameFromId(GetUserId(), false), node->server),
					 errhint("Create one with CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (user '...').",
							 quote_identifier(node->server))));
	}
}

/*
 * Opens a connection to a node with the libpq options of its server and of
 * the caller's user mapping.  As postgres_fdw, a caller who is not a
 * superuser must have given a password that the node asked for: else the
 * connection would run as the coordinator's operating-system user.
 */
static void
dist_connect(DistNode *node)
{
	ForeignServer *server = GetForeignServer(node->serverid);
	UserMapping *um = GetUserMapping(GetUserId(), node->serverid);
	PQconninfoOption *defaults = PQconndefaults();
	List	   *options = list_concat(list_copy(server->options), um->options);
	const char **keywords;
	const char **values;
	int			n = 0;
	ListCell   *lc;

	if (defaults == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	keywords = palloc((list_length(options) + 3) * sizeof(char *));
	values = palloc((list_length(options) + 3) * sizeof(char *));
	foreach(lc, options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);
		bool		libpq_option = false;

		/* libpq's options, but those the connection itself decides */
		for (PQconninfoOption *o = defaults; o->keyword; o++)
			if (strcmp(o->keyword, d->defname) == 0)
				libpq_option = true;
		if (!libpq_option || strcmp(d->defname, "replication") == 0 ||
			strcmp(d->defname, "client_encoding") == 0 ||
			strcmp(d->defname, "fallback_application_name") == 0)
			continue;
		keywords[n] = d->defname;
		values[n] = defGetString(d);
		n++;
	}
	PQconninfoFree(defaults);
	keywords[n] = "fallback_application_name";
	values[n++] = "tpchgen";
	keywords[n] = "client_encoding";
	values[n++] = GetDatabaseEncodingName();
	keywords[n] = NULL;
	values[n] = NULL;

	node->conn = PQconnectdbParams(keywords, values, false);
	if (node->conn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (PQstatus(node->conn) != CONNECTION_OK)
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to server \"%s\"", node->server),
				 errdetail_internal("%s", pchomp(PQerrorMessage(node->conn))),
				 errhint("Check the options of the server and of the user mapping.")));
	if (!superuser() && !PQconnectionUsedPassword(node->conn))
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required to connect to server \"%s\"",
						node->server),
				 errdetail("Non-superusers must connect with a password that the node asks for."),
				 errhint("Set a password in the user mapping, and have the node's pg_hba.conf ask for it.")));
}

/* The schema of the tpchgen extension on a node, quoted. */
static char *
dist_remote_schema(DistNode *node)
{
	PGresult   *res;
	char	   *schema;

	res = PQexec(node->conn,
				 "SELECT pg_catalog.quote_ident(n.nspname) "
				 "FROM pg_catalog.pg_extension e "
				 "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
				 "WHERE e.extname = 'tpchgen'");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		dist_report(node, res, 0, 0);
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"tpchgen\" is not installed on server \"%s\"",
						node->server),
				 errhint("Run CREATE EXTENSION tpchgen in the database the server connects to.")));
	}
	schema = pstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return schema;
}

/* Starts the node's tpch_load in a transaction that stays open. */
static void
dist_send_load(DistNode *node, const char *fnschema, int k, int n,
			   const char *sf, const char *schema, const char *keys,
			   bool analyze, const char *if_exists)
{
	PGresult   *res;
	char	   *sql;
	char		part[16],
				parts[16];
	const char *params[7];

	res = PQexec(node->conn, "BEGIN");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		dist_report(node, res, k, n);
	PQclear(res);

	snprintf(part, sizeof(part), "%d", k);
	snprintf(parts, sizeof(parts), "%d", n);
	params[0] = sf;
	params[1] = schema;
	params[2] = keys;
	params[3] = analyze ? "true" : "false";
	params[4] = if_exists;
	params[5] = part;
	params[6] = parts;
	sql = psprintf("SELECT table_name, rows, seconds FROM %s.tpch_load("
				   "sf => $1::float8, schema => $2::text, keys => $3::text, "
				   "\"analyze\" => $4::boolean, if_exists => $5::text, "
				   "part => $6::bigint, parts => $7::bigint)", fnschema);
	if (!PQsendQueryParams(node->conn, sql, 7, NULL, params, NULL, NULL, 0))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not send the load to server \"%s\"", node->server),
				 errdetail_internal("%s", pchomp(PQerrorMessage(node->conn)))));
	node->busy = true;
}

/*
 * Waits for every node's load, without blocking interrupts: the first
 * node to fail fails the call (and so cancels the others).
 */
static void
dist_wait(DistCall *call)
{
	for (;;)
	{
		pgsocket	sock = PGINVALID_SOCKET;

		for (int k = 0; k < call->nnodes; k++)
		{
			DistNode   *node = &call->nodes[k];

			if (!node->busy)
				continue;
			if (!PQconsumeInput(node->conn))
				dist_report(node, NULL, k + 1, call->nnodes);
			while (node->busy && !PQisBusy(node->conn))
			{
				PGresult   *res = PQgetResult(node->conn);

				if (res == NULL)
					node->busy = false;
				else if (PQresultStatus(res) != PGRES_TUPLES_OK)
					dist_report(node, res, k + 1, call->nnodes);
				else
				{
					if (node->result)
						PQclear(node->result);
					node->result = res;
				}
			}
			if (node->busy && sock == PGINVALID_SOCKET)
				sock = PQsocket(node->conn);
		}
		if (sock == PGINVALID_SOCKET)
			break;

		/* one node's socket, and a short timeout for the others' */
		if (WaitLatchOrSocket(MyLatch,
							  WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT |
							  WL_EXIT_ON_PM_DEATH,
							  sock, 100L, PG_WAIT_EXTENSION) & WL_LATCH_SET)
			ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Raises a node's error as the coordinator's, with the node named. */
static void
dist_report(DistNode *node, PGresult *res, int k, int n)
{
	const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char	   *message;
	char	   *detail = NULL;
	char	   *hint = NULL;
	char	   *context;
	int			code = ERRCODE_CONNECTION_FAILURE;

	if (sqlstate && strlen(sqlstate) == 5)
		code = MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2],
							 sqlstate[3], sqlstate[4]);
	message = pstrdup(primary ? primary : pchomp(PQerrorMessage(node->conn)));
	if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL))
		detail = pstrdup(PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_HINT))
		hint = pstrdup(PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
	if (res)
		PQclear(res);
	context = k > 0 ?
		psprintf("loading part %d of %d on server \"%s\"", k, n, node->server) :
		psprintf("on server \"%s\"", node->server);
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", message),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 errcontext("%s", context)));
}

static void
dist_spi_exec(const char *sql, int expected)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc != expected)
		elog(ERROR, "SPI_execute failed (%d): %s", rc, sql);
}

/* Closes a node's connection; its open transaction rolls back. */
static void
dist_close(DistNode *node, bool cancel)
{
	if (node->conn == NULL)
		return;
	if (cancel && node->busy)
	{
		PGcancel   *c = PQgetCancel(node->conn);
		char		errbuf[256];

		if (c)
		{
			PQcancel(c, errbuf, sizeof(errbuf));
			PQfreeCancel(c);
		}
	}
	PQfinish(node->conn);
	node->conn = NULL;
	node->busy = false;
}

/*
 * The call's memory goes with its (sub)transaction: whatever is still open
 * then was not committed, so it is rolled back.
 */
static void
dist_call_cleanup(void *arg)
{
	DistCall   *call = (DistCall *) arg;

	for (DistCall **p = &pending_calls; *p; p = &(*p)->next)
		if (*p == call)
		{
			*p = call->next;
			break;
		}
	for (int k = 0; k < call->nnodes; k++)
	{
		dist_close(&call->nodes[k], true);
		if (call->nodes[k].result)
		{
			PQclear(call->nodes[k].result);
			call->nodes[k].result = NULL;
		}
	}
}

/* Commits the nodes just before the coordinator commits. */
static void
dist_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			while (pending_calls)
			{
				DistCall   *call = pending_calls;

				for (int k = 0; k < call->nnodes; k++)
				{
					DistNode   *node = &call->nodes[k];
					PGresult   *res;

					if (node->conn == NULL)
						continue;
					res = PQexec(node->conn, "COMMIT");
					if (PQresultStatus(res) != PGRES_COMMAND_OK)
						dist_report(node, res, 0, 0);
					PQclear(res);
					dist_close(node, false);
				}
				pending_calls = call->next;
			}
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (pending_calls)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot prepare a transaction that ran tpch_load_distributed"),
						 errhint("Commit the transaction instead.")));
			break;
		default:
			break;
	}
}
