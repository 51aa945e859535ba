/*
 * http.c - one HTTP request over libcurl (implements http.h), plus
 * http_do_many() to run several requests in parallel over a curl multi
 * handle (used by http-health's `concurrency`; its prototype lives in
 * plugins/http-health/hh.h until http.h grows it).
 *
 * Owner: issue 3 (http-health).  Every transfer uses a fresh easy handle:
 * a check runs in its own forked child, so there is no connection cache to
 * keep, and a fresh handle makes the phase times honest (DNS, connect and
 * TLS are measured on every sample).
 */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HTTP_DEFAULT_MAX_BODY (1024u * 1024u)

/* A growable byte buffer, always NUL-terminated. */
typedef struct http_buf {
    char *p;
    size_t len, cap;
} http_buf;

/* One transfer in flight: the easy handle and what it fills. */
typedef struct http_xfer {
    CURL *easy;
    struct curl_slist *hdrs;
    const http_request *req;
    http_response *resp;
    http_buf body, head;
    size_t max_body;
    char errbuf[CURL_ERROR_SIZE];
} http_xfer;

static void *http_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "http: out of memory\n");
        abort();
    }
    return q;
}

static void http_buf_add(http_buf *b, const char *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = http_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void http_seterr(http_response *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}

/* Body bytes: kept up to max_body; past it the transfer is aborted so a
 * huge answer costs neither memory nor time. */
static size_t http_on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    http_xfer *x = ud;
    size_t n = size * nmemb;
    size_t room = x->max_body > x->body.len ? x->max_body - x->body.len : 0;

    if (n > room) {
        http_buf_add(&x->body, data, room);
        x->resp->body_too_large = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    http_buf_add(&x->body, data, n);
    return n;
}

/* Header lines: a status line starts a new answer (redirects, 100
 * Continue), so only the final answer's block is kept. */
static size_t http_on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    http_xfer *x = ud;
    size_t n = size * nmemb;

    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
        x->head.len = 0;
    if (x->head.len < 64 * 1024)
        http_buf_add(&x->head, data, n);
    return n;
}

/* RFC 6761: names under .invalid never resolve.  Answer that locally so a
 * test never sends a DNS query off the machine. */
static int http_host_is_invalid(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    int bad = 0;

    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
        size_t n = strlen(host);
        while (n && host[n - 1] == '.')
            n--;
        bad = (n == 7 && strncasecmp(host, "invalid", 7) == 0) ||
              (n > 8 && strncasecmp(host + n - 8, ".invalid", 8) == 0);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return bad;
}

int http_init(void)
{
    static int done;
    if (!done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return -1;
        done = 1;
    }
    return 0;
}

/* Prepare X's easy handle for REQ; RESP is zeroed.  Returns 0 or -1 with
 * resp->error set (nothing to clean but http_xfer_done). */
static int http_xfer_setup(http_xfer *x, const http_request *req, http_response *resp)
{
    memset(x, 0, sizeof *x);
    memset(resp, 0, sizeof *resp);
    resp->retry_after_s = -1;
    x->req = req;
    x->resp = resp;
    x->max_body = req->max_body ? req->max_body : HTTP_DEFAULT_MAX_BODY;

    if (!req->url || !*req->url) {
        resp->curl_code = CURLE_URL_MALFORMAT;
        http_seterr(resp, "no URL");
        return -1;
    }
    if (http_host_is_invalid(req->url)) {
        resp->curl_code = CURLE_COULDNT_RESOLVE_HOST;
        http_seterr(resp, "cannot resolve host: names under .invalid never resolve");
        return -1;
    }
    http_init();
    x->easy = curl_easy_init();
    if (!x->easy) {
        resp->curl_code = CURLE_FAILED_INIT;
        http_seterr(resp, "curl_easy_init failed");
        return -1;
    }
    CURL *e = x->easy;
    const char *method = req->method ? req->method : "GET";

    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "opscheck/http");
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, req->tls_verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, req->tls_verify ? 2L : 0L);
    curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
    if (req->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
    if (req->timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);

    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (req->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
        if (strcmp(method, "POST") == 0)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    }
    for (size_t i = 0; i < req->nheaders; i++) {
        struct curl_slist *l = curl_slist_append(x->hdrs, req->headers[i]);
        if (!l) {
            fprintf(stderr, "http: out of memory\n");
            abort();
        }
        x->hdrs = l;
    }
    /* No "Expect: 100-continue" pause on large bodies. */
    x->hdrs = curl_slist_append(x->hdrs, "Expect:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
    return 0;
}

/* notAfter of the leaf certificate from CURLINFO_CERTINFO (OpenSSL prints
 * "Expire date:Mar 10 12:00:00 2026 GMT"). */
static time_t http_cert_expiry(CURL *e)
{
    struct curl_certinfo *ci = NULL;

    if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return 0;
    for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next) {
        if (strncmp(l->data, "Expire date:", 12) != 0)
            continue;
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(l->data + 12, "%b %d %H:%M:%S %Y", &tm);
        return end ? timegm(&tm) : 0;
    }
    return 0;
}

