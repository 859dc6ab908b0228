/*
 * number.h - numbers printed for people, as the core's users gave them.
 *
 * A scale factor in a message must read back as the value that was refused:
 * "%g" rounds 100000.5 to 100000, which turns a true message into a false one.
 */
#ifndef TPCH_NUMBER_H
#define TPCH_NUMBER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest text tpch_format_double writes, its terminating NUL included. */
#define TPCH_DOUBLE_BUFLEN 32

/*
 * Writes v into buf (TPCH_DOUBLE_BUFLEN bytes) in the shortest "%g" form that
 * strtod reads back as exactly v; NaN and infinities as PostgreSQL spells
 * them ("NaN", "Infinity", "-Infinity").  Returns buf.
 */
char	   *tpch_format_double(double v, char *buf);

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_NUMBER_H */
