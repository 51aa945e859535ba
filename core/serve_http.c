/*
 * serve_http.c - the endpoints of `opscheck serve` (libmicrohttpd, a thread
 * per connection, connections and request sizes bounded).  GET and HEAD
 * only; every path is in the table below, anything else is 404.  Names in
 * a request are only looked up in the config, never passed on: /probe runs
 * the config's own checklist name with serve's own options.
 * With --web-config (serve_web.h): TLS is libmicrohttpd's own HTTPS (GnuTLS
 * inside libmicrohttpd12, given the PEM texts serve read), and when the
 * config has users every endpoint, /healthz included, needs one of them
 * (as the exporter-toolkit protects its whole handler); a wrong or missing
 * pair is a bare 401 with WWW-Authenticate, whatever was wrong.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "serve_mhd.h"
#include "serve_page.h"
#include "serve_web.h"

enum { CONN_LIMIT = 64, CONN_MEMORY = 32 * 1024, CONN_TIMEOUT_S = 30 };
/* /probe without ?timeout= nor Prometheus' header: bounded all the same. */
static const double probe_default_s = 60, probe_max_s = 3600;

static const char text_type[] = "text/plain; charset=utf-8";
static const char json_type[] = "application/json";
static const char prom_type[] = "text/plain; version=0.0.4; charset=utf-8";

/* Answers BODY (malloc'd, taken). */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body)
{
    struct MHD_Response *r = sv_mhd.create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    sv_mhd.add_response_header(r, "Content-Type", type);
    sv_mhd.add_response_header(r, "Cache-Control", "no-store");
    sv_mhd.add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (strncmp(type, "text/html", 9) == 0)
        sv_mhd.add_response_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    if (code == 405)
        sv_mhd.add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result rc = sv_mhd.queue_response(c, code, r);
    sv_mhd.destroy_response(r);
    return rc;
}

static enum MHD_Result say(struct MHD_Connection *c, unsigned code, const char *text)
{
    return reply(c, code, text_type, xstrdup(text));
}

static enum MHD_Result ep_page(serve_ctx *s, struct MHD_Connection *c, const char *rest)
{
    (void)rest;
    pthread_mutex_lock(&s->mu);
    cJSON *st = sv_state_json(s);
    pthread_mutex_unlock(&s->mu);
    char *html = serve_page_html(st);
    cJSON_Delete(st);
    return reply(c, 200, "text/html; charset=utf-8", html);
}

static enum MHD_Result ep_metrics(serve_ctx *s, struct MHD_Connection *c, const char *rest)
{
    (void)rest;
    pthread_mutex_lock(&s->mu);
    char *text = sv_metrics_text(s);
    pthread_mutex_unlock(&s->mu);
    return reply(c, 200, prom_type, text);
}

static enum MHD_Result ep_healthz(serve_ctx *s, struct MHD_Connection *c, const char *rest)
{
    (void)rest;
    pthread_mutex_lock(&s->mu);
    char *body = s->reload_error ? xasprintf("ok: serving the previous config; the last reload failed: %s\n",
                                             s->reload_error)
                                 : xstrdup("ok\n");
    pthread_mutex_unlock(&s->mu);
    return reply(c, 200, text_type, body);
}

/* /health/NAME: 200 when its latest round passed; 503 with what did not. */
static enum MHD_Result ep_health(serve_ctx *s, struct MHD_Connection *c, const char *name)
{
    pthread_mutex_lock(&s->mu);
    const sv_list *l = sv_find(s, name);
    if (!l) {
        pthread_mutex_unlock(&s->mu);
        return say(c, 404, "no such checklist in the config\n");
    }
    const sv_round *r = &l->latest;
    strbuf b = {0};
    sb_printf(&b, "%s\n", sv_status_name(r->status));
    if (r->error)
        sb_printf(&b, "round: %s\n", r->error);
    const cJSON *checks = r->report ? cJSON_GetObjectItemCaseSensitive(r->report, "checks") : NULL, *k;
    cJSON_ArrayForEach(k, checks) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(k, "status");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(k, "name");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(k, "message");
        if (!cJSON_IsString(st) || (strcmp(st->valuestring, "fail") && strcmp(st->valuestring, "error")))
            continue;
        sb_printf(&b, "%s %s%s%s\n", st->valuestring, cJSON_IsString(nm) ? nm->valuestring : "?",
                  cJSON_IsString(msg) ? ": " : "", cJSON_IsString(msg) ? msg->valuestring : "");
    }
    unsigned code = r->status <= SV_WARN ? 200 : 503;
    pthread_mutex_unlock(&s->mu);
    return reply(c, code, text_type, sb_steal(&b));
}

