/*
 * fly_logs.c - log page parsing and pattern matching (see fly_logs.h).
 * Owner: issue 4 (fly plugin).  Shapes: external-apis.md §1.8.
 */
#include "fly_logs.h"

#include "../common/json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The runbook's list (§3), as case-insensitive EREs with readable labels.
 * "OOM" is anchored at a word start so "room" does not count, while
 * "oom_killed" and "OOMKilled" do.  The 5xx pattern finds status codes
 * where servers and proxies print them: `"GET / HTTP/1.1" 502`,
 * `HTTP/1.1 503`, `HTTP 500`, `status=502`, `"status": 504`, and the
 * `response.status=502` that fly_log_text() appends from the entry's meta. */
static const struct {
    const char *label, *re;
} fly_default_patterns[] = {
    {"OOM", "\\bOOM"},
    {"Out of memory", "Out of memory"},
    {"Worker failed to boot", "Worker failed to boot"},
    {"db_down", "db_down"},
    {"timeout", "time-?out|timed out"},
    {"HTTP 5xx", "(HTTP(/[0-9.]+)?\"?[[:space:]]+|status(_code)?\"?[[:space:]]*[=:][[:space:]]*)"
                 "5[0-9][0-9]\\b"},
};

static void *fly_logs_oom(void)
{
    fputs("fly: out of memory\n", stderr);
    abort();
}

/* Seconds from an epoch number of unknown unit: told apart by size. */
static time_t fly_epoch_any(double v)
{
    double a = fabs(v);
    if (a > 1e17)
        v /= 1e9;
    else if (a > 1e14)
        v /= 1e6;
    else if (a > 1e11)
        v /= 1e3;
    if (!(fabs(v) < 9.2e18))
        return 0; /* no time_t holds it (the cast would be undefined): unreadable */
    return (time_t)floor(v);
}

/* NODE run through json.h getter GET (which takes an object and a key):
 * json.h is the one place that knows the lenient spellings. */
static cJSON *fly_wrap(const cJSON *node)
{
    cJSON *wrap = cJSON_CreateObject();
    if (!wrap)
        fly_logs_oom();
    if (node)
        cJSON_AddItemReferenceToObject(wrap, "v", (cJSON *)node);
    return wrap; /* cJSON_Delete frees the reference, not NODE */
}

static int fly_node_num(const cJSON *node, double *out)
{
    cJSON *w = fly_wrap(node);
    int rc = json_num(w, "v", out);
    cJSON_Delete(w);
    return rc;
}

int fly_log_time(const cJSON *node, time_t *out)
{
    double d;
    if (fly_node_num(node, &d) == 0) {
        *out = fly_epoch_any(d);
        return 0;
    }
    cJSON *w = fly_wrap(node);
    int rc = json_time(w, "v", out);
    cJSON_Delete(w);
    return rc;
}

/* Case-insensitive member (the logs decoder matches keys that way). */
static const cJSON *fly_ci(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItem(o, key) : NULL;
}

