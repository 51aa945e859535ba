/*
 * run.h - runs the selected checks: each attempt in a forked child of its
 * own (run_child.c), at most `jobs` at once, `needs` first, retries after a
 * pause, each killed with its process group at its deadline.  Results are
 * handed to the TAP writer in selection order as soon as every earlier one
 * is done.  SIGINT/SIGTERM kill every child and end the stream with
 * "Bail out! interrupted".  The writers' side (run_writer, run_opts,
 * run_summary) is writer.h.
 */
#ifndef OC_RUN_H
#define OC_RUN_H

#include "config.h"
#include "plan.h"
#include "result.h"
#include "writer.h"

/* Hold (BLOCK=1) or release SIGINT, SIGTERM, SIGHUP and SIGQUIT.  main()
 * holds them first thing, so one that arrives before the handlers exist
 * waits for them instead of killing a run with no output. */
void run_block_signals(int block);
/* Catch SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGCHLD from now on, then release the
 * held ones: a signal that arrives while the config loads still ends the run
 * with "Bail out! interrupted".  Idempotent. */
void run_install_signals(void);
/* The stop signal that came since run_install_signals(), or 0. */
int run_stop_signal(void);

/* Runs the plan's checks (needs already included, in order), each with its
 * values as the plan resolved them.
 * *RESULTS gets one result per selected check, in order (for the reports);
 * a check not finished when a signal came has status RES_SKIP and message
 * "interrupted".  The caller frees them with run_results_free().
 * Returns the exit code: 0 all passed, 1 a check failed, 130/143 signal, 3 internal. */
int run_checks(const plan *p, const run_opts *o, run_summary *sum, check_result **results);
void run_results_free(check_result *results, size_t n);

#endif
