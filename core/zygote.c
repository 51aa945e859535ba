/* zygote.c - see zygote.h. */
#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reap.h"
#include "run_child.h"

/* Messages, one per SOCK_SEQPACKET datagram. */
enum { ZM_READY = 1, ZM_FAILED, ZM_SPAWN, ZM_SPAWNED, ZM_EXITED };

typedef struct zmsg {
    int type;
    int status;          /* EXITED: wait status; SPAWNED: errno of a failed fork, else 0 */
    size_t job;
    pid_t pid;
    long long deadline_ms;
    char text[480];      /* FAILED: why, one line */
} zmsg;

/* ---- the zygote process ---------------------------------------------- */

static int sigchld_pipe[2] = {-1, -1};

static void on_sigchld(int sig)
{
    (void)sig;
    int e = errno;
    if (write(sigchld_pipe[1], "c", 1) < 0) {
        /* full: a wake-up is pending anyway */
    }
    errno = e;
}

/* The attempts this zygote forked and has not reported ended. */
typedef struct attempt {
    pid_t pid;
    size_t job;
} attempt;

static attempt *att;
static size_t natt;

static int is_attempt(pid_t pid, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < natt; i++)
        if (att[i].pid == pid)
            return 1;
    return 0;
}

static void send_msg(int sock, const zmsg *m)
{
    while (send(sock, m, sizeof *m, MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
}

static void send_failed(int sock, const char *why)
{
    zmsg m = {.type = ZM_FAILED};
    snprintf(m.text, sizeof m.text, "%s", why);
    m.text[strcspn(m.text, "\r\n")] = '\0';
    send_msg(sock, &m);
}

/* The check's name and values from the memfd the main process wrote them
 * to (check_blob()): "name\0" then "key\0value\0" pairs.  In the attempt's
 * own process: it exits when the description is unreadable. */
static void read_blob(int fd, char **name, cfg_resolved *res)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0)
        _exit(5);
    char *b = xmalloc((size_t)st.st_size + 1);
    if (pread(fd, b, (size_t)st.st_size, 0) != st.st_size)
        _exit(5);
    b[st.st_size] = '\0';
    close(fd);
    const char *p = b, *end = b + st.st_size;
    *name = (char *)p;
    p += strlen(p) + 1;
    memset(res, 0, sizeof *res);
    size_t cap = 0;
    while (p < end) {
        const char *key = p;
        p += strlen(p) + 1;
        if (p >= end)
            break;
        const char *val = p;
        p += strlen(p) + 1;
        if (res->nopts == cap) {
            cap = cap ? 2 * cap : 8;
            res->opts = xrealloc(res->opts, cap * sizeof *res->opts);
        }
        res->opts[res->nopts++] = (cfg_opt){.key = key, .value = (char *)val};
    }
}

/* One request: fork the attempt with its pipe ends and its description. */
static void serve_spawn(int sock, const oc_plugin *desc, const zmsg *req, int res_w, int out_w, int blob)
{
    pid_t pid = fork();
    if (pid == 0) {
        close(sock);
        close(sigchld_pipe[0]);
        close(sigchld_pipe[1]);
        char *name;
        cfg_resolved res;
        read_blob(blob, &name, &res);
        child_run(name, desc, &res, req->deadline_ms, res_w, out_w);
    }
    zmsg m = {.type = ZM_SPAWNED, .job = req->job, .pid = pid < 0 ? 0 : pid, .status = pid < 0 ? errno : 0};
    close(res_w);
    close(out_w);
    close(blob);
    if (pid > 0) {
        setpgid(pid, pid); /* also here: no window where the group does not exist */
        att = xrealloc(att, (natt + 1) * sizeof *att);
        att[natt++] = (attempt){pid, req->job};
    }
    send_msg(sock, &m);
}

/* Attempts that ended: kill their group while the leader is still a zombie
 * (its id cannot have been reused), reap, sweep what they left, report. */
static void reap_attempts(int sock)
{
    for (;;) {
        siginfo_t si = {0};
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0)
            return;
        pid_t pid = si.si_pid;
        int st = 0;
        if (is_attempt(pid, NULL))
            kill(-pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        for (size_t i = 0; i < natt; i++) {
            if (att[i].pid != pid)
                continue;
            zmsg m = {.type = ZM_EXITED, .job = att[i].job, .pid = pid, .status = st};
            att[i] = att[--natt];
            reap_sweep(is_attempt, NULL);
            send_msg(sock, &m);
            break;
        }
    }
}

/* The socket closed (the run ended or was interrupted): kill every attempt
 * and what it left, then fini, then exit. */
