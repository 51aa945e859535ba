/*
 * serve_page.h - the status page of `opscheck serve` (GET /), rendered on
 * the server from the serve state: plain HTML and one inline stylesheet, no
 * script, no external asset; it refreshes itself (meta refresh).
 *
 * The state (a cJSON object, owned by the caller; serve builds it, the page
 * only reads it) is, every value already masked:
 *
 *   {
 *     "generated_at": "2026-12-02T09:00:00Z",         when the page was asked for (UTC)
 *     "refresh_seconds": 30,                          the page's meta refresh
 *     "checklists": [{
 *       "name": "daily", "description": "..." | null,
 *       "every": "5m" | null, "at": "09:00" | null,   its schedule as configured
 *       "running": false,                             a round of it is under way
 *       "last_run": "2026-12-02T08:59:30Z" | null,    start of the latest finished round
 *       "duration_seconds": 1.234 | null,
 *       "status": "pass" | "warn" | "fail" | "error" | "skip" | "never",
 *       "report": { ...the --json report of that round... } | null,
 *       "history": { "CHECK": [ {"status": "pass", "at": "...Z", "duration_ms": 12}, ... ] },
 *                                                     oldest first, at most the kept rounds
 *       "availability": { "CHECK": 0.99 }             passed-or-warned share of the kept rounds
 *     }]
 *   }
 */
#ifndef OC_SERVE_PAGE_H
#define OC_SERVE_PAGE_H

#include <cjson/cJSON.h>

/* The page for STATE; the caller frees it.  Never NULL. */
char *serve_page_html(const cJSON *state);

#endif
