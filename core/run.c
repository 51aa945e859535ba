/* run.c - the scheduler and event loop (see run.h). */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reap.h"
#include "redact.h"
#include "run_child.h"
#include "stop.h"
#include "units.h"
#include "wire.h"
#include "zygote.h"

#define OUTPUT_KEEP (16 * 1024)   /* captured stderr kept per attempt */
#define DRAIN_GRACE_MS 1000       /* after exit, how long pipes may stay open */
#define ZYGOTE_GRACE_MS 2000      /* after the run, how long a zygote may take to finish (fini) */
#define ZYGOTE_STOP_MS 300        /* after a stop signal: kill its attempts, sweep, exit */

typedef enum { JOB_WAIT, JOB_RUNNING, JOB_RETRY, JOB_DONE } job_state;

typedef struct job {
    size_t idx;             /* in the plan */
    size_t check;
    job_state state;
    const cfg_resolved *res; /* the plan's */
    zygote *z;              /* its plugin's; NULL when it cannot run */
    pid_t pid;              /* 0 until the zygote says which */
    int res_fd, out_fd;
    int reaped, wstatus, timed_out;
    int spawn_errno;        /* the zygote could not fork it */
    int lost;               /* the zygote died while it ran */
    long long started_ms, deadline_ms, reaped_ms, retry_at_ms;
    wire_reader wr;
    strbuf out;
    size_t out_dropped;
    check_result cur;       /* the attempt under way */
    res_attempt *attempts;
    size_t nattempts;
} job;

/* Why an attempt ended, when the plugin did not say so itself. */
static char *abnormal_reason(job *j, const cfg_check *k)
{
    if (j->spawn_errno)
        return xasprintf("cannot start the check: fork: %s", strerror(j->spawn_errno));
    if (j->lost)
        return xasprintf("%s", j->z->why ? j->z->why : "the plugin's process died while the check ran");
    if (j->timed_out) {
        char *d = unit_duration_text(k->timeout_ms);
        char *m = xasprintf("timed out after %s", d);
        free(d);
        return m;
    }
    if (WIFSIGNALED(j->wstatus))
        return xasprintf("killed by %s%s", stop_signal_name(WTERMSIG(j->wstatus)),
                         WCOREDUMP(j->wstatus) ? " (core dumped)" : "");
    if (!j->wr.ended) {
        int code = WIFEXITED(j->wstatus) ? WEXITSTATUS(j->wstatus) : -1;
        return xasprintf("plugin exited with status %d before reporting its result", code);
    }
    if (j->cur.nasserts == 0)
        return xstrdup("plugin returned without reporting any result");
    return NULL;
}

/* Every result becomes final here, and passes the masking gate here, once,
 * before any writer, report or summary can see it. */
static size_t *done_order; /* this run's jobs in the order they finished */
static size_t ndone;

static void job_done(job *j)
{
    result_publish(&j->cur, j->res->hint);
    j->state = JOB_DONE;
    done_order[ndone++] = j->idx;
}

static void finish_attempt(cfg *c, job *j)
{
    cfg_check *k = &c->checks[j->check];
    long long now = now_ms();
    check_result *r = &j->cur;
    r->duration_ms = now - j->started_ms;
    if (j->out.len) {
        size_t keep = j->out_dropped ? redact_safe_len(j->out.s, j->out.len) : j->out.len;
        r->output = xstrndup(j->out.s, keep);
        r->output_len = keep;
        r->output_dropped = j->out_dropped + (j->out.len - keep);
    }
    sb_clear(&j->out);
    j->out_dropped = 0;
    char *why = abnormal_reason(j, k);
    if (why) {
        /* a crash, a deadline, no result: no verdict was reached */
        if (r->nasserts) { /* keep what it reported, then say how it ended */
            r->asserts = xrealloc(r->asserts, (r->nasserts + 1) * sizeof *r->asserts);
            r->asserts[r->nasserts++] = (res_assert){.status = RES_ERROR, .msg = xstrdup(why)};
        }
        r->status = RES_ERROR;
        free(r->message);
        r->message = why;
    } else {
        result_summarise(r);
    }
    wire_reader_clear(&j->wr);
    memset(&j->wr, 0, sizeof j->wr);
    j->attempts = xrealloc(j->attempts, (j->nattempts + 1) * sizeof *j->attempts);
    j->attempts[j->nattempts++] = (res_attempt){r->status, xstrdup(r->message ? r->message : ""),
                                                r->duration_ms};
    j->pid = 0;
    if (RES_BAD(r->status) && (int)j->nattempts <= k->retries && !stop_signal()) {
        j->state = JOB_RETRY;
        j->retry_at_ms = now + k->retry_delay_ms;
        result_clear(&j->cur);
        return;
    }
    r->attempts = j->attempts;
    r->nattempts = j->nattempts;
    j->attempts = NULL;
    j->nattempts = 0;
    job_done(j);
}

