/*
 * fly_logs.h - pure parts of the fly plugin's log scan (no I/O, no oc_*):
 * reading one page of GET /api/v1/apps/{app}/logs, and matching log lines
 * against the error patterns.  Unit-tested in tests/unit/test_fly_logs.c.
 *
 * Ownership: a fly_log_page points into the caller's cJSON tree (entries
 * array malloc'd, freed by fly_log_page_free); fly_patterns owns its
 * compiled regexes and copies of the matched lines (fly_patterns_free).
 */
#ifndef FLY_LOGS_H
#define FLY_LOGS_H

#include <cjson/cJSON.h>
#include "../common/regexp.h"
#include <stddef.h>
#include <time.h>

typedef struct fly_log_entry {
    time_t ts;            /* seconds since the epoch; 0 when unreadable */
    const char *message;  /* "" when absent */
    const char *instance; /* machine id, "" when absent */
    const char *region;
    const char *level;
    int http_status;      /* meta.http.response.status_code, 0 when none */
} fly_log_entry;

typedef struct fly_log_page {
    fly_log_entry *entries;
    size_t n;
    const char *next_token; /* meta.next_token (string or number as text), or NULL */
    char next_buf[32];      /* holds next_token when it came as a number */
} fly_log_page;

/* Read a JSON:API logs document: data[].attributes and meta.next_token.
 * Keys are matched case-insensitively (the Go decoder does).  Returns 0,
 * or -1 when DOC has no "data" array. */
int fly_log_page_parse(const cJSON *doc, fly_log_page *page);
void fly_log_page_free(fly_log_page *page);

/* A timestamp node as epoch seconds: RFC 3339 text, or an integer of
 * seconds, ms, us or ns (told apart by size).  0 or -1. */
int fly_log_time(const cJSON *node, time_t *out);

/* The text patterns are matched against: the message, plus
 * " response.status=NNN" when the entry carries an HTTP status (as
 * `flyctl logs` prints it).  Written into BUF. */
void fly_log_text(const fly_log_entry *e, char *buf, size_t n);

#define FLY_LOG_KEEP 5 /* matching lines kept for the report */

typedef struct fly_pattern {
    char *label;          /* what the report calls it */
    rx re;                /* PCRE2, caseless */
    size_t count;         /* lines it matched */
} fly_pattern;

typedef struct fly_patterns {
    fly_pattern *p;
    size_t n;
    size_t lines;         /* lines that matched any pattern */
    char *first[FLY_LOG_KEEP]; /* first matching lines, formatted */
    size_t nfirst;
} fly_patterns;

/* Compile ITEMS (PCRE2 regexes as grep -P reads them, case-insensitive) or, when N is
 * 0, the runbook's defaults (OOM, Out of memory, Worker failed to boot,
 * db_down, timeout, HTTP 5xx).  Returns 0, or -1 with ERR set. */
int fly_patterns_init(fly_patterns *ps, const char *const *items, size_t n, char *err, size_t errsz);
void fly_patterns_free(fly_patterns *ps);

/* Match entry E against every pattern; count it and keep its line
 * ("TS INSTANCE REGION: MESSAGE") among the first few.  1 if it matched. */
int fly_patterns_feed(fly_patterns *ps, const fly_log_entry *e);

#endif
