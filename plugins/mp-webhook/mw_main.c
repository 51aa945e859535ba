/*
 * mw_main.c - the mp-webhook plugin: descriptor, options, run() and the
 * assertions over the receiver's own records (webhook_events), in one
 * read-only session (plugins/common/pg.h).  Owner: issue 5.
 *
 * The delivery rate is project-defined: Mercado Pago publishes no delivery
 * history API (external-apis.md §3.4), so it is computed from what our
 * receiver recorded and answered.
 */
#include "mw.h"
#include "../common/http.h"
#include "../common/pg.h"
#include "mw_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const oc_option mw_options[] = {
    {"dsn", OC_T_STRING, NULL, OC_OPT_SECRET,
     "libpq connection string or URI, e.g. ${env:DATABASE_URL} (default: the PG* environment); a read-only "
     "role, never a superuser (one can run COPY ... TO PROGRAM through a query.NAME)"},
    {"records", OC_T_BOOL, "yes", 0, "check the receiver's records in webhook_events"},
    {"window", OC_T_DURATION, "24h", 0, "delivery rate over this window"},
    {"min_rate", OC_T_PERCENT, "99%", 0, "share of notifications answered 2xx, at least"},
    {"recent", OC_T_INT, "5", 0, "the last N payment.updated events must all have been answered 200"},
    {"max_silence", OC_T_DURATION, "24h", 0, "the newest event is at most this old"},
    {"url", OC_T_STRING, NULL, 0, "receiver URL for a synthetic signed notification (unset: none sent)"},
    {"secret", OC_T_STRING, NULL, OC_OPT_SECRET, "webhook secret signature, e.g. ${env:MP_WEBHOOK_SECRET}"},
    {"data_id", OC_T_STRING, MW_PROBE_ID, 0, "data.id of the synthetic notification; marks it as a probe"},
    {"probe_prefix", OC_T_STRING, MW_PROBE_PREFIX, 0, "x-request-id prefix of the synthetic notification; marks it"},
    {"exclude_probes", OC_T_BOOL, "yes", 0, "delivery, recent, newest skip our probes (probe_prefix, data_id)"},
    {"lowercase_id", OC_T_BOOL, "no", 0, "sign data.id lowercased (the older rule); no: as is, like the official SDKs"},
    {"user_agent", OC_T_STRING, MW_USER_AGENT, 0, "User-Agent of the synthetic notification (Mercado Pago's)"},
    {"user_id", OC_T_INT, "0", 0, "user_id in the notification's body (your Mercado Pago user id)"},
    {"live_mode", OC_T_BOOL, "yes", 0, "live_mode in the notification's body"},
    {"accept_status", OC_T_LIST, "200 201", 0, "statuses that accept the signed notification"},
    {"reject_status", OC_T_LIST, "401 403", 0, "statuses that refuse the badly signed notification"},
    {"answer_max", OC_T_DURATION, "22s", 0, "the receiver must answer within this (Mercado Pago waits 22 s)"},
    {"query", OC_T_STRING, NULL, OC_OPT_PREFIX,
     "query.NAME = SELECT ...: replace query delivery, recent or newest (see the README)"},
    {NULL, 0, NULL, 0, NULL},
};

/* The probe markers the default queries bind (mw_sql.h MW_NOT_PROBE). */
#define MW_PROBE_PARAMS(c)                                                                                    \
    {"exclude_probes", oc_opt_bool(c, "exclude_probes") ? "t" : "f"},                                  \
        {"probe_prefix", oc_opt_str(c, "probe_prefix")}, {"probe_id", oc_opt_str(c, "data_id")}

static const char *const mw_query_names[] = {"delivery", "recent", "newest", NULL};

static const char *mw_sql(oc_check *c, const char *name, const char *def)
{
    const char *const *names, *const *values;
    size_t n = oc_opt_map(c, "query", &names, &values);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return def;
}