/* A check that never forks (its values could not be resolved, its plugin
 * failed init, or a needed check did not pass). */
static void finish_without_running(job *j, res_status st, char *message)
{
    result_clear(&j->cur);
    j->cur.status = st;
    j->cur.message = message;
    j->cur.attempts = xcalloc(1, sizeof *j->cur.attempts);
    j->cur.attempts[0] = (res_attempt){st, xstrdup(message), 0};
    j->cur.nattempts = 1;
    job_done(j);
}

/* Ask the check's zygote for an attempt; it answers with the pid. */
static void start_attempt(cfg *c, job *j)
{
    cfg_check *k = &c->checks[j->check];
    if (j->res->error) { /* an unset ${env:}, an unreadable ${file:}, a broken plugin */
        finish_without_running(j, RES_ERROR, xstrdup(j->res->error));
        return;
    }
    if (!j->z || j->z->ready != 1) {
        const char *why = j->z && j->z->why ? j->z->why : "its plugin is not running";
        finish_without_running(j, RES_ERROR, xstrdup(why));
        return;
    }
    result_clear(&j->cur);
    j->started_ms = now_ms();
    j->deadline_ms = j->started_ms + k->timeout_ms;
    j->reaped = j->timed_out = j->lost = j->spawn_errno = 0;
    j->wstatus = 0;
    j->pid = 0;
    int res_w, out_w;
    if (child_pipes(&j->res_fd, &res_w, &j->out_fd, &out_w) != 0) {
        finish_without_running(j, RES_ERROR, xasprintf("cannot start the check: pipe: %s", strerror(errno)));
        return;
    }
    int sent = zygote_spawn(j->z, j->idx, k->name, j->res, j->deadline_ms, res_w, out_w);
    close(res_w); /* the zygote has its own copies now */
    close(out_w);
    if (sent != 0) {
        close(j->res_fd);
        close(j->out_fd);
        j->res_fd = j->out_fd = -1;
        finish_without_running(j, RES_ERROR, xstrdup(j->z->why));
        return;
    }
    j->state = JOB_RUNNING;
}

static void read_fd(int *fd, job *j, int is_result)
{
    char buf[65536];
    for (int rounds = 0; *fd >= 0 && rounds < 16; rounds++) {
        ssize_t n = read(*fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            close(*fd);
            *fd = -1;
            return;
        }
        if (is_result) {
            if (wire_feed(&j->wr, buf, (size_t)n, &j->cur) != 0) {
                /* garbage on the record pipe: stop listening to it */
                close(*fd);
                *fd = -1;
                j->wr.ended = 0;
            }
        } else {
            size_t room = j->out.len < OUTPUT_KEEP ? OUTPUT_KEEP - j->out.len : 0;
            size_t take = (size_t)n < room ? (size_t)n : room;
            sb_add(&j->out, buf, take);
            j->out_dropped += (size_t)n - take;
        }
    }
}

/* The zygotes of a run, for the sweep: they are the only children we keep. */
typedef struct zygotes {
    zygote *v;
    size_t n;
} zygotes;

static int is_zygote(pid_t pid, void *arg)
{
    const zygotes *zs = arg;
    for (size_t i = 0; i < zs->n; i++)
        if (zs->v[i].pid == pid)
            return 1;
    return 0;
}

/* What the zygote Z says: attempts started and ended.  When it is gone,
 * its running attempts are lost (their processes, re-parented to us, are
 * swept). */
