/*
 * wire.h - the records a check's child process sends its parent over a
 * pipe: one record per oc_* call, written as it happens, so what a plugin
 * reported before crashing is not lost.  A record is a type byte, a 32-bit
 * length and that many bytes of NUL-separated fields.  WIRE_END closes a
 * run that returned normally; its absence means the child died.
 */
#ifndef OC_WIRE_H
#define OC_WIRE_H

#include <stddef.h>

#include "result.h"
#include "util.h"

enum {
    WIRE_ASSERT = 'A', /* status letter, message */
    WIRE_EXPECT = 'E', /* expected, seen */
    WIRE_DIRECTIVE = 'T', /* "TODO" or "SKIP", reason: for the last assertion */
    WIRE_YAML = 'Y',   /* YAML text: for the last assertion */
    WIRE_DIAG = 'D',   /* key, value */
    WIRE_METRIC = 'M', /* name, value (%.17g), unit */
    WIRE_END = 'Z'
};

#define WIRE_MAX_FIELD (64 * 1024)   /* longer fields are cut by the sender */
#define WIRE_MAX_ASSERTS 1000
#define WIRE_MAX_DIAGS 500
#define WIRE_MAX_METRICS 500
#define WIRE_MAX_DATA (1024 * 1024) /* bytes of all of a check's WIRE_YAML texts */

/* Child side: write one record; exits the child if the parent is gone. */
void wire_send(int fd, char type, const char *const *fields, size_t nfields);

/* Parent side: bytes as they arrive; complete records are applied to R.
 * Returns -1 on a malformed stream (the child is then treated as broken). */
typedef struct wire_reader {
    strbuf buf;
    int ended;
    int last_dropped;        /* the last assertion was past the limit: what
                              * follows for it (expect, directive, YAML) is
                              * not given to the one before */
    res_status last_status;  /* ... and its status, as counted in dropped_bad */
    int last_first;          /* ... and its words are dropped_first[last_status] */
    size_t data_bytes;       /* WIRE_YAML bytes kept so far */
} wire_reader;
int wire_feed(wire_reader *w, const char *data, size_t n, check_result *r);
void wire_reader_clear(wire_reader *w);

#endif
