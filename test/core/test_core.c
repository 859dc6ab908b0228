/*
 * test_core.c - unit tests of the generator core: the random streams and
 * seeking, the text pool, dates, money, CSV quoting, projection, row-range
 * seeks, reentrancy across threads, key ranges and the SF >= 30000 path.
 *
 * Prints "ok"/"not ok" lines and a closing "N passed, N failed".
 */
#include "../../core/internal.h"
#include "../../core/number.h"
#include "../../core/update.h"
#include "../../core/partition.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

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

static void
section(const char *name)
{
	printf("# %s\n", name);
}

/* ------------------------------------------------------------------------ */

static void
test_rng(void)
{
	int64_t		x = 1;
	uint64_t	seed = 88172645463325252ULL;

	section("random streams");
	x = tpch_next(x);
	CHECK(x == 16807, "first step of seed 1 is 16807, got %lld", (long long) x);
	x = tpch_next(x);
	CHECK(x == 282475249, "second step is 282475249, got %lld", (long long) x);
	x = tpch_next(x);
	CHECK(x == 1622650073, "third step is 1622650073, got %lld", (long long) x);

	/* seeking by a power equals stepping */
	x = 933588178;
	for (int i = 1; i <= 5000; i++)
	{
		x = tpch_next(x);
		if (i % 997 == 0 || i == 5000)
			CHECK(tpch_mulmod(933588178, tpch_pow16807((uint64_t) i)) == x,
				  "16807^%d skip equals %d steps", i, i);
	}
	CHECK(tpch_pow16807(2147483646) == 1, "16807 has order 2^31-2 (Fermat)");

	/* the exact integer draw equals dbgen's double formula below 2^21 */
	{
		int			bad = 0;

		for (int i = 0; i < 2000000; i++)
		{
			int64_t		s,
						range;

			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			s = (int64_t) (seed % (TPCH_M - 1)) + 1;
			range = (int64_t) ((seed >> 32) % ((1 << 21) - 1)) + 1;
			if (i < 1000)
				s = TPCH_M - 1 - i;	/* the top states, where rounding bites */
			if (tpch_scale_draw(s, 0, range) !=
				(int64_t) (((double) s / 2147483647.0) * (double) range))
				bad++;
		}
		CHECK(bad == 0, "integer draws equal double draws (%d differ)", bad);
	}
	/* and above 2^21 the double formula is kept: dbgen's 23 odd states */
	CHECK(tpch_scale_draw(TPCH_M - 1, 0, 314572758) == 314572757,
		  "top state of a comment offset range");
}

static void
test_pool(void)
{
	const char *pool = tpch_pool();
	static const char start[] =
		"furiously special foxes haggle furiously blithely ironic deposits. slyly final "
		"theodolites boost slyly even asymptotes. carefully final foxes wake furiously "
		"around the furiously bold deposits.";
	char		hex[65];

	section("text pool");
	CHECK(pool != NULL, "pool built");
	CHECK(memcmp(pool, start, sizeof(start) - 1) == 0, "pool starts with dbgen's sentences");
	sha256_hex(pool, TPCH_POOL_SIZE, hex);
	CHECK(strcmp(hex, "09011f43d4e60579f77b33a51bbb67d04b4f3e700d84f289db6b937db90677f9") == 0,
		  "pool sha256 is dbgen's, got %s", hex);
	CHECK(memchr(pool, '|', TPCH_POOL_SIZE) == NULL && memchr(pool, '\n', TPCH_POOL_SIZE) == NULL,
		  "pool has no '|' or newline");
	CHECK(tpch_pool_init() == TPCH_OK && tpch_pool() == pool, "second init is a no-op");
	{
		char	   *buf = malloc(TPCH_POOL_ALLOC);
		static const int threads[] = {1, 2, 3, 16, 40};

		for (size_t i = 0; buf != NULL && i < sizeof(threads) / sizeof(threads[0]); i++)
		{
			memset(buf, 0, TPCH_POOL_SIZE);
			tpch_pool_build_threads(buf, threads[i]);
			CHECK(memcmp(buf, pool, TPCH_POOL_SIZE) == 0, "pool built by %d threads is the same",
				  threads[i]);
		}
		free(buf);
	}
}

static void
test_formatting(void)
{
	char		buf[64];
	size_t		n;
	static const struct
	{
		int32_t		day;
		const char *text;
	}			dates[] = {
		{0, "1992-01-01"}, {59, "1992-02-29"}, {1263, "1995-06-17"}, {2405, "1998-08-02"},
		{2556, "1998-12-31"}, {-1, "1991-12-31"}, {2557, "1999-01-01"}, {-2922, "1984-01-01"},
		{2922, "2000-01-01"},
	};
	static const struct
	{
		int64_t		cents;
		const char *text;
	}			money[] = {
		{0, "0.00"}, {5, "0.05"}, {-5, "-0.05"}, {-100, "-1.00"}, {12345, "123.45"},
		{-99999, "-999.99"}, {999999, "9999.99"}, {90000, "900.00"},
		{INT64_C(123456789012345), "1234567890123.45"},
	};

	section("dates and money");
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
	{
		tpch_format_date(dates[i].day, buf);
		CHECK(memcmp(buf, dates[i].text, 10) == 0, "day %d is %s, got %.10s", dates[i].day,
			  dates[i].text, buf);
	}
	for (size_t i = 0; i < sizeof(money) / sizeof(money[0]); i++)
	{
		n = tpch_format_money(money[i].cents, buf);
		buf[n] = '\0';
		CHECK(strcmp(buf, money[i].text) == 0, "%lld cents is %s, got %s",
			  (long long) money[i].cents, money[i].text, buf);
	}
	CHECK(tpch_orderkey(1) == 1 && tpch_orderkey(8) == 32 && tpch_orderkey(9) == 33,
		  "sparse order keys");
	CHECK(tpch_order_index(32) == 8 && tpch_order_index(9) == 0 && tpch_order_index(0) == 0,
		  "order index of a key");
	for (int64_t i = 1; i < 100000; i += 7)
		if (tpch_order_index(tpch_orderkey(i)) != i)
		{
			CHECK(0, "order index round trip at %lld", (long long) i);
			break;
		}
}

