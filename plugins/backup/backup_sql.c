/*
 * backup_sql.c - run a plain SQL dump on a libpq connection, without psql.
 *
 * A dump is SQL from wherever the backups are kept: fed to psql, its
 * meta-commands would run (\! a shell command, \connect another database,
 * \o and \copy writing files).  Here only the server sees the SQL, on the
 * one connection to the scratch database.  The stream is cut into
 * statements the way psql's lexer cuts it (quotes, E'' escapes, dollar
 * quotes, nested comments, parentheses, BEGIN ATOMIC bodies), each is sent
 * alone, and a COPY ... FROM stdin gets the lines up to "\." as its data.
 * A line starting with a backslash outside a string and outside COPY data
 * is refused with its number: pg_dump writes none but \restrict and
 * \unrestrict (15.14+), which are skipped.  A backslash further in a line
 * is just SQL the server refuses.
 *
 * Before any of it runs, bk_sql_scan() reads the dump once with the same
 * lexer, sending nothing: a pg_dumpall dump or a pg_dump -C one switches
 * databases (\connect) and makes cluster-wide objects (CREATE DATABASE,
 * CREATE ROLE), which one scratch database cannot hold and the restore
 * server must not get; such a dump is turned away before it starts.
 */
#include "backup_sql.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum lex { L_TOP, L_SQUOTE, L_ESQUOTE, L_DQUOTE, L_DOLLAR, L_BLOCK };

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

typedef struct sqlrun {
    PGconn *conn;
    long long deadline_ms;
    long long line;            /* number of the line being read, from 1 */
    buf part;                  /* the line read so far (chunks split lines) */
    buf stmt;                  /* the statement being built */
    long long stmt_line;       /* where it starts, for messages */
    int started;               /* the statement has more than blanks and -- comments */
    int cancelled;             /* out of time: the running statement was cancelled */
    int copy;                  /* inside COPY ... FROM stdin data */
    enum lex state;
    int depth;                 /* block comment nesting */
    char tag[72];              /* the dollar quote's $tag$ */
    int paren, begin_depth;    /* psql's: a ';' inside either does not end */
    char ids[4];               /* first letters of the first identifiers */
    size_t nids;
    char *why;
    size_t n;
    int dry;                   /* bk_sql_scan: nothing is sent */
    int unsuitable;            /* ... and it found a \connect or a cluster-wide statement */
} sqlrun;

static int buf_add(buf *b, const char *s, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, len);
    b->len += len;
    b->p[b->len] = '\0';
    return 0;
}

/* The server's message, one line: "line N: message". */
static void server_error(sqlrun *r, long long line, const PGresult *res)
{
    if (r->cancelled) {
        snprintf(r->why, r->n, "line %lld: out of time, the statement was cancelled", line);
        return;
    }
    const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char one[300];
    snprintf(one, sizeof one, "%s", m ? m : PQerrorMessage(r->conn));
    for (char *p = one; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    snprintf(r->why, r->n, "line %lld: %s", line, one);
}

/* The next result, waiting no later than the deadline: every dump sets
 * statement_timeout = 0, so past it the statement is cancelled here and the
 * scratch database can still be dropped in the time kept in reserve. */
static PGresult *next_result(sqlrun *r)
{
    while (PQisBusy(r->conn)) {
        long long left = r->deadline_ms - bk_now_ms();
        if (left <= 0 && !r->cancelled) {
            char e[128];
            PGcancel *c = PQgetCancel(r->conn);
            if (c)
                PQcancel(c, e, sizeof e);
            PQfreeCancel(c);
            r->cancelled = 1;
        }
        struct pollfd p = {.fd = PQsocket(r->conn), .events = POLLIN};
        poll(&p, 1, left > 1000 ? 1000 : left > 0 ? (int)left : 200);
        if (!PQconsumeInput(r->conn))
            break;
    }
    return PQgetResult(r->conn);
}

/* Collect the results of what was sent; 0 when all succeeded. */
static int drain(sqlrun *r, long long line)
{
    PGresult *res;
    int ret = 0;
    while ((res = next_result(r)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COPY_OUT) { /* COPY ... TO STDOUT: read and drop */
            char *row;
            while (PQgetCopyData(r->conn, &row, 0) > 0)
                PQfreemem(row);
        } else if (st == PGRES_COPY_IN) { /* a second COPY FROM stdin in one statement text */
            PQputCopyEnd(r->conn, "more than one COPY FROM stdin in one statement");
        } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY && ret == 0) {
            server_error(r, line, res);
            ret = -1;
        }
        PQclear(res);
    }
    return ret;
}

