/*
 * load.c - tpchgen load: fill a PostgreSQL database over libpq.
 *
 * The client generates the rows and sends them with COPY ... FROM STDIN in
 * PostgreSQL's binary format over --jobs connections at once, so the server
 * parses no text.  Nothing half-made is ever visible: the tables are created
 * and filled in a staging schema of their own, get their keys and statistics
 * there, and are moved into the target schema in one transaction at the end
 * (replacing the old tables there, with --if-exists replace).  A failure or
 * an interrupt drops the staging schema; only a client killed outright can
 * leave one behind (named tpchgen_load_*, safe to drop).
 */
#include "client.h"
#include "../core/schema.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/*
 * COPY data sent per PQputCopyData.  libpq copies it into its own buffer and
 * the kernel into the socket's: small enough that all three stay in the
 * core's cache (256 kB cost the client ~9% more CPU).  With the message's
 * 5-byte header it is a multiple of 8 kB, so libpq, which sends whole 8 kB
 * blocks and keeps the rest for later, sends each message in one send() and
 * the server is woken once for it (rows straddle messages: COPY's stream is
 * a stream of bytes).
 */
#define SEND_BYTES (32 * 1024 - 5)
#define MAX_JOBS 64

/* how often the WAL writer is woken during the copy (see nudge_wal_writer) */
#define NUDGE_MS 10

/* rows generated, and their comments fetched, at a time (see copy_chunk) */
#define BATCH 8

typedef enum keys_mode
{
	KEYS_NONE,
	KEYS_PRIMARY,
	KEYS_FOREIGN
} keys_mode;

typedef struct load_options
{
	client_conninfo ci;
	double		sf;
	const char *sf_text;
	int			jobs;
	keys_mode	keys;
	const char *keys_text;
	const char *schema;
	int			replace;
	int64_t		part;
	int64_t		parts;
	int			tables[TPCH_NTABLES];	/* 1: load it */
	const char *tables_text;
	int			server_side;
	int			progress;		/* -1: on a terminal */
	int			analyze;
	int			pool_cache;
} load_options;

/* One COPY: group rows [first, first + count) of a table. */
typedef struct chunk
{
	tpch_table	table;
	int64_t		first;
	int64_t		count;
} chunk;

typedef struct table_state
{
	int			chunk_next;		/* its chunks not yet taken, under lock */
	int			chunk_end;
	int			filling;		/* jobs on one of its chunks, under lock */
	int64_t		group_total;
	_Atomic int64_t group_done;
	_Atomic int64_t rows;
	double		seconds;		/* until its last chunk ended */
} table_state;

typedef struct loader
{
	load_options *o;
	char	   *staging;		/* quoted staging schema */
	char	   *target;			/* quoted target schema */
	chunk	   *chunks;
	int			nchunks;
	tpch_table	order[TPCH_NTABLES];	/* the tables, biggest first */
	int			ntables;
	_Atomic int failed;
	pthread_mutex_t lock;
	pthread_cond_t finished;	/* signalled as each job ends */
	int			running;		/* jobs not ended, under lock */
	char	   *error;			/* the first error, under lock */
	table_state tables[TPCH_NTABLES];
	struct timespec start;
} loader;

static volatile sig_atomic_t interrupted;
static PGcancel *volatile cancels[MAX_JOBS + 1];

static void
on_signal(int sig)
{
	char		err[64];

	interrupted = 1;
	/* PQcancel is safe in a signal handler: stop what the server is doing */
	for (int i = 0; i <= MAX_JOBS; i++)
		if (cancels[i])
			PQcancel(cancels[i], err, sizeof(err));
	(void) sig;
}

static double
elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - since->tv_sec) + (now.tv_nsec - since->tv_nsec) / 1e9;
}

static void
set_error(loader *l, const char *msg)
{
	pthread_mutex_lock(&l->lock);
	if (l->error == NULL)
		l->error = strdup(msg);
	l->failed = 1;
	pthread_mutex_unlock(&l->lock);
}

