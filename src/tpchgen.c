/*
 * tpchgen.c - module entry point: _PG_init, and the checks every front
 * door (functions, foreign tables, export) shares.
 */
#include "tpchgen_pg.h"

#include "../core/number.h"

#include "fmgr.h"
#include "miscadmin.h"

#include <math.h>

TPCHGEN_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	/*
	 * Loaded through shared_preload_libraries: build the text pool in the
	 * postmaster, so that every backend and parallel worker forked later
	 * shares its pages instead of building its own.
	 */
	if (process_shared_preload_libraries_in_progress)
		tpchgen_pool_preload();

	tpchgen_guc_init();
	tpchgen_functions_init();
	tpchgen_copy_init();
}

/* Raises the error for bad (sf, part, parts), with what is allowed. */
void
tpchgen_check_args(double sf, int64 part, int64 parts)
{
	char		sf_text[TPCH_DOUBLE_BUFLEN];

	tpch_format_double(sf, sf_text);
	switch (tpch_check_args(sf, part, parts))
	{
		case TPCH_OK:
			return;
		case TPCH_ERR_SF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scale factor %s is out of range", sf_text),
					 errhint("The scale factor must be a number above 0 and at most 100000.")));
			break;
		case TPCH_ERR_SF_NOT_WHOLE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scale factor %s is not a whole number", sf_text),
					 errdetail("dbgen would silently truncate it to %.0f.", floor(sf)),
					 errhint("Scale factors above 1 must be whole numbers.")));
			break;
		case TPCH_ERR_PARTS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parts must be at least 1, not %lld",
							(long long) parts)));
			break;
		case TPCH_ERR_PART:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("part %lld is outside 1..parts (%lld)",
							(long long) part, (long long) parts)));
			break;
		default:
			elog(ERROR, "unexpected tpchgen argument error");
	}
}
