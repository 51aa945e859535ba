/*
 * fly_api.c - Fly Machines API and logs endpoint client (implements
 * fly_api.h).  Owner: issue 4 (fly plugin); the secret plugin reuses it.
 *
 * Why retries live here: the Machines API rate-limits per action (429) and
 * has transient 5xx; every caller wants the same polite behaviour (wait as
 * long as Retry-After says, give up when the check's deadline would pass),
 * so no plugin re-implements it.
 */
#include "fly_api.h"

#include "http.h"
#include "json.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FLY_MAX_BODY      (16u * 1024u * 1024u) /* a big app's machine list */
#define FLY_MIN_TRY_MS    300   /* do not start a request with less time left */
#define FLY_REQ_CAP_MS    30000 /* one request never takes longer */
#define FLY_BACKOFF_MS    500   /* first wait on 429/5xx without Retry-After */
#define FLY_BACKOFF_MAX_MS 8000

static void *fly_oom(void)
{
    fputs("fly_api: out of memory\n", stderr);
    abort();
}

static char *fly_strdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        fly_oom();
    return d;
}

/* printf into a new string. */
static char *fly_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fly_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    if (!s)
        fly_oom();
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static long long fly_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fly_sleep_ms(long long ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A base URL without trailing slashes; STRIP_V1 also drops a final "/v1"
 * (FLY_FLAPS_BASE_URL style bases are given without it, but people paste
 * the documented "https://api.machines.dev/v1"). */
static char *fly_base(const char *url, const char *def, int strip_v1)
{
    char *b = fly_strdup(url && *url ? url : def);
    size_t n = strlen(b);
    while (n > 0 && b[n - 1] == '/')
        b[--n] = '\0';
    if (strip_v1 && n >= 3 && strcmp(b + n - 3, "/v1") == 0)
        b[n - 3] = '\0';
    return b;
}

int fly_token_is_macaroon(const char *token)
{
    /* As fly-go's tokens.Parse: the token is comma-separated parts, and a
     * part whose prefix before "_" is fm1r, fm1a or fm2 is a macaroon; any
     * macaroon makes the scheme FlyV1 (tokens.normalized), else Bearer. */
    const char *p = token;
    while (p && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, "_,");
        if (p[n] == '_' && ((n == 4 && (!strncmp(p, "fm1r", 4) || !strncmp(p, "fm1a", 4))) ||
                            (n == 3 && !strncmp(p, "fm2", 3))))
            return 1;
        p = strchr(p, ',');
    }
    return 0;
}

void fly_api_init(fly_api *api, const char *api_url, const char *logs_url, const char *token,
                  long long budget_ms)
{
    memset(api, 0, sizeof *api);
    api->api_url = fly_base(api_url, FLY_DEFAULT_API_URL, 1);
    api->logs_url = fly_base(logs_url, FLY_DEFAULT_LOGS_URL, 0);
    api->deadline_ms = budget_ms > 0 ? fly_now_ms() + budget_ms : 0;
    api->retries = 3;
    api->tls_verify = 1;
    if (!token)
        return;
    /* Tokens read from files often end in a newline. */
    while (isspace((unsigned char)*token))
        token++;
    size_t n = strlen(token);
    while (n > 0 && isspace((unsigned char)token[n - 1]))
        n--;
    if (n == 0)
        return;
    api->token = malloc(n + 1);
    if (!api->token)
        fly_oom();
    memcpy(api->token, token, n);
    api->token[n] = '\0';
    if (strncmp(api->token, "FlyV1 ", 6) == 0 || strncmp(api->token, "Bearer ", 7) == 0)
        api->auth_header = fly_asprintf("Authorization: %s", api->token);
    else
        api->auth_header = fly_asprintf("Authorization: %s %s",
                                        fly_token_is_macaroon(api->token) ? "FlyV1" : "Bearer", api->token);
}

void fly_api_free(fly_api *api)
{
    if (api->auth_header)
        memset(api->auth_header, 0, strlen(api->auth_header));
    if (api->token)
        memset(api->token, 0, strlen(api->token));
    free(api->api_url);
    free(api->logs_url);
    free(api->auth_header);
    free(api->token);
    memset(api, 0, sizeof *api);
}

long long fly_api_remaining_ms(const fly_api *api)
{
    if (api->deadline_ms == 0)
        return 1LL << 40;
    long long left = api->deadline_ms - fly_now_ms();
    return left > 0 ? left : 0;
}

void fly_result_free(fly_result *res)
{
    cJSON_Delete(res->json);
    free(res->url);
    memset(res, 0, sizeof *res);
}

const char *fly_err_str(fly_err err)
{
    switch (err) {
    case FLY_OK: return "ok";
    case FLY_E_TRANSPORT: return "no answer";
    case FLY_E_AUTH: return "token rejected";
    case FLY_E_NOT_FOUND: return "not found";
    case FLY_E_STATUS: return "error status";
    case FLY_E_JSON: return "malformed JSON";
    case FLY_E_TIME: return "out of time";
    }
    return "error";
}

