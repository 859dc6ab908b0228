/*
 * run.c - tpchgen run: the TPC-H power and throughput tests over libpq.
 *
 * Power test: RF1, the 22 queries of stream 0 in its order, RF2, on one
 * connection.  Throughput test: S query streams at once, each on its own
 * connection in its permutation order with seed0 + s (spec 5.3.4 and
 * 2.1.3.3), beside a refresh stream of S RF1/RF2 pairs.  The queries come
 * from the core (qgen's parameters, our PostgreSQL text), the refresh rows
 * from the core's update sets: the server needs no extension and no files.
 *
 * Metrics (spec 5.4): Power@Size = 3600 SF / geometric mean of the 22 query
 * and 2 refresh intervals; Throughput@Size = S 22 3600 / Ts x SF; QphH@Size =
 * sqrt(Power x Throughput).  A failed or timed-out query makes the metric
 * invalid but the run goes on; a lost connection ends the run.
 */
#include "client.h"
#include "../core/answers.h"
#include "../core/qgen.h"
#include "../core/queries.h"
#include "../core/update.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_STREAMS 64
#define REPORT_FORMAT 1

typedef enum step_status
{
	STEP_NOT_RUN = 0,
	STEP_OK,
	STEP_FAILED,
	STEP_TIMEOUT,
	STEP_WRONG					/* --validate: the answer differs */
} step_status;

static const char *const status_names[] = {"not run", "ok", "failed", "timeout", "wrong answer"};

typedef struct step
{
	int			query;			/* 1..22, or 0 for a refresh function */
	double		seconds;
	step_status status;
	char	   *error;			/* malloc'd, or NULL */
} step;

typedef struct stream_run
{
	int64_t		seed;
	step		steps[TPCH_NQUERIES];	/* in the stream's order */
	double		start,
				end;
} stream_run;

typedef struct refresh_pair
{
	int64_t		set;
	step		rf1,
				rf2;
} refresh_pair;

typedef struct run_options
{
	client_conninfo ci;
	double		sf;
	const char *sf_text;
	int			streams;
	int64_t		seed;
	int			seed_given;
	int			power_only;
	int			no_refresh;
	int			validate;
	const char *report;
	int			timeout;
	const char *schema;
	tpch_query_form form;
	int			progress;
} run_options;

typedef struct run_state
{
	run_options *o;
	struct timespec t0;
	int64_t		first_set;
	stream_run	power;
	refresh_pair power_rf;
	stream_run	tput[MAX_STREAMS];
	refresh_pair tput_rf[MAX_STREAMS];
	double		ts;				/* throughput test's measurement interval */
	step		validation[TPCH_NQUERIES];
	int			validated;
	pthread_mutex_t lock;
	char	   *fatal;			/* a lost connection: the run stops */
	char	   *server_version;
	char	   *settings_json;
	char		started[32];
} run_state;

static volatile sig_atomic_t interrupted;

/* Every connection's cancel handle, so that Ctrl-C stops the running queries too. */
static PGcancel *volatile cancels[MAX_STREAMS + 2];
static volatile sig_atomic_t ncancels;

static void
on_signal(int sig)
{
	char		err[64];

	interrupted = 1;
	/* PQcancel is safe in a signal handler */
	for (int i = 0; i < ncancels; i++)
		if (cancels[i])
			PQcancel(cancels[i], err, sizeof(err));
	(void) sig;
}

