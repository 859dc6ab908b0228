/*
 * tpchgen - TPC-H data from the command line, on the same core as the
 * extension.
 *
 * Output is cut into blocks of group rows.  With --threads N, N threads
 * generate blocks round-robin into a small ring of buffers each and the main
 * thread writes them strictly in block order, so the bytes are the same as
 * with one thread.  Files are written under a temporary name and renamed
 * when complete: an error never leaves a partial file under the final name.
 */
#include "../core/tpch.h"

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

static void fail(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

static void
fail(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: error: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

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
			"  --help             show this help and exit\n"
			"\n"
			"Example: %s --sf 1 --threads 2 --output-dir /data/tpch-sf1\n",
			progname, progname);
}

static int64_t
parse_int(const char *opt, const char *s, int64_t lo, int64_t hi)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		fail("%s: \"%s\" is not a whole number", opt, s);
	if (v < lo || v > hi)
		fail("%s: %s is out of range (%lld..%lld)", opt, s, (long long) lo, (long long) hi);
	return v;
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
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
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
					fail("--table: unknown table \"%s\" (expected region, nation, supplier, "
						 "part, partsupp, customer, orders, lineitem or all)", optarg);
				break;
			case 'N':
				o->parts = parse_int("--parts", optarg, INT64_MIN, INT64_MAX);
				break;
			case 'k':
				o->part = parse_int("--part", optarg, INT64_MIN, INT64_MAX);
				break;
			case 'f':
				if (strcmp(optarg, "tbl") == 0)
					o->format = TPCH_FMT_TBL;
				else if (strcmp(optarg, "csv") == 0)
					o->format = TPCH_FMT_CSV;
				else
					fail("--format: unknown format \"%s\" (expected tbl or csv)", optarg);
				break;
			case 'H':
				o->header = 1;
				break;
			case 'j':
				o->threads = (int) parse_int("--threads", optarg, 1, MAX_THREADS);
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
			default:
				if (optopt == 0)
					fail("unknown option \"%s\" (see --help)", argv[optind - 1]);
				fail("option \"%s\" needs a value (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		fail("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (sf_text == NULL)
		fail("--sf is required (see --help)");
	{
		char	   *end;

		errno = 0;
		o->sf = strtod(sf_text, &end);
		if (end == sf_text || *end != '\0')
			fail("--sf: \"%s\" is not a number", sf_text);
	}
	err = tpch_check_args(o->sf, o->part, o->parts);
	if (err == TPCH_ERR_PART)
		fail("--part: %lld is outside 1..%lld", (long long) o->part, (long long) o->parts);
	if (err != TPCH_OK)
		fail("--%s: %s", err == TPCH_ERR_PARTS ? "parts" : "sf", tpch_strerror(err));
	if (o->header && o->format != TPCH_FMT_CSV)
		fail("--header needs --format csv");
	if (o->to_stdout == (o->output_dir != NULL))
		fail("give exactly one of --output-dir DIR and --stdout");
	if (o->to_stdout && o->table < 0)
		fail("--stdout writes one table: add --table NAME");
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
	int64_t		first;
	int64_t		count;
	block_out	out[2];
	int			full;
} block;

typedef struct job
{
	const options *o;
	tpch_table	table;
	int			with_lines;		/* orders, and lineitem into a second file */
	int64_t		first;			/* the part's group rows */
	int64_t		count;
	int64_t		block_rows;
	int64_t		nblocks;
	int			nthreads;
	/* threads >= 2 */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	block		ring[MAX_THREADS][RING];
	int			error;
} job;

/* Bytes a group row takes at most, for sizing blocks and buffers. */
static size_t
group_row_bytes(tpch_table t)
{
	return t == TPCH_PARTSUPP ? 4 * 400 : t == TPCH_LINEITEM ? 7 * 400 : 700;
}

static void
reserve(block_out *o, size_t need)
{
	if (o->cap < need)
	{
		free(o->buf);
		o->buf = malloc(need);
		if (o->buf == NULL)
			fail("out of memory");
		o->cap = need;
	}
	o->len = 0;
}

static void
fill_block(job *j, tpch_gen *g, block *b)
{
	int64_t		rows = 0;
	int			err;

	reserve(&b->out[0], (size_t) b->count * group_row_bytes(j->table) + TPCH_MAX_LINE);
	err = tpch_gen_seek(g, b->first, b->count);
	if (err != TPCH_OK)
		fail("%s", tpch_strerror(err));
	if (j->with_lines)
	{
		tpch_row	row;
		char	   *p0 = b->out[0].buf;
		char	   *p1;

		reserve(&b->out[1], (size_t) b->count * group_row_bytes(TPCH_LINEITEM) + TPCH_MAX_LINE);
		p1 = b->out[1].buf;
		tpch_gen_set_columns(g, TPCH_ALL_COLUMNS | TPCH_WITH_LINES);
		while (tpch_gen_next(g, &row) == 1)
		{
			int			n;
			const tpch_lineitem_row *l = tpch_gen_lines(g, &n);

			p0 += tpch_format_row(TPCH_ORDERS, j->o->format, &row, p0);
			for (int i = 0; i < n; i++)
				p1 += tpch_format_row(TPCH_LINEITEM, j->o->format, (const tpch_row *) &l[i], p1);
		}
		b->out[0].len = (size_t) (p0 - b->out[0].buf);
		b->out[1].len = (size_t) (p1 - b->out[1].buf);
		return;
	}
	for (;;)
	{
		block_out  *o = &b->out[0];
		size_t		n = tpch_gen_format(g, j->o->format, o->buf + o->len, o->cap - o->len, &rows);

		if (n == 0)
			break;
		o->len += n;
	}
}

