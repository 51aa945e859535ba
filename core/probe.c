/*
 * probe.c - a plugin's descriptor, read without running its code in this
 * process (see probe.h).
 *
 * The child: stdin/stdout/stderr on /dev/null (a constructor's printf must
 * not land in the TAP stream), dlopen, the entry point, loader_adopt() (the
 * ABI checks), then the descriptor as text on a pipe: "ok" or "refused"
 * records of NUL-terminated fields.  The same child and channel run a
 * plugin's validate hook on a config's checks (probe_validate): values go
 * in by the fork itself, verdicts come back as "check"/"bad"/"done"
 * records.  The parent reads it with a deadline,
 * and a stop signal ends the wait.  A child that crashes, exits, hangs or
 * says nothing makes a "broken" plugin: its checks fail with the reason.
 */
#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_ctx.h"
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

/* In a probe child: all of B to the parent; a parent gone ends the child. */
static void send_all(int w, const strbuf *b)
{
    for (size_t off = 0; off < b->len;) {
        ssize_t n = write(w, b->s + off, b->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(3);
        off += (size_t)n;
    }
}

/* In the child: never returns. */
static void probe_child(const char *path, const char *name, int w)
{
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
        put_num(&b, (d->init ? PROBE_HAS_INIT : 0u) | (d->init2 ? PROBE_HAS_INIT2 : 0u) | (d->fini ? PROBE_HAS_FINI : 0u) |
                        (d->validate ? PROBE_HAS_VALIDATE : 0u));
        for (const oc_option *o = d->options; o && o->key; o++) {
            put(&b, o->key);
            put_num(&b, (unsigned)o->type);
            put_num(&b, o->flags);
            put_num(&b, o->def ? 1u : 0u);
            put(&b, o->def);
            put(&b, o->help);
        }
    }
    send_all(w, &b);
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
static oc_plugin *parse_ok(const char *b, size_t len, size_t pos, unsigned *hooks)
{
    const char *name = field(b, len, &pos), *summary = field(b, len, &pos);
    const char *abi = field(b, len, &pos), *fns = field(b, len, &pos);
    if (!name || !summary || !abi || !fns)
        return NULL;
    oc_plugin *d = xcalloc(1, sizeof *d);
    *hooks = (unsigned)strtoul(fns, NULL, 10);
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

/* Fork a child that runs JOB(PATH, NAME, W, ARG) and read what it writes
 * to W, within PROBE_TIMEOUT_MS; a stop signal ends the wait.  Returns
 * PROBE_DONE (*st is its wait status), PROBE_TIMED_OUT or PROBE_STOPPED
 * (it was killed), or -1 with *why set when no child could start.  The
 * child is always reaped. */
enum { PROBE_DONE, PROBE_TIMED_OUT, PROBE_STOPPED };
typedef void (*probe_job)(const char *path, const char *name, int w, void *arg);

static int probe_exchange(const char *path, const char *name, probe_job job, void *arg, strbuf *b, int *st,
                          char **why)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        *why = xasprintf("%s: cannot probe: pipe: %s", path, strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        *why = xasprintf("%s: cannot probe: fork: %s", path, strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) { /* a constructor's printf must not land in the TAP stream */
            dup2(nul, 0);
            dup2(nul, 1);
            dup2(nul, 2);
        }
        job(path, name, p[1], arg);
        _exit(0);
    }
    close(p[1]);
    long long until = now_ms() + PROBE_TIMEOUT_MS;
    int how = PROBE_DONE;
    for (;;) {
        long long left = until - now_ms();
        if (left <= 0) {
            how = PROBE_TIMED_OUT;
            break;
        }
        if (stop_signal()) {
            how = PROBE_STOPPED;
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
        if (b->len < PROBE_MAX_BYTES)
            sb_add(b, buf, (size_t)n);
    }
    close(p[0]);
    if (how != PROBE_DONE)
        kill(pid, SIGKILL);
    *st = 0;
    while (waitpid(pid, st, 0) < 0 && errno == EINTR)
        ;
    return how;
}

static void describe_job(const char *path, const char *name, int w, void *arg)
{
    (void)arg;
    probe_child(path, name, w);
}

int probe_plugin(const char *path, const char *name, oc_plugin **desc, unsigned *hooks, char **why)
{
    *desc = NULL;
    *hooks = 0;
    *why = NULL;
    strbuf b = {0};
    int st = 0;
    int how = probe_exchange(path, name, describe_job, NULL, &b, &st, why);
    if (how < 0)
        return PROBE_REFUSED;
    size_t pos = 0;
    const char *kind = b.len ? field(b.s, b.len, &pos) : NULL;
    int rc = PROBE_BROKEN;
    if (how == PROBE_STOPPED) {
        *why = xasprintf("plugin %s: loading was interrupted", name);
    } else if (how == PROBE_TIMED_OUT) {
        *why = xasprintf("plugin %s: still loading after %d s (a constructor that never returns?)", name,
                         PROBE_TIMEOUT_MS / 1000);
    } else if (kind && strcmp(kind, "refused") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        const char *msg = field(b.s, b.len, &pos);
        *why = xstrdup(msg ? msg : "refused");
        rc = PROBE_REFUSED;
    } else if (kind && strcmp(kind, "ok") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
               (*desc = parse_ok(b.s, b.len, pos, hooks))) {
        rc = PROBE_OK;
    } else {
        char *how_ended = how_it_ended(st);
        *why = xasprintf("plugin %s: %s", name, how_ended);
        free(how_ended);
    }
    sb_clear(&b);
    return rc;
}

/* ---- validation: the plugin's validate hook, run in a child ---------- */

typedef struct judge_job {
    const schema_judged *checks;
    size_t n;
} judge_job;

static void write_record(int w, const char *const *f, size_t n)
{
    strbuf b = {0};
    for (size_t i = 0; i < n; i++)
        put(&b, f[i]);
    send_all(w, &b);
    sb_clear(&b);
}

void probe_put_invalid(int fd, const char *key, const char *why)
{
    const char *f[] = {"bad", key, why};
    write_record(fd, f, 3);
}

/* In the child: "check I" before each check (so a crash names it), "bad
 * KEY WHY" per oc_invalid, "done" at the end. */
static void judge_child(const char *path, const char *name, int w, void *arg)
{
    const judge_job *j = arg;
    char *err = NULL;
    void *dl = NULL;
    const oc_plugin *d = loader_open(path, name, &dl, &err);
    if (!d || !d->validate)
        _exit(3); /* it described itself with the hook a moment ago */
    for (size_t i = 0; i < j->n; i++) {
        char num[32];
        snprintf(num, sizeof num, "%zu", i);
        const char *f[] = {"check", num};
        write_record(w, f, 2);
        oc_check ctx = {.name = j->checks[i].check, .desc = d, .res = j->checks[i].res,
                        .deadline_ms = now_ms() + PROBE_TIMEOUT_MS, .fd = w, .thread = pthread_self(),
                        .validating = 1};
        d->validate(&ctx);
    }
    const char *f[] = {"done"};
    write_record(w, f, 1);
    _exit(0);
}

void probe_validate(const char *path, const char *name, const schema_judged *checks, size_t n, schema_bad_fn bad,
                    void *ctx)
{
    if (!n)
        return;
    judge_job j = {checks, n};
    strbuf b = {0};
    int st = 0;
    char *why = NULL;
    int how = probe_exchange(path, name, judge_child, &j, &b, &st, &why);
    size_t cur = 0, pos = 0;
    int done = 0;
    for (const char *kind; !done && (kind = field(b.s, b.len, &pos));) {
        if (strcmp(kind, "check") == 0) {
            const char *num = field(b.s, b.len, &pos);
            size_t i = num ? strtoul(num, NULL, 10) : 0;
            cur = i < n ? i : cur;
        } else if (strcmp(kind, "bad") == 0) {
            const char *key = field(b.s, b.len, &pos), *msg = field(b.s, b.len, &pos);
            if (key && msg)
                bad(ctx, cur, key, msg);
        } else {
            done = strcmp(kind, "done") == 0;
            break;
        }
    }
    if (how < 0) {
        bad(ctx, cur, NULL, why);
    } else if (how == PROBE_TIMED_OUT) {
        char *m = xasprintf("plugin %s: validate still running after %d s", name, PROBE_TIMEOUT_MS / 1000);
        bad(ctx, cur, NULL, m);
        free(m);
    } else if (how == PROBE_STOPPED) {
        char *m = xasprintf("plugin %s: validation was interrupted", name);
        bad(ctx, cur, NULL, m);
        free(m);
    } else if (!done || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char *m = WIFSIGNALED(st)
                      ? xasprintf("plugin %s: validate killed by SIG%s", name,
                                  sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?")
                      : xasprintf("plugin %s: validate exited %d before it finished", name, WEXITSTATUS(st));
        bad(ctx, cur, NULL, m);
        free(m);
    }
    free(why);
    sb_clear(&b);
}
