/*
 * fly_api.h - a small client of the Fly Machines API and of the Fly logs
 * endpoint, over http.h.  Shared by the `fly` plugin (machines, logs) and
 * the `secret` plugin (secrets' updated_at).  API access lives here; what a
 * plugin asserts about the answers lives in the plugin.
 *
 * Every call is one GET, retried on 429 and 5xx while the deadline allows
 * (honouring Retry-After), and parsed as JSON.  The token is sent only in
 * the Authorization header and never appears in any text this module
 * produces (errors are scrubbed of it as well, in case a server echoes it).
 *
 * Ownership: fly_api_init() copies what it needs; fly_api_free() releases
 * it.  A fly_result owns its parsed JSON and URL; fly_result_free()
 * releases them.  Nothing here writes to stdout.
 */
#ifndef OC_COMMON_FLY_API_H
#define OC_COMMON_FLY_API_H

#include <cjson/cJSON.h>
#include <time.h>

#define FLY_DEFAULT_API_URL  "https://api.machines.dev"
#define FLY_DEFAULT_LOGS_URL "https://api.fly.io"

/* What went wrong with a call; the numbers are stable for tests. */
typedef enum fly_err {
    FLY_OK = 0,
    FLY_E_TRANSPORT = -1, /* no HTTP answer: refused, DNS, timeout, TLS */
    FLY_E_AUTH = -2,      /* 401 or 403: token missing or rejected */
    FLY_E_NOT_FOUND = -3, /* 404: app or machine not found */
    FLY_E_STATUS = -4,    /* any other non-2xx, after the retries */
    FLY_E_JSON = -5,      /* 2xx but the body is not the JSON expected */
    FLY_E_TIME = -6       /* no time left to (re)try */
} fly_err;

typedef struct fly_api {
    char *api_url;        /* Machines API base, without trailing "/" or "/v1" */
    char *logs_url;       /* base of /api/v1/apps/{app}/logs */
    char *auth_header;    /* "Authorization: Bearer ..." (secret) */
    char *token;          /* kept only to scrub it out of error text */
    long long deadline_ms;/* CLOCK_MONOTONIC ms; 0 = none */
    int retries;          /* extra attempts after a 429/5xx */
    int tls_verify;
} fly_api;

typedef struct fly_result {
    fly_err err;
    long status;          /* last HTTP status, 0 when none arrived */
    int attempts;         /* requests sent */
    cJSON *json;          /* parsed body when err == FLY_OK */
    char *url;            /* what was requested (no secret in it) */
    char error[512];      /* one line for an operator, "" when FLY_OK */
} fly_result;

/* A token whose comma-separated parts include a macaroon (fm1r_, fm1a_,
 * fm2_), as fly-go's tokens.Parse tells them apart: 1, else 0. */
int fly_token_is_macaroon(const char *token);

/* Set up a client.  TOKEN may be NULL or "" (no Authorization header);
 * it is sent as "FlyV1 TOKEN" when it holds a macaroon (fly_token_is_macaroon),
 * else "Bearer TOKEN", or as given when it already starts with
 * "FlyV1 " or "Bearer ".  BUDGET_MS is the time every call together may
 * take (pass oc_remaining_ms()), 0 for none.  URLs NULL take the defaults. */
void fly_api_init(fly_api *api, const char *api_url, const char *logs_url, const char *token,
                  long long budget_ms);
void fly_api_free(fly_api *api);

/* Milliseconds left before the deadline (a large number when none). */
long long fly_api_remaining_ms(const fly_api *api);

/* GET {api_url}/v1/apps/{app} */
fly_err fly_get_app(fly_api *api, const char *app, fly_result *res);
/* GET {api_url}/v1/apps/{app}/machines : a JSON array */
fly_err fly_list_machines(fly_api *api, const char *app, fly_result *res);
/* GET {api_url}/v1/apps/{app}/machines/{id} */
fly_err fly_get_machine(fly_api *api, const char *app, const char *id, fly_result *res);
/* GET {logs_url}/api/v1/apps/{app}/logs?next_token=TOKEN (TOKEN may be NULL) */
fly_err fly_get_logs(fly_api *api, const char *app, const char *next_token, fly_result *res);
/* GET {api_url}/v1/apps/{app}/secrets : {"secrets":[{name,digest,created_at,updated_at}]} */
fly_err fly_list_secrets(fly_api *api, const char *app, fly_result *res);

/* From a fly_list_secrets() answer: updated_at of secret NAME (created_at
 * when updated_at is absent).  Returns 0, or -1 when there is no such secret. */
int fly_secret_updated_at(const cJSON *secrets, const char *name, time_t *out);

void fly_result_free(fly_result *res);

/* Short words for an error kind ("token rejected", "not found", ...). */
const char *fly_err_str(fly_err err);

#endif
