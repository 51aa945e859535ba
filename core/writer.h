/*
 * writer.h - the writer interface: what the runner (run.c) hands the
 * writers of a run, and nothing of how it runs.  The stream writers
 * (tap.c, pretty.c) get each check's result as it is ready, in selection
 * order; the reports (report_*.c) read the finished results and the
 * summary.  Writers include this header, never run.h or each other's:
 * text they share (escaping) lives in text.h.
 */
#ifndef OC_WRITER_H
#define OC_WRITER_H

#include <stddef.h>

#include "config.h"
#include "result.h"

struct run_opts;

/* Where results go as they are ready: the TAP writer (tap.c) in selection
 * order, or the terminal writer (pretty.c) in completion order, so that a
 * failure that took 10 ms is on the screen before a 20-second check ends.
 * Only these write stdout. */
typedef struct run_writer {
    int completion_order;   /* 1: check() as each check finishes; 0: in selection order */
    void (*begin)(const struct run_opts *o, size_t count);
    void (*check)(const struct run_opts *o, size_t num, const cfg_check *k, const check_result *r);
    void (*bail)(const struct run_opts *o, const char *reason);
    /* optional: called about every 100 ms while checks run */
    void (*progress)(const struct run_opts *o, size_t done, size_t total, const char *running, double elapsed);
    void (*end)(const struct run_opts *o);  /* optional: after the last check */
} run_writer;

typedef struct run_opts {
    int jobs;          /* 0: [opscheck] jobs, else min(8, checks) */
    int verbose;
    int quiet;         /* pretty: only failures, errors and the summary */
    int tap_version;   /* 13 or 14 */
    int color;         /* pretty: ANSI colours */
    const int *previous; /* --watch (loop.c): each check's res_status in the previous round, by num - 1
                          * (-1: none), or NULL; pretty marks a change ("FAIL → PASS") */
    const run_writer *writer;
} run_opts;

/* The counts of a finished run, for the summary line and the reports. */
typedef struct run_summary {
    size_t passed, warned, failed, errored, skipped; /* each check counted once, by its outcome */
    double seconds;
    int interrupted;   /* the signal, or 0 */
} run_summary;

#endif