static void stmt_reset(sqlrun *r)
{
    r->stmt.len = 0;
    r->stmt.p[0] = '\0';
    r->started = 0;
    r->nids = 0;
    r->paren = r->begin_depth = 0;
}

/* The statement's first word, and its second if the first is CREATE,
 * ALTER or DROP, into W (upper case, one space between). */
static void stmt_head(const char *s, char *w, size_t n)
{
    size_t k = 0;
    for (int words = 0; words < 2 && k + 1 < n; words++) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (words && k + 1 < n)
            w[k++] = ' ';
        while (*s && (isalnum((unsigned char)*s) || *s == '_') && k + 1 < n)
            w[k++] = (char)toupper((unsigned char)*s++);
        w[k] = '\0';
        if (strcmp(w, "CREATE") && strcmp(w, "ALTER") && strcmp(w, "DROP"))
            break;
    }
    w[k] = '\0';
}

/* bk_sql_scan's statement: nothing sent; a COPY FROM stdin is known by its
 * text (pg_dump writes "COPY name (cols) FROM stdin;"), and a statement on
 * the cluster rather than the database stops the scan. */
static int scan_stmt(sqlrun *r)
{
    static const char *const cluster[] = {"CREATE DATABASE", "ALTER DATABASE", "DROP DATABASE", "CREATE ROLE",
                                          "ALTER ROLE", "DROP ROLE", "CREATE USER", "ALTER USER", "DROP USER",
                                          "CREATE TABLESPACE", "DROP TABLESPACE", NULL};
    char head[48];
    stmt_head(r->stmt.p, head, sizeof head);
    for (size_t i = 0; cluster[i]; i++)
        if (strcmp(head, cluster[i]) == 0) {
            r->unsuitable = 1;
            snprintf(r->why, r->n, "line %lld: %s, a cluster-wide statement", r->stmt_line, head);
            return -1;
        }
    r->copy = strcmp(head, "COPY") == 0 && strcasestr(r->stmt.p, "from stdin") != NULL;
    stmt_reset(r);
    return 0;
}

/* Send the statement built so far; it may start COPY data. */
static int run_stmt(sqlrun *r)
{
    if (r->dry)
        return scan_stmt(r);
    if (bk_now_ms() > r->deadline_ms) {
        snprintf(r->why, r->n, "line %lld: out of time", r->line);
        return -1;
    }
    if (!PQsendQuery(r->conn, r->stmt.p)) {
        server_error(r, r->stmt_line, NULL);
        return -1;
    }
    PGresult *res = next_result(r);
    ExecStatusType st = PQresultStatus(res);
    int ret = 0;
    if (st == PGRES_COPY_IN)
        r->copy = 1;
    else if (st == PGRES_COPY_OUT) {
        char *row;
        while (PQgetCopyData(r->conn, &row, 0) > 0)
            PQfreemem(row);
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        server_error(r, r->stmt_line, res);
        ret = -1;
    }
    PQclear(res);
    if (!r->copy && drain(r, r->stmt_line) != 0)
        ret = -1;
    stmt_reset(r);
    return ret;
}

static int blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

static int ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* psql's heuristic: in CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN ...
 * END (and CASE ... END inside it) hold semicolons. */
