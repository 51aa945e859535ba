/* pretty.c - see pretty.h. */
#include "pretty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>


static int progress_shown;
static FILE *out; /* stdout, unless pretty_set_output() chose another */

void pretty_set_output(FILE *f)
{
    out = f;
}

static FILE *screen(void)
{
    return out ? out : stdout;
}

static const char *color_of(res_status s)
{
    switch (s) {
    case RES_PASS: return "\033[32m";
    case RES_WARN: return "\033[33m";
    case RES_SKIP: return "\033[36m";
    case RES_FAIL: return "\033[1;31m";
    case RES_ERROR: return "\033[1;35m";
    }
    return "";
}

static const char *label_of(res_status s)
{
    switch (s) {
    case RES_PASS: return "PASS";
    case RES_WARN: return "WARN";
    case RES_SKIP: return "SKIP";
    case RES_FAIL: return "FAIL";
    case RES_ERROR: return "ERROR";
    }
    return "????";
}

static void clear_progress(void)
{
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        progress_shown = 0;
    }
}

/* S as one line a terminal shows and cannot be driven by: newlines and tabs
 * become blanks, every other control byte (ESC of a title or clipboard
 * sequence, a screen clear) is shown escaped as \xHH; at most MAX bytes. */
static char *shown_text(const char *s, size_t max)
{
    strbuf b = {0};
    sb_add(&b, "", 0);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && b.len < max; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            sb_putc(&b, ' ');
        else if (*p < 0x20 || *p == 0x7f)
            sb_printf(&b, "\\x%02x", *p);
        else
            sb_putc(&b, (char)*p);
    }
    if (b.len >= max)
        sb_puts(&b, "...");
    return sb_steal(&b);
}

/* One detail line under a check: "        key: value" (one line, scrubbed;
 * a snapshot is worth reading, a flood is not). */
static void detail(const char *key, const char *val)
{
    char *v = shown_text(val, 2000);
    if (key) {
        char *k = shown_text(key, 80);
        fprintf(screen(), "        %s: %s\n", k, v);
        free(k);
    } else {
        fprintf(screen(), "        %s\n", v);
    }
    free(v);
}

/* The last lines a failed or errored check wrote on stderr: its last words
 * (a crash's message) are often the whole story. */
#define STDERR_TAIL_LINES 5
static void stderr_tail(const check_result *r)
{
    if (!r->output || !r->output_len)
        return;
    const char *start[STDERR_TAIL_LINES];
    size_t len[STDERR_TAIL_LINES], n = 0;
    const char *end = r->output + r->output_len;
    while (end > r->output && n < STDERR_TAIL_LINES) {
        while (end > r->output && (end[-1] == '\n' || end[-1] == '\r'))
            end--;
        const char *b = end;
        while (b > r->output && b[-1] != '\n')
            b--;
        if (end > b) {
            start[n] = b;
            len[n++] = (size_t)(end - b);
        }
        end = b;
    }
    if (!n)
        return;
    fprintf(screen(), "        stderr%s:\n", r->output_dropped ? " (the end of it)" : "");
    for (size_t i = n; i-- > 0;) {
        char *line = xstrndup(start[i], len[i]), *v = shown_text(line, 200);
        fprintf(screen(), "          | %s\n", v);
        free(v);
        free(line);
    }
}

/* A check's name in the 28-column field: longer names keep their start and
 * end around "...", so the columns after them stay aligned. */
static char *column_name(const char *name)
{
    char *v = shown_text(name, 200);
    size_t n = strlen(v);
    if (n > 28) {
        char *c = xasprintf("%.17s...%s", v, v + n - 8);
        free(v);
        return c;
    }
    return v;
}

static void pretty_begin(const run_opts *o, size_t count)
{
    (void)o;
    if (count == 0)
        fprintf(screen(), "no checks selected\n");
    fflush(screen());
}

/* "→" where the terminal speaks UTF-8 (the locale says so), else "->". */
static const char *arrow(void)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8") ? "\xe2\x86\x92" : "->";
    }
    return "->";
}

/* --watch: "  FAIL → PASS" when the check's status changed since the
 * previous round, else "". */
static const char *change_mark(const run_opts *o, size_t num, const check_result *r)
{
    static char buf[64];
    int was = o->previous ? o->previous[num - 1] : -1;
    if (was < 0 || was == (int)r->status)
        return "";
    snprintf(buf, sizeof buf, "  %s %s %s", label_of((res_status)was), arrow(), label_of(r->status));
    return buf;
}

