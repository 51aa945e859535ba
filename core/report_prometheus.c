/*
 * report_prometheus.c - --prometheus FILE: the run in the Prometheus text
 * format for node_exporter's textfile collector (the same text --push sends,
 * report_prom_text()).  Every sample is labelled checklist (and check and
 * plugin when it is a check's) and carries the --label labels; HELP and TYPE
 * come once per metric, all of a metric's samples together, as promtool and
 * the Pushgateway require.  Plugin metrics are named by prom_name.c's rule;
 * names and units are listed in docs/reports.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "prom_name.h"
#include "report_int.h"
#include "util.h"

typedef struct sample {
    char *labels; /* `k="v",...` without braces */
    double value;
} sample;

typedef struct family {
    char *name, *help;
    int counter;        /* TYPE counter, else gauge */
    sample *s;
    size_t n, cap;
} family;

typedef struct famset {
    family *v;
    size_t n, cap;
} famset;

/* Adds NAME{LABELS} = VALUE; a second sample with the same labels replaces
 * the first (a plugin reporting one metric twice keeps its last value). */
static void put(famset *fs, const char *name, const char *help, int counter, const char *labels, double value)
{
    family *f = NULL;
    for (size_t i = 0; i < fs->n && !f; i++)
        if (!strcmp(fs->v[i].name, name))
            f = &fs->v[i];
    if (!f) {
        if (fs->n == fs->cap) {
            fs->cap = fs->cap ? fs->cap * 2 : 16;
            fs->v = xrealloc(fs->v, fs->cap * sizeof *fs->v);
        }
        f = &fs->v[fs->n++];
        memset(f, 0, sizeof *f);
        f->name = xstrdup(name);
        f->help = xstrdup(help);
        f->counter = counter;
    }
    for (size_t i = 0; i < f->n; i++) {
        if (!strcmp(f->s[i].labels, labels)) {
            f->s[i].value = value;
            return;
        }
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->s = xrealloc(f->s, f->cap * sizeof *f->s);
    }
    f->s[f->n].labels = xstrdup(labels);
    f->s[f->n++].value = value;
}

static void put_value(strbuf *b, double v)
{
    if (isnan(v))
        sb_puts(b, "NaN");
    else if (isinf(v))
        sb_puts(b, v > 0 ? "+Inf" : "-Inf");
    else
        sb_printf(b, "%.15g", v);
}

/* The --label labels, "k=v" each (cli.c checked the names). */
static void user_labels(strbuf *b, const report_run *r)
{
    for (size_t i = 0; i < r->nlabels; i++) {
        const char *eq = strchr(r->labels[i], '=');
        char *k = xstrndup(r->labels[i], (size_t)(eq - r->labels[i]));
        prom_label(b, k, eq + 1);
        free(k);
    }
}

/* The hint, where TAP shows one (tap.c: not for a pass, nor an error, whose
 * message says what to fix), as an info series: alert rules join it on
 * check/checklist/plugin for their annotation (docs/alerts.yml).  Masked
 * like every value (result_publish()). */
static void check_hint(famset *fs, const char *labels, const check_result *res)
{
    if (!res->hint || !*res->hint || res->status == RES_PASS || res->status == RES_ERROR)
        return;
    strbuf lh = {0};
    sb_puts(&lh, labels);
    prom_label(&lh, "hint", res->hint);
    put(fs, "opscheck_check_hint_info", "1 with the hint of a check that did not pass, as a label.", 0, lh.s, 1);
    sb_clear(&lh);
}

