/*
 * backup_restore.c - verify = restore: create a scratch database on the
 * server restore_dsn names, restore the dump into it (pg_restore for
 * archives; plain and gzip SQL sent over libpq by backup_sql.c, never
 * through psql, so no meta-command of the dump runs), count its user
 * tables, and drop it again whatever happened.
 *
 * The DSN may carry a password: it goes to libpq in this process, and to
 * pg_restore only as PG* environment variables taken from the parsed DSN;
 * the child's argv holds only the scratch database's name and the file.
 * Every libpq message shown goes through pg_redact (libpq quotes the part
 * of a DSN it cannot parse, password included).
 */
#include "backup_int.h"
#include "backup_sql.h"
#include "../common/pg.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libpq keyword -> environment variable, for the child. */
static const struct {
    const char *kw, *env;
} env_map[] = {
    {"host", "PGHOST"},         {"hostaddr", "PGHOSTADDR"}, {"port", "PGPORT"},
    {"user", "PGUSER"},         {"password", "PGPASSWORD"}, {"passfile", "PGPASSFILE"},
    {"sslmode", "PGSSLMODE"},   {"sslrootcert", "PGSSLROOTCERT"}, {"sslcert", "PGSSLCERT"},
    {"sslkey", "PGSSLKEY"},     {"connect_timeout", "PGCONNECT_TIMEOUT"},
};
#define NENV (sizeof env_map / sizeof env_map[0])

typedef struct env_set {
    char *items[NENV + 2];
    size_t n;
} env_set;

static void env_build(PGconn *conn, const char *scratch, env_set *e, char *server, size_t sn)
{
    PQconninfoOption *opts = PQconninfo(conn);
    const char *host = NULL, *port = NULL;
    e->n = 0;
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        for (size_t i = 0; i < NENV; i++) {
            if (strcmp(o->keyword, env_map[i].kw) != 0)
                continue;
            size_t len = strlen(env_map[i].env) + strlen(o->val) + 2;
            char *s = malloc(len);
            if (!s)
                abort();
            snprintf(s, len, "%s=%s", env_map[i].env, o->val);
            e->items[e->n++] = s;
        }
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        if (strcmp(o->keyword, "port") == 0)
            port = o->val;
    }
    snprintf(server, sn, "%s:%s", host ? host : "localhost", port ? port : "5432");
    size_t len = strlen(scratch) + 12;
    e->items[e->n] = malloc(len);
    if (!e->items[e->n])
        abort();
    snprintf(e->items[e->n++], len, "PGDATABASE=%s", scratch);
    e->items[e->n] = NULL;
    PQconninfoFree(opts);
}

static void env_free(env_set *e)
{
    for (size_t i = 0; i < e->n; i++) {
        explicit_bzero(e->items[i], strlen(e->items[i]));
        free(e->items[i]);
    }
}

static int exec_sql(PGconn *conn, const char *dsn, const char *sql, char *why, size_t n)
{
    PGresult *res = PQexec(conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok) {
        pg_redact(dsn, PQerrorMessage(conn), why, n);
    }
    PQclear(res);
    return ok ? 0 : -1;
}

static PGconn *scratch_connect(PGconn *admin, const char *scratch, const char *options);

