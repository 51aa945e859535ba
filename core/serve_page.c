/*
 * serve_page.c - the status page (serve_page.h): a section per checklist,
 * a row per check of its latest round, and each check's kept rounds as a
 * strip of cells.  Pure: reads the state, returns HTML, keeps nothing.
 *
 * Every value of the state goes out through page_text(), which escapes
 * HTML, shows control characters as \xNN and bad UTF-8 as U+FFFD: the state
 * is masked but not trusted (a check's message is whatever a server said).
 * No value ever reaches a class name: statuses go through page_status().
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "serve_page.h"
#include "util.h"

/* What each outcome looks like.  The label carries it without colour. */
typedef struct page_status_style {
    const char *key, *label, *bg, *fg;
} page_status_style;

static const page_status_style page_statuses[] = {
    {"pass", "PASS", "#1a7f37", "#fff"},
    {"warn", "WARN", "#e3b341", "#1f2328"},
    {"fail", "FAIL", "#cf222e", "#fff"},
    {"error", "ERROR", "#8250df", "#fff"},
    {"skip", "SKIP", "#8c959f", "#1f2328"},
    {"never", "NEVER RAN", "#eaeef2", "#1f2328"},
    {"unknown", "UNKNOWN", "#fff", "#1f2328"}, /* last: what an unexpected value shows as */
};
#define PAGE_NSTATUS (sizeof page_statuses / sizeof page_statuses[0])

static const page_status_style *page_status(const char *key)
{
    for (size_t i = 0; key && i < PAGE_NSTATUS - 1; i++)
        if (strcmp(page_statuses[i].key, key) == 0)
            return &page_statuses[i];
    return &page_statuses[PAGE_NSTATUS - 1];
}

static const char page_css[] =
    "*{box-sizing:border-box}"
    "body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;padding:.5em;max-width:72em;color:#1f2328;background:#fff}"
    "h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.15em;margin:0 0 .2em}"
    "section{border:1px solid #d0d7de;border-radius:6px;padding:.6em;margin:1em 0;break-inside:avoid-page}"
    ".meta,.sub{color:#57606a;margin:.2em 0}"
    ".b{display:inline-block;padding:0 .45em;border-radius:4px;font-weight:600;font-size:.85em;"
    "border:1px solid #8c959f;white-space:nowrap}"
    ".run{background:#0969da;color:#fff}"
    "table{border-collapse:collapse;width:100%;margin-top:.4em}"
    "th,td{text-align:left;vertical-align:top;padding:.3em .4em;border-top:1px solid #d0d7de}"
    "td{overflow-wrap:anywhere;word-break:break-word}"
    "td:first-child{font-weight:600;overflow-wrap:break-word;word-break:normal;min-width:7em}"
    "td[data-l=took]{white-space:nowrap}td[data-l=rounds]{width:30%}"
    ".hint{margin:.2em 0 0}.hint b{font-weight:600}"
    ".strip{display:flex;flex-wrap:wrap;gap:1px;list-style:none;margin:0;padding:0}"
    ".strip li{width:6px;height:16px}.strip li.s-unknown{box-shadow:inset 0 0 0 1px #57606a}"
    ".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
    "@media (max-width:40em){thead{display:none}table,tbody,tr,td{display:block}"
    "tr{border-top:2px solid #d0d7de;padding:.3em 0}td{border:0;padding:.1em 0}"
    "td:empty{display:none}td[data-l=rounds]{width:auto}"
    "td[data-l]::before{content:attr(data-l) \": \";color:#57606a;font-weight:400}td:first-child::before{content:none}}"
    "@media print{body{max-width:none;font-size:11pt}*{print-color-adjust:exact;-webkit-print-color-adjust:exact}"
    "tr{break-inside:avoid}}";

/* TEXT as HTML text or attribute value: & < > " ' as entities, control
 * characters as \xNN, invalid UTF-8 as U+FFFD. */
static void page_text(strbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        size_t n = utf8_seq_len(p);
        if (n == 0) {
            sb_puts(b, "\xef\xbf\xbd");
            p++;
            continue;
        }
        switch (*p) {
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '&': sb_puts(b, "&amp;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        case '\'': sb_puts(b, "&#39;"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                sb_printf(b, "\\x%02X", *p);
            else
                sb_add(b, (const char *)p, n);
        }
        p += n;
    }
}