static void
usage(FILE *out)
{
	fprintf(out,
			"Usage: %s load --sf SF [OPTION]... [CONNECTION OPTION]...\n"
			"Create the eight TPC-H tables on a PostgreSQL server and fill them over libpq\n"
			"(COPY in binary format); the server needs no extension.\n"
			"\n"
			"  --sf SF               scale factor (as for the generator)\n"
			"  --jobs N              connections loading at once (default 1)\n"
			"  --keys MODE           none, primary (default) or foreign (primary and foreign)\n"
			"  --no-analyze          skip ANALYZE after the load\n"
			"  --no-pool-cache       build the text pool instead of mapping the copy kept\n"
			"                        in $XDG_CACHE_HOME/tpchgen (default ~/.cache/tpchgen),\n"
			"                        and keep none\n"
			"  --schema NAME         target schema, created if missing (default public)\n"
			"  --if-exists MODE      error (default): refuse if a table exists;\n"
			"                        replace: drop the existing tables at the end\n"
			"  --tables LIST         comma-separated subset of the tables (default all)\n"
			"  --part K --parts N    load part K of N of the scaled tables (nation and\n"
			"                        region whole), as dbgen -C N -S K\n"
			"  --server-side         call tpch_load() on the server (needs the extension)\n"
			"  --progress            show progress even when stderr is not a terminal\n"
			"  --no-progress         never show progress\n"
			"\n"
			"Connection options (libpq's PG* environment variables fill in the rest):\n"
			"  -d, --dbname=DBNAME   database name, connection string or URI\n"
			"  -h, --host=HOST       server host or socket directory\n"
			"  -p, --port=PORT       server port\n"
			"  -U, --username=USER   user name\n"
			"\n"
			"Example: %s load --sf 1 --jobs 2 -d postgresql://localhost/tpch\n",
			client_progname, client_progname);
}

static void
parse_tables(load_options *o, const char *list)
{
	char	   *copy = strdup(list);
	char	   *save = NULL;

	if (copy == NULL)
		client_fail("out of memory");
	memset(o->tables, 0, sizeof(o->tables));
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
	{
		int			t = tpch_table_lookup(tok);

		if (t < 0)
			client_fail("--tables: unknown table \"%s\" (expected region, nation, supplier, "
						"part, partsupp, customer, orders or lineitem)", tok);
		o->tables[t] = 1;
	}
	free(copy);
}

static void
parse_load_args(int argc, char **argv, load_options *o)
{
	enum
	{
		OPT_SF = 256, OPT_JOBS, OPT_KEYS, OPT_SCHEMA, OPT_IF_EXISTS, OPT_PART, OPT_PARTS,
		OPT_TABLES, OPT_SERVER, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_NO_ANALYZE, OPT_NO_POOL_CACHE,
		OPT_HELP
	};
	static const struct option longopts[] = {
		{"sf", required_argument, NULL, OPT_SF},
		{"jobs", required_argument, NULL, OPT_JOBS},
		{"keys", required_argument, NULL, OPT_KEYS},
		{"schema", required_argument, NULL, OPT_SCHEMA},
		{"if-exists", required_argument, NULL, OPT_IF_EXISTS},
		{"part", required_argument, NULL, OPT_PART},
		{"parts", required_argument, NULL, OPT_PARTS},
		{"tables", required_argument, NULL, OPT_TABLES},
		{"server-side", no_argument, NULL, OPT_SERVER},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
		{"no-analyze", no_argument, NULL, OPT_NO_ANALYZE},
		{"no-pool-cache", no_argument, NULL, OPT_NO_POOL_CACHE},
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
	o->jobs = 1;
	o->keys = KEYS_PRIMARY;
	o->keys_text = "primary";
	o->schema = "public";
	o->part = 1;
	o->parts = 1;
	o->progress = -1;
	o->analyze = 1;
	o->pool_cache = 1;
	for (int t = 0; t < TPCH_NTABLES; t++)
		o->tables[t] = 1;
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
			case OPT_JOBS:
				o->jobs = (int) client_parse_int("--jobs", optarg, 1, MAX_JOBS);
				break;
			case OPT_KEYS:
				o->keys_text = optarg;
				if (strcmp(optarg, "none") == 0)
					o->keys = KEYS_NONE;
				else if (strcmp(optarg, "primary") == 0)
					o->keys = KEYS_PRIMARY;
				else if (strcmp(optarg, "foreign") == 0)
					o->keys = KEYS_FOREIGN;
				else
					client_fail("--keys: unknown value \"%s\" (expected none, primary or foreign)",
								optarg);
				break;
			case OPT_SCHEMA:
				if (optarg[0] == '\0')
					client_fail("--schema: the name is empty");
				o->schema = optarg;
				break;
			case OPT_IF_EXISTS:
				if (strcmp(optarg, "error") == 0)
					o->replace = 0;
				else if (strcmp(optarg, "replace") == 0)
					o->replace = 1;
				else
					client_fail("--if-exists: unknown value \"%s\" (expected error or replace)",
								optarg);
				break;
			case OPT_PART:
				o->part = client_parse_int("--part", optarg, INT64_MIN, INT64_MAX);
				break;
			case OPT_PARTS:
				o->parts = client_parse_int("--parts", optarg, INT64_MIN, INT64_MAX);
				break;
			case OPT_TABLES:
				o->tables_text = optarg;
				parse_tables(o, optarg);
				break;
			case OPT_SERVER:
				o->server_side = 1;
				break;
			case OPT_PROGRESS:
				o->progress = 1;
				break;
			case OPT_NO_PROGRESS:
				o->progress = 0;
				break;
			case OPT_NO_ANALYZE:
				o->analyze = 0;
				break;
			case OPT_NO_POOL_CACHE:
				o->pool_cache = 0;
				break;
			case OPT_HELP:
				usage(stdout);
				exit(0);
			default:
				client_option_error(c, argv, "load");
		}
	}
	client_finish_options(argc, argv, "load", o->sf_text, &o->sf);
	err = tpch_check_args(o->sf, o->part, o->parts);
	if (err == TPCH_ERR_PART)
		client_fail("--part: %lld is outside 1..%lld", (long long) o->part, (long long) o->parts);
	if (err != TPCH_OK)
		client_fail("--%s: %s", err == TPCH_ERR_PARTS ? "parts" : "sf", tpch_strerror(err));
	if (o->progress < 0)
		o->progress = isatty(STDERR_FILENO);
}

