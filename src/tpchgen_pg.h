/*
 * tpchgen_pg.h - private header of the PostgreSQL glue (src/).
 */
#ifndef TPCHGEN_PG_H
#define TPCHGEN_PG_H

#include "postgres.h"

#include "pg_compat.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "nodes/execnodes.h"
#include "port/atomics.h"
#include "storage/dsm.h"

#include "../core/tpch.h"

/* in guc.c: the tpchgen.* settings */
extern void tpchgen_guc_init(void);
extern int	tpchgen_io_method;		/* TpchgenIoMethod */
extern bool tpchgen_direct_io;
extern bool tpchgen_copy_fast_path;
extern int	tpchgen_rescan_cache_mem;	/* kB */
extern int	tpchgen_export_test_offset_kb;
extern int	tpchgen_export_test_delay_ms;
extern bool tpchgen_export_test_named;
extern char *tpchgen_export_test_refuse;
extern int	tpchgen_load_test_delay_ms;
extern bool tpchgen_scan_thread;

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
extern bool tpchgen_scan_tuples_fit(tpch_table table, TupleDesc desc,
									const int *attcol);
extern void tpchgen_scan_bind_tuples(TpchgenScan *scan, TupleDesc desc,
									 const int *attcol);
extern HeapTupleHeader tpchgen_scan_next_tuple(TpchgenScan *scan);
extern double tpchgen_table_rows(tpch_table table, double sf,
								 int64 part, int64 parts);
extern uint64 tpchgen_table_chunks(tpch_table table, double sf,
								   int64 part, int64 parts);
extern double tpchgen_update_rows(tpch_table table, double sf, int64 set);
extern uint64 tpchgen_update_chunks(tpch_table table, double sf, int64 set);

/* in tupleform.c: heap tuples formed from the core's rows */

/* How a column's value is stored in the tuple. */
typedef enum TpchgenStore
{
	TPCHGEN_STORE_INT8,
	TPCHGEN_STORE_INT4,
	TPCHGEN_STORE_DATE,
	TPCHGEN_STORE_NUMERIC,		/* numeric, scale 2 */
	TPCHGEN_STORE_TEXT			/* text, varchar or char(n) */
} TpchgenStore;

typedef struct TpchgenTupleColumn
{
	uint32		offset;			/* of the value in tpch_row */
	TpchgenStore store;
	int64		cents;			/* numeric: hundredths per unit of the value */
	uint32		pad;			/* text: char(n) length to blank-pad to */
} TpchgenTupleColumn;

extern Size tpchgen_form_tuple_data(const TpchgenTupleColumn *cols, int ncols,
									const tpch_row *row, char *data);
extern Size tpchgen_tuple_data_bound(const TpchgenTupleColumn *cols, int ncols);
extern Size tpchgen_form_tuple(const TpchgenTupleColumn *cols, int ncols,
							   Oid typid, int32 typmod, const tpch_row *row,
							   char *buf);
extern Datum tpchgen_numeric_from_cents(char *buf, int64 cents);

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

/* in plan.c: costs and EXPLAIN lines of the functions and the FDW alike */

/*
 * Rough cost of generating a row, in units of cpu_tuple_cost: a row is
 * built from a few random draws, cheaper than reading a heap page's worth
 * of rows but dearer than passing a tuple along.
 */
#define GEN_COST_FACTOR		2.0

/* Table rows taken as a heap page, to size parallel plans and ANALYZE. */
#define ROWS_PER_PAGE		64.0

struct ExplainState;
extern double tpchgen_parallel_divisor(int workers);
extern void tpchgen_explain_part(double sf, int64 part, int64 parts,
								 struct ExplainState *es);

/* in functions.c */
extern void tpchgen_functions_init(void);
extern bool tpchgen_function_source(PlanState *ps, TpchgenSource *src);

/* in fdw.c */
extern bool tpchgen_fdw_source(PlanState *ps, TpchgenSource *src);

/* in copy.c */
extern void tpchgen_copy_init(void);

/* in export.c */
struct tpch_copy_spec;
extern void tpchgen_export_copy(int fd, const char *path, uint64 offset,
								tpch_table table, double sf, int64 part,
								int64 parts, const struct tpch_copy_spec *spec,
								int workers, uint64 progress_bytes, int64 *rows,
								uint64 *bytes);

/* in load.c */
extern int	tpchgen_cpus(void);
extern void tpchgen_load_result(ReturnSetInfo *rsinfo, tpch_table table,
								int64 rows, int64 bytes, double seconds);

/* in citus.c: tpch_load(distribute => 'citus') on the coordinator */
extern void tpchgen_load_citus(FunctionCallInfo fcinfo, double sf,
							   const char *schema, bool primary_keys,
							   bool analyze, bool replace);

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
