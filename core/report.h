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
    const strvec *push_group;        /* --push-group NAME or LABEL=VALUE, as given, or NULL */
    const char *const *labels;       /* --label "k=v" (names checked by cli.c), on every Prometheus series */
    size_t nlabels;
} report_run;

/* Each returns 0, or -1 with *err (malloc'd, one line) set. */
int report_junit(const report_run *r, const char *path, char **err);
int report_json(const report_run *r, const char *path, char **err);
int report_prometheus(const report_run *r, const char *path, char **err);
int report_push(const report_run *r, const char *url, char **err);

/* --push-delete (report_push.c): removes the group report_push() would
 * push to (HTTP DELETE).  *KEY: the grouping key, as the labels it makes
 * (malloc'd, for the message).  0, or -1 with *err set. */
int report_push_delete(const char *url, const char *checklist, const strvec *group, char **key, char **err);
/* One --push-group value: NAME (the job) or LABEL=VALUE, LABEL a Prometheus
 * label name.  0, or -1 with *err (malloc'd, one line) saying why not. */
int report_push_group_check(const char *arg, char **err);

/* --format nagios (report_nagios.c): the Monitoring Plugins output of the
 * run on stdout (the status line with the run's perfdata, then one line per
 * check that did not pass); returns the exit code, 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN.  REPORT_FAILED: a report was not written. */
int report_nagios(const report_run *r, int report_failed);
/* "OPSCHECK UNKNOWN - WHY" (WHY redacted): nothing ran.  Returns 3. */
int report_nagios_unknown(const char *why);

/* Before the run: can a report be written to PATH (report_file.c says
 * how)?  Its folder exists and is writable, an existing file is writable
 * or a FIFO/character device.  *TO_STDOUT: PATH is "-" or our own stdout.
 * 0, or -1 with *err = "PATH: reason" (malloc'd). */
int report_check_path(const char *path, int *to_stdout, char **err);

#endif