/* ------------------------------------------------------------------------
 * Table definitions
 * ------------------------------------------------------------------------ */

static size_t
append(char *buf, size_t cap, size_t len, const char *fmt,...) __attribute__((format(printf, 4, 5)));

static size_t
append(char *buf, size_t cap, size_t len, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (len >= cap)
		client_fail("a statement is too long");
	va_start(ap, fmt);
	n = vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= cap - len)
		client_fail("a statement is too long");
	return len + (size_t) n;
}

/* ------------------------------------------------------------------------
 * The load
 * ------------------------------------------------------------------------ */

/* Cuts the tables into COPY chunks, biggest tables first. */
static void
plan_chunks(loader *l)
{
	static const tpch_table order[TPCH_NTABLES] = {
		TPCH_LINEITEM, TPCH_ORDERS, TPCH_PARTSUPP, TPCH_PART, TPCH_CUSTOMER,
		TPCH_SUPPLIER, TPCH_NATION, TPCH_REGION
	};
	load_options *o = l->o;
	int			cap = 64;

	l->chunks = malloc(sizeof(chunk) * cap);
	if (l->chunks == NULL)
		client_fail("out of memory");
	for (int i = 0; i < TPCH_NTABLES; i++)
	{
		tpch_table	t = order[i];
		int64_t		first,
					count,
					per = 0;

		if (!o->tables[t])
			continue;
		l->order[l->ntables++] = t;
		l->tables[t].chunk_next = l->nchunks;
		tpch_part_range(t, o->sf, o->part, o->parts, &first, &count);
		l->tables[t].group_total = count;

		/*
		 * Chunks shrinking as the table goes (a share of what is left, not
		 * below 20000 groups, a fraction of a second), so that the jobs end
		 * within a small chunk of each other and no core idles long at the
		 * end.
		 */
		for (int64_t f = first; f < first + count; f += per)
		{
			per = o->jobs == 1 ? count : (first + count - f) / (2 * o->jobs);
			if (per < 20000)
				per = 20000;
			if (l->nchunks == cap)
			{
				cap *= 2;
				l->chunks = realloc(l->chunks, sizeof(chunk) * cap);
				if (l->chunks == NULL)
					client_fail("out of memory");
			}
			l->chunks[l->nchunks].table = t;
			l->chunks[l->nchunks].first = f;
			l->chunks[l->nchunks].count = f + per <= first + count ? per : first + count - f;
			l->nchunks++;
		}
		l->tables[t].chunk_end = l->nchunks;
	}
}

/*
 * The next chunk for a job that has finished one of table done (or -1), or
 * -1 when none is left: the biggest table that no other job is filling, and
 * only when every table left is being filled, the biggest of those.  Two
 * connections on one table queue for its extension lock and its WAL
 * flushes; on different tables each keeps its core busy.
 */
static int
take_chunk(loader *l, int done)
{
	int			pick = -1;

	pthread_mutex_lock(&l->lock);
	if (done >= 0)
		l->tables[done].filling--;
	for (int pass = 0; pass < 2 && pick < 0; pass++)
		for (int i = 0; i < l->ntables && pick < 0; i++)
		{
			table_state *ts = &l->tables[l->order[i]];

			if (ts->chunk_next < ts->chunk_end && (pass == 1 || ts->filling == 0))
			{
				pick = ts->chunk_next++;
				ts->filling++;
			}
		}
	pthread_mutex_unlock(&l->lock);
	return pick;
}

/* The comments of a table: where in tpch_row the strings cut from the pool are. */
typedef struct pooled_columns
{
	int			n;
	uint32_t	offset[4];
} pooled_columns;

