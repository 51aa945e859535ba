/*
 * hh_report.c - http-health's assertions, one per expectation, in this
 * order: TLS-off warning, status (or availability when availability_min is
 * set), each expect_json rule, expect_body, each expect_header, latency
 * percentiles and max, certificate days.  A passing assertion says what
 * held; a failing one says what was seen, with oc_expect beside it.
 */
#include "hh.h"

#include <opscheck/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Status, or availability over the samples. */
static int hh_report_status(oc_check *c, const hh_config *cfg, const hh_facts *f)
{
    char want[160], seen[400], reason[320];
    hh_status_text(&cfg->status, want, sizeof want);

    if (cfg->availability_min >= 0) {
        double avail = f->n ? 100.0 * (double)f->up / (double)f->n : 0;
        char wa[64];
        snprintf(wa, sizeof wa, ">= %g%%", cfg->availability_min);
        snprintf(seen, sizeof seen, "%.1f%% (%zu of %zu samples up)", avail, f->up, f->n);
        if (avail + 1e-9 >= cfg->availability_min) {
            oc_pass(c, "availability %s %s", seen, wa);
            return 0;
        }
        oc_fail(c, "availability %s, expected %s; first failure: %s", seen, wa,
                hh_sample_reason(f->first_bad, reason, sizeof reason));
        oc_expect(c, wa, seen);
        return 1;
    }
    if (!f->first_bad) {
        if (f->n == 1)
            oc_pass(c, "status %ld matches %s", f->median ? f->median->resp.status : 0L, want);
        else
            oc_pass(c, "status matches %s on all %zu samples", want, f->n);
        return 0;
    }
    hh_sample_reason(f->first_bad, reason, sizeof reason);
    if (f->n == 1)
        snprintf(seen, sizeof seen, "%s", reason);
    else
        snprintf(seen, sizeof seen, "%zu of %zu samples failed, first: %s", f->n - f->up, f->n, reason);
    if (f->first_bad->ran && f->first_bad->rc == 0) {
        oc_fail(c, "%s; expected status %s", seen, want);
        oc_expect(c, want, seen);
    } else { /* no complete answer: the status alone is not the story */
        char full[200];
        snprintf(full, sizeof full, "a complete answer with status %s", want);
        oc_fail(c, "%s", seen);
        oc_expect(c, full, seen);
    }
    return 1;
}

/* The samples whose body the content rules read: the up ones, or when
 * none is up, every one that answered (a 503's body says why). */
static size_t hh_content_samples(const hh_sample *s, size_t n, const hh_sample **out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].up)
            out[k++] = &s[i];
    if (k)
        return k;
    for (size_t i = 0; i < n; i++)
        if (s[i].ran && s[i].rc == 0)
            out[k++] = &s[i];
    return k;
}

static int hh_report_json(oc_check *c, const hh_config *cfg, const hh_sample **cs, size_t k)
{
    int failed = 0;
    cJSON **docs = calloc(k ? k : 1, sizeof *docs);
    if (!docs)
        abort();
    for (size_t j = 0; j < k; j++)
        docs[j] = cJSON_ParseWithLength(cs[j]->resp.body, cs[j]->resp.body_len);
    for (size_t i = 0; i < cfg->nrules; i++) {
        const hh_rule *r = &cfg->rules[i];
        char *seen = NULL;
        size_t j;
        if (!k) {
            oc_skip(c, "json %s: no answer to check", r->text);
            continue;
        }
        for (j = 0; j < k; j++) {
            free(seen);
            seen = NULL;
            if (!hh_rule_eval(r, docs[j], &seen))
                break;
        }
        if (j == k) {
            oc_pass(c, "json %s", r->text);
        } else {
            oc_fail(c, "json %s: seen %s", r->text, seen);
            oc_expect(c, r->text, seen);
            failed = 1;
        }
        free(seen);
    }
    for (size_t j = 0; j < k; j++)
        cJSON_Delete(docs[j]);
    free(docs);
    return failed;
}