/* Splits one CSV record (RFC 4180) into fields; returns the count. */
static int
csv_split(const char *line, size_t len, char fields[][256], int *quoted, int max)
{
	int			n = 0;
	size_t		i = 0;

	while (i <= len && n < max)
	{
		size_t		k = 0;

		quoted[n] = i < len && line[i] == '"';
		if (quoted[n])
		{
			for (i++; i < len; i++)
			{
				if (line[i] == '"')
				{
					if (i + 1 < len && line[i + 1] == '"')
						i++;
					else
					{
						i++;
						break;
					}
				}
				fields[n][k++] = line[i];
			}
		}
		else
			while (i < len && line[i] != ',')
				fields[n][k++] = line[i++];
		fields[n++][k] = '\0';
		if (i >= len)
			break;
		i++;					/* the comma */
	}
	return n;
}

/* CSV and .tbl carry the same values, and CSV quotes only where needed. */
static void
test_csv(void)
{
	section("CSV");
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		tpch_gen	g;
		tpch_row	row;
		int			ncols,
					bad = 0,
					quoted = 0,
					rows = 0;

		tpch_columns((tpch_table) t, &ncols);
		tpch_gen_init(&g, (tpch_table) t, 0.01, 1, 1);
		while (tpch_gen_next(&g, &row) && rows++ < 3000)
		{
			char		tbl[TPCH_MAX_LINE],
						csv[TPCH_MAX_LINE];
			char		fields[20][256];
			int			isq[20];
			size_t		nt = tpch_format_row((tpch_table) t, TPCH_FMT_TBL, &row, tbl);
			size_t		nc = tpch_format_row((tpch_table) t, TPCH_FMT_CSV, &row, csv);
			int			nf = csv_split(csv, nc - 1, fields, isq, 20);
			char		rebuilt[TPCH_MAX_LINE];
			char	   *p = rebuilt;

			quoted += memchr(csv, '"', nc) != NULL;
			for (int i = 0; i < nf; i++)
			{
				size_t		l = strlen(fields[i]);

				memcpy(p, fields[i], l);
				p += l;
				*p++ = '|';
			}
			*p++ = '\n';
			if (nf != ncols || (size_t) (p - rebuilt) != nt || memcmp(rebuilt, tbl, nt) != 0)
			{
				if (bad++ == 0)
					printf("# differs:\n# %.*s# %.*s", (int) nt, tbl, (int) nc, csv);
			}
			/* a field is quoted if and only if it holds a comma or a quote */
			for (int i = 0; i < nf; i++)
				bad += isq[i] != (strpbrk(fields[i], ",\"") != NULL);
		}
		CHECK(bad == 0, "%s: CSV fields equal .tbl fields (%d rows differ)",
			  tpch_table_name((tpch_table) t), bad);
		if (t == TPCH_CUSTOMER || t == TPCH_LINEITEM)
			CHECK(quoted > 0, "%s: fields with commas are quoted", tpch_table_name((tpch_table) t));
	}
	{
		char		buf[TPCH_MAX_LINE];
		size_t		n = tpch_format_header(TPCH_REGION, buf);

		CHECK(n == 29 && memcmp(buf, "r_regionkey,r_name,r_comment\n", n) == 0, "region header");
	}
}

/* A table's rows at an SF, hashed, from a range of group rows. */
static void
hash_rows(tpch_table t, double sf, int64_t part, int64_t parts, uint64_t cols, int64_t first,
		  int64_t count, char *hex)
{
	tpch_gen	g;
	tpch_row	row;
	sha256_ctx	c;
	char		buf[TPCH_MAX_LINE];

	tpch_gen_init(&g, t, sf, part, parts);
	if (first > 0)
		tpch_gen_seek(&g, first, count);
	tpch_gen_set_columns(&g, cols);
	sha256_init(&c);
	while (tpch_gen_next(&g, &row))
		sha256_update(&c, buf, tpch_format_row(t, TPCH_FMT_TBL, &row, buf));
	sha256_final_hex(&c, hex);
}

