/*
 * pg.h - a read-only PostgreSQL session over libpq, shared by the plugins
 * that read the quiz database (billing, mp-webhook).
 *
 * A session connects with the check's `dsn` (a libpq connection string or
 * URI; the option is secret because it may hold a password) or, without
 * one, the usual PG* environment.  It is read-only twice over: the server
 * starts it with default_transaction_read_only=on, and every query of the
 * check runs inside one `BEGIN ... READ ONLY` transaction (which also gives
 * every query of a check the same snapshot), alone (one statement), and a
 * query that ends that transaction closes the session.  statement_timeout is set
 * below the check's deadline; application_name is "opscheck".
 *
 * Queries are named ("stuck", "orphans"...) and may be overridden in the INI
 * with `query.NAME = SELECT ...`.  Parameters are named in the SQL text as
 * :name (letters, digits, _), rewritten to $1, $2... before sending and bound
 * with PQexecParams as text; a value is never pasted into the SQL.  `::`
 * casts and text inside '...', "..." and -- comments are left alone.
 *
 * Ownership: a pg_session owns its connection; pg_close() releases it.  A
 * PGresult returned by pg_query() belongs to the caller (PQclear).  Error
 * texts never contain the connection string or a password: they are built
 * from libpq's message and from the host, port, database and user only.
 */
#ifndef OC_COMMON_PG_H
#define OC_COMMON_PG_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct pg_session {
    PGconn *conn;
    long long statement_timeout_ms;
    char where[256];        /* "user@host:port/db", no password */
    long long deadline_ms;  /* CLOCK_MONOTONIC ms when the check's time runs out */
} pg_session;

/* What went wrong, so callers word the assertion. */
typedef enum pg_err {
    PG_OK = 0,
    PG_E_CONNECT,           /* no server, refused, bad host */
    PG_E_AUTH,              /* password / authentication refused */
    PG_E_PARAM,             /* the SQL names a parameter the query does not offer */
    PG_E_TIMEOUT,           /* statement_timeout fired (SQLSTATE 57014) */
    PG_E_READONLY,          /* the query tried to write (SQLSTATE 25006) */
    PG_E_SCHEMA,            /* missing table or column (42P01, 42703) */
    PG_E_QUERY              /* any other error */
} pg_err;

typedef struct pg_param {
    const char *name;       /* without the colon */
    const char *value;      /* text; NULL binds SQL NULL */
} pg_param;

/* Connect and start the read-only transaction.  DSN may be NULL (PG* env).
 * remaining_ms: what is left of the check's deadline; the connect timeout and
 * statement_timeout are derived from it.  Returns PG_OK, or an error with
 * ERR set to one line. */
pg_err pg_open(pg_session *s, const char *dsn, long long remaining_ms, char *err, size_t errlen);

/* Run SQL (named NAME, for messages) with named parameters.  On PG_OK *out
 * holds a PGRES_TUPLES_OK or PGRES_COMMAND_OK result.  On error ERR says
 * "query NAME: ..." in one line, with the server's message. */
pg_err pg_query(pg_session *s, const char *name, const char *sql, const pg_param *params, size_t nparams,
                PGresult **out, char *err, size_t errlen);

/* Rewrite :name parameters to $N.  Returns a malloc'd SQL text and sets
 * order[k] to the index in PARAMS of $k+1 (*norder of them), or NULL with
 * ERR set when the SQL names an unknown parameter.  Pure; unit-testable. */
char *pg_bind_names(const char *sql, const pg_param *params, size_t nparams, size_t *order, size_t maxorder,
                    size_t *norder, char *err, size_t errlen);

/* MSG (a libpq message, may be NULL) as one line in OUT with nothing of DSN
 * in it: the password and the whole DSN become "[redacted]"; when DSN does
 * not parse, every quoted fragment (libpq quotes what it choked on) becomes
 * "[redacted]".  For every plugin that shows a libpq message about a DSN. */
void pg_redact(const char *dsn, const char *msg, char *out, size_t len);

/* Commit (nothing to commit: read only) and close. */
void pg_close(pg_session *s);

#endif
