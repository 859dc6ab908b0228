/*
 * test_qgen.c - unit tests of the query kit in the core: qgen's parameter
 * logs against all 150 official SF 1 logs, the stream order against the
 * spec's permutation table, the query texts, the stored answers and the
 * answer comparison rules.
 *
 *   test/core/test_qgen test/qgen
 *
 * Prints "not ok" lines and a closing "qgen: N passed, N failed".
 */
#include "../../core/answers.h"
#include "../../core/qgen.h"
#include "../../core/queries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	passed,
			failed;

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			passed++; \
		else \
		{ \
			failed++; \
			printf("not ok - "); \
			printf(__VA_ARGS__); \
			printf("  (%s:%d)\n", __FILE__, __LINE__); \
		} \
	} while (0)

/* The whole -l log of a seed at an SF, queries 1..22. */
static void
log_of(int64_t seed, double sf, char *buf, size_t len)
{
	size_t		n = 0;

	buf[0] = '\0';
	for (int q = 1; q <= TPCH_NQUERIES; q++)
	{
		tpch_qparams p;

		if (tpch_qgen_params(q, seed, sf, &p) != TPCH_QGEN_OK)
			return;
		n += tpch_qgen_log_line(&p, seed == TPCH_SEED_VALIDATION, buf + n, len - n);
	}
}