static void
test_seek(void)
{
	section("seeking");
	for (int t = TPCH_SUPPLIER; t < TPCH_NTABLES; t++)
	{
		int64_t		first,
					count;
		tpch_gen	a;
		tpch_row	ra,
					rb;
		char		whole[65],
					pieces[65];
		sha256_ctx	c;
		char		buf[TPCH_MAX_LINE];

		/* rows from a seek equal the rows of a full run at that point */
		tpch_part_range((tpch_table) t, 0.01, 1, 1, &first, &count);
		hash_rows((tpch_table) t, 0.01, 1, 1, TPCH_ALL_COLUMNS, 0, 0, whole);
		sha256_init(&c);
		for (int64_t r = first; r < first + count; r += 97)
		{
			int64_t		n = r + 97 > first + count ? first + count - r : 97;

			tpch_gen_init(&a, (tpch_table) t, 0.01, 1, 1);
			tpch_gen_seek(&a, r, n);
			while (tpch_gen_next(&a, &ra))
				sha256_update(&c, buf, tpch_format_row((tpch_table) t, TPCH_FMT_TBL, &ra, buf));
		}
		sha256_final_hex(&c, pieces);
		CHECK(strcmp(whole, pieces) == 0, "%s: 97-row seeks give the whole table",
			  tpch_table_name((tpch_table) t));
		/*
		 * hops forward from where a generator stands, after whole or
		 * partly read groups, land where a fresh generator's seek does
		 */
		{
			tpch_gen	b;
			int			same = 1;
			int			step = 1;

			tpch_gen_init(&a, (tpch_table) t, 0.01, 1, 1);
			for (int64_t r = first; r < first + count && same; r += step, step = step % 41 + 1)
			{
				int			partly = step % 3 == 0;
				char		l1[TPCH_MAX_LINE],
							l2[TPCH_MAX_LINE];

				tpch_gen_init(&b, (tpch_table) t, 0.01, 1, 1);
				tpch_gen_seek(&a, r, 1);
				tpch_gen_seek(&b, r, 1);
				for (int i = 0; tpch_gen_next(&b, &rb); i++)
				{
					size_t		n1,
								n2;

					if (partly && i == 1)
						break;
					same &= tpch_gen_next(&a, &ra);
					n1 = tpch_format_row((tpch_table) t, TPCH_FMT_TBL, &ra, l1);
					n2 = tpch_format_row((tpch_table) t, TPCH_FMT_TBL, &rb, l2);
					same &= n1 == n2 && memcmp(l1, l2, n1) == 0;
				}
			}
			CHECK(same, "%s: hops forward give a fresh seek's rows",
				  tpch_table_name((tpch_table) t));
		}
		/* seeking back rewinds */
		tpch_gen_init(&a, (tpch_table) t, 0.01, 1, 1);
		tpch_gen_next(&a, &ra);
		for (int i = 0; i < 50; i++)
			tpch_gen_next(&a, &rb);
		tpch_gen_seek(&a, 1, 10);
		tpch_gen_next(&a, &rb);
		{
			char		l1[TPCH_MAX_LINE],
						l2[TPCH_MAX_LINE];
			size_t		n1 = tpch_format_row((tpch_table) t, TPCH_FMT_TBL, &ra, l1);
			size_t		n2 = tpch_format_row((tpch_table) t, TPCH_FMT_TBL, &rb, l2);

			CHECK(n1 == n2 && memcmp(l1, l2, n1) == 0, "%s: seek back to row 1",
				  tpch_table_name((tpch_table) t));
		}
	}
	{
		tpch_gen	g;

		tpch_gen_init(&g, TPCH_LINEITEM, 0.1, 2, 3);
		CHECK(tpch_gen_seek(&g, 1, 10) == TPCH_ERR_RANGE, "seek outside the part is refused");
		CHECK(tpch_gen_init(&g, TPCH_LINEITEM, 1.5, 1, 1) == TPCH_ERR_SF_NOT_WHOLE, "SF 1.5 refused");
		CHECK(tpch_gen_init(&g, TPCH_LINEITEM, 0, 1, 1) == TPCH_ERR_SF_RANGE, "SF 0 refused");
		CHECK(tpch_gen_init(&g, TPCH_LINEITEM, 1, 4, 3) == TPCH_ERR_PART, "part 4 of 3 refused");
		CHECK(tpch_gen_init(&g, TPCH_LINEITEM, 1, 1, 0) == TPCH_ERR_PARTS, "0 parts refused");
		CHECK(tpch_gen_init(&g, (tpch_table) 8, 1, 1, 1) == TPCH_ERR_TABLE, "table 8 refused");
	}
}

/* Every column of a projected run equals the same column of a full run. */
static void
test_projection(void)
{
	uint64_t	seed = 1234567;

	section("projection");
	for (int t = 0; t < TPCH_NTABLES; t++)
	{
		int			ncols,
					bad = 0;
		const tpch_column *cols = tpch_columns((tpch_table) t, &ncols);

		for (int trial = 0; trial < 12; trial++)
		{
			tpch_gen	full,
						proj;
			tpch_row	rf,
						rp;
			uint64_t	mask;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			mask = trial == 0 ? 0 : (seed >> 20) & ((1ULL << ncols) - 1);
			tpch_gen_init(&full, (tpch_table) t, 0.01, 1, 1);
			tpch_gen_init(&proj, (tpch_table) t, 0.01, 1, 1);
			tpch_gen_set_columns(&proj, mask);
			while (tpch_gen_next(&full, &rf))
			{
				if (!tpch_gen_next(&proj, &rp))
				{
					bad++;
					break;
				}
				for (int c = 0; c < ncols; c++)
				{
					const char *a = (const char *) &rf + cols[c].offset;
					const char *b = (const char *) &rp + cols[c].offset;

					if (!((mask >> c) & 1))
						continue;
					if (cols[c].kind == TPCH_KIND_CHAR || cols[c].kind == TPCH_KIND_VARCHAR)
					{
						const tpch_str *sa = (const tpch_str *) a,
								   *sb = (const tpch_str *) b;

						bad += sa->len != sb->len || memcmp(sa->ptr, sb->ptr, sa->len) != 0;
					}
					else if (cols[c].kind == TPCH_KIND_DATE)
						bad += *(const int32_t *) a != *(const int32_t *) b;
					else
						bad += *(const int64_t *) a != *(const int64_t *) b;
				}
			}
			bad += tpch_gen_next(&proj, &rp);
		}
		CHECK(bad == 0, "%s: projected columns equal full columns (%d differ)",
			  tpch_table_name((tpch_table) t), bad);
	}
}

/*
 * A date window leaves out lineitem rows outside it, never one inside, and
 * the rows it keeps are those of the whole table, in order, also after a
 * seek and with few columns.
 */
