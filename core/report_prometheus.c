/*
 * report_prometheus.c - --prometheus FILE: the run in the Prometheus text
 * format for node_exporter's textfile collector (the same text --push sends,
 * report_prom_text()).  Every sample is a gauge labelled check, checklist
 * and plugin; HELP and TYPE come once per metric, all of a metric's samples
 * together, as promtool and the Pushgateway require.  Names and units are
 * listed in docs/reports.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"
#include "util.h"

typedef struct sample {
    char *labels; /* `k="v",...` without braces */
    double value;
} sample;

typedef struct family {
    char *name, *help;
    sample *s;
    size_t n, cap;
} family;

typedef struct famset {
    family *v;
    size_t n, cap;
} famset;

/* Adds NAME{LABELS} = VALUE; a second sample with the same labels replaces
 * the first (a plugin reporting one metric twice keeps its last value). */
static void put(famset *fs, const char *name, const char *help, const char *labels, double value)
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

/* name="value" with the value valid UTF-8, \ " and newline escaped. */
static void label(strbuf *b, const char *name, const char *raw)
{
    char *v = report_clean(raw);
    sb_printf(b, "%s%s=\"", b->len ? "," : "", name);
    for (const char *p = v; *p; p++) {
        if (*p == '\\' || *p == '"')
            sb_putc(b, '\\');
        if (*p == '\n')
            sb_puts(b, "\\n");
        else
            sb_putc(b, *p);
    }
    sb_putc(b, '"');
    free(v);
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

/* A plugin metric's unit folded into the name, Prometheus style: times in
 * seconds, percentages as ratios, sizes in bytes.  Any other unit stays as
 * it was and is written as a `unit` label. */
enum { U_TIME, U_RATIO, U_BYTES };
static const struct unit_fold {
    const char *unit;
    int kind;
    double scale;
} folds[] = {
    {"s", U_TIME, 1},           {"ms", U_TIME, 1e-3},        {"us", U_TIME, 1e-6},       {"ns", U_TIME, 1e-9},
    {"min", U_TIME, 60},        {"h", U_TIME, 3600},         {"d", U_TIME, 86400},       {"days", U_TIME, 86400},
    {"%", U_RATIO, 1e-2},       {"B", U_BYTES, 1},           {"KB", U_BYTES, 1e3},       {"MB", U_BYTES, 1e6},
    {"GB", U_BYTES, 1e9},       {"TB", U_BYTES, 1e12},       {"KiB", U_BYTES, 1024},     {"MiB", U_BYTES, 1048576},
    {"GiB", U_BYTES, 1073741824.0}, {"TiB", U_BYTES, 1099511627776.0},
};
static const char *const suffix[] = {"_seconds", "_ratio", "_bytes"};

/* Words of a metric name that name a unit of KIND: dropped from the name
 * when the unit is folded ("latency_ms" in ms is latency_seconds,
 * "cert_days_left" in days is cert_left_seconds), so promtool's lint finds
 * no unit but the base one. */
static const char *const unit_words[][16] = {
    [U_TIME] = {"ns", "us", "ms", "s", "sec", "secs", "seconds", "min", "minutes", "h", "hours", "day", "days"},
    [U_RATIO] = {"pct", "percent", "ratio"},
    [U_BYTES] = {"b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "bytes"},
};

static int is_unit_word(int kind, const char *w, size_t n)
{
    for (size_t i = 0; i < 16 && unit_words[kind][i]; i++)
        if (strlen(unit_words[kind][i]) == n && !strncmp(unit_words[kind][i], w, n))
            return 1;
    return 0;
}

/* opscheck_plugin_<name><suffix>: NAME lower-cased, every other character
 * than [a-z0-9_] made '_'; *SCALE and *UNIT_LABEL say what to do with the
 * value and whether the unit still needs a label. */
static char *plugin_metric_name(const char *name, const char *unit, double *scale, int *unit_label)
{
    const struct unit_fold *fold = NULL;
    for (size_t i = 0; i < sizeof folds / sizeof *folds && unit; i++)
        if (!strcmp(unit, folds[i].unit))
            fold = &folds[i];
    char *low = xstrdup(name);
    for (char *p = low; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    }
    strbuf b = {0};
    sb_puts(&b, "opscheck_plugin_");
    size_t base = b.len;
    for (char *w = low; *w;) { /* word by word, dropping unit words when folding */
        size_t n = strcspn(w, "_");
        if (!fold || !is_unit_word(fold->kind, w, n) || (b.len == base && !w[n])) {
            if (b.len > base)
                sb_putc(&b, '_');
            sb_add(&b, w, n);
        }
        w += n;
        w += *w == '_';
    }
    if (b.len == base)
        sb_puts(&b, "value");
    *scale = fold ? fold->scale : 1;
    *unit_label = !fold && unit && *unit;
    if (fold)
        sb_puts(&b, suffix[fold->kind]);
    free(low);
    return sb_steal(&b);
}

static void check_samples(famset *fs, const report_run *r, size_t i, const char *checklist)
{
    const cfg_check *k = &r->c->checks[r->sel[i]];
    const check_result *res = &r->results[i];
    strbuf l = {0};
    label(&l, "check", k->name);
    label(&l, "checklist", checklist);
    label(&l, "plugin", report_plugin(r, i));
    put(fs, "opscheck_check_success",
        "1 when the check passed, warned or was skipped, 0 when it failed or could not be checked (error).", l.s,
        !RES_BAD(res->status));
    static const res_status all[] = {RES_PASS, RES_WARN, RES_SKIP, RES_FAIL, RES_ERROR};
    for (size_t s = 0; s < RES_NSTATUS; s++) {
        strbuf ls = {0};
        sb_puts(&ls, l.s);
        label(&ls, "status", res_status_name(all[s]));
        put(fs, "opscheck_check_status", "1 for the outcome the check had (pass, warn, skip, fail, error), 0 for the others.",
            ls.s, res->status == all[s]);
        sb_clear(&ls);
    }
    put(fs, "opscheck_check_duration_seconds", "How long the check's last attempt took.", l.s,
        (double)res->duration_ms / 1000.0);
    put(fs, "opscheck_check_attempts", "How many times the check ran (1 + retries used).", l.s,
        (double)res->nattempts);
    for (size_t m = 0; m < res->nmetrics; m++) {
        const res_metric *mt = &res->metrics[m];
        double scale;
        int unit_label;
        char *name = plugin_metric_name(mt->name, mt->unit, &scale, &unit_label);
        char *raw = report_clean(mt->name);
        char *help = xasprintf("The plugin metric %s (see docs/reports.md for units).", raw);
        strbuf lm = {0};
        sb_puts(&lm, l.s);
        if (unit_label)
            label(&lm, "unit", mt->unit);
        put(fs, name, help, lm.s, mt->value * scale);
        sb_clear(&lm);
        free(help);
        free(raw);
        free(name);
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
    label(&rl, "checklist", checklist);
    put(&fs, "opscheck_run_timestamp_seconds", "When the run started, in seconds since the epoch.", rl.s,
        (double)r->started);
    put(&fs, "opscheck_run_duration_seconds", "How long the whole run took.", rl.s, r->sum ? r->sum->seconds : 0);
    size_t cnt[RES_NSTATUS] = {0};
    for (size_t i = 0; i < r->n; i++)
        cnt[r->results[i].status]++;
    static const res_status all[] = {RES_PASS, RES_WARN, RES_SKIP, RES_FAIL, RES_ERROR};
    for (size_t s = 0; s < RES_NSTATUS; s++) {
        strbuf ls = {0};
        sb_puts(&ls, rl.s);
        label(&ls, "status", res_status_name(all[s]));
        put(&fs, "opscheck_run_checks", "Checks of the run by outcome.", ls.s, (double)cnt[all[s]]);
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
        sb_printf(&out, "\n# TYPE %s gauge\n", f->name);
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
    char *text = report_prom_text(r);
    int rc = report_write_file(path, text, strlen(text), err);
    free(text);
    return rc;
}

void report_prom_label(strbuf *b, const char *name, const char *raw)
{
    label(b, name, raw);
}