static double
now_s(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
usage(FILE *out)
{
	fprintf(out,
			"Usage: %s run --sf SF [OPTION]... [CONNECTION OPTION]...\n"
			"Run the TPC-H power and throughput tests against a loaded database and\n"
			"compute Power@Size, Throughput@Size and QphH@Size; the server needs no extension.\n"
			"\n"
			"  --sf SF             scale factor of the loaded database\n"
			"  --streams S         query streams of the throughput test (default 2)\n"
			"  --seed SEED         seed of the power test; stream s uses SEED + s\n"
			"                      (default: the time now as mmddhhmmss, as qgen's users do)\n"
			"  --power-only        run the power test alone\n"
			"  --no-refresh        run no refresh functions (the metrics are then not TPC-H's)\n"
			"  --validate          first run the 22 queries with the validation parameters\n"
			"                      and check their answers (SF 0.01, 0.1 and 1)\n"
			"  --report FILE       write every timing and the metrics to FILE as JSON\n"
			"  --timeout SECONDS   cancel a query after this long (it counts as failed)\n"
			"  --schema NAME       the schema of the tables (default public)\n"
			"  --form FORM         the query texts: spec (default) or citus, equivalent texts\n"
			"                      of Q13, Q17, Q18, Q20 and Q22 that Citus can plan\n"
			"  --progress          print each step as it ends even when stderr is not a terminal\n"
			"  --no-progress       never print steps as they end\n"
			"\n"
			"Connection options (libpq's PG* environment variables fill in the rest):\n"
			"  -d, --dbname=DBNAME   database name, connection string or URI\n"
			"  -h, --host=HOST       server host or socket directory\n"
			"  -p, --port=PORT       server port\n"
			"  -U, --username=USER   user name\n"
			"\n"
			"Exit status: 0 for a valid run, 2 when a query failed, timed out or gave a wrong\n"
			"answer (the report is written, marked invalid), 1 for an error that stopped the run.\n"
			"\n"
			"Example: %s run --sf 1 --streams 2 --report run.json -d tpch\n",
			client_progname, client_progname);
}

static void
parse_run_args(int argc, char **argv, run_options *o)
{
	enum
	{
		OPT_SF = 256, OPT_STREAMS, OPT_SEED, OPT_POWER, OPT_NO_REFRESH, OPT_VALIDATE,
		OPT_REPORT, OPT_TIMEOUT, OPT_SCHEMA, OPT_FORM, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_HELP
	};
	static const struct option longopts[] = {
		{"sf", required_argument, NULL, OPT_SF},
		{"streams", required_argument, NULL, OPT_STREAMS},
		{"seed", required_argument, NULL, OPT_SEED},
		{"power-only", no_argument, NULL, OPT_POWER},
		{"no-refresh", no_argument, NULL, OPT_NO_REFRESH},
		{"validate", no_argument, NULL, OPT_VALIDATE},
		{"report", required_argument, NULL, OPT_REPORT},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"schema", required_argument, NULL, OPT_SCHEMA},
		{"form", required_argument, NULL, OPT_FORM},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
		{"dbname", required_argument, NULL, 'd'},
		{"host", required_argument, NULL, 'h'},
		{"port", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'U'},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	int			c;
	int			err;

	memset(o, 0, sizeof(*o));
	o->streams = 2;
	o->schema = "public";
	o->progress = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:h:p:U:", longopts, NULL)) != -1)
	{
		if (client_conn_option(&o->ci, c, optarg))
			continue;
		switch (c)
		{
			case OPT_SF:
				o->sf_text = optarg;
				break;
			case OPT_STREAMS:
				o->streams = (int) client_parse_int("--streams", optarg, 1, MAX_STREAMS);
				break;
			case OPT_SEED:
				/* decimal, leading zeros allowed, as qgen reads -r */
				o->seed = client_parse_int("--seed", optarg, 1, TPCH_SEED_MAX - MAX_STREAMS);
				o->seed_given = 1;
				break;
			case OPT_POWER:
				o->power_only = 1;
				break;
			case OPT_NO_REFRESH:
				o->no_refresh = 1;
				break;
			case OPT_VALIDATE:
				o->validate = 1;
				break;
			case OPT_REPORT:
				o->report = optarg;
				break;
			case OPT_TIMEOUT:
				o->timeout = (int) client_parse_int("--timeout", optarg, 1, 2147483);
				break;
			case OPT_SCHEMA:
				o->schema = optarg;
				break;
			case OPT_FORM:
				if (!tpch_query_form_parse(optarg, &o->form))
					client_fail("--form: unknown query form \"%s\" (spec or citus)", optarg);
				break;
			case OPT_PROGRESS:
				o->progress = 1;
				break;
			case OPT_NO_PROGRESS:
				o->progress = 0;
				break;
			case OPT_HELP:
				usage(stdout);
				exit(0);
			default:
				client_option_error(c, argv, "run");
		}
	}
	client_finish_options(argc, argv, "run", o->sf_text, &o->sf);
	err = tpch_check_sf(o->sf);
	if (err != TPCH_OK)
		client_fail("--sf: %s", tpch_strerror(err));
	if (o->validate && tpch_answer(1, o->sf) == NULL)
		client_fail("--validate: answers exist only at SF 0.01, 0.1 and 1, not %s", o->sf_text);
	if (!o->no_refresh && tpch_update_rows(o->sf) == 0)
		client_fail("--sf: at SF %s an update set has no rows; add --no-refresh", o->sf_text);
	if (o->report)
	{
		/* fail now, not after an hour of queries */
		struct stat st;
		char	   *dir = strdup(o->report);
		char	   *slash = dir ? strrchr(dir, '/') : NULL;

		if (dir == NULL)
			client_fail("out of memory");
		if (slash)
			*slash = '\0';
		if (stat(slash ? (dir[0] ? dir : "/") : ".", &st) != 0 || !S_ISDIR(st.st_mode))
			client_fail("--report: the directory of \"%s\" does not exist", o->report);
		free(dir);
	}
	if (o->progress < 0)
		o->progress = isatty(STDERR_FILENO);
	if (!o->seed_given)
	{
		/* the spec's seed0 is a time stamp written mmddhhmmss */
		time_t		t = time(NULL);
		struct tm	tm;

		localtime_r(&t, &tm);
		o->seed = (int64_t) (tm.tm_mon + 1) * 100000000 + tm.tm_mday * 1000000 +
			tm.tm_hour * 10000 + tm.tm_min * 100 + tm.tm_sec;
	}
}

/* ------------------------------------------------------------------------
 * Steps
 * ------------------------------------------------------------------------ */

static void
set_fatal(run_state *r, const char *msg)
{
	pthread_mutex_lock(&r->lock);
	if (r->fatal == NULL)
		r->fatal = strdup(msg);
	pthread_mutex_unlock(&r->lock);
}

static PGconn *
stream_connect(run_state *r, const char *what)
{
	PGconn	   *conn = client_connect(&r->o->ci, what);
	char		sql[256];
	char	   *schema = client_quote_ident(conn, r->o->schema);

	snprintf(sql, sizeof(sql), "SET search_path = %s", schema);
	client_exec(conn, sql);
	free(schema);
	if (r->o->timeout)
	{
		snprintf(sql, sizeof(sql), "SET statement_timeout = '%ds'", r->o->timeout);
		client_exec(conn, sql);
	}
	/* called by the main thread only, before the streams start */
	if (ncancels < (int) (sizeof(cancels) / sizeof(cancels[0])))
	{
		cancels[ncancels] = PQgetCancel(conn);
		ncancels++;
	}
	return conn;
}

/* Records how a statement ended; returns 0 if the connection is lost. */
static int
finish_step(run_state *r, PGconn *conn, PGresult *res, step *s)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
	{
		s->status = STEP_OK;
		return 1;
	}
	if (PQstatus(conn) == CONNECTION_BAD)
	{
		char		msg[1200];

		snprintf(msg, sizeof(msg), "lost the connection to the server: %s", client_errmsg(conn));
		set_fatal(r, msg);
		s->status = STEP_FAILED;
		s->error = strdup("connection lost");
		return 0;
	}
	{
		const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		s->status = code && strcmp(code, "57014") == 0 ? STEP_TIMEOUT : STEP_FAILED;
		s->error = strdup(m ? m : client_errmsg(conn));
	}
	return 1;
}