static void
test_date_window(void)
{
	static const struct
	{
		int			col[2];
		int32_t		lo[2];
		int32_t		hi[2];
		uint64_t	mask;
	}			w[] = {
		{{10, -1}, {731, 0}, {1095, 0}, TPCH_ALL_COLUMNS},	/* Q20's year */
		{{10, -1}, {731, 0}, {1095, 0}, (1 << 1) | (1 << 2) | (1 << 4)},
		{{12, 11}, {-100, 0}, {40, 2000}, TPCH_ALL_COLUMNS},
		{{11, -1}, {2600, 0}, {2700, 0}, TPCH_ALL_COLUMNS},	/* past the end */
		{{10, 10}, {100, 50}, {1000, 120}, TPCH_ALL_COLUMNS},	/* empty */
		{{10, -1}, {1000, 0}, {1000, 0}, TPCH_ALL_COLUMNS},	/* one day: runs of
																 * over 63 orders
																 * skipped */
	};
	char		a[TPCH_MAX_LINE],
				b[TPCH_MAX_LINE];

	section("date window");
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
	{
		for (int seek = 0; seek < 2; seek++)
		{
			tpch_gen	full,
						dated;
			tpch_row	rf,
						rd;
			int64_t		kept = 0,
						inside = 0,
						bad = 0;
			int			more;

			tpch_gen_init(&full, TPCH_LINEITEM, 0.01, 1, 1);
			tpch_gen_init(&dated, TPCH_LINEITEM, 0.01, 1, 1);
			for (int k = 0; k < 2 && w[i].col[k] >= 0; k++)
				CHECK(tpch_gen_restrict_date(&dated, w[i].col[k], w[i].lo[k],
											 w[i].hi[k]) == TPCH_OK,
					  "window %zu: column %d accepted", i, w[i].col[k]);
			if (seek)
			{
				tpch_gen_seek(&full, 2000, 3000);
				tpch_gen_seek(&dated, 2000, 3000);
			}
			tpch_gen_set_columns(&dated, w[i].mask);
			more = tpch_gen_next(&dated, &rd);
			while (tpch_gen_next(&full, &rf) > 0)
			{
				const tpch_lineitem_row *l = &rf.lineitem;
				int			in = 1;

				for (int k = 0; k < 2 && w[i].col[k] >= 0; k++)
				{
					int32_t		d = w[i].col[k] == 10 ? l->l_shipdate :
						w[i].col[k] == 11 ? l->l_commitdate : l->l_receiptdate;

					in &= d >= w[i].lo[k] && d <= w[i].hi[k];
				}
				inside += in;
				if (more <= 0 || rd.lineitem.l_orderkey != l->l_orderkey ||
					rd.lineitem.l_linenumber != l->l_linenumber)
				{
					bad += in;	/* a row of the window left out */
					continue;
				}
				if (w[i].mask == TPCH_ALL_COLUMNS)
				{
					size_t		na = tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, &rf, a);
					size_t		nb = tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, &rd, b);

					bad += na != nb || memcmp(a, b, na) != 0;
				}
				else
					bad += rd.lineitem.l_partkey != l->l_partkey ||
						rd.lineitem.l_suppkey != l->l_suppkey ||
						rd.lineitem.l_quantity != l->l_quantity;
				kept++;
				more = tpch_gen_next(&dated, &rd);
			}
			bad += more != 0;
			CHECK(bad == 0 && kept >= inside,
				  "window %zu%s: %lld rows kept, %lld inside, %lld wrong", i,
				  seek ? " after a seek" : "", (long long) kept,
				  (long long) inside, (long long) bad);
			if (i == 0 && !seek)
				CHECK(kept < inside * 2, "Q20's window skips most rows (%lld kept for %lld)",
					  (long long) kept, (long long) inside);
		}
	}
	/*
	 * A seek forward after a range that ended in skipped orders (their lines'
	 * streams left behind) lands where a fresh generator's seek does.
	 */
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
	{
		tpch_gen	hop,
					fresh;
		tpch_row	rh,
					rf;
		int64_t		rows = 0,
					bad = 0;
		int			more;

		tpch_gen_init(&hop, TPCH_LINEITEM, 0.01, 1, 1);
		tpch_gen_init(&fresh, TPCH_LINEITEM, 0.01, 1, 1);
		for (int k = 0; k < 2 && w[i].col[k] >= 0; k++)
		{
			tpch_gen_restrict_date(&hop, w[i].col[k], w[i].lo[k], w[i].hi[k]);
			tpch_gen_restrict_date(&fresh, w[i].col[k], w[i].lo[k], w[i].hi[k]);
		}
		tpch_gen_seek(&hop, 1, 500);
		while (tpch_gen_next(&hop, &rh) > 0)
			;
		tpch_gen_seek(&hop, 800, 3000);
		tpch_gen_seek(&fresh, 800, 3000);
		while ((more = tpch_gen_next(&fresh, &rf)) > 0)
		{
			size_t		na = tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, &rf, a);
			size_t		nb;

			if (tpch_gen_next(&hop, &rh) <= 0)
			{
				bad++;
				break;
			}
			nb = tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, &rh, b);
			bad += na != nb || memcmp(a, b, na) != 0;
			rows++;
		}
		bad += more == 0 && tpch_gen_next(&hop, &rh) != 0;
		CHECK(bad == 0, "window %zu: a seek after skipped orders gives a fresh seek's rows "
			  "(%lld rows, %lld wrong)", i, (long long) rows, (long long) bad);
	}
	{
		tpch_gen	g;

		tpch_gen_init(&g, TPCH_ORDERS, 0.01, 1, 1);
		CHECK(tpch_gen_restrict_date(&g, 4, 0, 10) == TPCH_ERR_TABLE,
			  "orders is not restricted");
		tpch_gen_init(&g, TPCH_LINEITEM, 0.01, 1, 1);
		CHECK(tpch_gen_restrict_date(&g, 9, 0, 10) == TPCH_ERR_TABLE,
			  "l_linestatus is not a date column");
	}
}

/* Generators in different threads at once give the bytes they give alone. */
typedef struct thread_job
{
	tpch_table	t;
	int64_t		part;
	char		hex[65];
} thread_job;

static void *
thread_main(void *arg)
{
	thread_job *j = arg;

	hash_rows(j->t, 0.01, j->part, 3, TPCH_ALL_COLUMNS, 0, 0, j->hex);
	return NULL;
}

