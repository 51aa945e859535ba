/*
 * pg.c - the read-only libpq session of pg.h.  Every message is one line
 * and goes through pg_redact, so no part of the connection string can leak:
 * libpq's parse errors quote the text they choke on (the password too).
 *
 * The session cannot be left by a query.NAME override: each query is sent
 * alone with the extended protocol (which refuses several statements), the
 * READ ONLY transaction has taken its snapshot before any of them (so a
 * first `SET TRANSACTION READ WRITE` is refused), and a query that ends the
 * transaction (COMMIT, ROLLBACK...) closes the session: nothing runs after
 * it, in a transaction it could have made writable.
 */
#include "pg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_RESERVE_MS 400 /* kept back from the deadline to report in */
/* The SELECT takes the transaction's snapshot: from then on PostgreSQL
 * refuses SET TRANSACTION READ WRITE ("must be called before any query"). */
#define PG_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1"

static void *pg_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "pg: out of memory\n");
        abort();
    }
    return p;
}

/* libpq's multi-line messages as one line: blanks collapsed, no trailing dot-space. */
static void pg_one_line(const char *in, char *out, size_t len)
{
    size_t k = 0;
    int blank = 0;
    for (const char *p = in ? in : ""; *p && k + 1 < len; p++) {
        if (isspace((unsigned char)*p)) {
            blank = k > 0;
            continue;
        }
        if (blank && k + 2 < len)
            out[k++] = ' ';
        blank = 0;
        out[k++] = *p;
    }
    out[k] = '\0';
}

/* Replace each occurrence of NEEDLE in BUF (capacity LEN) with "[redacted]";
 * with QUOTED, every "..." text instead (NEEDLE unused). */
static void pg_cut(char *buf, size_t len, const char *needle, int quoted)
{
    size_t nl = needle ? strlen(needle) : 0, k = 0;
    if (!quoted && nl == 0)
        return;
    char *tmp = pg_xmalloc(len);
    for (const char *p = buf; *p && k + 1 < len;) {
        const char *end = NULL;
        if (quoted && *p == '"')
            end = strchr(p + 1, '"');
        if (quoted ? end != NULL : strncmp(p, needle, nl) == 0) {
            k += (size_t)snprintf(tmp + k, len - k, "%s", quoted ? "\"[redacted]\"" : "[redacted]");
            k = k < len ? k : len - 1;
            p = quoted ? end + 1 : p + nl;
        } else {
            tmp[k++] = *p++;
        }
    }
    tmp[k] = '\0';
    memcpy(buf, tmp, k + 1);
    free(tmp);
}

void pg_redact(const char *dsn, const char *msg, char *out, size_t len)
{
    /* Redact before cutting to LEN: a cut could leave half a password that
     * no longer matches.  "[redacted]" may be longer than what it replaces. */
    size_t big = (msg ? strlen(msg) : 0) * 11 + 32;
    char *w = pg_xmalloc(big);
    pg_one_line(msg, w, big);
    char *perr = NULL;
    PQconninfoOption *o = dsn && *dsn ? PQconninfoParse(dsn, &perr) : NULL;
    PQfreemem(perr);
    if (dsn && *dsn && !o) { /* libpq quotes the fragment it could not parse */
        pg_cut(w, big, NULL, 1);
    } else if (o) {
        pg_cut(w, big, dsn, 0);
        for (PQconninfoOption *p = o; p->keyword; p++)
            if (p->val && strcmp(p->keyword, "password") == 0)
                pg_cut(w, big, p->val, 0);
        PQconninfoFree(o);
    }
    snprintf(out, len, "%s", w);
    free(w);
}

static long long pg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long pg_stmt_budget(long long remaining_ms)
{
    long long t = remaining_ms - PG_RESERVE_MS;
    return t < 100 ? 100 : t;
}