static void check_samples(famset *fs, const report_run *r, size_t i, const char *checklist)
{
    const cfg_check *k = &r->c->checks[r->sel[i]];
    const check_result *res = &r->results[i];
    strbuf l = {0};
    prom_label(&l, "check", k->name);
    prom_label(&l, "checklist", checklist);
    prom_label(&l, "plugin", report_plugin(r, i));
    user_labels(&l, r);
    put(fs, "opscheck_check_success",
        "1 when the check passed, warned or was skipped, 0 when it failed or could not be checked (error).", 0, l.s,
        !RES_BAD(res->status));
    static const res_status all[] = {RES_PASS, RES_WARN, RES_SKIP, RES_FAIL, RES_ERROR};
    for (size_t s = 0; s < RES_NSTATUS; s++) {
        strbuf ls = {0};
        sb_puts(&ls, l.s);
        prom_label(&ls, "status", res_status_name(all[s]));
        put(fs, "opscheck_check_status", "1 for the outcome the check had (pass, warn, skip, fail, error), 0 for the others.",
            0, ls.s, res->status == all[s]);
        sb_clear(&ls);
    }
    put(fs, "opscheck_check_duration_seconds", "How long the check's last attempt took.", 0, l.s,
        (double)res->duration_ms / 1000.0);
    put(fs, "opscheck_check_attempts", "How many times the check ran (1 + retries used).", 0, l.s,
        (double)res->nattempts);
    check_hint(fs, l.s, res);
    for (size_t m = 0; m < res->nmetrics; m++) {
        const res_metric *mt = &res->metrics[m];
        prom_series ps;
        prom_plugin_series(mt->name, mt->unit, r->labels, r->nlabels, &ps);
        char *raw = report_clean(mt->name);
        raw[strcspn(raw, "{")] = '\0'; /* the name, not one series' labels */
        char *help = xasprintf("The plugin metric %s (see docs/reports.md for units).", raw);
        free(raw);
        strbuf lm = {0};
        sb_puts(&lm, l.s);
        if (*ps.labels)
            sb_printf(&lm, ",%s", ps.labels);
        if (ps.unit_label)
            prom_label(&lm, "unit", mt->unit);
        put(fs, ps.family, help, ps.counter, lm.s, mt->value * ps.scale);
        sb_clear(&lm);
        free(help);
        prom_series_clear(&ps);
    }
    sb_clear(&l);
}

static void help_text(strbuf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\\')
            sb_puts(b, "\\\\");
        else if (*p == '\n')
            sb_puts(b, "\\n");
        else
            sb_putc(b, *p);
    }
}

char *report_prom_text(const report_run *r)
{
    const char *checklist = r->checklist ? r->checklist : "";
    famset fs = {0};
    strbuf rl = {0};
    prom_label(&rl, "checklist", checklist);
    user_labels(&rl, r);
    put(&fs, "opscheck_run_timestamp_seconds", "When the run started, in seconds since the epoch.", 0, rl.s,
        (double)r->started);
    put(&fs, "opscheck_run_duration_seconds", "How long the whole run took.", 0, rl.s, r->sum ? r->sum->seconds : 0);
    size_t cnt[RES_NSTATUS] = {0};
    for (size_t i = 0; i < r->n; i++)
        cnt[r->results[i].status]++;
    static const res_status all[] = {RES_PASS, RES_WARN, RES_SKIP, RES_FAIL, RES_ERROR};
    for (size_t s = 0; s < RES_NSTATUS; s++) {
        strbuf ls = {0};
        sb_puts(&ls, rl.s);
        prom_label(&ls, "status", res_status_name(all[s]));
        put(&fs, "opscheck_run_checks", "Checks of the run by outcome.", 0, ls.s, (double)cnt[all[s]]);
        sb_clear(&ls);
    }
    sb_clear(&rl);
    for (size_t i = 0; i < r->n; i++)
        check_samples(&fs, r, i, checklist);
    strbuf out = {0};
    sb_add(&out, "", 0);
    for (size_t i = 0; i < fs.n; i++) {
        family *f = &fs.v[i];
        sb_printf(&out, "# HELP %s ", f->name);
        help_text(&out, f->help);
        sb_printf(&out, "\n# TYPE %s %s\n", f->name, f->counter ? "counter" : "gauge");
        for (size_t j = 0; j < f->n; j++) {
            sb_printf(&out, "%s{%s} ", f->name, f->s[j].labels);
            put_value(&out, f->s[j].value);
            sb_putc(&out, '\n');
            free(f->s[j].labels);
        }
        free(f->s);
        free(f->name);
        free(f->help);
    }
    free(fs.v);
    return sb_steal(&out);
}

int report_prometheus(const report_run *r, const char *path, char **err)
{
    strbuf rl = {0};
    prom_label(&rl, "checklist", r->checklist ? r->checklist : "");
    user_labels(&rl, r);
    int rc = report_textfile_clash(path, rl.s, err);
    sb_clear(&rl);
    if (rc)
        return rc;
    char *text = report_prom_text(r);
    rc = report_write_file(path, text, strlen(text), err);
    free(text);
    return rc;
}
