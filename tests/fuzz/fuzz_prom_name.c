/*
 * fuzz_prom_name.c - the Prometheus naming rule (core/prom_name.c) on any
 * metric name and unit a plugin may send: the first line of the input is
 * the name, the rest the unit.  Checked: the family is
 * opscheck_plugin_[a-z0-9_]+ with no word promtool's lint would flag, a
 * counter and only a counter ends in _total, and the labels are a valid
 * `k="v",...` list with lower_snake keys, none of them one opscheck sets
 * (or --label, here env=prod).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prom_name.h"
#include "util.h"

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), e = strlen(end);
    return n >= e && !strcmp(s + n - e, end);
}

static void check_family(const prom_series *ps)
{
    static const char *const flagged[] = {"s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
                                          "bits", "days", "hours", "minutes", "milliseconds", "kilobytes",
                                          "gauge", "counter", "histogram", "summary", "untyped"};
    const char *f = ps->family;
    if (strncmp(f, "opscheck_plugin_", 16) || !f[16] || strspn(f, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(f))
        abort();
    char *copy = xstrdup(f + 16);
    for (char *w = strtok(copy, "_"); w; w = strtok(NULL, "_"))
        for (size_t i = 0; i < sizeof flagged / sizeof *flagged; i++)
            if (!strcmp(w, flagged[i]))
                abort();
    free(copy);
    if (ends_with(f, "_total") != ps->counter || ends_with(f, "_count") || ends_with(f, "_sum") ||
        ends_with(f, "_bucket"))
        abort();
}

static int owned(const char *k, size_t n)
{
    static const char *const ours[] = {"check", "checklist", "plugin", "status", "unit", "job", "instance", "le",
                                       "quantile", "env"};
    for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
        if (strlen(ours[i]) == n && !strncmp(ours[i], k, n))
            return 1;
    return 0;
}

static void check_labels(const char *p)
{
    while (*p) {
        size_t n = strcspn(p, "=");
        if (!prom_label_name_ok(p, n) || owned(p, n) || p[n] != '=' || p[n + 1] != '"')
            abort();
        for (p += n + 2; *p != '"'; p++) {
            if (!*p || *p == '\n')
                abort();
            if (*p == '\\' && !*++p)
                abort();
        }
        p++;
        if (*p == ',')
            p++;
        else if (*p)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    char *nl = strchr(s, '\n');
    const char *unit = "";
    if (nl) {
        *nl = '\0';
        unit = nl + 1;
    }
    const char *const extra[] = {"env=prod"};
    prom_series ps;
    prom_plugin_series(s, unit, extra, 1, &ps);
    check_family(&ps);
    check_labels(ps.labels);
    prom_series_clear(&ps);
    free(s);
    return 0;
}
