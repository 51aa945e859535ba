/* text.c - escaping for TAP, YAML and the reports (see text.h). */
#include "text.h"

void text_yaml_str(strbuf *b, const char *raw)
{
    const char *s = raw ? raw : "";
    sb_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_seq_len(p);
        if (n == 0) {
            sb_puts(b, "\\uFFFD"); /* not UTF-8: keep the stream valid */
            p++;
            continue;
        }
        if (n > 1) {
            sb_add(b, (const char *)p, n);
            p += n;
            continue;
        }
        switch (*p) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\t': sb_puts(b, "\\t"); break;
        case '\r': sb_puts(b, "\\r"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                sb_printf(b, "\\x%02x", *p);
            else
                sb_putc(b, (char)*p);
        }
        p++;
    }
    sb_putc(b, '"');
}

void text_tap_desc(strbuf *b, const char *raw)
{
    const char *s = raw ? raw : "";
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_seq_len(p);
        if (n > 1) {
            sb_add(b, (const char *)p, n);
            p += n;
            continue;
        }
        if (n == 0 || *p < 0x20 || *p == 0x7f)
            sb_putc(b, n == 0 ? '?' : ' ');
        else if (*p == '#' || *p == '\\') {
            sb_putc(b, '\\');
            sb_putc(b, (char)*p);
        } else
            sb_putc(b, (char)*p);
        p++;
    }
}
