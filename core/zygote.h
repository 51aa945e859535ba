/*
 * zygote.h - one long-lived child process per plugin of a run, so that the
 * main process never runs plugin code.
 *
 * The zygote is this program started afresh (fork, then exec of
 * /proc/self/exe with a hidden first argument), so it holds none of the
 * config, plan or results: the process each attempt is forked from stays a
 * few pages, whatever the size of the run.  It dlopens the plugin
 * (constructors run there), runs init once, says "ready", then forks each
 * attempt of a check from itself on request: the main process sends the
 * attempt's plan index and deadline, the write ends of its two pipes and a
 * memfd holding the check's name and resolved values; the zygote answers
 * with the attempt's pid and, when it ends, its wait status.  The zygote is a child
 * subreaper too: it kills whatever an attempt left behind before reporting
 * the attempt's end.  A crash, exit, hang or stray output while loading or
 * in init fails that plugin's checks with the reason; other plugins' checks
 * run as usual.  Forks come from a process whose size is the plan's, not
 * the size of every result collected so far.
 *
 * The main process talks to it over a SOCK_SEQPACKET pair.  The zygote has
 * its own process group (a terminal's Ctrl-C goes to the main process, which
 * decides), dies with the main process (PR_SET_PDEATHSIG), and exits when
 * its socket closes, after killing its attempts and calling fini.  Its
 * program is this one: main() hands argv to zygote_main() when argv[1] is
 * ZYGOTE_ARG, before any other code runs.
 *
 * Ownership: a zygote struct is the run's (run.c); why is malloc'd.
 */
#ifndef OC_ZYGOTE_H
#define OC_ZYGOTE_H

#include <sys/types.h>

#include "loader.h"
#include "plan.h"

typedef struct zygote {
    const plug *plugin;
    pid_t pid;       /* 0 when not started or reaped */
    int fd;          /* the socket; -1 once closed */
    int ready;       /* 0 starting, 1 ready, -1 failed or gone */
    char *why;       /* when ready == -1: "plugin NAME: ...", one line */
} zygote;

/* What the zygote reports. */
typedef struct zygote_event {
    int type;        /* ZYGOTE_SPAWNED, ZYGOTE_EXITED */
    size_t job;      /* the plan index of the attempt */
    pid_t pid;
    int status;      /* EXITED: the wait status; SPAWNED: 0, or errno when the fork failed */
} zygote_event;
enum { ZYGOTE_SPAWNED = 1, ZYGOTE_EXITED };

#define ZYGOTE_ARG "__opscheck-zygote" /* argv[1] of a zygote: FD PATH NAME follow */
#define ZYGOTE_FD 3                    /* where its socket is */

/* Start the zygote of plugin P.  Never fails: a zygote that cannot start
 * is ready == -1 with why set. */
void zygote_start(zygote *z, const plug *p);

/* The zygote program: argv after ZYGOTE_ARG.  Never returns. */
int zygote_main(const char *fd_arg, const char *path, const char *name) __attribute__((noreturn));

/* Read Z's "ready" (or its failure) without blocking: call when Z->fd is
 * readable.  Sets ready to 1 or -1. */
void zygote_read_ready(zygote *z);

/* Ask Z for an attempt of plan index JOB: check NAME with values RES.  0
 * once sent; -1 when Z is gone, -2 when the request could not be made (why
 * set either way).  The answer comes as a ZYGOTE_SPAWNED event. */
int zygote_spawn(zygote *z, size_t job, const char *name, const cfg_resolved *res, long long deadline_ms,
                 int res_w, int out_w);

/* The next event from Z when its fd is readable: 1 with *e set, 0 when
 * nothing complete was there, -1 when Z is gone (ready = -1, why set, the
 * process reaped). */
int zygote_event_read(zygote *z, zygote_event *e);

/* Close the socket and wait up to GRACE_MS for Z to finish (it kills its
 * attempts and calls fini; one not ready yet gets no grace); then kill it.
 * Reaps it.  Idempotent. */
void zygote_stop(zygote *z, long long grace_ms);

#endif