static void zygote_events(zygote *z, zygotes *zs, job *jobs, size_t n)
{
    zygote_event e;
    int r;
    while ((r = zygote_event_read(z, &e)) == 1) {
        if (e.job >= n || jobs[e.job].z != z || jobs[e.job].state != JOB_RUNNING)
            continue;
        job *j = &jobs[e.job];
        if (e.type == ZYGOTE_SPAWNED && e.pid > 0) {
            j->pid = e.pid;
            if (j->timed_out) { /* its deadline passed before we knew its pid */
                kill(-j->pid, SIGKILL);
                kill(j->pid, SIGKILL);
            }
        } else if (!j->reaped) {
            if (e.type == ZYGOTE_SPAWNED)
                j->spawn_errno = e.status ? e.status : EAGAIN;
            else
                j->wstatus = e.status;
            j->reaped = 1;
            j->reaped_ms = now_ms();
        }
    }
    if (r == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        job *j = &jobs[i];
        if (j->z != z || j->state != JOB_RUNNING || j->reaped)
            continue;
        if (j->pid > 0)
            kill(-j->pid, SIGKILL);
        j->lost = 1;
        j->reaped = 1;
        j->reaped_ms = now_ms();
    }
    reap_sweep(is_zygote, zs);
}

static void kill_all(job *jobs, size_t n, zygotes *zs)
{
    for (size_t i = 0; i < n; i++) {
        job *j = &jobs[i];
        if (j->state != JOB_RUNNING)
            continue;
        if (!j->reaped && j->pid > 0) {
            kill(-j->pid, SIGKILL);
            kill(j->pid, SIGKILL);
        }
        j->reaped = 1;
        if (j->res_fd >= 0)
            close(j->res_fd);
        if (j->out_fd >= 0)
            close(j->out_fd);
        j->res_fd = j->out_fd = -1;
    }
    for (size_t i = 0; i < zs->n; i++) /* each kills and sweeps what is left of its attempts */
        zygote_stop(&zs->v[i], ZYGOTE_STOP_MS);
    reap_sweep(NULL, NULL);
}

/* One zygote per plugin with a check to run, started together; returns
 * once each is ready or failed, or a stop signal came.  A zygote that is
 * not ready by the longest deadline of its checks has hung in a constructor
 * or in init: it is killed and its checks fail with that reason. */
static void start_zygotes(const plan *pl, job *jobs, zygotes *zs)
{
    cfg *c = pl->c;
    zs->v = xcalloc(pl->n ? pl->n : 1, sizeof *zs->v);
    long long *until = xcalloc(pl->n ? pl->n : 1, sizeof *until);
    long long t0 = now_ms();
    for (size_t i = 0; i < pl->n; i++) {
        cfg_check *k = &c->checks[pl->sel[i]];
        if (pl->res[i].error || !k->plugin || k->plugin->broken)
            continue;
        size_t z = 0;
        while (z < zs->n && zs->v[z].plugin != k->plugin->owner)
            z++;
        if (z == zs->n) /* the schema's owner is the loader's plug: the path and name a zygote loads */
            zygote_start(&zs->v[zs->n++], k->plugin->owner);
        jobs[i].z = &zs->v[z];
        if (t0 + k->timeout_ms > until[z])
            until[z] = t0 + k->timeout_ms;
    }
    struct pollfd *pfd = xcalloc(zs->n + 1, sizeof *pfd);
    for (;;) {
        size_t np = 0;
        long long now = now_ms(), wait = 1000;
        pfd[np++] = (struct pollfd){.fd = stop_wake_fd(), .events = POLLIN};
        for (size_t z = 0; z < zs->n; z++) {
            zygote *zy = &zs->v[z];
            if (zy->ready != 0)
                continue;
            if (now >= until[z]) {
                char *d = unit_duration_text(until[z] - t0);
                zy->why = xasprintf("plugin %s: still loading or in init after %s (its checks' deadline)",
                                    zy->plugin->name, d);
                free(d);
                zygote_stop(zy, 0);
                continue;
            }
            if (until[z] - now < wait)
                wait = until[z] - now;
            pfd[np++] = (struct pollfd){.fd = zy->fd, .events = POLLIN};
        }
        if (np == 1 || stop_signal())
            break;
        poll(pfd, np, (int)wait);
        char drain[64];
        while (read(stop_wake_fd(), drain, sizeof drain) > 0)
            ;
        for (size_t z = 0; z < zs->n; z++)
            if (zs->v[z].ready == 0)
                zygote_read_ready(&zs->v[z]);
    }
    free(pfd);
    free(until);
    reap_sweep(is_zygote, zs); /* whatever a failed one left behind */
}