/* Percent-encode a path segment or query value (RFC 3986 unreserved kept). */
static char *fly_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *o = out;
    if (!out)
        fly_oom();
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            *o++ = (char)ch;
        } else {
            *o++ = '%';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    *o = '\0';
    return out;
}

/* Replace every occurrence of the token in BUF by "***", in place. */
static void fly_scrub(const fly_api *api, char *buf)
{
    if (!api->token || !*api->token)
        return;
    size_t tl = strlen(api->token);
    char *p;
    while ((p = strstr(buf, api->token)) != NULL) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + tl, strlen(p + tl) + 1);
    }
}

static void fly_seterr(const fly_api *api, fly_result *res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fly_seterr(const fly_api *api, fly_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof res->error, fmt, ap);
    va_end(ap);
    fly_scrub(api, res->error);
}

/* A short, printable excerpt of a body for error text: the API's own
 * "message" or "error" when the body is such JSON, else its first bytes. */
static void fly_body_excerpt(const char *body, size_t len, char *out, size_t outsz)
{
    cJSON *j = cJSON_ParseWithLength(body, len);
    const char *msg = json_str(j, "message");
    if (!msg || !*msg)
        msg = json_str(j, "error");
    const char *s = msg ? msg : body;
    size_t n = msg ? strlen(msg) : len, o = 0, i;
    for (i = 0; i < n && o < 160 && o + 4 < outsz; i++)
        out[o++] = isprint((unsigned char)s[i]) ? s[i] : ' ';
    if (i < n && o + 4 <= outsz) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    if (o == 0 && outsz > 10)
        o = (size_t)snprintf(out, outsz, "empty body");
    out[o] = '\0';
    cJSON_Delete(j);
}

/* How long to wait before retrying RESP (a 429 or 5xx), attempt N (1-based). */
static long long fly_retry_wait_ms(const http_response *resp, int n)
{
    if (resp->retry_after_s >= 0)
        return (long long)resp->retry_after_s * 1000;
    long long w = FLY_BACKOFF_MS;
    for (int i = 1; i < n && w < FLY_BACKOFF_MAX_MS; i++)
        w *= 2;
    return w < FLY_BACKOFF_MAX_MS ? w : FLY_BACKOFF_MAX_MS;
}

/* GET URL (owned by RES from here on) with retries, then parse JSON. */
static fly_err fly_get_json(fly_api *api, char *url, fly_result *res)
{
    memset(res, 0, sizeof *res);
    res->url = url;
    const char *hdrs[2] = {"Accept: application/json", api->auth_header};
    http_response resp;
    long long last_wait = -1;

    for (;;) {
        long long left = fly_api_remaining_ms(api);
        if (left < FLY_MIN_TRY_MS) {
            res->err = FLY_E_TIME;
            if (res->status)
                fly_seterr(api, res, "HTTP %ld from GET %s after %d attempt(s); no time left to retry",
                           res->status, url, res->attempts);
            else
                fly_seterr(api, res, "no time left to GET %s", url);
            return res->err;
        }
        http_request req = {
            .method = "GET",
            .url = url,
            .headers = hdrs,
            .nheaders = api->auth_header ? 2 : 1,
            .timeout_ms = left < FLY_REQ_CAP_MS ? left : FLY_REQ_CAP_MS,
            .tls_verify = api->tls_verify,
            .max_body = FLY_MAX_BODY,
        };
        res->attempts++;
        if (http_do(&req, &resp) != 0) {
            res->err = FLY_E_TRANSPORT;
            fly_seterr(api, res, "GET %s: %s", url, resp.error[0] ? resp.error : "no answer");
            http_response_free(&resp);
            return res->err;
        }
        res->status = resp.status;
        int transient = resp.status == 429 || resp.status >= 500;
        if (!transient || res->attempts > api->retries)
            break;
        long long wait = fly_retry_wait_ms(&resp, res->attempts);
        if (wait + FLY_MIN_TRY_MS > fly_api_remaining_ms(api)) {
            res->err = FLY_E_STATUS;
            fly_seterr(api, res,
                       "HTTP %ld from GET %s after %d attempt(s); retry after %llds exceeds the time left",
                       resp.status, url, res->attempts, (wait + 999) / 1000);
            http_response_free(&resp);
            return res->err;
        }
        last_wait = wait;
        http_response_free(&resp);
        fly_sleep_ms(wait);
    }

    char excerpt[200];
    fly_body_excerpt(resp.body, resp.body_len, excerpt, sizeof excerpt);
    if (resp.status == 401 || resp.status == 403) {
        res->err = FLY_E_AUTH;
        fly_seterr(api, res, "HTTP %ld from GET %s: token %s (%s)", resp.status, url,
                   api->auth_header ? "rejected" : "missing", excerpt);
    } else if (resp.status == 404) {
        res->err = FLY_E_NOT_FOUND;
        fly_seterr(api, res, "HTTP 404 from GET %s: not found (%s)", url, excerpt);
    } else if (resp.status < 200 || resp.status > 299) {
        res->err = FLY_E_STATUS;
        if (last_wait >= 0)
            fly_seterr(api, res, "HTTP %ld from GET %s after %d attempts (%s)", resp.status, url,
                       res->attempts, excerpt);
        else
            fly_seterr(api, res, "HTTP %ld from GET %s (%s)", resp.status, url, excerpt);
    } else if (resp.body_too_large) {
        res->err = FLY_E_JSON;
        fly_seterr(api, res, "GET %s: body larger than %u bytes", url, FLY_MAX_BODY);
    } else {
        const char *end = NULL;
        res->json = cJSON_ParseWithLengthOpts(resp.body, resp.body_len, &end, 0);
        if (!res->json) {
            res->err = FLY_E_JSON;
            size_t at = end && end >= resp.body ? (size_t)(end - resp.body) : 0;
            fly_seterr(api, res, "malformed JSON from GET %s (%zu bytes, error at byte %zu): %s", url,
                       resp.body_len, at, excerpt);
        }
    }
    http_response_free(&resp);
    return res->err;
}

