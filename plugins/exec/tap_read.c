/*
 * tap_read.c - read the TAP a program (a bats suite, a prove-style script,
 * node-tap) writes.  Top-level test points become the check's assertions;
 * a YAML block right below one is kept for the report.  Subtests (indented
 * by four spaces a level) are read only for whether they failed: a summary
 * point that says "ok" above a failed subtest is a failure, never a pass.
 * Unknown lines are ignored, as TAP requires; reading stops at "Bail out!",
 * at any depth.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exec_int.h"

static int starts_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static char *trimmed_dup(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return exec_xstrndup(s, n);
}

/* "1..N" with an optional "# comment"; returns 1 and sets *n, *comment
 * (pointing into line, or NULL) when line is a plan. */
static int parse_plan(const char *line, long *n, const char **comment)
{
    char *end;
    if (strncmp(line, "1..", 3) != 0 || !isdigit((unsigned char)line[3]))
        return 0;
    *n = strtol(line + 3, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    *comment = NULL;
    if (*end == '#')
        *comment = end + 1;
    else if (*end)
        return 0;
    return 1;
}

static int parse_version(const char *line, int *v)
{
    if (strncmp(line, "TAP version ", 12) != 0 || !isdigit((unsigned char)line[12]))
        return 0;
    *v = atoi(line + 12);
    return 1;
}

/* After '#': "SKIP reason", "skipped: reason", "TODO reason"; the reason
 * unescaped like a description. */
static void parse_directive(const char *s, exec_tap_test *t)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (starts_ci(s, "skip"))
        t->dir = EXEC_TAP_SKIP;
    else if (starts_ci(s, "todo"))
        t->dir = EXEC_TAP_TODO;
    else
        return;                 /* a plain comment, not a directive */
    while (*s && *s != ' ' && *s != '\t' && *s != ':')
        s++;
    while (*s == ':' || *s == ' ' || *s == '\t')
        s++;
    t->reason = trimmed_dup(s);
    char *w = t->reason;        /* \# and \\ are escapes here too */
    for (const char *r = t->reason; *r; r++) {
        if (*r == '\\' && (r[1] == '#' || r[1] == '\\'))
            r++;
        *w++ = *r;
    }
    *w = '\0';
}

/* "ok", "not ok": number, "- ", description up to an unescaped '#'
 * (\# and \\ are unescaped), then a directive. */
static int parse_test(const char *line, exec_tap_test *t)
{
    const char *p;
    memset(t, 0, sizeof *t);
    if (strncmp(line, "ok", 2) == 0) {
        t->ok = 1;
        p = line + 2;
    } else if (strncmp(line, "not ok", 6) == 0) {
        p = line + 6;
    } else {
        return 0;
    }
    if (*p && *p != ' ' && *p != '\t')
        return 0;               /* "okay", "ok1": not a test point */
    while (*p == ' ' || *p == '\t')
        p++;
    t->number = -1;
    if (isdigit((unsigned char)*p)) {
        char *end;
        t->number = strtol(p, &end, 10);
        p = end;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '-' && (p[1] == ' ' || p[1] == '\t' || !p[1]))
        p++;
    while (*p == ' ' || *p == '\t')
        p++;

    char *d = exec_xmalloc(strlen(p) + 1);
    size_t n = 0;
    for (; *p && *p != '#'; p++) {
        if (*p == '\\' && (p[1] == '#' || p[1] == '\\'))
            p++;
        d[n++] = *p;
    }
    while (n && (d[n - 1] == ' ' || d[n - 1] == '\t'))
        n--;
    d[n] = '\0';
    t->desc = d;
    t->dir = EXEC_TAP_NONE;
    if (*p == '#')
        parse_directive(p + 1, t);
    return 1;
}

/* Lines joined by '\n', no newline at the end. */
static void append_yaml(exec_tap_test *t, const char *line)
{
    size_t old = t->yaml ? strlen(t->yaml) : 0, n = strlen(line);
    t->yaml = exec_xrealloc(t->yaml, old + n + 2);
    if (old)
        t->yaml[old++] = '\n';
    memcpy(t->yaml + old, line, n + 1);
}

