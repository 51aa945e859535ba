/*
 * report_int.h - what the report writers (report_*.c) share and nothing else
 * includes: the atomic file write (report_file.c), the strings every report
 * needs cleaned the same way (report_text.c), and the Prometheus text that
 * both --prometheus and --push send (report_prometheus.c).
 *
 * Ownership: every char * returned here is malloc'd and the caller's.
 */
#ifndef OC_REPORT_INT_H
#define OC_REPORT_INT_H

#include <stddef.h>
#include <time.h>

#include "report.h"

/* Writes LEN bytes of DATA to PATH.  A regular file or a new path: atomically
 * (a temp file in the same folder, fsync, rename over it, fsync of the
 * folder), so readers see the old file or the new one, never a part; a
 * symlink to one: the same on the file it resolves to (the link stays).  A
 * FIFO or a character device: in place, never renamed over.  "-" or our own
 * stdout (/dev/stdout): fd 1.  0, or -1 with *err set (one line, naming
 * PATH); the temp file is removed on failure. */
int report_write_file(const char *path, const char *data, size_t len, char **err);

/* RAW (NULL is "") made valid UTF-8: each byte that does not start a valid
 * sequence becomes U+FFFD.  No masking here: results were masked once, at
 * the gate (result_publish), before any report saw them. */
char *report_clean(const char *raw);
/* This machine's host name ("localhost" when it has none). */
char *report_hostname(void);
/* T as "YYYY-MM-DDTHH:MM:SS" in UTC; Z appended when ZONE is set. */
void report_utc(time_t t, int zone, char out[32]);
/* The plugin name of the check a report row belongs to, or "". */
const char *report_plugin(const report_run *r, size_t i);

/* The run in the Prometheus text exposition format (version 0.0.4), as the
 * node_exporter textfile collector and the Pushgateway read it. */
char *report_prom_text(const report_run *r);
/* Appends `NAME="RAW"` (after a comma when B is not empty), the value made
 * valid UTF-8 and escaped as the exposition format wants. */
void report_prom_label(strbuf *b, const char *name, const char *raw);

#endif
