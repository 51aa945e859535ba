/*
 * scenario.c - read and validate a stand-in scenario file (JSON).
 *
 * Owner: issue 3.  The format is a contract other helpers write fixtures
 * for (see tests/standin/README.md); every mistake is refused here, once,
 * with one line naming the file, the route and the key, so a typo in a
 * fixture never turns into a silent 404 in some test far away.
 */
#include "standin.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sc_route_keys[] = {
    "method", "path", "path_prefix", "query", "status", "headers", "body", "body_file",
    "delay_ms", "jitter_ms", "fail_rate", "fail_status", "trickle_bps", "body_mib",
    "drop_after_bytes", "expect_header", "redirect", "role", "comment", NULL};

/* Error context: "FILE: routes[I].KEY: message". */
typedef struct sc_ctx {
    const char *file;
    size_t idx;
    char *err;
    size_t errlen;
} sc_ctx;

static int sc_fail(sc_ctx *c, const char *key, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: routes[%zu]%s%s: %s", c->file, c->idx,
             key ? "." : "", key ? key : "", msg);
    return -1;
}

static char *sc_strdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        fprintf(stderr, "standin: out of memory\n");
        abort();
    }
    return d;
}

static char *sc_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (!f)
        return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                fprintf(stderr, "standin: out of memory\n");
                abort();
            }
            buf = nb;
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Optional string KEY; 0 when absent or a string, -1 otherwise. */
static int sc_str(sc_ctx *c, const cJSON *o, const char *key, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return 0;
    if (!cJSON_IsString(v))
        return sc_fail(c, key, "must be a string");
    *out = sc_strdup(v->valuestring);
    return 0;
}

/* Optional number KEY within [lo, hi]; integers only when INTEGRAL. */
static int sc_num(sc_ctx *c, const cJSON *o, const char *key, double lo, double hi,
                  int integral, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
        (integral && v->valuedouble != (double)(long long)v->valuedouble))
        return sc_fail(c, key, "must be %s between %g and %g", integral ? "an integer" : "a number",
                       lo, hi);
    *out = v->valuedouble;
    return 0;
}

/* An object of string values into an sd_kv array. */
static int sc_map(sc_ctx *c, const cJSON *o, const char *key, sd_kv **out, size_t *n)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key), *v;
    if (!m)
        return 0;
    if (!cJSON_IsObject(m))
        return sc_fail(c, key, "must be an object of strings");
    *out = calloc((size_t)cJSON_GetArraySize(m) + 1, sizeof **out);
    cJSON_ArrayForEach(v, m) {
        if (!cJSON_IsString(v))
            return sc_fail(c, key, "value of \"%s\" must be a string", v->string);
        (*out)[*n].name = sc_strdup(v->string);
        (*out)[*n].value = sc_strdup(v->valuestring);
        (*n)++;
    }
    return 0;
}

static int sc_key_known(const char *k, const sd_role *role)
{
    if (k[0] == '_')
        return 1; /* free-form notes */
    for (size_t i = 0; sc_route_keys[i]; i++)
        if (strcmp(k, sc_route_keys[i]) == 0)
            return 1;
    for (size_t i = 0; role && role->keys && role->keys[i]; i++)
        if (strcmp(k, role->keys[i]) == 0)
            return 1;
    return 0;
}

static int sc_body(sc_ctx *c, const sd_scenario *sc, const cJSON *o, sd_route *r)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "body");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "body_file");

    if (b && f)
        return sc_fail(c, "body_file", "give body or body_file, not both");
    if (b && cJSON_IsString(b)) {
        r->body = sc_strdup(b->valuestring);
    } else if (b && (cJSON_IsObject(b) || cJSON_IsArray(b))) {
        r->body = cJSON_PrintUnformatted(b); /* a JSON body may be written inline */
    } else if (b) {
        return sc_fail(c, "body", "must be a string, an object or an array");
    } else if (f) {
        if (!cJSON_IsString(f) || !*f->valuestring)
            return sc_fail(c, "body_file", "must be a file name");
        char path[4096];
        if (f->valuestring[0] == '/')
            snprintf(path, sizeof path, "%s", f->valuestring);
        else
            snprintf(path, sizeof path, "%s/%s", sc->dir, f->valuestring);
        r->body = sc_read_file(path, &r->body_len);
        if (!r->body)
            return sc_fail(c, "body_file", "cannot read %s: %s", path, strerror(errno));
        return 0;
    }
    r->body_len = r->body ? strlen(r->body) : 0;
    return 0;
}

