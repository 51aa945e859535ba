/*
 * text.h - escaping shared by the writers: TAP (tap.c) and the JUnit
 * report (report_junit.c), which shows a check's facts as the TAP YAML
 * block does.  Neutral ground, so that no writer includes another's header.
 * Redaction is not done here: strings were masked at the gate.
 */
#ifndef OC_TEXT_H
#define OC_TEXT_H

#include "util.h"

/* RAW (NULL is "") appended to B as one YAML double-quoted scalar: valid
 * UTF-8 (a bad byte becomes \uFFFD), control bytes escaped, one line. */
void text_yaml_str(strbuf *b, const char *raw);
/* RAW (NULL is "") appended to B as a TAP description: one line, '#' and
 * '\' escaped (a '#' would start a directive), a bad byte shown as '?'. */
void text_tap_desc(strbuf *b, const char *raw);

#endif
