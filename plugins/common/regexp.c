/*
 * regexp.c - PCRE2 behind regexp.h.  Why PCRE2 and not <regex.h>: operators
 * copy patterns from grep -P, Gatus and Prometheus' blackbox_exporter,
 * where \d, \b and (?i) work; POSIX ERE silently reads them as literals.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regexp.h"

#include <pcre2.h>
#include <stdio.h>

int rx_compile(rx *re, const char *pattern, int caseless, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0);

    re->code = NULL;
    re->match_data = NULL;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    if (!c) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", code);
        snprintf(err, errlen, "at offset %zu: %s", (size_t)off, (const char *)msg);
        return -1;
    }
    re->match_data = pcre2_match_data_create_from_pattern(c, NULL);
    if (!re->match_data) {
        pcre2_code_free(c);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    re->code = c;
    return 0;
}

int rx_match(const rx *re, const char *subject)
{
    if (!re->code || !subject)
        return 0;
    return pcre2_match(re->code, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, re->match_data, NULL) >= 0;
}

void rx_free(rx *re)
{
    pcre2_match_data_free(re->match_data);
    pcre2_code_free(re->code);
    re->code = NULL;
    re->match_data = NULL;
}
