/*
 * hh_status.c - the expect_status option: which HTTP statuses count as up.
 * Items: an exact code ("204"), a class ("2xx"), a range ("200-299");
 * a list mixes them ("200, 204 3xx").  Pure: no oc_* calls.
 */
#include "hh.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int hh_status_code(const char *s, size_t n, int *out)
{
    int v = 0;
    if (n != 3)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 100 || v > 599)
        return -1;
    *out = v;
    return 0;
}

int hh_status_add(hh_status_set *set, const char *item, char *err, size_t errlen)
{
    size_t n = strlen(item);
    const char *dash = strchr(item, '-');
    hh_status_range r;

    if (set->n >= sizeof set->r / sizeof set->r[0])
        return snprintf(err, errlen, "expect_status: too many items"), -1;
    if (n == 3 && item[0] >= '1' && item[0] <= '5' &&
        tolower((unsigned char)item[1]) == 'x' && tolower((unsigned char)item[2]) == 'x') {
        r.lo = (item[0] - '0') * 100;
        r.hi = r.lo + 99;
    } else if (dash) {
        if (hh_status_code(item, (size_t)(dash - item), &r.lo) != 0 ||
            hh_status_code(dash + 1, strlen(dash + 1), &r.hi) != 0 || r.lo > r.hi)
            return snprintf(err, errlen, "expect_status: bad range \"%s\" (want e.g. 200-299)", item), -1;
    } else if (hh_status_code(item, n, &r.lo) == 0) {
        r.hi = r.lo;
    } else {
        return snprintf(err, errlen, "expect_status: bad item \"%s\" (want 200, 2xx or 200-299)", item), -1;
    }
    set->r[set->n++] = r;
    return 0;
}

int hh_status_parse(hh_status_set *set, const char *text, char *err, size_t errlen)
{
    char item[32];
    const char *p = text ? text : "";

    set->n = 0;
    while (*p) {
        size_t n = strcspn(p, ", \t");
        if (n >= sizeof item)
            return snprintf(err, errlen, "expect_status: bad item \"%.*s\"", (int)n, p), -1;
        if (n) {
            memcpy(item, p, n);
            item[n] = '\0';
            if (hh_status_add(set, item, err, errlen) != 0)
                return -1;
        }
        p += n;
        p += strspn(p, ", \t");
    }
    if (set->n == 0)
        return snprintf(err, errlen, "expect_status: empty"), -1;
    return 0;
}

int hh_status_match(const hh_status_set *set, long status)
{
    for (size_t i = 0; i < set->n; i++)
        if (status >= set->r[i].lo && status <= set->r[i].hi)
            return 1;
    return 0;
}

const char *hh_status_text(const hh_status_set *set, char *buf, size_t len)
{
    size_t at = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < set->n && at < len; i++) {
        const hh_status_range *r = &set->r[i];
        const char *sep = i ? ", " : "";
        int w;
        if (r->lo % 100 == 0 && r->hi == r->lo + 99)
            w = snprintf(buf + at, len - at, "%s%dxx", sep, r->lo / 100);
        else if (r->lo == r->hi)
            w = snprintf(buf + at, len - at, "%s%d", sep, r->lo);
        else
            w = snprintf(buf + at, len - at, "%s%d-%d", sep, r->lo, r->hi);
        if (w < 0)
            break;
        at += (size_t)w;
    }
    return buf;
}