static void
find_pooled(tpch_table t, pooled_columns *pc)
{
	int			ncols;
	const tpch_column *cols = tpch_columns(t, &ncols);
	uint64_t	mask = tpch_pool_columns(t);

	pc->n = 0;
	for (int i = 0; i < ncols && pc->n < 4; i++)
		if (mask & ((uint64_t) 1 << i))
			pc->offset[pc->n++] = cols[i].offset;
}

/*
 * Up to BATCH rows into rows[], *rc the last tpch_gen_next's result; then
 * the first and last byte of each of their comments is prefetched, all in
 * a row (a prefetch never faults: a comment that is not in the pool costs
 * nothing).  Returns the rows made.
 */
static int
gen_batch(tpch_gen *g, const pooled_columns *pc, tpch_row *rows, int *rc)
{
	int			n = 0;

	while (*rc == 1 && n < BATCH && (*rc = tpch_gen_next(g, &rows[n])) == 1)
		n++;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < pc->n; c++)
		{
			const tpch_str *s = (const tpch_str *) ((const char *) &rows[i] + pc->offset[c]);

			__builtin_prefetch(s->ptr);
			__builtin_prefetch(s->ptr + s->len - 1);
		}
	return n;
}

/* Sends one chunk with COPY; returns an error message (malloc'd) or NULL. */
static char *
copy_chunk(loader *l, PGconn *conn, const chunk *ch, char *buf)
{
	table_state *ts = &l->tables[ch->table];
	char		sql[256];
	PGresult   *res;
	tpch_gen	g;
	pooled_columns pc;
	tpch_row	ring[2][BATCH];
	int			have[2];
	int			stop = 0;
	size_t		len;
	int64_t		rows = 0;
	int64_t		group_reported = 0;
	int			rc = 1;
	char	   *err = NULL;

	snprintf(sql, sizeof(sql), "COPY %s.%s FROM STDIN (FORMAT binary)", l->staging,
			 tpch_table_name(ch->table));
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		PQclear(res);
		return strdup(client_errmsg(conn));
	}
	PQclear(res);

	tpch_gen_init(&g, ch->table, l->o->sf, l->o->part, l->o->parts);
	tpch_gen_seek(&g, ch->first, ch->count);
	len = copybin_header(buf);

	/*
	 * Rows are made a batch at a time, and a batch is encoded while the
	 * next one's comments come in: each comment starts at a random spot of
	 * the 300 MiB pool, so it is a cache miss, which the prefetch starts
	 * long before the copy.  The prefetches of a batch are issued together
	 * (not by the generator, one per row as it draws each): that cost the
	 * client ~25% less CPU at SF 1 (1.97 -> 1.51 s, medians of 3); perf put
	 * the time at the prefetch instructions themselves, so it is likely the
	 * address translations that now overlap.  A row's strings point into
	 * the pool, static data or the row itself, so rows can wait in the ring.
	 */
	tpch_gen_set_prefetch(&g, 0);
	find_pooled(ch->table, &pc);
	have[0] = gen_batch(&g, &pc, ring[0], &rc);
	for (int cur = 0; have[cur] > 0 && !stop; cur ^= 1)
	{
		have[cur ^ 1] = gen_batch(&g, &pc, ring[cur ^ 1], &rc);
		for (int i = 0; i < have[cur]; i++)
		{
			len += copybin_row(ch->table, &ring[cur][i], buf + len);
			rows++;
			if (len >= SEND_BYTES)
			{
				int64_t		group = g.row - ch->first;

				if (interrupted || l->failed || PQputCopyData(conn, buf, SEND_BYTES) != 1)
				{
					stop = 1;
					break;
				}
				len -= SEND_BYTES;
				memcpy(buf, buf + SEND_BYTES, len);
				ts->group_done += group - group_reported;
				group_reported = group;
			}
		}
	}
	if (rc < 0)
		err = strdup(tpch_strerror(-rc));
	else if (interrupted || l->failed)
		err = strdup(interrupted ? "interrupted" : "another job failed");
	if (err)
		PQputCopyEnd(conn, err);
	else
	{
		len += copybin_trailer(buf + len);
		if (PQputCopyData(conn, buf, (int) len) != 1 || PQputCopyEnd(conn, NULL) != 1)
			err = strdup(client_errmsg(conn));
	}
	while ((res = PQgetResult(conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK && err == NULL)
		{
			const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			err = strdup(m ? m : client_errmsg(conn));
		}
		PQclear(res);
	}
	if (err == NULL)
	{
		ts->group_done += ch->count - group_reported;
		ts->rows += rows;
		ts->seconds = elapsed(&l->start);
	}
	return err;
}

