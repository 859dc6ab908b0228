/*
 * tpchgen - TPC-H data from the command line, on the same core as the
 * extension.
 *
 * Output is cut into blocks of group rows.  With --threads N, N threads
 * generate blocks round-robin into a small ring of buffers each, and write
 * them strictly in block order, so the bytes are the same as with one
 * thread: whichever thread finds the next block ready writes it (and the
 * ones after it that are ready).  There is no writer thread: on two cores a
 * third thread only took turns with the generators and left a core idle
 * while they waited for it.  Files are written as unnamed files in the output
 * directory (O_TMPFILE) and linked to their names when complete: an error
 * never leaves a partial file under the final name.  No name we create is
 * ever resolved through a symbolic link, so that a run in a world-writable
 * directory cannot be made to write into another user's file.
 */
#include "../core/tpch.h"
#include "client.h"
#include "commands.h"
#include "outfile.h"
#include "updates.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK_BYTES (2 << 20)	/* aim for blocks of about this much text */
#define RING 3					/* buffers per generator thread */
#define MAX_THREADS 256

typedef struct options
{
	double		sf;
	int			table;			/* -1: all */
	int64_t		parts;
	int64_t		part;
	tpch_format format;
	int			header;
	int			threads;
	const char *output_dir;
	int			to_stdout;
} options;

static const char *progname = "tpchgen";

static void
usage(FILE *out)
{
	fprintf(out,
			"Usage: %s --sf SF [OPTION]... (--output-dir DIR | --stdout)\n"
			"Generate TPC-H data, byte-identical to dbgen 3.0.1.\n"
			"\n"
			"  --sf SF            scale factor: above 0, at most 100000; above 1 it must be\n"
			"                     whole (dbgen would truncate 1.5 to 1; we refuse)\n"
			"  --table NAME       region, nation, supplier, part, partsupp, customer, orders,\n"
			"                     lineitem or all (default all)\n"
			"  --parts N          split the scaled tables into N parts as dbgen -C N (default 1)\n"
			"  --part K           write part K of N, as dbgen -S K (default 1); nation and\n"
			"                     region are never split and always written whole\n"
			"  --format FMT       tbl (dbgen's format, every field followed by '|') or csv\n"
			"                     (RFC 4180) (default tbl)\n"
			"  --header           with csv, start each file with a line of column names\n"
			"  --threads N        generate with N threads; the output is identical (default 1)\n"
			"  --output-dir DIR   write dbgen's file names into DIR, created if missing:\n"
			"                     lineitem.tbl, lineitem.tbl.3 for part 3, .csv for csv\n"
			"  --stdout           write one table's rows to standard output\n"
			"  --updates N        write dbgen's update sets 1..N instead (dbgen -U N), with\n"
			"                     --update-start K, --insert-segments I, --delete-segments D\n"
			"                     (see README)\n"
			"  --help             show this help and exit\n"
			"\n"
			"Example: %s --sf 1 --threads 2 --output-dir /data/tpch-sf1\n",
			progname, progname);
}

