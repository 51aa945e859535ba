/*
 * standin.h - shared types of the stand-in HTTP server (tests only).
 *
 * Owner: issue 3.  Data flows one way: scenario.c turns the JSON file into
 * an sd_scenario (read-only afterwards, shared by every connection thread);
 * route.c picks the route of a request and hands it to its role (role.c);
 * body.c streams a body slowly, truncated or as filler.  Later issues add
 * roles (e.g. a Mercado Pago webhook receiver) in files of their own and
 * one line in role.c's table; they do not touch the others.
 */
#ifndef STANDIN_H
#define STANDIN_H

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <stddef.h>

typedef struct sd_kv {
    char *name, *value;
} sd_kv;

struct sd_role;

/* One route of the scenario, as validated by scenario.c. */
typedef struct sd_route {
    char *method;            /* "GET" (default), "*" matches any */
    char *path;              /* exact match, or NULL when path_prefix is used */
    char *path_prefix;       /* prefix match, or NULL */
    sd_kv *query;            /* every listed parameter must match */
    size_t nquery;
    int status;
    sd_kv *headers;
    size_t nheaders;
    char *body;              /* from body or body_file; NULL when none */
    size_t body_len;
    long long body_mib;      /* > 0: that many MiB of filler instead of body */
    long delay_ms, jitter_ms;
    double fail_rate;
    int fail_status;
    long trickle_bps;        /* > 0: send the body at about this rate */
    long long drop_after_bytes; /* > 0: close after this many body bytes */
    char *expect_name;       /* expect_header: header name or NULL */
    char *expect_value;      /* resolved value; NULL when value_env is unset */
    char *expect_env;        /* the env var it came from, for messages */
    int expect_status;
    char *redirect;          /* Location of a 302, or NULL */
    const struct sd_role *role;
    void *role_data;         /* owned by the role */
    cJSON *json;             /* the route's own JSON object (for roles) */
} sd_route;

typedef struct sd_scenario {
    char *file, *dir;
    sd_route *routes;
    size_t nroutes;
    cJSON *root;
} sd_scenario;

/* A request as a role sees it (body fully read). */
typedef struct sd_req {
    struct MHD_Connection *conn;
    const char *method, *url;
    const char *body;
    size_t body_len;
} sd_req;

/* A role answers the requests of its routes.  validate() may read extra keys
 * of the route's JSON; it returns 0 or -1 with ERR set (one line). */
typedef struct sd_role {
    const char *name;
    const char *const *keys; /* extra route keys the role accepts, NULL-ended */
    int (*validate)(sd_route *r, char *err, size_t errlen);
    enum MHD_Result (*answer)(const sd_route *r, const sd_req *q);
} sd_role;

/* scenario.c */
int sd_scenario_load(const char *file, sd_scenario *sc, char *err, size_t errlen);
void sd_scenario_free(sd_scenario *sc);

/* role.c */
const sd_role *sd_role_find(const char *name);
extern const sd_role sd_role_static;

/* route.c */
const sd_route *sd_route_match(const sd_scenario *sc, const sd_req *q);
enum MHD_Result sd_answer(const sd_scenario *sc, const sd_req *q);
enum MHD_Result sd_answer_json(struct MHD_Connection *conn, int status, const char *json);

/* body.c */
enum MHD_Result sd_body_send(const sd_route *r, struct MHD_Connection *conn, int status);
void sd_sleep_ms(long ms);
double sd_random(void);        /* uniform in [0, 1) */
extern volatile int sd_stopping; /* set on SIGTERM: long answers end early */

#endif
