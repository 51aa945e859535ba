/*
 * run_child.h - fork one attempt of one check into an isolated child:
 * own process group, stdin and stdout on /dev/null, stderr into a capture
 * pipe, results on a record pipe (fd 3 in the child), no other descriptor.
 */
#ifndef OC_RUN_CHILD_H
#define OC_RUN_CHILD_H

#include <sys/types.h>

#include "config.h"

/* Returns the child's pid and the parent's read ends, or -1 (errno set). */
pid_t child_spawn(const cfg_check *k, const cfg_resolved *res, long long deadline_ms,
                  int *res_fd, int *out_fd);

#endif
