/* pretty.c - see pretty.h. */
#include "pretty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static int progress_shown;

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

/* One detail line under a check: "        key: value" (one line, scrubbed). */
static void detail(const char *key, const char *val)
{
    char *v = xstrdup(val ? val : "");
    for (char *p = v; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    if (strlen(v) > 2000) /* a snapshot is worth reading; a flood is not */
        strcpy(v + 1997, "...");
    if (key)
        printf("        %s: %s\n", key, v);
    else
        printf("        %s\n", v);
    free(v);
}

static void pretty_begin(const run_opts *o, size_t count)
{
    (void)o;
    if (count == 0)
        printf("no checks selected\n");
    fflush(stdout);
}

static void pretty_check(const run_opts *o, size_t num, const cfg_check *k, const check_result *r)
{
    (void)num;
    clear_progress();
    const char *on = o->color ? color_of(r->status) : "", *off = o->color ? "\033[0m" : "";
    char *name = xstrdup(k->name);
    if (r->status == RES_SKIP) /* the reason says more than a duration */
        printf("  %s%s%s  %-28s %s\n", on, label_of(r->status), off, name, r->message ? r->message : "");
    else
        printf("  %s%s%s  %-28s %6.2fs\n", on, label_of(r->status), off, name, r->duration_ms / 1000.0);
    free(name);
    int details = RES_BAD(r->status) || r->status == RES_WARN || o->verbose;
    if (!details) {
        fflush(stdout);
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
    if (r->hint && r->status != RES_PASS && r->status != RES_ERROR) {
        if (o->color)
            printf("        \033[1mhint:\033[0m ");
        else
            printf("        hint: ");
        printf("%s\n", r->hint);
    }
    fflush(stdout);
}

static void pretty_bail(const run_opts *o, const char *reason)
{
    (void)o;
    clear_progress();
    printf("  interrupted: %s\n", reason);
    fflush(stdout);
}

static void pretty_progress(const run_opts *o, size_t done, size_t total, const char *running, double elapsed)
{
    (void)o;
    if (elapsed < 1.0 || !isatty(2))
        return;
    char *names = xstrdup(running);
    if (strlen(names) > 60)
        strcpy(names + 57, "...");
    fprintf(stderr, "\r\033[K[%zu/%zu] %.1fs running: %s", done, total, elapsed, names);
    fflush(stderr);
    progress_shown = 1;
    free(names);
}

static void pretty_end(const run_opts *o)
{
    (void)o;
    clear_progress();
}

const run_writer pretty_writer = {
    .begin = pretty_begin,
    .check = pretty_check,
    .bail = pretty_bail,
    .progress = pretty_progress,
    .end = pretty_end,
};
