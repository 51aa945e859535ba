/*
 * prom_name.c - the naming rule of prom_name.h, as tables: the units
 * folded to a base unit, and the words promtool's lint reads as units or
 * types (client_golang prometheus/testutil/promlint: units.go,
 * generic_name_validations.go, counter_validations.go,
 * histogram_validations.go).  report_prometheus.c owns the text format.
 */
#include <stdlib.h>
#include <string.h>

#include "prom_name.h"
#include "report_int.h"

enum { K_TIME, K_RATIO, K_BYTES, K_COUNTER };

/* A reported unit and the base unit it becomes.  Spelling is exact: "b" is
 * bits and "B" bytes, as Icinga reads them; "m" is minutes (Icinga). */
static const struct unit_fold {
    const char *unit;
    int kind;
    double scale;
} folds[] = {
    {"ns", K_TIME, 1e-9}, {"us", K_TIME, 1e-6}, {"ms", K_TIME, 1e-3}, {"s", K_TIME, 1},
    {"m", K_TIME, 60}, {"min", K_TIME, 60}, {"h", K_TIME, 3600}, {"d", K_TIME, 86400}, {"days", K_TIME, 86400},
    {"%", K_RATIO, 1e-2},
    {"B", K_BYTES, 1}, {"KB", K_BYTES, 1e3}, {"MB", K_BYTES, 1e6}, {"GB", K_BYTES, 1e9}, {"TB", K_BYTES, 1e12},
    {"PB", K_BYTES, 1e15}, {"KiB", K_BYTES, 1024.0}, {"MiB", K_BYTES, 1048576.0},
    {"GiB", K_BYTES, 1073741824.0}, {"TiB", K_BYTES, 1099511627776.0}, {"PiB", K_BYTES, 1125899906842624.0},
    {"b", K_BYTES, 0.125}, {"bits", K_BYTES, 0.125}, {"kb", K_BYTES, 125.0}, {"mb", K_BYTES, 125e3},
    {"gb", K_BYTES, 125e6}, {"tb", K_BYTES, 125e9}, {"kib", K_BYTES, 128.0}, {"mib", K_BYTES, 131072.0},
    {"gib", K_BYTES, 134217728.0}, {"tib", K_BYTES, 137438953472.0},
    {"c", K_COUNTER, 1},
};
static const char *const suffix[] = {[K_TIME] = "_seconds", [K_RATIO] = "_ratio", [K_BYTES] = "_bytes",
                                     [K_COUNTER] = "_total"};

/* Words naming the folded kind, dropped so the suffix says the unit once
 * ("latency_ms" in ms is latency_seconds, "cert_days_left" in days is
 * cert_left_seconds, "requests_total" in c is requests_total). */
static const char *const kind_words[][12] = {
    [K_TIME] = {"sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes", "hour", "hours", "day", "days"},
    [K_RATIO] = {"pct", "percent", "percentage", "ratio"},
    [K_BYTES] = {"byte", "bytes", "bit", "bits", "kib", "mib", "gib", "tib"},
    [K_COUNTER] = {"total"},
};

/* promlint: abbreviations it flags anywhere in a name ... */
static const char *const lint_abbrev[] = {"s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d"};
/* ... the units it knows, base ones first (allowed bare) ... */
static const char *const lint_base[] = {"amperes", "bytes", "celsius", "grams", "joules", "kelvin", "meters", "metres",
                                        "seconds", "volts"};
static const char *const lint_other[] = {"minutes", "hours", "days", "weeks", "kelvins", "fahrenheit", "rankine",
                                         "inches", "feet", "yards", "miles", "bits", "calories", "pounds", "ounces"};
/* ... the prefixes that make any of them a non-base unit ("milliseconds") ... */
static const char *const lint_prefix[] = {"pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo",
                                          "kibi", "mega", "mebi", "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi"};
/* ... the metric types it finds in names, and the suffixes it keeps for
 * counters, histograms and summaries (every plugin series is a gauge but
 * a "c" counter). */
static const char *const lint_types[] = {"counter", "gauge", "histogram", "summary", "untyped"};
static const char *const lint_tail[] = {"total", "count", "sum", "bucket"};

/* Labels opscheck's core sets on every series it writes (or Prometheus and
 * the Pushgateway give a meaning to), and the ones the exec plugin's
 * perfdata series carry. */
static const char *const core_labels[] = {"check", "checklist", "plugin", "status", "unit",
                                          "job", "instance", "le", "quantile"};
static const char *const perfdata_labels[] = {"label", "threshold"};

#define IN(list, w, n) in_list(list, sizeof list / sizeof *list, w, n)

static int in_list(const char *const *list, size_t nlist, const char *w, size_t n)
{
    for (size_t i = 0; i < nlist; i++)
        if (list[i] && strlen(list[i]) == n && !strncmp(list[i], w, n))
            return 1;
    return 0;
}

/* A word promtool's lint would flag as a unit: an abbreviation, a non-base
 * unit, or any unit with an SI/IEC prefix. */