static void
show_step(run_state *r, const char *who, const step *s, int64_t set)
{
	if (!r->o->progress)
		return;
	pthread_mutex_lock(&r->lock);
	if (s->query)
		fprintf(stderr, "%s: Q%d %.3f s%s%s\n", who, s->query, s->seconds,
				s->status == STEP_OK ? "" : " ", s->status == STEP_OK ? "" : status_names[s->status]);
	else
		fprintf(stderr, "%s: RF%d (set %lld) %.3f s%s%s\n", who, (int) set > 0 ? 1 : 2,
				(long long) (set > 0 ? set : -set), s->seconds,
				s->status == STEP_OK ? "" : " ", s->status == STEP_OK ? "" : status_names[s->status]);
	pthread_mutex_unlock(&r->lock);
}

/* The result in the answers' format: rows of values joined by '|'. */
static char *
result_text(int q, PGresult *res)
{
	int			nrows = PQntuples(res);
	int			ncols = PQnfields(res);
	size_t		cap = 4096,
				len = 0;
	char	   *out = malloc(cap);

	if (out == NULL)
		client_fail("out of memory");
	for (int i = 0; i < nrows; i++)
		for (int c = 0; c < ncols; c++)
		{
			const char *v = PQgetvalue(res, i, c);
			size_t		vlen = (size_t) PQgetlength(res, i, c);
			tpch_colkind kind = c < tpch_answer_columns(q) ? tpch_answer_column_kind(q, c) : TPCH_COL_STR;

			while (len + vlen + 64 > cap)
			{
				cap *= 2;
				out = realloc(out, cap);
				if (out == NULL)
					client_fail("out of memory");
			}
			len += tpch_answer_value(kind, v, vlen, out + len, cap - len);
			out[len++] = c + 1 < ncols ? '|' : '\n';
		}
	out[len] = '\0';
	return out;
}

