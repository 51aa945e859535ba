/* redact.c - see redact.h. */
#include "redact.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static strvec secrets; /* longest first, so a secret containing another wins */

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
    strbuf b = {0};
    size_t i = 0;
    sb_add(&b, "", 0);
    while (i < n) {
        size_t hit = 0;
        for (size_t k = 0; k < secrets.n; k++) {
            size_t len = strlen(secrets.v[k]);
            if (len <= n - i && memcmp(s + i, secrets.v[k], len) == 0) {
                hit = len;
                break;
            }
        }
        if (hit) {
            sb_puts(&b, "***");
            i += hit;
        } else {
            sb_add(&b, s + i, 1);
            i++;
        }
    }
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
    sv_free(&secrets);
}
