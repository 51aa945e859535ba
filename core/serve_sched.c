/*
 * serve_sched.c - when a checklist is due, and one round of it: `opscheck
 * run NAME -c FILE... --json F --prometheus F` as a child process of this
 * same program, in its own process group, its reports in serve's private
 * folder.  The child does everything `run` does (plan, zygotes, deadlines,
 * masking, reaping); serve keeps the reports.  A round that crashes, is
 * killed or writes no report is an error round, never a pass.  Its argv
 * names the checklist and the config files only: no secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redact.h"
#include "serve.h"

enum { REPORT_MAX = 64 << 20, ERR_TAIL = 4096, TERM_GRACE_MS = 1500 };

long long sv_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first HH:MM (local time) strictly after AFTER_MS. */
static long long next_at(int minute, long long after_ms)
{
    time_t t = (time_t)(after_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = minute / 60;
    tm.tm_min = minute % 60;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t at = mktime(&tm);
    if ((long long)at * 1000 <= after_ms) {
        tm.tm_mday++;
        tm.tm_hour = minute / 60;
        tm.tm_min = minute % 60;
        tm.tm_isdst = -1;
        at = mktime(&tm);
    }
    return (long long)at * 1000;
}

long long sv_next_due(const sv_list *l, long long from_ms, long long now)
{
    long long due = 0;
    if (l->every_ms)
        due = from_ms ? from_ms + l->every_ms : now; /* the first round at start-up */
    if (l->at_minute >= 0) {
        long long at = next_at(l->at_minute, from_ms ? from_ms : now);
        due = due && due < at ? due : at;
    }
    return due;
}

/* The last non-empty line of the child's stderr, or NULL. */
static char *last_line(const char *path)
{
    size_t len = 0;
    char *all = file_read(path, 1 << 20, &len);
    if (!all)
        return NULL;
    while (len && (all[len - 1] == '\n' || all[len - 1] == '\r'))
        all[--len] = 0;
    char *nl = strrchr(all, '\n');
    const char *last = nl ? nl + 1 : all;
    size_t n = strlen(last);
    char *line = len ? xstrndup(last, n < ERR_TAIL ? n : ERR_TAIL) : NULL;
    free(all);
    return line;
}

static sv_status status_of(const char *s)
{
    static const char *const names[] = {"skip", "pass", "warn", "error", "fail"};
    for (int i = 0; i < 5; i++)
        if (s && strcmp(s, names[i]) == 0)
            return (sv_status)i;
    return SV_ERROR;
}

/* The round R from what the child left: its exit WST, its reports. */
static void classify(sv_round *r, int wst, int cut, const char *json, const char *prom, const char *errline)
{
    cJSON *rep = json ? cJSON_Parse(json) : NULL;
    const cJSON *checks = rep ? cJSON_GetObjectItemCaseSensitive(rep, "checks") : NULL;
    int clean = WIFEXITED(wst) && (WEXITSTATUS(wst) == 0 || WEXITSTATUS(wst) == 1);
    if (!cJSON_IsArray(checks) || !cJSON_GetArraySize(checks)) {
        cJSON_Delete(rep);
        r->status = SV_ERROR;
        if (cut)
            r->error = xstrdup("cut at the probe's timeout before it wrote a report");
        else if (WIFSIGNALED(wst))
            r->error = xasprintf("the round was killed by signal %d and wrote no report", WTERMSIG(wst));
        else if (errline)
            r->error = xasprintf("the round wrote no report (exit %d): %s", WEXITSTATUS(wst), errline);
        else
            r->error = xasprintf("the round wrote no report (exit %d)", WEXITSTATUS(wst));
        return;
    }
    r->report = rep;
    r->prom = prom ? xstrdup(prom) : NULL;
    r->status = SV_SKIP;
    r->checks = xcalloc((size_t)cJSON_GetArraySize(checks), sizeof *r->checks);
    const cJSON *c;
    cJSON_ArrayForEach(c, checks) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, "status");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, "duration_seconds");
        sv_check_rec *k = &r->checks[r->nchecks++];
        k->name = xstrdup(cJSON_IsString(name) ? name->valuestring : "?");
        k->status = status_of(cJSON_IsString(st) ? st->valuestring : NULL);
        k->duration_ms = cJSON_IsNumber(d) ? (long long)(d->valuedouble * 1000 + 0.5) : 0;
        if (k->status > r->status)
            r->status = k->status;
    }
    if (!clean && r->status < SV_ERROR)
        r->status = SV_ERROR; /* interrupted: never a pass */
    if (cut)
        r->error = xstrdup("cut at the probe's timeout: the checks that had not finished are errors");
    else if (!clean)
        r->error = WIFSIGNALED(wst) ? xasprintf("the round was killed by signal %d", WTERMSIG(wst))
                                    : xasprintf("the round was interrupted (exit %d)", WEXITSTATUS(wst));
}

