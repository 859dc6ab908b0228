/*
 * client.h - the CLI's PostgreSQL client commands (tpchgen load, tpchgen run).
 *
 * They talk to any PostgreSQL server over libpq and need no extension on it:
 * the rows, the DDL, the queries and the refresh rows all come from the core.
 */
#ifndef TPCHGEN_CLIENT_H
#define TPCHGEN_CLIENT_H

#include "../core/tpch.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* The subcommands' entry points; argv[0] is the subcommand's name. */
int			tpchgen_load_main(int argc, char **argv);
int			tpchgen_run_main(int argc, char **argv);
int			tpchgen_report_main(int argc, char **argv);

/* in client.c: connections */

/* What -d/-h/-p/-U said; NULL fields fall back to libpq's PG* variables. */
typedef struct client_conninfo
{
	const char *dbname;			/* a database name, key=value string or URI */
	const char *host;
	const char *port;
	const char *user;
} client_conninfo;

extern const char *client_progname;

/* A one-line error on stderr, then exit(1). */
void		client_fail(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

/* A warning line on stderr. */
void		client_warn(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/*
 * Opens a connection or exits with libpq's message.  A connect_timeout of 10 s
 * applies unless the connection string or PGCONNECT_TIMEOUT sets one, so an
 * unreachable server fails instead of hanging; the application name is
 * "tpchgen <what>".
 */
PGconn	   *client_connect(const client_conninfo *ci, const char *what);

/* Runs a command that returns no rows; exits on an error. */
void		client_exec(PGconn *conn, const char *sql);

/* The same, returning the error message (malloc'd) instead of exiting, or NULL. */
char	   *client_try_exec(PGconn *conn, const char *sql);

/* Runs a query; exits on an error.  The caller clears the result. */
PGresult   *client_query(PGconn *conn, const char *sql);

/* A quoted SQL identifier (malloc'd); exits when out of memory. */
char	   *client_quote_ident(PGconn *conn, const char *name);

/* libpq's message without its trailing newline, for one-line errors. */
const char *client_errmsg(PGconn *conn);

/* A whole number for option opt within lo..hi, or a one-line error. */
int64_t		client_parse_int(const char *opt, const char *s, int64_t lo, int64_t hi);

/* The errors of getopt_long (c is ':' or '?') for subcommand cmd. */
void		client_option_error(int c, char **argv, const char *cmd) __attribute__((noreturn));

/*
 * After getopt_long: no argument left over and --sf given and a number
 * (*sf); one-line errors otherwise.  The SF's range is the caller's to check.
 */
void		client_finish_options(int argc, char **argv, const char *cmd,
								  const char *sf_text, double *sf);

/* The common connection options: returns 1 if opt/val was one of them. */
int			client_conn_option(client_conninfo *ci, int opt, const char *val);

/* in copybin.c: PostgreSQL's binary COPY format */

/* The stream's 19-byte header. */
size_t		copybin_header(char *buf);

/* The trailer: a field count of -1. */
size_t		copybin_trailer(char *buf);

/* No row of any table takes more than this in binary. */
#define COPYBIN_MAX_ROW 1024

/* One row of table t in binary; returns its bytes. */
size_t		copybin_row(tpch_table t, const tpch_row *row, char *buf);

/* in poolcache.c: the text pool kept in the user's cache directory */

/*
 * Makes the process's text pool: mapped from the cache file when it is there
 * and whole (with use_cache), else built with nthreads threads (*built set).
 * TPCH_OK or the build's error.
 */
int			client_pool_init(int nthreads, int use_cache, int *built);

/*
 * Writes the built pool to the cache file, for the next runs; a failure is
 * one warning.
 */
void		client_pool_save(void);

#endif							/* TPCHGEN_CLIENT_H */
