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
 * Which texts of the queries: the specification's, or equivalent forms for
 * an engine whose planner cannot take some of them.
 */
typedef enum tpch_query_form
{
	/* the functional query definitions (Q15 as the approved variant A) */
	TPCH_FORM_SPEC,

	/*
	 * Citus with tpch_load's layout: Q13, Q17, Q18, Q20 and Q22 with their
	 * correlated subqueries and non-co-located joins turned into grouped
	 * derived tables; the other 17 as in TPCH_FORM_SPEC
	 */
	TPCH_FORM_CITUS
} tpch_query_form;

/* The form called name ("spec", "citus"); 0 if there is none, else 1. */
int			tpch_query_form_parse(const char *name, tpch_query_form *form);

/* Whether query q has a text of its own in form (else the spec's). */
int			tpch_query_form_differs(tpch_query_form form, int q);

/*
 * The text of query p->query with the parameters of p: one SQL statement
 * ending in ";\n", on the tables of search_path.  Writes at most len bytes
 * with a NUL, like snprintf, and returns the full length (0 for a query
 * number outside 1..22).  tpch_query_text gives the spec's form.
 */
size_t		tpch_query_text(const tpch_qparams *p, char *buf, size_t len);
size_t		tpch_query_text_form(const tpch_qparams *p, tpch_query_form form,
								 char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_QUERIES_H */
