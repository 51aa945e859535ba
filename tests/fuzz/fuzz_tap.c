/*
 * fuzz_tap.c - the TAP escaping (text_yaml_str, text_tap_desc in text.c) on
 * arbitrary bytes.  Input: an optional secret, a NUL, then the text (no NUL:
 * all of it is text).  Checked: both outputs are valid UTF-8 without a raw
 * newline or other control byte; the YAML scalar is one double-quoted
 * string whose every backslash starts a known escape; in the description
 * every '#' is escaped and every backslash escapes a '#' or '\'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "text.h"

/* Length of a valid UTF-8 sequence (RFC 3629: no overlongs, surrogates or
 * code points above U+10FFFF) at S of N bytes, or 0. */
static size_t utf8_ok(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        if (s[0] == 0xE0)
            lo = 0xA0;
        if (s[0] == 0xED)
            hi = 0x9F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        if (s[0] == 0xF0)
            lo = 0x90;
        if (s[0] == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static void check_text(const char *out, size_t n)
{
    const unsigned char *s = (const unsigned char *)out;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_ok(s + i, n - i);
        if (!l || s[i] < 0x20 || s[i] == 0x7f)
            abort(); /* invalid UTF-8, or a raw newline / control byte */
        i += l;
    }
}

static void check_yaml(const char *out, size_t n)
{
    check_text(out, n);
    if (n < 2 || out[0] != '"' || out[n - 1] != '"')
        abort();
    for (size_t i = 1; i < n - 1; i++) {
        if (out[i] == '"')
            abort(); /* unescaped quote ends the scalar early */
        if (out[i] == '\\') {
            i++;
            if (i >= n - 1 || !strchr("\"\\ntrxu", out[i]))
                abort();
        }
    }
}

static void check_desc(const char *out, size_t n)
{
    check_text(out, n);
    for (size_t i = 0; i < n; i++) {
        if (out[i] == '#')
            abort(); /* would start a directive */
        if (out[i] == '\\') {
            i++;
            if (i >= n || (out[i] != '#' && out[i] != '\\'))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    const char *text = in;
    size_t nul = strlen(in);
    if (nul < size) {
        redact_add(in); /* the bytes before the NUL are a secret */
        text = in + nul + 1;
    }
    strbuf b = {0};
    text_yaml_str(&b, text);
    check_yaml(b.s, b.len);
    sb_clear(&b);
    text_tap_desc(&b, text);
    if (b.len)
        check_desc(b.s, b.len);
    sb_clear(&b);
    redact_clear();
    free(in);
    return 0;
}