static void
test_threads(void)
{
	thread_job	jobs[TPCH_NTABLES * 3];
	pthread_t	tid[TPCH_NTABLES * 3];
	int			bad = 0;

	section("reentrancy");
	for (int i = 0; i < TPCH_NTABLES * 3; i++)
	{
		jobs[i].t = (tpch_table) (i / 3);
		jobs[i].part = i % 3 + 1;
		pthread_create(&tid[i], NULL, thread_main, &jobs[i]);
	}
	for (int i = 0; i < TPCH_NTABLES * 3; i++)
	{
		char		alone[65];

		pthread_join(tid[i], NULL);
		hash_rows(jobs[i].t, 0.01, jobs[i].part, 3, TPCH_ALL_COLUMNS, 0, 0, alone);
		bad += strcmp(alone, jobs[i].hex) != 0;
	}
	CHECK(bad == 0, "24 generators in 24 threads at once = alone (%d differ)", bad);
}

/*
 * Part k's rows have keys in [lo, hi) of tpch_part_key_range, and the
 * ranges of parts 1..n meet end to end: the bounds of range partitions.
 */
static void
test_part_keys(void)
{
	section("part key ranges");
	for (int t = TPCH_REGION; t < TPCH_NTABLES; t++)
	{
		int			ncols;
		const tpch_column *key = &tpch_columns((tpch_table) t, &ncols)[tpch_part_key_column((tpch_table) t)];
		int64_t		prev_hi = 0;
		int			outside = 0,
					gaps = 0;

		for (int64_t part = 1; part <= 3; part++)
		{
			tpch_gen	g;
			tpch_row	row;
			int64_t		lo,
						hi;

			tpch_part_key_range((tpch_table) t, 0.01, part, 3, &lo, &hi);
			if (part > 1 && t > TPCH_NATION)
				gaps += lo != prev_hi;
			prev_hi = hi;
			tpch_gen_init(&g, (tpch_table) t, 0.01, part, 3);
			while (tpch_gen_next(&g, &row) == 1)
			{
				int64_t		k = *(const int64_t *) ((const char *) &row + key->offset);

				outside += k < lo || k >= hi;
			}
		}
		CHECK(outside == 0 && gaps == 0, "%s: keys of part k of 3 lie in its range, ranges adjacent (%d outside, %d gaps)",
			  tpch_table_name((tpch_table) t), outside, gaps);
	}
	{
		int64_t		lo,
					hi;

		tpch_part_key_range(TPCH_LINEITEM, 1, 4, 4, &lo, &hi);
		CHECK(lo == tpch_orderkey(1125001) && hi == tpch_orderkey(1500001),
			  "lineitem part 4 of 4 at SF 1: order keys [%lld, %lld)", (long long) lo, (long long) hi);
		CHECK(tpch_part_key_range(TPCH_ORDERS, 1, 5, 4, &lo, &hi) == TPCH_ERR_PART,
			  "part 5 of 4 refused");
	}
}

/*
 * tpch_hash_int8 gives PostgreSQL's hashint8 (the values below are
 * PostgreSQL 15's), and tpch_hash_next finds exactly the group rows whose
 * key hashes into a range: Citus's four shards of orders and of partsupp
 * at SF 0.01 hold every row once.
 */
static void
test_key_hash(void)
{
	static const struct
	{
		int64_t		key;
		int32_t		hash;
	}			pg[] = {
		{0, -272711505}, {1, -1905060026}, {2, 1134484726},
		{-1, 385747274}, {-7, -82204417}, {INT64_C(4294967296), -1905060026},
		{INT64_C(6000000000), -250056168}, {INT64_C(-6000000000), -1207592571},
		{INT64_MAX, -1524351049}, {INT64_MIN, -96758253},
	};
	static const int32_t bounds[] = {INT32_MIN, -1073741824, 0, 1073741824};

	section("key hash");
	for (size_t i = 0; i < sizeof(pg) / sizeof(pg[0]); i++)
		CHECK(tpch_hash_int8(pg[i].key) == pg[i].hash, "hashint8(%lld) is %d, got %d",
			  (long long) pg[i].key, pg[i].hash, tpch_hash_int8(pg[i].key));
	for (int t = TPCH_PARTSUPP; t <= TPCH_ORDERS; t += TPCH_ORDERS - TPCH_PARTSUPP)
	{
		int64_t		n = tpch_group_rows((tpch_table) t, 0.01);
		int64_t		seen = 0;
		int			wrong = 0;

		for (int s = 0; s < 4; s++)
		{
			int32_t		lo = bounds[s];
			int32_t		hi = s == 3 ? INT32_MAX : bounds[s + 1] - 1;
			int64_t		probe = tpch_hash_probe_key(lo, hi);

			wrong += probe <= 0 || tpch_hash_int8(probe) < lo || tpch_hash_int8(probe) > hi;
			for (int64_t r = tpch_hash_next((tpch_table) t, 1, n + 1, lo, hi); r <= n;
				 r = tpch_hash_next((tpch_table) t, r + 1, n + 1, lo, hi))
			{
				int32_t		h = tpch_hash_int8(tpch_group_key((tpch_table) t, r));

				wrong += h < lo || h > hi;
				seen++;
			}
		}
		CHECK(seen == n && wrong == 0, "%s: four hash ranges hold each of %lld group rows once (%lld seen, %d wrong)",
			  tpch_table_name((tpch_table) t), (long long) n, (long long) seen, wrong);
	}
	CHECK(tpch_group_key(TPCH_LINEITEM, 9) == 33 && tpch_group_key(TPCH_PARTSUPP, 9) == 9 &&
		  tpch_group_key(TPCH_NATION, 1) == 0, "group keys: order key, part key, nation key from 0");
}

/*
 * Key intervals to group rows (core/keys.c), as a foreign scan's pushed-down
 * key conditions use them: checked against brute force over the keys.
 */