/* Looks at the first non-blank line only: a flood of output costs nothing. */
int exec_is_tap(const char *text, size_t len)
{
    const char *p = text, *end = text + strnlen(text, len);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *b = p;
        while (b < e && (*b == ' ' || *b == '\t' || *b == '\r'))
            b++;
        if (b < e) {
            char *line = exec_xstrndup(p, (size_t)(e - p));
            size_t l = strlen(line);
            const char *comment;
            long planned;
            int v, tap;
            if (l && line[l - 1] == '\r')
                line[l - 1] = '\0';
            tap = parse_version(line, &v) || parse_plan(line, &planned, &comment);
            free(line);
            return tap;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* One subtest level while it is read: what decides whether it failed. */
#define TAP_MAX_DEPTH 32
typedef struct sub_level {
    int seen;           /* a plan or test point at this level */
    int plans;
    long planned;
    size_t count;
    int failed;         /* a point that failed (not TODO/SKIP) */
} sub_level;

typedef struct sub_reader {
    sub_level lv[TAP_MAX_DEPTH + 2];
    size_t yaml_ind;    /* inside an indented YAML block opened at this indent; 0: not */
} sub_reader;

/* Whether the subtest at level D failed, then forgets it and those below. */
static int sub_close(sub_reader *sr, int d)
{
    const sub_level *l = &sr->lv[d];
    int failed = l->seen && (l->failed || l->plans != 1 || l->planned != (long)l->count);
    for (int k = d; k < TAP_MAX_DEPTH + 2; k++)
        memset(&sr->lv[k], 0, sizeof sr->lv[k]);
    return failed;
}

/* A point at level D ends the subtest below it (D + 1): the point fails
 * its level when it says not ok, or says ok above a failed subtest. */
static void sub_point(sub_reader *sr, int d, const exec_tap_test *t)
{
    int below = sub_close(sr, d + 1);
    sub_level *l = &sr->lv[d];
    l->seen = 1;
    l->count++;
    if (t->dir == EXEC_TAP_NONE && (!t->ok || below))
        l->failed = 1;
}

/* An indented line: YAML (skipped), or a subtest's plan, point or bail out. */
static void sub_line(sub_reader *sr, const char *line, exec_tap *out)
{
    size_t ind = strspn(line, " ");
    const char *s = line + ind, *comment;
    if (sr->yaml_ind) {
        if (ind == sr->yaml_ind && strcmp(s, "...") == 0)
            sr->yaml_ind = 0;
        return;
    }
    if (ind % 4 == 2 && strcmp(s, "---") == 0) {
        sr->yaml_ind = ind;
        return;
    }
    if (ind % 4 != 0 || ind / 4 > TAP_MAX_DEPTH)
        return;                 /* not a subtest line: ignored, as TAP says */
    int d = (int)(ind / 4);
    exec_tap_test t;
    long planned;
    if (parse_plan(s, &planned, &comment)) {
        sr->lv[d].seen = 1;
        if (sr->lv[d].plans++ == 0)
            sr->lv[d].planned = planned;
    } else if (parse_test(s, &t)) {
        sub_point(sr, d, &t);
        free(t.desc);
        free(t.reason);
    } else if (starts_ci(s, "Bail out!")) {
        out->bailed = 1;        /* a bail out in a subtest ends the whole stream */
        out->bail_reason = trimmed_dup(s + 9);
    }
}

/* The whole stream is read as it comes, however long: only what is kept
 * is bounded.  Points past the first EXEC_TAP_KEEP that pass are counted,
 * not stored; a failing one is stored up to EXEC_TAP_STORE_MAX points in
 * all, then counted too (a flood of failures costs no memory).  A line
 * longer than EXEC_TAP_LINE is cut there (its end is dropped). */
#define EXEC_TAP_KEEP 2000
#define EXEC_TAP_STORE_MAX 20000
#define EXEC_TAP_LINE 65536

struct exec_tap_reader {
    exec_tap *out;
    sub_reader sub;
    char *line;          /* the line being gathered (EXEC_TAP_LINE + 1) */
    size_t len;
    int held;            /* `pend` waits for the next line: a YAML block may open */
    size_t yaml_ind;     /* > 0: gathering pend's YAML block at this indent */
    exec_tap_test pend;
};

/* A top-level point, with its YAML, is complete. */
static void commit(exec_tap_reader *rd)
{
    exec_tap *out = rd->out;
    exec_tap_test *t = &rd->pend;
    size_t pos = out->count + out->unstored_ok + out->unstored_bad + 1;
    rd->held = 0;
    rd->yaml_ind = 0;
    if (t->number >= 0 && t->number != (long)pos && !out->bad_at) {
        out->bad_number = t->number; /* the first out of sequence, and where */
        out->bad_at = pos;
    }
    int passing = t->ok && !t->sub_failed && t->dir == EXEC_TAP_NONE;
    if ((passing && out->count >= EXEC_TAP_KEEP) || out->count >= EXEC_TAP_STORE_MAX) {
        if (passing || t->dir != EXEC_TAP_NONE)
            out->unstored_ok++; /* a TODO or SKIP point counts as a pass, as TAP means */
        else
            out->unstored_bad++;
        free(t->desc);
        free(t->reason);
        free(t->yaml);
        return;
    }
    if (out->count == out->cap) {  /* doubling: a flood of points stays linear */
        out->cap = out->cap ? out->cap * 2 : 64;
        out->tests = exec_xrealloc(out->tests, out->cap * sizeof *out->tests);
    }
    out->tests[out->count++] = *t;
}

static void top_line(exec_tap_reader *rd, const char *line)
{
    exec_tap *out = rd->out;
    const char *comment;
    long planned;
    int v;
    if (out->version == 0 && out->count == 0 && !out->has_plan && parse_version(line, &v)) {
        out->version = v;
    } else if (parse_plan(line, &planned, &comment)) {
        if (out->plans++)
            return;             /* a second plan: the first is kept, the stream is broken */
        out->has_plan = 1;
        out->planned = planned;
        out->plan_at = out->count + out->unstored_ok + out->unstored_bad;
        if (planned == 0 && comment) {
            exec_tap_test d = { 0 };
            parse_directive(comment, &d);
            out->plan_reason = d.reason ? d.reason : trimmed_dup(comment);
        }
    } else if (parse_test(line, &rd->pend)) {
        rd->pend.sub_failed = sub_close(&rd->sub, 1);
        rd->held = 1;           /* committed at the next line, or with its YAML */
    } else if (starts_ci(line, "Bail out!")) {
        out->bailed = 1;
        out->bail_reason = trimmed_dup(line + 9);
    }
}

static void one_line(exec_tap_reader *rd, const char *line)
{
    if (rd->out->bailed)
        return;                 /* reading stops at a bail out */
    if (rd->yaml_ind) {         /* pend's YAML: up to "..." at its indent */
        size_t ind = strspn(line, " ");
        if (ind >= rd->yaml_ind && strcmp(line + rd->yaml_ind, "...") == 0)
            commit(rd);
        else
            append_yaml(&rd->pend, ind >= rd->yaml_ind ? line + rd->yaml_ind : line);
        return;
    }
    if (rd->held) {             /* a YAML block opens with "---", indented, on the very next line */
        size_t ind = strspn(line, " ");
        if (ind > 0 && strcmp(line + ind, "---") == 0) {
            rd->yaml_ind = ind;
            return;
        }
        commit(rd);
    }
    if (!line[0] || line[0] == '\t')
        return;                 /* blank, or not TAP */
    if (line[0] == ' ') {
        sub_line(&rd->sub, line, rd->out);
        return;
    }
    rd->sub.yaml_ind = 0;
    top_line(rd, line);
}

exec_tap_reader *exec_tap_reader_new(exec_tap *out)
{
    exec_tap_reader *rd = exec_xmalloc(sizeof *rd);
    memset(rd, 0, sizeof *rd);
    memset(out, 0, sizeof *out);
    rd->out = out;
    rd->line = exec_xmalloc(EXEC_TAP_LINE + 1);
    return rd;
}

void exec_tap_feed(exec_tap_reader *rd, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] != '\n') {
            if (rd->len < EXEC_TAP_LINE)
                rd->line[rd->len++] = data[i];
            continue;
        }
        if (rd->len && rd->line[rd->len - 1] == '\r')
            rd->len--;
        rd->line[rd->len] = '\0';
        one_line(rd, rd->line);
        rd->len = 0;
    }
}

void exec_tap_finish(exec_tap_reader *rd)
{
    if (rd->len) {              /* a last line without its newline */
        rd->line[rd->len] = '\0';
        if (rd->line[rd->len - 1] == '\r')
            rd->line[rd->len - 1] = '\0';
        one_line(rd, rd->line);
    }
    if (rd->held)               /* a point at the very end, or a YAML block never closed */
        commit(rd);
    /* a subtest no point sums up (its program died before the summary line) */
    rd->out->trailing_sub_failed = sub_close(&rd->sub, 1);
    free(rd->line);
    free(rd);
}

void exec_read_tap(const char *text, size_t len, exec_tap *out)
{
    exec_tap_reader *rd = exec_tap_reader_new(out);
    exec_tap_feed(rd, text, strnlen(text, len));
    exec_tap_finish(rd);
}

void exec_tap_free(exec_tap *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->tests[i].desc);
        free(t->tests[i].reason);
        free(t->tests[i].yaml);
    }
    free(t->tests);
    free(t->plan_reason);
    free(t->bail_reason);
    memset(t, 0, sizeof *t);
}