/* Waits for PID; at DEADLINE_MS (wall clock, 0: none) tells it to stop, and
 * kills its group TERM_GRACE_MS later.  The exit status; *CUT when cut. */
static int wait_round(pid_t pid, long long deadline_ms, int *cut)
{
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int st = 0, termed = 0;
    long long kill_at = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        long long now = sv_wall_ms(), wait_ms = pfd >= 0 ? -1 : 50;
        if (deadline_ms && !termed && now >= deadline_ms) {
            kill(pid, SIGTERM); /* the run bails out and reports the cut checks */
            termed = *cut = 1;
            kill_at = now + TERM_GRACE_MS;
        }
        if (termed && now >= kill_at) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            kill_at = now + 60000;
        }
        long long next = termed ? kill_at : deadline_ms;
        if (next && (wait_ms < 0 || next - now < wait_ms))
            wait_ms = next - now > 0 ? next - now : 0;
        if (pfd >= 0) {
            struct pollfd p = {.fd = pfd, .events = POLLIN};
            poll(&p, 1, wait_ms > 0x7fffffff ? 0x7fffffff : (int)wait_ms);
        } else {
            struct timespec ts = {.tv_sec = wait_ms / 1000, .tv_nsec = (wait_ms % 1000) * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (pfd >= 0)
        close(pfd);
    return st;
}

/* The child's side: its own process group, nothing inherited but 0-2, the
 * program itself.  Only async-signal-safe calls (serve has threads). */
static void exec_round(char **argv, const char *errpath)
{
    setpgid(0, 0);
    int null = open("/dev/null", O_RDWR);
    int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null < 0 || err < 0)
        _exit(127);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err, 2);
    syscall(SYS_close_range, 3u, ~0u, 0u);
    execv("/proc/self/exe", argv);
    _exit(127);
}

static void pid_forget(serve_ctx *s, pid_t pid)
{
    for (size_t i = 0; i < s->npids; i++)
        if (s->pids[i] == pid)
            s->pids[i] = s->pids[--s->npids];
}

/* The probe's answer: the round's series and blackbox_exporter's two. */
static char *probe_text(const sv_round *r)
{
    strbuf b = {0};
    sb_puts(&b, r->prom ? r->prom : "");
    sb_puts(&b, "# HELP opscheck_probe_success 1 when every check of the probed checklist passed, warned or was "
                "skipped.\n# TYPE opscheck_probe_success gauge\n");
    sb_printf(&b, "opscheck_probe_success %d\n", r->status <= SV_WARN);
    sb_puts(&b, "# HELP opscheck_probe_duration_seconds How long the probe's round took.\n"
                "# TYPE opscheck_probe_duration_seconds gauge\n");
    sb_printf(&b, "opscheck_probe_duration_seconds %.3f\n", r->seconds);
    return sb_steal(&b);
}

