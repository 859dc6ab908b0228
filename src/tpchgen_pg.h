/*
 * tpchgen_pg.h - private header of the PostgreSQL glue (src/).
 */
#ifndef TPCHGEN_PG_H
#define TPCHGEN_PG_H

#include "postgres.h"

#include "../core/tpch.h"

/* in tpchgen.c */
extern void tpchgen_ensure_pool(void);
extern void tpchgen_check_args(double sf, int64 part, int64 parts);

#endif							/* TPCHGEN_PG_H */