static int sc_expect(sc_ctx *c, const cJSON *o, sd_route *r)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "expect_header");
    double st = 403;

    if (!e)
        return 0;
    if (!cJSON_IsObject(e))
        return sc_fail(c, "expect_header", "must be an object {name, value or value_env, status}");
    const cJSON *k;
    cJSON_ArrayForEach(k, e)
        if (strcmp(k->string, "name") && strcmp(k->string, "value") && strcmp(k->string, "value_env") &&
            strcmp(k->string, "status"))
            return sc_fail(c, "expect_header", "unknown key \"%s\"", k->string);
    if (sc_str(c, e, "name", &r->expect_name) || !r->expect_name || !*r->expect_name)
        return sc_fail(c, "expect_header", "name must be a header name");
    if (sc_str(c, e, "value", &r->expect_value) || sc_str(c, e, "value_env", &r->expect_env))
        return sc_fail(c, "expect_header", "value and value_env must be strings");
    if (!r->expect_value == !r->expect_env)
        return sc_fail(c, "expect_header", "needs exactly one of value and value_env");
    if (r->expect_env) {
        const char *v = getenv(r->expect_env);
        if (v && *v)
            r->expect_value = sc_strdup(v);
        else /* fail closed: every request is refused */
            fprintf(stderr, "standin: %s: routes[%zu].expect_header: $%s is not set; "
                    "every request to this route is refused\n", c->file, c->idx, r->expect_env);
    }
    if (sc_num(c, e, "status", 100, 599, 1, &st))
        return -1;
    r->expect_status = (int)st;
    return 0;
}

static int sc_route(sc_ctx *c, sd_scenario *sc, const cJSON *o, sd_route *r)
{
    const cJSON *k;
    char *role = NULL;
    double status = 200, delay = 0, jitter = 0, fail = 0, fst = 503, bps = 0, mib = 0, drop = 0;

    if (!cJSON_IsObject(o))
        return sc_fail(c, NULL, "must be an object");
    r->json = (cJSON *)o;
    if (sc_str(c, o, "role", &role))
        return -1;
    r->role = sd_role_find(role ? role : "static");
    if (!r->role) {
        sc_fail(c, "role", "unknown role \"%s\"", role);
        free(role);
        return -1;
    }
    free(role);
    cJSON_ArrayForEach(k, o)
        if (!sc_key_known(k->string, r->role))
            return sc_fail(c, k->string, "unknown key");

    if (sc_str(c, o, "method", &r->method) || sc_str(c, o, "path", &r->path) ||
        sc_str(c, o, "path_prefix", &r->path_prefix) || sc_str(c, o, "redirect", &r->redirect))
        return -1;
    if (!r->method)
        r->method = sc_strdup("GET");
    if (!r->path == !r->path_prefix)
        return sc_fail(c, "path", "needs exactly one of path and path_prefix");
    if ((r->path ? r->path : r->path_prefix)[0] != '/')
        return sc_fail(c, r->path ? "path" : "path_prefix", "must start with /");
    if (sc_map(c, o, "query", &r->query, &r->nquery) ||
        sc_map(c, o, "headers", &r->headers, &r->nheaders))
        return -1;
    if (sc_num(c, o, "status", 100, 599, 1, &status) ||
        sc_num(c, o, "delay_ms", 0, 600000, 1, &delay) ||
        sc_num(c, o, "jitter_ms", 0, 600000, 1, &jitter) ||
        sc_num(c, o, "fail_rate", 0, 1, 0, &fail) ||
        sc_num(c, o, "fail_status", 100, 599, 1, &fst) ||
        sc_num(c, o, "trickle_bps", 0, 1e12, 1, &bps) ||
        sc_num(c, o, "body_mib", 0, 4096, 1, &mib) ||
        sc_num(c, o, "drop_after_bytes", 0, 1e15, 1, &drop))
        return -1;
    r->status = (int)status;
    r->delay_ms = (long)delay;
    r->jitter_ms = (long)jitter;
    r->fail_rate = fail;
    r->fail_status = (int)fst;
    r->trickle_bps = (long)bps;
    r->body_mib = (long long)mib;
    r->drop_after_bytes = (long long)drop;
    if (r->body_mib && (cJSON_GetObjectItemCaseSensitive(o, "body") ||
                        cJSON_GetObjectItemCaseSensitive(o, "body_file")))
        return sc_fail(c, "body_mib", "give body_mib or a body, not both");
    if (sc_body(c, sc, o, r) || sc_expect(c, o, r))
        return -1;
    if (r->role->validate && r->role->validate(r, c->err, c->errlen) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", c->err);
        return sc_fail(c, NULL, "%s", msg);
    }
    return 0;
}

