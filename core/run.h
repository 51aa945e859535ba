/*
 * run.h - runs the selected checks: each attempt in a forked child of its
 * own (run_child.c), at most `jobs` at once, `needs` first, retries after a
 * pause, each killed with its process group at its deadline.  Results are
 * handed to the TAP writer in selection order as soon as every earlier one
 * is done.  SIGINT/SIGTERM kill every child and end the stream with
 * "Bail out! interrupted".
 */
#ifndef OC_RUN_H
#define OC_RUN_H

#include "config.h"
#include "result.h"

typedef struct run_opts {
    int jobs;          /* 0: [opscheck] jobs, else min(8, checks) */
    int verbose;
    int tap_version;   /* 13 or 14 */
} run_opts;

typedef struct run_summary {
    size_t passed, failed, skipped, warned;
    double seconds;
    int interrupted;   /* the signal, or 0 */
} run_summary;

/* Runs SEL (indexes into c->checks, needs already included, in order).
 * Returns the exit code: 0 all passed, 1 a check failed, 130/143 signal, 3 internal. */
int run_checks(cfg *c, const size_t *sel, size_t nsel, const run_opts *o, run_summary *sum);

#endif
