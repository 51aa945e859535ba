/*
 * role_mp.c - the stand-in's Mercado Pago roles (issue 5).
 *
 * "mp_webhook": a notification receiver that verifies x-signature exactly as
 * Mercado Pago's rules say (external-apis.md §3.2): data.id from the query,
 * x-request-id header, HMAC-SHA256 with the secret from the environment
 * variable `secret_env`, compared in constant time.  Authentic: `status`
 * (default 200) and {"received":true}; otherwise 401 {"error":"invalid
 * signature","reason":"mismatch"}.  `accept_any: true` answers `status` to
 * everything: the broken receiver whose acceptance of a bad signature the
 * mp-webhook plugin must call a security failure.  An unset `secret_env`
 * refuses every request (a warning on stderr).
 *
 * "mp_payments": GET /v1/payments/{id} (use "path_prefix": "/v1/payments/").
 * `payments` maps ids to payment objects (answered with "id" added); an
 * unknown id gets Mercado Pago's 404 body.  With `token_env`, a request
 * without "Authorization: Bearer <that value>" gets 401.
 *
 * The signature code is shared with the plugin by including its source:
 * the Makefile builds the stand-in from the .c files of tests/standin only, and this one
 * line keeps a single implementation of the rules for both sides.
 */
#include "../../plugins/common/mp_sign.c"

#include "standin.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mp_role_data {
    int accept_any;
    int have_secret;
    char secret[512];     /* webhook secret, or Bearer token for mp_payments */
} mp_role_data;

static const char *const mp_webhook_keys[] = {"secret_env", "accept_any", NULL};
static const char *const mp_payments_keys[] = {"payments", "token_env", NULL};

/* Read the env var named by KEY into a new mp_role_data. */
static int mp_role_env(sd_route *r, const char *key, int required, char *err, size_t errlen)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, key);
    mp_role_data *d = calloc(1, sizeof *d);

    if (!d)
        abort();
    r->role_data = d;
    if (!e) {
        if (required)
            return snprintf(err, errlen, "%s: required (the name of an environment variable)", key), -1;
        return 0;
    }
    if (!cJSON_IsString(e) || !*e->valuestring)
        return snprintf(err, errlen, "%s: must be the name of an environment variable", key), -1;
    const char *v = getenv(e->valuestring);
    if (!v || !*v) {
        fprintf(stderr, "standin: warning: %s %s is unset: every request to this route is refused\n", key,
                e->valuestring);
        return 0;
    }
    if (strlen(v) >= sizeof d->secret)
        return snprintf(err, errlen, "%s: the value of %s is too long", key, e->valuestring), -1;
    strcpy(d->secret, v);
    d->have_secret = 1;
    return 0;
}

static int mp_webhook_validate(sd_route *r, char *err, size_t errlen)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r->json, "accept_any");
    if (a && !cJSON_IsBool(a))
        return snprintf(err, errlen, "accept_any: must be true or false"), -1;
    if (mp_role_env(r, "secret_env", !cJSON_IsTrue(a), err, errlen) != 0)
        return -1;
    ((mp_role_data *)r->role_data)->accept_any = cJSON_IsTrue(a);
    return 0;
}

static enum MHD_Result mp_webhook_answer(const sd_route *r, const sd_req *q)
{
    const mp_role_data *d = r->role_data;
    char body[128];

    if (!d->accept_any) {
        mp_sig_result v = MP_SIG_MISSING;
        if (d->have_secret)
            v = mp_verify(d->secret, MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "x-signature"),
                          MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "data.id"),
                          MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "x-request-id"));
        if (v != MP_SIG_OK) {
            snprintf(body, sizeof body, "{\"error\":\"invalid signature\",\"reason\":\"%s\"}",
                     d->have_secret ? mp_sig_reason(v) : "no secret configured");
            return sd_answer_json(q->conn, 401, body);
        }
    }
    return sd_answer_json(q->conn, r->status, "{\"received\":true}");
}

static int mp_payments_validate(sd_route *r, char *err, size_t errlen)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(r->json, "payments");
    if (p && !cJSON_IsObject(p))
        return snprintf(err, errlen, "payments: must be an object of id -> payment"), -1;
    return mp_role_env(r, "token_env", 0, err, errlen);
}

/* Equal in constant time whatever the lengths (compare digests). */
static int mp_eq(const char *a, const char *b)
{
    unsigned char ha[SHA256_DIGEST_LENGTH], hb[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)a, strlen(a), ha);
    SHA256((const unsigned char *)b, strlen(b), hb);
    return CRYPTO_memcmp(ha, hb, sizeof ha) == 0;
}

static enum MHD_Result mp_payments_answer(const sd_route *r, const sd_req *q)
{
    const mp_role_data *d = r->role_data;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "token_env");
    const char *id = q->url + strlen(r->path_prefix ? r->path_prefix : "/v1/payments/");
    char want[600];

    if (e) {
        const char *got = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Authorization");
        snprintf(want, sizeof want, "Bearer %s", d->secret);
        if (!d->have_secret || !got || !mp_eq(got, want))
            return sd_answer_json(q->conn, 401, "{\"message\":\"invalid access token\",\"error\":"
                                                "\"unauthorized\",\"status\":401,\"cause\":[]}");
    }
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->json, "payments"), id);
    if (!p)
        return sd_answer_json(q->conn, 404, "{\"message\":\"Payment not found\",\"error\":\"not_found\","
                                            "\"status\":404,\"cause\":[{\"code\":2000,\"description\":"
                                            "\"Payment not found\",\"data\":null}]}");
    cJSON *copy = cJSON_Duplicate(p, 1);
    char *end;
    double num = strtod(id, &end);
    if (!cJSON_GetObjectItemCaseSensitive(copy, "id"))
        cJSON_AddItemToObject(copy, "id", *end ? cJSON_CreateString(id) : cJSON_CreateNumber(num));
    char *text = cJSON_PrintUnformatted(copy);
    enum MHD_Result ret = sd_answer_json(q->conn, r->status, text);
    free(text);
    cJSON_Delete(copy);
    return ret;
}

const sd_role sd_role_mp_webhook = {
    .name = "mp_webhook",
    .keys = mp_webhook_keys,
    .validate = mp_webhook_validate,
    .answer = mp_webhook_answer,
};

const sd_role sd_role_mp_payments = {
    .name = "mp_payments",
    .keys = mp_payments_keys,
    .validate = mp_payments_validate,
    .answer = mp_payments_answer,
};
