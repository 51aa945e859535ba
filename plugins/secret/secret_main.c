/*
 * secret_main.c - the `secret` plugin (issue 6; runbook §8, secret
 * rotation): the shared secret is strong (length, estimated entropy: the
 * lower of a character-class count and zxcvbn's guess estimate, not a
 * known default), the backend accepts it and refuses a random wrong one
 * (and, after a rotation, the previous one), and the Fly secret of that
 * name was updated within max_age (updated_at from the Fly secrets
 * endpoint, through ../common/fly_api.h).
 *
 * The secret, the previous one and the token are never formatted into any
 * message: assertions carry lengths, bit counts, statuses and list
 * positions.  The header line that carries a secret is wiped after use.
 */
#include "secret_int.h"

#include "../common/fly_api.h"
#include "../common/http.h"

#include <opscheck/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const oc_option sec_options[] = {
    {"value", OC_T_STRING, NULL, OC_OPT_REQUIRED | OC_OPT_SECRET,
     "the secret, e.g. ${env:APP_BACKEND_SECRET}"},
    {"min_length", OC_T_INT, "32", 0, "at least this many characters"},
    {"min_entropy_bits", OC_T_INT, "128", 0,
     "estimated entropy at least this: the lower of a character-class count (repeats and runs penalised) "
     "and zxcvbn's guess estimate (dictionary words, dates, keyboard walks, sequences, repeats)"},
    {"deny", OC_T_LIST,
     "changeme change-me change_me secret password passw0rd default test example development "
     "letmein qwerty 123456 admin your-secret-here replace-me app_backend_secret insecure",
     0, "refused values (ignoring case); entries of 6+ characters are also refused inside the secret"},
    {"url", OC_T_STRING, NULL, 0, "a backend URL that needs the secret (e.g. .../api/me)"},
    {"header", OC_T_STRING, "X-App-Secret", 0, "the request header that carries the secret"},
    {"accept_status", OC_T_INT, "200", 0, "status of the backend with the secret"},
    {"reject_status", OC_T_INT, "403", 0, "status of the backend with a wrong secret"},
    {"previous", OC_T_STRING, NULL, OC_OPT_SECRET, "the secret before the rotation: must now be refused"},
    {"max_age", OC_T_DURATION, NULL, 0, "the Fly secret was updated at most this long ago (needs app)"},
    {"app", OC_T_STRING, NULL, 0, "Fly app holding the secret"},
    {"token", OC_T_STRING, NULL, OC_OPT_SECRET, "Fly API token, e.g. ${env:FLY_API_TOKEN}"},
    {"name", OC_T_STRING, "APP_BACKEND_SECRET", 0, "the Fly secret's name"},
    {"api_url", OC_T_STRING, FLY_DEFAULT_API_URL, 0, "Fly Machines API base URL"},
    {"tls_verify", OC_T_BOOL, "yes", 0, "verify the backend's TLS certificate"},
    {NULL, 0, NULL, 0, NULL},
};

static void dur_str(long long s, char *buf, size_t n)
{
    if (s >= 2 * 86400)
        snprintf(buf, n, "%lldd", s / 86400);
    else if (s >= 3600)
        snprintf(buf, n, "%lldh", s / 3600);
    else if (s >= 60)
        snprintf(buf, n, "%lldm", s / 60);
    else
        snprintf(buf, n, "%llds", s);
}

static void check_strength(oc_check *c, const char *v)
{
    long long min_len = oc_opt_int(c, "min_length"), min_bits = oc_opt_int(c, "min_entropy_bits");
    size_t len = strlen(v);
    char exp[64], seen[64];

    if ((long long)len >= min_len) {
        oc_pass(c, "secret is %zu characters long (min %lld)", len, min_len);
    } else {
        oc_fail(c, "secret is %zu characters long, expected at least %lld", len, min_len);
        snprintf(exp, sizeof exp, ">= %lld characters", min_len);
        snprintf(seen, sizeof seen, "%zu characters", len);
        oc_expect(c, exp, seen);
    }

    /* Two estimates, the lower one counts: the character-class count sees
     * runs and short repeats; zxcvbn sees words, dates, keyboard walks and
     * long repeats that look random to a class count. */
    char why[400];
    double cls = sec_entropy_bits(v), guess = sec_guess_bits(v, why, sizeof why);
    double bits = guess < cls ? guess : cls;
    if (bits >= (double)min_bits) {
        oc_pass(c, "secret entropy estimate %.0f bits (min %lld)", bits, min_bits);
    } else {
        oc_fail(c, "secret entropy estimate %.0f bits, expected at least %lld", bits, min_bits);
        snprintf(exp, sizeof exp, ">= %lld bits", min_bits);
        snprintf(seen, sizeof seen, "%.0f bits", bits);
        oc_expect(c, exp, seen);
    }
    oc_diag(c, "entropy", "%.0f bits over %zu characters, character pool %d", cls, len, sec_pool(v));
    oc_diag(c, "zxcvbn", "%.0f bits; %s", guess, why);
    oc_metric(c, "entropy_bits", bits, "bits");

    const char *const *deny;
    size_t ndeny = oc_opt_list(c, "deny", &deny);
    int contained;
    size_t hit = sec_denied(v, deny, ndeny, &contained);
    if (!hit) {
        oc_pass(c, "secret is not a known default or weak value (%zu refused)", ndeny);
    } else {
        oc_fail(c, "secret %s deny entry %zu, a known default or weak value", contained ? "contains" : "is",
                hit);
        oc_expect(c, "no deny entry", contained ? "contains a deny entry" : "equals a deny entry");
    }
}

/* One GET with the header set to SECRET; returns the status, 0 when no
 * answer (ERR set). */
