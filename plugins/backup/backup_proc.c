/*
 * backup_proc.c - run pg_restore or psql for the backup plugin: argv only
 * (no shell), secrets only in the child's environment, stdout to
 * /dev/null, stderr to an unlinked temporary file (read after the exit, so
 * a chatty child can never block on a full pipe while we feed its stdin).
 *
 * Process groups, as in the exec plugin (spawn.c): the child stays in the
 * check's group, which the core kills whole at its deadline; at our own
 * deadline we SIGKILL the child by pid and report a timeout.
 */
#include "backup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Our environment with ENVADD's names replaced or added; malloc'd array. */
static char **child_env(const char *const *envadd)
{
    size_t ne = 0, na = 0, k = 0;
    while (environ[ne])
        ne++;
    while (envadd && envadd[na])
        na++;
    char **env = calloc(ne + na + 1, sizeof *env);
    if (!env)
        abort();
    for (size_t i = 0; i < ne; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t len = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < na && !replaced; j++)
            replaced = strncmp(envadd[j], environ[i], len) == 0;
        if (!replaced)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < na; j++)
        env[k++] = (char *)envadd[j];
    env[k] = NULL;
    return env;
}

int bk_spawn(const char *const *argv, const char *const *envadd, int want_stdin, bk_proc *p,
             bk_proc_res *r)
{
    int in[2] = {-1, -1}, errp[2];
    char tmpl[] = "/tmp/opscheck-backup.XXXXXX";

    memset(r, 0, sizeof *r);
    r->exited = -1;
    p->pid = -1;
    p->stdin_w = -1;
    p->err_fd = mkostemp(tmpl, O_CLOEXEC);
    if (p->err_fd < 0) {
        snprintf(r->err, sizeof r->err, "cannot create a temporary file: %s", strerror(errno));
        return -1;
    }
    unlink(tmpl);
    if ((want_stdin && pipe2(in, O_CLOEXEC) != 0) || pipe2(errp, O_CLOEXEC) != 0) {
        snprintf(r->err, sizeof r->err, "pipe: %s", strerror(errno));
        close(p->err_fd);
        return -1;
    }
    char **env = child_env(envadd);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_IGN); /* a child that dies while we feed it: EPIPE, not death */
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        signal(SIGPIPE, SIG_DFL);
        dup2(want_stdin ? in[0] : devnull, 0);
        dup2(devnull, 1);
        dup2(p->err_fd, 2);
        environ = env;
        execvp(argv[0], (char *const *)argv);
        int e = errno;
        if (write(errp[1], &e, sizeof e) < 0)
            _exit(127);
        _exit(127);
    }
    free(env);
    close(errp[1]);
    if (want_stdin)
        close(in[0]);
    if (pid < 0) {
        snprintf(r->err, sizeof r->err, "fork: %s", strerror(errno));
        close(errp[0]);
        if (want_stdin)
            close(in[1]);
        close(p->err_fd);
        return -1;
    }
    int e = 0;
    ssize_t n;
    do
        n = read(errp[0], &e, sizeof e);
    while (n < 0 && errno == EINTR);
    close(errp[0]);
    if (n == (ssize_t)sizeof e) {
        waitpid(pid, NULL, 0);
        snprintf(r->err, sizeof r->err, "cannot run %s: %s", argv[0], strerror(e));
        if (want_stdin)
            close(in[1]);
        close(p->err_fd);
        return -1;
    }
    p->pid = pid;
    p->stdin_w = want_stdin ? in[1] : -1;
    return 0;
}

/* The first lines of the child's stderr, joined with " / ". */
static void read_err(int fd, bk_proc_res *r)
{
    char buf[1024];
    ssize_t len = pread(fd, buf, sizeof buf - 1, 0);
    size_t k = 0;
    if (len <= 0)
        return;
    buf[len] = '\0';
    for (char *s = buf; *s && k + 4 < sizeof r->err; s++) {
        if (*s == '\n') {
            if (s[1] == '\0')
                break;
            memcpy(r->err + k, " / ", 3);
            k += 3;
        } else if ((unsigned char)*s >= 0x20) {
            r->err[k++] = *s;
        }
    }
    r->err[k] = '\0';
}

void bk_wait(bk_proc *p, long long deadline_ms, bk_proc_res *r)
{
    int status = 0;
    if (p->stdin_w >= 0) {
        close(p->stdin_w);
        p->stdin_w = -1;
    }
    for (;;) {
        pid_t w = waitpid(p->pid, &status, WNOHANG);
        if (w == p->pid)
            break;
        if (w < 0 && errno != EINTR) {
            snprintf(r->err, sizeof r->err, "waitpid: %s", strerror(errno));
            close(p->err_fd);
            return;
        }
        if (deadline_ms > 0 && bk_now_ms() >= deadline_ms) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
            r->timed_out = 1;
            break;
        }
        poll(NULL, 0, 5);
    }
    if (WIFEXITED(status))
        r->exited = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r->signo = WTERMSIG(status);
    read_err(p->err_fd, r);
    close(p->err_fd);
}

int bk_run(const char *const *argv, const char *const *envadd, long long deadline_ms, bk_proc_res *r)
{
    bk_proc p;
    if (bk_spawn(argv, envadd, 0, &p, r) != 0)
        return -1;
    bk_wait(&p, deadline_ms, r);
    return r->exited == 0 && !r->timed_out ? 0 : -1;
}

/* "pg_restore (PostgreSQL) 15.18" -> 15; 0 when it cannot tell.  bk_spawn
 * sends stdout to /dev/null, so a shell moves the answer to stderr; PROG is
 * its $0, never part of the command text. */
static int version_major(const char *prog, long long deadline_ms)
{
    const char *sh[] = {"/bin/sh", "-c", "exec \"$0\" --version >&2", prog, NULL};
    bk_proc p;
    bk_proc_res r;
    if (bk_spawn(sh, NULL, 0, &p, &r) != 0)
        return 0;
    bk_wait(&p, deadline_ms, &r);
    const char *s = strstr(r.err, "(PostgreSQL) ");
    return r.exited == 0 && s ? atoi(s + 13) : 0;
}

int bk_pg_restore_find(const char *opt, long long deadline_ms, char *prog, size_t n, int *major)
{
    glob_t g;
    *major = 0;
    if (opt && *opt) {
        snprintf(prog, n, "%s", opt);
        *major = version_major(prog, deadline_ms);
        return 0;
    }
    snprintf(prog, n, "pg_restore");
    if (glob("/usr/lib/postgresql/*/bin/pg_restore", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            int m = atoi(g.gl_pathv[i] + strlen("/usr/lib/postgresql/"));
            if (m > *major && access(g.gl_pathv[i], X_OK) == 0) {
                *major = m;
                snprintf(prog, n, "%s", g.gl_pathv[i]);
            }
        }
        globfree(&g);
    }
    if (*major == 0)
        *major = version_major(prog, deadline_ms);
    return 0;
}
