/*
 * tpchgen_pg.h - private header of the PostgreSQL glue (src/).
 */
#ifndef TPCHGEN_PG_H
#define TPCHGEN_PG_H

#include "postgres.h"

#include "pg_compat.h"

#include "access/tupdesc.h"
#include "nodes/execnodes.h"
#include "port/atomics.h"
#include "storage/dsm.h"

#include "../core/tpch.h"

/* in pool.c: the text pool, once per server */
extern void tpchgen_pool_preload(void);
extern const char *tpchgen_pool(void);

/* in tpchgen.c */
extern void tpchgen_check_args(double sf, int64 part, int64 parts);

/* in scan.c: the scan engine, shared by the functions and the FDW */

/*
 * What the participants of one parallel scan share, in the query's dynamic
 * shared memory: the arguments, so that workers generate the leader's
 * table, and the counter chunks are claimed from.
 */
typedef struct TpchgenScanShared
{
	int			table;			/* tpch_table */
	double		sf;
	int64		part;
	int64		parts;
	int			update_kind;	/* 0, or an update set's (core/update.h) */
	int64		set;
	pg_atomic_uint64 next_chunk;
} TpchgenScanShared;

/* One participant's scan; private to scan.c. */
typedef struct TpchgenScan TpchgenScan;

extern TpchgenScan *tpchgen_scan_create(tpch_table table, double sf,
										int64 part, int64 parts);
extern TpchgenScan *tpchgen_scan_create_update(tpch_table table, int kind,
											   double sf, int64 set);
extern TpchgenScan *tpchgen_scan_create_shared(TpchgenScanShared *shared);
extern void tpchgen_scan_bind(TpchgenScan *scan, TupleDesc desc,
							  const int *attcol);
extern bool tpchgen_scan_next(TpchgenScan *scan, Datum *values, bool *isnull);
extern void tpchgen_scan_share(TpchgenScan *scan, TpchgenScanShared *shared);
extern void tpchgen_scan_shared_reset(TpchgenScanShared *shared);
extern void tpchgen_scan_rewind(TpchgenScan *scan);
extern void tpchgen_scan_set_range(TpchgenScan *scan, int64 first,
								   int64 count);
extern void tpchgen_scan_restrict_date(TpchgenScan *scan, int col,
									   int32 lo, int32 hi);
extern void tpchgen_scan_end(TpchgenScan *scan);
extern uint64 tpchgen_scan_chunks(const TpchgenScan *scan);
extern double tpchgen_table_rows(tpch_table table, double sf,
								 int64 part, int64 parts);
extern uint64 tpchgen_table_chunks(tpch_table table, double sf,
								   int64 part, int64 parts);
extern Datum tpchgen_numeric_from_cents(char *buf, int64 cents);
extern double tpchgen_update_rows(tpch_table table, double sf, int64 set);
extern uint64 tpchgen_update_chunks(tpch_table table, double sf, int64 set);

/* in updates.c: the update sets' functions and refresh procedures */
extern void tpchgen_check_update(double sf, int64 set);

/*
 * What a plan node of ours generates, for the COPY fast path (copy.c): the
 * table part, and for each entry of the node's target list the core column
 * it passes on as it is (-1 for anything else) and that value's type.
 * tpchgen_source_entries fills the entries with the attribute numbers of
 * the Vars of `varno` (through inner_tlist when not NIL), for the caller to
 * turn into columns.
 */
typedef struct TpchgenSource
{
	tpch_table	table;
	double		sf;
	int64		part;
	int64		parts;
	int			workers;		/* parallel workers to generate with */
	int			nentries;
	int		   *col;
	Oid		   *type;
	int32	   *typmod;
} TpchgenSource;

extern void tpchgen_source_entries(TpchgenSource *src, List *tlist,
								   Index varno, List *inner_tlist);

/* in functions.c */
extern void tpchgen_functions_init(void);
extern bool tpchgen_function_source(PlanState *ps, TpchgenSource *src);

/* in fdw.c */
extern bool tpchgen_fdw_source(PlanState *ps, TpchgenSource *src);

/* in copy.c */
extern void tpchgen_copy_init(void);

/* in export.c */
struct tpch_copy_spec;
extern void tpchgen_export_init(void);
extern void tpchgen_export_copy(int fd, const char *path, uint64 offset,
								tpch_table table, double sf, int64 part,
								int64 parts, const struct tpch_copy_spec *spec,
								int workers, uint64 progress_bytes, int64 *rows,
								uint64 *bytes);

/* in load.c */
extern void tpchgen_load_init(void);

/* in citus.c: tpch_load(distribute => 'citus') on the coordinator */
extern void tpchgen_load_citus(FunctionCallInfo fcinfo, double sf,
							   const char *schema, bool primary_keys,
							   bool analyze, bool replace);
/* in fdw_cache.c */
extern void tpchgen_fdw_cache_init(void);

/* in writer.c: the export file writer */
typedef enum TpchgenIoMethod
{
	TPCHGEN_IO_AUTO,			/* io_uring where the kernel allows it */
	TPCHGEN_IO_URING,
	TPCHGEN_IO_SYNC				/* pwrite() */
} TpchgenIoMethod;

typedef struct ExportWriter ExportWriter;

extern ExportWriter *tpchgen_writer_create(int fd, const char *path,
										   int method, bool direct, int depth);
extern void tpchgen_writer_write(ExportWriter *w, const char *buf, size_t len,
								 uint64 offset, int tag);
extern bool tpchgen_writer_next_done(ExportWriter *w, bool wait, int *tag);
extern pgsocket tpchgen_writer_wait_fd(ExportWriter *w);
extern void tpchgen_writer_finish(ExportWriter *w);
extern void tpchgen_writer_close(ExportWriter *w);

#endif							/* TPCHGEN_PG_H */