int sd_scenario_load(const char *file, sd_scenario *sc, char *err, size_t errlen)
{
    size_t len = 0;
    char *text;
    const cJSON *routes, *k;
    sc_ctx c = {.file = file, .err = err, .errlen = errlen};

    memset(sc, 0, sizeof *sc);
    sc->file = sc_strdup(file);
    char *tmp = sc_strdup(file);
    sc->dir = sc_strdup(dirname(tmp));
    free(tmp);

    text = sc_read_file(file, &len);
    if (!text)
        return snprintf(err, errlen, "%s: cannot read: %s", file, strerror(errno)), -1;
    sc->root = cJSON_ParseWithLength(text, len);
    if (!sc->root) {
        const char *at = cJSON_GetErrorPtr();
        int line = 1;
        for (const char *p = text; at && p < at && *p; p++)
            line += *p == '\n';
        free(text);
        return snprintf(err, errlen, "%s: line %d: not valid JSON", file, line), -1;
    }
    free(text);
    if (!cJSON_IsObject(sc->root))
        return snprintf(err, errlen, "%s: must be an object with \"routes\"", file), -1;
    cJSON_ArrayForEach(k, sc->root)
        if (strcmp(k->string, "routes") != 0 && strcmp(k->string, "comment") != 0 && k->string[0] != '_')
            return snprintf(err, errlen, "%s: %s: unknown key", file, k->string), -1;
    routes = cJSON_GetObjectItemCaseSensitive(sc->root, "routes");
    if (!cJSON_IsArray(routes))
        return snprintf(err, errlen, "%s: routes: missing or not an array", file), -1;
    sc->nroutes = (size_t)cJSON_GetArraySize(routes);
    sc->routes = calloc(sc->nroutes + 1, sizeof *sc->routes);
    for (c.idx = 0; c.idx < sc->nroutes; c.idx++)
        if (sc_route(&c, sc, cJSON_GetArrayItem(routes, (int)c.idx), &sc->routes[c.idx]) != 0)
            return -1;
    return 0;
}

static void sc_kv_free(sd_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

void sd_scenario_free(sd_scenario *sc)
{
    for (size_t i = 0; sc->routes && i < sc->nroutes; i++) {
        sd_route *r = &sc->routes[i];
        free(r->method);
        free(r->path);
        free(r->path_prefix);
        sc_kv_free(r->query, r->nquery);
        sc_kv_free(r->headers, r->nheaders);
        free(r->body);
        free(r->expect_name);
        free(r->expect_value);
        free(r->expect_env);
        free(r->redirect);
        free(r->role_data);
    }
    free(sc->routes);
    cJSON_Delete(sc->root);
    free(sc->file);
    free(sc->dir);
    memset(sc, 0, sizeof *sc);
}
