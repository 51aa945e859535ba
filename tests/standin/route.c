/*
 * route.c - pick the route of a request and apply what every route shares
 * (delay and jitter, expect_header, fail_rate) before its role answers.
 *
 * Owner: issue 3.  First matching route wins; no match is a 404 with
 * {"error":"not found"}.
 */
#include "standin.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

enum MHD_Result sd_answer_json(struct MHD_Connection *conn, int status, const char *json)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static int route_path_ok(const sd_route *r, const char *url)
{
    size_t n = strcspn(url, "?"); /* MHD strips the query; be safe anyway */
    if (r->path)
        return strlen(r->path) == n && strncmp(r->path, url, n) == 0;
    return strncmp(r->path_prefix, url, strlen(r->path_prefix)) == 0;
}

const sd_route *sd_route_match(const sd_scenario *sc, const sd_req *q)
{
    for (size_t i = 0; i < sc->nroutes; i++) {
        const sd_route *r = &sc->routes[i];
        size_t k;
        if (strcmp(r->method, "*") != 0 && strcmp(r->method, q->method) != 0)
            continue;
        if (!route_path_ok(r, q->url))
            continue;
        for (k = 0; k < r->nquery; k++) {
            const char *v = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, r->query[k].name);
            if (!v || strcmp(v, r->query[k].value) != 0)
                break;
        }
        if (k == r->nquery)
            return r;
    }
    return NULL;
}

/* Equal without leaking where they differ, or their lengths: compare the
 * SHA-256 of both in constant time. */
static int route_secret_eq(const char *a, const char *b)
{
    unsigned char ha[SHA256_DIGEST_LENGTH], hb[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)a, strlen(a), ha);
    SHA256((const unsigned char *)b, strlen(b), hb);
    return CRYPTO_memcmp(ha, hb, sizeof ha) == 0;
}

enum MHD_Result sd_answer(const sd_scenario *sc, const sd_req *q)
{
    const sd_route *r = sd_route_match(sc, q);

    if (!r)
        return sd_answer_json(q->conn, 404, "{\"error\":\"not found\"}");
    if (r->delay_ms > 0 || r->jitter_ms > 0)
        sd_sleep_ms(r->delay_ms + (long)(sd_random() * (double)(r->jitter_ms + 1)));
    if (r->expect_name) {
        const char *got = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, r->expect_name);
        if (!r->expect_value || !got || !route_secret_eq(got, r->expect_value))
            return sd_answer_json(q->conn, r->expect_status, "{\"error\":\"forbidden\"}");
    }
    if (r->fail_rate > 0 && sd_random() < r->fail_rate)
        return sd_answer_json(q->conn, r->fail_status, "{\"error\":\"injected failure\"}");
    return r->role->answer(r, q);
}
