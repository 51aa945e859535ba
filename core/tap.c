/* tap.c - see tap.h. */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "yaml_map.h"


#define OUTPUT_SHOWN 4096 /* bytes of captured stderr shown in YAML */

static int tap_version = 14;
static FILE *tap_out; /* NULL: stdout */

void tap_set_output(FILE *f)
{
    tap_out = f;
}

static void emit(strbuf *b)
{
    FILE *f = tap_out ? tap_out : stdout;
    fwrite(b->s, 1, b->len, f);
    fflush(f);
    sb_clear(b);
}

static void tap_begin(const run_opts *o, size_t count)
{
    int version = o->tap_version;
    tap_version = version;
    FILE *f = tap_out ? tap_out : stdout;
    fprintf(f, "TAP version %d\n", version);
    if (count == 0)
        fprintf(f, "1..0 # SKIP no checks selected\n");
    else
        fprintf(f, "1..%zu\n", count);
    fflush(f);
}

void tap_bail(const char *reason)
{
    strbuf b = {0};
    sb_puts(&b, "Bail out! ");
    text_tap_desc(&b, reason);
    sb_putc(&b, '\n');
    emit(&b);
}

/* YAML keys: lower_snake only, never twice in one mapping. */
static void yaml_key_raw(strbuf *b, const char *ind, const char *key, strvec *seen, const char *after)
{
    char k[64];
    size_t n = 0;
    for (const char *p = key; *p && n < sizeof k - 8; p++)
        k[n++] = ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_') ? *p
               : (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : '_';
    k[n] = '\0';
    if (!n)
        strcpy(k, "diag");
    char *use = xstrdup(k);
    for (int i = 2; sv_contains(seen, use); i++) {
        free(use);
        use = xasprintf("%s_%d", k, i);
    }
    sb_printf(b, "%s%s:%s", ind, use, after);
    sv_push(seen, use);
}

static void yaml_key(strbuf *b, const char *ind, const char *key, strvec *seen)
{
    yaml_key_raw(b, ind, key, seen, " ");
}

/* A key whose value is a nested block on the next lines. */
static void yaml_block_key(strbuf *b, const char *ind, const char *key, strvec *seen)
{
    yaml_key_raw(b, ind, key, seen, "\n");
}

static void yaml_kv(strbuf *b, const char *ind, const char *key, const char *val, strvec *seen)
{
    yaml_key(b, ind, key, seen);
    text_yaml_str(b, val);
    sb_putc(b, '\n');
}

static void assertion_yaml(strbuf *b, const char *ind, const res_assert *a)
{
    strvec seen = {0};
    sb_printf(b, "%s---\n", ind);
    yaml_kv(b, ind, "message", a->msg, &seen);
    yaml_kv(b, ind, "severity", res_status_name(a->status), &seen);
    if (a->expected)
        yaml_kv(b, ind, "expected", a->expected, &seen);
    if (a->seen)
        yaml_kv(b, ind, "seen", a->seen, &seen);
    if (a->data) { /* the plugin's own YAML, under one key: its keys never clash with ours */
        char *deeper = xasprintf("%s  ", ind);
        strbuf nest = {0};
        if (yaml_map_nest(&nest, deeper, a->data) == 0) {
            yaml_block_key(b, ind, "data", &seen);
            sb_add(b, nest.s, nest.len);
        } else { /* not plainly a mapping: one string, valid whatever it holds */
            yaml_kv(b, ind, "data", a->data, &seen);
        }
        sb_clear(&nest);
        free(deeper);
    }
    sb_printf(b, "%s...\n", ind);
    sv_clear(&seen);
}

/* A test point; DIR ("SKIP", "TODO" or NULL) with REASON (NULL or "" for none). */
static void test_line(strbuf *b, const char *ind, int ok, size_t num, const char *desc, const char *dir,
                      const char *reason)
{
    sb_printf(b, "%s%sok %zu - ", ind, ok ? "" : "not ", num);
    text_tap_desc(b, desc);
    if (dir) {
        sb_printf(b, " # %s", dir);
        if (reason && *reason)
            sb_putc(b, ' ');
        text_tap_desc(b, reason);
    }
    sb_putc(b, '\n');
}

/* A subtest point's directive, as TAP writes it. */
static const char *dir_of(const res_assert *a)
{
    return a->directive == RES_DIR_TODO ? "TODO" : a->directive == RES_DIR_SKIP || a->status == RES_SKIP ? "SKIP"
                                                                                                          : NULL;
}

static void check_yaml(strbuf *b, const cfg_check *k, const check_result *r, int verbose, int single)
{
    strvec seen = {0};
    const char *ind = "  ";
    sb_puts(b, "  ---\n");
    if (r->message)
        yaml_kv(b, ind, "message", r->message, &seen);
    yaml_kv(b, ind, "severity", res_status_name(r->status), &seen);
    if (single && r->nasserts == 1) {
        if (r->asserts[0].expected)
            yaml_kv(b, ind, "expected", r->asserts[0].expected, &seen);
        if (r->asserts[0].seen)
            yaml_kv(b, ind, "seen", r->asserts[0].seen, &seen);
    }
    if (k->plugin)
        yaml_kv(b, ind, "plugin", k->plugin->name, &seen);
    yaml_key(b, ind, "duration_ms", &seen);
    sb_printf(b, "%lld\n", r->duration_ms);
    yaml_key(b, ind, "attempts", &seen);
    sb_printf(b, "%zu\n", r->nattempts);
    if (r->nattempts > 1) {
        yaml_block_key(b, ind, "attempt_log", &seen);
        for (size_t i = 0; i < r->nattempts; i++) {
            sb_printf(b, "    - status: \"%s\"\n      duration_ms: %lld\n      message: ",
                      res_status_name(r->attempts[i].status), r->attempts[i].duration_ms);
            text_yaml_str(b, r->attempts[i].message);
            sb_putc(b, '\n');
        }
    }
    for (size_t i = 0; i < r->ndiags; i++)
        yaml_kv(b, ind, r->diags[i].key, r->diags[i].val, &seen);
    if (r->nmetrics && (verbose || r->status != RES_PASS)) {
        yaml_block_key(b, ind, "metrics", &seen);
        strvec mseen = {0};
        for (size_t i = 0; i < r->nmetrics; i++) {
            const char *name = r->metrics[i].name, *labels = strchr(name, '{'); /* name{k="v"}: docs/reports.md */
            char *key = xstrndup(name, labels ? (size_t)(labels - name) : strlen(name));
            yaml_block_key(b, "    ", key, &mseen);
            free(key);
            sb_printf(b, "      value: %.10g\n      unit: ", r->metrics[i].value);
            text_yaml_str(b, r->metrics[i].unit);
            sb_putc(b, '\n');
            if (labels) {
                sb_puts(b, "      labels: ");
                text_yaml_str(b, labels);
                sb_putc(b, '\n');
            }
        }
        sv_clear(&mseen);
    }
    if (r->truncated)
        yaml_kv(b, ind, "note", "the plugin reported more than the limits keep; the rest was dropped", &seen);
    if (r->output && r->output_len) {
        char *red = xstrndup(r->output, r->output_len);
        size_t len = strlen(red);
        size_t extra = r->output_dropped;
        if (len > OUTPUT_SHOWN) {
            extra += len - OUTPUT_SHOWN;
            red[OUTPUT_SHOWN] = '\0';
        }
        yaml_kv(b, ind, "output", red, &seen);
        if (extra) {
            yaml_key(b, ind, "output_dropped_bytes", &seen);
            sb_printf(b, "%zu\n", extra);
        }
        free(red);
    }
    if (r->hint && r->status != RES_PASS && r->status != RES_ERROR) /* an error's message says what to fix */
        yaml_kv(b, ind, "hint", r->hint, &seen);
    sb_puts(b, "  ...\n");
    sv_clear(&seen);
}

static void tap_check(const run_opts *o, size_t num, const cfg_check *k, const check_result *r)
{
    int verbose = o->verbose;
    strbuf b = {0};
    /* Several assertions make a subtest; so does one with a directive or
     * data, which only a subtest point can carry. */
    int sub = r->nasserts > 1 || (r->nasserts == 1 && (r->asserts[0].directive || r->asserts[0].data));
    if (r->status == RES_SKIP && !sub) {
        test_line(&b, "", 1, num, k->name, "SKIP", r->message ? r->message : "skipped");
        if (verbose)
            check_yaml(&b, k, r, verbose, 1);
        emit(&b);
        return;
    }
    if (sub) {
        sb_puts(&b, "    # Subtest: ");
        text_tap_desc(&b, k->name);
        sb_printf(&b, "\n    1..%zu\n", r->nasserts);
        for (size_t i = 0; i < r->nasserts; i++) {
            const res_assert *a = &r->asserts[i];
            test_line(&b, "    ", !RES_BAD(a->status), i + 1, a->msg[0] ? a->msg : res_status_name(a->status),
                      dir_of(a), a->reason);
            if (RES_BAD(a->status) || a->status == RES_WARN || (verbose && (a->expected || a->seen || a->data)))
                assertion_yaml(&b, "      ", a);
        }
    }
    test_line(&b, "", !RES_BAD(r->status), num, k->name, r->status == RES_SKIP ? "SKIP" : NULL,
              r->status == RES_SKIP ? (r->message ? r->message : "skipped") : NULL);
    if (RES_BAD(r->status) || r->status == RES_WARN || verbose)
        check_yaml(&b, k, r, verbose, !sub);
    emit(&b);
}

static void tap_bail_w(const run_opts *o, const char *reason)
{
    (void)o;
    tap_bail(reason);
}

const run_writer tap_writer = {
    .begin = tap_begin,
    .check = tap_check,
    .bail = tap_bail_w,
};
