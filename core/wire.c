/* wire.c - see wire.h. */
#include "wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redact.h"

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(3); /* parent gone: nobody to report to */
        p += w;
        n -= (size_t)w;
    }
}

void wire_send(int fd, char type, const char *const *fields, size_t nfields)
{
    strbuf b = {0};
    uint32_t len = 0;
    sb_putc(&b, type);
    sb_add(&b, (const char *)&len, sizeof len);
    for (size_t i = 0; i < nfields; i++) {
        const char *f = fields[i] ? fields[i] : "";
        size_t n = strnlen(f, WIRE_MAX_FIELD);
        sb_add(&b, f, n);
        if (i + 1 < nfields)
            sb_putc(&b, '\0');
    }
    len = (uint32_t)(b.len - 1 - sizeof len);
    memcpy(b.s + 1, &len, sizeof len);
    write_all(fd, b.s, b.len);
    sb_clear(&b);
}

/* The I-th NUL-separated field of a payload (or "" when absent). */
static const char *field(const char *p, size_t n, int i)
{
    const char *end = p + n;
    for (; i > 0 && p < end; i--)
        p += strlen(p) + 1;
    return p < end ? p : "";
}

/* Cut a field to a sane length without showing the start of a secret. */
static char *take(const char *s)
{
    size_t n = strlen(s);
    return xstrndup(s, n >= WIRE_MAX_FIELD ? redact_safe_len(s, n) : n);
}

/* A directive for the last assertion; one that was dropped is recounted,
 * so a dropped TODO failure does not fail the check either. */
static void apply_directive(wire_reader *w, const char *name, const char *reason, check_result *r)
{
    res_directive d = strcmp(name, "TODO") == 0 ? RES_DIR_TODO : strcmp(name, "SKIP") == 0 ? RES_DIR_SKIP
                                                                                            : RES_DIR_NONE;
    if (d == RES_DIR_NONE) /* the child refuses other names */
        return;
    if (w->last_dropped) {
        if (w->last_first) { /* it no longer counts as what it said: a later one may be named */
            free(r->dropped_first[w->last_status]);
            r->dropped_first[w->last_status] = NULL;
            w->last_first = 0;
        }
        r->dropped_bad[w->last_status]--;
        w->last_status = d == RES_DIR_SKIP ? RES_SKIP : RES_PASS;
        r->dropped_bad[w->last_status]++;
        return;
    }
    res_assert *a = &r->asserts[r->nasserts - 1];
    a->directive = d;
    if (d == RES_DIR_SKIP)
        a->status = RES_SKIP;
    free(a->reason);
    a->reason = take(reason);
}

/* A YAML text for the last assertion, within WIRE_MAX_DATA for the check. */
static void apply_yaml(wire_reader *w, const char *text, check_result *r)
{
    res_assert *a = &r->asserts[r->nasserts - 1];
    char *t = take(text);
    size_t old = a->data ? strlen(a->data) : 0, n = strlen(t);
    if (w->data_bytes - old + n > WIRE_MAX_DATA) {
        free(t);
        r->truncated = 1;
        return;
    }
    w->data_bytes = w->data_bytes - old + n;
    free(a->data);
    a->data = t;
}

static int apply(wire_reader *w, char type, const char *p, size_t n, check_result *r)
{
    int for_last = type == WIRE_EXPECT || type == WIRE_DIRECTIVE || type == WIRE_YAML;
    if (for_last && (!r->nasserts || (w->last_dropped && type != WIRE_DIRECTIVE)))
        return 0; /* for no assertion yet, or for one that was not kept */
    switch (type) {
    case WIRE_ASSERT: {
        const char *st = field(p, n, 0);
        res_status s = st[0] == 'p' ? RES_PASS : st[0] == 'w' ? RES_WARN : st[0] == 's' ? RES_SKIP
                     : st[0] == 'e' ? RES_ERROR : RES_FAIL;
        w->last_dropped = 0;
        if (r->nasserts >= WIRE_MAX_ASSERTS) { /* not kept, but never forgotten */
            r->truncated = 1;
            r->asserts_dropped++;
            r->dropped_bad[s]++;
            w->last_dropped = 1;
            w->last_status = s;
            w->last_first = !r->dropped_first[s];
            if (w->last_first) /* the message can name it */
                r->dropped_first[s] = take(field(p, n, 1));
            return 0;
        }
        r->asserts = xrealloc(r->asserts, (r->nasserts + 1) * sizeof *r->asserts);
        r->asserts[r->nasserts++] = (res_assert){.status = s, .msg = take(field(p, n, 1))};
        return 0;
    }
    case WIRE_DIRECTIVE:
        apply_directive(w, field(p, n, 0), field(p, n, 1), r);
        return 0;
    case WIRE_YAML:
        apply_yaml(w, field(p, n, 0), r);
        return 0;
    case WIRE_EXPECT:
        free(r->asserts[r->nasserts - 1].expected);
        free(r->asserts[r->nasserts - 1].seen);
        r->asserts[r->nasserts - 1].expected = take(field(p, n, 0));
        r->asserts[r->nasserts - 1].seen = take(field(p, n, 1));
        return 0;
    case WIRE_DIAG:
        if (r->ndiags >= WIRE_MAX_DIAGS) {
            r->truncated = 1;
            return 0;
        }
        r->diags = xrealloc(r->diags, (r->ndiags + 1) * sizeof *r->diags);
        r->diags[r->ndiags++] = (res_kv){take(field(p, n, 0)), take(field(p, n, 1))};
        return 0;
    case WIRE_METRIC:
        if (r->nmetrics >= WIRE_MAX_METRICS) {
            r->truncated = 1;
            return 0;
        }
        r->metrics = xrealloc(r->metrics, (r->nmetrics + 1) * sizeof *r->metrics);
        r->metrics[r->nmetrics++] = (res_metric){take(field(p, n, 0)), take(field(p, n, 2)),
                                                 strtod(field(p, n, 1), NULL)};
        return 0;
    case WIRE_END:
        return 1;
    }
    return -1;
}

int wire_feed(wire_reader *w, const char *data, size_t n, check_result *r)
{
    sb_add(&w->buf, data, n);
    size_t off = 0;
    int rc = 0;
    while (w->buf.len - off >= 1 + sizeof(uint32_t)) {
        uint32_t len;
        memcpy(&len, w->buf.s + off + 1, sizeof len);
        if (len > 8 * WIRE_MAX_FIELD) {
            rc = -1;
            break;
        }
        if (w->buf.len - off < 1 + sizeof len + len)
            break;
        char *payload = xstrndup(w->buf.s + off + 1 + sizeof len, len);
        int a = w->ended ? 0 : apply(w, w->buf.s[off], payload, len, r); /* nothing counts after END */
        free(payload);
        if (a < 0) {
            rc = -1;
            break;
        }
        if (a == 1)
            w->ended = 1;
        off += 1 + sizeof len + len;
    }
    if (rc < 0) {
        w->buf.len = 0;
        return -1;
    }
    memmove(w->buf.s, w->buf.s + off, w->buf.len - off);
    w->buf.len -= off;
    w->buf.s[w->buf.len] = '\0';
    return 0;
}

void wire_reader_clear(wire_reader *w)
{
    sb_clear(&w->buf);
    *w = (wire_reader){0};
}
