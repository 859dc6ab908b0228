/*
 * updates.c - `tpchgen --updates N`: the files of dbgen -U N [-S K] [-i I]
 * [-d D], with dbgen's names and splits.
 *
 * Every argument is checked before anything is created.  Files are made as
 * the generator's are (cli/outfile.c): never through a symbolic link, and
 * named only when complete, so an error or a signal never leaves a partial
 * file under a final name.  A set is small
 * (1500 orders at SF 1): one thread generates, and --threads only speeds up
 * the text pool's build.
 */
#include "updates.h"
#include "client.h"
#include "outfile.h"

#include "../core/tpch.h"
#include "../core/number.h"
#include "../core/update.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_THREADS 256
#define FILE_BUFFER (1 << 20)

typedef struct upd_options
{
	double		sf;
	int64_t		updates;
	int64_t		start;
	int64_t		isegs;
	int64_t		dsegs;
	tpch_format format;
	int			header;
	int			threads;
	const char *output_dir;
} upd_options;

static const char *const update_opts[] = {
	"--updates", "--update-start", "--insert-segments", "--delete-segments"
};

int
updates_requested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0)
			return 0;			/* the main usage covers these options */
		for (size_t k = 0; k < sizeof(update_opts) / sizeof(update_opts[0]); k++)
		{
			size_t		n = strlen(update_opts[k]);

			if (strncmp(argv[i], update_opts[k], n) == 0 &&
				(argv[i][n] == '\0' || argv[i][n] == '='))
				return 1;
		}
	}
	return 0;
}

