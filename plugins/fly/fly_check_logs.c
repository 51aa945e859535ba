/*
 * fly_check_logs.c - the fly plugin's log scan (runbook §3): read every
 * log page of the window and count lines matching the error patterns.
 * Owner: issue 4.
 *
 * Paging: the first request asks from the window's start (next_token is a
 * nanosecond cursor), then follows meta.next_token until a page comes back
 * empty or the token stops moving (caught up with now).  Entries older than
 * the window are skipped, in case a server ignores the cursor.  Reaching
 * logs_max_pages (or the deadline) with pages left is a FAILURE: a scan
 * that did not see the whole window cannot vouch for it, and the operator
 * is told to raise the cap or narrow the window.
 */
#include "fly_int.h"

#include "fly_logs.h"
#include "fly_machines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fly_scan {
    int pages;
    size_t lines;       /* entries inside the window */
    int complete;       /* reached the end of the logs */
    time_t reached;     /* newest entry time read */
} fly_scan;

/* Follow the pages; 0, or -1 after reporting an API or format failure. */
static int fly_logs_read(fly_ctx *x, fly_patterns *ps, time_t start, const char *what, fly_scan *sc)
{
    long long max_pages = oc_opt_int(x->c, "logs_max_pages");
    char token[64];
    snprintf(token, sizeof token, "%lld000000000", (long long)start);
    memset(sc, 0, sizeof *sc);

    while (sc->pages < max_pages) {
        fly_result r;
        if (fly_get_logs(&x->api, x->app, token, &r) != FLY_OK) {
            if (r.err == FLY_E_TIME) {
                fly_result_free(&r);
                return 0; /* incomplete: reported as such by the caller */
            }
            fly_fail_api(x, what, &r);
            fly_result_free(&r);
            return -1;
        }
        fly_log_page page;
        if (fly_log_page_parse(r.json, &page) != 0) {
            oc_fail(x->c, "%s: Fly logs answer has a \"data\" array", what);
            oc_expect(x->c, "{\"data\": [...], \"meta\": {\"next_token\": ...}}", "no data array");
            oc_diag(x->c, "url", "%s", r.url);
            fly_result_free(&r);
            return -1;
        }
        sc->pages++;
        for (size_t i = 0; i < page.n; i++) {
            const fly_log_entry *e = &page.entries[i];
            if (e->ts != 0 && e->ts < start)
                continue;
            sc->lines++;
            if (e->ts > sc->reached)
                sc->reached = e->ts;
            fly_patterns_feed(ps, e);
        }
        int done = page.n == 0 || !page.next_token || !strcmp(page.next_token, token) ||
                   strlen(page.next_token) >= sizeof token;
        if (!done)
            snprintf(token, sizeof token, "%s", page.next_token);
        fly_log_page_free(&page);
        fly_result_free(&r);
        if (done) {
            sc->complete = 1;
            break;
        }
    }
    return 0;
}

/* "Worker failed to boot=2, HTTP 5xx=1" (patterns with no match left out). */
static void fly_counts_str(const fly_patterns *ps, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ps->n && k < n; i++)
        if (ps->p[i].count)
            k += (size_t)snprintf(buf + k, n - k, "%s%s=%zu", k ? ", " : "", ps->p[i].label,
                                  ps->p[i].count);
    if (k == 0)
        snprintf(buf, n, "none");
}

void fly_check_logs(fly_ctx *x)
{
    oc_check *c = x->c;
    long long win = oc_opt_duration_ms(c, "logs_window");
    char wtxt[32], what[64];
    fly_dur_str(win, wtxt, sizeof wtxt);
    snprintf(what, sizeof what, "logs of last %s", wtxt);

    const char *const *items;
    size_t nitems = oc_opt_list(c, "logs_patterns", &items);
    fly_patterns ps;
    char err[256];
    if (fly_patterns_init(&ps, items, nitems, err, sizeof err) != 0) {
        /* The check's own fault, not the app's: ERROR, naming the pattern
         * (validate names it first, fly_validate, unless it came from ${env:...}). */
        oc_error(c, "configuration: %s", err);
        return;
    }

    fly_scan sc;
    time_t start = x->now - (time_t)(win / 1000);
    if (fly_logs_read(x, &ps, start, what, &sc) != 0) {
        fly_patterns_free(&ps);
        return;
    }

    char reached[32], seen[160];
    if (sc.reached)
        fly_time_str(sc.reached, reached, sizeof reached);
    else
        snprintf(reached, sizeof reached, "no entries");
    if (sc.complete) {
        oc_pass(c, "%s read completely (%d pages, %zu lines)", what, sc.pages, sc.lines);
    } else {
        oc_fail(c, "%s read completely", what);
        snprintf(seen, sizeof seen, "%d pages read, more remain (read up to %s)", sc.pages, reached);
        oc_expect(c, "all pages", seen);
        oc_diag(c, "why", "%s; raise logs_max_pages (now %lld) or the timeout, or narrow logs_window",
                sc.pages >= oc_opt_int(c, "logs_max_pages") ? "page cap reached" : "ran out of time",
                oc_opt_int(c, "logs_max_pages"));
    }

    long long max = oc_opt_int(c, "logs_max_matches");
    char counts[512];
    fly_counts_str(&ps, counts, sizeof counts);
    if ((long long)ps.lines <= max) {
        oc_pass(c, "%s: %zu lines match error patterns (max %lld)", what, ps.lines, max);
    } else {
        char expected[48];
        oc_fail(c, "%s: %zu lines match error patterns (max %lld)", what, ps.lines, max);
        snprintf(expected, sizeof expected, "<= %lld matching lines", max);
        snprintf(seen, sizeof seen, "%zu matching lines", ps.lines);
        oc_expect(c, expected, seen);
        oc_diag(c, "matches", "%s", counts);
        for (size_t i = 0; i < ps.nfirst; i++) {
            char key[32];
            snprintf(key, sizeof key, "line_%zu", i + 1);
            oc_diag(c, key, "%s", ps.first[i]);
        }
    }
    oc_metric(c, "log_matches", (double)ps.lines, "");
    fly_patterns_free(&ps);
}