/* Edit distance between two short strings, for "did you mean". */
static int
distance(const char *a, const char *b)
{
	int			row[64];
	size_t		la = strlen(a),
				lb = strlen(b);

	if (la >= 64 || lb >= 64)
		return INT_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int) j;
	for (size_t i = 1; i <= la; i++)
	{
		int			diag = row[0];

		row[0] = (int) i;
		for (size_t j = 1; j <= lb; j++)
		{
			int			up = row[j];
			int			best = diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/*
 * Reports what is wrong with an option getopt_long refused: a long option
 * given a value it takes none of, an ambiguous abbreviation, or an unknown
 * option, with the long option meant where we can tell (dbgen's short
 * options, which people type from habit, and near misses of ours).
 */
static void
bad_option(const struct option *longopts, const char *arg, int short_opt)
{
	static const struct
	{
		char		dbgen;
		const char *ours;
	}			dbgen_opts[] = {
		{'s', "sf"}, {'C', "parts"}, {'S', "part"}, {'T', "table"}, {'h', "help"},
	};
	char		name[64];
	const char *eq;
	const char *best = NULL;
	int			best_dist = INT_MAX;
	int			prefixed = 0;

	if (strncmp(arg, "--", 2) != 0 || short_opt != 0)
	{
		/* a short option, or a long one given "=value" it takes none of */
		eq = strchr(arg, '=');
		if (strncmp(arg, "--", 2) == 0 && eq != NULL)
			client_fail("option \"%.*s\" takes no value (see --help)", (int) (eq - arg), arg);
		if (short_opt == 0)
			client_fail("unknown option \"%s\" (see --help)", arg);
		for (size_t i = 0; i < sizeof(dbgen_opts) / sizeof(dbgen_opts[0]); i++)
			if (dbgen_opts[i].dbgen == short_opt)
				client_fail("unknown option \"-%c\": options are long, did you mean \"--%s\"? "
					 "(see --help)",
					 short_opt, dbgen_opts[i].ours);
		client_fail("unknown option \"-%c\": options are long, such as \"--sf\" (see --help)",
			 short_opt);
	}
	snprintf(name, sizeof(name), "%.*s", (int) strcspn(arg + 2, "="), arg + 2);
	for (const struct option *lo = longopts; lo->name != NULL; lo++)
	{
		int			d = distance(name, lo->name);

		prefixed += strncmp(lo->name, name, strlen(name)) == 0;
		if (d < best_dist)
		{
			best_dist = d;
			best = lo->name;
		}
	}
	if (prefixed > 1)
		client_fail("option \"--%s\" is ambiguous: it abbreviates more than one option (see --help)",
			 name);
	/* a near miss: a third of the letters wrong at most */
	if (best != NULL && best_dist * 3 <= (int) strlen(name))
		client_fail("unknown option \"--%s\": did you mean \"--%s\"? (see --help)", name, best);
	client_fail("unknown option \"--%s\" (see --help)", name);
}

static void
parse_args(int argc, char **argv, options *o)
{
	static const struct option longopts[] = {
		{"sf", required_argument, NULL, 's'},
		{"table", required_argument, NULL, 't'},
		{"parts", required_argument, NULL, 'N'},
		{"part", required_argument, NULL, 'k'},
		{"format", required_argument, NULL, 'f'},
		{"header", no_argument, NULL, 'H'},
		{"threads", required_argument, NULL, 'j'},
		{"output-dir", required_argument, NULL, 'o'},
		{"stdout", no_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const char *sf_text = NULL;
	int			c;
	int			err;

	memset(o, 0, sizeof(*o));
	o->table = -1;
	o->parts = 1;
	o->part = 1;
	o->format = TPCH_FMT_TBL;
	o->threads = 1;
	opterr = 0;
	/* the leading ':' tells a missing value (':') from an unknown option */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 's':
				sf_text = optarg;
				break;
			case 't':
				if (strcmp(optarg, "all") == 0)
					o->table = -1;
				else if ((o->table = tpch_table_lookup(optarg)) < 0)
					client_fail("--table: unknown table \"%s\" (expected region, nation, supplier, "
						 "part, partsupp, customer, orders, lineitem or all)", optarg);
				break;
			case 'N':
				o->parts = client_parse_int("--parts", optarg, INT64_MIN, INT64_MAX);
				break;
			case 'k':
				o->part = client_parse_int("--part", optarg, INT64_MIN, INT64_MAX);
				break;
			case 'f':
				if (strcmp(optarg, "tbl") == 0)
					o->format = TPCH_FMT_TBL;
				else if (strcmp(optarg, "csv") == 0)
					o->format = TPCH_FMT_CSV;
				else
					client_fail("--format: unknown format \"%s\" (expected tbl or csv)", optarg);
				break;
			case 'H':
				o->header = 1;
				break;
			case 'j':
				o->threads = (int) client_parse_int("--threads", optarg, 1, MAX_THREADS);
				break;
			case 'o':
				o->output_dir = optarg;
				break;
			case 'c':
				o->to_stdout = 1;
				break;
			case 'h':
				usage(stdout);
				exit(0);
			case ':':
				client_fail("option \"%s\" needs a value (see --help)", argv[optind - 1]);
			default:
				bad_option(longopts, argv[optind - 1], optopt);
		}
	}
	if (optind < argc)
		client_fail("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (sf_text == NULL)
		client_fail("--sf is required (see --help)");
	{
		char	   *end;

		errno = 0;
		o->sf = strtod(sf_text, &end);
		if (end == sf_text || *end != '\0')
			client_fail("--sf: \"%s\" is not a number", sf_text);
	}
	err = tpch_check_args(o->sf, o->part, o->parts);
	if (err == TPCH_ERR_PART)
		client_fail("--part: %lld is outside 1..%lld", (long long) o->part, (long long) o->parts);
	if (err == TPCH_ERR_PARTS)
		client_fail("--parts: %s", tpch_strerror(err));
	/* the value as given: "%g" would print 100000.5 as 100000 */
	if (err != TPCH_OK)
		client_fail("--sf: %s: %s", sf_text, tpch_strerror(err));
	if (o->header && o->format != TPCH_FMT_CSV)
		client_fail("--header needs --format csv");
	if (o->to_stdout == (o->output_dir != NULL))
		client_fail("give exactly one of --output-dir DIR and --stdout");
	if (o->to_stdout && o->table < 0)
		client_fail("--stdout writes one table: add --table NAME");
}

/* ------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------ */

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = write(fd, buf, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t) n;
	}
	return 0;
}


/*
 * One block of output: a range of group rows and its formatted text; with
 * orders and lineitem made in one pass, out[1] holds the lines.
 */
typedef struct block_out
{
	char	   *buf;
	size_t		len;
	size_t		cap;
} block_out;

typedef struct block
{
	int			job;			/* the table it belongs to */
	int64_t		first;
	int64_t		count;
	block_out	out[2];
	int			full;
} block;

/* One table's share of a run: its blocks and where they go. */
typedef struct table_job
{
	tpch_table	table;
	int			with_lines;		/* orders, and lineitem into a second file */
	int64_t		first;			/* the part's group rows */
	int64_t		count;
	int64_t		block_rows;
	int64_t		nblocks;
	int64_t		first_block;	/* its first block's number in the run */
	int			fd[2];
	out_file   *file[2];		/* NULL for standard output */
} table_job;

/*
 * A run: every table's blocks in one sequence, so that the threads never
 * wait at the end of a table for the others to finish theirs.
 */
typedef struct run
{
	const options *o;
	table_job	jobs[TPCH_NTABLES];
	int			njobs;
	int64_t		nblocks;
	int			nthreads;
	/* threads >= 2 */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int64_t		next_write;		/* the block to write next */
	int			writing;		/* a thread is writing it */
	block		ring[MAX_THREADS][RING];
} run;

static void
reserve(block_out *o, size_t need)
{
	if (o->cap < need)
	{
		free(o->buf);
		o->buf = malloc(need);
		if (o->buf == NULL)
			client_fail("out of memory");
		o->cap = need;
	}
	o->len = 0;
}

/* Block k of the run: its table and group rows. */
static void
block_range(const run *r, int64_t k, block *b)
{
	const table_job *j = r->jobs;

	while (k >= j->first_block + j->nblocks)
		j++;
	b->job = (int) (j - r->jobs);
	b->first = j->first + (k - j->first_block) * j->block_rows;
	b->count = j->block_rows;
	if (b->first + b->count > j->first + j->count)
		b->count = j->first + j->count - b->first;
}

/* Generates block b with gens[], one generator per table, set up lazily. */
static void
fill_block(const run *r, tpch_gen *gens, block *b)
{
	const table_job *j = &r->jobs[b->job];
	tpch_gen   *g = &gens[b->job];
	int64_t		rows = 0;

	if (g->parts == 0 &&	/* zeroed: not set up yet */
		tpch_gen_init(g, j->table, r->o->sf, r->o->part, r->o->parts) != TPCH_OK)
		client_fail("could not start a generator");
	reserve(&b->out[0], (size_t) b->count * tpch_group_max_bytes(j->table) + TPCH_MAX_LINE);
	if (tpch_gen_seek(g, b->first, b->count) != TPCH_OK)
		client_fail("could not seek to row %lld", (long long) b->first);
	if (j->with_lines)
	{
		tpch_row	row;
		char	   *p0 = b->out[0].buf;
		char	   *p1;

		reserve(&b->out[1], (size_t) b->count * tpch_group_max_bytes(TPCH_LINEITEM) + TPCH_MAX_LINE);
		p1 = b->out[1].buf;
		tpch_gen_set_columns(g, TPCH_ALL_COLUMNS | TPCH_WITH_LINES);
		while (tpch_gen_next(g, &row) == 1)
		{
			int			n;
			const tpch_lineitem_row *l = tpch_gen_lines(g, &n);

			p0 += tpch_format_row(TPCH_ORDERS, r->o->format, &row, p0);
			for (int i = 0; i < n; i++)
				p1 += tpch_format_row(TPCH_LINEITEM, r->o->format, (const tpch_row *) &l[i], p1);
		}
		b->out[0].len = (size_t) (p0 - b->out[0].buf);
		b->out[1].len = (size_t) (p1 - b->out[1].buf);
		return;
	}
	for (;;)
	{
		block_out  *o = &b->out[0];
		size_t		n = tpch_gen_format(g, r->o->format, o->buf + o->len, o->cap - o->len, &rows);

		if (n == 0)
			break;
		o->len += n;
	}
}

static void finish_job(table_job *j);

/* Writes to a table's output i; a failure ends the program. */
static void
put_out(const table_job *j, int i, const char *buf, size_t len)
{
	if (write_all(j->fd[i], buf, len) != 0)
	{
		if (j->file[i] == NULL)
			client_fail("could not write to standard output: %s", strerror(errno));
		client_fail("could not write \"%s\": %s", j->file[i]->path, strerror(errno));
	}
}

/* Writes a filled block; after a table's last block, completes its files. */
static void
write_block(run *r, const block *b, int64_t k)
{
	table_job  *j = &r->jobs[b->job];

	for (int i = 0; i <= j->with_lines; i++)
		put_out(j, i, b->out[i].buf, b->out[i].len);
	if (k == j->first_block + j->nblocks - 1)
		finish_job(j);
}

static void
free_block(block *b)
{
	free(b->out[0].buf);
	free(b->out[1].buf);
}

typedef struct worker_arg
{
	run		   *r;
	int			id;
} worker_arg;

/* The ring slot of block k: its thread's, in turn. */
static block *
slot_of(run *r, int64_t k)
{
	return &r->ring[k % r->nthreads][(k / r->nthreads) % RING];
}

/*
 * Writes the blocks that are ready, in block order, while no other thread is
 * writing; with only >= 0, just while the next block is that thread's own.
 * Called and returns with r->lock held.
 */
static void
write_ready(run *r, int only)
{
	while (!r->writing && r->next_write < r->nblocks)
	{
		int64_t		k = r->next_write;
		block	   *b = slot_of(r, k);

		if (!b->full || (only >= 0 && k % r->nthreads != only))
			break;
		r->writing = 1;
		pthread_mutex_unlock(&r->lock);
		write_block(r, b, k);
		pthread_mutex_lock(&r->lock);
		b->full = 0;
		r->next_write = k + 1;
		r->writing = 0;
		pthread_cond_broadcast(&r->cond);
	}
}

/*
 * A generator thread.  Each thread writes its own blocks when their turn
 * comes, so the writing is shared evenly (a thread that wrote every ready
 * block it found ended up writing nearly all of them while the other ran
 * ahead and waited); it writes the others' only when it has nothing else to
 * do: its ring is full, or its blocks are all made.  Every block marked full
 * is written: by its thread if it is next, else by whoever writes the block
 * before it and then wakes the waiting threads.
 */
static void *
worker_main(void *arg)
{
	worker_arg *w = arg;
	run		   *r = w->r;
	tpch_gen   *gens = calloc(TPCH_NTABLES, sizeof(tpch_gen));

	if (gens == NULL)
		client_fail("out of memory");
	for (int64_t k = w->id; k < r->nblocks; k += r->nthreads)
	{
		block	   *b = slot_of(r, k);

		pthread_mutex_lock(&r->lock);
		write_ready(r, w->id);
		while (b->full)
		{
			write_ready(r, -1);
			if (b->full)
				pthread_cond_wait(&r->cond, &r->lock);
		}
		pthread_mutex_unlock(&r->lock);
		block_range(r, k, b);
		fill_block(r, gens, b);
		pthread_mutex_lock(&r->lock);
		b->full = 1;
		write_ready(r, w->id);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	for (;;)
	{
		write_ready(r, -1);
		if (r->next_write >= r->nblocks)
			break;
		pthread_cond_wait(&r->cond, &r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	free(gens);
	return NULL;
}

/* Generates and writes every block of the run, in order; errors exit. */
static void
run_blocks(run *r)
{
	r->nthreads = r->o->threads;
	if (r->nthreads > r->nblocks)
		r->nthreads = r->nblocks > 0 ? (int) r->nblocks : 1;

	if (r->nthreads <= 1)
	{
		tpch_gen   *gens = calloc(TPCH_NTABLES, sizeof(tpch_gen));
		block		b = {0};

		if (gens == NULL)
			client_fail("out of memory");
		for (int64_t k = 0; k < r->nblocks; k++)
		{
			block_range(r, k, &b);
			fill_block(r, gens, &b);
			write_block(r, &b, k);
		}
		free_block(&b);
		free(gens);
	}
	else
	{
		pthread_t	tids[MAX_THREADS];
		worker_arg	args[MAX_THREADS];

		pthread_mutex_init(&r->lock, NULL);
		pthread_cond_init(&r->cond, NULL);
		for (int i = 0; i < r->nthreads; i++)
		{
			args[i].r = r;
			args[i].id = i;
			if (pthread_create(&tids[i], NULL, worker_main, &args[i]) != 0)
				client_fail("could not start thread %d", i + 1);
		}
		/* every block is written by the time the last thread ends */
		for (int i = 0; i < r->nthreads; i++)
			pthread_join(tids[i], NULL);
		for (int i = 0; i < r->nthreads; i++)
			for (int k = 0; k < RING; k++)
				free_block(&r->ring[i][k]);
	}
	/* tables without a block (a part with no rows) still get their files */
	for (int i = 0; i < r->njobs; i++)
		if (r->jobs[i].nblocks == 0)
			finish_job(&r->jobs[i]);
}

/* Adds a table (with_lines: orders and lineitem) whose output goes to fd. */
static table_job *
add_job(run *r, tpch_table t, int with_lines)
{
	table_job  *j = &r->jobs[r->njobs++];

	memset(j, 0, sizeof(*j));
	j->table = t;
	j->with_lines = with_lines;
	tpch_part_range(t, r->o->sf, r->o->part, r->o->parts, &j->first, &j->count);
	/* a third of the most a row takes, its lines included */
	j->block_rows = BLOCK_BYTES /
		(int64_t) ((tpch_group_max_bytes(t) +
					  (with_lines ? tpch_group_max_bytes(TPCH_LINEITEM) : 0)) / 3);
	if (j->block_rows < 1)
		j->block_rows = 1;
	j->nblocks = (j->count + j->block_rows - 1) / j->block_rows;
	j->first_block = r->nblocks;
	r->nblocks += j->nblocks;
	return j;
}

/* With --header, each output starts with its column names. */
static void
write_headers(const run *r, const table_job *j)
{
	char		hdr[TPCH_MAX_LINE];

	if (!r->o->header)
		return;
	for (int i = 0; i <= j->with_lines; i++)
		put_out(j, i, hdr, tpch_format_header(i ? TPCH_LINEITEM : j->table, hdr));
}

/* A table's files are complete: give them their final names. */
static void
finish_job(table_job *j)
{
	for (int i = 0; i <= j->with_lines; i++)
	{
		out_file   *f = j->file[i];

		if (f != NULL)
			outfile_close(f);
	}
}

/* The file of table t: dbgen's name, in the output directory. */
static out_file *
open_file(const options *o, tpch_table t)
{
	const char *ext = o->format == TPCH_FMT_CSV ? "csv" : "tbl";
	char		name[NAME_MAX + 1];

	tpch_file_name(name, sizeof(name), t, ext, o->part, o->parts);
	return outfile_create(name);
}

int
main(int argc, char **argv)
{
	options		o;
	run		   *r;
	int			err;

	if (argc > 0 && argv[0][0])
	{
		const char *slash = strrchr(argv[0], '/');

		progname = slash ? slash + 1 : argv[0];
	}
	client_progname = progname;
	if (argc > 1 && strcmp(argv[1], "qgen") == 0)
		return tpchgen_qgen_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "load") == 0)
		return tpchgen_load_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return tpchgen_run_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return tpchgen_report_main(argc - 1, argv + 1);
	if (updates_requested(argc, argv))
		return updates_main(argc, argv);
	parse_args(argc, argv, &o);
	/* a closed pipe is a write error to report, not a silent death */
	signal(SIGPIPE, SIG_IGN);
	outfile_handle_signals();
	if (o.output_dir)
		outfile_open_dir(o.output_dir);
	err = tpch_pool_init_threads(o.threads);
	if (err != TPCH_OK)
		client_fail("%s", tpch_strerror(err));

	r = calloc(1, sizeof(run));
	if (r == NULL)
		client_fail("out of memory");
	r->o = &o;
	if (o.to_stdout)
	{
		table_job  *j = add_job(r, (tpch_table) o.table, 0);

		j->fd[0] = STDOUT_FILENO;
		write_headers(r, j);
	}
	else
		for (int t = 0; t < TPCH_NTABLES; t++)
		{
			/* all tables: orders and lineitem in one pass, as dbgen makes them */
			int			with_lines = o.table < 0 && t == TPCH_ORDERS;
			table_job  *j;

			if ((o.table >= 0 && o.table != t) || (o.table < 0 && t == TPCH_LINEITEM))
				continue;
			j = add_job(r, (tpch_table) t, with_lines);
			for (int i = 0; i <= with_lines; i++)
			{
				j->file[i] = open_file(&o, i ? TPCH_LINEITEM : (tpch_table) t);
				j->fd[i] = j->file[i]->fd;
			}
			write_headers(r, j);
		}
	run_blocks(r);
	free(r);
	return 0;
}
