/* units.c - see units.h. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A decimal number (maybe fractional) followed by an optional unit word. */
static int split_number(const char *s, double *num, const char **unit)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    *num = strtod(s, &end);
    if (end == s || errno || !isfinite(*num))
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    *unit = end;
    /* a trailing blank after the unit is fine, anything else is not */
    const char *e = end;
    while (*e && !isspace((unsigned char)*e))
        e++;
    while (isspace((unsigned char)*e))
        e++;
    return *e ? -1 : 0;
}

static int unit_is(const char *u, const char *name)
{
    size_t n = strlen(name);
    return strncmp(u, name, n) == 0 && (u[n] == '\0' || isspace((unsigned char)u[n]));
}

int unit_duration_ms(const char *s, long long *out)
{
    static const struct { const char *u; double ms; } units[] = {
        {"ms", 1}, {"s", 1000}, {"sec", 1000}, {"m", 60000}, {"min", 60000},
        {"h", 3600000}, {"d", 86400000}, {"w", 604800000}, {"", 1000},
    };
    double n;
    const char *u;
    if (split_number(s, &n, &u))
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (unit_is(u, units[i].u)) {
            double v = n * units[i].ms;
            if (v > 9e15)
                return -1;
            *out = (long long)llround(v);
            return 0;
        }
    }
    return -1;
}

char *unit_duration_text(long long ms)
{
    return ms % 1000 ? xasprintf("%lldms", ms) : xasprintf("%llds", ms / 1000);
}

int unit_size(const char *s, long long *out)
{
    static const struct { const char *u; double mult; } units[] = {
        {"", 1}, {"B", 1}, {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
        {"TiB", 1099511627776.0}, {"KB", 1e3}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
    };
    double n;
    const char *u;
    if (split_number(s, &n, &u))
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (unit_is(u, units[i].u)) {
            double v = n * units[i].mult;
            if (v > 9e18 || v != floor(v))
                return -1;
            *out = (long long)v;
            return 0;
        }
    }
    return -1;
}

int unit_percent(const char *s, double *out)
{
    double n;
    const char *u;
    if (split_number(s, &n, &u))
        return -1;
    if (!unit_is(u, "%") && !unit_is(u, ""))
        return -1;
    if (n > 100.0)
        return -1;
    *out = n;
    return 0;
}

int unit_bool(const char *s, int *out)
{
    static const char *yes[] = {"yes", "true", "on", "1"}, *no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(s, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

int unit_int(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int unit_list(const char *s, strvec *out)
{
    strbuf item = {0};
    int have = 0;
    char quote = 0;
    for (const char *p = s;; p++) {
        char c = *p;
        if (quote) {
            if (!c) {
                sb_clear(&item);
                return -1; /* unterminated quote */
            }
            if (c == quote)
                quote = 0;
            else
                sb_putc(&item, c);
            continue;
        }
        if (!c || c == ',' || isspace((unsigned char)c)) {
            if (have)
                sv_push(out, sb_steal(&item));
            have = 0;
            if (!c)
                break;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            have = 1;
            continue;
        }
        sb_putc(&item, c);
        have = 1;
    }
    sb_clear(&item);
    return 0;
}

const char *unit_type_name(oc_opt_type type)
{
    switch (type) {
    case OC_T_STRING: return "string";
    case OC_T_INT: return "integer";
    case OC_T_BOOL: return "boolean";
    case OC_T_DURATION: return "duration";
    case OC_T_SIZE: return "size";
    case OC_T_PERCENT: return "percentage";
    case OC_T_LIST: return "list";
    }
    return "?";
}

int unit_check(oc_opt_type type, const char *s, const char **why)
{
    long long ll;
    double d;
    int b;
    strvec sv = {0};
    int rc = 0;
    switch (type) {
    case OC_T_STRING:
        return 0;
    case OC_T_INT:
        rc = unit_int(s, &ll);
        *why = "an integer such as 20";
        break;
    case OC_T_BOOL:
        rc = unit_bool(s, &b);
        *why = "yes/no, true/false or on/off";
        break;
    case OC_T_DURATION:
        rc = unit_duration_ms(s, &ll);
        *why = "a duration such as 250ms, 10s, 5m, 26h or 7d";
        break;
    case OC_T_SIZE:
        rc = unit_size(s, &ll);
        *why = "a size such as 512, 64KiB, 1MiB or 1MB";
        break;
    case OC_T_PERCENT:
        rc = unit_percent(s, &d);
        *why = "a percentage from 0 to 100 such as 99%";
        break;
    case OC_T_LIST:
        rc = unit_list(s, &sv);
        sv_clear(&sv);
        *why = "a list with matched quotes";
        break;
    }
    return rc;
}