static const char *page_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* NUM of O, or -1 when it is not a number. */
static double page_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static int page_parse_utc(const char *s, time_t *out)
{
    struct tm tm = {0};
    int used = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                     &tm.tm_min, &tm.tm_sec, &used) != 6 || strcmp(s + used, "Z") != 0)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm);
    return 0;
}

/* "2026-12-02 08:59:30 UTC" for the state's "...T...Z"; anything else as it is. */
static void page_utc(strbuf *b, const char *iso)
{
    time_t t;
    char buf[40];
    struct tm tm;
    if (page_parse_utc(iso, &t) == 0 && gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm))
        sb_puts(b, buf);
    else
        page_text(b, iso);
}

static void page_duration(strbuf *b, double s)
{
    if (s < 0)
        sb_puts(b, "-");
    else if (s < 1)
        sb_printf(b, "%.0f ms", s * 1000);
    else if (s < 60)
        sb_printf(b, "%.2f s", s);
    else
        sb_printf(b, "%ld min %ld s", (long)(s + 0.5) / 60, (long)(s + 0.5) % 60);
}

static void page_ago(strbuf *b, long long s)
{
    if (s < 120)
        sb_printf(b, " (%lld s ago)", s);
    else if (s < 7200)
        sb_printf(b, " (%lld min ago)", s / 60);
    else if (s < 172800)
        sb_printf(b, " (%lld h ago)", s / 3600);
    else
        sb_printf(b, " (%lld days ago)", s / 86400);
}

static void page_badge(strbuf *b, const char *status)
{
    const page_status_style *st = page_status(status);
    sb_printf(b, "<span class=\"b s-%s\">%s</span>", st->key, st->label);
}

/* The check's kept rounds, oldest first, one cell each; then its availability. */
static void page_strip(strbuf *b, const cJSON *rounds, const cJSON *avail)
{
    int n = cJSON_GetArraySize(rounds);
    const cJSON *r;
    if (n == 0) {
        sb_puts(b, "no rounds kept");
        return;
    }
    sb_printf(b, "<ol class=\"strip\" aria-label=\"last %d rounds, oldest first\">", n);
    cJSON_ArrayForEach(r, rounds) {
        const page_status_style *st = page_status(page_str(r, "status"));
        strbuf when = {0};
        page_utc(&when, page_str(r, "at"));
        sb_printf(b, "<li class=\"s-%s\" title=\"%s %s", st->key, st->label, when.s ? when.s : "");
        double ms = page_num(r, "duration_ms");
        if (ms >= 0)
            sb_printf(b, ", %.0f ms", ms);
        sb_printf(b, "\"><span class=\"vh\">%s %s</span></li>", st->label, when.s ? when.s : "");
        sb_clear(&when);
    }
    sb_puts(b, "</ol>");
    if (cJSON_IsNumber(avail))
        sb_printf(b, "<div class=\"avail\">%.1f%% of %d round%s</div>", avail->valuedouble * 100, n, n == 1 ? "" : "s");
}

static void page_check(strbuf *b, const cJSON *c, const cJSON *history, const cJSON *avail)
{
    const char *name = page_str(c, "name"), *status = page_str(c, "status");
    const char *msg = page_str(c, "message"), *hint = page_str(c, "hint");
    sb_printf(b, "<tr class=\"check s-%s\"><td data-l=\"check\">", page_status(status)->key);
    page_text(b, name);
    sb_puts(b, "</td><td data-l=\"outcome\">");
    page_badge(b, status);
    sb_puts(b, "</td><td data-l=\"took\">");
    page_duration(b, page_num(c, "duration_seconds"));
    sb_puts(b, "</td><td data-l=\"message\">");
    if (status && strcmp(status, "error") == 0 && msg) /* as the TAP: an error's message is what to fix */
        sb_puts(b, "<b>could not check, fix the setup:</b> ");
    page_text(b, msg);
    /* The hint as TAP shows it: not for a pass, not for an error. */
    if (hint && status && strcmp(status, "pass") != 0 && strcmp(status, "error") != 0) {
        sb_puts(b, "<p class=\"hint\"><b>hint:</b> ");
        page_text(b, hint);
        sb_puts(b, "</p>");
    }
    sb_puts(b, "</td><td data-l=\"rounds\">");
    page_strip(b, name ? cJSON_GetObjectItemCaseSensitive(history, name) : NULL,
               name ? cJSON_GetObjectItemCaseSensitive(avail, name) : NULL);
    sb_puts(b, "</td></tr>\n");
}

