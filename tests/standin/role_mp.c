/*
 * role_mp.c - the stand-in's Mercado Pago roles (issue 5).
 *
 * "mp_webhook": a notification receiver that verifies x-signature as the
 * official SDKs' WebhookSignatureValidator does (see README.md for the
 * sources): data.id from the query in its original casing (`lowercase_id:
 * true`: the older lowercase rule), x-request-id header, HMAC-SHA256 with the
 * secret from the environment variable `secret_env`, compared in constant
 * time; then freshness, ts in seconds, |now_ms - ts*1000| <= `tolerance_s`
 * (default 300, the 5 minutes the SDKs' docs suggest; 0: no check), so a ts
 * in milliseconds is refused as "stale".  Authentic: `status` (default 200)
 * and {"received":true}; otherwise 401 {"error":"invalid signature",
 * "reason":"mismatch"} (or missing, malformed, stale).  `accept_any: true`
 * answers `status` to everything: the broken receiver whose acceptance of a
 * bad signature the mp-webhook plugin must call a security failure.  An
 * unset `secret_env` refuses every request (a warning on stderr).
 * `strict_body: true`: the body must be a delivery's (numeric id and
 * user_id, boolean live_mode, date_created with a zone, data.id equal to
 * the query's), else 400 {"error":"bad body","reason":...}: a receiver
 * whose typed model (id: number) refuses anything else.
 * `record_dsn_env`: like a real receiver, every notification it gets is
 * written to webhook_events (topic, action from the body, data_id,
 * request_id, the status answered, processed_at when 2xx, error when not)
 * in the database that environment variable's libpq string names.
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

#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

typedef struct mp_role_data {
    int accept_any;
    int have_secret;
    int lowercase_id;
    int strict_body;
    long long tolerance_s;
    const char *record_dsn; /* from the environment; NULL: nothing recorded */
    char secret[512];     /* webhook secret, or Bearer token for mp_payments */
} mp_role_data;

static const char *const mp_webhook_keys[] = {"secret_env", "accept_any", "lowercase_id", "tolerance_s",
                                              "record_dsn_env", "strict_body", NULL};
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
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(r->json, "lowercase_id");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->json, "tolerance_s");
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(r->json, "record_dsn_env");
    if (a && !cJSON_IsBool(a))
        return snprintf(err, errlen, "accept_any: must be true or false"), -1;
    const cJSON *sb = cJSON_GetObjectItemCaseSensitive(r->json, "strict_body");
    if (l && !cJSON_IsBool(l))
        return snprintf(err, errlen, "lowercase_id: must be true or false"), -1;
    if (sb && !cJSON_IsBool(sb))
        return snprintf(err, errlen, "strict_body: must be true or false"), -1;
    if (t && (!cJSON_IsNumber(t) || t->valuedouble < 0 || t->valuedouble > 1e9))
        return snprintf(err, errlen, "tolerance_s: must be a number of seconds, 0 for no check"), -1;
    if (rec && (!cJSON_IsString(rec) || !*rec->valuestring))
        return snprintf(err, errlen, "record_dsn_env: must be the name of an environment variable"), -1;
    if (mp_role_env(r, "secret_env", !cJSON_IsTrue(a), err, errlen) != 0)
        return -1;
    mp_role_data *d = r->role_data;
    d->accept_any = cJSON_IsTrue(a);
    d->lowercase_id = cJSON_IsTrue(l);
    d->strict_body = cJSON_IsTrue(sb);
    d->tolerance_s = t ? (long long)t->valuedouble : 300;
    d->record_dsn = rec ? getenv(rec->valuestring) : NULL;
    if (rec && !d->record_dsn)
        fprintf(stderr, "standin: warning: record_dsn_env %s is unset: nothing recorded\n", rec->valuestring);
    return 0;
}

/* Write the notification to webhook_events as a real receiver does.  A
 * failure is said on stderr; the answer is the same (a receiver whose
 * database is down is another test's story). */
