/*
 * perfdata.c - read Nagios plugin output: the message, and performance data
 *   'label'=value[UOM];[warn];[crit];[min];[max]
 * items separated by blanks.  A quoted label may hold blanks; '' inside it
 * is a quote.  Bad items are collected in exec_nagios.bad (with why) and
 * skipped; nothing in the input can make this fail.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec_int.h"

/* A unit of measure is kept as written, whatever it is: the core folds
 * the ones it knows (s ms us % B KB KiB ... b c m, docs/reports.md) and
 * names the others as unconverted; none is dropped.  It is what follows the
 * number: no digit, sign or point, at most EXEC_UOM_MAX bytes. */
#define EXEC_UOM_MAX (sizeof ((exec_perf *)0)->uom - 1)

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void add_bad(exec_nagios *out, const char *item, size_t n, const char *why)
{
    out->bad = exec_xrealloc(out->bad, (out->nbad + 1) * sizeof *out->bad);
    out->bad[out->nbad].item = exec_xstrndup(item, n);
    out->bad[out->nbad].why = why;
    out->nbad++;
}

/* Metric name from a label: lowercase alnum kept, every run of anything
 * else becomes one '_', none at either end ("Time (s)" -> "time_s",
 * "/boot" -> "boot"); a label of punctuation only ("/") becomes "_". */
static char *metric_name(const char *label)
{
    char *name = exec_xmalloc(strlen(label) + 1), *w = name;
    for (const char *p = label; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (isalnum(ch) && ch < 0x80)
            *w++ = (char)tolower(ch);
        else if (w > name && w[-1] != '_')
            *w++ = '_';
    }
    if (w > name + 1 && w[-1] == '_')
        w--;
    if (w == name)
        *w++ = '_';
    *w = '\0';
    return name;
}

static char *field_or_null(const char *s, size_t n)
{
    return n ? exec_xstrndup(s, n) : NULL;
}

/* Value and unit: a plain decimal number (sign, digits, point, exponent)
 * followed by its unit of measure, if any.  "U" (Nagios for "no value") is bad here:
 * there is nothing to record. */
static const char *parse_value(const char *s, size_t n, exec_perf *pf)
{
    char tmp[64], *end;
    if (n == 0)
        return "no value";
    if (n >= sizeof tmp)
        return "value too long";
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (strcmp(tmp, "U") == 0)
        return "value is U (unknown)";
    if (!strchr("+-.0123456789", tmp[0]))
        return "value is not a number";
    pf->value = strtod(tmp, &end);
    if (end == tmp)
        return "value is not a number";
    for (const char *q = tmp; q < end; q++)   /* no hex, inf, nan */
        if (!strchr("+-.0123456789eE", *q))
            return "value is not a number";
    if (!isfinite(pf->value))                  /* 1e400: no metric can carry it */
        return "value out of range";
    if (strpbrk(end, "+-.0123456789"))
        return "value is not a number";
    if (strlen(end) > EXEC_UOM_MAX)
        return "unit of measure too long";
    strcpy(pf->uom, end);
    return NULL;
}

int exec_perf_number(const char *s, double *v)
{
    char *end;
    if (!s || !*s || !strchr("+-.0123456789", s[0]))
        return 0;
    *v = strtod(s, &end);
    for (const char *q = s; q < end; q++) /* no hex, inf, nan */
        if (!strchr("+-.0123456789eE", *q))
            return 0;
    return end > s && !*end && isfinite(*v);
}

/* Parse "value[UOM];warn;crit;min;max" (s, n bytes) into pf. */
static const char *parse_fields(const char *s, size_t n, exec_perf *pf)
{
    const char *f[5];
    size_t fl[5], nf = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ';') {
            if (nf == 5)
                return "more than 5 fields";
            f[nf] = s + start;
            fl[nf++] = i - start;
            start = i + 1;
        }
    }
    const char *why = parse_value(f[0], fl[0], pf);
    if (why)
        return why;
    pf->warn = nf > 1 ? field_or_null(f[1], fl[1]) : NULL;
    pf->crit = nf > 2 ? field_or_null(f[2], fl[2]) : NULL;
    pf->min = nf > 3 ? field_or_null(f[3], fl[3]) : NULL;
    pf->max = nf > 4 ? field_or_null(f[4], fl[4]) : NULL;
    return NULL;
}

