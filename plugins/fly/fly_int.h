/*
 * fly_int.h - what the fly plugin's files share (not a public API).
 *
 *   fly_plugin.c          descriptor, option table, run(): app lookup, then
 *                         the machine part, then the logs part
 *   fly_check_machines.c  per-machine assertions (runbook §1, §2.1, §4)
 *   fly_check_logs.c      log paging and pattern assertions (runbook §3)
 *   fly_machines.c        pure: reading Machine objects
 *   fly_logs.c            pure: reading log pages, matching patterns
 *
 * API access goes through ../common/fly_api.h only.
 */
#ifndef FLY_INT_H
#define FLY_INT_H

#include <opscheck/plugin.h>
#include <stddef.h>
#include <time.h>

#include "../common/fly_api.h"

typedef struct fly_ctx {
    oc_check *c;
    fly_api api;
    const char *app;
    const char *app_status; /* "deployed", "suspended"... from GET app, or NULL */
    time_t now;          /* wall clock at the start of the run */
    const void *diagged; /* machine whose facts are already in the YAML */
} fly_ctx;

/* Report a failed API call as one not-ok assertion named WHAT, with the
 * URL, status and error as YAML facts. */
void fly_fail_api(fly_ctx *x, const char *what, const fly_result *r);

/* "24h", "90m", "45s", "250ms": a duration the way an INI would say it. */
void fly_dur_str(long long ms, char *buf, size_t n);

void fly_check_machines(fly_ctx *x);
void fly_check_logs(fly_ctx *x);

#endif
