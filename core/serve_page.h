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
 *
 * Of a report the page reads "summary" (the counts) and, per element of
 * "checks", name, status, message, hint and duration_seconds.  Anything
 * missing or of another type is left out (never a crash); a status it does
 * not know shows as UNKNOWN; the hint shows as the TAP shows it (not for a
 * pass, not for an error, whose message says what to fix).  A checklist
 * with no report or no last_run shows as never ran.
 */
#ifndef OC_SERVE_PAGE_H
#define OC_SERVE_PAGE_H

#include <cjson/cJSON.h>

/* The page for STATE; the caller frees it.  Never NULL. */
char *serve_page_html(const cJSON *state);

#endif
