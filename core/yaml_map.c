/*
 * yaml_map.c - see yaml_map.h.  "A simple block mapping" here is: valid
 * UTF-8 with no control byte but newlines (no tabs), every line indented at
 * least as deep as the first non-blank one (the base); each line at the base
 * is `key:` or `key: value` with a plain key, each key once (strict YAML
 * parsers refuse a repeated key), the value plain, completely quoted on its
 * line, or a block scalar header (| or >); deeper lines belong to the key
 * above and are kept as written, so their YAML is the producer's.  Blank
 * lines may lead or trail, not stand inside (a TAP reader may end the YAML
 * block at one).  No line
 * may start a token with '*': masking turns a secret into "***", which YAML
 * reads as an alias, and the text was masked before it got here.
 */
#include "yaml_map.h"

#include <stdlib.h>
#include <string.h>

static int blank(const char *s, size_t n)
{
    return strspn(s, " ") >= n;
}

/* Valid UTF-8, and no control byte but '\n'. */
static int clean_bytes(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = utf8_seq_len(p);
        if (n == 0 || (n == 1 && ((*p < 0x20 && *p != '\n') || *p == 0x7f)))
            return 0;
        p += n;
    }
    return 1;
}

/* No '*' where YAML would read an alias: at the start, after a blank or a
 * flow indicator. */
static int alias_free(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' && (i == 0 || strchr(" [{,", s[i - 1])))
            return 0;
    return 1;
}

/* What may follow a complete value on its line: blanks, then a comment. */
static int rest_ok(const char *s, size_t n)
{
    size_t b = strspn(s, " ");
    return b >= n || (b > 0 && s[b] == '#');
}

static size_t hex_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && strchr("0123456789abcdefABCDEF", s[i]) && s[i])
        i++;
    return i;
}

/* "..." with YAML's escapes, ending on this line. */
static int double_quoted_ok(const char *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (v[i] == '"')
            return rest_ok(v + i + 1, n - i - 1);
        if (v[i] != '\\')
            continue;
        if (++i >= n)
            return 0;
        size_t digits = v[i] == 'x' ? 2 : v[i] == 'u' ? 4 : v[i] == 'U' ? 8 : 0;
        if (digits) {
            if (hex_run(v + i + 1, n - i - 1) < digits)
                return 0;
            i += digits;
        } else if (!strchr("0abtnvfre \"/\\N_LP", v[i]) || !v[i]) {
            return 0;
        }
    }
    return 0;
}

/* '...' ('' is a quote inside), ending on this line. */
static int single_quoted_ok(const char *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (v[i] != '\'')
            continue;
        if (i + 1 < n && v[i + 1] == '\'')
            i++;
        else
            return rest_ok(v + i + 1, n - i - 1);
    }
    return 0;
}

/* | or > with an optional chomping (+ -) and indentation (1-9) indicator. */
static int block_header_ok(const char *v, size_t n)
{
    size_t i = 1;
    for (int k = 0; k < 2 && i < n; k++)
        if (strchr("+-123456789", v[i]) && v[i])
            i++;
    return rest_ok(v + i, n - i);
}

/* A value on a key's line (blanks around it already cut). */
static int value_ok(const char *v, size_t n)
{
    if (v[0] == '"')
        return double_quoted_ok(v, n);
    if (v[0] == '\'')
        return single_quoted_ok(v, n);
    if (v[0] == '|' || v[0] == '>')
        return block_header_ok(v, n);
    if (strchr(",[]{}#&*!%@`", v[0]) || (strchr("-?:", v[0]) && (n == 1 || v[1] == ' ')))
        return 0;
    for (size_t i = 0; i < n; i++) /* ": " or a final ':' would start a mapping here */
        if (v[i] == ':' && (i + 1 == n || v[i + 1] == ' '))
            return 0;
    return 1;
}

/* A line at the base: a new, plain key, then nothing or a value. */
static int key_line_ok(const char *s, size_t n, strvec *keys)
{
    size_t k = 0;
    while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= '0' && s[k] <= '9') ||
                     ((s[k] == '_' || s[k] == '-' || s[k] == '.') && k > 0)))
        k++;
    if (k == 0 || k >= n || s[k] != ':' || (k + 1 < n && s[k + 1] != ' '))
        return 0;
    char *key = xstrndup(s, k);
    if (sv_contains(keys, key)) {
        free(key);
        return 0;
    }
    sv_push(keys, key);
    size_t v = k + 1 + strspn(s + k + 1, " "), end = n;
    while (end > v && s[end - 1] == ' ')
        end--;
    return v >= end || value_ok(s + v, end - v);
}

/* The base indentation, or -1 when TEXT is not a simple block mapping. */
static long check(const char *text)
{
    if (!clean_bytes(text))
        return -1;
    long base = -1;
    strvec keys = {0};
    int ok = 1, gap = 0;
    for (const char *p = text; *p && ok;) {
        size_t n = strcspn(p, "\n"), ind = strspn(p, " ");
        if (blank(p, n)) {
            gap = base >= 0;
        } else {
            if (gap) /* a blank line inside: TAP readers may end the block there */
                ok = 0;
            if (base < 0)
                base = (long)ind;
            if (!ok || ind < (size_t)base || !alias_free(p + ind, n - ind))
                ok = 0;
            else if (ind == (size_t)base)
                ok = key_line_ok(p + ind, n - ind, &keys);
        }
        p += n + (p[n] == '\n');
    }
    sv_clear(&keys);
    return ok ? base : -1;
}

int yaml_map_nest(strbuf *b, const char *ind, const char *text)
{
    long base = text ? check(text) : -1;
    if (base < 0)
        return -1;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        if (!blank(p, n)) { /* blank lines only lead or trail (see check) */
            sb_puts(b, ind);
            sb_add(b, p + base, n - (size_t)base);
            sb_putc(b, '\n');
        }
        p += n + (p[n] == '\n');
    }
    return 0;
}
