/*
 * stream.h - the stream writers a run has besides TAP (tap.c) and pretty
 * (pretty.c) alone: none (a machine format took stdout and TAP was not
 * asked for), and both (pretty on the terminal while --tap FILE records the
 * TAP stream).  main.c picks one; run.c sees only a run_writer.
 */
#ifndef OC_STREAM_H
#define OC_STREAM_H

#include "writer.h"

extern const run_writer null_writer;
extern const run_writer pretty_and_tap_writer;

#endif