void sv_round_run(serve_ctx *s, const char *name, long long deadline_ms, char **prom_out)
{
    pthread_mutex_lock(&s->mu);
    unsigned long seq = ++s->seq;
    char *json = xasprintf("%s/r%lu.json", s->tmpdir, seq), *prom = xasprintf("%s/r%lu.prom", s->tmpdir, seq);
    char *errp = xasprintf("%s/r%lu.err", s->tmpdir, seq);
    strvec argv = {0};
    sv_push(&argv, xstrdup("opscheck"));
    sv_push(&argv, xstrdup("run"));
    for (size_t i = 0; i < s->files.n; i++) {
        sv_push(&argv, xstrdup("-c"));
        sv_push(&argv, xstrdup(s->files.v[i]));
    }
    sv_push(&argv, xstrdup("--json"));
    sv_push(&argv, xstrdup(json));
    sv_push(&argv, xstrdup("--prometheus"));
    sv_push(&argv, xstrdup(prom));
    sv_push(&argv, xstrdup(name)); /* a name from the config, never from a request */
    sv_push(&argv, NULL);
    /* one clock for the start and the next due time: time() is the coarse
     * clock, a few ms behind, and would make a round due again at once */
    long long started_ms = sv_wall_ms();
    sv_round r = {.started = (time_t)(started_ms / 1000), .status = SV_ERROR};
    double t0 = now_s();
    pid_t pid = s->stopping ? -1 : fork();
    if (pid == 0)
        exec_round(argv.v, errp);
    int st = 0, cut = 0;
    if (pid > 0) {
        setpgid(pid, pid); /* also here: no window where the group does not exist */
        s->pids = xrealloc(s->pids, (s->npids + 1) * sizeof *s->pids);
        s->pids[s->npids++] = pid;
        if (s->stopping)
            kill(pid, SIGTERM);
        pthread_mutex_unlock(&s->mu);
        st = wait_round(pid, deadline_ms, &cut);
        pthread_mutex_lock(&s->mu);
        pid_forget(s, pid);
    }
    pthread_mutex_unlock(&s->mu);
    argv.n--; /* the NULL */
    sv_clear(&argv);

    size_t n;
    char *jtext = pid > 0 ? file_read(json, REPORT_MAX, &n) : NULL, *ptext = pid > 0 ? file_read(prom, REPORT_MAX, &n) : NULL;
    char *eline = pid > 0 ? last_line(errp) : NULL;
    if (pid > 0)
        classify(&r, st, cut, jtext, ptext, eline);
    else
        r.error = xstrdup(s->stopping ? "serve is stopping" : "cannot start the round (fork failed)");
    r.seconds = now_s() - t0;
    unlink(json);
    unlink(prom);
    unlink(errp);
    free(jtext);
    free(ptext);
    free(eline);
    free(json);
    free(prom);
    free(errp);

    pthread_mutex_lock(&s->mu);
    if (r.error) { /* the child's own words are masked already; serve's too now */
        char *m = redact(r.error);
        free(r.error);
        r.error = m;
    }
    if (prom_out)
        *prom_out = probe_text(&r);
    sv_list *l = sv_find(s, name);
    if (l && pid > 0) {
        l->running = 0;
        l->last_start_ms = started_ms;
        l->next_due_ms = sv_next_due(l, started_ms, sv_wall_ms());
        sv_record(s, l, &r);
    } else {
        if (l)
            l->running = 0;
        sv_round_clear(&r); /* the checklist left the config meanwhile, or serve stops */
    }
    s->active--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

typedef struct round_arg {
    serve_ctx *s;
    char *name;
} round_arg;

static void *round_thread(void *p)
{
    round_arg *a = p;
    sv_round_run(a->s, a->name, 0, NULL);
    free(a->name);
    free(a);
    return NULL;
}

void sv_round_start(serve_ctx *s, size_t i)
{
    sv_list *l = &s->lists[i];
    round_arg *a = xmalloc(sizeof *a);
    *a = (round_arg){.s = s, .name = xstrdup(l->name)};
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    if (pthread_create(&t, &at, round_thread, a) == 0) {
        l->running = 1;
        s->active++;
    } else {
        free(a->name);
        free(a);
    }
    pthread_attr_destroy(&at);
}

void sv_rounds_stop(serve_ctx *s, long long grace_ms)
{
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    for (size_t i = 0; i < s->npids; i++)
        kill(s->pids[i], SIGTERM); /* each run kills its checks and exits */
    long long kill_at = now_ms() + grace_ms;
    while (s->active) {
        if (now_ms() >= kill_at)
            for (size_t i = 0; i < s->npids; i++)
                kill(-s->pids[i], SIGKILL);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->idle, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
}
