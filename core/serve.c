/*
 * serve.c - `opscheck serve`: reads the config (the checklists and their
 * schedules), listens (loopback unless told otherwise), runs each scheduled
 * checklist when it is due on the main thread's loop, and takes the stop
 * signals synchronously there (stop_wait): SIGHUP re-reads the config (a
 * bad one keeps the old, and says why on stderr and in /healthz); SIGTERM,
 * SIGINT and SIGQUIT stop every round (no process left), close the
 * listener and exit 0.  See serve.h for who owns what.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "redact.h"
#include "serve.h"
#include "serve_web.h"
#include "stop.h"

enum { STOP_GRACE_MS = 5000, BUSY_TICK_MS = 200, IDLE_TICK_MS = 60000 };

/* The checklists of a config that loaded cleanly, their schedules, and the
 * results OLD (NOLD entries) already has for the same names (moved over). */
static sv_list *lists_from(const cfg *c, sv_list *old, size_t nold)
{
    sv_list *v = xcalloc(c->nlists ? c->nlists : 1, sizeof *v);
    long long now = sv_wall_ms();
    for (size_t i = 0; i < c->nlists; i++) {
        const cfg_list *cl = &c->lists[i];
        sv_list *l = &v[i];
        int kept = 0;
        for (size_t j = 0; j < nold && !kept; j++) {
            if (old[j].name && strcmp(old[j].name, cl->name) == 0) {
                *l = old[j]; /* its results, history and running round */
                free(l->name);
                free(l->description);
                free(l->every);
                free(l->at);
                memset(&old[j], 0, sizeof old[j]);
                kept = 1;
            }
        }
        if (!kept)
            l->latest.status = SV_NEVER;
        l->name = xstrdup(cl->name);
        l->description = cl->description ? xstrdup(cl->description) : NULL;
        l->every = cl->every ? xstrdup(cl->every) : NULL;
        l->at = cl->at ? xstrdup(cl->at) : NULL;
        l->every_ms = cl->every_ms;
        l->at_minute = cl->at_minute;
        l->next_due_ms = sv_next_due(l, l->last_start_ms, now);
    }
    return v;
}

/* Reads the config; 0, or -1 with every error on stderr and the first (masked) in *WHY. */
static int load(serve_ctx *s, cli *o, const char *what, cfg **out, char **why)
{
    plug_reg reg;
    plug_reg_init(&reg);
    cfg *c = cli_load_config(o, &reg);
    cfg_register_secrets(c, NULL); /* whatever serve says, masked */
    if (!c->errors.n && !c->nlists)
        cfg_error(c, o->files.v[0], 0, "no [checklist NAME] section: serve runs checklists, and there is none");
    int rc = 0;
    if (c->errors.n) {
        fprintf(stderr, "opscheck: serve: %s:\n", what);
        print_errors(&c->errors);
        *why = redact(c->errors.v[0]);
        cfg_free(c);
        c = NULL;
        rc = -1;
    }
    plug_reg_release(&reg);
    (void)s;
    *out = c;
    return rc;
}

/* SIGHUP: the new config, or the old one kept and the reason recorded. */
static void reload(serve_ctx *s, cli *o)
{
    pthread_mutex_lock(&s->mu);
    cfg *c;
    char *why = NULL;
    if (load(s, o, "reload failed, the previous config stays", &c, &why) != 0) {
        free(s->reload_error);
        s->reload_error = why;
        sv_state_changed(s); /* load() registered the broken file's secrets too */
        pthread_mutex_unlock(&s->mu);
        return;
    }
    sv_list *v = lists_from(c, s->lists, s->nlists);
    for (size_t i = 0; i < s->nlists; i++)
        sv_list_clear(&s->lists[i]); /* the checklists that left the config */
    free(s->lists);
    s->lists = v;
    s->nlists = c->nlists;
    free(s->reload_error);
    s->reload_error = NULL;
    sv_state_changed(s);
    fprintf(stderr, "opscheck serve: config reloaded (%zu checklist%s)\n", s->nlists, s->nlists == 1 ? "" : "s");
    cfg_free(c);
    pthread_mutex_unlock(&s->mu);
}

/* --web-config read and its TLS parts taken by GnuTLS: the config, or NULL
 * with *WHY (one line, FILE:LINE, no secret in it). */
static sv_web *web_load(const char *path, char **why)
{
    sv_web *w = sv_web_load(path, why);
    if (w && sv_http_tls_check(w, why) != 0) {
        sv_web_free(w);
        w = NULL;
    }
    return w;
}

/* SIGHUP: the web config read again; a bad one keeps the old, says why on
 * stderr and in /healthz.  A new certificate, key or min_version restarts
 * the listener (libmicrohttpd reads them when a daemon starts); users
 * alone are swapped under the lock.  -1: nothing serves any more. */
static int web_reload(serve_ctx *s, cli *o, struct MHD_Daemon **d)
{
    char *why = NULL;
    sv_web *w = web_load(o->web_config, &why), *old = s->web;
    int rc = 0;
    if (w && !sv_web_same_tls(w, old)) {
        rc = sv_http_restart(s, d, w, old);
        if (rc == 1)
            why = xasprintf("%s: the HTTP server did not restart with the new TLS settings", o->web_config);
    }
    pthread_mutex_lock(&s->mu);
    if (w && rc == 0) {
        s->web = w;
        s->web_gen++;
        fprintf(stderr, "opscheck serve: web config reloaded (%s, %zu user%s)\n", w->tls ? "TLS" : "no TLS",
                w->nusers, w->nusers == 1 ? "" : "s");
    } else {
        fprintf(stderr, "opscheck: serve: web config reload failed, the previous one stays: %s\n", why);
        char *both = s->reload_error ? xasprintf("%s; %s", s->reload_error, why) : xstrdup(why);
        free(s->reload_error);
        s->reload_error = both;
    }
    pthread_mutex_unlock(&s->mu);
    /* the daemon that had OLD's TLS is stopped: OLD may go */
    sv_web_free(w && rc == 0 ? old : w);
    free(why);
    return rc < 0 ? -1 : 0;
}

