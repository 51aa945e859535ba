/*
 * tap.h - the only writer of stdout during a run: TAP 14 (or 13) with a
 * subtest per multi-assertion check and YAML blocks.  Every string written
 * passes through redact(); descriptions escape '#' and '\'.
 */
#ifndef OC_TAP_H
#define OC_TAP_H

#include "writer.h"

extern const run_writer tap_writer;
void tap_bail(const char *reason);

#endif
