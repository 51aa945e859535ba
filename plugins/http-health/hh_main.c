/*
 * hh_main.c - the http-health plugin: descriptor, option table and run().
 *
 * Owner: issue 3.  One check = `samples` requests to `url` (in waves of
 * `concurrency`, `interval` apart), then one assertion per expectation
 * (hh_report.c).  expect_status defaults to 2xx: a health endpoint that
 * redirects (to a login page, to another host) is not healthy, and with
 * follow_redirects off (the default) a 3xx fails with its Location shown.
 */
#include "hh.h"

#include <opscheck/plugin.h>
#include <stdlib.h>

static const oc_option hh_options[] = {
    {"url", OC_T_STRING, NULL, OC_OPT_REQUIRED, "URL to request (http or https)"},
    {"method", OC_T_STRING, "GET", 0, "HTTP method"},
    {"header", OC_T_STRING, NULL, OC_OPT_PREFIX, "header.NAME = value: a request header (may be ${env:...})"},
    {"body", OC_T_STRING, NULL, 0, "request body"},
    {"expect_status", OC_T_LIST, "2xx", 0, "statuses that count as up: 200, 2xx, 200-299, lists"},
    {"expect_json", OC_T_STRING, NULL, OC_OPT_REPEAT,
     "JSON Pointer rule: /status == \"ok\", /db != \"down\", /queue < 100, /version exists, /v =~ regex (PCRE2)"},
    {"expect_body", OC_T_STRING, NULL, 0, "regex (PCRE2, as grep -P) the body must match"},
    {"expect_header", OC_T_STRING, NULL, OC_OPT_REPEAT, "Name: regex (PCRE2) a response header must match"},
    {"samples", OC_T_INT, "1", 0, "how many requests"},
    {"interval", OC_T_DURATION, "0", 0, "time between sample starts (or waves of them)"},
    {"concurrency", OC_T_INT, "1", 0, "requests in flight at once"},
    {"p50_max", OC_T_DURATION, NULL, 0, "median latency bound"},
    {"p95_max", OC_T_DURATION, NULL, 0, "95th percentile latency bound"},
    {"p99_max", OC_T_DURATION, NULL, 0, "99th percentile latency bound"},
    {"latency_max", OC_T_DURATION, NULL, 0, "bound on every sample's latency"},
    {"availability_min", OC_T_PERCENT, NULL, 0, "share of samples up; replaces the all-up status assertion"},
    {"tls_verify", OC_T_BOOL, "yes", 0, "verify the peer certificate and host name"},
    {"ca_file", OC_T_STRING, NULL, 0, "CA bundle (PEM) instead of the system store"},
    {"cert_days_min", OC_T_INT, NULL, 0, "days the certificate must still be valid"},
    {"follow_redirects", OC_T_BOOL, "no", 0, "follow 3xx answers"},
    {"max_body", OC_T_SIZE, "1MiB", 0, "largest body read; larger fails the sample"},
    {NULL, 0, NULL, 0, NULL},
};

static void hh_run(oc_check *c)
{
    hh_config cfg;
    char err[512];

    int rc = hh_config_load(c, &cfg, err, sizeof err);
    if (rc != 0) {
        /* A setting the plugin cannot use is the check's fault, not the
         * endpoint's: ERROR, never a failed endpoint (validate reports it
         * before the run, hh_validate; here only values it could not see,
         * from ${env:...}). */
        oc_error(c, "configuration: %s", err);
        hh_config_free(&cfg);
        return;
    }
    /* Keep a tenth of the time (20 ms to 500 ms) to report in. */
    long long left = oc_remaining_ms(c);
    cfg.plan.reserve_ms = left / 10 < 20 ? 20 : left / 10 > 500 ? 500 : left / 10;

    hh_sample *s = calloc(cfg.plan.samples, sizeof *s);
    if (!s)
        abort();
    hh_sample_run(c, &cfg.plan, &cfg.status, s);
    hh_report(c, &cfg, s, cfg.plan.samples);
    for (size_t i = 0; i < cfg.plan.samples; i++)
        http_response_free(&s[i].resp);
    free(s);
    hh_config_free(&cfg);
}

static const oc_plugin hh_plugin = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "http-health",
    .summary = "HTTP endpoint health: status, JSON and body rules, latency percentiles, availability, TLS",
    .init = http_init, /* libcurl and OpenSSL set up once, in the zygote */
    .options = hh_options,
    .run = hh_run,
    .validate = hh_validate,
};

OC_PLUGIN(hh_plugin)
