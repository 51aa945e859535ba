/*
 * probe.c - a plugin's descriptor, read without running its code in this
 * process (see probe.h).
 *
 * The child: stdin/stdout/stderr on /dev/null (a constructor's printf must
 * not land in the TAP stream), dlopen, the entry point, loader_adopt() (the
 * ABI checks), then the descriptor as text on a pipe: "ok" or "refused"
 * records of NUL-terminated fields.  The parent reads it with a deadline,
 * and a stop signal ends the wait.  A child that crashes, exits, hangs or
 * says nothing makes a "broken" plugin: its checks fail with the reason.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stop.h"

#define PROBE_TIMEOUT_MS 10000
#define PROBE_MAX_BYTES (1 << 20)

static void put(strbuf *b, const char *s)
{
    sb_add(b, s ? s : "", (s ? strlen(s) : 0) + 1);
}

static void put_num(strbuf *b, unsigned v)
{
    char num[16];
    snprintf(num, sizeof num, "%u", v);
    put(b, num);
}

/* In the child: never returns. */
static void probe_child(const char *path, const char *name, int w)
{
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) {
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(nul, 2);
    }
    char *err = NULL;
    void *dl = NULL;
    const oc_plugin *d = loader_open(path, name, &dl, &err);
    strbuf b = {0};
    if (!d) {
        put(&b, "refused");
        put(&b, err);
    } else {
        put(&b, "ok");
        put(&b, d->name);
        put(&b, d->summary);
        put_num(&b, d->abi);
        put_num(&b, (d->init ? 1u : 0u) | (d->init2 ? 2u : 0u) | (d->fini ? 4u : 0u));
        for (const oc_option *o = d->options; o && o->key; o++) {
            put(&b, o->key);
            put_num(&b, (unsigned)o->type);
            put_num(&b, o->flags);
            put_num(&b, o->def ? 1u : 0u);
            put(&b, o->def);
            put(&b, o->help);
        }
    }
    for (size_t off = 0; off < b.len;) {
        ssize_t n = write(w, b.s + off, b.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(3);
        off += (size_t)n;
    }
    _exit(0);
}

/* Field I of the NUL-separated fields in B (LEN bytes), or NULL. */
static const char *field(const char *b, size_t len, size_t *pos)
{
    if (*pos >= len)
        return NULL;
    const char *s = b + *pos;
    const char *end = memchr(s, '\0', len - *pos);
    if (!end)
        return NULL;
    *pos += (size_t)(end - s) + 1;
    return s;
}

/* The descriptor the child sent, rebuilt in this process (functions NULL:
 * they exist only in the child's address space). */
static oc_plugin *parse_ok(const char *b, size_t len, size_t pos)
{
    const char *name = field(b, len, &pos), *summary = field(b, len, &pos);
    const char *abi = field(b, len, &pos), *fns = field(b, len, &pos);
    if (!name || !summary || !abi || !fns)
        return NULL;
    oc_plugin *d = xcalloc(1, sizeof *d);
    d->abi = (unsigned)strtoul(abi, NULL, 10);
    d->size = sizeof *d;
    d->name = xstrdup(name);
    d->summary = xstrdup(summary);
    d->option_size = sizeof(oc_option);
    oc_option *opts = xcalloc(1, sizeof *opts);
    size_t n = 0;
    for (const char *key; (key = field(b, len, &pos));) {
        const char *type = field(b, len, &pos), *flags = field(b, len, &pos), *hasdef = field(b, len, &pos);
        const char *def = field(b, len, &pos), *help = field(b, len, &pos);
        if (!help)
            break;
        opts = xrealloc(opts, (n + 2) * sizeof *opts);
        opts[n++] = (oc_option){xstrdup(key), (oc_opt_type)atoi(type), atoi(hasdef) ? xstrdup(def) : NULL,
                                (unsigned)strtoul(flags, NULL, 10), xstrdup(help)};
        memset(&opts[n], 0, sizeof opts[n]);
    }
    d->options = opts;
    return d;
}

void probe_descriptor_free(oc_plugin *d)
{
    if (!d)
        return;
    for (const oc_option *o = d->options; o && o->key; o++) {
        free((char *)o->key);
        free((char *)o->def);
        free((char *)o->help);
    }
    free((oc_option *)d->options);
    free((char *)d->name);
    free((char *)d->summary);
    free(d);
}

/* How the child ended, as the end of "plugin NAME: ... while loading". */
static char *how_it_ended(int st)
{
    if (WIFSIGNALED(st))
        return xasprintf("killed by SIG%s while loading", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
    return xasprintf("exited %d while loading, before describing itself", WEXITSTATUS(st));
}

int probe_plugin(const char *path, const char *name, oc_plugin **desc, char **why)
{
    *desc = NULL;
    *why = NULL;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        *why = xasprintf("%s: cannot probe: pipe: %s", path, strerror(errno));
        return PROBE_REFUSED;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        *why = xasprintf("%s: cannot probe: fork: %s", path, strerror(errno));
        close(p[0]);
        close(p[1]);
        return PROBE_REFUSED;
    }
    if (pid == 0) {
        close(p[0]);
        probe_child(path, name, p[1]);
    }
    close(p[1]);
    strbuf b = {0};
    long long until = now_ms() + PROBE_TIMEOUT_MS;
    int timed_out = 0, stopped = 0;
    for (;;) {
        long long left = until - now_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        if (stop_signal()) {
            stopped = 1;
            break;
        }
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        int pr = poll(&pf, 1, left < 50 ? (int)left : 50); /* a stop signal is seen within 50 ms */
        if (pr <= 0)
            continue;
        char buf[8192];
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (b.len < PROBE_MAX_BYTES)
            sb_add(&b, buf, (size_t)n);
    }
    close(p[0]);
    if (timed_out || stopped)
        kill(pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    size_t pos = 0;
    const char *kind = b.len ? field(b.s, b.len, &pos) : NULL;
    int rc = PROBE_BROKEN;
    if (stopped) {
        *why = xasprintf("plugin %s: loading was interrupted", name);
    } else if (timed_out) {
        *why = xasprintf("plugin %s: still loading after %d s (a constructor that never returns?)", name,
                         PROBE_TIMEOUT_MS / 1000);
    } else if (kind && strcmp(kind, "refused") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        const char *msg = field(b.s, b.len, &pos);
        *why = xstrdup(msg ? msg : "refused");
        rc = PROBE_REFUSED;
    } else if (kind && strcmp(kind, "ok") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
               (*desc = parse_ok(b.s, b.len, pos))) {
        rc = PROBE_OK;
    } else {
        char *how = how_it_ended(st);
        *why = xasprintf("plugin %s: %s", name, how);
        free(how);
    }
    sb_clear(&b);
    return rc;
}
