/*
 * put.h - the core's value writers, shared by the .tbl/CSV formatter
 * (format.c) and the COPY formatter (copyfmt.c): each writes one value at p
 * and returns the end.  No bounds checks: callers format into buffers with
 * room for a whole row and the overshoot of put_str.
 */
#ifndef TPCH_PUT_H
#define TPCH_PUT_H

#include "internal.h"

#include <string.h>

static const char digit_pairs[201] =
"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
"8081828384858687888990919293949596979899";

static inline int
digits(uint64_t v)
{
	int			n = 1;

	while (v >= 10000)
	{
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Unsigned decimal, no padding: written back to front in pairs. */
static inline char *
put_u64(char *p, uint64_t v)
{
	int			n = digits(v);
	char	   *t = p + n;

	while (v >= 100)
	{
		t -= 2;
		memcpy(t, digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(t - 2, digit_pairs + v * 2, 2);
	else
		t[-1] = (char) ('0' + v);
	return p + n;
}

static inline char *
put_i64(char *p, int64_t v)
{
	if (v < 0)
	{
		*p++ = '-';
		return put_u64(p, 0 - (uint64_t) v);
	}
	return put_u64(p, (uint64_t) v);
}

/*
 * Copies a short string in 16-byte pieces.  Every source is padded so that
 * this may read up to 15 bytes past its end (the pool has slack, the word
 * tables fixed widths, row buffers room), and every row is formatted into at
 * least TPCH_MAX_LINE free bytes, far more than a row and the overshoot.
 */
static inline char *
put_str(char *p, tpch_str s)
{
	for (uint32_t i = 0; i < s.len; i += 16)
		memcpy(p + i, s.ptr + i, 16);
	return p + s.len;
}

static inline char *
put_money(char *p, int64_t cents)
{
	uint64_t	a;

	if (cents < 0)
		*p++ = '-';
	a = cents < 0 ? 0 - (uint64_t) cents : (uint64_t) cents;
	p = put_u64(p, a / 100);
	*p++ = '.';
	memcpy(p, digit_pairs + (a % 100) * 2, 2);
	return p + 2;
}

/* A day outside dbgen's calendar: the civil date from days since 1970. */
static inline void
civil_date(int32_t day, char *buf)
{
	int64_t		z = (int64_t) day + 8035 + 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int64_t		d = doy - (153 * mp + 2) / 5 + 1;
	int64_t		m = mp < 10 ? mp + 3 : mp - 9;
	int64_t		y = yoe + era * 400 + (m <= 2);

	buf[0] = (char) ('0' + (y / 1000) % 10);
	buf[1] = (char) ('0' + (y / 100) % 10);
	memcpy(buf + 2, digit_pairs + (y % 100) * 2, 2);
	buf[4] = '-';
	memcpy(buf + 5, digit_pairs + m * 2, 2);
	buf[7] = '-';
	memcpy(buf + 8, digit_pairs + d * 2, 2);
}

/* Every date of the data is in the table: that path stays inline. */
static inline char *
put_date(char *p, int32_t day)
{
	if (day >= 0 && day < TPCH_NDATES)
		memcpy(p, tpch_date_text[day], 10);
	else
		civil_date(day, p);
	return p + 10;
}

#endif							/* TPCH_PUT_H */