/* One item starting at p (not blank); returns where the next may start. */
static const char *parse_item(const char *p, exec_nagios *out)
{
    const char *item = p, *eq, *end;
    char *label;
    const char *why = NULL;

    if (*p == '\'') {           /* quoted label; '' is a literal quote */
        size_t n = 0;
        label = exec_xmalloc(strlen(p));
        for (p++;; p++) {
            if (!*p) {
                free(label);
                add_bad(out, item, strlen(item), "unterminated quote in label");
                return p;
            }
            if (*p == '\'' && p[1] == '\'') {
                label[n++] = '\'';
                p++;
            } else if (*p == '\'') {
                break;
            } else {
                label[n++] = *p;
            }
        }
        label[n] = '\0';
        eq = p + 1;
    } else {
        eq = p;
        while (*eq && *eq != '=' && !is_blank(*eq))
            eq++;
        label = exec_xstrndup(p, (size_t)(eq - p));
    }
    end = eq;
    while (*end && !is_blank(*end))
        end++;
    if (*eq != '=')
        why = "no '=' after the label";
    else if (!*label)
        why = "empty label";

    exec_perf pf = { 0 };
    if (!why)
        why = parse_fields(eq + 1, (size_t)(end - eq - 1), &pf);
    if (!why) {
        pf.label = label;
        pf.name = metric_name(label);
    }
    if (why) {
        free(pf.warn);
        free(pf.crit);
        free(pf.min);
        free(pf.max);
        free(label);
        add_bad(out, item, (size_t)(end - item), why);
        return end;
    }
    out->perf = exec_xrealloc(out->perf, (out->nperf + 1) * sizeof *out->perf);
    out->perf[out->nperf++] = pf;
    return end;
}

void exec_parse_perfdata(const char *text, exec_nagios *out)
{
    const char *p = text;
    for (;;) {
        while (is_blank(*p))
            p++;
        if (!*p)
            return;
        p = parse_item(p, out);
    }
}

void exec_parse_nagios(const char *text, size_t len, exec_nagios *out)
{
    char *s = exec_xstrndup(text, len); /* stops at an embedded NUL too */
    char *nl = strchr(s, '\n');
    char *rest = NULL, *bar, *msg, *e;

    memset(out, 0, sizeof *out);
    if (nl) {
        *nl = '\0';
        rest = nl + 1;
    }
    bar = strchr(s, '|');
    if (bar) {
        *bar = '\0';
        exec_parse_perfdata(bar + 1, out);
    }
    msg = s;
    while (is_blank(*msg))
        msg++;
    e = msg + strlen(msg);
    while (e > msg && is_blank(e[-1]))
        e--;
    out->message = exec_xstrndup(msg, (size_t)(e - msg));
    /* Long output: lines of text, then perfdata from the first '|' on. */
    if (rest) {
        bar = strchr(rest, '|');
        if (bar)
            exec_parse_perfdata(bar + 1, out);
    }
    free(s);
}

void exec_nagios_free(exec_nagios *n)
{
    for (size_t i = 0; i < n->nperf; i++) {
        free(n->perf[i].label);
        free(n->perf[i].name);
        free(n->perf[i].warn);
        free(n->perf[i].crit);
        free(n->perf[i].min);
        free(n->perf[i].max);
    }
    for (size_t i = 0; i < n->nbad; i++)
        free(n->bad[i].item);
    free(n->perf);
    free(n->bad);
    free(n->message);
    memset(n, 0, sizeof *n);
}
