/*
 * fdw_analyze.c - ANALYZE of a tpchgen foreign table: a reproducible sample
 * drawn by seeking to random group rows rather than scanning the table.
 */
#include "fdw.h"

#include "access/htup_details.h"
#include "commands/vacuum.h"
#include "common/pg_prng.h"
#include "utils/rel.h"

#include <math.h>

/* Fixed, so that ANALYZE of the same table gives the same statistics. */
#define SAMPLE_SEED			UINT64CONST(0x7470636867656e)

/* Tables up to this many times the sample are read whole by ANALYZE. */
#define SAMPLE_READ_WHOLE	10.0

/* Most rows a group row has: 7 lines an order, 4 suppliers a part. */
static int
max_group_rows(tpch_table table)
{
	switch (table)
	{
		case TPCH_LINEITEM:
			return 7;
		case TPCH_PARTSUPP:
			return 4;
		default:
			return 1;
	}
}

/*
 * Samples rows by seeking, not scanning.  Rows are drawn one at a time as
 * (group row, row j within it) pairs, j up to the most a group can have,
 * and a pair whose group has fewer rows is dropped: so every row has the
 * same chance, and the rows of one order or part do not come in clusters,
 * which would make ANALYZE take l_orderkey and ps_partkey for columns with
 * a few thousand values.  Enough pairs are drawn to leave some rows over,
 * and the surplus is dropped at random, keeping the rest in table order.
 * A small table, where pairs would often repeat, is read whole (twice: to
 * count its rows, then to select some).  The draws have a fixed seed, so a
 * table's statistics (and the plans made from them) are reproducible.
 */
int
tpchgen_fdw_sample_rows(Relation relation, int elevel, HeapTuple *rows,
						int targrows, double *totalrows, double *totaldeadrows)
{
	TupleDesc	desc = RelationGetDescr(relation);
	TpchgenFdwTable tab;
	TpchgenScan *scan;
	int		   *attcol = palloc(sizeof(int) * desc->natts);
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *isnull = palloc(sizeof(bool) * desc->natts);
	int64		part_first;
	int64		part_count;
	double		estimate;
	int			nrows = 0;
	pg_prng_state prng;

	tpchgen_fdw_get_table(relation, &tab);
	tpchgen_fdw_check_columns(relation, tab.table);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		attcol[i] = att->attisdropped ? -1 :
			tpch_column_lookup(tab.table, NameStr(att->attname));
	}
	scan = tpchgen_scan_create(tab.table, tab.sf, tab.part, tab.parts);
	tpchgen_scan_bind(scan, desc, attcol);
	tpch_part_range(tab.table, tab.sf, tab.part, tab.parts,
					&part_first, &part_count);
	estimate = (double) tpch_rows_estimate(tab.table, part_count);
	pg_prng_seed(&prng, SAMPLE_SEED ^ (uint64) tab.table);

	if (estimate <= SAMPLE_READ_WHOLE * targrows)
	{
		TpchgenScan *counter = tpchgen_scan_create(tab.table, tab.sf, tab.part,
												   tab.parts);
		int64		total = 0;

		/* no column bound: counting generates next to nothing */
		for (int i = 0; i < desc->natts; i++)
			attcol[i] = -1;
		tpchgen_scan_bind(counter, desc, attcol);
		while (tpchgen_scan_next(counter, values, isnull))
			total++;
		tpchgen_scan_end(counter);

		for (int64 i = 0; tpchgen_scan_next(scan, values, isnull); i++)
			if (pg_prng_uint64_range(&prng, 1, Max(total - i, 1)) <=
				(uint64) (targrows - nrows))
				rows[nrows++] = heap_form_tuple(desc, values, isnull);
		*totalrows = total;
	}
	else
	{
		int			per_group = max_group_rows(tab.table);
		double		mean = estimate / part_count;
		int64		npairs = (int64) ceil(targrows * per_group / mean * 1.05);
		int64	   *pairs = palloc(sizeof(int64) * npairs);
		HeapTuple  *taken = palloc(sizeof(HeapTuple) * npairs);
		int64		ntaken = 0;
		int64		n = 0;

		/* distinct pairs (g, j) as g * 8 + j, sorted: in table order */
		while (n < npairs)
		{
			int64		drawn = n;

			while (drawn < npairs)
				pairs[drawn++] = (part_first + (int64)
								  pg_prng_uint64_range(&prng, 0, part_count - 1)) * 8 +
					(int64) pg_prng_uint64_range(&prng, 1, per_group);
			qsort(pairs, npairs, sizeof(int64), tpchgen_cmp_int64);
			n = 0;
			for (int64 i = 0; i < npairs; i++)
				if (n == 0 || pairs[i] != pairs[n - 1])
					pairs[n++] = pairs[i];
		}

		for (int64 i = 0; i < npairs; i = n)
		{
			int64		group = pairs[i] / 8;
			int			j = 0;

			tpchgen_scan_set_range(scan, group, 1);
			for (n = i; n < npairs && pairs[n] / 8 == group; n++)
			{
				/* the group's rows up to row pairs[n] % 8, taking that one */
				while (j < pairs[n] % 8 &&
					   tpchgen_scan_next(scan, values, isnull))
					j++;
				if (j == pairs[n] % 8)
					taken[ntaken++] = heap_form_tuple(desc, values, isnull);
			}
			vacuum_delay_point(true);
		}

		/* keep targrows of them at random, in order (selection sampling) */
		for (int64 i = 0; i < ntaken; i++)
		{
			if (pg_prng_uint64_range(&prng, 1, ntaken - i) <=
				(uint64) (targrows - nrows))
				rows[nrows++] = taken[i];
			else
				heap_freetuple(taken[i]);
		}
		*totalrows = estimate;
	}
	tpchgen_scan_end(scan);
	*totaldeadrows = 0;
	ereport(elevel,
			(errmsg("\"%s\": sampled %d rows of TPC-H table %s, about %.0f rows",
					RelationGetRelationName(relation), nrows,
					tpch_table_name(tab.table), *totalrows)));
	return nrows;
}