/* One line saying what went wrong, operator words first, curl's detail after. */
static void http_describe(http_xfer *x, CURLcode rc)
{
    http_response *r = x->resp;
    const char *what;
    const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);

    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: what = "cannot resolve host"; break;
    case CURLE_COULDNT_CONNECT: what = "connection refused"; break;
    case CURLE_OPERATION_TIMEDOUT: what = "timeout"; break;
    case CURLE_PEER_FAILED_VERIFICATION: what = "TLS verification failed"; break;
    case CURLE_SSL_CONNECT_ERROR: what = "TLS handshake failed"; break;
    case CURLE_PARTIAL_FILE: what = "connection closed before the whole body arrived"; break;
    case CURLE_GOT_NOTHING: what = "empty reply"; break;
    case CURLE_RECV_ERROR: what = "receive failed"; break;
    case CURLE_TOO_MANY_REDIRECTS: what = "too many redirects"; break;
    default: what = "request failed"; break;
    }
    if (rc == CURLE_WRITE_ERROR && r->body_too_large) {
        http_seterr(r, "body larger than max_body (%zu bytes)", x->max_body);
        return;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT && x->req->timeout_ms > 0) {
        http_seterr(r, "timeout after %lld ms (%s)", x->req->timeout_ms, detail);
        return;
    }
    http_seterr(r, "%s: %s", what, detail);
}

static double http_us_to_ms(CURL *e, CURLINFO info)
{
    curl_off_t us = 0;
    curl_easy_getinfo(e, info, &us);
    return (double)us / 1000.0;
}

/* Fill X->resp from the finished transfer and release the handle.
 * Returns 0 when the transfer worked, -1 otherwise. */
static int http_xfer_done(http_xfer *x, CURLcode rc)
{
    http_response *r = x->resp;

    if (x->easy) {
        CURL *e = x->easy;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
        r->t_dns_ms = http_us_to_ms(e, CURLINFO_NAMELOOKUP_TIME_T);
        r->t_connect_ms = http_us_to_ms(e, CURLINFO_CONNECT_TIME_T);
        r->t_tls_ms = http_us_to_ms(e, CURLINFO_APPCONNECT_TIME_T);
        r->t_first_byte_ms = http_us_to_ms(e, CURLINFO_STARTTRANSFER_TIME_T);
        r->t_total_ms = http_us_to_ms(e, CURLINFO_TOTAL_TIME_T);
        curl_off_t ra = -1;
        if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
            r->retry_after_s = (long)ra;
        if (rc == CURLE_OK)
            r->cert_expiry = http_cert_expiry(e);
        r->curl_code = (int)rc;
        if (rc != CURLE_OK)
            http_describe(x, rc);
        curl_easy_cleanup(e);
        x->easy = NULL;
    }
    curl_slist_free_all(x->hdrs);
    x->hdrs = NULL;

    r->body = x->body.p ? x->body.p : http_xrealloc(NULL, 1);
    r->body[x->body.len] = '\0';
    r->body_len = x->body.len;
    r->headers = x->head.p ? x->head.p : http_xrealloc(NULL, 1);
    r->headers[x->head.len] = '\0';
    x->body.p = x->head.p = NULL;
    r->content_type = http_header(r, "Content-Type");
    r->location = http_header(r, "Location");
    return r->curl_code == 0 ? 0 : -1;
}

int http_do(const http_request *req, http_response *resp)
{
    http_xfer x;

    if (http_xfer_setup(&x, req, resp) != 0)
        return http_xfer_done(&x, CURLE_OK), -1;
    return http_xfer_done(&x, curl_easy_perform(x.easy));
}

/* Run N requests with at most PARALLEL in flight (0 or 1: one at a time).
 * Each resps[i] is filled as by http_do(reqs[i]).  Returns how many
 * transfers failed (http_do would have returned -1). */
size_t http_do_many(const http_request *reqs, http_response *resps, size_t n, size_t parallel)
{
    size_t failed = 0, next = 0, running = 0;
    http_xfer *xs = http_xrealloc(NULL, (n ? n : 1) * sizeof *xs);
    CURLM *m;

    http_init();
    m = curl_multi_init();
    if (!m) {
        fprintf(stderr, "http: curl_multi_init failed\n");
        abort();
    }
    if (parallel == 0)
        parallel = 1;
    while (next < n || running > 0) {
        while (next < n && running < parallel) {
            size_t i = next++;
            if (http_xfer_setup(&xs[i], &reqs[i], &resps[i]) != 0) {
                http_xfer_done(&xs[i], CURLE_OK);
                failed++;
                continue;
            }
            curl_easy_setopt(xs[i].easy, CURLOPT_PRIVATE, &xs[i]);
            curl_multi_add_handle(m, xs[i].easy);
            running++;
        }
        int still = 0;
        curl_multi_perform(m, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            http_xfer *x = NULL;
            CURLcode rc = msg->data.result;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            curl_multi_remove_handle(m, msg->easy_handle);
            if (http_xfer_done(x, rc) != 0)
                failed++;
            running--;
        }
        if (running > 0)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    curl_multi_cleanup(m);
    free(xs);
    return failed;
}

void http_response_free(http_response *resp)
{
    if (!resp)
        return;
    free(resp->body);
    free(resp->headers);
    free(resp->content_type);
    free(resp->location);
    resp->body = resp->headers = resp->content_type = resp->location = NULL;
}

/* Header NAME of the final answer, value trimmed, malloc'd; NULL if absent. */
char *http_header(const http_response *resp, const char *name)
{
    size_t nl = strlen(name);
    const char *p = resp && resp->headers ? resp->headers : "";

    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1, *end = p + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && isspace((unsigned char)end[-1]))
                end--;
            char *out = http_xrealloc(NULL, (size_t)(end - v) + 1);
            memcpy(out, v, (size_t)(end - v));
            out[end - v] = '\0';
            return out;
        }
        p = eol ? eol + 1 : p + len;
    }
    return NULL;
}
