/*
 * reap.h - no process left behind.  The main process and every plugin
 * zygote are child subreapers: a descendant whose parent dies, in whatever
 * session or process group it moved to, is re-parented to the nearest of
 * them.  reap_sweep() kills and reaps every child that is not one of ours
 * (a running check, a zygote), and repeats: killing an orphan re-parents its
 * own children to us before its wait returns, so a sweep that finds none
 * means no descendant is left, at any depth.
 */
#ifndef OC_REAP_H
#define OC_REAP_H

#include <sys/types.h>

/* Nonzero when PID must be kept (it is a running check or a zygote). */
typedef int (*reap_keep_fn)(pid_t pid, void *arg);

void reap_become_subreaper(void);
void reap_sweep(reap_keep_fn keep, void *arg);

#endif
