/*
 * report.h - the run written for machines, in the same run as the TAP:
 * JUnit XML (--junit), JSON (--json), the node_exporter textfile format
 * (--prometheus) and a Prometheus Pushgateway (--push).  Each report reads
 * the finished results; every string in them passes through redact().
 * Files are written atomically (a temp file in the same folder, renamed);
 * a FIFO or a device in place; "-" is stdout.
 */
#ifndef OC_REPORT_H
#define OC_REPORT_H

#include <time.h>

#include "config.h"
#include "result.h"
#include "writer.h"

typedef struct report_run {
    const cfg *c;
    const size_t *sel;               /* indexes into c->checks, in run order */
    size_t n;
    const check_result *results;     /* results[i] belongs to c->checks[sel[i]] */
    const run_summary *sum;
    const char *checklist;           /* the names given on the command line, space-separated, or "" */
    time_t started;                  /* wall clock at the start of the run */
    const char *const *labels;       /* --label "k=v" (names checked by cli.c), on every Prometheus series */
    size_t nlabels;
} report_run;

/* Each returns 0, or -1 with *err (malloc'd, one line) set. */
int report_junit(const report_run *r, const char *path, char **err);
int report_json(const report_run *r, const char *path, char **err);
int report_prometheus(const report_run *r, const char *path, char **err);
int report_push(const report_run *r, const char *url, char **err);

/* Before the run: can a report be written to PATH (report_file.c says
 * how)?  Its folder exists and is writable, an existing file is writable
 * or a FIFO/character device.  *TO_STDOUT: PATH is "-" or our own stdout.
 * 0, or -1 with *err = "PATH: reason" (malloc'd). */
int report_check_path(const char *path, int *to_stdout, char **err);

#endif
