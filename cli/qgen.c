/*
 * qgen.c - `tpchgen qgen`: the 22 queries of a stream with qgen's
 * parameters, as PostgreSQL text, and qgen's -l parameter log.
 *
 * Every text and parameter comes from the core (core/qgen.h,
 * core/queries.h), so the files are those the extension's tpch_queries()
 * returns for the same stream, seed and SF.
 */
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/qgen.h"
#include "../core/queries.h"
#include "../core/tpch.h"

static void fail(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

static void
fail(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "tpchgen qgen: error: ");
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
			"Usage: tpchgen qgen --sf SF [--seed S] [--stream N] [--form FORM] [--log FILE]\n"
			"                    [--output-dir DIR]\n"
			"Write the 22 TPC-H queries of a stream with the parameters TPC-H qgen draws.\n"
			"\n"
			"  --sf SF            scale factor, as for the data (only query 11 depends on it)\n"
			"  --seed S           qgen's -r seed: decimal, leading zeros allowed (0101000000);\n"
			"                     1..%lld; without it, the validation parameters (qgen -d)\n"
			"  --stream N         the query order of stream N, as qgen -p N: 0 is the power\n"
			"                     test, N >= 1 throughput stream N (default: 1 to 22)\n"
			"  --form FORM        the query texts: spec (default), or citus: equivalent texts\n"
			"                     of Q13, Q17, Q18, Q20 and Q22 that Citus can plan\n"
			"  --log FILE         write qgen's -l parameter log to FILE, in query order\n"
			"  --output-dir DIR   write DIR/qNN.sql for each query, and all 22 in order to\n"
			"                     DIR/streamN.sql (DIR/queries.sql without --stream),\n"
			"                     instead of standard output\n"
			"  --help             show this help and exit\n"
			"\n"
			"Example: tpchgen qgen --sf 1 --seed 0101000000 --stream 3 --log params.log\n",
			(long long) TPCH_SEED_MAX);
}

static int64_t
parse_int(const char *opt, const char *s)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		fail("%s: \"%s\" is not a whole number", opt, s);
	return v;
}

/* Writes a whole buffer to a file, closing it; fails with the path. */
static void
write_file(const char *path, const char *text)
{
	FILE	   *f = fopen(path, "w");

	if (f == NULL)
		fail("could not open \"%s\": %s", path, strerror(errno));
	if (fputs(text, f) == EOF || fclose(f) != 0)
		fail("could not write \"%s\": %s", path, strerror(errno));
}

/* Appends to a growing text; the stream file is a few tens of KiB. */
static void
append(char **buf, size_t *len, const char *fmt,...) __attribute__((format(printf, 3, 4)));

static void
append(char **buf, size_t *len, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*buf = realloc(*buf, *len + n + 1);
	if (*buf == NULL)
		fail("out of memory");
	va_start(ap, fmt);
	vsnprintf(*buf + *len, n + 1, fmt, ap);
	va_end(ap);
	*len += n;
}

int
tpchgen_qgen_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"sf", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'r'},
		{"stream", required_argument, NULL, 'p'},
		{"form", required_argument, NULL, 'f'},
		{"log", required_argument, NULL, 'l'},
		{"output-dir", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const char *sf_text = NULL,
			   *log_path = NULL,
			   *dir = NULL;
	int64_t		seed = TPCH_SEED_VALIDATION,
				stream = -1;	/* none: queries 1..22, as qgen without -p */
	double		sf;
	tpch_query_form form = TPCH_FORM_SPEC;
	char	   *end;
	char	   *all = NULL,
			   *log = NULL;
	size_t		all_len = 0,
				log_len = 0;
	int			c,
				err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 's':
				sf_text = optarg;
				break;
			case 'r':
				seed = parse_int("--seed", optarg);
				if ((err = tpch_qgen_check_seed(seed)) != TPCH_QGEN_OK)
					fail("--seed: %s", tpch_qgen_strerror(err));
				break;
			case 'p':
				stream = parse_int("--stream", optarg);
				if (stream < 0)
					fail("--stream: %s", tpch_qgen_strerror(TPCH_ERR_STREAM));
				break;
			case 'f':
				if (!tpch_query_form_parse(optarg, &form))
					fail("--form: unknown query form \"%s\" (spec or citus)", optarg);
				break;
			case 'l':
				log_path = optarg;
				break;
			case 'o':
				dir = optarg;
				break;
			case 'h':
				usage(stdout);
				return 0;
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
	errno = 0;
	sf = strtod(sf_text, &end);
	if (errno != 0 || end == sf_text || *end != '\0')
		fail("--sf: \"%s\" is not a number", sf_text);
	if ((err = tpch_check_sf(sf)) != TPCH_OK)
		fail("--sf: %s", tpch_strerror(err));
	if (dir && mkdir(dir, 0777) != 0 && errno != EEXIST)
		fail("could not create directory \"%s\": %s", dir, strerror(errno));

	for (int pos = 1; pos <= TPCH_NQUERIES; pos++)
	{
		int			q = stream < 0 ? pos : tpch_qgen_stream_query(stream, pos);
		tpch_qparams p;
		char		text[TPCH_QUERY_TEXT_MAX];
		char		line[TPCH_QGEN_MAXPARAMS * (TPCH_QGEN_PARAMLEN + 1) + 8];

		tpch_qgen_params(q, seed, sf, &p);
		tpch_query_text_form(&p, form, text, sizeof(text));
		tpch_qgen_log_line(&p, seed == TPCH_SEED_VALIDATION, line, sizeof(line));
		append(&log, &log_len, "%s", line);
		if (stream < 0)
			append(&all, &all_len, "-- TPC-H query %d\n%s\n", q, text);
		else
			append(&all, &all_len, "-- TPC-H query %d, stream %lld position %d\n%s\n", q,
				   (long long) stream, pos, text);
		if (dir)
		{
			char		path[4096];

			snprintf(path, sizeof(path), "%s/q%02d.sql", dir, q);
			write_file(path, text);
		}
	}
	if (dir)
	{
		char		path[4096];

		if (stream < 0)
			snprintf(path, sizeof(path), "%s/queries.sql", dir);
		else
			snprintf(path, sizeof(path), "%s/stream%lld.sql", dir, (long long) stream);
		write_file(path, all);
	}
	else if (fputs(all, stdout) == EOF || fflush(stdout) != 0)
		fail("could not write to standard output: %s", strerror(errno));
	if (log_path)
		write_file(log_path, log);
	free(all);
	free(log);
	return 0;
}