static void
test_key_ranges(void)
{
	int64_t		n = tpch_group_rows(TPCH_ORDERS, 0.01);
	int			wrong = 0;

	section("key ranges");
	for (int64_t key = -3; key <= tpch_orderkey(n) + 40; key++)
	{
		int64_t		i = tpch_order_index_ceil(key, n);
		int64_t		expect = 1;

		while (expect <= n && tpch_orderkey(expect) < key)
			expect++;
		wrong += i != expect;
	}
	CHECK(wrong == 0, "the first order index at or above every key at SF 0.01 (%d wrong)",
		  wrong);

	{
		int64_t		first,
					end;

		/* keys 9..40: orders 8 (key 32) to 15 (key 39); 9..31 hold none */
		tpch_key_group_range(TPCH_ORDERS, 0.01, 9, 40, &first, &end);
		CHECK(first == 8 && end == 16, "orders keys 9..40: indexes [%lld, %lld)",
			  (long long) first, (long long) end);
		tpch_key_group_range(TPCH_LINEITEM, 0.01, 9, 31, &first, &end);
		CHECK(first == end, "lineitem keys 9..31: no order (%lld, %lld)",
			  (long long) first, (long long) end);
		tpch_key_group_range(TPCH_LINEITEM, 0.01, INT64_MIN, INT64_MAX, &first, &end);
		CHECK(first == 1 && end == n + 1, "lineitem, every key: every order");
		tpch_key_group_range(TPCH_PART, 0.01, 5, 7, &first, &end);
		CHECK(first == 5 && end == 8, "part keys 5..7: group rows [5, 8)");
		tpch_key_group_range(TPCH_PART, 0.01, 5, INT64_MAX, &first, &end);
		CHECK(first == 5 && end == INT64_MAX, "part keys from 5: no upper bound");
	}

	{
		const int64_t lo[] = {INT64_MIN, 10, 30};
		const int64_t hi[] = {5, 20, INT64_MAX};
		const int64_t lo2[] = {3, 15, 40};
		const int64_t hi2[] = {12, 35, 40};
		int64_t		rlo[6],
					rhi[6];
		int			r = tpch_intervals_intersect(3, lo, hi, 3, lo2, hi2, rlo, rhi);

		CHECK(r == 5 && rlo[0] == 3 && rhi[0] == 5 && rlo[1] == 10 && rhi[1] == 12 &&
			  rlo[2] == 15 && rhi[2] == 20 && rlo[3] == 30 && rhi[3] == 35 &&
			  rlo[4] == 40 && rhi[4] == 40,
			  "interval intersection, sorted and disjoint (%d intervals)", r);
		r = tpch_intervals_intersect(3, lo, hi, 0, lo2, hi2, rlo, rhi);
		CHECK(r == 0, "intersection with no interval is empty");
	}

	CHECK(tpch_group_rows_max(TPCH_LINEITEM) == 7 && tpch_group_rows_max(TPCH_PARTSUPP) == 4 &&
		  tpch_group_rows_max(TPCH_ORDERS) == 1, "rows a group row has at most");
}

/* SF >= 30000: 64-bit streams, continued inside a part, restarted at parts. */
static void
test_big(void)
{
	tpch_gen	g;
	tpch_row	row;
	char		a[65],
				b[65];
	int64_t		first,
				count;

	section("SF >= 30000");
	/* a seek inside a part replays stream 19 to the same state */
	tpch_part_range(TPCH_LINEITEM, 30000, 7, 1000000, &first, &count);
	hash_rows(TPCH_LINEITEM, 30000, 7, 1000000, TPCH_ALL_COLUMNS, first + 500, 300, a);
	{
		sha256_ctx	c;
		char		buf[TPCH_MAX_LINE];

		tpch_gen_init(&g, TPCH_LINEITEM, 30000, 7, 1000000);
		sha256_init(&c);
		while (tpch_gen_next(&g, &row))
			if (row.lineitem.l_orderkey >= tpch_orderkey(first + 500) &&
				row.lineitem.l_orderkey < tpch_orderkey(first + 800))
				sha256_update(&c, buf, tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, &row, buf));
		sha256_final_hex(&c, b);
	}
	CHECK(strcmp(a, b) == 0, "SF 30000: a seek inside a part = the part's own run");
	{
		/* forward seeks block after block replay only the gap */
		sha256_ctx	c;
		char		buf[TPCH_MAX_LINE];

		tpch_gen_init(&g, TPCH_LINEITEM, 30000, 7, 1000000);
		sha256_init(&c);
		for (int64_t r = first + 500; r < first + 800; r += 37)
		{
			tpch_gen_seek(&g, r, r + 37 > first + 800 ? first + 800 - r : 37);
			while (tpch_gen_next(&g, &row) == 1)
				sha256_update(&c, buf, tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, &row, buf));
		}
		sha256_final_hex(&c, b);
		CHECK(strcmp(a, b) == 0, "SF 30000: forward seeks block by block = one run");
	}
	{
		/* a bounded seek gets there in steps, to the same rows */
		int			calls = 0,
					rc;
		sha256_ctx	c;
		char		buf[TPCH_MAX_LINE];

		tpch_gen_init(&g, TPCH_LINEITEM, 30000, 7, 1000000);
		while ((rc = tpch_gen_seek_bounded(&g, first + 500, 300, 64)) == TPCH_AGAIN)
			calls++;
		sha256_init(&c);
		while (tpch_gen_next(&g, &row) == 1)
			sha256_update(&c, buf, tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, &row, buf));
		sha256_final_hex(&c, b);
		CHECK(rc == TPCH_OK && calls == 7 && strcmp(a, b) == 0,
			  "SF 30000: a bounded seek takes 8 calls of 64 rows and lands right (%d)", calls);
		CHECK(tpch_gen_init(&g, TPCH_LINEITEM, 1, 1, 1) == TPCH_OK &&
			  tpch_gen_seek_bounded(&g, 5000, 10, 1) == TPCH_OK, "below SF 30000 a seek is one call");
	}

	/* the 64-bit path makes the output depend on where parts start */
	tpch_gen_init(&g, TPCH_ORDERS, 30000, 1, 1);
	tpch_gen_seek(&g, 101, 1);
	tpch_gen_next(&g, &row);
	{
		int64_t		cont = row.orders.o_custkey;

		/* 100 orders a part: part 2 starts at order 101 */
		tpch_gen_init(&g, TPCH_ORDERS, 30000, 2, INT64_C(45000000000) / 100);
		tpch_gen_next(&g, &row);
		CHECK(row.orders.o_orderkey == tpch_orderkey(101), "part 2 of 450000000 starts at order 101");
		CHECK(row.orders.o_custkey != cont,
			  "SF 30000: order 101's custkey depends on the chunking, as in dbgen");
	}
	CHECK(tpch_gen_init(&g, TPCH_ORDERS, 29999, 1, 1) == TPCH_OK && !g.big, "SF 29999 is 31-bit");
	CHECK(tpch_gen_init(&g, TPCH_ORDERS, 30000, 1, 1) == TPCH_OK && g.big, "SF 30000 is 64-bit");
	tpch_gen_next(&g, &row);
	CHECK(row.orders.o_custkey >= 1 && row.orders.o_custkey <= 4500000000 &&
		  row.orders.o_custkey % 3 != 0, "SF 30000 custkey in range and not a multiple of 3");
}

