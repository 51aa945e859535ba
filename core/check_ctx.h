/*
 * check_ctx.h - struct oc_check, the plugin's handle on the running check.
 * It lives in the child process only: built by run_child.c just before the
 * plugin's run(), read by the oc_* functions in oc_api.c.
 */
#ifndef OC_CHECK_CTX_H
#define OC_CHECK_CTX_H

#include <pthread.h>
#include <stdatomic.h>

#include "config.h"
#include "opscheck/plugin.h"

struct oc_check {
    const char *name;
    const oc_plugin *desc;
    const cfg_resolved *res;
    long long deadline_ms;      /* now_ms() clock */
    int fd;                     /* record pipe to the parent */
    /* in validate() (probe.c's child): fd takes probe records, only
     * oc_invalid is heard, getters never end the process */
    int validating;
    /* lists handed out by oc_opt_list/oc_opt_map, kept until the child exits */
    struct { const char *key; const char **items; size_t n; } *lists;
    size_t nlists;
    /* plugin.h's threading rule: records only from run()'s thread, only
     * until it returns; the first refused call is named when run() returns. */
    pthread_t thread;
    atomic_int returned;
    _Atomic(const char *) refused;
};

/* run() has returned: refuse further records, name a refused call as a
 * plugin bug, and send WIRE_END. */
void oc_run_returned(oc_check *c);

#endif
