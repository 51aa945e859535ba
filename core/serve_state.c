/*
 * serve_state.c - what serve knows of its checklists: the latest round of
 * each and the last N (their checks' outcomes), and three views of it: the
 * status page's state (serve_page.h), /api/results and /metrics.  Every
 * function runs with serve_ctx.mu held.  Values come from the rounds'
 * reports (masked by the child) or through redact() here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom_name.h"
#include "redact.h"
#include "report_int.h"
#include "serve.h"

const char *sv_status_name(sv_status s)
{
    static const char *const names[] = {"skip", "pass", "warn", "error", "fail", "never"};
    return s < SV_NSTATUS ? names[s] : "error";
}

sv_list *sv_find(serve_ctx *s, const char *name)
{
    for (size_t i = 0; i < s->nlists; i++)
        if (strcmp(s->lists[i].name, name) == 0)
            return &s->lists[i];
    return NULL;
}

static void checks_free(sv_check_rec *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].name);
    free(c);
}

void sv_round_clear(sv_round *r)
{
    free(r->error);
    cJSON_Delete(r->report);
    free(r->prom);
    checks_free(r->checks, r->nchecks);
    memset(r, 0, sizeof *r);
}

void sv_list_clear(sv_list *l)
{
    free(l->name);
    free(l->description);
    free(l->every);
    free(l->at);
    sv_round_clear(&l->latest);
    for (size_t i = 0; i < l->hist_n; i++)
        checks_free(l->hist[i].checks, l->hist[i].nchecks);
    free(l->hist);
    memset(l, 0, sizeof *l);
}

void sv_record(serve_ctx *s, sv_list *l, sv_round *r)
{
    l->rounds[r->status]++;
    if (!l->hist)
        l->hist = xcalloc(s->history, sizeof *l->hist);
    sv_round *h;
    if (l->hist_n < s->history) {
        h = &l->hist[(l->hist_head + l->hist_n++) % s->history];
    } else { /* full: the oldest goes */
        h = &l->hist[l->hist_head];
        l->hist_head = (l->hist_head + 1) % s->history;
        checks_free(h->checks, h->nchecks);
    }
    *h = (sv_round){.started = r->started, .seconds = r->seconds, .status = r->status};
    h->checks = xcalloc(r->nchecks ? r->nchecks : 1, sizeof *h->checks);
    for (size_t i = 0; i < r->nchecks; i++) {
        h->checks[i] = r->checks[i];
        h->checks[i].name = xstrdup(r->checks[i].name);
    }
    h->nchecks = r->nchecks;
    sv_round_clear(&l->latest);
    l->latest = *r;
    memset(r, 0, sizeof *r);
    sv_state_changed(s);
}

void sv_state_changed(serve_ctx *s)
{
    free(s->metrics);
    s->metrics = NULL;
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
    if (!v) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char *m = redact(v);
    cJSON_AddStringToObject(o, key, m);
    free(m);
}

/* Every check L's kept rounds name, each once, in first-seen order. */
static void check_names(const sv_list *l, size_t history, strvec *out)
{
    for (size_t i = 0; i < l->hist_n; i++) {
        const sv_round *r = &l->hist[(l->hist_head + i) % history];
        for (size_t k = 0; k < r->nchecks; k++) /* rounds mostly list their checks in one order */
            if (!(k < out->n && !strcmp(out->v[k], r->checks[k].name)) && !sv_contains(out, r->checks[k].name))
                sv_push(out, xstrdup(r->checks[k].name));
    }
}

/* CHECK's record in round R, looked for at HINT first (its place in the
 * other rounds, usually); NULL when that round did not run it. */
static const sv_check_rec *rec_of(const sv_round *r, const char *check, size_t hint)
{
    if (hint < r->nchecks && !strcmp(r->checks[hint].name, check))
        return &r->checks[hint];
    for (size_t k = 0; k < r->nchecks; k++)
        if (!strcmp(r->checks[k].name, check))
            return &r->checks[k];
    return NULL;
}

/* CHECK's share of passed-or-warned rounds among the kept rounds that ran it. */
static double availability(const sv_list *l, size_t history, const char *check, size_t hint, size_t *rounds)
{
    size_t good = 0;
    *rounds = 0;
    for (size_t i = 0; i < l->hist_n; i++) {
        const sv_check_rec *k = rec_of(&l->hist[(l->hist_head + i) % history], check, hint);
        if (!k)
            continue;
        (*rounds)++;
        good += k->status == SV_PASS || k->status == SV_WARN;
    }
    return *rounds ? (double)good / (double)*rounds : NAN;
}

