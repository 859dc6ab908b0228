/*
 * queries.h - the text of the 22 TPC-H queries for PostgreSQL, with qgen's
 * substitution parameters in place.
 */
#ifndef TPCH_QUERIES_H
#define TPCH_QUERIES_H

#include <stddef.h>

#include "qgen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every query text, parameters included, is shorter than this. */
#define TPCH_QUERY_TEXT_MAX 4096

/*
 * The text of query p->query with the parameters of p: one SQL statement
 * ending in ";\n", on the tables of search_path.  Writes at most len bytes
 * with a NUL, like snprintf, and returns the full length (0 for a query
 * number outside 1..22).
 */
size_t		tpch_query_text(const tpch_qparams *p, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_QUERIES_H */
