/*
 * run.h - runs the plan's checks: each attempt forked by its plugin's
 * zygote (zygote.h) into a process of its own (run_child.c), at most `jobs`
 * at once, `needs` first, retries after a pause, each killed with its
 * process group at its deadline.  Results are handed to the writer in
 * selection order as soon as every earlier one is done.  A stop signal
 * (stop.h) kills every attempt and ends the stream with "Bail out!
 * interrupted".  The writers' side (run_writer, run_opts, run_summary) is
 * writer.h.
 */
#ifndef OC_RUN_H
#define OC_RUN_H

#include "config.h"
#include "plan.h"
#include "result.h"
#include "writer.h"

/* Runs the plan's checks (needs already included, in order), each with its
 * values as the plan resolved them.
 * *RESULTS gets one result per selected check, in order (for the reports);
 * a check not finished when a signal came has status RES_SKIP and message
 * "interrupted".  The caller frees them with run_results_free().
 * Returns the exit code: 0 all passed, 1 a check failed, 128 + a stop signal, 3 internal. */
int run_checks(const plan *p, const run_opts *o, run_summary *sum, check_result **results);
void run_results_free(check_result *results, size_t n);

#endif