static void word(sqlrun *r, const char *w, size_t len)
{
    static const char *const lead[] = {"create", "function", "procedure", "or", "replace"};
    if (r->nids < sizeof r->ids) {
        r->ids[r->nids] = 0;
        for (size_t i = 0; i < 5; i++)
            if (strlen(lead[i]) == len && strncasecmp(w, lead[i], len) == 0)
                r->ids[r->nids] = lead[i][0];
    }
    r->nids++;
    const char *id = r->ids;
    size_t k = r->nids;
    int routine = k >= 2 && id[0] == 'c' &&
                  (id[1] == 'f' || id[1] == 'p' ||
                   (k >= 4 && id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p')));
    if (!routine || r->paren != 0)
        return;
    if (len == 5 && strncasecmp(w, "begin", 5) == 0)
        r->begin_depth++;
    else if (len == 4 && strncasecmp(w, "case", 4) == 0 && r->begin_depth >= 1)
        r->begin_depth++;
    else if (len == 3 && strncasecmp(w, "end", 3) == 0 && r->begin_depth > 0)
        r->begin_depth--;
}

/* A "$tag$" at S (within LEN), or 0. */
static size_t dollar_tag(const char *s, size_t len)
{
    size_t i = 1;
    if (i < len && (isdigit((unsigned char)s[i])))
        return 0;
    while (i < len && s[i] != '$' && (isalnum((unsigned char)s[i]) || s[i] == '_' || (unsigned char)s[i] >= 0x80))
        i++;
    return i < len && s[i] == '$' ? i + 1 : 0;
}

/* One line of SQL (with its newline, if any). */
static int sql_line(sqlrun *r, const char *s, size_t len)
{
    size_t start = 0;
    if (r->state == L_TOP && len > 0 && s[0] == '\\') {
        size_t w = 1;
        while (w < len && w < 24 && !isspace((unsigned char)s[w]))
            w++;
        if ((w == 9 && strncmp(s, "\\restrict", 9) == 0) || (w == 11 && strncmp(s, "\\unrestrict", 11) == 0))
            return 0; /* pg_dump's fence against psql meta-commands: nothing to lift here */
        if (r->dry && ((w == 8 && strncmp(s, "\\connect", 8) == 0) || (w == 2 && strncmp(s, "\\c", 2) == 0))) {
            r->unsuitable = 1;
            snprintf(r->why, r->n, "line %lld: \\connect to another database", r->line);
            return -1;
        }
        if (r->dry)
            return 0; /* other meta-commands are refused when the dump runs */
        snprintf(r->why, r->n, "line %lld: psql meta-command %.*s refused (a dump may hold SQL only)", r->line,
                 (int)w, s);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i], d = i + 1 < len ? s[i + 1] : '\0';
        if (!r->started && r->state == L_TOP) { /* blanks and comments between statements are not sent */
            if (isspace((unsigned char)c)) {
                start = i + 1;
                continue;
            }
            if (c == '-' && d == '-')
                return 0;
            r->started = 1;
            r->stmt_line = r->line;
            start = i;
        }
        switch (r->state) {
        case L_TOP:
            if (c == '-' && d == '-')
                i = len; /* the rest of the line is a comment */
            else if (c == '/' && d == '*')
                r->state = L_BLOCK, r->depth = 1, i++;
            else if (c == '\'')
                r->state = (i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') && (i < 2 || !ident_char((unsigned char)s[i - 2])))
                               ? L_ESQUOTE
                               : L_SQUOTE;
            else if (c == '"')
                r->state = L_DQUOTE;
            else if (c == '$' && (i == 0 || !ident_char((unsigned char)s[i - 1]))) {
                size_t t = dollar_tag(s + i, len - i);
                if (t && t < sizeof r->tag) {
                    memcpy(r->tag, s + i, t);
                    r->tag[t] = '\0';
                    r->state = L_DOLLAR;
                    i += t - 1;
                }
            } else if (c == '(')
                r->paren++;
            else if (c == ')' && r->paren > 0)
                r->paren--;
            else if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
                size_t j = i;
                while (j < len && ident_char((unsigned char)s[j]))
                    j++;
                word(r, s + i, j - i);
                i = j - 1;
            } else if (c == ';' && r->paren == 0 && r->begin_depth == 0) {
                if (buf_add(&r->stmt, s + start, i + 1 - start) != 0) {
                    snprintf(r->why, r->n, "line %lld: out of memory", r->line);
                    return -1;
                }
                if (run_stmt(r) != 0)
                    return -1;
                start = i + 1;
                if (r->copy)
                    return 0; /* COPY data starts on the next line */
            }
            break;
        case L_SQUOTE:
        case L_ESQUOTE:
            if (c == '\\' && r->state == L_ESQUOTE)
                i++;
            else if (c == '\'' && d == '\'')
                i++;
            else if (c == '\'')
                r->state = L_TOP;
            break;
        case L_DQUOTE:
            if (c == '"')
                r->state = L_TOP; /* "" is two quotes in a row: leave, enter again */
            break;
        case L_DOLLAR: {
            size_t t = strlen(r->tag);
            if (c == '$' && len - i >= t && memcmp(s + i, r->tag, t) == 0)
                r->state = L_TOP, i += t - 1;
            break;
        }
        case L_BLOCK:
            if (c == '/' && d == '*')
                r->depth++, i++;
            else if (c == '*' && d == '/' && --r->depth == 0)
                r->state = L_TOP, i++;
            else if (c == '*' && d == '/')
                i++;
            break;
        }
    }
    if (r->started && start < len)
        if (buf_add(&r->stmt, s + start, len - start) != 0) {
            snprintf(r->why, r->n, "out of memory");
            return -1;
        }
    return 0;
}

/* One line of COPY data; "\." ends it. */
static int copy_line(sqlrun *r, const char *s, size_t len)
{
    size_t l = len;
    while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == '\r'))
        l--;
    if (l == 2 && s[0] == '\\' && s[1] == '.' && r->dry) {
        r->copy = 0;
        return 0;
    }
    if (r->dry)
        return 0;
    if (l == 2 && s[0] == '\\' && s[1] == '.') {
        r->copy = 0;
        if (PQputCopyEnd(r->conn, NULL) != 1) {
            server_error(r, r->line, NULL);
            return -1;
        }
        return drain(r, r->stmt_line);
    }
    if (PQputCopyData(r->conn, s, (int)len) != 1) {
        server_error(r, r->line, NULL);
        return -1;
    }
    return 0;
}