static enum MHD_Result ep_results(serve_ctx *s, struct MHD_Connection *c, const char *name)
{
    pthread_mutex_lock(&s->mu);
    const sv_list *l = name ? sv_find(s, name) : NULL;
    if (name && (!l || !l->latest.report)) {
        char *why = !l ? NULL
                    : l->latest.error ? xasprintf("{\"error\": \"the latest round wrote no report\", \"status\": \"%s\"}\n",
                                                  sv_status_name(l->latest.status))
                                      : xstrdup("{\"error\": \"no round has finished yet\"}\n");
        pthread_mutex_unlock(&s->mu);
        return why ? reply(c, 503, json_type, why) : reply(c, 404, json_type, xstrdup("{\"error\": \"no such checklist\"}\n"));
    }
    char *text = sv_results_json(s, l);
    pthread_mutex_unlock(&s->mu);
    return reply(c, 200, json_type, text);
}

/* Only these query arguments exist anywhere; the others are refused. */
static enum MHD_Result known_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    if (strcmp(key, "checklist") && strcmp(key, "timeout"))
        *(int *)cls = 1;
    return MHD_YES;
}

/* "10", "2.5": seconds in (0, probe_max_s]; NAN otherwise. */
static double seconds_of(const char *v)
{
    char *end;
    double d = v && *v ? strtod(v, &end) : NAN;
    return v && *v && !*end && d > 0 && d <= probe_max_s ? d : NAN;
}

static enum MHD_Result ep_probe(serve_ctx *s, struct MHD_Connection *c, const char *rest)
{
    (void)rest;
    int unknown = 0;
    sv_mhd.get_connection_values(c, MHD_GET_ARGUMENT_KIND, known_arg, &unknown);
    const char *name = sv_mhd.lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "checklist");
    const char *qt = sv_mhd.lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "timeout");
    const char *ht = sv_mhd.lookup_connection_value(c, MHD_HEADER_KIND, "X-Prometheus-Scrape-Timeout-Seconds");
    if (unknown)
        return say(c, 400, "/probe takes ?checklist=NAME and ?timeout=SECONDS only\n");
    if (!name || !*name)
        return say(c, 400, "/probe needs ?checklist=NAME (a checklist of the config)\n");
    double t = qt ? seconds_of(qt) : ht ? seconds_of(ht) : probe_default_s;
    if (isnan(t))
        return say(c, 400, "the probe's timeout is a number of seconds from 0 to 3600\n");
    pthread_mutex_lock(&s->mu);
    sv_list *l = sv_find(s, name);
    unsigned busy = !l ? 404 : s->stopping ? 503 : l->running ? 429 : 0;
    char *own = l ? xstrdup(l->name) : NULL;
    if (!busy) {
        l->running = 1;
        s->active++;
    }
    pthread_mutex_unlock(&s->mu);
    if (busy) {
        free(own);
        return say(c, busy, busy == 404   ? "no such checklist in the config\n"
                            : busy == 429 ? "a round of this checklist is running; try again when it is over\n"
                                          : "serve is stopping\n");
    }
    /* Answer inside the scrape timeout: the round is cut a little before it. */
    long long ms = (long long)(t * 1000), margin = ms / 10 < 500 ? ms / 10 : 500;
    char *text = NULL;
    sv_round_run(s, own, sv_wall_ms() + ms - margin, &text);
    free(own);
    return reply(c, 200, prom_type, text);
}

/* The request's basic-auth pair is one of the web config's; the password
 * is wiped before it is freed. */
static int authorised(serve_ctx *s, struct MHD_Connection *c)
{
    char *pass = NULL;
    char *user = sv_mhd.basic_auth_get_username_password(c, &pass);
    int ok = sv_auth_check(s, user, pass);
    if (pass) {
        explicit_bzero(pass, strlen(pass));
        sv_mhd.free(pass);
    }
    if (user)
        sv_mhd.free(user);
    return ok;
}

static enum MHD_Result deny(struct MHD_Connection *c)
{
    static const char body[] = "401 Unauthorized\n";
    struct MHD_Response *r =
        sv_mhd.create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    sv_mhd.add_response_header(r, "Content-Type", text_type);
    enum MHD_Result rc = sv_mhd.queue_basic_auth_fail_response(c, "opscheck", r);
    sv_mhd.destroy_response(r);
    return rc;
}

