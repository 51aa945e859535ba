/*
 * secret_strength.c - how strong a secret looks, without ever showing it:
 * a character-class entropy estimate with penalties for repeats, runs and
 * repeated patterns, a deny list of known defaults, and the random wrong
 * secret the backend must refuse.
 */
#include "secret_int.h"

#include <math.h>
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

/* What a zxcvbn match type means to an operator; NULL for brute force
 * (random-looking characters: not a weakness). */
static const char *sec_kind(ZxcTypeMatch_t t)
{
    switch ((int)t & ~MULTIPLE_MATCH) {
    case DICTIONARY_MATCH: return "dictionary word";
    case DICT_LEET_MATCH: return "dictionary word with l33t substitutions";
    case USER_MATCH:
    case USER_LEET_MATCH: return "listed word";
    case REPEATS_MATCH: return "repeated characters";
    case SEQUENCE_MATCH: return "sequence";
    case SPATIAL_MATCH: return "keyboard walk";
    case DATE_MATCH: return "date";
    case YEAR_MATCH: return "year";
    default: return NULL;
    }
}

double sec_guess_bits(const char *s, char *why, size_t n)
{
    ZxcMatch_t *info = NULL;
    double bits = ZxcvbnMatch(s, NULL, &info);
    size_t used = 0;
    if (n)
        why[0] = '\0';
    for (ZxcMatch_t *m = info; m && n; m = m->Next) {
        const char *kind = sec_kind(m->Type);
        int again = (m->Type & MULTIPLE_MATCH) != 0; /* a part repeated whole */
        if (!kind && !again)
            continue;
        int k = snprintf(why + used, n - used, "%s%s%s at %d-%d (%.1f bits)", used ? ", " : "",
                         again ? "repeated " : "", kind ? kind : "block", m->Begin + 1,
                         m->Begin + m->Length, m->Entrpy);
        if (k < 0 || (size_t)k >= n - used) {
            /* full: end with "..." rather than a cut-off word */
            if (n >= 4)
                memcpy(why + n - 4, "...", 4);
            break;
        }
        used += (size_t)k;
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