/* Runs query q with the parameters of seed (TPCH_SEED_VALIDATION too). */
static int
run_query(run_state *r, PGconn *conn, int q, int64_t seed, step *s, int check)
{
	tpch_qparams p;
	char		sql[TPCH_QUERY_TEXT_MAX];
	PGresult   *res;
	double		t;
	int			alive;

	s->query = q;
	if (tpch_qgen_params(q, seed, r->o->sf, &p) != TPCH_QGEN_OK)
		client_fail("no parameters for query %d and seed %lld", q, (long long) seed);
	tpch_query_text_form(&p, r->o->form, sql, sizeof(sql));
	t = now_s(&r->t0);
	res = PQexec(conn, sql);
	s->seconds = now_s(&r->t0) - t;
	alive = finish_step(r, conn, res, s);
	if (check && s->status == STEP_OK)
	{
		char	   *got = result_text(q, res);
		char		detail[512];

		if (tpch_answer_compare(q, tpch_answer(q, r->o->sf), got, detail, sizeof(detail)) ==
			TPCH_ANSWER_DIFFERENT)
		{
			s->status = STEP_WRONG;
			s->error = strdup(detail);
		}
		free(got);
	}
	PQclear(res);
	return alive;
}

/* Sends a set's rows of one table with COPY; returns the COPY's result. */
static PGresult *
copy_update(run_state *r, PGconn *conn, tpch_table t, int64_t set)
{
	tpch_gen	g;
	tpch_row	row;
	char		sql[64];
	char	   *buf;
	size_t		len;
	int			rc;
	PGresult   *res;
	const char *err = NULL;

	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN (FORMAT binary)", tpch_table_name(t));
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return res;
	PQclear(res);
	buf = malloc(256 * 1024);
	if (buf == NULL)
		client_fail("out of memory");
	tpch_update_init(&g, t, TPCH_INSERTS, r->o->sf, set, 1, 1);
	len = copybin_header(buf);
	while ((rc = tpch_gen_next(&g, &row)) == 1)
	{
		len += copybin_row(t, &row, buf + len);
		if (len > 256 * 1024 - COPYBIN_MAX_ROW)
		{
			if (PQputCopyData(conn, buf, (int) len) != 1)
				break;
			len = 0;
		}
	}
	if (rc < 0)
		err = tpch_update_strerror(-rc);
	else
	{
		len += copybin_trailer(buf + len);
		PQputCopyData(conn, buf, (int) len);
	}
	PQputCopyEnd(conn, err);
	free(buf);
	res = PQgetResult(conn);
	{
		PGresult   *extra;

		while ((extra = PQgetResult(conn)) != NULL)
			PQclear(extra);
	}
	return res ? res : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
}

/*
 * RF1: the set's new orders and their lines in one transaction; RF2: the
 * set's old orders and their lines deleted in one transaction.
 */
static int
run_refresh(run_state *r, PGconn *conn, int which, int64_t set, step *s)
{
	PGresult   *res = NULL;
	double		t = now_s(&r->t0);
	int			alive = 1;

	s->query = 0;
	if (which == 1)
	{
		static const tpch_table tables[2] = {TPCH_ORDERS, TPCH_LINEITEM};

		res = PQexec(conn, "BEGIN");
		for (int i = 0; i < 2 && PQresultStatus(res) == PGRES_COMMAND_OK; i++)
		{
			PQclear(res);
			res = copy_update(r, conn, tables[i], set);
		}
	}
	else
	{
		tpch_gen	g;
		tpch_row	row;
		size_t		cap = 4096,
					len = 0;
		char	   *keys = malloc(cap);
		const char *params[1];

		if (keys == NULL)
			client_fail("out of memory");
		tpch_update_init(&g, TPCH_ORDERS, TPCH_DELETES, r->o->sf, set, 1, 1);
		tpch_gen_set_columns(&g, 1);
		keys[len++] = '{';
		while (tpch_gen_next(&g, &row) == 1)
		{
			if (len + 32 > cap)
			{
				cap *= 2;
				keys = realloc(keys, cap);
				if (keys == NULL)
					client_fail("out of memory");
			}
			len += (size_t) snprintf(keys + len, cap - len, "%s%lld", len > 1 ? "," : "",
									 (long long) row.orders.o_orderkey);
		}
		keys[len++] = '}';
		keys[len] = '\0';
		params[0] = keys;
		res = PQexec(conn, "BEGIN");
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
		{
			PQclear(res);
			res = PQexecParams(conn, "DELETE FROM lineitem WHERE l_orderkey = ANY ($1::bigint[])",
							   1, NULL, params, NULL, NULL, 0);
		}
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
		{
			PQclear(res);
			res = PQexecParams(conn, "DELETE FROM orders WHERE o_orderkey = ANY ($1::bigint[])",
							   1, NULL, params, NULL, NULL, 0);
		}
		free(keys);
	}
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
	{
		PQclear(res);
		res = PQexec(conn, "COMMIT");
	}
	s->seconds = now_s(&r->t0) - t;
	alive = finish_step(r, conn, res, s);
	PQclear(res);
	if (s->status != STEP_OK && alive)
		PQclear(PQexec(conn, "ROLLBACK"));
	show_step(r, "refresh", s, which == 1 ? set : -set);
	return alive;
}

