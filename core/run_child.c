/* run_child.c - see run_child.h. */
#include "run_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_ctx.h"
#include "wire.h"

#define CHILD_RES_FD 3

void child_run(const char *name, const oc_plugin *desc, const cfg_resolved *res, long long deadline_ms,
               int res_w, int out_w)
{
    setpgid(0, 0);
    struct sigaction sa = {.sa_handler = SIG_DFL};
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGCHLD, SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* Move our two pipe ends out of the way, then lay out 0-3. */
    int rw = fcntl(res_w, F_DUPFD, 10), ow = fcntl(out_w, F_DUPFD, 10);
    int nul = open("/dev/null", O_RDWR);
    if (rw < 0 || ow < 0 || nul < 0)
        _exit(4);
    dup2(nul, 0);
    dup2(nul, 1);
    dup2(ow, 2);
    dup2(rw, CHILD_RES_FD);
    close_range(CHILD_RES_FD + 1, ~0U, 0);
    /* Programs a plugin executes must not inherit the record pipe. */
    fcntl(CHILD_RES_FD, F_SETFD, FD_CLOEXEC);

    oc_check ctx = {
        .name = name,
        .desc = desc,
        .res = res,
        .deadline_ms = deadline_ms,
        .fd = CHILD_RES_FD,
        .thread = pthread_self(),
    };
    desc->run(&ctx);
    oc_run_returned(&ctx);
    _exit(0);
}

int child_pipes(int *res_r, int *res_w, int *out_r, int *out_w)
{
    int rp[2], op[2];
    if (pipe2(rp, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(op, O_CLOEXEC) != 0) {
        int e = errno;
        close(rp[0]);
        close(rp[1]);
        errno = e;
        return -1;
    }
    fcntl(rp[0], F_SETFL, O_NONBLOCK);
    fcntl(op[0], F_SETFL, O_NONBLOCK);
    *res_r = rp[0];
    *res_w = rp[1];
    *out_r = op[0];
    *out_w = op[1];
    return 0;
}