static void page_schedule(strbuf *b, const cJSON *l)
{
    const char *every = page_str(l, "every"), *at = page_str(l, "at");
    if (!every && !at) {
        sb_puts(b, "no schedule");
        return;
    }
    if (every) {
        sb_puts(b, "every ");
        page_text(b, every);
    }
    if (at) {
        sb_puts(b, every ? ", daily at " : "daily at ");
        page_text(b, at);
    }
}

static void page_checklist(strbuf *b, const cJSON *l, const char *generated)
{
    const char *status = page_str(l, "status"), *desc = page_str(l, "description"), *last = page_str(l, "last_run");
    sb_printf(b, "<section class=\"checklist s-%s\"><h2>", page_status(status)->key);
    page_text(b, page_str(l, "name"));
    sb_puts(b, " ");
    page_badge(b, status);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "running")))
        sb_puts(b, " <span class=\"b run\">RUNNING</span>");
    sb_puts(b, "</h2>\n");
    if (desc) {
        sb_puts(b, "<p class=\"sub\">");
        page_text(b, desc);
        sb_puts(b, "</p>\n");
    }
    sb_puts(b, "<p class=\"meta\">");
    page_schedule(b, l);
    const cJSON *report = cJSON_GetObjectItemCaseSensitive(l, "report");
    if (!last || !cJSON_IsObject(report)) {
        sb_puts(b, "; <span class=\"never\">never ran</span></p>\n</section>\n");
        return;
    }
    time_t t, now;
    sb_printf(b, "; last ran <time datetime=\"");
    page_text(b, last);
    sb_puts(b, "\">");
    page_utc(b, last);
    sb_puts(b, "</time>");
    if (page_parse_utc(last, &t) == 0 && page_parse_utc(generated, &now) == 0 && now >= t)
        page_ago(b, (long long)(now - t));
    sb_puts(b, ", took ");
    page_duration(b, page_num(l, "duration_seconds"));
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
    if (cJSON_IsObject(sum))
        sb_printf(b, "; %.0f passed, %.0f warned, %.0f failed, %.0f errored, %.0f skipped of %.0f",
                  page_num(sum, "passed"), page_num(sum, "warned"), page_num(sum, "failed"),
                  page_num(sum, "errored"), page_num(sum, "skipped"), page_num(sum, "total"));
    sb_puts(b, "</p>\n<table><thead><tr><th scope=\"col\">check</th><th scope=\"col\">outcome</th>"
               "<th scope=\"col\">took</th><th scope=\"col\">message</th><th scope=\"col\">rounds, oldest first</th>"
               "</tr></thead><tbody>\n");
    const cJSON *c, *history = cJSON_GetObjectItemCaseSensitive(l, "history");
    const cJSON *avail = cJSON_GetObjectItemCaseSensitive(l, "availability");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "checks"))
        if (cJSON_IsObject(c))
            page_check(b, c, history, avail);
    sb_puts(b, "</tbody></table>\n</section>\n");
}

char *serve_page_html(const cJSON *state)
{
    strbuf b = {0};
    double refresh = page_num(state, "refresh_seconds");
    int secs = refresh < 1 ? 30 : refresh > 86400 ? 86400 : (int)refresh;
    const char *generated = page_str(state, "generated_at");
    sb_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta http-equiv=\"refresh\" content=\"%d\">\n<title>opscheck status</title>\n<style>%s",
              secs, page_css);
    for (size_t i = 0; i < PAGE_NSTATUS; i++)
        sb_printf(&b, ".b.s-%s,.strip .s-%s{background:%s;color:%s}", page_statuses[i].key, page_statuses[i].key,
                  page_statuses[i].bg, page_statuses[i].fg);
    sb_puts(&b, "</style></head><body>\n<main><h1>opscheck status</h1>\n<p class=\"meta\">generated ");
    page_utc(&b, generated);
    sb_printf(&b, "; this page reloads every %d s</p>\n", secs);
    const cJSON *l, *lists = cJSON_GetObjectItemCaseSensitive(state, "checklists");
    if (cJSON_GetArraySize(lists) == 0)
        sb_puts(&b, "<p class=\"none\">No checklists are configured.</p>\n");
    cJSON_ArrayForEach(l, lists)
        if (cJSON_IsObject(l))
            page_checklist(&b, l, generated);
    sb_puts(&b, "</main></body></html>\n");
    return sb_steal(&b);
}
