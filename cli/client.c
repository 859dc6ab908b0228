/*
 * client.c - connections for the CLI's client commands.
 *
 * Connection settings are read as every PostgreSQL client reads them: -d may
 * be a database name, a key=value string or a URI; -h, -p and -U override;
 * whatever is left comes from the PG* environment variables, and passwords
 * from PGPASSWORD or the password file.  Nothing here prints a password.
 */
#include "client.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *client_progname = "tpchgen";

void
client_fail(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: error: ", client_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void
client_warn(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: warning: ", client_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
client_errmsg(PGconn *conn)
{
	static __thread char msg[1024];
	const char *m = PQerrorMessage(conn);
	size_t		n;

	/* libpq's message may hold several lines: keep the first, for one line */
	n = strcspn(m, "\n");
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	memcpy(msg, m, n);
	msg[n] = '\0';
	if (strncmp(msg, "ERROR:  ", 8) == 0)
		memmove(msg, msg + 8, strlen(msg + 8) + 1);
	return msg;
}

PGconn *
client_connect(const client_conninfo *ci, const char *what)
{
	const char *keys[8];
	const char *vals[8];
	char		appname[64];
	int			n = 0;
	PGconn	   *conn;

	snprintf(appname, sizeof(appname), "tpchgen %s", what);
	/* first, so that a connect_timeout in the connection string wins */
	if (getenv("PGCONNECT_TIMEOUT") == NULL)
	{
		keys[n] = "connect_timeout";
		vals[n++] = "10";
	}
	keys[n] = "fallback_application_name";
	vals[n++] = appname;
	keys[n] = "dbname";
	vals[n++] = ci->dbname;
	keys[n] = "host";
	vals[n++] = ci->host;
	keys[n] = "port";
	vals[n++] = ci->port;
	keys[n] = "user";
	vals[n++] = ci->user;
	keys[n] = NULL;
	vals[n] = NULL;

	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL)
		client_fail("out of memory");
	if (PQstatus(conn) != CONNECTION_OK)
		client_fail("could not connect: %s", client_errmsg(conn));
	/* the queries and the COPY data are plain ASCII; notices are not ours to print */
	client_exec(conn, "SET client_encoding = 'UTF8'");
	client_exec(conn, "SET client_min_messages = warning");
	return conn;
}

char *
client_try_exec(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	char	   *err = NULL;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		err = strdup(m ? m : client_errmsg(conn));
		if (err == NULL)
			client_fail("out of memory");
	}
	PQclear(res);
	return err;
}

void
client_exec(PGconn *conn, const char *sql)
{
	char	   *err = client_try_exec(conn, sql);

	if (err)
		client_fail("%s", err);
}

PGresult *
client_query(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		client_fail("%s", m ? m : client_errmsg(conn));
	}
	return res;
}

char *
client_quote_ident(PGconn *conn, const char *name)
{
	char	   *q = PQescapeIdentifier(conn, name, strlen(name));
	char	   *copy;

	if (q == NULL)
		client_fail("%s", client_errmsg(conn));
	copy = strdup(q);
	PQfreemem(q);
	if (copy == NULL)
		client_fail("out of memory");
	return copy;
}

int
client_conn_option(client_conninfo *ci, int opt, const char *val)
{
	switch (opt)
	{
		case 'd':
			ci->dbname = val;
			return 1;
		case 'h':
			ci->host = val;
			return 1;
		case 'p':
			ci->port = val;
			return 1;
		case 'U':
			ci->user = val;
			return 1;
	}
	return 0;
}

int64_t
client_parse_int(const char *opt, const char *s, int64_t lo, int64_t hi)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		client_fail("%s: \"%s\" is not a whole number", opt, s);
	if (v < lo || v > hi)
		client_fail("%s: %s is out of range (%lld..%lld)", opt, s, (long long) lo, (long long) hi);
	return v;
}

void
client_option_error(int c, char **argv, const char *cmd)
{
	if (c == ':')
		client_fail("option \"%s\" needs a value (see %s %s --help)", argv[optind - 1],
					client_progname, cmd);
	client_fail("unknown option \"%s\" (see %s %s --help)", argv[optind - 1],
				client_progname, cmd);
}

void
client_finish_options(int argc, char **argv, const char *cmd, const char *sf_text, double *sf)
{
	char	   *end;

	if (optind < argc)
		client_fail("unexpected argument \"%s\" (see %s %s --help)", argv[optind],
					client_progname, cmd);
	if (sf_text == NULL)
		client_fail("--sf is required (see %s %s --help)", client_progname, cmd);
	*sf = strtod(sf_text, &end);
	if (end == sf_text || *end != '\0')
		client_fail("--sf: \"%s\" is not a number", sf_text);
}