static const char *fly_ci_str(const cJSON *o, const char *key)
{
    const cJSON *v = fly_ci(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static const char *fly_first(const char *a, const char *b)
{
    return a ? a : b ? b : "";
}

int fly_log_page_parse(const cJSON *doc, fly_log_page *page)
{
    memset(page, 0, sizeof *page);
    const cJSON *data = fly_ci(doc, "data");
    if (!cJSON_IsArray(data))
        return -1;
    size_t cap = (size_t)cJSON_GetArraySize(data);
    page->entries = calloc(cap ? cap : 1, sizeof *page->entries);
    if (!page->entries)
        fly_logs_oom();
    const cJSON *item;
    cJSON_ArrayForEach(item, data) {
        const cJSON *a = fly_ci(item, "attributes");
        if (!a)
            a = item; /* a flat entry (NATS shape) */
        if (!cJSON_IsObject(a))
            continue;
        const cJSON *meta = fly_ci(a, "meta");
        const cJSON *fly = fly_ci(a, "fly");
        fly_log_entry *e = &page->entries[page->n++];
        if (fly_log_time(fly_ci(a, "timestamp"), &e->ts) != 0)
            e->ts = 0;
        e->message = fly_first(fly_ci_str(a, "message"), NULL);
        e->instance = fly_first(fly_ci_str(a, "instance"),
                                fly_ci_str(meta, "instance") ? fly_ci_str(meta, "instance")
                                                             : fly_ci_str(fly_ci(fly, "app"), "instance"));
        e->region = fly_first(fly_ci_str(a, "region"),
                              fly_ci_str(meta, "region") ? fly_ci_str(meta, "region")
                                                         : fly_ci_str(fly, "region"));
        e->level = fly_first(fly_ci_str(a, "level"), fly_ci_str(fly_ci(a, "log"), "level"));
        const cJSON *resp = fly_ci(fly_ci(fly_ci(meta, "http"), "response"), "status_code");
        double st;
        e->http_status = fly_node_num(resp, &st) == 0 && st >= 100 && st < 1000 ? (int)st : 0;
    }
    const cJSON *next = fly_ci(fly_ci(doc, "meta"), "next_token");
    if (cJSON_IsString(next) && next->valuestring && *next->valuestring) {
        page->next_token = next->valuestring;
    } else if (cJSON_IsNumber(next)) {
        /* Precision beyond 2^53 is lost by cJSON; a cursor off by a few
         * hundred ns at worst re-reads or skips nothing that matters. */
        snprintf(page->next_buf, sizeof page->next_buf, "%.0f", next->valuedouble);
        page->next_token = page->next_buf;
    }
    return 0;
}

void fly_log_page_free(fly_log_page *page)
{
    free(page->entries);
    memset(page, 0, sizeof *page);
}

void fly_log_text(const fly_log_entry *e, char *buf, size_t n)
{
    if (e->http_status)
        snprintf(buf, n, "%s response.status=%d", e->message, e->http_status);
    else
        snprintf(buf, n, "%s", e->message);
}

int fly_patterns_init(fly_patterns *ps, const char *const *items, size_t n, char *err, size_t errsz)
{
    size_t nd = sizeof fly_default_patterns / sizeof fly_default_patterns[0];
    memset(ps, 0, sizeof *ps);
    size_t count = n ? n : nd;
    ps->p = calloc(count, sizeof *ps->p);
    if (!ps->p)
        fly_logs_oom();
    for (size_t i = 0; i < count; i++) {
        const char *re = n ? items[i] : fly_default_patterns[i].re;
        const char *label = n ? items[i] : fly_default_patterns[i].label;
        char why[300];
        if (rx_compile(&ps->p[i].re, re, 1, why, sizeof why) != 0) {
            snprintf(err, errsz, "log pattern \"%s\" does not compile %s", re, why);
            fly_patterns_free(ps);
            return -1;
        }
        ps->p[i].label = strdup(label);
        if (!ps->p[i].label)
            fly_logs_oom();
        ps->n++;
    }
    return 0;
}

void fly_patterns_free(fly_patterns *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        rx_free(&ps->p[i].re);
        free(ps->p[i].label);
    }
    for (size_t i = 0; i < ps->nfirst; i++)
        free(ps->first[i]);
    free(ps->p);
    memset(ps, 0, sizeof *ps);
}

/* "TS INSTANCE REGION: MESSAGE" with control bytes blanked, capped. */
static char *fly_log_line(const fly_log_entry *e, const char *text)
{
    char ts[32], buf[320];
    struct tm tm;
    if (e->ts == 0 || !gmtime_r(&e->ts, &tm) || !strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(ts, sizeof ts, "unknown time");
    int k = snprintf(buf, sizeof buf, "%s %s %s: %s", ts, *e->instance ? e->instance : "-",
                     *e->region ? e->region : "-", text);
    if (k >= (int)sizeof buf)
        memcpy(buf + sizeof buf - 4, "...", 4);
    for (char *p = buf; *p; p++)
        if (iscntrl((unsigned char)*p))
            *p = ' ';
    char *s = strdup(buf);
    if (!s)
        fly_logs_oom();
    return s;
}

int fly_patterns_feed(fly_patterns *ps, const fly_log_entry *e)
{
    char text[4096];
    int hit = 0;
    fly_log_text(e, text, sizeof text);
    for (size_t i = 0; i < ps->n; i++) {
        if (rx_match(&ps->p[i].re, text)) {
            ps->p[i].count++;
            hit = 1;
        }
    }
    if (!hit)
        return 0;
    ps->lines++;
    if (ps->nfirst < FLY_LOG_KEEP)
        ps->first[ps->nfirst++] = fly_log_line(e, text);
    return 1;
}