static int one_line(sqlrun *r, const char *s, size_t len)
{
    r->line++;
    return r->copy ? copy_line(r, s, len) : sql_line(r, s, len);
}

static int sql_sink(void *arg, const char *data, size_t len)
{
    sqlrun *r = arg;
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) + 1 : len;
        if (!nl || r->part.len > 0) {
            if (buf_add(&r->part, data, take) != 0) {
                snprintf(r->why, r->n, "line %lld: out of memory", r->line + 1);
                return -1;
            }
        }
        if (nl) {
            int rc = r->part.len > 0 ? one_line(r, r->part.p, r->part.len) : one_line(r, data, take);
            r->part.len = 0;
            if (rc != 0)
                return -1;
        }
        data += take;
        len -= take;
    }
    return 0;
}

int bk_sql_restore(PGconn *conn, const bk_file *f, long long deadline_ms, char *why, size_t n)
{
    sqlrun r = {.conn = conn, .deadline_ms = deadline_ms, .why = why, .n = n};
    char swhy[256] = "";
    why[0] = '\0';
    if (buf_add(&r.stmt, "", 0) != 0)
        abort();
    int ret = bk_stream(f->path, f->fmt, deadline_ms, sql_sink, &r, swhy, sizeof swhy);
    if (ret == 0 && r.part.len > 0) /* a last line without its newline */
        ret = one_line(&r, r.part.p, r.part.len);
    if (ret == 0 && r.copy) {
        snprintf(why, n, "line %lld: the dump ends inside COPY data (no \\. line)", r.line);
        PQputCopyEnd(conn, "dump ends inside COPY data");
        drain(&r, r.line);
        ret = -1;
    } else if (ret == 0 && r.started && !blank(r.stmt.p, r.stmt.len)) {
        ret = run_stmt(&r); /* psql sends what is left at the end, too */
    }
    if (ret != 0 && !why[0])
        snprintf(why, n, "%s", swhy[0] ? swhy : "the dump could not be read");
    free(r.part.p);
    free(r.stmt.p);
    return ret;
}

int bk_sql_scan(const bk_file *f, long long deadline_ms, char *why, size_t n)
{
    char found[160] = "";
    sqlrun r = {.dry = 1, .deadline_ms = deadline_ms, .why = found, .n = sizeof found};
    char swhy[256] = "";
    if (buf_add(&r.stmt, "", 0) != 0)
        abort();
    int ret = bk_stream(f->path, f->fmt, deadline_ms, sql_sink, &r, swhy, sizeof swhy);
    if (ret == 0 && r.part.len > 0)
        ret = one_line(&r, r.part.p, r.part.len);
    if (ret == 0 && !r.copy && r.started && !blank(r.stmt.p, r.stmt.len))
        ret = scan_stmt(&r);
    free(r.part.p);
    free(r.stmt.p);
    if (r.unsuitable) {
        snprintf(why, n,
                 "a pg_dumpall or pg_dump -C dump (%s): verify = restore loads one database's dump into a scratch "
                 "database and never switches databases or touches the cluster; use verify = full for this file, "
                 "and verify = restore on per-database dumps made without -C",
                 found);
        return 1;
    }
    if (ret != 0) {
        snprintf(why, n, "%s", swhy[0] ? swhy : "the dump could not be read");
        return -1;
    }
    return 0;
}
