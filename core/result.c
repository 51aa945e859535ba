/* result.c - see result.h. */
#include "result.h"

#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "util.h"

void result_clear(check_result *r)
{
    for (size_t i = 0; i < r->nasserts; i++) {
        free(r->asserts[i].msg);
        free(r->asserts[i].expected);
        free(r->asserts[i].seen);
        free(r->asserts[i].reason);
        free(r->asserts[i].data);
    }
    free(r->asserts);
    for (size_t i = 0; i < r->ndiags; i++) {
        free(r->diags[i].key);
        free(r->diags[i].val);
    }
    free(r->diags);
    for (size_t i = 0; i < r->nmetrics; i++) {
        free(r->metrics[i].name);
        free(r->metrics[i].unit);
    }
    free(r->metrics);
    for (size_t i = 0; i < r->nattempts; i++)
        free(r->attempts[i].message);
    free(r->attempts);
    free(r->message);
    free(r->hint);
    free(r->output);
    for (int s = 0; s < RES_NSTATUS; s++)
        free(r->dropped_first[s]);
    memset(r, 0, sizeof *r);
}

/* How bad a status is, for "the worst wins". */
static int rank(res_status s)
{
    static const int r[RES_NSTATUS] = {[RES_SKIP] = 0, [RES_PASS] = 1, [RES_WARN] = 2, [RES_FAIL] = 3, [RES_ERROR] = 4};
    return r[s];
}

/* What an assertion counts as: a TODO is a known failure, not a failure
 * (TAP's meaning), so it counts as a pass unless it was skipped. */
static res_status verdict_of(const res_assert *a)
{
    return a->directive == RES_DIR_TODO && a->status != RES_SKIP ? RES_PASS : a->status;
}

/* The worst status wins (error > fail > warn > pass > skip), counting the
 * assertions the record limit dropped: 1,000 passes and then a failure are
 * a failure.  The message is the first kept assertion of the winning status
 * (with its directive's reason), or says how many were dropped. */
void result_summarise(check_result *r)
{
    res_status worst = RES_SKIP;
    for (size_t i = 0; i < r->nasserts; i++)
        if (rank(verdict_of(&r->asserts[i])) > rank(worst))
            worst = verdict_of(&r->asserts[i]);
    for (int s = 0; s < RES_NSTATUS; s++)
        if (r->dropped_bad[s] && rank((res_status)s) > rank(worst))
            worst = (res_status)s;
    r->status = worst;
    free(r->message);
    r->message = NULL;
    for (size_t i = 0; i < r->nasserts; i++) {
        const res_assert *a = &r->asserts[i];
        if (verdict_of(a) == worst) {
            r->message = a->reason && *a->reason ? xasprintf("%s%s%s", a->msg, *a->msg ? ": " : "", a->reason)
                                                 : xstrdup(a->msg);
            break;
        }
    }
    if (!r->message && r->asserts_dropped)
        r->message = xasprintf("%zu %s assertion%s among the %zu past the first %zu, which were not kept%s%s",
                               r->dropped_bad[worst], res_status_name(worst), r->dropped_bad[worst] == 1 ? "" : "s",
                               r->asserts_dropped, r->nasserts, r->dropped_first[worst] ? "; the first: " : "",
                               r->dropped_first[worst] ? r->dropped_first[worst] : "");
    for (int s = 0; s < RES_NSTATUS; s++) { /* unmasked words go as soon as the message has them */
        free(r->dropped_first[s]);
        r->dropped_first[s] = NULL;
    }
}

const char *res_status_name(res_status s)
{
    switch (s) {
    case RES_PASS: return "pass";
    case RES_WARN: return "warn";
    case RES_SKIP: return "skip";
    case RES_FAIL: return "fail";
    case RES_ERROR: return "error";
    }
    return "?";
}

const char *res_directive_name(res_directive d)
{
    return d == RES_DIR_TODO ? "todo" : d == RES_DIR_SKIP ? "skip" : NULL;
}

char *result_hint(const char *hint, const check_result *r)
{
    if (!hint)
        return NULL;
    strbuf b = {0};
    sb_add(&b, "", 0);
    for (const char *p = hint; *p;) {
        const char *close = p[0] == '{' ? strchr(p, '}') : NULL;
        const char *val = NULL;
        if (close) {
            for (size_t i = 0; i < r->ndiags && !val; i++)
                if (strlen(r->diags[i].key) == (size_t)(close - p - 1) &&
                    strncmp(r->diags[i].key, p + 1, (size_t)(close - p - 1)) == 0)
                    val = r->diags[i].val;
        }
        if (val) {
            sb_puts(&b, val);
            p = close + 1;
        } else {
            sb_putc(&b, *p++);
        }
    }
    return sb_steal(&b);
}

/* *S replaced by its masked copy. */
static void mask(char **s)
{
    if (!*s)
        return;
    char *m = redact(*s);
    free(*s);
    *s = m;
}

void result_publish(check_result *r, const char *hint)
{
    free(r->hint);
    r->hint = result_hint(hint, r);
    mask(&r->message);
    mask(&r->hint);
    for (size_t i = 0; i < r->nasserts; i++) {
        mask(&r->asserts[i].msg);
        mask(&r->asserts[i].expected);
        mask(&r->asserts[i].seen);
        mask(&r->asserts[i].reason);
        mask(&r->asserts[i].data);
    }
    for (size_t i = 0; i < r->ndiags; i++) {
        mask(&r->diags[i].key);
        mask(&r->diags[i].val);
    }
    for (size_t i = 0; i < r->nmetrics; i++) {
        mask(&r->metrics[i].name);
        mask(&r->metrics[i].unit);
    }
    for (size_t i = 0; i < r->nattempts; i++)
        mask(&r->attempts[i].message);
    if (r->output) {
        size_t len;
        char *m = redact_nl(r->output, r->output_len, &len);
        free(r->output);
        r->output = m;
        r->output_len = len;
    }
}