static void
test_counts(void)
{
	section("row counts");
	CHECK(tpch_group_rows(TPCH_SUPPLIER, 0.37) == 3700, "SF 0.37 suppliers");
	CHECK(tpch_group_rows(TPCH_ORDERS, 0.37) == 555000, "SF 0.37 orders");
	CHECK(tpch_group_rows(TPCH_CUSTOMER, 0.0001) == 1, "SF 0.0001 customers");
	CHECK(tpch_group_rows(TPCH_LINEITEM, 100000) == INT64_C(150000000000), "SF 100000 orders");
	CHECK(tpch_group_rows(TPCH_NATION, 100000) == 25, "nation is 25 rows");
	{
		int64_t		f,
					c;

		tpch_part_range(TPCH_PART, 0.1, 3, 3, &f, &c);
		CHECK(f == 13333 && c == 6668, "SF 0.1 parts: the last part takes the remainder");
		tpch_part_range(TPCH_NATION, 0.1, 2, 3, &f, &c);
		CHECK(f == 1 && c == 25, "nation is never split");
		tpch_part_range(TPCH_SUPPLIER, 0.01, 5, 1000, &f, &c);
		CHECK(c == 0, "more parts than rows: early parts are empty");
	}
	{
		int64_t		n = 0;
		tpch_gen	g;
		tpch_row	r;

		tpch_gen_init(&g, TPCH_LINEITEM, 0.01, 1, 1);
		while (tpch_gen_next(&g, &r))
			n++;
		CHECK(n == 60175, "SF 0.01 lineitem has 60175 rows, got %lld", (long long) n);
		CHECK(llabs(tpch_rows_estimate(TPCH_LINEITEM, 15000) - n) * 100 < n,
			  "lineitem estimate within 1%%");
	}
}

/* Before the pool exists: columns that do not need it still work. */
static void
test_without_pool(void)
{
	tpch_gen	g;
	tpch_row	row;
	int64_t		n = 0,
				sum = 0;
	int			rc;

	section("without a pool");
	CHECK(tpch_pool() == NULL, "no pool yet");
	CHECK(tpch_gen_init(&g, TPCH_LINEITEM, 0.01, 1, 1) == TPCH_OK, "init without a pool");
	CHECK(tpch_gen_next(&g, &row) == -TPCH_ERR_NOPOOL, "l_comment without a pool fails");
	CHECK(tpch_gen_set_columns(&g, TPCH_ALL_COLUMNS & ~tpch_pool_columns(TPCH_LINEITEM)) == TPCH_OK,
		  "a mask without l_comment is accepted");
	while ((rc = tpch_gen_next(&g, &row)) == 1)
	{
		n++;
		sum += row.lineitem.l_extendedprice;
	}
	CHECK(rc == 0 && n == 60175, "all 60175 lines without a pool");
	CHECK(sum == INT64_C(215218976047), "sum of l_extendedprice at SF 0.01 is dbgen's, got %lld", (long long) sum);
	CHECK(tpch_gen_set_columns(&g, UINT64_C(1) << 15) == TPCH_ERR_NOPOOL, "l_comment refused");
}

/* Orders with TPCH_WITH_LINES hand out exactly lineitem's rows. */
static void
test_with_lines(void)
{
	tpch_gen	o,
				l;
	tpch_row	ro,
				rl;
	int			bad = 0;

	section("orders with their lines");
	tpch_gen_init(&o, TPCH_ORDERS, 0.01, 2, 3);
	tpch_gen_init(&l, TPCH_LINEITEM, 0.01, 2, 3);
	tpch_gen_set_columns(&o, TPCH_ALL_COLUMNS | TPCH_WITH_LINES);
	while (tpch_gen_next(&o, &ro) == 1)
	{
		int			n;
		const tpch_lineitem_row *lines = tpch_gen_lines(&o, &n);

		for (int i = 0; i < n; i++)
		{
			char		a[TPCH_MAX_LINE],
						b[TPCH_MAX_LINE];
			size_t		na,
						nb;

			tpch_gen_next(&l, &rl);
			na = tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, (const tpch_row *) &lines[i], a);
			nb = tpch_format_row(TPCH_LINEITEM, TPCH_FMT_TBL, &rl, b);
			bad += na != nb || memcmp(a, b, na) != 0;
		}
	}
	CHECK(bad == 0 && tpch_gen_next(&l, &rl) == 0, "the lines equal lineitem's (%d differ)", bad);
}