/* Writes a filled block; 0 or -1 with errno. */
static int
write_block(const job *j, const int *fd, const block *b)
{
	if (write_all(fd[0], b->out[0].buf, b->out[0].len) != 0)
		return -1;
	if (j->with_lines && write_all(fd[1], b->out[1].buf, b->out[1].len) != 0)
		return -1;
	return 0;
}

static void
free_block(block *b)
{
	free(b->out[0].buf);
	free(b->out[1].buf);
}

static void
block_range(job *j, int64_t k, block *b)
{
	b->first = j->first + k * j->block_rows;
	b->count = j->block_rows;
	if (b->first + b->count > j->first + j->count)
		b->count = j->first + j->count - b->first;
}

typedef struct worker_arg
{
	job		   *j;
	int			id;
} worker_arg;

static void *
worker_main(void *arg)
{
	worker_arg *w = arg;
	job		   *j = w->j;
	tpch_gen	g;

	if (tpch_gen_init(&g, j->table, j->o->sf, j->o->part, j->o->parts) != TPCH_OK)
		fail("could not start a generator");
	for (int64_t k = w->id, i = 0; k < j->nblocks; k += j->nthreads, i++)
	{
		block	   *b = &j->ring[w->id][i % RING];

		pthread_mutex_lock(&j->lock);
		while (b->full && !j->error)
			pthread_cond_wait(&j->cond, &j->lock);
		pthread_mutex_unlock(&j->lock);
		if (j->error)
			break;
		block_range(j, k, b);
		fill_block(j, &g, b);
		pthread_mutex_lock(&j->lock);
		b->full = 1;
		pthread_cond_broadcast(&j->cond);
		pthread_mutex_unlock(&j->lock);
	}
	return NULL;
}

/*
 * Writes the rows of one table's part to fd[0] (with_lines: orders to fd[0]
 * and lineitem to fd[1], in one pass); 0 or -1 with errno.
 */
static int
write_table(const options *o, tpch_table t, int with_lines, const int *fd)
{
	job		   *j = calloc(1, sizeof(job));
	int			rc = 0;

	if (j == NULL)
		fail("out of memory");
	j->o = o;
	j->table = t;
	j->with_lines = with_lines;
	tpch_part_range(t, o->sf, o->part, o->parts, &j->first, &j->count);
	j->block_rows = BLOCK_BYTES / (int64_t) (group_row_bytes(t) / 3);
	if (j->block_rows < 1)
		j->block_rows = 1;
	j->nblocks = (j->count + j->block_rows - 1) / j->block_rows;
	j->nthreads = o->threads;
	if (j->nthreads > j->nblocks)
		j->nthreads = j->nblocks > 0 ? (int) j->nblocks : 1;

	if (o->header)
	{
		char		hdr[TPCH_MAX_LINE];

		if (write_all(fd[0], hdr, tpch_format_header(t, hdr)) != 0 ||
			(with_lines && write_all(fd[1], hdr, tpch_format_header(TPCH_LINEITEM, hdr)) != 0))
			rc = -1;
	}

	if (rc == 0 && j->nthreads <= 1)
	{
		tpch_gen	g;
		block		b = {0};

		if (tpch_gen_init(&g, t, o->sf, o->part, o->parts) != TPCH_OK)
			fail("could not start a generator");
		for (int64_t k = 0; k < j->nblocks && rc == 0; k++)
		{
			block_range(j, k, &b);
			fill_block(j, &g, &b);
			rc = write_block(j, fd, &b);
		}
		free_block(&b);
	}
	else if (rc == 0)
	{
		pthread_t	tids[MAX_THREADS];
		worker_arg	args[MAX_THREADS];

		pthread_mutex_init(&j->lock, NULL);
		pthread_cond_init(&j->cond, NULL);
		for (int i = 0; i < j->nthreads; i++)
		{
			args[i].j = j;
			args[i].id = i;
			if (pthread_create(&tids[i], NULL, worker_main, &args[i]) != 0)
				fail("could not start thread %d", i + 1);
		}
		for (int64_t k = 0; k < j->nblocks; k++)
		{
			block	   *b = &j->ring[k % j->nthreads][(k / j->nthreads) % RING];

			pthread_mutex_lock(&j->lock);
			while (!b->full)
				pthread_cond_wait(&j->cond, &j->lock);
			pthread_mutex_unlock(&j->lock);
			if (write_block(j, fd, b) != 0)
			{
				int			saved = errno;

				pthread_mutex_lock(&j->lock);
				j->error = 1;
				pthread_cond_broadcast(&j->cond);
				pthread_mutex_unlock(&j->lock);
				errno = saved;
				rc = -1;
				break;
			}
			pthread_mutex_lock(&j->lock);
			b->full = 0;
			pthread_cond_broadcast(&j->cond);
			pthread_mutex_unlock(&j->lock);
		}
		for (int i = 0; i < j->nthreads; i++)
			pthread_join(tids[i], NULL);
		for (int i = 0; i < j->nthreads; i++)
			for (int r = 0; r < RING; r++)
				free_block(&j->ring[i][r]);
	}
	free(j);
	return rc;
}

