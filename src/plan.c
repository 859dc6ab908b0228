/*
 * plan.c - what the planner and EXPLAIN say of a generated table part,
 * shared by the functions' custom scan (functions.c) and the foreign scan
 * (fdw.c), so that both cost and describe it alike.
 */
#include "tpchgen_pg.h"

#include "../core/number.h"

#include "commands/explain.h"
#include "optimizer/optimizer.h"

/* The planner's share of the work a participant does (cf. costsize.c). */
double
tpchgen_parallel_divisor(int workers)
{
	double		divisor = workers;

	if (parallel_leader_participation)
	{
		double		leader = 1.0 - 0.3 * workers;

		if (leader > 0)
			divisor += leader;
	}
	return divisor;
}

/* The scale factor and the part: "Part: 2 of 4" in text, two fields else. */
void
tpchgen_explain_part(double sf, int64 part, int64 parts, ExplainState *es)
{
	ExplainPropertyText("Scale Factor",
						tpch_format_double(sf, palloc(TPCH_DOUBLE_BUFLEN)), es);
	if (es->format == EXPLAIN_FORMAT_TEXT)
		ExplainPropertyText("Part", psprintf("%lld of %lld", (long long) part,
											 (long long) parts), es);
	else
	{
		ExplainPropertyInteger("Part", NULL, part, es);
		ExplainPropertyInteger("Parts", NULL, parts, es);
	}
}