pg_err pg_open(pg_session *s, const char *dsn, long long remaining_ms, char *err, size_t errlen)
{
    const char *keys[6], *vals[6];
    char opts[160], ctimeout[32], msg[600];
    size_t n = 0;

    memset(s, 0, sizeof *s);
    if (dsn && *dsn) {
        char *perr = NULL;
        PQconninfoOption *o = PQconninfoParse(dsn, &perr);
        if (!o) {
            pg_redact(dsn, perr, msg, sizeof msg);
            snprintf(err, errlen, "dsn is not a valid libpq connection string or URI (%s)", msg);
            PQfreemem(perr);
            return PG_E_CONNECT;
        }
        PQfreemem(perr);
        PQconninfoFree(o);
        keys[n] = "dbname", vals[n++] = dsn;
    }
    s->statement_timeout_ms = pg_stmt_budget(remaining_ms);
    s->deadline_ms = pg_now_ms() + remaining_ms;
    snprintf(opts, sizeof opts, "-c default_transaction_read_only=on -c statement_timeout=%lld",
             s->statement_timeout_ms);
    long long ct = remaining_ms / 2000;
    snprintf(ctimeout, sizeof ctimeout, "%lld", ct < 2 ? 2 : ct); /* libpq's minimum is 2 s */
    keys[n] = "application_name", vals[n++] = "opscheck";
    keys[n] = "connect_timeout", vals[n++] = ctimeout;
    keys[n] = "options", vals[n++] = opts;
    keys[n] = NULL, vals[n] = NULL;

    s->conn = PQconnectdbParams(keys, vals, 1);
    if (!s->conn)
        abort();
    snprintf(s->where, sizeof s->where, "%s@%s:%s/%s", PQuser(s->conn) ? PQuser(s->conn) : "?",
             PQhost(s->conn) ? PQhost(s->conn) : "?", PQport(s->conn) ? PQport(s->conn) : "?",
             PQdb(s->conn) ? PQdb(s->conn) : "?");
    if (PQstatus(s->conn) != CONNECTION_OK) {
        const char *m = PQerrorMessage(s->conn);
        int auth = PQconnectionNeedsPassword(s->conn) || strstr(m, "authentication failed") ||
                   strstr(m, "no password supplied");
        pg_redact(dsn, m, msg, sizeof msg);
        snprintf(err, errlen, "%s%s", auth ? "authentication refused: " : "cannot connect: ", msg);
        PQfinish(s->conn);
        s->conn = NULL;
        return auth ? PG_E_AUTH : PG_E_CONNECT;
    }
    PGresult *r = PQexec(s->conn, PG_BEGIN);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        pg_redact(dsn, PQerrorMessage(s->conn), msg, sizeof msg);
        snprintf(err, errlen, "cannot start a read-only transaction: %s", msg);
        PQclear(r);
        pg_close(s);
        return PG_E_CONNECT;
    }
    PQclear(r);
    return PG_OK;
}

static int pg_ident(int ch)
{
    return isalnum(ch) || ch == '_';
}

char *pg_bind_names(const char *sql, const pg_param *params, size_t nparams, size_t *order, size_t maxorder,
                    size_t *norder, char *err, size_t errlen)
{
    size_t len = strlen(sql), k = 0;
    char *out = pg_xmalloc(len * 2 + 16); /* ":x" -> "$NN" grows at most by a few bytes each */
    const char *p = sql;

    *norder = 0;
    while (*p) {
        if (*p == '\'' || *p == '"') { /* quoted text or identifier, '' and "" escapes */
            char q = *p;
            out[k++] = *p++;
            while (*p && !(*p == q && p[1] != q))
                if (*p == q) { /* doubled quote */
                    out[k++] = *p++;
                    out[k++] = *p++;
                } else {
                    out[k++] = *p++;
                }
            if (*p)
                out[k++] = *p++;
            continue;
        }
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                out[k++] = *p++;
            continue;
        }
        if (p[0] == ':' && p[1] == ':') {
            out[k++] = *p++;
            out[k++] = *p++;
            continue;
        }
        if (p[0] == ':' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
            const char *name = p + 1;
            size_t nlen = 0, i, slot;
            while (pg_ident((unsigned char)name[nlen]))
                nlen++;
            for (i = 0; i < nparams; i++)
                if (strlen(params[i].name) == nlen && strncmp(params[i].name, name, nlen) == 0)
                    break;
            if (i == nparams) {
                snprintf(err, errlen, "unknown parameter :%.*s", (int)nlen, name);
                free(out);
                return NULL;
            }
            for (slot = 0; slot < *norder && order[slot] != i; slot++)
                ;
            if (slot == *norder) {
                if (*norder >= maxorder) {
                    snprintf(err, errlen, "too many parameters");
                    free(out);
                    return NULL;
                }
                order[(*norder)++] = i;
            }
            k += (size_t)sprintf(out + k, "$%zu", slot + 1);
            p = name + nlen;
            continue;
        }
        out[k++] = *p++;
    }
    out[k] = '\0';
    return out;
}