static void shut_down(plug *p)
{
    for (size_t i = 0; i < natt; i++) {
        kill(-att[i].pid, SIGKILL);
        kill(att[i].pid, SIGKILL);
    }
    natt = 0;
    reap_sweep(NULL, NULL);
    if (p->init_state == 1 && p->desc->fini)
        p->desc->fini();
    _exit(0);
}

int zygote_main(const char *fd_arg, const char *path, const char *name)
{
    int sock = atoi(fd_arg);
    plug self = {.name = (char *)name, .path = (char *)path};
    plug *p = &self;
    setpgid(0, 0);
    reap_become_subreaper();
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    int stops[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    for (size_t i = 0; i < sizeof stops / sizeof *stops; i++)
        sigaction(stops[i], &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) { /* a constructor's or init's printf must not reach the TAP stream */
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(nul, 2);
    }
    fcntl(sock, F_SETFD, FD_CLOEXEC);
    if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        _exit(3);
    struct sigaction sa = {.sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);

    char *err = NULL;
    void *dl = NULL;
    const oc_plugin *real = loader_open(p->path, p->name, &dl, &err);
    if (!real) {
        send_failed(sock, err);
        _exit(0);
    }
    p->desc = real;
    if (plug_init(p) != 0) {
        char *why = plug_init_failure(p);
        send_failed(sock, why);
        _exit(0);
    }
    zmsg ready = {.type = ZM_READY};
    send_msg(sock, &ready);

    for (;;) {
        struct pollfd pf[2] = {{.fd = sock, .events = POLLIN}, {.fd = sigchld_pipe[0], .events = POLLIN}};
        if (poll(pf, 2, -1) < 0 && errno != EINTR)
            shut_down(p);
        if (pf[1].revents) {
            char drain[64];
            while (read(sigchld_pipe[0], drain, sizeof drain) > 0)
                ;
            reap_attempts(sock);
        }
        if (!pf[0].revents)
            continue;
        zmsg req;
        char ctl[CMSG_SPACE(3 * sizeof(int))];
        struct iovec iov = {.iov_base = &req, .iov_len = sizeof req};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
        ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            shut_down(p);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        if (n != (ssize_t)sizeof req || req.type != ZM_SPAWN || !cm || cm->cmsg_type != SCM_RIGHTS ||
            cm->cmsg_len != CMSG_LEN(3 * sizeof(int)))
            shut_down(p); /* not our main process speaking: stop */
        int fds[3];
        memcpy(fds, CMSG_DATA(cm), sizeof fds);
        serve_spawn(sock, real, &req, fds[0], fds[1], fds[2]);
    }
}

/* ---- the main process's side ------------------------------------------ */

void zygote_start(zygote *z, const plug *p)
{
    memset(z, 0, sizeof *z);
    z->plugin = p;
    z->fd = -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        z->ready = -1;
        z->why = xasprintf("plugin %s: cannot start its process: socketpair: %s", p->name, strerror(errno));
        return;
    }
    pid_t parent = getpid();
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        z->ready = -1;
        z->why = xasprintf("plugin %s: cannot start its process: /proc/self/exe: %s", p->name, strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return;
    }
    self[len] = '\0';
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        z->ready = -1;
        z->why = xasprintf("plugin %s: cannot start its process: fork: %s", p->name, strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return;
    }
    if (pid == 0) {
        /* a fresh program, not a copy of this one: every attempt it forks
         * copies its few pages, not the config, plan and results here */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        int fd = sv[1] == ZYGOTE_FD ? ZYGOTE_FD : dup2(sv[1], ZYGOTE_FD);
        if (fd != ZYGOTE_FD)
            _exit(3);
        fcntl(ZYGOTE_FD, F_SETFD, 0);
        close_range(ZYGOTE_FD + 1, ~0U, 0);
        char fdarg[16];
        snprintf(fdarg, sizeof fdarg, "%d", ZYGOTE_FD);
        char *argv[] = {(char *)"opscheck", (char *)ZYGOTE_ARG, fdarg, p->path, p->name, NULL};
        execv(self, argv);
        _exit(127);
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    z->pid = pid;
    z->fd = sv[0];
}

/* The zygote went away: reap it and say how, unless a reason is known. */
static void lost(zygote *z, const char *when)
{
    if (z->fd >= 0)
        close(z->fd);
    z->fd = -1;
    int st = 0;
    if (z->pid > 0) {
        kill(z->pid, SIGKILL); /* it may only have closed its socket */
        while (waitpid(z->pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    z->pid = 0;
    z->ready = -1;
    if (z->why)
        return;
    if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
        z->why = xasprintf("plugin %s: killed by SIG%s %s", z->plugin->name,
                           sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?", when);
    else if (WIFEXITED(st))
        z->why = xasprintf("plugin %s: exited %d %s", z->plugin->name, WEXITSTATUS(st), when);
    else
        z->why = xasprintf("plugin %s: its process ended %s", z->plugin->name, when);
}

static ssize_t recv_msg(zygote *z, zmsg *m)
{
    ssize_t n;
    while ((n = recv(z->fd, m, sizeof *m, 0)) < 0 && errno == EINTR)
        ;
    return n;
}

void zygote_read_ready(zygote *z)
{
    if (z->ready != 0 || z->fd < 0)
        return;
    zmsg m;
    ssize_t n = recv_msg(z, &m);
    if (n < 0 && errno == EAGAIN)
        return;
    if (n == (ssize_t)sizeof m && m.type == ZM_READY) {
        z->ready = 1;
        return;
    }
    if (n == (ssize_t)sizeof m && m.type == ZM_FAILED) {
        m.text[sizeof m.text - 1] = '\0';
        z->why = xstrdup(m.text);
    }
    lost(z, "while loading or in init");
}

/* The check's name and values, for its attempt (read_blob()), in a memfd:
 * any size, one write, no parsing in the zygote itself.  -1 on failure. */
static int check_blob(const char *name, const cfg_resolved *res)
{
    int fd = memfd_create("opscheck-check", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    strbuf b = {0};
    sb_add(&b, name, strlen(name) + 1);
    for (size_t i = 0; i < res->nopts; i++) {
        sb_add(&b, res->opts[i].key, strlen(res->opts[i].key) + 1);
        sb_add(&b, res->opts[i].value, strlen(res->opts[i].value) + 1);
    }
    for (size_t off = 0; off < b.len;) {
        ssize_t n = write(fd, b.s + off, b.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            sb_clear(&b);
            return -1;
        }
        off += (size_t)n;
    }
    sb_clear(&b);
    return fd;
}

int zygote_spawn(zygote *z, size_t job, const char *name, const cfg_resolved *res, long long deadline_ms,
                 int res_w, int out_w)
{
    if (z->ready != 1 || z->fd < 0)
        return -1;
    int blob = check_blob(name, res);
    if (blob < 0) {
        free(z->why);
        z->why = xasprintf("plugin %s: cannot hand the check over: %s", z->plugin->name, strerror(errno));
        return -2;
    }
    zmsg req = {.type = ZM_SPAWN, .job = job, .deadline_ms = deadline_ms};
    char ctl[CMSG_SPACE(3 * sizeof(int))];
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = {.iov_base = &req, .iov_len = sizeof req};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(3 * sizeof(int));
    int fds[3] = {res_w, out_w, blob};
    memcpy(CMSG_DATA(cm), fds, sizeof fds);
    ssize_t n;
    /* the socket is non-blocking for reads; a request is small and the
     * zygote reads them at once, so a full buffer means it is stuck */
    while ((n = sendmsg(z->fd, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    close(blob);
    if (n != (ssize_t)sizeof req) {
        lost(z, "while the checks ran");
        return -1;
    }
    return 0;
}

int zygote_event_read(zygote *z, zygote_event *e)
{
    if (z->fd < 0)
        return -1;
    zmsg m;
    ssize_t n = recv_msg(z, &m);
    if (n < 0 && errno == EAGAIN)
        return 0;
    if (n != (ssize_t)sizeof m || (m.type != ZM_SPAWNED && m.type != ZM_EXITED)) {
        lost(z, "while the checks ran");
        return -1;
    }
    *e = (zygote_event){m.type == ZM_SPAWNED ? ZYGOTE_SPAWNED : ZYGOTE_EXITED, m.job, m.pid, m.status};
    return 1;
}

void zygote_stop(zygote *z, long long grace_ms)
{
    if (z->fd >= 0) {
        close(z->fd);
        z->fd = -1;
    }
    if (z->pid > 0) {
        /* one still loading or in init has nothing to finish: no grace */
        long long until = now_ms() + (z->ready == 1 ? grace_ms : 0);
        int st;
        while (waitpid(z->pid, &st, WNOHANG) == 0) {
            if (now_ms() >= until) {
                kill(z->pid, SIGKILL);
                while (waitpid(z->pid, &st, 0) < 0 && errno == EINTR)
                    ;
                break;
            }
            struct timespec ts = {0, 2000000};
            nanosleep(&ts, NULL);
        }
        z->pid = 0;
    }
    if (z->ready == 0)
        z->ready = -1;
}
