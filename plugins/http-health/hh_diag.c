/*
 * hh_diag.c - what http-health learned from its samples (facts), and how
 * it tells an operator: the YAML diagnostics of a failed check and the
 * metrics.  Never prints a request header: those may carry secrets.
 */
#include "hh.h"

#include <curl/curl.h>
#include <opscheck/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void hh_facts_compute(const hh_config *cfg, const hh_sample *s, size_t n, hh_facts *f)
{
    double *lat = calloc(n ? n : 1, sizeof *lat);
    if (!lat)
        abort();
    memset(f, 0, sizeof *f);
    f->n = n;
    for (size_t i = 0; i < n; i++) {
        f->ran += s[i].ran;
        f->up += s[i].up;
        if (!s[i].up && !f->first_bad)
            f->first_bad = &s[i];
        if (s[i].ran && s[i].rc == 0)
            lat[f->done++] = s[i].resp.t_total_ms;
        if (s[i].resp.cert_expiry && !f->cert_expiry)
            f->cert_expiry = s[i].resp.cert_expiry;
        if (s[i].resp.curl_code == CURLE_PEER_FAILED_VERIFICATION)
            f->tls_failed = 1;
    }
    f->p50 = hh_percentile(lat, f->done, 50);
    f->p95 = hh_percentile(lat, f->done, 95);
    f->p99 = hh_percentile(lat, f->done, 99);
    f->max = f->done ? lat[f->done - 1] : 0; /* sorted by hh_percentile */
    for (size_t i = 0; i < n && f->done; i++)
        if (s[i].ran && s[i].rc == 0 && s[i].resp.t_total_ms == f->p50) {
            f->median = &s[i];
            break;
        }
    free(lat);
    (void)cfg;
}

const char *hh_sample_reason(const hh_sample *s, char *buf, size_t len)
{
    const http_response *r = &s->resp;

    if (!s->ran)
        snprintf(buf, len, "not sent: the check's deadline came first");
    else if (s->rc != 0 && r->status > 0)
        snprintf(buf, len, "status %ld, then %s", r->status, r->error);
    else if (s->rc != 0)
        snprintf(buf, len, "%s", r->error);
    else if (r->location && r->status / 100 == 3)
        snprintf(buf, len, "status %ld, redirect to %s (follow_redirects is off)", r->status, r->location);
    else
        snprintf(buf, len, "status %ld", r->status);
    return buf;
}

/* After a TLS verification failure, fetch the URL once more without
 * verifying, with no header and no body (they may hold secrets), only to
 * read the certificate's notAfter for the report. */
void hh_cert_probe(oc_check *c, const hh_config *cfg, hh_facts *f)
{
    http_request req = {.url = cfg->url, .method = "HEAD", .tls_verify = 0, .max_body = 1};
    http_response resp;
    long long budget = oc_remaining_ms(c) - cfg->plan.reserve_ms;

    if (!f->tls_failed || f->cert_expiry || budget < 50)
        return;
    req.timeout_ms = budget < 3000 ? budget : 3000;
    http_do(&req, &resp);
    if (resp.cert_expiry) {
        f->cert_expiry = resp.cert_expiry;
        f->cert_probed = 1;
    }
    http_response_free(&resp);
}

/* The first 512 bytes of a body, control bytes as '.', cut on a UTF-8
 * character boundary so the YAML stays valid. */
static void hh_body_excerpt(const http_response *r, char *out, size_t len)
{
    size_t n = r->body_len < 512 ? r->body_len : 512;
    if (n >= len)
        n = len - 1;
    while (n > 0 && n < r->body_len && ((unsigned char)r->body[n] & 0xC0) == 0x80)
        n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)r->body[i];
        out[i] = (ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f ? '.' : (char)ch;
    }
    out[n] = '\0';
}

static void hh_fmt_time(time_t t, char *buf, size_t len)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void hh_diags(oc_check *c, const hh_config *cfg, const hh_sample *s, size_t n, const hh_facts *f)
{
    char buf[1024];
    const hh_sample *show = f->first_bad && f->first_bad->ran ? f->first_bad : f->median;

    oc_diag(c, "url", "%s", cfg->url);
    if (show && show->resp.status > 0)
        oc_diag(c, "status", "%ld", show->resp.status);
    else
        oc_diag(c, "status", "no HTTP answer");
    if (show && show->resp.location)
        oc_diag(c, "location", "%s", show->resp.location);
    oc_diag(c, "samples", "%zu asked, %zu sent, %zu up, %zu answered", f->n, f->ran, f->up, f->done);
    if (f->done)
        oc_diag(c, "latency", "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
                f->p50, f->p95, f->p99, f->max);
    if (f->median) {
        const http_response *r = &f->median->resp;
        oc_diag(c, "phases", "dns %.1f ms, connect %.1f ms, tls %.1f ms, first_byte %.1f ms, total %.1f ms",
                r->t_dns_ms, r->t_connect_ms, r->t_tls_ms, r->t_first_byte_ms, r->t_total_ms);
    }
    if (f->up < f->n) {
        size_t at = 0, shown = 0;
        char reason[320];
        buf[0] = '\0';
        for (size_t i = 0; i < n && shown < 5 && at < sizeof buf; i++) {
            if (s[i].up)
                continue;
            int w = snprintf(buf + at, sizeof buf - at, "%s#%zu: %s", shown ? "; " : "", i + 1,
                             hh_sample_reason(&s[i], reason, sizeof reason));
            at += w > 0 ? (size_t)w : 0;
            shown++;
        }
        if (f->n - f->up > shown && at < sizeof buf)
            snprintf(buf + at, sizeof buf - at, "; and %zu more", f->n - f->up - shown);
        oc_diag(c, "failed_samples", "%s", buf);
    }
    if (show && show->resp.body_len) {
        hh_body_excerpt(&show->resp, buf, sizeof buf);
        oc_diag(c, "body", "%s", buf);
    }
    if (f->cert_expiry) {
        hh_fmt_time(f->cert_expiry, buf, sizeof buf);
        oc_diag(c, "cert_expiry", "%s%s", buf, f->cert_probed ? " (read without verification)" : "");
    }
}

void hh_metrics(oc_check *c, const hh_facts *f)
{
    if (f->done) {
        oc_metric(c, "latency_p50", f->p50, "ms");
        oc_metric(c, "latency_p95", f->p95, "ms");
        oc_metric(c, "latency_p99", f->p99, "ms");
        oc_metric(c, "latency_max", f->max, "ms");
    }
    oc_metric(c, "availability", f->n ? 100.0 * (double)f->up / (double)f->n : 0, "%");
    if (f->cert_expiry)
        oc_metric(c, "cert_days_left", (double)(f->cert_expiry - time(NULL)) / 86400.0, "days");
}