static int lint_unit_word(const char *w, size_t n)
{
    if (IN(lint_abbrev, w, n) || IN(lint_other, w, n))
        return 1;
    for (size_t i = 0; i < sizeof lint_prefix / sizeof *lint_prefix; i++) {
        size_t pl = strlen(lint_prefix[i]);
        if (n > pl && !strncmp(w, lint_prefix[i], pl) &&
            (IN(lint_base, w + pl, n - pl) || IN(lint_other, w + pl, n - pl)))
            return 1;
    }
    return 0;
}

int prom_label_name_ok(const char *s, size_t n)
{
    if (!n || (s[0] >= '0' && s[0] <= '9') || (n >= 2 && s[0] == '_' && s[1] == '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

int prom_label_reserved(const char *s, size_t n)
{
    return IN(core_labels, s, n) || IN(perfdata_labels, s, n);
}

void prom_label(strbuf *b, const char *name, const char *raw)
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

static int extra_has(const char *const *extra, size_t nextra, const char *k, size_t n)
{
    for (size_t i = 0; i < nextra; i++)
        if (strlen(extra[i]) > n && extra[i][n] == '=' && !strncmp(extra[i], k, n))
            return 1;
    return 0;
}

/* The {key="value",...} part of NAME from BRACE on, into OUT (escaped
 * again, clashing keys as exported_<key>); 0, or -1 when it is not that
 * shape (then the whole name is read as words). */
static int name_labels(const char *brace, const char *const *extra, size_t nextra, strbuf *out)
{
    const char *p = brace + 1;
    strbuf val = {0};
    strvec keys = {0};
    int rc = -1;
    while (*p != '}') {
        size_t n = strcspn(p, "=");
        if (!prom_label_name_ok(p, n) || p[n] != '=' || p[n + 1] != '"')
            goto out;
        char *key = IN(core_labels, p, n) || extra_has(extra, nextra, p, n) ? xasprintf("exported_%.*s", (int)n, p)
                                                                              : xasprintf("%.*s", (int)n, p);
        if (sv_contains(&keys, key)) {
            free(key);
            goto out;
        }
        sv_push(&keys, key);
        sb_clear(&val);
        sb_add(&val, "", 0);
        for (p += n + 2; *p != '"'; p++) {
            if (!*p)
                goto out;
            if (*p == '\\' && p[1])
                p++, sb_putc(&val, *p == 'n' ? '\n' : *p);
            else
                sb_putc(&val, *p);
        }
        prom_label(out, key, val.s);
        p++;
        if (*p == ',')
            p++;
        else if (*p != '}')
            goto out;
    }
    rc = p[1] ? -1 : 0;
out:
    sb_clear(&val);
    sv_clear(&keys);
    return rc;
}

/* WORDS (lower-cased, every other character than [a-z0-9] a '_') without
 * the words the rule drops, joined by '_'; "value" when none is left. */
static void name_words(strbuf *b, char *words, const struct unit_fold *fold)
{
    const char *w[64];
    size_t wl[64], nw = 0;
    for (char *p = words; *p && nw < 64;) {
        size_t n = strcspn(p, "_");
        int drop = !n || lint_unit_word(p, n) || IN(lint_types, p, n) ||
                   (fold && in_list(kind_words[fold->kind], 12, p, n));
        if (!drop) {
            w[nw] = p;
            wl[nw++] = n;
        }
        p += n;
        p += *p == '_';
    }
    while (nw && IN(lint_tail, w[nw - 1], wl[nw - 1]))
        nw--;
    if (!nw)
        sb_puts(b, "value");
    for (size_t i = 0; i < nw; i++) {
        if (i)
            sb_putc(b, '_');
        sb_add(b, w[i], wl[i]);
    }
}

void prom_plugin_series(const char *name, const char *unit, const char *const *extra, size_t nextra,
                        prom_series *out)
{
    memset(out, 0, sizeof *out);
    const struct unit_fold *fold = NULL;
    for (size_t i = 0; i < sizeof folds / sizeof *folds && unit; i++)
        if (!strcmp(unit, folds[i].unit))
            fold = &folds[i];
    const char *brace = strchr(name, '{');
    strbuf labels = {0};
    sb_add(&labels, "", 0);
    if (brace && name_labels(brace, extra, nextra, &labels) != 0) {
        sb_clear(&labels);
        sb_add(&labels, "", 0);
        brace = NULL;
    }
    char *low = brace ? xstrndup(name, (size_t)(brace - name)) : xstrdup(name);
    for (char *p = low; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    }
    strbuf b = {0};
    sb_puts(&b, "opscheck_plugin_");
    name_words(&b, low, fold);
    free(low);
    out->scale = fold ? fold->scale : 1;
    out->counter = fold && fold->kind == K_COUNTER;
    out->unit_label = !fold && unit && *unit;
    sb_puts(&b, fold ? suffix[fold->kind] : out->unit_label ? "_unconverted" : "");
    out->family = sb_steal(&b);
    out->labels = sb_steal(&labels);
}

void prom_series_clear(prom_series *s)
{
    free(s->family);
    free(s->labels);
    memset(s, 0, sizeof *s);
}