static void
make_dir(const char *dir)
{
	char		path[PATH_MAX];
	size_t		len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		fail("--output-dir: bad directory name \"%s\"", dir);
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p; p++)
	{
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			fail("could not create directory \"%s\": %s", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		fail("could not create directory \"%s\": %s", path, strerror(errno));
	if (access(path, W_OK | X_OK) != 0)
		fail("cannot write into directory \"%s\": %s", path, strerror(errno));
}

/* A file being written under a temporary name beside its final one. */
typedef struct out_file
{
	char		path[PATH_MAX];
	char		tmp[PATH_MAX + 32];
	int			fd;
} out_file;

static out_file *open_files[2];

static void
remove_temporaries(void)
{
	for (int i = 0; i < 2; i++)
		if (open_files[i] != NULL)
			unlink(open_files[i]->tmp);
}

/* Ctrl-C or kill: no temporary file stays behind (unlink is signal-safe). */
static void
on_signal(int sig)
{
	remove_temporaries();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
open_file(const options *o, tpch_table t, out_file *f, int slot)
{
	int			split = o->parts > 1 && t != TPCH_NATION && t != TPCH_REGION;
	const char *ext = o->format == TPCH_FMT_CSV ? "csv" : "tbl";

	if (split)
		snprintf(f->path, sizeof(f->path), "%s/%s.%s.%lld", o->output_dir,
				 tpch_table_name(t), ext, (long long) o->part);
	else
		snprintf(f->path, sizeof(f->path), "%s/%s.%s", o->output_dir, tpch_table_name(t), ext);
	snprintf(f->tmp, sizeof(f->tmp), "%s.tmp%ld", f->path, (long) getpid());
	f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (f->fd < 0)
		fail("could not create \"%s\": %s", f->tmp, strerror(errno));
	open_files[slot] = f;
}

static void
close_file(out_file *f, int slot)
{
	if (close(f->fd) != 0)
		fail("could not write \"%s\": %s", f->path, strerror(errno));
	if (rename(f->tmp, f->path) != 0)
		fail("could not rename \"%s\" to \"%s\": %s", f->tmp, f->path, strerror(errno));
	open_files[slot] = NULL;
}

/* Writes table t (with_lines: orders and lineitem) into the output dir. */
static void
write_files(const options *o, tpch_table t, int with_lines)
{
	out_file	f[2];
	int			fd[2] = {-1, -1};

	open_file(o, t, &f[0], 0);
	fd[0] = f[0].fd;
	if (with_lines)
	{
		open_file(o, TPCH_LINEITEM, &f[1], 1);
		fd[1] = f[1].fd;
	}
	if (write_table(o, t, with_lines, fd) != 0)
		fail("could not write \"%s\"%s: %s", f[0].path, with_lines ? " or lineitem" : "",
			 strerror(errno));
	close_file(&f[0], 0);
	if (with_lines)
		close_file(&f[1], 1);
}

int
main(int argc, char **argv)
{
	options		o;
	int			err;

	if (argc > 0 && argv[0][0])
	{
		const char *slash = strrchr(argv[0], '/');

		progname = slash ? slash + 1 : argv[0];
	}
	parse_args(argc, argv, &o);
	/* a closed pipe is a write error to report, not a silent death */
	signal(SIGPIPE, SIG_IGN);
	atexit(remove_temporaries);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (o.output_dir)
		make_dir(o.output_dir);
	err = tpch_pool_init_threads(o.threads);
	if (err != TPCH_OK)
		fail("%s", tpch_strerror(err));

	if (o.to_stdout)
	{
		int			fd[2] = {STDOUT_FILENO, -1};

		if (write_table(&o, (tpch_table) o.table, 0, fd) != 0)
			fail("could not write to standard output: %s", strerror(errno));
		return 0;
	}
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		/* all tables: orders and lineitem in one pass, as dbgen makes them */
		if (o.table < 0 && t == TPCH_LINEITEM)
			continue;
		if (o.table < 0 || o.table == t)
			write_files(&o, (tpch_table) t, o.table < 0 && t == TPCH_ORDERS);
	}
	return 0;
}