static cJSON *list_state(serve_ctx *s, const sv_list *l)
{
    cJSON *o = cJSON_CreateObject();
    add_str_or_null(o, "name", l->name);
    add_str_or_null(o, "description", l->description);
    add_str_or_null(o, "every", l->every);
    add_str_or_null(o, "at", l->at);
    cJSON_AddBoolToObject(o, "running", l->running);
    char ts[32];
    int ran = l->latest.status != SV_NEVER;
    if (ran) {
        report_utc(l->latest.started, 1, ts);
        cJSON_AddStringToObject(o, "last_run", ts);
        cJSON_AddNumberToObject(o, "duration_seconds", l->latest.seconds);
    } else {
        cJSON_AddNullToObject(o, "last_run");
        cJSON_AddNullToObject(o, "duration_seconds");
    }
    cJSON_AddStringToObject(o, "status", sv_status_name(l->latest.status));
    add_str_or_null(o, "error", l->latest.error);
    cJSON_AddItemToObject(o, "report", ran && l->latest.report ? cJSON_Duplicate(l->latest.report, 1)
                                                               : cJSON_CreateNull());
    cJSON *hist = cJSON_AddObjectToObject(o, "history");
    cJSON *avail = cJSON_AddObjectToObject(o, "availability");
    strvec names = {0};
    check_names(l, s->history, &names);
    for (size_t c = 0; c < names.n; c++) {
        cJSON *strip = cJSON_AddArrayToObject(hist, names.v[c]);
        for (size_t i = 0; i < l->hist_n; i++) {
            const sv_round *r = &l->hist[(l->hist_head + i) % s->history];
            const sv_check_rec *k = rec_of(r, names.v[c], c);
            if (!k)
                continue;
            cJSON *cell = cJSON_CreateObject();
            cJSON_AddStringToObject(cell, "status", sv_status_name(k->status));
            report_utc(r->started, 1, ts);
            cJSON_AddStringToObject(cell, "at", ts);
            cJSON_AddNumberToObject(cell, "duration_ms", (double)k->duration_ms);
            cJSON_AddItemToArray(strip, cell);
        }
        size_t n;
        double a = availability(l, s->history, names.v[c], c, &n);
        if (n)
            cJSON_AddNumberToObject(avail, names.v[c], a);
    }
    sv_clear(&names);
    return o;
}

cJSON *sv_state_json(serve_ctx *s)
{
    cJSON *st = cJSON_CreateObject();
    char ts[32];
    report_utc(time(NULL), 1, ts);
    cJSON_AddStringToObject(st, "generated_at", ts);
    long long refresh = 30;
    for (size_t i = 0; i < s->nlists; i++)
        if (s->lists[i].every_ms && s->lists[i].every_ms / 1000 < refresh)
            refresh = s->lists[i].every_ms / 1000;
    cJSON_AddNumberToObject(st, "refresh_seconds", (double)(refresh < 5 ? 5 : refresh));
    add_str_or_null(st, "reload_error", s->reload_error);
    cJSON *arr = cJSON_AddArrayToObject(st, "checklists");
    for (size_t i = 0; i < s->nlists; i++)
        cJSON_AddItemToArray(arr, list_state(s, &s->lists[i]));
    return st;
}

char *sv_results_json(serve_ctx *s, const sv_list *one)
{
    if (one)
        return cJSON_Print(one->latest.report);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "schema", 1);
    cJSON *arr = cJSON_AddArrayToObject(o, "checklists");
    for (size_t i = 0; i < s->nlists; i++) {
        const sv_list *l = &s->lists[i];
        cJSON *x = cJSON_CreateObject();
        add_str_or_null(x, "name", l->name);
        cJSON_AddStringToObject(x, "status", sv_status_name(l->latest.status));
        add_str_or_null(x, "error", l->latest.error);
        cJSON_AddItemToObject(x, "report", l->latest.report ? cJSON_Duplicate(l->latest.report, 1) : cJSON_CreateNull());
        cJSON_AddItemToArray(arr, x);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}

/* --- /metrics: the rounds' texts merged family by family ------------------ */

typedef struct fam {
    char *name;
    strbuf head, samples; /* # HELP and # TYPE lines; sample lines */
    int has_help, has_type;
} fam;

typedef struct famlist {
    fam *v;
    size_t n;
} famlist;

static fam *fam_get(famlist *fl, const char *name, size_t len)
{
    for (size_t i = 0; i < fl->n; i++)
        if (strlen(fl->v[i].name) == len && !strncmp(fl->v[i].name, name, len))
            return &fl->v[i];
    fl->v = xrealloc(fl->v, (fl->n + 1) * sizeof *fl->v);
    fam *f = &fl->v[fl->n++];
    memset(f, 0, sizeof *f);
    f->name = xstrndup(name, len);
    return f;
}

/* TEXT's lines into FL: a family's HELP and TYPE once (the first text's),
 * its samples after them whichever text they come from. */
static void merge(famlist *fl, const char *text)
{
    fam *cur = NULL;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 7 && (!strncmp(p, "# HELP ", 7) || !strncmp(p, "# TYPE ", 7))) {
            const char *name = p + 7;
            size_t nlen = strcspn(name, " \n");
            cur = fam_get(fl, name, nlen);
            int *has = p[2] == 'H' ? &cur->has_help : &cur->has_type;
            if (!*has) {
                *has = 1;
                sb_add(&cur->head, p, len);
                sb_putc(&cur->head, '\n');
            }
        } else if (len && *p != '#') {
            size_t nlen = strcspn(p, "{ \n");
            size_t cl = cur ? strlen(cur->name) : 0; /* a suffixed sample (_sum, _count) stays with its family */
            int in_cur = cur && nlen >= cl && !strncmp(p, cur->name, cl) && (nlen == cl || p[cl] == '_');
            fam *f = in_cur ? cur : fam_get(fl, p, nlen);
            sb_add(&f->samples, p, len);
            sb_putc(&f->samples, '\n');
        }
        p = nl ? nl + 1 : NULL;
    }
}

