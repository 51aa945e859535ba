/*
 * fly_plugin.c - the `fly` plugin: the live state of a Fly.io app checked
 * against the runbook (§1 production facts, §2.1 status, §3 logs, §4
 * incident detail), over the Machines API and the logs endpoint, without
 * flyctl.  Owner: issue 4.
 *
 * One run: GET the app (so "app not found" and "token rejected" are told
 * apart from an empty app), then the machine assertions (always), then the
 * log scan (only when logs_window is set).  An API failure ends the run
 * with one not-ok assertion naming what failed.
 */
#include "fly_int.h"
#include "fly_logs.h"
#include "fly_machines.h"

#include "../common/json.h"
#include "../common/http.h"

#include <stdio.h>
#include <string.h>

static const oc_option fly_options[] = {
    {"app", OC_T_STRING, NULL, OC_OPT_REQUIRED, "Fly app name"},
    {"token", OC_T_STRING, NULL, OC_OPT_SECRET,
     "API token, e.g. ${env:FLY_API_TOKEN}; sent as FlyV1 when it holds a macaroon (fm1r_, fm1a_, fm2_ parts), else Bearer; as given when it starts with \"FlyV1 \" or \"Bearer \""},
    {"api_url", OC_T_STRING, FLY_DEFAULT_API_URL, 0, "Machines API base URL"},
    {"logs_url", OC_T_STRING, FLY_DEFAULT_LOGS_URL, 0, "base URL of /api/v1/apps/APP/logs"},
    {"api_retries", OC_T_INT, "3", 0, "retries of a 429/5xx answer (honouring Retry-After, within the timeout)"},
    {"process_group", OC_T_STRING, NULL, 0, "only machines of this process group (default: all active)"},
    {"state", OC_T_STRING, "started", 0, "state every active machine must be in"},
    {"regions", OC_T_LIST, NULL, 0, "regions the machines must be in (default: any)"},
    {"min_started", OC_T_INT, "1", 0, "at least this many machines started"},
    {"checks_passing", OC_T_BOOL, NULL, 0, "every machine's health checks passing"},
    {"autostop", OC_T_STRING, NULL, 0, "services' autostop: off, stop or suspend"},
    {"min_machines_running", OC_T_INT, NULL, 0, "services' min_machines_running"},
    {"concurrency_type", OC_T_STRING, NULL, 0, "services' concurrency type: requests or connections"},
    {"soft_limit", OC_T_INT, NULL, 0, "services' concurrency soft_limit"},
    {"hard_limit", OC_T_INT, NULL, 0, "services' concurrency hard_limit"},
    {"memory_mb_min", OC_T_INT, NULL, 0, "at least this much guest memory (MB)"},
    {"env", OC_T_STRING, NULL, OC_OPT_PREFIX, "env.NAME = value: the machine config's env"},
    {"oom_window", OC_T_DURATION, "24h", 0, "no OOM-killed exit event within this window"},
    {"restarts_max", OC_T_INT, NULL, 0, "at most this many unplanned exits within oom_window"},
    {"logs_window", OC_T_DURATION, NULL, 0, "scan the logs of this window (unset: no log scan)"},
    {"logs_patterns", OC_T_LIST, NULL, 0,
     "case-insensitive regexes, PCRE2 as grep -P (default: OOM, Out of memory, Worker failed to boot, db_down, timeout, HTTP 5xx)"},
    {"logs_max_matches", OC_T_INT, "0", 0, "at most this many matching log lines"},
    {"logs_max_pages", OC_T_INT, "20", 0, "log pages read at most; reaching it with pages left fails"},
    {NULL, 0, NULL, 0, NULL},
};

void fly_dur_str(long long ms, char *buf, size_t n)
{
    if (ms > 0 && ms % 86400000 == 0 && ms / 86400000 >= 3)
        snprintf(buf, n, "%lldd", ms / 86400000);
    else if (ms > 0 && ms % 3600000 == 0)
        snprintf(buf, n, "%lldh", ms / 3600000);
    else if (ms > 0 && ms % 60000 == 0)
        snprintf(buf, n, "%lldm", ms / 60000);
    else if (ms > 0 && ms % 1000 == 0)
        snprintf(buf, n, "%llds", ms / 1000);
    else
        snprintf(buf, n, "%lldms", ms);
}

void fly_fail_api(fly_ctx *x, const char *what, const fly_result *r)
{
    char status[32];
    switch (r->err) {
    case FLY_E_AUTH:
        oc_fail(x->c, "Fly API accepts the token for app %s", x->app);
        break;
    case FLY_E_NOT_FOUND:
        oc_fail(x->c, "%s: app %s exists", what, x->app);
        break;
    case FLY_E_TRANSPORT: /* refused, DNS, timeout, TLS, body cut short */
        oc_fail(x->c, "%s: Fly API answers", what);
        break;
    case FLY_E_JSON:
        oc_fail(x->c, "%s: Fly API answers valid JSON", what);
        break;
    default:
        oc_fail(x->c, "%s: Fly API answers", what);
        break;
    }
    snprintf(status, sizeof status, r->status ? "HTTP %ld" : "no answer", r->status);
    if (r->err == FLY_E_JSON)
        oc_expect(x->c, "valid JSON", "malformed JSON");
    else
        oc_expect(x->c, "HTTP 2xx", status);
    oc_diag(x->c, "error", "%s", r->error);
    oc_diag(x->c, "url", "%s", r->url ? r->url : "");
    oc_diag(x->c, "requests", "%d", r->attempts);
}

static void fly_run(oc_check *c)
{
    fly_ctx x = {.c = c, .app = oc_opt_str(c, "app"), .now = time(NULL)};
    /* Leave the core a moment to collect the result before its deadline. */
    long long budget = oc_remaining_ms(c) - 250;
    fly_api_init(&x.api, oc_opt_str(c, "api_url"), oc_opt_str(c, "logs_url"), oc_opt_str(c, "token"),
                 budget > 100 ? budget : 100);
    x.api.retries = (int)oc_opt_int(c, "api_retries");

    fly_result r;
    if (fly_get_app(&x.api, x.app, &r) != FLY_OK) {
        fly_fail_api(&x, "GET app", &r);
    } else {
        x.app_status = json_str(r.json, "status");
        fly_check_machines(&x);
        if (oc_opt_isset(c, "logs_window"))
            fly_check_logs(&x);
    }
    fly_result_free(&r);
    fly_api_free(&x.api);
}

/* The validate hook (plugin.h): log patterns that do not compile and an
 * autostop Fly does not have, named at their line before anything runs. */
static void fly_validate(oc_check *c)
{
    const char *const *items;
    size_t n = oc_opt_list(c, "logs_patterns", &items);
    fly_patterns ps;
    char err[256];
    if (n && fly_patterns_init(&ps, items, n, err, sizeof err) != 0)
        oc_invalid(c, "logs_patterns", "%s", err);
    else if (n)
        fly_patterns_free(&ps);
    const char *autostop = oc_opt_str(c, "autostop");
    fly_autostop a;
    if (autostop && fly_autostop_parse(autostop, &a) != 0)
        oc_invalid(c, "autostop", "must be off, stop or suspend, not \"%s\"", autostop);
}

static const oc_plugin fly_plugin = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "fly",
    .summary = "Fly.io app: machines started in the right regions with the runbook's config, no OOM kills, clean logs",
    .init = http_init, /* libcurl and OpenSSL set up once, in the zygote */
    .options = fly_options,
    .run = fly_run,
    .validate = fly_validate,
};

OC_PLUGIN(fly_plugin)
