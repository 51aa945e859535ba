/*
 * tap.h - the stream writer of a run (stdout, or --tap FILE): TAP 14 (or 13) with a
 * subtest per multi-assertion check and YAML blocks.  Every string written
 * passes through redact(); descriptions escape '#' and '\'.
 */
#ifndef OC_TAP_H
#define OC_TAP_H

#include "writer.h"

#include <stdio.h>

extern const run_writer tap_writer;
void tap_bail(const char *reason);
/* Where the stream goes: F (--tap FILE), or stdout when F is NULL. */
void tap_set_output(FILE *f);

#endif
