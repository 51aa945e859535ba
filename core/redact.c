/* redact.c - see redact.h. */
#include "redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static strvec secrets; /* longest first, so a secret containing another wins */

static int is_word(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

void redact_add(const char *secret)
{
    if (!secret || !*secret || sv_contains(&secrets, secret))
        return;
    sv_push(&secrets, xstrdup(secret));
    for (size_t i = secrets.n - 1; i > 0 && strlen(secrets.v[i]) > strlen(secrets.v[i - 1]); i--) {
        char *t = secrets.v[i];
        secrets.v[i] = secrets.v[i - 1];
        secrets.v[i - 1] = t;
    }
}

char *redact_n(const char *s, size_t n)
{
    return redact_nl(s, n, NULL);
}

char *redact_nl(const char *s, size_t n, size_t *out_len)
{
    strbuf b = {0};
    size_t i = 0;
    sb_add(&b, "", 0);
    while (i < n) {
        size_t hit = 0;
        for (size_t k = 0; k < secrets.n; k++) {
            size_t len = strlen(secrets.v[k]);
            if (len > n - i || memcmp(s + i, secrets.v[k], len) != 0)
                continue;
            /* a very short secret inside a word is a coincidence, not a leak:
             * "db" must not turn "database" into "***tabase" */
            if (len < REDACT_MIN_INWORD && ((i > 0 && is_word(s[i - 1])) || (i + len < n && is_word(s[i + len]))))
                continue;
            hit = len;
            break;
        }
        if (hit) {
            sb_puts(&b, "***");
            i += hit;
        } else {
            sb_add(&b, s + i, 1);
            i++;
        }
    }
    if (out_len)
        *out_len = b.len;
    return sb_steal(&b);
}

char *redact(const char *s)
{
    return redact_n(s ? s : "", s ? strlen(s) : 0);
}

size_t redact_safe_len(const char *s, size_t n)
{
    size_t keep = n;
    for (size_t k = 0; k < secrets.n; k++) {
        size_t len = strlen(secrets.v[k]);
        for (size_t p = len - 1; p > 0; p--) {
            if (p <= n && memcmp(s + n - p, secrets.v[k], p) == 0) {
                if (n - p < keep)
                    keep = n - p;
                break;
            }
        }
    }
    return keep;
}

void redact_clear(void)
{
    sv_clear(&secrets);
}