/* GET {api_url}/v1/apps/{app}{suffix}; SUFFIX is already escaped. */
static fly_err fly_get_app_path(fly_api *api, const char *app, const char *suffix, fly_result *res)
{
    char *a = fly_escape(app ? app : "");
    char *url = fly_asprintf("%s/v1/apps/%s%s", api->api_url, a, suffix);
    free(a);
    return fly_get_json(api, url, res);
}

fly_err fly_get_app(fly_api *api, const char *app, fly_result *res)
{
    if (fly_get_app_path(api, app, "", res) == FLY_OK && !cJSON_IsObject(res->json)) {
        res->err = FLY_E_JSON;
        fly_seterr(api, res, "GET %s: expected a JSON object", res->url);
    }
    return res->err;
}

fly_err fly_list_machines(fly_api *api, const char *app, fly_result *res)
{
    if (fly_get_app_path(api, app, "/machines", res) == FLY_OK && !cJSON_IsArray(res->json)) {
        res->err = FLY_E_JSON;
        fly_seterr(api, res, "GET %s: expected a JSON array of machines", res->url);
    }
    return res->err;
}

fly_err fly_get_machine(fly_api *api, const char *app, const char *id, fly_result *res)
{
    char *i = fly_escape(id ? id : "");
    char *suffix = fly_asprintf("/machines/%s", i);
    free(i);
    fly_get_app_path(api, app, suffix, res);
    free(suffix);
    if (res->err == FLY_OK && !cJSON_IsObject(res->json)) {
        res->err = FLY_E_JSON;
        fly_seterr(api, res, "GET %s: expected a JSON object", res->url);
    }
    return res->err;
}

fly_err fly_list_secrets(fly_api *api, const char *app, fly_result *res)
{
    if (fly_get_app_path(api, app, "/secrets", res) == FLY_OK &&
        !cJSON_IsArray(json_get(res->json, "secrets"))) {
        res->err = FLY_E_JSON;
        fly_seterr(api, res, "GET %s: expected {\"secrets\": [...]}", res->url);
    }
    return res->err;
}

fly_err fly_get_logs(fly_api *api, const char *app, const char *next_token, fly_result *res)
{
    char *a = fly_escape(app ? app : "");
    char *url;
    if (next_token && *next_token) {
        char *t = fly_escape(next_token);
        url = fly_asprintf("%s/api/v1/apps/%s/logs?next_token=%s", api->logs_url, a, t);
        free(t);
    } else {
        url = fly_asprintf("%s/api/v1/apps/%s/logs", api->logs_url, a);
    }
    free(a);
    if (fly_get_json(api, url, res) == FLY_OK && !cJSON_IsObject(res->json)) {
        res->err = FLY_E_JSON;
        fly_seterr(api, res, "GET %s: expected a JSON object with \"data\"", res->url);
    }
    return res->err;
}

int fly_secret_updated_at(const cJSON *secrets, const char *name, time_t *out)
{
    const cJSON *arr = cJSON_IsArray(secrets) ? secrets : json_get(secrets, "secrets");
    const cJSON *s;
    cJSON_ArrayForEach(s, arr) {
        const char *n = json_str(s, "name");
        if (!n || strcmp(n, name) != 0)
            continue;
        if (json_time(s, "updated_at", out) == 0 || json_time(s, "created_at", out) == 0)
            return 0;
        return -1;
    }
    return -1;
}