/* ------------------------------------------------------------------------
 * The tests
 * ------------------------------------------------------------------------ */

typedef struct stream_arg
{
	run_state  *r;
	int			stream;			/* 1..S; 0 for the refresh stream */
	PGconn	   *conn;
	pthread_t	thread;
} stream_arg;

static void
run_stream(run_state *r, PGconn *conn, int stream, stream_run *sr)
{
	char		who[32];

	snprintf(who, sizeof(who), stream ? "stream %d" : "power", stream);
	sr->start = now_s(&r->t0);
	for (int pos = 1; pos <= TPCH_NQUERIES; pos++)
	{
		step	   *s = &sr->steps[pos - 1];

		if (interrupted || r->fatal)
			break;
		if (!run_query(r, conn, tpch_qgen_stream_query(stream, pos), sr->seed, s, 0))
			break;
		show_step(r, who, s, 0);
	}
	sr->end = now_s(&r->t0);
}

static void *
stream_thread(void *arg)
{
	stream_arg *a = arg;
	run_state  *r = a->r;

	if (a->stream > 0)
		run_stream(r, a->conn, a->stream, &r->tput[a->stream - 1]);
	else
		for (int i = 0; i < r->o->streams && !interrupted && !r->fatal; i++)
		{
			refresh_pair *p = &r->tput_rf[i];

			if (!run_refresh(r, a->conn, 1, p->set, &p->rf1))
				break;
			if (!run_refresh(r, a->conn, 2, p->set, &p->rf2))
				break;
		}
	return NULL;
}

/*
 * The first update set whose new orders are not in the database yet: a
 * database on which earlier runs applied sets 1..k goes on with k + 1.
 */
static int64_t
first_free_set(run_state *r, PGconn *conn)
{
	for (int64_t set = 1; set <= TPCH_UPDATE_SET_MAX - MAX_STREAMS; set++)
	{
		tpch_gen	g;
		tpch_row	row;
		char		sql[128];
		PGresult   *res;
		int			found;

		tpch_update_init(&g, TPCH_ORDERS, TPCH_INSERTS, r->o->sf, set, 1, 1);
		tpch_gen_set_columns(&g, 1);
		if (tpch_gen_next(&g, &row) != 1)
			client_fail("update set %lld has no rows", (long long) set);
		snprintf(sql, sizeof(sql), "SELECT 1 FROM orders WHERE o_orderkey = %lld",
				 (long long) row.orders.o_orderkey);
		res = client_query(conn, sql);
		found = PQntuples(res) > 0;
		PQclear(res);
		if (!found)
			return set;
	}
	client_fail("every update set has been applied to this database: load it again");
}