static void mp_record(const mp_role_data *d, const sd_req *q, int status, const char *error)
{
    cJSON *j = q->body ? cJSON_ParseWithLength(q->body, q->body_len) : NULL;
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(j, "action");
    const char *type = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "type");
    char st[16];
    snprintf(st, sizeof st, "%d", status);
    const char *v[] = {type ? type : "payment", cJSON_IsString(act) ? act->valuestring : NULL,
                       MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "data.id"),
                       MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "x-request-id"), st, error};
    PGconn *pg = PQconnectdb(d->record_dsn);
    PGresult *res = NULL;
    if (PQstatus(pg) == CONNECTION_OK)
        res = PQexecParams(pg,
                           "INSERT INTO webhook_events (topic, action, data_id, request_id, http_status, "
                           "processed_at, error) VALUES ($1, $2, $3, $4, $5::int, "
                           "CASE WHEN $5::int BETWEEN 200 AND 299 THEN now() END, $6)",
                           6, NULL, v, NULL, NULL, 0);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
        fprintf(stderr, "standin: mp_webhook: cannot record the notification: %s", PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
    cJSON_Delete(j);
}

/* What is wrong with a notification's body for a typed receiver, or NULL. */
static const char *mp_body_fault(const sd_req *q)
{
    cJSON *j = cJSON_ParseWithLength(q->body, q->body_len);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
    const cJSON *did = cJSON_GetObjectItemCaseSensitive(data, "id");
    const cJSON *when = cJSON_GetObjectItemCaseSensitive(j, "date_created");
    const char *qid = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "data.id");
    const char *why = NULL;
    size_t n = cJSON_IsString(when) ? strlen(when->valuestring) : 0;
    const char *z = n ? when->valuestring + n - 6 : "";

    if (!j)
        why = "not JSON";
    else if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "id")))
        why = "id is not a number";
    else if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "user_id")))
        why = "user_id is not a number";
    else if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(j, "live_mode")))
        why = "live_mode is not true or false";
    else if (n < 20 || when->valuestring[10] != 'T' ||
             !(when->valuestring[n - 1] == 'Z' || ((z[0] == '+' || z[0] == '-') && z[3] == ':')))
        why = "date_created is not a time with a zone";
    else if (!cJSON_IsString(did) || !qid || strcmp(did->valuestring, qid) != 0)
        why = "data.id differs from the query's";
    cJSON_Delete(j);
    return why;
}

static long long mp_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static enum MHD_Result mp_webhook_answer(const sd_route *r, const sd_req *q)
{
    const mp_role_data *d = r->role_data;
    char body[128];

    if (!d->accept_any) {
        mp_sig_result v = MP_SIG_MISSING;
        const char *sig = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "x-signature");
        if (d->have_secret)
            v = mp_verify_case(d->secret, sig, MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "data.id"),
                               MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "x-request-id"),
                               d->lowercase_id ? MP_ID_LOWER : MP_ID_ORIGINAL);
        if (v == MP_SIG_OK && d->tolerance_s > 0)
            v = mp_fresh(sig, mp_now_ms(), d->tolerance_s);
        if (v != MP_SIG_OK) {
            const char *why = d->have_secret ? mp_sig_reason(v) : "no secret configured";
            snprintf(body, sizeof body, "{\"error\":\"invalid signature\",\"reason\":\"%s\"}", why);
            if (d->record_dsn)
                mp_record(d, q, 401, why);
            return sd_answer_json(q->conn, 401, body);
        }
    }
    const char *fault = d->strict_body ? mp_body_fault(q) : NULL;
    if (fault) {
        snprintf(body, sizeof body, "{\"error\":\"bad body\",\"reason\":\"%s\"}", fault);
        if (d->record_dsn)
            mp_record(d, q, 400, fault);
        return sd_answer_json(q->conn, 400, body);
    }
    if (d->record_dsn)
        mp_record(d, q, r->status, NULL);
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