static void pretty_check(const run_opts *o, size_t num, const cfg_check *k, const check_result *r)
{
    clear_progress();
    const char *mark = change_mark(o, num, r);
    if (o->quiet && !RES_BAD(r->status) && !*mark) { /* -q: only what needs attention (or just recovered) */
        fflush(screen());
        return;
    }
    const char *on = o->color ? color_of(r->status) : "", *off = o->color ? "\033[0m" : "";
    char *name = column_name(k->name);
    if (r->status == RES_SKIP) { /* the reason says more than a duration */
        char *why = shown_text(r->message, 200);
        fprintf(screen(), "  %s%s%s  %-28s %s%s\n", on, label_of(r->status), off, name, why, mark);
        free(why);
    } else {
        fprintf(screen(), "  %s%s%s  %-28s %6.2fs%s\n", on, label_of(r->status), off, name, r->duration_ms / 1000.0, mark);
    }
    free(name);
    int details = RES_BAD(r->status) || r->status == RES_WARN || o->verbose;
    if (!details) {
        fflush(screen());
        return;
    }
    if (r->nasserts > 1) {
        for (size_t i = 0; i < r->nasserts; i++) {
            const res_assert *a = &r->asserts[i];
            if (a->status == RES_PASS && !o->verbose)
                continue;
            char *m = xasprintf("%s %s", label_of(a->status), a->msg);
            detail(NULL, m);
            free(m);
            if (a->expected && a->status != RES_PASS)
                detail("  expected", a->expected);
            if (a->seen && a->status != RES_PASS)
                detail("  seen", a->seen);
        }
    } else if (r->message && r->status != RES_SKIP) {
        detail(NULL, r->message);
        if (r->nasserts == 1 && r->asserts[0].expected)
            detail("expected", r->asserts[0].expected);
        if (r->nasserts == 1 && r->asserts[0].seen)
            detail("seen", r->asserts[0].seen);
    }
    for (size_t i = 0; i < r->ndiags; i++)
        detail(r->diags[i].key, r->diags[i].val);
    if (o->verbose)
        for (size_t i = 0; i < r->nmetrics; i++) {
            char *m = xasprintf("%.6g %s", r->metrics[i].value, r->metrics[i].unit);
            detail(r->metrics[i].name, m);
            free(m);
        }
    if (r->nattempts > 1) {
        char *m = xasprintf("%zu", r->nattempts);
        detail("attempts", m);
        free(m);
    }
    if (RES_BAD(r->status))
        stderr_tail(r);
    if (r->hint && r->status != RES_PASS && r->status != RES_ERROR) {
        char *h = shown_text(r->hint, 2000);
        if (o->color)
            fprintf(screen(), "        \033[1mhint:\033[0m ");
        else
            fprintf(screen(), "        hint: ");
        fprintf(screen(), "%s\n", h);
        free(h);
    }
    fflush(screen());
}

static void pretty_bail(const run_opts *o, const char *reason)
{
    (void)o;
    clear_progress();
    char *why = shown_text(reason, 2000);
    fprintf(screen(), "  %s\n", why);
    free(why);
    fflush(screen());
}

static void pretty_progress(const run_opts *o, size_t done, size_t total, const char *running, double elapsed)
{
    (void)o;
    if (elapsed < 1.0 || !isatty(2))
        return;
    /* one line that never wraps: a wrapped line cannot be erased with \r */
    struct winsize ws;
    size_t width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
    char *names = shown_text(running, 1000);
    char *line = xasprintf("[%zu/%zu] %.1fs running: %s", done, total, elapsed, names);
    if (strlen(line) > width - 1) {
        if (width > 4)
            strcpy(line + width - 4, "...");
        else
            line[width > 1 ? width - 1 : 0] = '\0';
    }
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    progress_shown = 1;
    free(line);
    free(names);
}

void pretty_header(const char *left, const char *right)
{
    char *l = shown_text(left, 2000), *r = shown_text(right, 200);
    struct winsize ws;
    if (!isatty(1) || ioctl(1, TIOCGWINSZ, &ws) != 0 || !ws.ws_col) {
        fprintf(screen(), "%s  %s\n", l, r);
    } else { /* the last column stays empty: a full line wraps on some terminals */
        size_t width = ws.ws_col - 1, nl = strlen(l), nr = strlen(r);
        if (nr + 2 > width) {
            nr = nr > width ? width : nr;
            nl = 0;
        } else if (nl + 2 + nr > width) {
            nl = width - 2 - nr;
            if (nl > 3)
                strcpy(l + nl - 3, "...");
        }
        fprintf(screen(), "%.*s%*s%.*s\n", (int)nl, l, (int)(width - nl - nr), "", (int)nr, r);
    }
    free(l);
    free(r);
}

static void pretty_end(const run_opts *o)
{
    (void)o;
    clear_progress();
}

const run_writer pretty_writer = {
    .completion_order = 1,
    .begin = pretty_begin,
    .check = pretty_check,
    .bail = pretty_bail,
    .progress = pretty_progress,
    .end = pretty_end,
};
