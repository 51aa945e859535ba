/*
 * pretty.h - the run for a person at a terminal (--format pretty, the
 * default when stdout is a terminal): one line per check with a coloured
 * status and its duration, the failures' details under them, a progress
 * line on stderr while checks run for more than a second.  NO_COLOR is
 * respected.  Every string passes through redact().
 */
#ifndef OC_PRETTY_H
#define OC_PRETTY_H

#include <stdio.h>

#include "writer.h"

extern const run_writer pretty_writer;

/* Where the check lines go: F (--watch draws a round into memory, then
 * fits it to the screen), or stdout again with NULL. */
void pretty_set_output(FILE *f);

/* --watch's header line on stdout: LEFT (the command) and RIGHT (round,
 * time) escaped; on a terminal right-aligned within its width (TIOCGWINSZ),
 * LEFT cut with "..." so the line never wraps; elsewhere as is. */
void pretty_header(const char *left, const char *right);

#endif