static const char *mw_val(const PGresult *r, int row, const char *name)
{
    int col = PQfnumber(r, name);
    return col < 0 || row >= PQntuples(r) || PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static PGresult *mw_query(oc_check *c, pg_session *s, const char *name, const char *def, const pg_param *p,
                          size_t np)
{
    char err[900];
    PGresult *r = NULL;
    const char *sql = mw_sql(c, name, def);
    if (pg_query(s, name, sql, p, np, &r, err, sizeof err) == PG_OK)
        return r;
    oc_fail(c, "%s: %s", name, err);
    oc_diag(c, "query", "%s", sql);
    return NULL;
}

static void mw_dur(long long s, char *buf, size_t n)
{
    if (s > 0 && s % 3600 == 0)
        snprintf(buf, n, "%lldh", s / 3600);
    else if (s > 0 && s % 60 == 0)
        snprintf(buf, n, "%lldm", s / 60);
    else
        snprintf(buf, n, "%llds", s);
}

static void mw_delivery(oc_check *c, pg_session *s)
{
    long long win = oc_opt_duration_ms(c, "window") / 1000;
    double min = oc_opt_percent(c, "min_rate");
    char ws[32], wd[32], want[64], seen[96];
    pg_param p[] = {{"window", ws}, MW_PROBE_PARAMS(c)};

    snprintf(ws, sizeof ws, "%lld", win);
    mw_dur(win, wd, sizeof wd);
    PGresult *r = mw_query(c, s, "delivery", MW_DELIVERY_SQL, p, 4);
    if (!r)
        return;
    const char *t = mw_val(r, 0, "total"), *k = mw_val(r, 0, "ok_2xx");
    long long total = t ? atoll(t) : 0, ok = k ? atoll(k) : 0;
    PQclear(r);
    snprintf(want, sizeof want, ">= %g%% answered 2xx", min);
    if (total == 0) {
        oc_fail(c, "delivery: no notification recorded in the last %s", wd);
        oc_expect(c, want, "0 notifications");
        return;
    }
    double rate = 100.0 * (double)ok / (double)total;
    oc_metric(c, "delivery_rate", rate, "%");
    snprintf(seen, sizeof seen, "%.2f%% (%lld of %lld)", rate, ok, total);
    if (rate + 1e-9 >= min) {
        oc_pass(c, "delivery: %s of notifications in the last %s answered 2xx, >= %g%%", seen, wd, min);
        return;
    }
    oc_fail(c, "delivery: %s of notifications in the last %s answered 2xx, expected >= %g%%", seen, wd, min);
    oc_expect(c, want, seen);
}

static void mw_recent(oc_check *c, pg_session *s)
{
    long long k = oc_opt_int(c, "recent");
    char ks[32], bad[1024] = "";
    pg_param p[] = {{"recent", ks}, MW_PROBE_PARAMS(c)};
    size_t at = 0;
    int nbad = 0;

    if (k < 1)
        k = 1;
    snprintf(ks, sizeof ks, "%lld", k);
    PGresult *r = mw_query(c, s, "recent", MW_RECENT_SQL, p, 4);
    if (!r)
        return;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        const char *st = mw_val(r, i, "http_status");
        if (st && strcmp(st, "200") == 0)
            continue;
        const char *id = mw_val(r, i, "data_id"), *when = mw_val(r, i, "received_at"), *e = mw_val(r, i, "error");
        int w = snprintf(bad + at, sizeof bad - at, "%sdata.id %s at %s: status %s%s%s", nbad ? "; " : "",
                         id ? id : "?", when ? when : "?", st ? st : "none", e ? ", " : "", e ? e : "");
        at += w > 0 && (size_t)w < sizeof bad - at ? (size_t)w : 0;
        nbad++;
    }
    PQclear(r);
    if (n == 0) {
        oc_fail(c, "recent: no payment.updated event recorded");
        oc_expect(c, "the last payment.updated events answered 200", "none recorded");
    } else if (nbad == 0) {
        oc_pass(c, "recent: the last %d payment.updated events answered 200", n);
    } else {
        char seen[64];
        snprintf(seen, sizeof seen, "%d of the last %d not answered 200", nbad, n);
        oc_fail(c, "recent: %s: %s", seen, bad);
        oc_expect(c, "the last payment.updated events answered 200", seen);
    }
}

