/*
 * pretty.h - the run for a person at a terminal (--format pretty, the
 * default when stdout is a terminal): one line per check with a coloured
 * status and its duration, the failures' details under them, a progress
 * line on stderr while checks run for more than a second.  NO_COLOR is
 * respected.  Every string passes through redact().
 */
#ifndef OC_PRETTY_H
#define OC_PRETTY_H

#include "writer.h"

extern const run_writer pretty_writer;

#endif