static pg_err pg_classify(const char *state)
{
    if (!state)
        return PG_E_QUERY;
    if (strcmp(state, "57014") == 0)
        return PG_E_TIMEOUT;
    if (strcmp(state, "25006") == 0)
        return PG_E_READONLY;
    if (strcmp(state, "42P01") == 0 || strcmp(state, "42703") == 0)
        return PG_E_SCHEMA;
    return PG_E_QUERY;
}

/* After a failed query the transaction is aborted: start a new read-only one
 * so the check's next queries still run. */
static void pg_restart(pg_session *s)
{
    PQclear(PQexec(s->conn, "ROLLBACK"));
    PQclear(PQexec(s->conn, PG_BEGIN));
}

/* The query ended the read-only transaction (COMMIT, ROLLBACK, PREPARE
 * TRANSACTION): whatever it changed for the session, nothing runs after it. */
static pg_err pg_left(pg_session *s, const char *name, char *err, size_t errlen)
{
    snprintf(err, errlen, "query %s ended the read-only transaction: refused, the session is closed", name);
    PQfinish(s->conn);
    s->conn = NULL;
    return PG_E_READONLY;
}

pg_err pg_query(pg_session *s, const char *name, const char *sql, const pg_param *params, size_t nparams,
                PGresult **out, char *err, size_t errlen)
{
    size_t order[32], norder;
    const char *values[32];
    char perr[128], msg[600];

    *out = NULL;
    if (!s->conn || PQtransactionStatus(s->conn) != PQTRANS_INTRANS) {
        snprintf(err, errlen, "query %s: not run, the read-only session is gone", name);
        return PG_E_CONNECT;
    }
    char *text = pg_bind_names(sql, params, nparams, order, 32, &norder, perr, sizeof perr);
    if (!text) {
        snprintf(err, errlen, "query %s: %s", name, perr);
        return PG_E_PARAM;
    }
    for (size_t i = 0; i < norder; i++)
        values[i] = params[order[i]].value;
    /* A later query gets only what is left of the check's time, so it ends
     * with a clean statement timeout rather than the core's kill. */
    long long budget = pg_stmt_budget(s->deadline_ms - pg_now_ms());
    if (s->deadline_ms && budget + 50 < s->statement_timeout_ms) {
        char set[64];
        snprintf(set, sizeof set, "SET statement_timeout = %lld", budget);
        PQclear(PQexec(s->conn, set));
        s->statement_timeout_ms = budget;
    }
    PGresult *r = PQexecParams(s->conn, text, (int)norder, NULL, values, NULL, NULL, 0);
    free(text);
    ExecStatusType st = PQresultStatus(r);
    PGTransactionStatusType ts = PQtransactionStatus(s->conn);
    if (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR && PQstatus(s->conn) == CONNECTION_OK) {
        PQclear(r);
        return pg_left(s, name, err, errlen);
    }
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        *out = r;
        return PG_OK;
    }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    pg_err e = pg_classify(state);
    pg_one_line(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
                                                             : PQerrorMessage(s->conn), msg, sizeof msg);
    if (e == PG_E_TIMEOUT)
        snprintf(err, errlen, "query %s: statement timeout after %lld ms (%s)", name, s->statement_timeout_ms,
                 msg);
    else if (e == PG_E_READONLY)
        snprintf(err, errlen, "query %s tried to write and the read-only session refused it (%s)", name, msg);
    else
        snprintf(err, errlen, "query %s: %s%s%s%s", name, msg, state ? " (SQLSTATE " : "", state ? state : "",
                 state ? ")" : "");
    PQclear(r);
    if (PQstatus(s->conn) == CONNECTION_OK)
        pg_restart(s);
    return e;
}

void pg_close(pg_session *s)
{
    if (s->conn) {
        PQclear(PQexec(s->conn, "ROLLBACK"));
        PQfinish(s->conn);
    }
    s->conn = NULL;
}