/* Refuses, with a hint, to run without the eight tables. */
static void
check_tables(run_state *r, PGconn *conn)
{
	const char *params[1] = {r->o->schema};
	PGresult   *res = PQexecParams(conn,
								   "SELECT t FROM unnest('{region,nation,supplier,part,partsupp,customer,"
								   "orders,lineitem}'::text[]) t WHERE NOT EXISTS (SELECT 1 FROM pg_class c "
								   "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 "
								   "AND c.relname = t)",
								   1, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		client_fail("%s", client_errmsg(conn));
	if (PQntuples(res) > 0)
		client_fail("table \"%s.%s\" does not exist (load the database first: %s load --sf %s)",
					r->o->schema, PQgetvalue(res, 0, 0), client_progname, r->o->sf_text);
	PQclear(res);
}

static void
read_server(run_state *r, PGconn *conn)
{
	static const char *const names[] = {
		"server_version", "max_parallel_workers_per_gather", "max_parallel_workers",
		"max_worker_processes", "work_mem", "shared_buffers", "effective_cache_size",
		"jit", "random_page_cost", "maintenance_work_mem"
	};
	size_t		cap = 2048,
				len = 0;

	r->settings_json = malloc(cap);
	if (r->settings_json == NULL)
		client_fail("out of memory");
	len += (size_t) snprintf(r->settings_json, cap, "{");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	{
		char		sql[128];
		PGresult   *res;

		snprintf(sql, sizeof(sql), "SELECT current_setting('%s')", names[i]);
		res = client_query(conn, sql);
		len += (size_t) snprintf(r->settings_json + len, cap - len, "%s\"%s\": \"%s\"",
								 i ? ", " : "", names[i], PQgetvalue(res, 0, 0));
		if (i == 0)
			r->server_version = strdup(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	snprintf(r->settings_json + len, cap - len, "}");
}

/* ------------------------------------------------------------------------
 * Metrics and output
 * ------------------------------------------------------------------------ */

typedef struct metrics
{
	double		power;
	double		throughput;
	double		qphh;
	int			valid;
	int			adjusted;		/* short intervals raised to max/1000 */
} metrics;

static int
step_ok(const step *s)
{
	return s->status == STEP_OK;
}

/* Whether a step that ran did not succeed. */
static int
any_failed(const run_state *r)
{
	int			ns = r->o->power_only ? 0 : r->o->streams;

	for (int s = 0; s <= ns; s++)
	{
		const stream_run *sr = s == 0 ? &r->power : &r->tput[s - 1];
		const refresh_pair *p = s == 0 ? &r->power_rf : &r->tput_rf[s - 1];

		for (int i = 0; i < TPCH_NQUERIES; i++)
			if (sr->steps[i].status > STEP_OK)
				return 1;
		if (p->rf1.status > STEP_OK || p->rf2.status > STEP_OK)
			return 1;
	}
	return 0;
}

static void
compute_metrics(run_state *r, metrics *m)
{
	double		t[TPCH_NQUERIES + 2];
	int			n = 0;
	double		max = 0,
				logsum = 0;

	memset(m, 0, sizeof(*m));
	m->valid = !r->o->no_refresh;
	for (int i = 0; i < TPCH_NQUERIES; i++)
	{
		const step *s = &r->power.steps[i];

		if (!step_ok(s))
			m->valid = 0;
		t[n++] = s->seconds;
	}
	if (!r->o->no_refresh)
	{
		if (!step_ok(&r->power_rf.rf1) || !step_ok(&r->power_rf.rf2))
			m->valid = 0;
		t[n++] = r->power_rf.rf1.seconds;
		t[n++] = r->power_rf.rf2.seconds;
	}
	/* spec 5.4.1.4: no interval counts as less than the longest / 1000 */
	for (int i = 0; i < n; i++)
		if (t[i] > max)
			max = t[i];
	for (int i = 0; i < n; i++)
	{
		if (t[i] < max / 1000)
		{
			t[i] = max / 1000;
			m->adjusted = 1;
		}
		logsum += log(t[i] > 0 ? t[i] : 1e-6);
	}
	m->power = 3600.0 * r->o->sf / exp(logsum / n);
	if (!r->o->power_only)
	{
		for (int s = 0; s < r->o->streams; s++)
		{
			for (int i = 0; i < TPCH_NQUERIES; i++)
				if (!step_ok(&r->tput[s].steps[i]))
					m->valid = 0;
			if (!r->o->no_refresh &&
				(!step_ok(&r->tput_rf[s].rf1) || !step_ok(&r->tput_rf[s].rf2)))
				m->valid = 0;
		}
		m->throughput = r->ts > 0 ? r->o->streams * 22 * 3600.0 / r->ts * r->o->sf : 0;
		m->qphh = sqrt(m->power * m->throughput);
	}
}

static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
json_step(FILE *f, const step *s, int64_t set)
{
	fprintf(f, "{");
	if (s->query)
		fprintf(f, "\"query\": %d, ", s->query);
	else
		fprintf(f, "\"set\": %lld, ", (long long) set);
	fprintf(f, "\"seconds\": %.6f, \"status\": ", s->seconds);
	json_string(f, status_names[s->status]);
	if (s->error)
	{
		fprintf(f, ", \"error\": ");
		json_string(f, s->error);
	}
	fprintf(f, "}");
}

static void
json_stream(FILE *f, const stream_run *sr, int stream)
{
	fprintf(f, "{\"stream\": %d, \"seed\": %lld, \"seconds\": %.6f, \"queries\": [", stream,
			(long long) sr->seed, sr->end - sr->start);
	for (int i = 0; i < TPCH_NQUERIES; i++)
	{
		fprintf(f, "%s\n      ", i ? "," : "");
		json_step(f, &sr->steps[i], 0);
	}
	fprintf(f, "]}");
}

/* The report, written to a temporary name and renamed: never half-written. */
static void
write_report(run_state *r, const metrics *m)
{
	char		tmp[4096];
	FILE	   *f;
	int			fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", r->o->report);
	fd = mkstemp(tmp);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		client_fail("--report: could not create a file beside \"%s\": %s", r->o->report,
					strerror(errno));
	fprintf(f, "{\n  \"format\": \"tpchgen-run\",\n  \"format_version\": %d,\n", REPORT_FORMAT);
	fprintf(f, "  \"started\": \"%s\",\n  \"sf\": %.17g,\n  \"streams\": %d,\n", r->started,
			r->o->sf, r->o->power_only ? 0 : r->o->streams);
	fprintf(f, "  \"seed\": %lld,\n  \"power_only\": %s,\n  \"refresh\": %s,\n",
			(long long) r->o->seed, r->o->power_only ? "true" : "false",
			r->o->no_refresh ? "false" : "true");
	fprintf(f, "  \"timeout\": %d,\n  \"query_form\": \"%s\",\n  \"server\": {\"version\": ",
			r->o->timeout, r->o->form == TPCH_FORM_CITUS ? "citus" : "spec");
	json_string(f, r->server_version);
	fprintf(f, ", \"settings\": %s},\n", r->settings_json);
	if (r->validated)
	{
		fprintf(f, "  \"validation\": [");
		for (int i = 0; i < TPCH_NQUERIES; i++)
		{
			fprintf(f, "%s\n    ", i ? "," : "");
			json_step(f, &r->validation[i], 0);
		}
		fprintf(f, "],\n");
	}
	fprintf(f, "  \"power\": {\"stream\": ");
	json_stream(f, &r->power, 0);
	if (!r->o->no_refresh)
	{
		fprintf(f, ",\n    \"rf1\": ");
		json_step(f, &r->power_rf.rf1, r->power_rf.set);
		fprintf(f, ",\n    \"rf2\": ");
		json_step(f, &r->power_rf.rf2, r->power_rf.set);
	}
	fprintf(f, "},\n");
	if (!r->o->power_only)
	{
		fprintf(f, "  \"throughput\": {\"seconds\": %.6f, \"streams\": [", r->ts);
		for (int s = 0; s < r->o->streams; s++)
		{
			fprintf(f, "%s\n    ", s ? "," : "");
			json_stream(f, &r->tput[s], s + 1);
		}
		fprintf(f, "],\n    \"refresh\": [");
		for (int s = 0; s < r->o->streams && !r->o->no_refresh; s++)
		{
			fprintf(f, "%s\n      {\"rf1\": ", s ? "," : "");
			json_step(f, &r->tput_rf[s].rf1, r->tput_rf[s].set);
			fprintf(f, ", \"rf2\": ");
			json_step(f, &r->tput_rf[s].rf2, r->tput_rf[s].set);
			fprintf(f, "}");
		}
		fprintf(f, "]},\n");
	}
	fprintf(f, "  \"metrics\": {\"power_at_size\": %.2f", m->power);
	if (!r->o->power_only)
		fprintf(f, ", \"throughput_at_size\": %.2f, \"qphh_at_size\": %.2f", m->throughput,
				m->qphh);
	fprintf(f, ", \"valid\": %s, \"short_intervals_raised\": %s}\n}\n",
			m->valid ? "true" : "false", m->adjusted ? "true" : "false");
	if (fflush(f) != 0 || fsync(fd) != 0 || ferror(f))
	{
		int			e = errno;

		fclose(f);
		unlink(tmp);
		client_fail("--report: could not write \"%s\": %s", tmp, strerror(e));
	}
	fclose(f);
	if (rename(tmp, r->o->report) != 0)
	{
		int			e = errno;

		unlink(tmp);
		client_fail("--report: could not rename \"%s\" to \"%s\": %s", tmp, r->o->report,
					strerror(e));
	}
}

static void
print_cell(const step *s)
{
	if (s->status == STEP_OK)
		printf(" %9.3f", s->seconds);
	else if (s->status == STEP_NOT_RUN)
		printf(" %9s", "-");
	else
		printf(" %9s", s->status == STEP_TIMEOUT ? "timeout" : s->status == STEP_WRONG ? "wrong" : "failed");
}

static void
print_table(run_state *r, const metrics *m)
{
	int			ns = r->o->power_only ? 0 : r->o->streams;

	printf("%-6s %9s", "", "power");
	for (int s = 1; s <= ns; s++)
		printf(" %8s%d", "stream ", s);
	printf("\n");
	for (int q = 1; q <= TPCH_NQUERIES; q++)
	{
		printf("Q%-5d", q);
		for (int s = 0; s <= ns; s++)
		{
			const stream_run *sr = s == 0 ? &r->power : &r->tput[s - 1];

			for (int i = 0; i < TPCH_NQUERIES; i++)
				if (sr->steps[i].query == q)
					print_cell(&sr->steps[i]);
		}
		printf("\n");
	}
	if (!r->o->no_refresh)
		for (int which = 1; which <= 2; which++)
		{
			printf("RF%-4d", which);
			print_cell(which == 1 ? &r->power_rf.rf1 : &r->power_rf.rf2);
			for (int s = 0; s < ns; s++)
				print_cell(which == 1 ? &r->tput_rf[s].rf1 : &r->tput_rf[s].rf2);
			printf("\n");
		}
	if (r->validated)
	{
		int			ok = 0;

		for (int i = 0; i < TPCH_NQUERIES; i++)
			ok += r->validation[i].status == STEP_OK;
		printf("\nvalidation: %d of 22 queries gave the expected answer\n", ok);
		for (int i = 0; i < TPCH_NQUERIES; i++)
			if (r->validation[i].status != STEP_OK)
				printf("  Q%d: %s%s%s\n", i + 1, status_names[r->validation[i].status],
					   r->validation[i].error ? ": " : "",
					   r->validation[i].error ? r->validation[i].error : "");
	}
	printf("\nscale factor %s, seed %lld, update sets %lld..%lld\n", r->o->sf_text,
		   (long long) r->o->seed, (long long) r->first_set,
		   (long long) (r->first_set + (r->o->power_only || r->o->no_refresh ? 0 : ns)));
	printf("Power@Size      %12.2f\n", m->power);
	if (!r->o->power_only)
	{
		printf("Throughput@Size %12.2f  (Ts = %.3f s)\n", m->throughput, r->ts);
		printf("QphH@Size       %12.2f\n", m->qphh);
	}
	if (!m->valid)
		printf("the metrics are not valid: %s\n",
			   r->o->no_refresh ? "the refresh functions did not run" :
			   "a query or refresh function failed, timed out or gave a wrong answer");
	if (m->adjusted)
		printf("(intervals shorter than the longest / 1000 were raised to it, as the "
			   "specification says)\n");
}

int
tpchgen_run_main(int argc, char **argv)
{
	run_options o;
	run_state	r;
	PGconn	   *conn;
	metrics		m;
	int			bad = 0;

	parse_run_args(argc, argv, &o);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	pthread_mutex_init(&r.lock, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	{
		time_t		t = time(NULL);
		struct tm	tm;

		gmtime_r(&t, &tm);
		strftime(r.started, sizeof(r.started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}

	conn = stream_connect(&r, "run");
	check_tables(&r, conn);
	read_server(&r, conn);
	if (o.validate)
	{
		for (int q = 1; q <= TPCH_NQUERIES && !interrupted && !r.fatal; q++)
		{
			run_query(&r, conn, q, TPCH_SEED_VALIDATION, &r.validation[q - 1], 1);
			show_step(&r, "validation", &r.validation[q - 1], 0);
			if (r.validation[q - 1].status != STEP_OK)
				bad = 1;
		}
		r.validated = 1;
		if (r.fatal)
			client_fail("%s", r.fatal);
	}
	if (!o.no_refresh)
	{
		/* RF1's comments are cut from the text pool */
		int			err = tpch_pool_init_threads(2);

		if (err != TPCH_OK)
			client_fail("%s", tpch_strerror(err));
		r.first_set = first_free_set(&r, conn);
		r.power_rf.set = r.first_set;
		for (int s = 0; s < o.streams; s++)
			r.tput_rf[s].set = r.first_set + 1 + s;
	}

	/* power test */
	r.power.seed = o.seed;
	if (!o.no_refresh)
		run_refresh(&r, conn, 1, r.power_rf.set, &r.power_rf.rf1);
	if (!r.fatal)
		run_stream(&r, conn, 0, &r.power);
	if (!o.no_refresh && !r.fatal && !interrupted)
		run_refresh(&r, conn, 2, r.power_rf.set, &r.power_rf.rf2);

	/* throughput test */
	if (!o.power_only && !r.fatal && !interrupted)
	{
		stream_arg	a[MAX_STREAMS + 1];
		double		start;
		int			n = o.streams + (o.no_refresh ? 0 : 1);

		for (int i = 0; i < n; i++)
		{
			a[i].r = &r;
			a[i].stream = i < o.streams ? i + 1 : 0;
			a[i].conn = stream_connect(&r, a[i].stream ? "stream" : "refresh");
			if (a[i].stream)
				r.tput[i].seed = o.seed + a[i].stream;
		}
		start = now_s(&r.t0);
		for (int i = 0; i < n; i++)
			if (pthread_create(&a[i].thread, NULL, stream_thread, &a[i]) != 0)
				client_fail("could not start a thread");
		for (int i = 0; i < n; i++)
			pthread_join(a[i].thread, NULL);
		r.ts = now_s(&r.t0) - start;
		for (int i = 0; i < n; i++)
			PQfinish(a[i].conn);
	}
	if (interrupted)
		client_fail("interrupted: no report written");
	if (r.fatal)
		client_fail("%s", r.fatal);

	compute_metrics(&r, &m);
	print_table(&r, &m);
	if (o.report)
		write_report(&r, &m);
	PQfinish(conn);
	return bad || any_failed(&r) ? 2 : 0;
}