/* Skip a waiting check whose needs did not pass; 1 when decided. */
static int needs_state(cfg *c, job *jobs, const ssize_t *job_of, job *j, int *ready)
{
    cfg_check *k = &c->checks[j->check];
    *ready = 1;
    for (size_t n = 0; n < k->needs.n; n++) {
        ssize_t ji = job_of[k->need_idx[n]];
        if (ji < 0)
            continue;
        job *d = &jobs[ji];
        if (d->state != JOB_DONE) {
            *ready = 0;
            continue;
        }
        if (RES_BAD(d->cur.status) || d->cur.status == RES_SKIP) {
            finish_without_running(j, RES_SKIP, xasprintf("needs %s (%s)", k->needs.v[n],
                                                          d->cur.status == RES_FAIL    ? "failed"
                                                          : d->cur.status == RES_ERROR ? "could not be checked"
                                                                                       : "skipped"));
            return 1;
        }
    }
    return 0;
}

void run_results_free(check_result *results, size_t n)
{
    for (size_t i = 0; results && i < n; i++)
        result_clear(&results[i]);
    free(results);
}

/* The jobs running or waiting to retry, in no order: each event of the
 * loop looks at these, not at every check of the run, so a run of 10,000
 * checks costs per check what a run of 1,000 does. */
typedef struct active {
    size_t *v;
    size_t n;
} active;

static void active_add(active *a, size_t i)
{
    for (size_t k = 0; k < a->n; k++)
        if (a->v[k] == i)
            return;
    a->v[a->n++] = i;
}

/* Drops the jobs that are done (swap with the last). */
static void active_prune(active *a, const job *jobs)
{
    for (size_t k = 0; k < a->n;)
        if (jobs[a->v[k]].state == JOB_DONE)
            a->v[k] = a->v[--a->n];
        else
            k++;
}

/* Names of the running checks, for the progress line. */
static char *running_names(cfg *c, const job *jobs, const active *a)
{
    strbuf b = {0};
    for (size_t k = 0; k < a->n && b.len < 200; k++)
        if (jobs[a->v[k]].state == JOB_RUNNING)
            sb_printf(&b, "%s%s", b.len ? ", " : "", c->checks[jobs[a->v[k]].check].name);
    return sb_steal(&b);
}

