/*
 * export.h - private header of tpch_export (export.c, export_file.c,
 * export_pipeline.c).
 */
#ifndef TPCHGEN_EXPORT_H
#define TPCHGEN_EXPORT_H

#include "tpchgen_pg.h"

#include <zstd.h>

#include "../core/copyfmt.h"

/*
 * What every producer needs, in DSM (or local memory when serial); the
 * chunks and slots are a SlotRing beside it.
 */
typedef struct ExportShared
{
	/* fixed before producers start */
	tpch_table	table;
	double		sf;
	int64		part;
	int64		parts;
	int			update_kind;	/* 0, or a file of update set `set` */
	int64		set;
	tpch_format format;
	bool		zstd;
	int			level;
	int64		first;			/* first group row of the part */
	int64		count;			/* group rows of the part */
	int64		chunk_rows;
	size_t		raw_cap;		/* formatted bytes per piece at most */
	size_t		slot_cap;		/* bytes per slot (compressed bound) */
	int			test_delay_ms;
	bool		copy;			/* rows formatted for COPY by `spec` */
	tpch_copy_spec spec;
} ExportShared;

/* One file of a call. */
typedef struct ExportFile
{
	tpch_table	table;
	int			update_kind;	/* 0, or tpch_update_kind */
	char	   *path;			/* the target as given, for messages */
	char	   *name;			/* its name in the directory */
	char	   *tmp;			/* a hidden name in the directory, or NULL */
	int			fd;				/* open from creation to commit, or -1 */
	bool		unnamed;		/* fd is an O_TMPFILE file */
	bool		created;		/* tmp names our file */
	bool		borrowed;		/* fd is COPY's file: neither ours to close nor to name */
	uint64		start;			/* offset of the first byte */
	int64		rows;
	uint64		bytes;
} ExportFile;

/*
 * Everything not palloc'd, released by a memory context callback, so that an
 * error or a cancel anywhere leaves no file, ring or descriptor behind.
 */
typedef struct ExportCleanup
{
	MemoryContextCallback cb;
	ExportFile *files;
	int			nfiles;
	char	   *dir;			/* the directory of every file, as given */
	int			dirfd;			/* it, opened (O_PATH), or -1 */
	ExportWriter *writer;
	ZSTD_CCtx  *cctx;
} ExportCleanup;

/* in export_file.c: the file lifecycle */
extern void tpchgen_export_open_dir(ExportCleanup *cl, bool all);
extern void tpchgen_export_check_target(ExportCleanup *cl, ExportFile *f,
										bool overwrite, bool late);
extern void tpchgen_export_open(ExportCleanup *cl, ExportFile *f);
extern void tpchgen_export_commit(ExportCleanup *cl, bool overwrite);
extern void tpchgen_export_cleanup(void *arg);

/* in export_pipeline.c: workers generate chunks, the leader writes them */
extern void tpchgen_export_zstd_create(ExportCleanup *cl, int level);
extern void tpchgen_export_file(ExportCleanup *cl, ExportFile *f,
								const ExportShared *tmpl, bool header,
								int workers, int64 *total_rows,
								uint64 *total_bytes);

#endif							/* TPCHGEN_EXPORT_H */