static long probe(oc_check *c, const char *secret, char *err, size_t n)
{
    const char *h = oc_opt_str(c, "header");
    size_t len = strlen(h) + strlen(secret) + 3;
    char *line = malloc(len);
    if (!line)
        abort();
    snprintf(line, len, "%s: %s", h, secret);
    const char *headers[] = {line};
    long long budget = oc_remaining_ms(c) - 250;
    http_request req = {.url = oc_opt_str(c, "url"), .headers = headers, .nheaders = 1,
                        .timeout_ms = budget > 100 ? budget : 100, .tls_verify = oc_opt_bool(c, "tls_verify")};
    http_response resp;
    http_do(&req, &resp);
    explicit_bzero(line, len);
    free(line);
    long status = resp.status;
    snprintf(err, n, "%s", resp.error);
    http_response_free(&resp);
    return status;
}

/* WHAT ("accepts the secret") with the status expected. */
static void check_answer(oc_check *c, const char *what, const char *secret, long want)
{
    char err[256], exp[32], seen[300];
    long got = probe(c, secret, err, sizeof err);
    snprintf(exp, sizeof exp, "HTTP %ld", want);
    if (got == want) {
        oc_pass(c, "backend %s (HTTP %ld)", what, got);
        return;
    }
    if (got == 0) {
        oc_fail(c, "backend %s: no answer (%s)", what, err);
        snprintf(seen, sizeof seen, "no answer: %s", err);
    } else {
        oc_fail(c, "backend %s: HTTP %ld, expected %ld", what, got, want);
        snprintf(seen, sizeof seen, "HTTP %ld", got);
    }
    oc_expect(c, exp, seen);
}

static void check_backend(oc_check *c, const char *v)
{
    long accept = (long)oc_opt_int(c, "accept_status"), reject = (long)oc_opt_int(c, "reject_status");
    oc_diag(c, "url", "%s", oc_opt_str(c, "url"));
    oc_diag(c, "header", "%s", oc_opt_str(c, "header"));
    check_answer(c, "accepts the secret", v, accept);

    size_t len = strlen(v) < 16 ? 16 : strlen(v);
    char *wrong = malloc(len + 1);
    if (!wrong)
        abort();
    sec_random(wrong, len, v);
    check_answer(c, "refuses a random wrong secret", wrong, reject);
    free(wrong);

    if (oc_opt_isset(c, "previous")) {
        const char *prev = oc_opt_str(c, "previous");
        if (strcmp(prev, v) == 0) {
            oc_fail(c, "previous secret differs from the current one (not rotated)");
            oc_expect(c, "a rotated secret", "previous equals value");
        } else {
            check_answer(c, "refuses the previous secret", prev, reject);
        }
    }
}

static void check_fly_age(oc_check *c)
{
    const char *app = oc_opt_str(c, "app"), *name = oc_opt_str(c, "name");
    long long max_age = oc_opt_duration_ms(c, "max_age") / 1000, budget = oc_remaining_ms(c) - 250;
    fly_api api;
    fly_result r;
    time_t at;
    char a[32], m[32];

    fly_api_init(&api, oc_opt_str(c, "api_url"), NULL, oc_opt_str(c, "token"), budget > 100 ? budget : 100);
    dur_str(max_age, m, sizeof m);
    if (fly_list_secrets(&api, app, &r) != FLY_OK) {
        oc_fail(c, "Fly secret %s of app %s updated within %s: the secrets endpoint failed (%s)", name, app, m,
                fly_err_str(r.err));
        char seen[32];
        snprintf(seen, sizeof seen, r.status ? "HTTP %ld" : "no answer", r.status);
        oc_expect(c, "HTTP 2xx", seen);
        oc_diag(c, "fly_error", "%s", r.error);
    } else if (fly_secret_updated_at(r.json, name, &at) != 0) {
        oc_fail(c, "Fly secret %s exists on app %s", name, app);
        oc_expect(c, name, "no such secret (or no updated_at)");
    } else {
        long long age = (long long)(time(NULL) - at);
        char iso[32];
        struct tm tm;
        gmtime_r(&at, &tm);
        strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
        dur_str(age, a, sizeof a);
        oc_diag(c, "updated_at", "%s", iso);
        oc_metric(c, "secret_age", (double)age / 86400.0, "days");
        if (age <= max_age) {
            oc_pass(c, "Fly secret %s updated %s ago (max %s)", name, a, m);
        } else {
            char exp[48];
            oc_fail(c, "Fly secret %s updated %s ago, expected within %s: rotate it", name, a, m);
            snprintf(exp, sizeof exp, "updated within %s", m);
            oc_expect(c, exp, iso);
        }
    }
    oc_diag(c, "fly_url", "%s", r.url ? r.url : "");
    fly_result_free(&r);
    fly_api_free(&api);
}

static void sec_run(oc_check *c)
{
    const char *v = oc_opt_str(c, "value");
    if (oc_opt_isset(c, "max_age") && !oc_opt_isset(c, "app")) {
        oc_error(c, "configuration: max_age needs app (and token)");
        return;
    }
    if (oc_opt_isset(c, "previous") && !oc_opt_isset(c, "url")) {
        oc_error(c, "configuration: previous needs url (the backend that must refuse it)");
        return;
    }
    check_strength(c, v);
    if (oc_opt_isset(c, "url"))
        check_backend(c, v);
    if (oc_opt_isset(c, "max_age"))
        check_fly_age(c);
}

static const oc_plugin secret_plugin = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "secret",
    .summary = "shared secret: strong, accepted by the backend, wrong and previous ones refused, rotated in time",
    .init = http_init, /* libcurl and OpenSSL set up once, in the zygote */
    .options = sec_options,
    .run = sec_run,
};

OC_PLUGIN(secret_plugin)
