/*
 * hh_config.c - turn an http-health check's options into an hh_config,
 * refusing bad rules before a single request is sent.  The core has
 * already checked types; this file checks what only http-health
 * understands (status lists, JSON rules, regular expressions).
 */
#include "hh.h"

#include <opscheck/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *hh_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "http-health: out of memory\n");
        abort();
    }
    return p;
}

static long long hh_opt_ms(oc_check *c, const char *key)
{
    return oc_opt_isset(c, key) ? oc_opt_duration_ms(c, key) : -1;
}

static int hh_load_status(oc_check *c, hh_config *cfg, char *err, size_t errlen)
{
    const char *const *items;
    size_t n = oc_opt_list(c, "expect_status", &items);

    if (n == 0)
        return hh_status_parse(&cfg->status, "2xx", err, errlen);
    cfg->status.n = 0;
    for (size_t i = 0; i < n; i++)
        if (hh_status_add(&cfg->status, items[i], err, errlen) != 0)
            return -1;
    return 0;
}

/* One expect_header "Name: regex" item into H.  0, or -1 / HH_CONFIG_BAD_REGEX
 * with ERR set (H then holds nothing to free). */
int hh_header_rule_parse(hh_header_rule *h, const char *item, char *err, size_t errlen)
{
    const char *colon = strchr(item, ':');
    if (!colon || colon == item)
        return snprintf(err, errlen, "expect_header \"%s\": want \"Name: regex\"", item), -1;
    const char *re = colon + 1 + strspn(colon + 1, " \t");
    char why[300];
    if (rx_compile(&h->re, re, 0, why, sizeof why) != 0)
        return snprintf(err, errlen, "expect_header \"%s\": pattern \"%s\" does not compile %s", item, re, why),
               HH_CONFIG_BAD_REGEX;
    h->name = strndup(item, (size_t)(colon - item));
    h->text = strdup(item);
    return 0;
}

/* expect_header "Name: regex" lines. */
static int hh_load_header_rules(oc_check *c, hh_config *cfg, char *err, size_t errlen)
{
    const char *const *items;
    size_t n = oc_opt_list(c, "expect_header", &items);

    cfg->hdr = hh_xcalloc(n, sizeof *cfg->hdr);
    for (size_t i = 0; i < n; i++) {
        int rc = hh_header_rule_parse(&cfg->hdr[i], items[i], err, errlen);
        if (rc != 0)
            return rc;
        cfg->nhdr++;
    }
    return 0;
}

/* header.NAME = value options as "Name: value" request lines. */
static void hh_load_request_headers(oc_check *c, hh_config *cfg)
{
    const char *const *names, *const *values;
    size_t n = oc_opt_map(c, "header", &names, &values);

    cfg->header_lines = hh_xcalloc(n, sizeof *cfg->header_lines);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]) + strlen(values[i]) + 3;
        cfg->header_lines[i] = hh_xcalloc(len, 1);
        snprintf(cfg->header_lines[i], len, "%s: %s", names[i], values[i]);
    }
    cfg->nheader_lines = n;
}

int hh_count_check(long long samples, long long concurrency, char *err, size_t errlen)
{
    if (samples < 1 || samples > 10000)
        return snprintf(err, errlen, "samples must be between 1 and 10000"), -1;
    if (concurrency < 1 || concurrency > 256)
        return snprintf(err, errlen, "concurrency must be between 1 and 256"), -1;
    return 0;
}

int hh_config_load(oc_check *c, hh_config *cfg, char *err, size_t errlen)
{
    const char *const *items;
    size_t n;

    memset(cfg, 0, sizeof *cfg);
    cfg->url = oc_opt_str(c, "url");
    if (hh_load_status(c, cfg, err, errlen) != 0)
        return -1;
    cfg->availability_min = oc_opt_isset(c, "availability_min") ? oc_opt_percent(c, "availability_min") : -1;

    n = oc_opt_list(c, "expect_json", &items);
    cfg->rules = hh_xcalloc(n, sizeof *cfg->rules);
    for (size_t i = 0; i < n; i++) {
        int rc = hh_rule_parse(&cfg->rules[i], items[i], err, errlen);
        if (rc != 0) {
            hh_rule_free(&cfg->rules[i]);
            return rc;
        }
        cfg->nrules++;
    }
    cfg->body_text = oc_opt_str(c, "expect_body");
    char why[300];
    if (cfg->body_text && rx_compile(&cfg->body_re, cfg->body_text, 0, why, sizeof why) != 0) {
        snprintf(err, errlen, "expect_body: pattern \"%s\" does not compile %s", cfg->body_text, why);
        cfg->body_text = NULL;
        return HH_CONFIG_BAD_REGEX;
    }
    int rc = hh_load_header_rules(c, cfg, err, errlen);
    if (rc != 0)
        return rc;

    cfg->p50_max = hh_opt_ms(c, "p50_max");
    cfg->p95_max = hh_opt_ms(c, "p95_max");
    cfg->p99_max = hh_opt_ms(c, "p99_max");
    cfg->latency_max = hh_opt_ms(c, "latency_max");
    cfg->cert_days_min = oc_opt_isset(c, "cert_days_min") ? oc_opt_int(c, "cert_days_min") : -1;

    long long samples = oc_opt_isset(c, "samples") ? oc_opt_int(c, "samples") : 1;
    long long conc = oc_opt_isset(c, "concurrency") ? oc_opt_int(c, "concurrency") : 1;
    if (hh_count_check(samples, conc, err, errlen) != 0)
        return -1;

    hh_load_request_headers(c, cfg);
    hh_plan *p = &cfg->plan;
    p->samples = (size_t)samples;
    p->concurrency = (size_t)conc;
    p->interval_ms = oc_opt_isset(c, "interval") ? oc_opt_duration_ms(c, "interval") : 0;
    p->req.url = cfg->url;
    p->req.method = oc_opt_str(c, "method");
    p->req.body = oc_opt_str(c, "body");
    p->req.body_len = p->req.body ? strlen(p->req.body) : 0;
    p->req.headers = (const char *const *)cfg->header_lines;
    p->req.nheaders = cfg->nheader_lines;
    p->req.tls_verify = oc_opt_isset(c, "tls_verify") ? oc_opt_bool(c, "tls_verify") : 1;
    p->req.ca_file = oc_opt_str(c, "ca_file");
    p->req.follow_redirects = oc_opt_bool(c, "follow_redirects");
    p->req.max_body = oc_opt_isset(c, "max_body") ? (size_t)oc_opt_size(c, "max_body") : 1024 * 1024;
    if (p->req.max_body == 0)
        p->req.max_body = 1;
    return 0;
}

void hh_config_free(hh_config *cfg)
{
    for (size_t i = 0; i < cfg->nrules; i++)
        hh_rule_free(&cfg->rules[i]);
    free(cfg->rules);
    if (cfg->body_text)
        rx_free(&cfg->body_re);
    for (size_t i = 0; i < cfg->nhdr; i++) {
        free(cfg->hdr[i].name);
        free(cfg->hdr[i].text);
        rx_free(&cfg->hdr[i].re);
    }
    free(cfg->hdr);
    for (size_t i = 0; i < cfg->nheader_lines; i++) {
        /* the line may hold a secret: wipe it before it goes back to malloc */
        memset(cfg->header_lines[i], 0, strlen(cfg->header_lines[i]));
        free(cfg->header_lines[i]);
    }
    free(cfg->header_lines);
    memset(cfg, 0, sizeof *cfg);
}
