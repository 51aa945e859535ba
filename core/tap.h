/*
 * tap.h - the only writer of stdout during a run: TAP 14 (or 13) with a
 * subtest per multi-assertion check and YAML blocks.  Every string written
 * passes through redact(); descriptions escape '#' and '\'.
 */
#ifndef OC_TAP_H
#define OC_TAP_H

#include <stddef.h>

#include "config.h"
#include "result.h"
#include "util.h"

#include "run.h"

extern const run_writer tap_writer;
void tap_bail(const char *reason);
/* Exposed for the unit tests: one YAML double-quoted scalar, one TAP description. */
void tap_yaml_str(strbuf *b, const char *s);
void tap_desc(strbuf *b, const char *s);

#endif