typedef struct worker
{
	loader	   *l;
	int			id;
	PGconn	   *conn;
	pthread_t	thread;
} worker;

static void *
copy_worker(void *arg)
{
	worker	   *w = arg;
	loader	   *l = w->l;
	char	   *buf = malloc(SEND_BYTES + COPYBIN_MAX_ROW);

	if (buf == NULL)
	{
		set_error(l, "out of memory");
		return NULL;
	}
	for (int done = -1;;)
	{
		int			i = take_chunk(l, done);
		char	   *err;

		if (i < 0 || l->failed || interrupted)
			break;
		done = l->chunks[i].table;
		err = copy_chunk(l, w->conn, &l->chunks[i], buf);
		if (err)
		{
			set_error(l, err);
			free(err);
			break;
		}
	}
	free(buf);
	pthread_mutex_lock(&l->lock);
	l->running--;
	pthread_cond_signal(&l->finished);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/*
 * Wakes the server's WAL writer: a transaction that commits asynchronously
 * (it has an xid, so it writes a commit record) sets the WAL writer's latch,
 * and the WAL writer writes and flushes the WAL made since its last round.
 * The copies make WAL fast (some 200 MB/s at SF 1 on two cores) and, without
 * commits, the WAL writer wakes only every wal_writer_delay (200 ms by
 * default); a backend that reuses a page of COPY's ring whose WAL is not yet
 * flushed must then flush it itself, tens of MB at once, holding the WAL
 * write lock while every other backend soon waits for it.  Flushed by the
 * WAL writer a few MB at a time, the WAL is on disk before a backend needs
 * it: the cores stood idle half as long over an SF 1 load with two
 * connections (1.31 -> 0.67 core-seconds, medians of 6).  Durability is
 * unchanged: the nudge commits nothing, and the load becomes visible only
 * by the final, synchronous commit.  Returns 0 if the nudge failed (not tried again).
 */
static int
nudge_wal_writer(PGconn *conn)
{
	char	   *err = client_try_exec(conn, "BEGIN; SET LOCAL synchronous_commit = off; "
									  "SELECT txid_current(); COMMIT");

	if (err == NULL)
		return 1;
	free(err);
	/* out of the failed transaction, for the statements to come */
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		free(client_try_exec(conn, "ROLLBACK"));
	return 0;
}

static void
show_progress(loader *l, int final)
{
	static const tpch_table order[TPCH_NTABLES] = {
		TPCH_REGION, TPCH_NATION, TPCH_SUPPLIER, TPCH_PART, TPCH_PARTSUPP,
		TPCH_CUSTOMER, TPCH_ORDERS, TPCH_LINEITEM
	};
	char		line[512];
	size_t		len = 0;
	int64_t		rows = 0;
	double		s = elapsed(&l->start);

	for (int i = 0; i < TPCH_NTABLES; i++)
	{
		tpch_table	t = order[i];
		table_state *ts = &l->tables[t];

		if (!l->o->tables[t])
			continue;
		rows += ts->rows;
		len = append(line, sizeof(line), len, "%s %d%% ", tpch_table_name(t),
					 ts->group_total ? (int) (100 * ts->group_done / ts->group_total) : 100);
	}
	len = append(line, sizeof(line), len, "| %.1f s, %.0f rows/s", s, s > 0 ? rows / s : 0.0);
	fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
	fflush(stderr);
}

/*
 * Runs statements (one per table) over the workers' connections, as many at
 * once as there are connections, handing the next one to whichever finishes.
 */
static void
run_per_table(loader *l, worker *w, int nw, char *const *sql, int n)
{
	int			next = 0;
	int			busy[MAX_JOBS] = {0};
	int			running = 0;

	while ((next < n && !l->failed && !interrupted) || running > 0)
	{
		struct pollfd pfd[MAX_JOBS];

		for (int i = 0; i < nw && next < n && !l->failed && !interrupted; i++)
			if (!busy[i])
			{
				if (!PQsendQuery(w[i].conn, sql[next]))
					set_error(l, client_errmsg(w[i].conn));
				else
				{
					busy[i] = 1;
					running++;
				}
				next++;
			}
		if (running == 0)
			break;
		for (int i = 0; i < nw; i++)
		{
			pfd[i].fd = busy[i] ? PQsocket(w[i].conn) : -1;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, nw, 1000) < 0 && errno != EINTR)
			client_fail("poll: %s", strerror(errno));
		for (int i = 0; i < nw; i++)
		{
			PGresult   *res;

			if (!busy[i] || !PQconsumeInput(w[i].conn) || PQisBusy(w[i].conn))
			{
				if (busy[i] && PQstatus(w[i].conn) == CONNECTION_BAD)
					client_fail("%s", client_errmsg(w[i].conn));
				continue;
			}
			while ((res = PQgetResult(w[i].conn)) != NULL)
			{
				if (PQresultStatus(res) != PGRES_COMMAND_OK)
				{
					const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

					set_error(l, m ? m : client_errmsg(w[i].conn));
				}
				PQclear(res);
			}
			busy[i] = 0;
			running--;
		}
	}
}

