/*
 * run_child.h - one attempt of one check, isolated: own process group,
 * stdin and stdout on /dev/null, stderr into a capture pipe, results on a
 * record pipe (fd 3 in the child), no other descriptor.  The main process
 * makes the pipes; the plugin's zygote (zygote.c) forks and calls
 * child_run() in the new process.
 */
#ifndef OC_RUN_CHILD_H
#define OC_RUN_CHILD_H

#include <sys/types.h>

#include "config.h"

/* The record pipe and the stderr pipe of one attempt: the read ends are
 * non-blocking, all four close on exec.  0, or -1 (errno set). */
int child_pipes(int *res_r, int *res_w, int *out_r, int *out_w);

/* In the forked child: lay out fds 0-3 from RES_W and OUT_W, reset the
 * signals, run DESC's run() for check NAME with values RES; never returns. */
void child_run(const char *name, const oc_plugin *desc, const cfg_resolved *res, long long deadline_ms,
               int res_w, int out_w) __attribute__((noreturn));

#endif