/* ADDR:PORT ([::1]:PORT for IPv6) bound and listening; the socket, or -1
 * after saying why. */
static int listen_on(const char *spec)
{
    const char *colon = strrchr(spec, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || colon == spec || !colon[1] || *end || port < 1 || port > 65535) {
        fprintf(stderr, "opscheck: --listen takes ADDR:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:9469), not '%s'\n", spec);
        return -1;
    }
    char *host = xstrndup(spec, (size_t)(colon - spec));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE},
                    *ai = NULL;
    int e = getaddrinfo(host, colon + 1, &hints, &ai), fd = -1;
    free(host);
    if (e) {
        fprintf(stderr, "opscheck: --listen %s: %s (an IP address and a port number)\n", spec, gai_strerror(e));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "opscheck: serve: cannot listen on %s: %s\n", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* Starts the due rounds; how long the loop may sleep. */
static long long tick(serve_ctx *s)
{
    pthread_mutex_lock(&s->mu);
    long long now = sv_wall_ms(), wait = IDLE_TICK_MS;
    for (size_t i = 0; i < s->nlists; i++) {
        sv_list *l = &s->lists[i];
        if (l->running) {
            wait = wait < BUSY_TICK_MS ? wait : BUSY_TICK_MS; /* its next due comes when it ends */
            continue;
        }
        if (!l->next_due_ms)
            continue;
        if (l->next_due_ms <= now) {
            sv_round_start(s, i);
            wait = wait < BUSY_TICK_MS ? wait : BUSY_TICK_MS;
        } else if (l->next_due_ms - now < wait) {
            wait = l->next_due_ms - now;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return wait;
}

static void serve_clear(serve_ctx *s)
{
    for (size_t i = 0; i < s->nlists; i++)
        sv_list_clear(&s->lists[i]);
    free(s->lists);
    free(s->pids);
    free(s->reload_error);
    sv_state_changed(s);
    sv_web_free(s->web);
    sv_clear(&s->files);
    if (s->tmpdir)
        rmdir(s->tmpdir);
    free(s->tmpdir);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    memset(s, 0, sizeof *s);
}

int cmd_serve(cli *o)
{
    if (sv_contains(&o->files, "-")) { /* the rounds and SIGHUP read the files again */
        fprintf(stderr, "opscheck: serve reads its config again for every round and on SIGHUP, and -c - (stdin) "
                        "can be read once: give a file\n");
        return EXIT_USAGE;
    }
    serve_ctx s = {.history = o->history ? (size_t)o->history : 100};
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.idle, NULL);
    const char *addr = o->listen ? o->listen : "127.0.0.1:9469";
    cfg *c = NULL;
    char *why = NULL;
    int rc = EXIT_USAGE, fd = -1;
    if (load(&s, o, "config error", &c, &why) != 0)
        goto out;
    s.lists = lists_from(c, NULL, 0);
    s.nlists = c->nlists;
    cfg_free(c);
    if (o->web_config && !(s.web = web_load(o->web_config, &why))) {
        fprintf(stderr, "opscheck: serve: %s\n", why);
        goto out;
    }
    for (size_t i = 0; i < o->files.n; i++) { /* the rounds read the files serve read, wherever they run */
        char *abs = realpath(o->files.v[i], NULL);
        sv_push(&s.files, abs ? abs : xstrdup(o->files.v[i]));
    }
    const char *tmp = getenv("TMPDIR");
    s.tmpdir = xasprintf("%s/opscheck-serve.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s.tmpdir)) {
        fprintf(stderr, "opscheck: serve: cannot make a folder for the rounds' reports (%s): %s\n", s.tmpdir,
                strerror(errno));
        free(s.tmpdir);
        s.tmpdir = NULL;
        rc = EXIT_INTERNAL;
        goto out;
    }
    if ((fd = listen_on(addr)) < 0)
        goto out;
    struct MHD_Daemon *d = sv_http_start(&s, fd, s.web);
    if (!d) {
        close(fd);
        rc = EXIT_INTERNAL;
        goto out;
    }
    fprintf(stderr, "opscheck serve: listening on http%s://%s/ (%zu checklist%s%s, pid %d)\n",
            s.web && s.web->tls ? "s" : "", addr, s.nlists, s.nlists == 1 ? "" : "s",
            s.web && s.web->nusers ? ", basic auth" : "", (int)getpid());
    int sig;
    for (;;) {
        sig = stop_wait(tick(&s));
        if (sig == SIGHUP) {
            reload(&s, o);
            if (o->web_config && web_reload(&s, o, &d) != 0) {
                rc = EXIT_INTERNAL;
                break;
            }
        } else if (sig) {
            break;
        }
    }
    sv_rounds_stop(&s, STOP_GRACE_MS);
    sv_http_stop(d); /* closes the listener; waits for the connections' threads */
    if (rc == EXIT_INTERNAL)
        goto out;
    fprintf(stderr, "opscheck serve: stopped by SIG%s\n", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
    rc = 0;
out:
    free(why);
    serve_clear(&s);
    return rc;
}