/* Serve's own families, one sample per checklist: the value of L, and
 * whether a checklist that never ran has one. */
typedef struct own_gauge {
    const char *name, *help;
    double (*value)(const sv_list *l);
    int before_first;
} own_gauge;

static double last_started(const sv_list *l) { return (double)l->latest.started; }
static double last_seconds(const sv_list *l) { return l->latest.seconds; }
static double last_passed(const sv_list *l) { return l->latest.status <= SV_WARN; }

static const own_gauge own_gauges[] = {
    {"opscheck_checklist_last_run_timestamp_seconds",
     "When the checklist's latest finished round started, in seconds since the epoch.", last_started, 0},
    {"opscheck_checklist_last_run_duration_seconds", "How long the checklist's latest finished round took.",
     last_seconds, 0},
    {"opscheck_checklist_success",
     "1 when the checklist's latest round passed (no check failed or errored), 0 otherwise or before the first.",
     last_passed, 1},
};

/* `{checklist="NAME"` (masked), open for more labels. */
static void checklist_labels(strbuf *b, const char *name)
{
    char *m = redact(name);
    strbuf l = {0};
    prom_label(&l, "checklist", m);
    sb_printf(b, "{%s", l.s);
    sb_clear(&l);
    free(m);
}

static void own_metrics(serve_ctx *s, strbuf *b)
{
    for (size_t g = 0; g < sizeof own_gauges / sizeof *own_gauges; g++) {
        const own_gauge *o = &own_gauges[g];
        sb_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", o->name, o->help, o->name);
        for (size_t i = 0; i < s->nlists; i++) {
            if (s->lists[i].latest.status == SV_NEVER && !o->before_first)
                continue;
            sb_puts(b, o->name);
            checklist_labels(b, s->lists[i].name);
            sb_printf(b, "} %.15g\n", o->value(&s->lists[i]));
        }
    }
    sb_puts(b, "# HELP opscheck_checklist_rounds_total Rounds of the checklist since serve started, by outcome "
               "(error: the round crashed, wrote no report or a check errored).\n"
               "# TYPE opscheck_checklist_rounds_total counter\n");
    for (size_t i = 0; i < s->nlists; i++) {
        for (int o = 0; o < SV_NEVER; o++) {
            sb_puts(b, "opscheck_checklist_rounds_total");
            checklist_labels(b, s->lists[i].name);
            sb_printf(b, ",outcome=\"%s\"} %llu\n", sv_status_name((sv_status)o), s->lists[i].rounds[o]);
        }
    }
    sb_puts(b, "# HELP opscheck_check_availability_ratio Share of the kept rounds (--history) in which the check "
               "passed or warned.\n# TYPE opscheck_check_availability_ratio gauge\n");
    for (size_t i = 0; i < s->nlists; i++) {
        strvec names = {0};
        check_names(&s->lists[i], s->history, &names);
        for (size_t c = 0; c < names.n; c++) {
            size_t n;
            double a = availability(&s->lists[i], s->history, names.v[c], c, &n);
            char *m = redact(names.v[c]);
            strbuf l = {0};
            prom_label(&l, "check", m);
            sb_puts(b, "opscheck_check_availability_ratio");
            checklist_labels(b, s->lists[i].name);
            sb_printf(b, ",%s} %.6g\n", l.s, a);
            sb_clear(&l);
            free(m);
        }
        sv_clear(&names);
    }
    sb_printf(b, "# HELP opscheck_serve_config_last_reload_successful 0 when the last SIGHUP reload failed (the "
                 "previous config is kept; /healthz says why).\n"
                 "# TYPE opscheck_serve_config_last_reload_successful gauge\n"
                 "opscheck_serve_config_last_reload_successful %d\n", !s->reload_error);
}

static char *metrics_build(serve_ctx *s)
{
    famlist fl = {0};
    for (size_t i = 0; i < s->nlists; i++)
        merge(&fl, s->lists[i].latest.prom);
    strbuf out = {0};
    sb_add(&out, "", 0);
    for (size_t i = 0; i < fl.n; i++) {
        if (fl.v[i].head.s)
            sb_puts(&out, fl.v[i].head.s);
        if (fl.v[i].samples.s)
            sb_puts(&out, fl.v[i].samples.s);
        free(fl.v[i].name);
        sb_clear(&fl.v[i].head);
        sb_clear(&fl.v[i].samples);
    }
    free(fl.v);
    own_metrics(s, &out);
    return sb_steal(&out);
}

char *sv_metrics_text(serve_ctx *s)
{
    if (!s->metrics) /* the first scrape since a change pays for the merge; the others copy it */
        s->metrics = metrics_build(s);
    return xstrdup(s->metrics);
}
