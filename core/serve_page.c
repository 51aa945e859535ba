/*
 * serve_page.c - the status page (serve_page.h): one table per checklist,
 * a row per check of its latest round.
 */
#include <string.h>

#include "serve_page.h"
#include "util.h"

static void html_text(strbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '&': sb_puts(b, "&amp;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        case '\'': sb_puts(b, "&#39;"); break;
        default: sb_add(b, s, 1);
        }
    }
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *serve_page_html(const cJSON *state)
{
    strbuf b = {0};
    const cJSON *refresh = cJSON_GetObjectItemCaseSensitive(state, "refresh_seconds");
    sb_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta http-equiv=\"refresh\" content=\"%d\"><title>opscheck</title></head><body>\n",
              cJSON_IsNumber(refresh) ? refresh->valueint : 30);
    const cJSON *lists = cJSON_GetObjectItemCaseSensitive(state, "checklists"), *l;
    cJSON_ArrayForEach(l, lists) {
        sb_puts(&b, "<h2>");
        html_text(&b, str_of(l, "name"));
        sb_puts(&b, " <span class=\"status\">");
        html_text(&b, str_of(l, "status"));
        sb_puts(&b, "</span></h2>\n<table>\n");
        const cJSON *report = cJSON_GetObjectItemCaseSensitive(l, "report");
        const cJSON *checks = cJSON_GetObjectItemCaseSensitive(report, "checks"), *c;
        cJSON_ArrayForEach(c, checks) {
            sb_puts(&b, "<tr><td>");
            html_text(&b, str_of(c, "name"));
            sb_puts(&b, "</td><td>");
            html_text(&b, str_of(c, "status"));
            sb_puts(&b, "</td><td>");
            html_text(&b, str_of(c, "message"));
            sb_puts(&b, "</td></tr>\n");
        }
        sb_puts(&b, "</table>\n");
    }
    sb_puts(&b, "</body></html>\n");
    return sb_steal(&b);
}
