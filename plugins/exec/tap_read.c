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

/* Copies text (up to len or a NUL) into lines, dropping \r before \n. */
static char **split_lines(const char *text, size_t len, size_t *count)
{
    char *s = exec_xstrndup(text, len), *p = s;
    char **lines = NULL;
    size_t n = 0, cap = 0;
    while (*p) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l && p[l - 1] == '\r')
            l--;
        if (n == cap) {         /* doubling: a flood of lines stays linear */
            cap = cap ? cap * 2 : 64;
            lines = exec_xrealloc(lines, cap * sizeof *lines);
        }
        lines[n++] = exec_xstrndup(p, l);
        p = nl ? nl + 1 : p + strlen(p);
    }
    free(s);
    *count = n;
    return lines;
}

static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
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

void exec_read_tap(const char *text, size_t len, exec_tap *out)
{
    size_t n;
    char **lines = split_lines(text, len, &n);
    sub_reader *sr = exec_xmalloc(sizeof *sr);

    memset(out, 0, sizeof *out);
    memset(sr, 0, sizeof *sr);
    for (size_t i = 0; i < n && !out->bailed; i++) {
        const char *line = lines[i], *comment;
        exec_tap_test t;
        long planned;
        int v;

        if (!line[0] || line[0] == '\t')
            continue;           /* blank, or not TAP */
        if (line[0] == ' ') {
            sub_line(sr, line, out);
            continue;
        }
        sr->yaml_ind = 0;
        if (out->version == 0 && out->count == 0 && !out->has_plan && parse_version(line, &v)) {
            out->version = v;
        } else if (parse_plan(line, &planned, &comment)) {
            if (out->plans++)
                continue;       /* a second plan: the first is kept, the stream is broken */
            out->has_plan = 1;
            out->plan_at = out->count;
            out->planned = planned;
            if (planned == 0 && comment) {
                exec_tap_test d = { 0 };
                parse_directive(comment, &d);
                out->plan_reason = d.reason ? d.reason : trimmed_dup(comment);
            }
        } else if (parse_test(line, &t)) {
            t.sub_failed = sub_close(sr, 1);
            /* A YAML block is indented, opens with "---" on the very next
             * line and closes with "..." at the same indentation. */
            const char *y = i + 1 < n ? lines[i + 1] : "";
            size_t ind = strspn(y, " ");
            if (ind > 0 && strcmp(y + ind, "---") == 0) {
                for (i += 2; i < n; i++) {
                    if (strspn(lines[i], " ") >= ind && strcmp(lines[i] + ind, "...") == 0)
                        break;
                    append_yaml(&t, strspn(lines[i], " ") >= ind ? lines[i] + ind : lines[i]);
                }
            }
            out->tests = exec_xrealloc(out->tests, (out->count + 1) * sizeof *out->tests);
            out->tests[out->count++] = t;
        } else if (starts_ci(line, "Bail out!")) {
            out->bailed = 1;
            out->bail_reason = trimmed_dup(line + 9);
        }
    }
    free(sr);
    free_lines(lines, n);
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