int run_checks(const plan *pl, const run_opts *o, run_summary *sum, check_result **results)
{
    cfg *c = pl->c;
    const size_t *sel = pl->sel, nsel = pl->n;
    double t0 = now_s();
    *results = NULL;
    memset(sum, 0, sizeof *sum);
    stop_install(); /* idempotent: main calls it before loading the config */
    reap_become_subreaper();
    job *jobs = xcalloc(nsel ? nsel : 1, sizeof *jobs);
    ssize_t *job_of = xmalloc((c->nchecks ? c->nchecks : 1) * sizeof *job_of);
    for (size_t i = 0; i < c->nchecks; i++)
        job_of[i] = -1;
    for (size_t i = 0; i < nsel; i++) {
        jobs[i].idx = i;
        jobs[i].check = sel[i];
        jobs[i].res = &pl->res[i];
        jobs[i].res_fd = jobs[i].out_fd = -1;
        job_of[sel[i]] = (ssize_t)i;
    }
    int max_jobs = o->jobs > 0 ? o->jobs : c->jobs > 0 ? c->jobs : 8;
    if ((size_t)max_jobs > nsel && nsel > 0)
        max_jobs = (int)nsel;
    zygotes zs = {0};
    start_zygotes(pl, jobs, &zs); /* before any output: they are forked from us */
    o->writer->begin(o, nsel);

    size_t next_out = 0, running = 0, shown = 0;
    done_order = xcalloc(nsel + 1, sizeof *done_order);
    ndone = 0;
    size_t first_wait = 0; /* no job before it is still waiting to start */
    active act = {xcalloc(nsel + 1, sizeof *act.v), 0}; /* running + waiting to retry */
    struct pollfd *pfd = xcalloc(2 * (size_t)max_jobs + zs.n + 1, sizeof *pfd);
    job **pjob = xcalloc(2 * (size_t)max_jobs + zs.n + 1, sizeof *pjob);
    while (next_out < nsel && !stop_signal()) {
        long long now = now_ms();
        /* start what can start, in selection order: retries that are due,
         * then waiting checks from the first one still waiting */
        for (size_t k = 0; k < act.n && running < (size_t)max_jobs; k++) {
            job *j = &jobs[act.v[k]];
            if (j->state != JOB_RETRY || j->retry_at_ms > now)
                continue;
            start_attempt(c, j);
            running += j->state == JOB_RUNNING;
        }
        while (first_wait < nsel && jobs[first_wait].state != JOB_WAIT)
            first_wait++;
        for (size_t i = first_wait; i < nsel && running < (size_t)max_jobs; i++) {
            job *j = &jobs[i];
            int ready = 0;
            if (j->state != JOB_WAIT || needs_state(c, jobs, job_of, j, &ready) || !ready)
                continue;
            start_attempt(c, j);
            if (j->state == JOB_RUNNING) {
                running++;
                active_add(&act, i);
            }
        }
        active_prune(&act, jobs);
        /* a completion-order writer gets each result as it finished ... */
        for (; o->writer->completion_order && shown < ndone; shown++) {
            job *j = &jobs[done_order[shown]];
            o->writer->check(o, j->idx + 1, &c->checks[j->check], &j->cur);
        }
        /* ... the others (TAP) every result whose predecessors are written */
        while (next_out < nsel && jobs[next_out].state == JOB_DONE) {
            job *j = &jobs[next_out];
            check_result *r = &j->cur;
            if (!o->writer->completion_order)
                o->writer->check(o, next_out + 1, &c->checks[j->check], r);
            sum->passed += r->status == RES_PASS;
            sum->warned += r->status == RES_WARN;
            sum->failed += r->status == RES_FAIL;
            sum->errored += r->status == RES_ERROR;
            sum->skipped += r->status == RES_SKIP;
            next_out++;
        }
        if (next_out >= nsel)
            break;
        /* wait for output, an exit, a deadline or a retry time */
        size_t np = 0;
        pfd[np++] = (struct pollfd){.fd = stop_wake_fd(), .events = POLLIN};
        for (size_t z = 0; z < zs.n; z++)
            if (zs.v[z].fd >= 0 && zs.v[z].ready == 1) {
                pjob[np] = NULL;
                pfd[np++] = (struct pollfd){.fd = zs.v[z].fd, .events = POLLIN};
            }
        size_t first_job_fd = np;
        long long wait = 1000;
        for (size_t k = 0; k < act.n; k++) {
            job *j = &jobs[act.v[k]];
            if (j->state == JOB_RETRY && j->retry_at_ms - now < wait)
                wait = j->retry_at_ms - now;
            if (j->state != JOB_RUNNING)
                continue;
            long long until = j->reaped ? j->reaped_ms + DRAIN_GRACE_MS : j->deadline_ms;
            if (until - now < wait)
                wait = until - now;
            if (j->res_fd >= 0) {
                pjob[np] = j;
                pfd[np++] = (struct pollfd){.fd = j->res_fd, .events = POLLIN};
            }
            if (j->out_fd >= 0) {
                pjob[np] = j;
                pfd[np++] = (struct pollfd){.fd = j->out_fd, .events = POLLIN};
            }
        }
        if (wait < 0)
            wait = 0;
        if (o->writer->progress) {
            char *names = running_names(c, jobs, &act);
            o->writer->progress(o, ndone, nsel, names, now_s() - t0); /* finished, in any order */
            free(names);
            if (wait > 100)
                wait = 100;
        }
        int pr = poll(pfd, np, (int)wait);
        if (pr < 0 && errno != EINTR) {
            perror("opscheck: poll");
            kill_all(jobs, nsel, &zs);
            free(zs.v);
            free(act.v);
            free(done_order);
            done_order = NULL;
            free(pfd);
            free(pjob);
            free(jobs);
            free(job_of);
            return 3;
        }
        char drain[256];
        while (read(stop_wake_fd(), drain, sizeof drain) > 0)
            ;
        for (size_t z = 0; z < zs.n; z++)
            if (zs.v[z].fd >= 0 && zs.v[z].ready == 1)
                zygote_events(&zs.v[z], &zs, jobs, nsel);
        for (size_t p = first_job_fd; pr > 0 && p < np; p++) {
            if (!pfd[p].revents)
                continue;
            job *j = pjob[p];
            if (pfd[p].fd == j->res_fd)
                read_fd(&j->res_fd, j, 1);
            else if (pfd[p].fd == j->out_fd)
                read_fd(&j->out_fd, j, 0);
        }
        now = now_ms();
        for (size_t k = 0; k < act.n; k++) {
            job *j = &jobs[act.v[k]];
            if (j->state != JOB_RUNNING)
                continue;
            if (!j->reaped && now >= j->deadline_ms && !j->timed_out) {
                j->timed_out = 1;
                if (j->pid > 0) { /* else killed as soon as the zygote names it */
                    kill(-j->pid, SIGKILL);
                    kill(j->pid, SIGKILL);
                }
            }
            if (j->reaped && (j->res_fd >= 0 || j->out_fd >= 0) && now >= j->reaped_ms + DRAIN_GRACE_MS) {
                /* something outside the group holds the pipes: stop waiting */
                if (j->res_fd >= 0)
                    close(j->res_fd);
                if (j->out_fd >= 0)
                    close(j->out_fd);
                j->res_fd = j->out_fd = -1;
            }
            if (j->reaped && j->res_fd < 0 && j->out_fd < 0) {
                finish_attempt(c, j);
                running--;
            }
        }
    }
    int rc = sum->failed || sum->errored ? 1 : 0;
    if (stop_signal()) {
        kill_all(jobs, nsel, &zs);
        sum->interrupted = stop_signal();
        /* what finished is shown (completion order) or in the reports; say
         * how long it ran and which checks did not finish */
        for (; o->writer->completion_order && shown < ndone; shown++) {
            job *j = &jobs[done_order[shown]];
            o->writer->check(o, j->idx + 1, &c->checks[j->check], &j->cur);
        }
        strbuf why = {0}, names = {0};
        size_t unfinished = 0;
        for (size_t i = 0; i < nsel; i++) {
            if (jobs[i].state == JOB_DONE)
                continue;
            if (unfinished++ < 8)
                sb_printf(&names, "%s%s", names.len ? ", " : "", c->checks[jobs[i].check].name);
        }
        if (unfinished > 8)
            sb_printf(&names, ", and %zu more", unfinished - 8);
        sb_printf(&why, "interrupted after %.1fs: %zu check%s did not finish%s%s%s", now_s() - t0, unfinished,
                  unfinished == 1 ? "" : "s", unfinished ? " (" : "", names.s ? names.s : "", unfinished ? ")" : "");
        o->writer->bail(o, why.s);
        sb_clear(&why);
        sb_clear(&names);
        rc = 128 + stop_signal();
    }
    for (size_t z = 0; z < zs.n; z++) /* each calls fini and ends */
        zygote_stop(&zs.v[z], ZYGOTE_GRACE_MS);
    reap_sweep(NULL, NULL);
    for (size_t z = 0; z < zs.n; z++)
        free(zs.v[z].why);
    free(zs.v);
    sum->seconds = now_s() - t0;
    if (!stop_signal() && o->writer->end)
        o->writer->end(o);
    *results = xcalloc(nsel ? nsel : 1, sizeof **results);
    for (size_t i = 0; i < nsel; i++) {
        if (jobs[i].state == JOB_DONE) {
            (*results)[i] = jobs[i].cur; /* moved: the reports read it */
            memset(&jobs[i].cur, 0, sizeof jobs[i].cur);
        } else { /* stopped before its verdict: the reports say so, with the attempts it made */
            (*results)[i].status = RES_ERROR;
            (*results)[i].message = xstrdup("interrupted");
            (*results)[i].attempts = jobs[i].attempts;
            (*results)[i].nattempts = jobs[i].nattempts;
            jobs[i].attempts = NULL;
            jobs[i].nattempts = 0;
            result_publish(&(*results)[i], NULL); /* the attempts' messages pass the masking gate too */
        }
        if (sum->interrupted) { /* every check, written or not, as the reports count them */
            res_status st = (*results)[i].status;
            size_t *n[RES_NSTATUS] = {[RES_PASS] = &sum->passed, [RES_WARN] = &sum->warned, [RES_SKIP] = &sum->skipped,
                                      [RES_FAIL] = &sum->failed, [RES_ERROR] = &sum->errored};
            if (i == 0)
                sum->passed = sum->warned = sum->skipped = sum->failed = sum->errored = 0;
            (*n[st])++;
        }
        result_clear(&jobs[i].cur);
        for (size_t a = 0; a < jobs[i].nattempts; a++)
            free(jobs[i].attempts[a].message);
        free(jobs[i].attempts);
        wire_reader_clear(&jobs[i].wr);
        sb_clear(&jobs[i].out);
    }
    free(act.v);
    free(done_order);
    done_order = NULL;
    free(pfd);
    free(pjob);
    free(jobs);
    free(job_of);
    return rc;
}