/* A statement about table t of a schema, as core/schema.h writes them. */
typedef size_t (*table_sql) (tpch_table t, const char *qschema, char *buf, size_t cap);

static size_t
sql_analyze(tpch_table t, const char *qschema, char *buf, size_t cap)
{
	int			n = snprintf(buf, cap, "ANALYZE %s.%s", qschema, tpch_table_name(t));

	return n < 0 ? 0 : (size_t) n;
}

/*
 * One statement for each loaded table, the biggest first, over the workers'
 * connections; exits on an error or an interrupt.
 */
static void
per_table(loader *l, worker *w, table_sql make)
{
	char	   *stmts[TPCH_NTABLES];
	int			n = 0;

	for (int t = TPCH_NTABLES - 1; t >= 0; t--)
		if (l->o->tables[t])
		{
			char		buf[512];

			if (make((tpch_table) t, l->staging, buf, sizeof(buf)) >= sizeof(buf))
				client_fail("a statement is too long");
			if ((stmts[n++] = strdup(buf)) == NULL)
				client_fail("out of memory");
		}
	run_per_table(l, w, l->o->jobs, stmts, n);
	for (int i = 0; i < n; i++)
		free(stmts[i]);
	if (interrupted)
		client_fail("interrupted: nothing was loaded");
	if (l->failed)
		client_fail("%s", l->error);
}

/*
 * The tables, as tpch_load makes them (core/schema.h), with autovacuum off
 * until they are moved into place: its vacuum of newly inserted rows would
 * otherwise start on them halfway through the load, take CPU from it, and
 * hold the move up until the move's lock wait (deadlock_timeout) cancels it.
 */
static void
create_tables(loader *l, PGconn *conn)
{
	char		sql[4096];
	size_t		len;

	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		if (!l->o->tables[t])
			continue;
		len = tpch_sql_create_table((tpch_table) t, l->staging, 0, sql, sizeof(sql));
		if (len >= sizeof(sql))
			client_fail("a statement is too long");
		append(sql, sizeof(sql), len, " WITH (autovacuum_enabled = off)");
		client_exec(conn, sql);
	}
}

/* Set while the staging schema exists, for the exit handler. */
static PGconn *cleanup_conn;
static char *cleanup_schema;

static void
drop_staging(void)
{
	char		sql[256];
	char	   *err;

	if (cleanup_conn == NULL || cleanup_schema == NULL)
		return;
	cancels[MAX_JOBS] = NULL;
	if (PQtransactionStatus(cleanup_conn) != PQTRANS_IDLE)
		free(client_try_exec(cleanup_conn, "ROLLBACK"));
	snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", cleanup_schema);
	err = client_try_exec(cleanup_conn, sql);
	if (err)
		client_warn("could not drop the staging schema %s: %s", cleanup_schema, err);
	cleanup_schema = NULL;
}