/* Numbers in messages read back as the value given. */
static void
test_number(void)
{
	static const struct
	{
		double		v;
		const char *text;
	}			cases[] = {
		{100000.5, "100000.5"}, {1.0000001, "1.0000001"}, {100000, "100000"},
		{0.001, "0.001"}, {0.1, "0.1"}, {1e300, "1e+300"}, {-2.5, "-2.5"},
		{1.0 / 3, "0.3333333333333333"}, {5e-324, "5e-324"}, {1e15, "1e+15"},
		{123456789012345, "123456789012345"}, {0.0001, "0.0001"}, {0.00001, "1e-05"},
		{1.0 / 0.0, "Infinity"}, {-1.0 / 0.0, "-Infinity"}, {0.0 / 0.0, "NaN"},
	};
	char		buf[TPCH_DOUBLE_BUFLEN];

	section("numbers in messages");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(strcmp(tpch_format_double(cases[i].v, buf), cases[i].text) == 0,
			  "%s printed as \"%s\"", cases[i].text, buf);
}

/* Hashes part `part` of `parts` of a set's rows as their file's lines. */
static void
hash_update_part(sha256_ctx *c, tpch_table t, tpch_update_kind kind, double sf,
				 int64_t set, int64_t part, int64_t parts)
{
	tpch_gen	g;
	char		buf[1 << 16];
	int64_t		rows = 0;
	size_t		n;

	CHECK(tpch_update_init(&g, t, kind, sf, set, part, parts) == TPCH_OK,
		  "update init of set %lld part %lld of %lld", (long long) set,
		  (long long) part, (long long) parts);
	while ((n = tpch_gen_format(&g, TPCH_FMT_TBL, buf, sizeof(buf), &rows)) > 0)
		sha256_update(c, buf, n);
}

static void
test_updates(void)
{
	static const tpch_table tables[3] = {TPCH_ORDERS, TPCH_LINEITEM, TPCH_ORDERS};
	static const tpch_update_kind kinds[3] = {TPCH_INSERTS, TPCH_INSERTS, TPCH_DELETES};
	tpch_gen	g;
	tpch_row	row;
	char		buf[TPCH_MAX_LINE];
	const char *first = "9|10096|O|70670.35|1995-10-13|3-MEDIUM|Clerk#000000052|0|"
		"ts promise slyly. express packages above the carefully ironic account|\n";

	section("update sets");
	CHECK(tpch_update_rows(1) == 1500 && tpch_update_rows(0.1) == 150 &&
		  tpch_update_rows(0.37) == 550 && tpch_update_rows(0.01) == 10 &&
		  tpch_update_rows(0.005) == 0 && tpch_update_rows(100000) == 150000000,
		  "orders per set: 1500, 150, 550 (not 555), 10, 0, 150 million");
	CHECK(tpch_check_update(1, 0) == TPCH_ERR_SET && tpch_check_update(1, 3000) == TPCH_ERR_SET &&
		  tpch_check_update(0.005, 1) == TPCH_ERR_NO_UPDATES &&
		  tpch_check_update(1.5, 1) == TPCH_ERR_SF_NOT_WHOLE && tpch_check_update(1, 2999) == TPCH_OK,
		  "set and SF checks");
	CHECK(tpch_update_lines(1, 1) == 5822 && tpch_update_lines(0.1, 2) == 618,
		  "lines of a set counted: 5822 (SF 1 set 1), 618 (SF 0.1 set 2)");

	tpch_update_init(&g, TPCH_ORDERS, TPCH_INSERTS, 0.1, 1, 1, 1);
	tpch_gen_next(&g, &row);
	CHECK(tpch_format_row(TPCH_ORDERS, TPCH_FMT_TBL, &row, buf) == strlen(first) &&
		  memcmp(buf, first, strlen(first)) == 0, "first insert of set 1 at SF 0.1");
	CHECK(tpch_format_delete(TPCH_FMT_TBL, 582, buf) == 5 && memcmp(buf, "582|\n", 5) == 0 &&
		  tpch_format_delete(TPCH_FMT_CSV, 7, buf) == 2, "delete lines");

	/* parts of a set are its rows cut in pieces, whatever their number */
	for (int k = 0; k < 3; k++)
	{
		char		whole[65],
					pieces[65];
		sha256_ctx	c;

		sha256_init(&c);
		hash_update_part(&c, tables[k], kinds[k], 1, 2, 1, 1);
		sha256_final_hex(&c, whole);
		sha256_init(&c);
		for (int64_t part = 1; part <= 7; part++)
			hash_update_part(&c, tables[k], kinds[k], 1, 2, part, 7);
		sha256_final_hex(&c, pieces);
		CHECK(strcmp(whole, pieces) == 0, "SF 1 set 2 %s in 7 parts = whole",
			  k == 2 ? "deletes" : tpch_table_name(tables[k]));
	}

	/* set 150 at SF 100000 is reached by a seek, not by generating sets 1-149 */
	tpch_update_init(&g, TPCH_ORDERS, TPCH_DELETES, 100000, 150, 1, 1000000);
	CHECK(tpch_gen_next(&g, &row) == 1 && row.orders.o_orderkey == tpch_orderkey(149 * INT64_C(150000000) + 1),
		  "SF 100000 set 150 deletes start at index 149 R + 1");
	tpch_update_init(&g, TPCH_ORDERS, TPCH_INSERTS, 100000, 150, 1, 1000000);
	CHECK(tpch_gen_next(&g, &row) == 1 &&
		  row.orders.o_orderkey == (tpch_orderkey(149 * INT64_C(150000000) + 1) | 8),
		  "SF 100000 set 150 inserts start at index 149 R + 1, sequence 1");
	CHECK(tpch_update_init(&g, TPCH_LINEITEM, TPCH_DELETES, 1, 1, 1, 1) == TPCH_ERR_TABLE,
		  "deletes have no lineitem");
}

int
main(void)
{
	test_number();
	test_without_pool();
	if (tpch_pool_init() != TPCH_OK)
	{
		printf("not ok - the text pool could not be built\n0 passed, 1 failed\n");
		return 1;
	}
	test_rng();
	test_pool();
	test_formatting();
	test_csv();
	test_counts();
	test_seek();
	test_projection();
	test_date_window();
	test_threads();
	test_part_keys();
	test_key_hash();
	test_key_ranges();
	test_with_lines();
	test_big();
	test_updates();
	printf("core: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