static int run_restore(PGconn *admin, const char *dsn, const bk_file *f, const char *scratch, const env_set *e,
                       const char *pg_restore, long long deadline_ms, char *why, size_t n)
{
    bk_proc_res r;
    const char *const *env = (const char *const *)e->items;
    if (bk_is_sql(f->fmt)) { /* plain SQL, compressed or not: streamed over libpq */
        char opts[64];
        long long left = deadline_ms - bk_now_ms();
        snprintf(opts, sizeof opts, "-c statement_timeout=%lld", left > 1 ? left : 1);
        PGconn *c = scratch_connect(admin, scratch, opts);
        int ret = -1;
        if (PQstatus(c) != CONNECTION_OK) {
            char msg[300];
            pg_redact(dsn, PQerrorMessage(c), msg, sizeof msg);
            snprintf(why, n, "cannot connect to the scratch database: %s", msg);
        } else {
            ret = bk_sql_restore(c, f, deadline_ms, why, n);
        }
        PQfinish(c);
        return ret;
    }
    /* the pg_restore that verify = full chose (the option, else the newest installed) */
    const char *argv[] = {pg_restore && *pg_restore ? pg_restore : "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                          "-d", scratch, f->path, NULL};
    if (bk_run(argv, env, deadline_ms, &r) == 0)
        return 0;
    if (r.timed_out)
        snprintf(why, n, "pg_restore killed: out of time");
    else if (r.exited > 0)
        snprintf(why, n, "pg_restore exit %d: %s", r.exited, r.err[0] ? r.err : "(no message)");
    else
        snprintf(why, n, "%s", r.err[0] ? r.err : "pg_restore did not run");
    return -1;
}

/* Same server and credentials as ADMIN, database SCRATCH; OPTIONS (may be
 * NULL) replaces the server options. */
static PGconn *scratch_connect(PGconn *admin, const char *scratch, const char *options)
{
    PQconninfoOption *opts = PQconninfo(admin);
    const char *k2[40], *v2[40];
    size_t m = 0;
    for (PQconninfoOption *o = opts; o && o->keyword && m < 36; o++) {
        if (!o->val || strcmp(o->keyword, "dbname") == 0 || (options && strcmp(o->keyword, "options") == 0))
            continue;
        k2[m] = o->keyword;
        v2[m++] = o->val;
    }
    k2[m] = "dbname";
    v2[m++] = scratch;
    if (options) {
        k2[m] = "options";
        v2[m++] = options;
    }
    k2[m] = NULL;
    v2[m] = NULL;
    PGconn *c = PQconnectdbParams(k2, v2, 0);
    PQconninfoFree(opts);
    if (!c)
        abort();
    return c;
}

static long long count_tables(PGconn *admin, const char *dsn, const char *scratch, char *why, size_t n)
{
    PGconn *c = scratch_connect(admin, scratch, NULL);
    char msg[300];
    long long cnt = -1;
    if (PQstatus(c) != CONNECTION_OK) {
        pg_redact(dsn, PQerrorMessage(c), msg, sizeof msg);
        snprintf(why, n, "cannot connect to the scratch database: %s", msg);
    } else {
        PGresult *res = PQexec(c, "SELECT count(*) FROM pg_catalog.pg_class c "
                                  "JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace "
                                  "WHERE c.relkind IN ('r', 'p') AND s.nspname NOT IN "
                                  "('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%'");
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            cnt = atoll(PQgetvalue(res, 0, 0));
        else {
            pg_redact(dsn, PQerrorMessage(c), msg, sizeof msg);
            snprintf(why, n, "counting tables: %s", msg);
        }
        PQclear(res);
    }
    PQfinish(c);
    return cnt;
}

int bk_restore(const char *dsn, const bk_file *f, const char *pg_restore, long long deadline_ms, bk_restore_res *rr,
               char *why,
               size_t n)
{
    char sql[256], dropwhy[256];
    env_set e = {.n = 0};
    int ret = -1;

    rr->tables = -1;
    snprintf(rr->scratch, sizeof rr->scratch, "opscheck_restore_%ld_%ld", (long)getpid(), (long)time(NULL));
    rr->server[0] = '\0';
    /* a dump made for a whole cluster or for a fresh database is turned away
     * before anything is created or sent (backup_sql.c) */
    if (bk_is_sql(f->fmt)) {
        int rc = bk_sql_scan(f, deadline_ms, why, n);
        if (rc != 0)
            return rc > 0 ? BK_RESTORE_UNSUITABLE : -1;
    }
    char msg[300], *perr = NULL;
    PQconninfoOption *parsed = PQconninfoParse(dsn, &perr);
    if (!parsed) {
        pg_redact(dsn, perr, msg, sizeof msg);
        snprintf(why, n, "restore_dsn is not a valid libpq connection string or URI (%s)", msg);
        PQfreemem(perr);
        return -1;
    }
    PQconninfoFree(parsed);
    PGconn *admin = PQconnectdb(dsn);
    if (PQstatus(admin) != CONNECTION_OK) {
        pg_redact(dsn, PQerrorMessage(admin), msg, sizeof msg);
        snprintf(why, n, "cannot connect with restore_dsn: %s", msg);
        PQfinish(admin);
        return -1;
    }
    env_build(admin, rr->scratch, &e, rr->server, sizeof rr->server);
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\" TEMPLATE template0", rr->scratch);
    if (exec_sql(admin, dsn, sql, why, n) != 0) {
        char w[256];
        snprintf(w, sizeof w, "%s", why);
        snprintf(why, n, "cannot create the scratch database: %s", w);
        goto out;
    }
    if (run_restore(admin, dsn, f, rr->scratch, &e, pg_restore, deadline_ms, why, n) == 0) {
        rr->tables = count_tables(admin, dsn, rr->scratch, why, n);
        ret = rr->tables >= 0 ? 0 : -1;
    }
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", rr->scratch);
    if (exec_sql(admin, dsn, sql, dropwhy, sizeof dropwhy) != 0 && ret == 0) {
        snprintf(why, n, "cannot drop the scratch database %s: %s", rr->scratch, dropwhy);
        ret = -1;
    }
out:
    env_free(&e);
    PQfinish(admin);
    return ret;
}
