/*
 * secret_strength.c - how strong a secret looks, without ever showing it:
 * a character-class entropy estimate with penalties for repeats, runs and
 * repeated patterns, a deny list of known defaults, and the random wrong
 * secret the backend must refuse.
 */
#include "secret_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <zxcvbn.h>

int sec_pool(const char *s)
{
    int lower = 0, upper = 0, digit = 0, other = 0, high = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            lower = 26;
        else if (*p >= 'A' && *p <= 'Z')
            upper = 26;
        else if (*p >= '0' && *p <= '9')
            digit = 10;
        else if (*p >= 0x80)
            high = 128;
        else
            other = 33;
    }
    return lower + upper + digit + other + high;
}

/* Character I of S adds (almost) nothing new. */
static int predictable(const unsigned char *s, size_t i)
{
    if (i >= 1 && s[i] == s[i - 1])
        return 1;
    if (i >= 1 && ((int)s[i] - s[i - 1] == 1 || (int)s[i] - s[i - 1] == -1))
        return 1; /* a step of a run: ab, 32 */
    for (size_t p = 2; p <= 8 && i >= p + 1; p++)
        if (s[i] == s[i - p] && s[i - 1] == s[i - 1 - p])
            return 1;
    return 0;
}

double sec_entropy_bits(const char *s)
{
    int pool = sec_pool(s);
    double per = pool > 1 ? log2((double)pool) : 0.0, bits = 0.0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; u[i]; i++)
        bits += predictable(u, i) ? (per < 1.0 ? per : 1.0) : per;
    return bits;
}

/* What zxcvbn match types mean to an operator, in the order the reason
 * lists them.  Brute force (random-looking characters) is no weakness and
 * not listed, except a random block repeated whole. */
static const struct {
    int type;         /* ZxcTypeMatch_t without MULTIPLE_MATCH; -1: any, repeated */
    const char *kind;
} sec_kinds[] = {
    {DICTIONARY_MATCH, "dictionary words"},
    {DICT_LEET_MATCH, "dictionary words with l33t substitutions"},
    {USER_MATCH, "listed words"},
    {USER_LEET_MATCH, "listed words with l33t substitutions"},
    {DATE_MATCH, "dates"},
    {YEAR_MATCH, "years"},
    {SPATIAL_MATCH, "keyboard walks"},
    {SEQUENCE_MATCH, "sequences"},
    {REPEATS_MATCH, "repeated characters"},
    {-1, "repeated blocks"},
};

/* Match M belongs to kind K (of sec_kinds).  One- and two-character
 * "words" turn up in any random string: they would only hide the parts
 * that matter. */
static int sec_is_kind(const ZxcMatch_t *m, size_t k)
{
    int base = (int)m->Type & ~MULTIPLE_MATCH, again = (m->Type & MULTIPLE_MATCH) != 0;
    if (m->Length < 3)
        return 0;
    if (sec_kinds[k].type == -1)
        return again && base == BRUTE_MATCH;
    return base == sec_kinds[k].type;
}

/* printf at WHY + *USED within N; on overflow end with "..." and return -1. */
static int sec_add(char *why, size_t n, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int sec_add(char *why, size_t n, size_t *used, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(why + *used, n - *used, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= n - *used) {
        if (n >= 4)
            memcpy(why + n - 4, "...", 4);
        *used = n;
        return -1;
    }
    *used += (size_t)k;
    return 0;
}

double sec_guess_bits(const char *s, char *why, size_t n)
{
    ZxcMatch_t *info = NULL;
    double bits = ZxcvbnMatch(s, NULL, &info);
    size_t used = 0;
    if (n)
        why[0] = '\0';
    for (size_t k = 0; k < sizeof sec_kinds / sizeof sec_kinds[0] && used < n; k++) {
        double sum = 0;
        int first = 1;
        for (const ZxcMatch_t *m = info; m && used < n; m = m->Next) {
            if (!sec_is_kind(m, k))
                continue;
            if (first)
                sec_add(why, n, &used, "%s%s at %d-%d", used ? "; " : "", sec_kinds[k].kind, m->Begin + 1,
                        m->Begin + m->Length);
            else
                sec_add(why, n, &used, ", %d-%d", m->Begin + 1, m->Begin + m->Length);
            first = 0;
            sum += m->Entrpy;
        }
        if (!first && used < n)
            sec_add(why, n, &used, " (%.1f bits)", sum);
    }
    ZxcvbnFreeInfo(info);
    if (n && !why[0])
        snprintf(why, n, "no guessable parts");
    return bits;
}

size_t sec_denied(const char *s, const char *const *deny, size_t ndeny, int *contained)
{
    *contained = 0;
    for (size_t i = 0; i < ndeny; i++) {
        if (!deny[i][0])
            continue;
        if (strcasecmp(s, deny[i]) == 0)
            return i + 1;
        if (strlen(deny[i]) >= 6 && strcasestr(s, deny[i])) {
            *contained = 1;
            return i + 1;
        }
    }
    return 0;
}

void sec_random(char *buf, size_t len, const char *avoid)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    do {
        for (size_t i = 0; i < len; i++) {
            unsigned char r;
            do {
                if (getrandom(&r, 1, 0) != 1)
                    r = (unsigned char)rand();
            } while (r >= 248); /* 248 = 4 * 62: no modulo bias */
            buf[i] = set[r % 62];
        }
        buf[len] = '\0';
    } while (avoid && strcmp(buf, avoid) == 0);
}