static void
parse_args(int argc, char **argv, upd_options *o)
{
	static const struct option longopts[] = {
		{"sf", required_argument, NULL, 's'},
		{"updates", required_argument, NULL, 'U'},
		{"update-start", required_argument, NULL, 'S'},
		{"insert-segments", required_argument, NULL, 'i'},
		{"delete-segments", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"header", no_argument, NULL, 'H'},
		{"threads", required_argument, NULL, 'j'},
		{"output-dir", required_argument, NULL, 'o'},
		/* base-table options, refused below */
		{"table", required_argument, NULL, 't'},
		{"parts", required_argument, NULL, 'N'},
		{"part", required_argument, NULL, 'k'},
		{"stdout", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0}
	};
	const char *sf_text = NULL;
	int			c;
	int			err;
	int64_t		rows;

	memset(o, 0, sizeof(*o));
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
			case 'U':
				o->updates = client_parse_int("--updates", optarg, 1, TPCH_UPDATE_SET_MAX);
				break;
			case 'S':
				o->start = client_parse_int("--update-start", optarg, 1, TPCH_UPDATE_SET_MAX);
				break;
			case 'i':
				o->isegs = client_parse_int("--insert-segments", optarg, 1, INT64_MAX);
				break;
			case 'd':
				o->dsegs = client_parse_int("--delete-segments", optarg, 1, INT64_MAX);
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
			case 't':
				client_fail("--table cannot be combined with --updates: a set is always its "
					 "orders, their lineitems and its deletes");
			case 'N':
			case 'k':
				client_fail("--%s cannot be combined with --updates (dbgen refuses -C with -U); "
					 "use --insert-segments and --delete-segments to split a set",
					 c == 'N' ? "parts" : "part");
			case 'c':
				client_fail("--stdout cannot be combined with --updates: a set is several files");
			default:
				if (optopt == 0)
					client_fail("unknown option \"%s\" (see --help)", argv[optind - 1]);
				client_fail("option \"%s\" needs a value (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		client_fail("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (sf_text == NULL)
		client_fail("--sf is required (see --help)");
	{
		char	   *end;

		o->sf = strtod(sf_text, &end);
		if (end == sf_text || *end != '\0')
			client_fail("--sf: \"%s\" is not a number", sf_text);
	}
	err = tpch_check_sf(o->sf);
	if (err != TPCH_OK)
		client_fail("--sf: %s", tpch_strerror(err));
	if (o->updates == 0)
		client_fail("--update-start, --insert-segments and --delete-segments need --updates N");
	if (o->start == 0)
		o->start = 1;
	if (o->start > o->updates)
		client_fail("--update-start: %lld is outside 1..%lld (the sets of --updates)",
			 (long long) o->start, (long long) o->updates);
	if (o->isegs == 0)
		o->isegs = 1;
	if (o->dsegs == 0)
		o->dsegs = 1;
	err = tpch_check_update(o->sf, o->start);
	if (err != TPCH_OK)
		client_fail("--sf: %s", tpch_update_strerror(err));
	rows = tpch_update_rows(o->sf);
	if (o->isegs > rows)
	{
		char		sfbuf[TPCH_DOUBLE_BUFLEN];

		client_fail("--insert-segments: %lld is more than the %lld orders of a set at SF %s",
			 (long long) o->isegs, (long long) rows, tpch_format_double(o->sf, sfbuf));
	}
	if (o->header && o->format != TPCH_FMT_CSV)
		client_fail("--header needs --format csv");
	if (o->output_dir == NULL)
		client_fail("--updates needs --output-dir DIR");
}

/* ------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------ */

/* The files being written (orders and lineitem, or a delete file). */
typedef struct upd_file
{
	out_file   *out;
	FILE	   *fp;
} upd_file;

static upd_file open_files[2];

static void
open_file(int slot, const char *name)
{
	upd_file   *f = &open_files[slot];

	f->out = outfile_create(name);
	f->fp = fdopen(dup(f->out->fd), "w");
	if (f->fp == NULL)
		client_fail("could not write \"%s\": %s", f->out->path, strerror(errno));
	setvbuf(f->fp, NULL, _IOFBF, FILE_BUFFER);
}

static void
put(int slot, const char *buf, size_t len)
{
	upd_file   *f = &open_files[slot];

	if (fwrite(buf, 1, len, f->fp) != len)
		client_fail("could not write \"%s\": %s", f->out->path, strerror(errno));
}

/* The file is complete: flushed, then named (outfile_close). */
static void
close_file(int slot)
{
	upd_file   *f = &open_files[slot];
	int			bad = ferror(f->fp);

	if (fclose(f->fp) != 0 || bad)
		client_fail("could not write \"%s\": %s", f->out->path, strerror(errno));
	f->fp = NULL;
	outfile_close(f->out);
}

/* ------------------------------------------------------------------------
 * Sets
 * ------------------------------------------------------------------------ */

/* The orders [first, first + count) of a set and their lines, into slots 0, 1. */
static void
write_inserts(const upd_options *o, tpch_gen *g, int64_t first, int64_t count)
{
	char		buf[TPCH_MAX_LINE];
	tpch_row	row;

	if (o->header)
	{
		put(0, buf, tpch_format_header(TPCH_ORDERS, buf));
		put(1, buf, tpch_format_header(TPCH_LINEITEM, buf));
	}
	if (tpch_gen_seek(g, first, count) != TPCH_OK)
		client_fail("could not seek to row %lld", (long long) first);
	tpch_gen_set_columns(g, TPCH_ALL_COLUMNS | TPCH_WITH_LINES);
	while (tpch_gen_next(g, &row) == 1)
	{
		int			n;
		const tpch_lineitem_row *l = tpch_gen_lines(g, &n);

		put(0, buf, tpch_format_row(TPCH_ORDERS, o->format, &row, buf));
		for (int i = 0; i < n; i++)
			put(1, buf, tpch_format_row(TPCH_LINEITEM, o->format, (const tpch_row *) &l[i], buf));
	}
}

static void
write_deletes(const upd_options *o, tpch_gen *g, int64_t first, int64_t count)
{
	char		buf[TPCH_MAX_LINE];
	tpch_row	row;

	if (o->header)
		put(0, "o_orderkey\n", 11);
	if (tpch_gen_seek(g, first, count) != TPCH_OK)
		client_fail("could not seek to row %lld", (long long) first);
	while (tpch_gen_next(g, &row) == 1)
		put(0, buf, tpch_format_delete(o->format, row.orders.o_orderkey, buf));
}

static void
write_set(const upd_options *o, int64_t set)
{
	const char *ext = o->format == TPCH_FMT_CSV ? "csv" : "tbl";
	int64_t		rows = tpch_update_rows(o->sf);
	int64_t		first,
				count;
	char		path[PATH_MAX + 64];
	tpch_gen	g;
	int			err;

	/*
	 * Inserts: the first R mod I segments get one order more than the
	 * others, and a segment's lines go to the lineitem file of its number.
	 */
	err = tpch_update_init(&g, TPCH_ORDERS, TPCH_INSERTS, o->sf, set, 1, 1);
	if (err != TPCH_OK)
		client_fail("%s", tpch_update_strerror(err));
	tpch_update_range(TPCH_INSERTS, o->sf, set, 1, 1, &first, &count);
	for (int64_t seg = 1; seg <= o->isegs; seg++)
	{
		int64_t		n = rows / o->isegs + (seg <= rows % o->isegs);

		for (int i = 0; i < 2; i++)
		{
			tpch_update_file_name(path, sizeof(path), i ? TPCH_LINEITEM : TPCH_ORDERS,
								  TPCH_INSERTS, ext, set, o->isegs == 1 ? 0 : seg);
			open_file(i, path);
		}
		write_inserts(o, &g, first, n);
		close_file(0);
		close_file(1);
		first += n;
	}

	/* Deletes: files of R / D + 1 keys, as many as that takes. */
	err = tpch_update_init(&g, TPCH_ORDERS, TPCH_DELETES, o->sf, set, 1, 1);
	if (err != TPCH_OK)
		client_fail("%s", tpch_update_strerror(err));
	tpch_update_range(TPCH_DELETES, o->sf, set, 1, 1, &first, &count);
	if (o->dsegs == 1)
	{
		tpch_update_file_name(path, sizeof(path), TPCH_ORDERS, TPCH_DELETES, ext, set, 0);
		open_file(0, path);
		write_deletes(o, &g, first, count);
		close_file(0);
		return;
	}
	for (int64_t seg = 1, per = rows / o->dsegs + 1; count > 0; seg++)
	{
		int64_t		n = count < per ? count : per;

		tpch_update_file_name(path, sizeof(path), TPCH_ORDERS, TPCH_DELETES, ext, set, seg);
		open_file(0, path);
		write_deletes(o, &g, first, n);
		close_file(0);
		first += n;
		count -= n;
	}
}

int
updates_main(int argc, char **argv)
{
	upd_options o;
	int			err;

	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	outfile_handle_signals();
	outfile_open_dir(o.output_dir);
	err = tpch_pool_init_threads(o.threads);
	if (err != TPCH_OK)
		client_fail("%s", tpch_strerror(err));
	for (int64_t set = o.start; set <= o.updates; set++)
		write_set(&o, set);
	return 0;
}