/* Refuses, before anything is made, to load over existing tables. */
static void
check_existing(loader *l, PGconn *conn)
{
	const char *params[2];
	char		list[256];
	size_t		len = 0;
	PGresult   *res;

	len = append(list, sizeof(list), len, "{");
	for (int t = 0; t < TPCH_NTABLES; t++)
		if (l->o->tables[t])
			len = append(list, sizeof(list), len, "%s%s", len > 1 ? "," : "",
						 tpch_table_name((tpch_table) t));
	append(list, sizeof(list), len, "}");
	params[0] = l->o->schema;
	params[1] = list;
	res = PQexecParams(conn,
					   "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
					   "WHERE n.nspname = $1 AND c.relname = ANY ($2::text[]) ORDER BY 1",
					   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		client_fail("%s", client_errmsg(conn));
	if (PQntuples(res) > 0 && !l->o->replace)
		client_fail("relation \"%s.%s\" already exists (use --if-exists replace to replace the "
					"tables)", l->o->schema, PQgetvalue(res, 0, 0));
	PQclear(res);
}

static int
server_side_load(load_options *o, PGconn *conn)
{
	const char *params[9];
	char		list[256];
	size_t		len = 0;
	char		part[32],
				parts[32];
	PGresult   *res;

	res = client_query(conn, "SELECT 1 FROM pg_extension WHERE extname = 'tpchgen'");
	if (PQntuples(res) == 0)
		client_fail("--server-side: the database has no tpchgen extension (CREATE EXTENSION "
					"tpchgen, or load from the client without --server-side)");
	PQclear(res);
	len = append(list, sizeof(list), len, "{");
	for (int t = 0; t < TPCH_NTABLES; t++)
		if (o->tables[t])
			len = append(list, sizeof(list), len, "%s%s", len > 1 ? "," : "",
						 tpch_table_name((tpch_table) t));
	append(list, sizeof(list), len, "}");
	snprintf(part, sizeof(part), "%lld", (long long) o->part);
	snprintf(parts, sizeof(parts), "%lld", (long long) o->parts);
	params[0] = o->sf_text;
	params[1] = o->schema;
	params[2] = list;
	params[3] = o->keys_text;
	params[4] = o->analyze ? "true" : "false";
	params[5] = o->replace ? "replace" : "error";
	params[6] = part;
	params[7] = parts;
	res = PQexecParams(conn,
					   "SELECT table_name, rows, seconds FROM tpch_load(sf => $1::float8, "
					   "schema => $2, tables => $3::text[], keys => $4, analyze => $5::boolean, "
					   "if_exists => $6, part => $7::bigint, parts => $8::bigint)",
					   8, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		client_fail("%s", m ? m : client_errmsg(conn));
	}
	printf("%-10s %12s %9s\n", "table", "rows", "seconds");
	for (int i = 0; i < PQntuples(res); i++)
		printf("%-10s %12s %9.2f\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			   atof(PQgetvalue(res, i, 2)));
	PQclear(res);
	PQfinish(conn);
	return 0;
}

typedef struct pool_build
{
	pthread_t	thread;
	int			jobs;
	int			use_cache;
	int			built;			/* not from the cache: save it */
	int			err;
} pool_build;

static void *
build_pool(void *arg)
{
	pool_build *p = arg;

	p->err = client_pool_init(p->jobs, p->use_cache, &p->built);
	return NULL;
}

/*
 * Writes the built pool to the cache for the next loads, at the lowest
 * priority (Linux gives each thread its own nice value): the copies keep
 * the cores busy, and the write (some 0.3 s of CPU, mostly the kernel's
 * copy into the page cache) takes the moments they leave idle instead of
 * time from them; what is left when the copy ends runs then.
 */
static void *
save_pool(void *arg)
{
	(void) arg;
	(void) setpriority(PRIO_PROCESS, (id_t) syscall(SYS_gettid), 19);
	client_pool_save();
	return NULL;
}

int
tpchgen_load_main(int argc, char **argv)
{
	load_options o;
	loader		l;
	PGconn	   *conn;
	worker		w[MAX_JOBS];
	char		sql[2048];
	char		name[64];
	double		t_copy,
				t_keys = 0,
				t_analyze = 0;
	int64_t		total = 0;
	pool_build	pool;
	int			nudge = 1;
	int			save;
	pthread_t	saver;

	parse_load_args(argc, argv, &o);
	memset(&l, 0, sizeof(l));
	l.o = &o;
	pthread_mutex_init(&l.lock, NULL);
	pthread_cond_init(&l.finished, NULL);

	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	conn = client_connect(&o.ci, "load");
	cancels[MAX_JOBS] = PQgetCancel(conn);
	if (o.server_side)
		return server_side_load(&o, conn);

	/* the text pool is mapped or built while the tables are made */
	pool.jobs = o.jobs;
	pool.use_cache = o.pool_cache;
	if (pthread_create(&pool.thread, NULL, build_pool, &pool) != 0)
		client_fail("could not start a thread");

	l.target = client_quote_ident(conn, o.schema);
	check_existing(&l, conn);

	/*
	 * The staging schema, unique to this run, and its tables in one
	 * transaction: one commit to wait for, and nothing to drop if it fails.
	 */
	snprintf(name, sizeof(name), "tpchgen_load_%d_%lx", (int) getpid(), (long) time(NULL));
	l.staging = client_quote_ident(conn, name);
	client_exec(conn, "BEGIN");
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", l.staging);
	client_exec(conn, sql);
	create_tables(&l, conn);
	client_exec(conn, "COMMIT");
	cleanup_conn = conn;
	cleanup_schema = l.staging;
	atexit(drop_staging);

	for (int i = 0; i < o.jobs; i++)
	{
		w[i].l = &l;
		w[i].id = i;
		w[i].conn = client_connect(&o.ci, "load");
		cancels[i] = PQgetCancel(w[i].conn);
		/* the staging tables become visible in one later commit, itself durable */
		client_exec(w[i].conn, "SET synchronous_commit = off");
	}

	pthread_join(pool.thread, NULL);
	if (pool.err != TPCH_OK)
		client_fail("%s", tpch_strerror(pool.err));
	if (interrupted)
		client_fail("interrupted: nothing was loaded");
	save = o.pool_cache && pool.built;
	if (save && pthread_create(&saver, NULL, save_pool, NULL) != 0)
		save = 0;

	clock_gettime(CLOCK_MONOTONIC, &l.start);
	plan_chunks(&l);
	l.running = o.jobs;
	for (int i = 0; i < o.jobs; i++)
		if (pthread_create(&w[i].thread, NULL, copy_worker, &w[i]) != 0)
			client_fail("could not start a thread");

	/*
	 * Woken as soon as the last job ends (the next step starts at once), or
	 * every NUDGE_MS for the WAL writer's nudge, the progress line (every
	 * 0.2 s) and the signal handler's flag.
	 */
	pthread_mutex_lock(&l.lock);
	for (int tick = 1; l.running > 0 && !interrupted; tick++)
	{
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += NUDGE_MS * 1000 * 1000;
		if (until.tv_nsec >= 1000 * 1000 * 1000)
		{
			until.tv_sec++;
			until.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&l.finished, &l.lock, &until);
		if (l.running == 0)
			break;
		pthread_mutex_unlock(&l.lock);
		nudge = nudge && nudge_wal_writer(conn);
		if (o.progress && tick % (200 / NUDGE_MS) == 0)
			show_progress(&l, 0);
		pthread_mutex_lock(&l.lock);
	}
	pthread_mutex_unlock(&l.lock);
	for (int i = 0; i < o.jobs; i++)
		pthread_join(w[i].thread, NULL);
	if (interrupted)
		client_fail("interrupted: nothing was loaded");
	if (l.failed)
		client_fail("%s", l.error);
	if (o.progress)
		show_progress(&l, 1);
	t_copy = elapsed(&l.start);

	if (o.keys != KEYS_NONE)
	{
		per_table(&l, w, tpch_sql_primary_key);
	}
	if (o.keys == KEYS_FOREIGN)
		for (int t = 0; t < TPCH_NTABLES; t++)
		{
			int			n;
			const tpch_foreign_key *fk = tpch_foreign_keys((tpch_table) t, &n);

			for (int i = 0; i < n && o.tables[t]; i++)
			{
				/* between loaded tables only */
				if (!o.tables[fk[i].ref])
					continue;
				tpch_sql_foreign_key((tpch_table) t, i, l.staging, sql, sizeof(sql));
				client_exec(conn, sql);
			}
		}
	t_keys = elapsed(&l.start) - t_copy;
	if (o.analyze)
	{
		per_table(&l, w, sql_analyze);
		t_analyze = elapsed(&l.start) - t_copy - t_keys;
	}
	for (int i = 0; i < o.jobs; i++)
	{
		cancels[i] = NULL;
		PQfinish(w[i].conn);
	}

	/* into place, in one transaction */
	client_exec(conn, "BEGIN");
	snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS %s", l.target);
	client_exec(conn, sql);
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		if (!o.tables[t])
			continue;
		if (o.replace)
		{
			snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s.%s CASCADE", l.target,
					 tpch_table_name((tpch_table) t));
			client_exec(conn, sql);
		}
		snprintf(sql, sizeof(sql), "ALTER TABLE %s.%s RESET (autovacuum_enabled)", l.staging,
				 tpch_table_name((tpch_table) t));
		client_exec(conn, sql);
		snprintf(sql, sizeof(sql), "ALTER TABLE %s.%s SET SCHEMA %s", l.staging,
				 tpch_table_name((tpch_table) t), l.target);
		client_exec(conn, sql);
	}
	snprintf(sql, sizeof(sql), "DROP SCHEMA %s", l.staging);
	client_exec(conn, sql);
	if (interrupted)
		client_fail("interrupted: nothing was loaded");
	client_exec(conn, "COMMIT");
	cleanup_schema = NULL;
	if (save)
		pthread_join(saver, NULL);

	printf("%-10s %12s %9s\n", "table", "rows", "seconds");
	for (int t = 0; t < TPCH_NTABLES; t++)
		if (o.tables[t])
		{
			printf("%-10s %12lld %9.2f\n", tpch_table_name((tpch_table) t),
				   (long long) l.tables[t].rows, l.tables[t].seconds);
			total += l.tables[t].rows;
		}
	printf("loaded %lld rows into schema %s in %.2f s (copy %.2f s, keys %.2f s, analyze %.2f s)\n",
		   (long long) total, o.schema, elapsed(&l.start), t_copy, t_keys, t_analyze);
	cancels[MAX_JOBS] = NULL;
	PQfinish(conn);
	return 0;
}