static void mw_newest(oc_check *c, pg_session *s)
{
    long long max = oc_opt_duration_ms(c, "max_silence") / 1000;
    char md[32], want[64], seen[128];

    pg_param p[] = {MW_PROBE_PARAMS(c)};

    mw_dur(max, md, sizeof md);
    snprintf(want, sizeof want, "an event within the last %s", md);
    PGresult *r = mw_query(c, s, "newest", MW_NEWEST_SQL, p, 3);
    if (!r)
        return;
    const char *age = mw_val(r, 0, "age_s"), *when = mw_val(r, 0, "received_at");
    double a = age ? atof(age) : -1;
    if (!age) {
        oc_fail(c, "newest: no event recorded at all");
        oc_expect(c, want, "no event");
    } else if (a <= (double)max) {
        oc_pass(c, "newest: last event %.0f s ago (at most %s)", a, md);
    } else {
        snprintf(seen, sizeof seen, "last event %.1f h ago, at %s", a / 3600.0, when ? when : "?");
        oc_fail(c, "newest: %s; expected one within %s", seen, md);
        oc_expect(c, want, seen);
    }
    PQclear(r);
}

/* The NAME of a query.NAME the plugin does not have (a typo that would
 * silently leave the default in place), or NULL.  For run() and validate(). */
static const char *mw_unknown_query(oc_check *c)
{
    const char *const *names, *const *values;
    size_t n = oc_opt_map(c, "query", &names, &values);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (mw_query_names[k] && strcmp(mw_query_names[k], names[i]) != 0)
            k++;
        if (!mw_query_names[k])
            return names[i];
    }
    return NULL;
}

static void mw_validate(oc_check *c)
{
    const char *bad = mw_unknown_query(c);
    if (bad) {
        char key[128];
        snprintf(key, sizeof key, "query.%s", bad);
        oc_invalid(c, key, "not an mp-webhook query (delivery, recent, newest)");
    }
}

static void mw_records(oc_check *c)
{
    pg_session s;
    char err[900];
    const char *bad = mw_unknown_query(c);
    if (bad) {
        oc_error(c, "configuration: query.%s: not an mp-webhook query (delivery, recent, newest)", bad);
        return;
    }
    pg_err e = pg_open(&s, oc_opt_str(c, "dsn"), oc_remaining_ms(c), err, sizeof err);
    if (e != PG_OK) {
        oc_fail(c, "database: %s", err);
        oc_expect(c, "a read-only session on the database", e == PG_E_AUTH ? "authentication refused" : "no session");
        return;
    }
    oc_diag(c, "database", "%s", s.where);
    mw_delivery(c, &s);
    mw_recent(c, &s);
    mw_newest(c, &s);
    pg_close(&s);
}

static void mw_run(oc_check *c)
{
    int records = oc_opt_bool(c, "records");
    if (!records && !oc_opt_str(c, "url")) {
        oc_error(c, "configuration: nothing to check (records = no and no url)");
        return;
    }
    if (records)
        mw_records(c);
    if (oc_opt_str(c, "url"))
        mw_synthetic(c);
}

static const oc_plugin mw_plugin = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "mp-webhook",
    .summary = "Mercado Pago webhook: delivery from the receiver's records, signed synthetic notification (runbook 2.4)",
    .init = http_init, /* libcurl and OpenSSL set up once, in the zygote */
    .options = mw_options,
    .run = mw_run,
    .validate = mw_validate,
};

OC_PLUGIN(mw_plugin)
