/*
 * json.h - a small JSON reader for the CLI's run reports.
 *
 * Parses a whole document into a tree of nodes; strict RFC 8259 (no
 * trailing commas, no comments), \u escapes decoded to UTF-8.
 */
#ifndef TPCHGEN_JSON_H
#define TPCHGEN_JSON_H

#include <stddef.h>

typedef enum json_type
{
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
} json_type;

typedef struct json
{
	json_type	type;
	double		number;			/* JSON_NUMBER; JSON_BOOL: 0 or 1 */
	char	   *string;			/* JSON_STRING */
	char	   *key;			/* a member of an object: its name */
	struct json *child;			/* first element or member */
	struct json *next;			/* next sibling */
} json;

/*
 * Parses text; returns the root, or NULL with a one-line message in err
 * (errlen bytes) that names the line of the first error.
 */
json	   *json_parse(const char *text, char *err, size_t errlen);

void		json_free(json *j);

/* A member of an object by name, or NULL (also when j is not an object). */
const json *json_get(const json *j, const char *key);

/* Element i of an array, or NULL. */
const json *json_at(const json *j, int i);

/* Number of elements or members. */
int			json_len(const json *j);

/* The value as a number / string, or the fallback when absent or of another type. */
double		json_num(const json *j, double fallback);
const char *json_str(const json *j, const char *fallback);

#endif							/* TPCHGEN_JSON_H */
