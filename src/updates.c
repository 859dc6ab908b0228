/*
 * updates.c - the checks of the update sets' functions (tpch_rf1_orders,
 * tpch_rf1_lineitem, tpch_rf2_keys), which run on the custom scan of
 * functions.c; the refresh procedures that apply them are PL/pgSQL
 * (ext/refresh.sql).
 */
#include "tpchgen_pg.h"

#include "../core/number.h"

#include "../core/update.h"

/* Raises the error for a bad (sf, set), with what is allowed. */
void
tpchgen_check_update(double sf, int64 set)
{
	switch (tpch_check_update(sf, set))
	{
		case TPCH_OK:
			return;
		case TPCH_ERR_SET:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("update set %lld is out of range", (long long) set),
					 errhint("Update sets are numbered from 1 to %d, as dbgen -U numbers them.",
							 TPCH_UPDATE_SET_MAX)));
			break;
		case TPCH_ERR_NO_UPDATES:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("update sets at scale factor %s have no rows",
							tpch_format_double(sf, palloc(TPCH_DOUBLE_BUFLEN))),
					 errdetail("A set holds SF x 1500 orders, rounded down to a multiple of 10."),
					 errhint("Use a scale factor of at least 0.01.")));
			break;
		default:
			/* the scale factor's own errors */
			tpchgen_check_args(sf, 1, 1);
			elog(ERROR, "unexpected tpchgen update argument error");
	}
}