static char *
read_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf == NULL || fread(buf, 1, n, f) != (size_t) n)
	{
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Every official log: seeds.tsv names the file and qgen's -r argument. */
static void
test_official_logs(const char *dir)
{
	char		path[4096],
				name[64],
				seed_text[32],
				log[4096];
	FILE	   *f;
	int			files = 0,
				same = 0;

	snprintf(path, sizeof(path), "%s/sf1/seeds.tsv", dir);
	f = fopen(path, "r");
	CHECK(f != NULL, "%s can be read", path);
	if (f == NULL)
		return;
	while (fscanf(f, "%63s %31s", name, seed_text) == 2)
	{
		/* qgen reads the seed with atol: decimal, leading zeros allowed */
		int64_t		seed = strtoll(seed_text, NULL, 10);
		char	   *expected;

		snprintf(path, sizeof(path), "%s/sf1/%s", dir, name);
		expected = read_file(path);
		log_of(seed, 1.0, log, sizeof(log));
		files++;
		if (expected && strcmp(expected, log) == 0)
			same++;
		else
			printf("# %s (seed %s) differs\n", name, seed_text);
		free(expected);
	}
	fclose(f);
	CHECK(files == 150 && same == 150, "all 150 official SF 1 logs are reproduced (%d of %d)",
		  same, files);
}

/* The permutation table, stream 0..40, and its wrap-around. */
static void
test_streams(const char *dir)
{
	char		path[4096];
	FILE	   *f;
	int			rows = 0,
				bad = 0;

	snprintf(path, sizeof(path), "%s/permutation.txt", dir);
	f = fopen(path, "r");
	CHECK(f != NULL, "%s can be read", path);
	if (f == NULL)
		return;
	for (int s; fscanf(f, " %d:", &s) == 1; rows++)
	{
		int			seen = 0;

		for (int pos = 1; pos <= TPCH_NQUERIES; pos++)
		{
			int			q = 0;

			if (fscanf(f, "%d", &q) != 1 || tpch_qgen_stream_query(s, pos) != q ||
				tpch_qgen_stream_query(s + 41, pos) != q)
				bad++;
			seen |= 1 << q;
		}
		/* each row is a permutation of 1..22 */
		if (seen != ((1 << 23) - 2))
			bad++;
	}
	fclose(f);
	CHECK(rows == 41 && bad == 0, "the 41 stream orders equal spec Appendix A (%d rows, %d bad)",
		  rows, bad);
	CHECK(tpch_qgen_stream_query(-1, 1) == 0 && tpch_qgen_stream_query(0, 0) == 0 &&
		  tpch_qgen_stream_query(0, 23) == 0, "out-of-range streams and positions give 0");
}

static void
test_params(void)
{
	char		log[4096];
	tpch_qparams p;

	/* qgen -d: the spec's validation values; Q11 logs 0.0001 at every SF */
	log_of(TPCH_SEED_VALIDATION, 100, log, sizeof(log));
	CHECK(strstr(log, "\n6\t1994-01-01\t.06\t24\n") && strstr(log, "\n11\tGERMANY\t0.0001\n") &&
		  strstr(log, "\n16\tBrand#45\tMEDIUM POLISHED\t49\t14\t23\t45\t19\t3\t36\t9\n") &&
		  strstr(log, "\n18\t300\n"), "qgen -d log");
	tpch_qgen_params(11, TPCH_SEED_VALIDATION, 100, &p);
	CHECK(strcmp(p.value[1], "0.0000010000") == 0, "Q11 -d text fraction at SF 100: %s",
		  p.value[1]);
	/* only Q11 depends on the SF */
	tpch_qgen_params(11, 101000000, 0.01, &p);
	CHECK(strcmp(p.value[0], "KENYA") == 0 && strcmp(p.value[1], "0.0100000000") == 0,
		  "Q11 at SF 0.01: %s %s", p.value[0], p.value[1]);
	tpch_qgen_params(11, 101000000, 100000, &p);
	CHECK(strcmp(p.value[1], "0.0000000010") == 0, "Q11 at SF 100000: %s", p.value[1]);
	/* a seed above 2^31 - 1 works modulo it, as in qgen */
	{
		char		log2[4096];

		log_of(1, 1, log, sizeof(log));
		log_of(1 + 2147483647LL, 1, log2, sizeof(log2));
		CHECK(strcmp(log, log2) == 0 && strncmp(log, "1\t68\n2\t38\tSTEEL\tASIA\n", 20) == 0,
			  "seed 1 and 2^31 give the same log");
	}
	CHECK(tpch_qgen_params(0, 1, 1, &p) == TPCH_ERR_QUERY &&
		  tpch_qgen_params(23, 1, 1, &p) == TPCH_ERR_QUERY, "query 0 and 23 are refused");
	CHECK(tpch_qgen_check_seed(-1) == TPCH_ERR_SEED &&
		  tpch_qgen_check_seed(TPCH_SEED_MAX + 1) == TPCH_ERR_SEED &&
		  tpch_qgen_check_seed(2147483647) == TPCH_ERR_SEED_ZERO &&
		  tpch_qgen_check_seed(TPCH_SEED_MAX) == TPCH_QGEN_OK, "seed range");
}

static void
test_texts(void)
{
	int			bad = 0;
	char		own[64] = "";
	tpch_query_form form;

	for (int f = TPCH_FORM_SPEC; f <= TPCH_FORM_CITUS; f++)
		for (int q = 1; q <= TPCH_NQUERIES; q++)
		{
			tpch_qparams p;
			char		text[TPCH_QUERY_TEXT_MAX];
			char		spec[TPCH_QUERY_TEXT_MAX];
			size_t		n;

			tpch_qgen_params(q, 101000000, 1, &p);
			n = tpch_query_text_form(&p, f, text, sizeof(text));
			tpch_query_text(&p, spec, sizeof(spec));
			/* every parameter substituted, one statement, no leftover tag */
			if (n == 0 || n >= sizeof(text) || strchr(text, ':') != NULL ||
				strchr(text, ';') != text + n - 2 || text[n - 1] != '\n')
			{
				printf("# query %d text (form %d) is malformed\n", q, f);
				bad++;
			}
			for (int i = 0; i < p.count; i++)
				if (strstr(text, p.value[i]) == NULL)
				{
					printf("# query %d (form %d) lacks parameter %d\n", q, f, i + 1);
					bad++;
				}
			if ((strcmp(text, spec) != 0) != tpch_query_form_differs(f, q))
			{
				printf("# query %d (form %d): text and tpch_query_form_differs disagree\n", q, f);
				bad++;
			}
			if (tpch_query_form_differs(f, q))
				snprintf(own + strlen(own), sizeof(own) - strlen(own), " %d", q);
		}
	CHECK(bad == 0, "the 22 texts of each form take their parameters");
	CHECK(strcmp(own, " 13 17 18 20 22") == 0, "the Citus form has texts of its own for Q13, Q17, Q18, Q20, Q22");
	CHECK(tpch_query_form_parse("spec", &form) && form == TPCH_FORM_SPEC &&
		  tpch_query_form_parse("citus", &form) && form == TPCH_FORM_CITUS &&
		  !tpch_query_form_parse("Citus", &form) && !tpch_query_form_parse("", &form),
		  "form names");
	{
		tpch_qparams p;
		char		text[TPCH_QUERY_TEXT_MAX];
		char		small[8];

		tpch_qgen_params(6, TPCH_SEED_VALIDATION, 1, &p);
		tpch_query_text(&p, text, sizeof(text));
		CHECK(strstr(text, "l_discount between .06 - 0.01 and .06 + 0.01") != NULL,
			  "Q6 with the validation discount");
		CHECK(tpch_query_text(&p, small, sizeof(small)) == strlen(text) &&
			  strcmp(small, "select\n") == 0, "a short buffer is cut and NUL-terminated");
	}
}

static void
test_answers(void)
{
	char		detail[256];
	char		v[64];
	static const char *const rounding[][2] = {
		{"25.5220058532573370", "25.52"}, {"0.005", "0.01"}, {"-1.005", "-1.01"},
		{"9.995", "10.00"}, {"  99.994 ", "99.99"}, {"1478493", "1478493"}, {".06", "0.06"},
		{"-0.001", "0.00"}, {"3.5", "3.50"}, {"1e3", "1000.00"},
	};

	for (size_t i = 0; i < sizeof(rounding) / sizeof(rounding[0]); i++)
	{
		tpch_answer_value(TPCH_COL_SUM, rounding[i][0], strlen(rounding[i][0]), v, sizeof(v));
		CHECK(strcmp(v, rounding[i][1]) == 0, "\"%s\" rounds to %s, not %s", rounding[i][0],
			  rounding[i][1], v);
	}
	tpch_answer_value(TPCH_COL_STR, " a b  ", 6, v, sizeof(v));
	CHECK(strcmp(v, " a b") == 0, "strings keep leading blanks and lose trailing ones");

	CHECK(tpch_answer(1, 1) && tpch_answer(22, 0.01) && tpch_answer(16, 0.1) &&
		  !tpch_answer(1, 10) && !tpch_answer(0, 1), "answers at SF 0.01, 0.1 and 1 only");
	CHECK(strncmp(tpch_answer(1, 1), "A|F|37734107.00|56586554400.73|", 31) == 0,
		  "the official Q1 answer");
	CHECK(tpch_answer_columns(1) == 10 && tpch_answer_columns(18) == 6 &&
		  tpch_answer_columns(23) == 0, "column counts");

	/* Q1: sum_qty exact, sums within 100, averages within 1% */
	{
		const char *e = "A|F|10.00|1000.00|1000.00|1000.00|25.52|100.00|0.05|7\n";

		CHECK(tpch_answer_compare(1, e, e, detail, sizeof(detail)) == TPCH_ANSWER_SAME &&
			  detail[0] == '\0', "the same text");
		CHECK(tpch_answer_compare(1, e, "A|F|10|1000.004|1099.99|1000|25.7|100.99|0.0501|7\n",
								  detail, sizeof(detail)) == TPCH_ANSWER_CLOSE &&
			  strstr(detail, "row 1, column sum_qty: expected \"10.00\", got \"10\" (within") != NULL,
			  "within the tolerances: %s", detail);
		CHECK(tpch_answer_compare(1, e, "A|F|10.01|1000.00|1000.00|1000.00|25.52|100.00|0.05|7\n",
								  detail, sizeof(detail)) == TPCH_ANSWER_DIFFERENT &&
			  strcmp(detail, "row 1, column sum_qty: expected \"10.00\", got \"10.01\"") == 0,
			  "Q1 sum_qty is exact: %s", detail);
		CHECK(tpch_answer_compare(1, e, "A|F|10.00|1100.01|1000.00|1000.00|25.52|100.00|0.05|7\n",
								  detail, sizeof(detail)) == TPCH_ANSWER_DIFFERENT,
			  "a sum 100.01 off");
		CHECK(tpch_answer_compare(1, e, "A|F|10.00|1000.00|1000.00|1000.00|25.78|100.00|0.05|7\n",
								  detail, sizeof(detail)) == TPCH_ANSWER_DIFFERENT,
			  "an average 1.02%% off");
		CHECK(tpch_answer_compare(1, e, "A|F|10.00|1000.00|1000.00|1000.00|25.52|100.00|0.05|8\n",
								  detail, sizeof(detail)) == TPCH_ANSWER_DIFFERENT,
			  "a count off by one");
		CHECK(tpch_answer_compare(1, e, "", detail, sizeof(detail)) == TPCH_ANSWER_DIFFERENT &&
			  strcmp(detail, "expected 1 rows, got 0") == 0, "a missing row: %s", detail);
		CHECK(tpch_answer_compare(1, e, "A|F\n", detail, sizeof(detail)) == TPCH_ANSWER_DIFFERENT &&
			  strstr(detail, "different number of columns") != NULL, "a short row: %s", detail);
	}
	/* strings are exact but for trailing blanks; money to the cent */
	CHECK(tpch_answer_compare(20, "Supplier#1|addr\n", "Supplier#1   |addr \n", detail,
							  sizeof(detail)) == TPCH_ANSWER_SAME, "trailing blanks");
	CHECK(tpch_answer_compare(20, "Supplier#1|addr\n", "Supplier#2|addr\n", detail,
							  sizeof(detail)) == TPCH_ANSWER_DIFFERENT &&
		  strstr(detail, "column s_name") != NULL, "a string differs: %s", detail);
	CHECK(tpch_answer_compare(2, "9938.53|S|N|1|M|A|P|C\n", "9938.54|S|N|1|M|A|P|C\n", detail,
							  sizeof(detail)) == TPCH_ANSWER_DIFFERENT, "s_acctbal to the cent");
	/* ratios: within 1% after rounding (Q8 0.03 needs 0.03) */
	CHECK(tpch_answer_compare(8, "1995|0.03\n", "1995|0.0349\n", detail, sizeof(detail)) ==
		  TPCH_ANSWER_SAME, "a ratio that rounds to the answer");
	CHECK(tpch_answer_compare(8, "1995|0.03\n", "1995|0.036\n", detail, sizeof(detail)) ==
		  TPCH_ANSWER_DIFFERENT, "a ratio that does not");
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "test/qgen";

	test_official_logs(dir);
	test_streams(dir);
	test_params();
	test_texts();
	test_answers();
	printf("qgen: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