static int hh_report_body_headers(oc_check *c, const hh_config *cfg, const hh_sample **cs, size_t k)
{
    int failed = 0;
    char seen[200];

    if (cfg->body_text) {
        size_t j = 0;
        while (j < k && rx_match(&cfg->body_re, cs[j]->resp.body))
            j++;
        if (!k) {
            oc_skip(c, "body =~ %s: no answer to check", cfg->body_text);
        } else if (j == k) {
            oc_pass(c, "body matches %s", cfg->body_text);
        } else {
            snprintf(seen, sizeof seen, "%.120s%s", cs[j]->resp.body, cs[j]->resp.body_len > 120 ? "..." : "");
            oc_fail(c, "body does not match %s", cfg->body_text);
            oc_expect(c, cfg->body_text, seen);
            failed = 1;
        }
    }
    for (size_t i = 0; i < cfg->nhdr; i++) {
        const hh_header_rule *h = &cfg->hdr[i];
        char *val = NULL;
        size_t j;
        if (!k) {
            oc_skip(c, "header %s: no answer to check", h->text);
            continue;
        }
        for (j = 0; j < k; j++) {
            free(val);
            val = http_header(&cs[j]->resp, h->name);
            if (!val || !rx_match(&h->re, val))
                break;
        }
        if (j == k) {
            oc_pass(c, "header %s", h->text);
        } else {
            snprintf(seen, sizeof seen, "%s: %.150s", h->name, val ? val : "(absent)");
            oc_fail(c, "header %s: seen %s", h->text, val ? val : "(absent)");
            oc_expect(c, h->text, seen);
            failed = 1;
        }
        free(val);
    }
    return failed;
}

/* One latency bound: NAME (p50...) of VALUE ms against MAX ms. */
static int hh_report_bound(oc_check *c, const char *name, double value, long long max, const hh_facts *f)
{
    char want[64], seen[64];
    if (max < 0)
        return 0;
    snprintf(want, sizeof want, "<= %lld ms", max);
    if (!f->done) {
        oc_fail(c, "%s: no completed sample to measure", name);
        oc_expect(c, want, "no completed sample");
        return 1;
    }
    snprintf(seen, sizeof seen, "%.1f ms", value);
    if (value <= (double)max) {
        oc_pass(c, "%s %s %s", name, seen, want);
        return 0;
    }
    oc_fail(c, "%s %s, expected %s", name, seen, want);
    oc_expect(c, want, seen);
    return 1;
}

static int hh_report_cert(oc_check *c, const hh_config *cfg, const hh_facts *f)
{
    char want[64], seen[320];
    if (cfg->cert_days_min < 0)
        return 0;
    snprintf(want, sizeof want, ">= %lld days left", cfg->cert_days_min);
    if (strncasecmp(cfg->url, "https:", 6) != 0) {
        oc_fail(c, "certificate: %s is not an https URL", cfg->url);
        oc_expect(c, want, "not https");
        return 1;
    }
    if (!f->cert_expiry) {
        snprintf(seen, sizeof seen, "no certificate seen%s%s", f->first_bad ? ": " : "",
                 f->first_bad ? f->first_bad->resp.error : "");
        oc_fail(c, "certificate: %s", seen);
        oc_expect(c, want, seen);
        return 1;
    }
    double days = (double)(f->cert_expiry - time(NULL)) / 86400.0;
    snprintf(seen, sizeof seen, "%.1f days left", days);
    if (f->cert_probed) { /* the expiry was read past a failed verification */
        const char *why = f->first_bad ? f->first_bad->resp.error : "verification failed";
        oc_fail(c, "certificate not trusted (%s), %s%s", why, seen, days < 0 ? " (expired)" : "");
        oc_expect(c, want, seen);
        return 1;
    }
    if (days >= (double)cfg->cert_days_min) {
        oc_pass(c, "certificate %s, %s", seen, want);
        return 0;
    }
    oc_fail(c, "certificate %s%s, expected %s", seen, days < 0 ? " (expired)" : "", want);
    oc_expect(c, want, seen);
    return 1;
}

void hh_report(oc_check *c, const hh_config *cfg, hh_sample *s, size_t n)
{
    hh_facts f;
    int failed = 0;
    const hh_sample **cs = calloc(n ? n : 1, sizeof *cs);

    if (!cs)
        abort();
    hh_facts_compute(cfg, s, n, &f);
    hh_cert_probe(c, cfg, &f);
    if (!cfg->plan.req.tls_verify)
        oc_warn(c, "TLS verification is off (tls_verify = no): the peer is not authenticated");
    failed |= hh_report_status(c, cfg, &f);
    size_t k = hh_content_samples(s, n, cs);
    failed |= hh_report_json(c, cfg, cs, k);
    failed |= hh_report_body_headers(c, cfg, cs, k);
    failed |= hh_report_bound(c, "p50", f.p50, cfg->p50_max, &f);
    failed |= hh_report_bound(c, "p95", f.p95, cfg->p95_max, &f);
    failed |= hh_report_bound(c, "p99", f.p99, cfg->p99_max, &f);
    failed |= hh_report_bound(c, "latency max", f.max, cfg->latency_max, &f);
    failed |= hh_report_cert(c, cfg, &f);
    if (failed)
        hh_diags(c, cfg, s, n, &f);
    hh_metrics(c, &f);
    free(cs);
}
