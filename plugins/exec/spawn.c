/*
 * spawn.c - run one program for the exec plugin and collect what it did.
 *
 * Process groups, decided once here: the program stays in the check's
 * process group, which the core made for this check (run_child.c) and
 * kills whole, with SIGKILL, both at the check's deadline and as soon as
 * the check process exits (run.c reap()).  So nothing the program starts
 * can outlive the check, even if we are killed before we get to clean up.
 * Moving the program to a group of its own would let us kill its tree
 * ourselves, but would hide that tree from the core's kill: worse.  At our
 * own deadline (a little before the core's) we therefore stop the program
 * itself, by pid, report, and return; its leftover children die with the
 * group a moment later.
 *
 * We wait with poll() on the stdout pipe and a pidfd (no SIGCHLD handler,
 * no threads); a program that exits while a background child still holds
 * stdout open does not keep us waiting for EOF.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec_int.h"

extern char **environ;

/* What the child writes to the CLOEXEC pipe when it cannot get going;
 * a successful exec closes the pipe, and the parent reads EOF. */
struct child_err {
    int stage;
    int err;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child, between fork and exec: only async-signal-safe calls, plus
 * the environ assignment so execvp searches the program's own PATH. */
static void child(const exec_spec *s, int out_w, int err_w)
{
    struct child_err ce = { EXEC_STAGE_EXEC, 0 };
    sigset_t none;
    int fd;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)   /* undo ignored signals, e.g. SIGPIPE */
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0 && fd != 0) {
        dup2(fd, 0);
        close(fd);
    }
    dup2(out_w, 1);             /* fd 2 stays: the core captures it */
    /* Nothing else the core or the plugin holds open reaches the program. */
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        for (fd = 3; fd < 1024; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (s->cwd && chdir(s->cwd) != 0) {
        ce.stage = EXEC_STAGE_CHDIR;
        ce.err = errno;
        if (write(err_w, &ce, sizeof ce) < 0)
            _exit(126);
        _exit(126);
    }
    environ = (char **)s->envp;
    execvp(s->argv[0], s->argv);
    ce.err = errno;
    if (write(err_w, &ce, sizeof ce) < 0)
        _exit(127);
    _exit(ce.err == ENOENT ? 127 : 126);
}

/* Append up to r->keep bytes; count everything. */
static int read_some(int fd, exec_result *r, size_t keep)
{
    char chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (n == 0)
        return 0;
    if (r->len < keep) {
        size_t take = (size_t)n < keep - r->len ? (size_t)n : keep - r->len;
        memcpy(r->out + r->len, chunk, take);
        r->len += take;
    }
    r->total += (size_t)n;
    return 1;
}

/* Ask nicely (a program killed outright may lose its buffered output, the
 * very lines an operator needs), then kill it.  Its children are the
 * core's to kill (see the top of this file). */
static void stop(pid_t pid, int out_fd, exec_result *r, size_t keep)
{
    long long until = now_ms() + 100;
    int status;

    kill(pid, SIGTERM);
    while (now_ms() < until) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            r->status = status;
            return;
        }
        struct pollfd p = { .fd = out_fd, .events = POLLIN };
        if (out_fd >= 0 && poll(&p, 1, 10) > 0) {
            if (!read_some(out_fd, r, keep))
                out_fd = -1;
        } else if (out_fd < 0) {
            poll(NULL, 0, 10);
        }
    }
    kill(pid, SIGKILL);
    waitpid(pid, &r->status, 0);
}

int exec_spawn(const exec_spec *s, exec_result *r)
{
    int out[2], errp[2], pidfd, status;
    long long start = now_ms(), deadline = start + s->budget_ms;
    struct child_err ce;
    pid_t pid;
    ssize_t n;

    memset(r, 0, sizeof *r);
    signal(SIGCHLD, SIG_DFL);   /* an inherited SIG_IGN would reap for us */
    r->out = exec_xmalloc(s->keep + 1);
    r->out[0] = '\0';
    if (pipe2(out, O_CLOEXEC) != 0) {
        r->stage = EXEC_STAGE_SPAWN;
        r->err = errno;
        return -1;
    }
    if (pipe2(errp, O_CLOEXEC) != 0) {
        r->stage = EXEC_STAGE_SPAWN;
        r->err = errno;
        close(out[0]);
        close(out[1]);
        return -1;
    }
    pid = fork();
    if (pid == 0)
        child(s, out[1], errp[1]);
    close(out[1]);
    close(errp[1]);
    if (pid < 0) {
        r->stage = EXEC_STAGE_SPAWN;
        r->err = errno;
        close(out[0]);
        close(errp[0]);
        return -1;
    }

    /* EOF means exec succeeded; a record means it did not. */
    do
        n = read(errp[0], &ce, sizeof ce);
    while (n < 0 && errno == EINTR);
    close(errp[0]);
    if (n == (ssize_t)sizeof ce) {
        waitpid(pid, &status, 0);
        close(out[0]);
        r->stage = (exec_stage)ce.stage;
        r->err = ce.err;
        r->elapsed_s = (double)(now_ms() - start) / 1000.0;
        return -1;
    }

    pidfd = pidfd_open(pid, 0); /* -1 on old kernels: then we tick */
    int out_fd = out[0], exited = 0;
    while (!exited) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            r->timed_out = 1;
            stop(pid, out_fd, r, s->keep);
            break;
        }
        struct pollfd p[2] = { { .fd = out_fd, .events = POLLIN },
                               { .fd = pidfd, .events = POLLIN } };
        int tick = pidfd < 0 && left > 50 ? 50 : (int)(left > 60000 ? 60000 : left);
        if (poll(p, 2, tick) < 0 && errno != EINTR)
            break;
        if (out_fd >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (!read_some(out_fd, r, s->keep)) {
                close(out_fd);
                out_fd = -1;
            }
            continue;           /* read what is there before reaping */
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) {
            r->status = w == pid ? status : 0;
            exited = 1;
        }
    }
    if (exited) {
        /* What it wrote is in the pipe already; do not wait on whatever
         * background child may still hold the write end. */
        struct pollfd p = { .fd = out_fd, .events = POLLIN };
        while (out_fd >= 0 && poll(&p, 1, 0) > 0 && read_some(out_fd, r, s->keep))
            ;
    }
    if (out_fd >= 0)
        close(out_fd);
    if (pidfd >= 0)
        close(pidfd);
    r->out[r->len] = '\0';
    r->elapsed_s = (double)(now_ms() - start) / 1000.0;
    return 0;
}

void exec_result_free(exec_result *r)
{
    free(r->out);
    memset(r, 0, sizeof *r);
}
