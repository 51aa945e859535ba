/* report_text.c - the strings every report writes the same way (report_int.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_int.h"
#include "util.h"


char *report_clean(const char *raw)
{
    const char *s = raw ? raw : "";
    strbuf b = {0};
    sb_add(&b, "", 0);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_seq_len(p);
        if (n == 0) {
            sb_puts(&b, "\xEF\xBF\xBD");
            p++;
        } else {
            sb_add(&b, (const char *)p, n);
            p += n;
        }
    }
    return sb_steal(&b);
}

char *report_hostname(void)
{
    char h[256] = "";
    if (gethostname(h, sizeof h - 1) != 0 || !h[0])
        return xstrdup("localhost");
    return report_clean(h);
}

void report_utc(time_t t, int zone, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, zone ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm);
}

const char *report_plugin(const report_run *r, size_t i)
{
    const cfg_check *k = &r->c->checks[r->sel[i]];
    return k->plugin && k->plugin->name ? k->plugin->name : "";
}
