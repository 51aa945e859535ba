/*
 * loop.h - rounds of a plan, for the two incident loops of `opscheck run`
 * (cmd_run.c hooks them; run.c runs each round, one run_checks() a round,
 * which starts and stops its own zygotes, so nothing is left running
 * between rounds):
 *
 *   --watch [INTERVAL]       every INTERVAL after a round ends, the whole
 *                            selection again, drawn as one screen (pretty.c)
 *                            with what changed since the round before.  A
 *                            stop signal ends it; a round it interrupts is
 *                            discarded.
 *   --until-pass [INTERVAL]  the selection, then only what failed or errored
 *   --max-wait DURATION      (and what needs it) every INTERVAL, until all
 *                            pass or no round can start before the wait ends.
 *
 * A stop signal (stop.h) wakes the wait between rounds at once.
 */
#ifndef OC_LOOP_H
#define OC_LOOP_H

#include <time.h>

#include "plan.h"
#include "result.h"
#include "writer.h"

#define LOOP_DEFAULT_INTERVAL_MS 10000

typedef struct loop_opts {
    long long interval_ms;  /* between a round's end and the next one's start */
    long long max_wait_ms;  /* --until-pass: no round starts after this */
    const char *command;    /* --watch's header: the command line as typed */
    /* --watch: after each finished round (its reports); nonzero when one
     * could not be written (that round's exit code becomes 3) */
    int (*round_done)(void *arg, const check_result *results, const run_summary *sum, time_t started);
    void *arg;
} loop_opts;

/* --watch: rounds of PL until a stop signal, each drawn with O's writer
 * (pretty: a screen on a terminal, plain lines elsewhere).  Returns the
 * exit code of the last finished round, or 128 + the signal when none
 * finished. */
int loop_watch(const plan *pl, const run_opts *o, const loop_opts *lo);

/* --until-pass: rounds as above, one line each on stderr; then O's writer
 * gets every selected check with its latest result, in order.  *SUM and
 * *RESULTS (free with run_results_free) describe that final state, for the
 * reports.  Returns 0 all pass, 1 not by the end of the wait, 3 internal,
 * 128 + a stop signal. */
int loop_until_pass(const plan *pl, const run_opts *o, const loop_opts *lo, run_summary *sum,
                    check_result **results);

#endif
