/*
 * http.h - one HTTP request over libcurl, shared by every plugin that talks
 * HTTP (http-health, fly, mp-webhook, secret, billing's mp_verify).
 *
 * Ownership: the request's strings belong to the caller and are only read
 * during http_do().  The response owns its body, headers and strings;
 * http_response_free() releases them.  Nothing here writes to stdout.
 */
#ifndef OC_COMMON_HTTP_H
#define OC_COMMON_HTTP_H

#include <stddef.h>
#include <time.h>

typedef struct http_request {
    const char *method;           /* "GET" when NULL */
    const char *url;
    const char *const *headers;   /* "Name: value" lines */
    size_t nheaders;
    const char *body;             /* NULL: no body */
    size_t body_len;
    long long timeout_ms;         /* whole transfer; 0 = none (callers pass oc_remaining_ms) */
    int follow_redirects;         /* 0: a 3xx is returned as is */
    int tls_verify;               /* 1: verify peer and host name */
    const char *ca_file;          /* NULL: system CA store */
    size_t max_body;              /* 0: 1 MiB; the transfer fails past it (body_too_large) */
} http_request;

typedef struct http_response {
    long status;                  /* 0 when no HTTP answer arrived */
    char *body;                   /* NUL-terminated, body_len bytes (capped at max_body) */
    size_t body_len;
    int body_too_large;           /* the body went past max_body */
    char *headers;                /* raw response header block of the final answer */
    char *content_type;           /* or NULL */
    char *location;               /* Location header of a redirect, or NULL */
    long retry_after_s;           /* Retry-After in seconds, -1 when absent */
    /* libcurl phase times in milliseconds, each from the start of the request */
    double t_dns_ms, t_connect_ms, t_tls_ms, t_first_byte_ms, t_total_ms;
    time_t cert_expiry;           /* notAfter of the peer certificate, 0 when not HTTPS */
    int curl_code;                /* CURLcode; 0 when the transfer worked */
    char error[256];              /* one line: what went wrong ("connection refused to 127.0.0.1:1"), or "" */
} http_response;

/* libcurl's (and OpenSSL's) global set-up, once per process; 0 or -1.  The
 * HTTP plugins name it as their init, so it runs once in the plugin's zygote
 * and every check forked from it starts with it done (http_do() calls it too,
 * for callers without a zygote). */
int http_init(void);

/* Perform one request.  Returns 0 when an HTTP answer was received (any
 * status), -1 otherwise with resp->error set.  Always initialises *resp. */
int http_do(const http_request *req, http_response *resp);
void http_response_free(http_response *resp);
/* Value of header NAME (case-insensitive) in resp->headers, malloc'd, or NULL. */
char *http_header(const http_response *resp, const char *name);

#endif
