/*
 * hh.h - private to the http-health plugin (issue 3).
 *
 * Files: hh_main.c (descriptor, option table, run), hh_status.c
 * (expect_status), hh_rule.c (expect_json rules), hh_stats.c
 * (percentiles), hh_sample.c (sending the samples within the deadline),
 * hh_report.c (assertions, diagnostics, metrics).  The pure parts
 * (status, rule, stats) call no oc_* function, so unit tests link them
 * alone (tests/unit/test_http_health.c).
 */
#ifndef HH_H
#define HH_H

#include <cjson/cJSON.h>
#include "../common/regexp.h"
#include <stddef.h>
#include <time.h>

#include "../common/http.h"

/* ---- hh_status.c: "200", "2xx", "200-299", "200,204 3xx" ---- */
typedef struct hh_status_range {
    int lo, hi;
} hh_status_range;

typedef struct hh_status_set {
    hh_status_range r[32];
    size_t n;
} hh_status_set;

/* Parse one item ("2xx", "200-299", "204") and add it to SET.
 * Returns 0, or -1 with ERR set. */
int hh_status_add(hh_status_set *set, const char *item, char *err, size_t errlen);
/* Parse a whole list (commas or blanks between items). */
int hh_status_parse(hh_status_set *set, const char *text, char *err, size_t errlen);
int hh_status_match(const hh_status_set *set, long status);
/* The set as text again ("2xx", "200-204, 301"), into BUF. */
const char *hh_status_text(const hh_status_set *set, char *buf, size_t len);

/* ---- hh_rule.c: expect_json "POINTER OP VALUE" ---- */
typedef enum hh_op {
    HH_OP_EXISTS = 1, HH_OP_MISSING, HH_OP_EQ, HH_OP_NE,
    HH_OP_LT, HH_OP_LE, HH_OP_GT, HH_OP_GE, HH_OP_MATCH
} hh_op;

typedef struct hh_rule {
    char *text;      /* the rule as written, for messages */
    char *pointer;   /* RFC 6901 */
    hh_op op;
    cJSON *value;    /* literal compared against (NULL for exists/missing/=~) */
    rx re;           /* for =~ (PCRE2) */
    int has_re;
} hh_rule;

int hh_rule_parse(hh_rule *rule, const char *text, char *err, size_t errlen);
/* Evaluate RULE on the document ROOT (NULL: the body was not JSON).
 * Returns 1 when it holds, 0 when not; *SEEN (malloc'd) says what was found. */
int hh_rule_eval(const hh_rule *rule, const cJSON *root, char **seen);
void hh_rule_free(hh_rule *rule);

/* ---- hh_stats.c ---- */
/* Nearest-rank percentile P (0-100] of the N values V (sorted in place).
 * Returns 0 for N == 0. */
double hh_percentile(double *v, size_t n, double p);

/* ---- hh_sample.c ---- */
typedef struct hh_sample {
    http_response resp;
    int rc;          /* http_do's result */
    int ran;         /* 0: not sent, the check's deadline came first */
    int up;          /* transfer worked and the status matched */
} hh_sample;

typedef struct hh_plan {
    http_request req;
    size_t samples, concurrency;
    long long interval_ms;
    long long reserve_ms; /* kept back from the deadline to report */
} hh_plan;

struct oc_check;
/* Send PLAN->samples requests into OUT (zeroed, PLAN->samples long),
 * never past the check's deadline. */
void hh_sample_run(struct oc_check *c, const hh_plan *plan, const hh_status_set *ok, hh_sample *out);

/* ---- hh_config.c: the check's options, parsed once before any request ---- */
typedef struct hh_header_rule {
    char *name;     /* "Content-Type" */
    char *text;     /* the rule as written */
    rx re;
} hh_header_rule;

typedef struct hh_config {
    const char *url;
    hh_status_set status;
    double availability_min;      /* < 0: unset (then every sample must be up) */
    hh_rule *rules;
    size_t nrules;
    const char *body_text;        /* expect_body as written, or NULL */
    rx body_re;
    hh_header_rule *hdr;
    size_t nhdr;
    long long p50_max, p95_max, p99_max, latency_max; /* ms, < 0: unset */
    long long cert_days_min;      /* < 0: unset */
    hh_plan plan;
    char **header_lines;          /* "Name: value" for the request (may hold secrets) */
    size_t nheader_lines;
} hh_config;

/* Fill CFG from the check's options.  Returns 0, or -1 with ERR set, or
 * HH_CONFIG_BAD_REGEX when a pattern does not compile (ERR names it and
 * PCRE2's reason).  Either way the check is an ERROR, not a failed
 * endpoint (hh_run).  hh_rule_parse() returns it too. */
#define HH_CONFIG_BAD_REGEX (-2)
int hh_config_load(struct oc_check *c, hh_config *cfg, char *err, size_t errlen);
/* One expect_header item "Name: regex" (the same result codes). */
int hh_header_rule_parse(hh_header_rule *h, const char *item, char *err, size_t errlen);
/* samples and concurrency within their bounds: 0, or -1 with ERR set. */
int hh_count_check(long long samples, long long concurrency, char *err, size_t errlen);
/* hh_validate.c: the plugin's validate hook (plugin.h). */
void hh_validate(struct oc_check *c);
void hh_config_free(hh_config *cfg);

/* ---- hh_report.c (assertions) and hh_diag.c (facts, diagnostics, metrics) ---- */
typedef struct hh_facts {
    size_t n, ran, up, done;      /* samples: asked, sent, up, transfer completed */
    double p50, p95, p99, max;    /* ms over completed samples */
    const hh_sample *median;      /* completed sample nearest p50, or NULL */
    const hh_sample *first_bad;   /* first sample not up, or NULL */
    time_t cert_expiry;           /* 0: unknown */
    int cert_probed;              /* expiry read by an unverified probe */
    int tls_failed;               /* some sample failed TLS verification */
} hh_facts;

void hh_report(struct oc_check *c, const hh_config *cfg, hh_sample *s, size_t n);
void hh_facts_compute(const hh_config *cfg, const hh_sample *s, size_t n, hh_facts *f);
/* One line on why sample S is not up ("status 503", "timeout after ..."). */
const char *hh_sample_reason(const hh_sample *s, char *buf, size_t len);
/* Read the peer certificate's expiry without verifying (for diagnostics). */
void hh_cert_probe(struct oc_check *c, const hh_config *cfg, hh_facts *f);
void hh_diags(struct oc_check *c, const hh_config *cfg, const hh_sample *s, size_t n, const hh_facts *f);
void hh_metrics(struct oc_check *c, const hh_facts *f);

/* http.c's parallel runner (not in http.h yet: see the report of issue 3). */
size_t http_do_many(const http_request *reqs, http_response *resps, size_t n, size_t parallel);

#endif
