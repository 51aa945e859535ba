/*
 * result.h - what one check produced, as the parent assembles it from the
 * child's records (wire.h), and the check-level outcome the TAP writer and
 * reports read.  Every string here is owned by the result.
 */
#ifndef OC_RESULT_H
#define OC_RESULT_H

#include <stddef.h>

/* The five outcomes.  ERROR: the check could not reach a verdict (a value
 * it needs is missing, its plugin crashed, hung or said so with oc_error):
 * the setup needs fixing, not the target.  FAIL: the target answered
 * wrongly.  Both make the run exit 1. */
typedef enum res_status { RES_PASS = 0, RES_WARN, RES_SKIP, RES_FAIL, RES_ERROR } res_status;
#define RES_NSTATUS 5
/* FAIL or ERROR: a `not ok`, exit code 1. */
#define RES_BAD(s) ((s) == RES_FAIL || (s) == RES_ERROR)

/* A TAP directive on an assertion (oc_directive).  TODO: the status is
 * kept (a `not ok ... # TODO`), but it counts as a pass for the verdict. */
typedef enum res_directive { RES_DIR_NONE = 0, RES_DIR_TODO, RES_DIR_SKIP } res_directive;

typedef struct res_assert {
    res_status status;
    char *msg;
    char *expected, *seen;   /* or NULL */
    res_directive directive;
    char *reason;            /* the directive's reason, or NULL */
    char *data;              /* the plugin's YAML text (oc_assert_yaml), or NULL */
} res_assert;

typedef struct res_kv {
    char *key, *val;
} res_kv;

typedef struct res_metric {
    char *name, *unit;
    double value;
} res_metric;

typedef struct res_attempt {
    res_status status;
    char *message;           /* the reason, one line */
    long long duration_ms;
} res_attempt;

typedef struct check_result {
    res_status status;
    char *message;           /* why it failed / was skipped / warned, one line */
    char *hint;              /* the check's hint with {key} filled (shown for failures) */
    res_assert *asserts;
    size_t nasserts;
    res_kv *diags;
    size_t ndiags;
    res_metric *metrics;
    size_t nmetrics;
    char *output;            /* captured stderr, bounded (already cut) */
    size_t output_len, output_dropped;
    int truncated;           /* records dropped past the limits */
    size_t asserts_dropped;  /* assertions past WIRE_MAX_ASSERTS: not kept, but counted */
    size_t dropped_bad[RES_NSTATUS]; /* ... by status: a dropped failure still fails the check */
    char *dropped_first[RES_NSTATUS]; /* ... the first one's words, by status (unmasked:
                                       * result_summarise puts them in the message,
                                       * which is masked, and frees them) */
    long long duration_ms;   /* of the last attempt */
    res_attempt *attempts;   /* every attempt, in order */
    size_t nattempts;
} check_result;

void result_clear(check_result *r);        /* frees members, zeroes */
/* The one masking gate, called once when a check's result is final and
 * before any writer or report sees it: fills r->hint from HINT (the check's,
 * or NULL) and the facts, then replaces every string in R (message, hint,
 * assertions, facts, metric names, captured stderr, attempts) by its
 * redact()ed copy.  Writers and reports never redact. */
void result_publish(check_result *r, const char *hint);
/* The check-level status and message from the assertions, kept and
 * dropped: ERROR > FAIL > WARN > PASS; all skipped is a skip.  A TODO
 * assertion counts as a pass, whatever its status. */
void result_summarise(check_result *r);
const char *res_status_name(res_status s);
/* "todo", "skip", or NULL for none. */
const char *res_directive_name(res_directive d);
/* HINT with every "{key}" replaced by the value of the check's first
 * diagnostic of that name (e.g. "flyctl machine restart {machine}");
 * unknown keys stay as written.  malloc'd; NULL when HINT is NULL. */
char *result_hint(const char *hint, const check_result *r);

#endif
