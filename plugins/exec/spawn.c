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
static void child(const exec_spec *s, int out_w, int stderr_w, int err_w)
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
    dup2(out_w, 1);
    if (stderr_w >= 0)          /* else fd 2 stays: the core captures it */
        dup2(stderr_w, 2);
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

/* Read one chunk of a pipe: append up to `keep` bytes to buf, count every
 * byte in *total (when given), copy every byte on to fd `tee` (when
 * >= 0) and give it to S's on_out (when S is given and has one).  Returns
 * 0 at EOF or on an error, else 1. */
static int read_pipe(int fd, char *buf, size_t *len, size_t keep, size_t *total, int tee,
                     const exec_spec *s)
{
    char chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (n == 0)
        return 0;
    if (s && s->on_out)
        s->on_out(s->on_out_arg, chunk, (size_t)n);
    if (*len < keep) {
        size_t take = (size_t)n < keep - *len ? (size_t)n : keep - *len;
        memcpy(buf + *len, chunk, take);
        *len += take;
    }
    if (total)
        *total += (size_t)n;
    for (ssize_t off = 0, w; tee >= 0 && off < n; off += w) {
        w = write(tee, chunk + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR)
            w = 0;
        else if (w <= 0)
            break;              /* nowhere to copy it: we still keep ours */
    }
    return 1;
}

/* stdout: kept for the parsers.  stderr: its first bytes kept for the
 * message, every byte passed on to our own fd 2, so the core's capture
 * (and its masking) still sees it all. */
static int read_some(int fd, exec_result *r, const exec_spec *s)
{
    return read_pipe(fd, r->out, &r->len, s->keep, &r->total, -1, s);
}

static int read_err(int fd, exec_result *r, size_t keep)
{
    return read_pipe(fd, r->errout, &r->errout_len, keep, NULL, 2, NULL);
}

/* The program's two output pipes; -1 once at EOF (or never opened). */
typedef struct pipes {
    int out, err;
} pipes;

/* Read whatever one poll() said is ready; close a pipe at EOF.  Returns
 * 1 when either pipe is still open after that. */
static int read_ready(pipes *io, const struct pollfd *p, exec_result *r, const exec_spec *s)
{
    if (io->out >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !read_some(io->out, r, s)) {
        close(io->out);
        io->out = -1;
    }
    if (io->err >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) && !read_err(io->err, r, s->err_keep)) {
        close(io->err);
        io->err = -1;
    }
    return io->out >= 0 || io->err >= 0;
}

/* Ask nicely (a program killed outright may lose its buffered output, the
 * very lines an operator needs), then kill it.  Its children are the
 * core's to kill (see the top of this file). */
static void stop(pid_t pid, pipes *io, exec_result *r, const exec_spec *s)
{
    long long until = now_ms() + 100;
    int status;

    kill(pid, SIGTERM);
    while (now_ms() < until) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            r->status = status;
            return;
        }
        struct pollfd p[2] = { { .fd = io->out, .events = POLLIN }, { .fd = io->err, .events = POLLIN } };
        if (poll(p, 2, 10) > 0)
            read_ready(io, p, r, s);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &r->status, 0);
}

static void fail_stage(exec_result *r, int *fds, size_t nfds)
{
    r->stage = EXEC_STAGE_SPAWN;
    r->err = errno;
    for (size_t i = 0; i < nfds; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

int exec_spawn(const exec_spec *s, exec_result *r)
{
    int fds[6] = { -1, -1, -1, -1, -1, -1 }; /* stdout, child errors, stderr: read, write ends */
    int *out = fds, *errp = fds + 2, *serr = fds + 4, pidfd, status;
    long long start = now_ms(), deadline = start + s->budget_ms;
    struct child_err ce;
    pid_t pid;
    ssize_t n;

    memset(r, 0, sizeof *r);
    signal(SIGCHLD, SIG_DFL);   /* an inherited SIG_IGN would reap for us */
    r->out = exec_xmalloc(s->keep + 1);
    r->out[0] = '\0';
    r->errout = exec_xmalloc(s->err_keep + 1);
    r->errout[0] = '\0';
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0
        || (s->err_keep && pipe2(serr, O_CLOEXEC) != 0)) {
        fail_stage(r, fds, 6);
        return -1;
    }
    pid = fork();
    if (pid == 0)
        child(s, out[1], serr[1], errp[1]);
    close(out[1]);
    close(errp[1]);
    if (serr[1] >= 0)
        close(serr[1]);
    if (pid < 0) {
        int keep[3] = { out[0], errp[0], serr[0] };
        fail_stage(r, keep, 3);
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
        if (serr[0] >= 0)
            close(serr[0]);
        r->stage = (exec_stage)ce.stage;
        r->err = ce.err;
        r->elapsed_s = (double)(now_ms() - start) / 1000.0;
        return -1;
    }

    pidfd = pidfd_open(pid, 0); /* -1 on old kernels: then we tick */
    pipes io = { out[0], serr[0] };
    int exited = 0;
    while (!exited) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            r->timed_out = 1;
            stop(pid, &io, r, s);
            break;
        }
        struct pollfd p[3] = { { .fd = io.out, .events = POLLIN },
                               { .fd = io.err, .events = POLLIN },
                               { .fd = pidfd, .events = POLLIN } };
        int tick = pidfd < 0 && left > 50 ? 50 : (int)(left > 60000 ? 60000 : left);
        if (poll(p, 3, tick) < 0 && errno != EINTR)
            break;
        if ((p[0].revents | p[1].revents) & (POLLIN | POLLHUP | POLLERR)) {
            read_ready(&io, p, r, s);
            continue;           /* read what is there before reaping */
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) {
            r->status = w == pid ? status : 0;
            exited = 1;
        }
    }
    if (exited) {
        /* What it wrote is in the pipes already; do not wait on whatever
         * background child may still hold a write end. */
        int open = io.out >= 0 || io.err >= 0;
        while (open) {
            struct pollfd p[2] = { { .fd = io.out, .events = POLLIN }, { .fd = io.err, .events = POLLIN } };
            if (poll(p, 2, 0) <= 0)
                break;
            open = read_ready(&io, p, r, s);
        }
    }
    if (io.out >= 0)
        close(io.out);
    if (io.err >= 0)
        close(io.err);
    if (pidfd >= 0)
        close(pidfd);
    r->out[r->len] = '\0';
    r->errout[r->errout_len] = '\0';
    r->elapsed_s = (double)(now_ms() - start) / 1000.0;
    return 0;
}

void exec_result_free(exec_result *r)
{
    free(r->out);
    free(r->errout);
    memset(r, 0, sizeof *r);
}
