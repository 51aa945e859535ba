/*
 * regexp.h - the regexes operators write in checks (http-health's
 * expect_body, expect_header and =~, fly's log patterns), compiled with
 * PCRE2 so that \d, \b, (?i) and lookarounds mean what they mean in
 * grep -P, Gatus and blackbox_exporter (POSIX ERE has none of them:
 * "\d" there is a literal "d").
 *
 * Patterns are UTF-8; subjects that are not valid UTF-8 (a binary body)
 * still match byte-wise where they can (PCRE2_MATCH_INVALID_UTF) instead
 * of failing the match.  Ownership: rx owns its compiled code and
 * match data; rx_free() releases them.
 */
#ifndef OC_COMMON_REGEXP_H
#define OC_COMMON_REGEXP_H

#include <stddef.h>

typedef struct rx {
    void *code;       /* pcre2_code_8 * */
    void *match_data; /* pcre2_match_data_8 * */
} rx;

/* Compile PATTERN (case-insensitive when CASELESS).  Returns 0, or -1 with
 * "at offset N: what is wrong" in ERR (PCRE2's own words). */
int rx_compile(rx *re, const char *pattern, int caseless, char *err, size_t errlen);

/* 1 when RE matches somewhere in the NUL-terminated SUBJECT, else 0
 * (also when the match gives up: match limit, bad subject). */
int rx_match(const rx *re, const char *subject);

/* Safe on a zeroed or already freed rx. */
void rx_free(rx *re);

#endif
