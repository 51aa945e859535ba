/*
 * yaml_map.h - a plugin's YAML text (oc_assert_yaml, a TAP producer's block
 * below a test point) written as a nested mapping in our own YAML, when it
 * plainly is one.  There is no YAML parser in the core: the test is a
 * conservative reading of the lines (see yaml_map.c), and whatever it does
 * not recognise is the caller's to write as one quoted string.
 */
#ifndef OC_YAML_MAP_H
#define OC_YAML_MAP_H

#include "util.h"

/* When TEXT is a simple block mapping, appends its lines to B, each behind
 * IND (spaces), and returns 0; else appends nothing and returns -1. */
int yaml_map_nest(strbuf *b, const char *ind, const char *text);

#endif
