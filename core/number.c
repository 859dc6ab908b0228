/*
 * number.c - the shortest text that reads back as the same double.
 *
 * Tries "%.1g" up to "%.17g": 17 significant digits always round-trip an
 * IEEE 754 double, so the loop ends with an exact text at the latest there.
 * Like PostgreSQL's float8 output, decimal exponents from -4 to 14 are
 * written out in full (100000, not 1e+05), larger and smaller ones as 1e+15.
 */
#include "number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
tpch_format_double(double v, char *buf)
{
	const char *e;

	if (isnan(v))
	{
		snprintf(buf, TPCH_DOUBLE_BUFLEN, "NaN");
		return buf;
	}
	if (isinf(v))
	{
		snprintf(buf, TPCH_DOUBLE_BUFLEN, "%sInfinity", v < 0 ? "-" : "");
		return buf;
	}
	for (int digits = 1; digits <= 17; digits++)
	{
		snprintf(buf, TPCH_DOUBLE_BUFLEN, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* "%g" wrote an exponent at least as large as its digits: more digits */
	e = strchr(buf, 'e');
	if (e != NULL)
	{
		long		exp10 = strtol(e + 1, NULL, 10);

		if (exp10 >= 0 && exp10 < 15)
			snprintf(buf, TPCH_DOUBLE_BUFLEN, "%.*g", (int) exp10 + 1, v);
	}
	return buf;
}
