/*
 * guc.c - every tpchgen.* setting, defined in one place and registered by
 * _PG_init; the files that use one read its variable (tpchgen_pg.h).
 */
#include "tpchgen_pg.h"

#include "utils/guc.h"

/*
 * A build without liburing offers no io_uring and says so in its default,
 * as PostgreSQL's own io_method lists only what was built in.
 */
#ifdef TPCHGEN_LIBURING
#define EXPORT_IO_DEFAULT TPCHGEN_IO_AUTO
#else
#define EXPORT_IO_DEFAULT TPCHGEN_IO_SYNC
#endif
int			tpchgen_io_method = EXPORT_IO_DEFAULT;
bool		tpchgen_direct_io = true;
int			tpchgen_export_test_offset_kb = 0;
int			tpchgen_export_test_delay_ms = 0;
bool		tpchgen_export_test_named = false;
char	   *tpchgen_export_test_refuse = NULL;

static const struct config_enum_entry export_io_method_options[] = {
	{"auto", TPCHGEN_IO_AUTO, false},
#ifdef TPCHGEN_LIBURING
	{"io_uring", TPCHGEN_IO_URING, false},
#endif
	{"sync", TPCHGEN_IO_SYNC, false},
	{NULL, 0, false}
};

bool		tpchgen_copy_fast_path = true;
int			tpchgen_rescan_cache_mem = 1024 * 1024;
int			tpchgen_load_test_delay_ms = 0;
bool		tpchgen_scan_thread = true;

/* Called from _PG_init, before anything reads a setting. */
void
tpchgen_guc_init(void)
{
	DefineCustomEnumVariable("tpchgen.io_method",
							 "How tpch_export writes files.",
							 "auto uses io_uring where the kernel allows it and "
							 "synchronous writes elsewhere.",
							 &tpchgen_io_method,
							 EXPORT_IO_DEFAULT,
							 export_io_method_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("tpchgen.scan_thread",
							 "Generates whole rows in a helper thread of the backend.",
							 "Used by scans whose rows are stored as they are "
							 "(CREATE TABLE AS, INSERT ... SELECT *) when the "
							 "backend may run on more than one CPU.",
							 &tpchgen_scan_thread,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("tpchgen.direct_io",
							 "Whether tpch_export writes around the page cache (O_DIRECT).",
							 "Used with io_uring where the file system allows it; "
							 "the page cache then holds none of the file.",
							 &tpchgen_direct_io,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("tpchgen.export_test_offset",
							"Test only: starts every exported file at this offset, leaving a hole.",
							NULL,
							&tpchgen_export_test_offset_kb,
							0, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_KB | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							NULL, NULL, NULL);

	DefineCustomIntVariable("tpchgen.export_test_delay",
							"Test only: sleeps this long before generating each chunk.",
							NULL,
							&tpchgen_export_test_delay_ms,
							0, 0, 60 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("tpchgen.export_test_named",
							 "Test only: writes under a temporary name, as on file systems without O_TMPFILE.",
							 NULL,
							 &tpchgen_export_test_named,
							 false,
							 PGC_SUSET,
							 GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("tpchgen.export_test_refuse",
							   "Test only: putting a file of this name in place fails, as if the kernel refused.",
							   NULL,
							   &tpchgen_export_test_refuse,
							   "",
							   PGC_SUSET,
							   GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("tpchgen.copy_fast_path",
							 "Whether COPY TO of tpchgen functions and foreign tables writes rows directly.",
							 "When off, PostgreSQL's COPY converts every value through its type's output function.",
							 &tpchgen_copy_fast_path,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("tpchgen.rescan_cache_mem",
							"Memory a tpchgen foreign scan may keep rows in between rescans.",
							"A scan filtered by equality with a parameter on a column it cannot seek to keeps the rows of its first run, up to this size, for its rescans to look up; beyond, each rescan generates the table again.  0 turns the cache off.",
							&tpchgen_rescan_cache_mem,
							1024 * 1024,
							0, MAX_KILOBYTES,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("tpchgen.load_test_delay",
							"Test only: tpch_load sleeps this long before building each chunk.",
							NULL,
							&tpchgen_load_test_delay_ms,
							0, 0, 60 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("tpchgen");
}
