/*
 * bl_main.c - the billing plugin: descriptor, options, run(), and the query
 * helpers every billing assertion uses.  Owner: issue 5.
 */
#include "billing.h"
#include "../common/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const oc_option bl_options[] = {
    {"dsn", OC_T_STRING, NULL, OC_OPT_SECRET,
     "libpq connection string or URI, e.g. ${env:DATABASE_URL} (default: the PG* environment); a read-only "
     "role, never a superuser (one can run COPY ... TO PROGRAM through a query.NAME)"},
    {"checks", OC_T_LIST, "stuck orphans evidence", 0, "assertions to make: stuck, orphans, evidence"},
    {"grace", OC_T_DURATION, "10m", 0, "an approved payment older than this must have been applied"},
    {"window", OC_T_DURATION, "7d", 0, "stuck: look at payments approved within this window"},
    {"list_max", OC_T_INT, "20", 0, "stuck checkouts listed (each with its snapshot) at most"},
    {"keep_since", OC_T_DURATION, "7d", 0, "evidence: each table's oldest row is at least this old"},
    {"state_dir", OC_T_STRING, NULL, 0, "evidence: remember row counts here; a count that drops fails"},
    {"mp_verify", OC_T_BOOL, "no", 0, "ask Mercado Pago for each stuck payment's status (read-only GET)"},
    {"mp_api", OC_T_STRING, "https://api.mercadopago.com", 0, "Mercado Pago API base URL"},
    {"mp_token", OC_T_STRING, NULL, OC_OPT_SECRET, "Mercado Pago access token, e.g. ${env:MP_ACCESS_TOKEN}"},
    {"query", OC_T_STRING, NULL, OC_OPT_PREFIX,
     "query.NAME = SELECT ...: replace query stuck, orphans, snapshot or evidence (see the README)"},
    {NULL, 0, NULL, 0, NULL},
};

static const char *const bl_query_names[] = {"stuck", "orphans", "snapshot", "evidence", NULL};

void bl_dur(long long s, char *buf, size_t n)
{
    if (s > 0 && s % 86400 == 0)
        snprintf(buf, n, "%lldd", s / 86400);
    else if (s > 0 && s % 3600 == 0)
        snprintf(buf, n, "%lldh", s / 3600);
    else if (s > 0 && s % 60 == 0)
        snprintf(buf, n, "%lldm", s / 60);
    else
        snprintf(buf, n, "%llds", s);
}

const char *bl_sql(oc_check *c, const char *name, const char *def)
{
    const char *const *names, *const *values;
    size_t n = oc_opt_map(c, "query", &names, &values);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return def;
}

const char *bl_val(const PGresult *r, int row, const char *name)
{
    int col = PQfnumber(r, name);
    if (col < 0 || row >= PQntuples(r) || PQgetisnull(r, row, col))
        return NULL;
    return PQgetvalue(r, row, col);
}

PGresult *bl_query(bl_ctx *x, const char *what, const char *name, const char *def, const pg_param *p, size_t np)
{
    char err[900];
    PGresult *r = NULL;
    const char *sql = bl_sql(x->c, name, def);

    if (pg_query(&x->db, name, sql, p, np, &r, err, sizeof err) == PG_OK)
        return r;
    oc_fail(x->c, "%s: %s", what, err);
    oc_diag(x->c, "query", "%s", sql);
    return NULL;
}

/* Every value only billing can judge wrong, each given to SAY (KEY, WHY)
 * in the file's order; how many.  A query.NAME the plugin does not have is
 * a typo that would silently leave the default in place: refused.  Shared
 * by validate() (each one at its line) and run() (the first, an ERROR). */
typedef void (*bl_say_fn)(oc_check *c, const char *key, const char *why, void *arg);

static size_t bl_config_problems(oc_check *c, bl_say_fn say, void *arg)
{
    const char *const *names, *const *values, *const *items;
    char key[128], why[256];
    size_t bad = 0, n = oc_opt_map(c, "query", &names, &values);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (bl_query_names[k] && strcmp(bl_query_names[k], names[i]) != 0)
            k++;
        if (!bl_query_names[k]) {
            snprintf(key, sizeof key, "query.%s", names[i]);
            say(c, key, "not a billing query (stuck, orphans, snapshot, evidence)", arg);
            bad++;
        }
    }
    n = oc_opt_list(c, "checks", &items);
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], "stuck") && strcmp(items[i], "orphans") && strcmp(items[i], "evidence")) {
            snprintf(why, sizeof why, "unknown item \"%s\" (want stuck, orphans, evidence)", items[i]);
            say(c, "checks", why, arg);
            bad++;
        }
    return bad;
}

static void bl_say_invalid(oc_check *c, const char *key, const char *why, void *arg)
{
    (void)arg;
    oc_invalid(c, key, "%s", why);
}

static void bl_say_error(oc_check *c, const char *key, const char *why, void *arg)
{
    int *said = arg;
    if (!(*said)++) /* one verdict: the first problem */
        oc_error(c, "configuration: %s: %s", key, why);
}

static void bl_validate(oc_check *c)
{
    bl_config_problems(c, bl_say_invalid, NULL);
}

static void bl_run(oc_check *c)
{
    bl_ctx x = {.c = c};
    char err[900];
    const char *const *items;
    size_t n = oc_opt_list(c, "checks", &items);

    int said = 0;
    if (bl_config_problems(c, bl_say_error, &said) != 0)
        return;
    x.grace_s = oc_opt_duration_ms(c, "grace") / 1000;
    x.window_s = oc_opt_duration_ms(c, "window") / 1000;
    x.list_max = oc_opt_int(c, "list_max");
    if (x.list_max < 1)
        x.list_max = 1;

    pg_err e = pg_open(&x.db, oc_opt_str(c, "dsn"), oc_remaining_ms(c), err, sizeof err);
    if (e != PG_OK) {
        oc_fail(c, "database: %s", err);
        oc_expect(c, "a read-only session on the database", e == PG_E_AUTH ? "authentication refused" : "no session");
        if (x.db.where[0])
            oc_diag(c, "database", "%s", x.db.where);
        return;
    }
    oc_diag(c, "database", "%s", x.db.where);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i], "stuck") == 0)
            bl_check_stuck(&x);
        else if (strcmp(items[i], "orphans") == 0)
            bl_check_orphans(&x);
        else
            bl_check_evidence(&x);
    }
    pg_close(&x.db);
}

static const oc_plugin bl_plugin = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "billing",
    .summary = "Mercado Pago billing in PostgreSQL: stuck checkouts, orphan payments, evidence kept (runbook 5, 6)",
    .init = http_init, /* libcurl and OpenSSL set up once, in the zygote */
    .options = bl_options,
    .run = bl_run,
    .validate = bl_validate,
};

OC_PLUGIN(bl_plugin)