typedef struct route {
    const char *path;
    int prefix; /* the rest of the path is a checklist's name */
    enum MHD_Result (*fn)(serve_ctx *, struct MHD_Connection *, const char *);
} route;

static const route routes[] = {
    {"/", 0, ep_page},
    {"/metrics", 0, ep_metrics},
    {"/probe", 0, ep_probe},
    {"/healthz", 0, ep_healthz},
    {"/health/", 1, ep_health},
    {"/api/results", 0, ep_results},
    {"/api/results/", 1, ep_results},
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload;
    /* A request's first call only says "go on": libmicrohttpd closes the
     * connection after an answer queued that early, and a scraper would pay
     * a new connection (and a new thread) for every scrape. */
    static int request_seen;
    if (!*con_cls) {
        *con_cls = &request_seen;
        return MHD_YES;
    }
    if (*upload_size) { /* no endpoint takes a body: it is read (bounded by the connection's memory) and dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (sv_auth_needed(cls) && !authorised(cls, c))
        return deny(c);
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return say(c, 405, "GET or HEAD only\n");
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const route *r = &routes[i];
        size_t n = strlen(r->path);
        if (!r->prefix && strcmp(url, r->path) == 0)
            return r->fn(cls, c, NULL);
        if (r->prefix && strncmp(url, r->path, n) == 0 && url[n] && !strchr(url + n, '/'))
            return r->fn(cls, c, url + n);
    }
    return say(c, 404, "not found: the endpoints are /, /metrics, /probe, /healthz, /health/NAME, /api/results\n");
}

/* The daemon's TLS options for WEB (none without tls_server_config). */
static unsigned tls_options(const sv_web *web, struct MHD_OptionItem *o)
{
    if (!web || !web->tls) {
        o[0] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
        return 0;
    }
    o[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, web->cert_pem};
    o[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, web->key_pem};
    o[2] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)web->priorities};
    o[3] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return MHD_USE_TLS;
}

static int mhd_loaded(void)
{
    char *why = NULL;
    if (sv_mhd_load(&why) != 0) {
        fprintf(stderr, "opscheck: serve: %s\n", why);
        free(why);
        return 0;
    }
    return 1;
}

struct MHD_Daemon *sv_http_start(serve_ctx *s, int fd, const sv_web *web)
{
    if (!mhd_loaded())
        return NULL;
    struct MHD_OptionItem tls[4];
    unsigned flags = tls_options(web, tls);
    /* MHD_USE_ITC: MHD_quiesce_daemon needs it (sv_http_restart). */
    struct MHD_Daemon *d = sv_mhd.start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC | flags,
        0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONN_LIMIT, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (!d)
        fprintf(stderr, "opscheck: serve: the HTTP%s server did not start\n", flags ? "S" : "");
    return d;
}

int sv_http_tls_check(const sv_web *web, char **why)
{
    if (!web || !web->tls)
        return 0;
    if (!mhd_loaded()) {
        *why = xasprintf("%s: libmicrohttpd is needed for TLS", web->path);
        return -1;
    }
    struct MHD_OptionItem tls[4];
    unsigned flags = tls_options(web, tls);
    /* No socket, no thread, no error log: GnuTLS reads the key and the
     * certificate (and checks they match), and that is all. */
    struct MHD_Daemon *d = sv_mhd.start_daemon(MHD_USE_NO_LISTEN_SOCKET | flags, 0, NULL, NULL, on_request, NULL,
                                               MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (!d) {
        *why = xasprintf("%s:%d: tls_server_config: GnuTLS did not take cert_file and key_file "
                         "(a PEM certificate and its own private key, unencrypted)",
                         web->path, web->tls_line);
        return -1;
    }
    sv_mhd.stop_daemon(d);
    return 0;
}

int sv_http_restart(serve_ctx *s, struct MHD_Daemon **d, const sv_web *web, const sv_web *old)
{
    MHD_socket fd = sv_mhd.quiesce_daemon(*d);
    if (fd == MHD_INVALID_SOCKET) /* still serving, with the old TLS */
        return 1;
    int rc = 0;
    struct MHD_Daemon *nd = sv_http_start(s, fd, web);
    if (!nd) { /* checked by sv_http_tls_check, so rare: the old TLS again */
        rc = 1;
        nd = sv_http_start(s, fd, old);
    }
    sv_mhd.stop_daemon(*d); /* its connections closed; clients reconnect */
    *d = nd;
    return nd ? rc : -1;
}

void sv_http_stop(struct MHD_Daemon *d)
{
    if (d)
        sv_mhd.stop_daemon(d);
}
