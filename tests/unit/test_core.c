/*
 * test_core.c - unit tests of the core's pure parts: the INI value grammar,
 * interpolation, redaction, TAP/YAML escaping and the wire format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>

#include "config.h"
#include "interp.h"
#include "redact.h"
#include "text.h"
#include "units.h"
#include "util.h"
#include "wire.h"

static void test_durations(void **state)
{
    (void)state;
    long long ms;
    assert_int_equal(unit_duration_ms("250ms", &ms), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(unit_duration_ms("10s", &ms), 0);
    assert_int_equal(ms, 10000);
    assert_int_equal(unit_duration_ms("5m", &ms), 0);
    assert_int_equal(ms, 300000);
    assert_int_equal(unit_duration_ms("26h", &ms), 0);
    assert_int_equal(ms, 93600000LL);
    assert_int_equal(unit_duration_ms("7d", &ms), 0);
    assert_int_equal(ms, 604800000LL);
    assert_int_equal(unit_duration_ms("1.5s", &ms), 0);
    assert_int_equal(ms, 1500);
    assert_int_equal(unit_duration_ms("3", &ms), 0);
    assert_int_equal(ms, 3000);
    assert_int_equal(unit_duration_ms("soon", &ms), -1);
    assert_int_equal(unit_duration_ms("-1s", &ms), -1);
    assert_int_equal(unit_duration_ms("10 parsecs", &ms), -1);
    assert_int_equal(unit_duration_ms("", &ms), -1);
}

static void test_sizes_percent_bool(void **state)
{
    (void)state;
    long long n;
    double d;
    int b;
    assert_int_equal(unit_size("512", &n), 0);
    assert_int_equal(n, 512);
    assert_int_equal(unit_size("64KiB", &n), 0);
    assert_int_equal(n, 65536);
    assert_int_equal(unit_size("1MiB", &n), 0);
    assert_int_equal(n, 1048576);
    assert_int_equal(unit_size("1MB", &n), 0);
    assert_int_equal(n, 1000000);
    assert_int_equal(unit_size("1.5KB", &n), 0);
    assert_int_equal(n, 1500);
    assert_int_equal(unit_size("0.3B", &n), -1);
    assert_int_equal(unit_size("12 bananas", &n), -1);
    assert_int_equal(unit_percent("99%", &d), 0);
    assert_true(d == 99.0);
    assert_int_equal(unit_percent("99.5", &d), 0);
    assert_true(d == 99.5);
    assert_int_equal(unit_percent("101%", &d), -1);
    assert_int_equal(unit_bool("yes", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(unit_bool("Off", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(unit_bool("maybe", &b), -1);
}

static void test_lists(void **state)
{
    (void)state;
    strvec sv = {0};
    assert_int_equal(unit_list("a, b  c,d", &sv), 0);
    assert_int_equal(sv.n, 4);
    assert_string_equal(sv.v[2], "c");
    sv_clear(&sv);
    assert_int_equal(unit_list("'two words', \"x,y\" ''", &sv), 0);
    assert_int_equal(sv.n, 3);
    assert_string_equal(sv.v[0], "two words");
    assert_string_equal(sv.v[1], "x,y");
    assert_string_equal(sv.v[2], "");
    sv_clear(&sv);
    assert_int_equal(unit_list("'open", &sv), -1);
    sv_clear(&sv);
}

static cfg *vars_cfg(void)
{
    cfg *c = xcalloc(1, sizeof *c);
    c->vars = xcalloc(1, sizeof *c->vars);
    static cfg_item items[] = {
        {"host", "127.0.0.1", "v.ini", 2},
        {"url", "http://${host}:8080", "v.ini", 3},
        {"loop_a", "${loop_b}", "v.ini", 4},
        {"loop_b", "${loop_a}", "v.ini", 5},
    };
    c->vars->items = items;
    c->vars->nitems = 4;
    return c;
}

static void test_interp(void **state)
{
    (void)state;
    cfg *c = vars_cfg();
    interp_res r;
    interp_value(c, INTERP_RUN, "${url}/health $$x", "a.ini", 9, &r);
    assert_null(r.error);
    assert_string_equal(r.value, "http://127.0.0.1:8080/health $x");
    interp_res_clear(&r);

    setenv("OC_UNIT_TOKEN", "s3cret-unit", 1);
    interp_value(c, INTERP_LOAD, "Bearer ${env:OC_UNIT_TOKEN}", "a.ini", 9, &r);
    assert_true(r.deferred);
    assert_true(r.from_outside);
    assert_true(r.secret_env);
    assert_null(r.value);
    interp_res_clear(&r);
    interp_value(c, INTERP_RUN, "Bearer ${env:OC_UNIT_TOKEN}", "a.ini", 9, &r);
    assert_string_equal(r.value, "Bearer s3cret-unit");
    interp_res_clear(&r);
    char *shown = redact("token s3cret-unit!");
    assert_string_equal(shown, "token ***!");
    free(shown);

    interp_value(c, INTERP_RUN, "${env:OC_UNIT_NOPE:-${host}}", "a.ini", 9, &r);
    assert_string_equal(r.value, "127.0.0.1");
    interp_res_clear(&r);
    interp_value(c, INTERP_RUN, "${env:OC_UNIT_NOPE}", "a.ini", 9, &r);
    assert_string_equal(r.error, "a.ini:9: environment variable OC_UNIT_NOPE is not set");
    interp_res_clear(&r);
    interp_value(c, INTERP_RUN, "${nope}", "a.ini", 9, &r);
    assert_non_null(strstr(r.error, "a.ini:9: undefined variable ${nope}"));
    interp_res_clear(&r);
    interp_value(c, INTERP_RUN, "${loop_a}", "a.ini", 9, &r);
    assert_non_null(strstr(r.error, "refers to itself"));
    interp_res_clear(&r);
    interp_value(c, INTERP_RUN, "${host", "a.ini", 9, &r);
    assert_non_null(strstr(r.error, "unterminated '${'"));
    interp_res_clear(&r);
    assert_true(cfg_env_is_secret("FLY_API_TOKEN"));
    assert_true(cfg_env_is_secret("pgpassword"));
    assert_false(cfg_env_is_secret("HOME"));
    free(c->vars);
    free(c);
}

static void test_redact(void **state)
{
    (void)state;
    redact_add("abcdef123");
    redact_add("abc"); /* shorter one must not split the longer */
    char *s = redact("x abcdef123 y abc z");
    assert_string_equal(s, "x *** y *** z");
    free(s);
    /* a cut buffer ending in the start of a secret must lose that start */
    assert_int_equal(redact_safe_len("hello abcde", 11), 6);
    assert_int_equal(redact_safe_len("hello world", 11), 11);
    redact_clear();
}

static void test_tap_escaping(void **state)
{
    (void)state;
    strbuf b = {0};
    text_tap_desc(&b, "p50 # slow \\ path\nnext");
    assert_string_equal(b.s, "p50 \\# slow \\\\ path next");
    sb_clear(&b);
    text_yaml_str(&b, "say \"hi\"\n\ttab \x01 \xff ok \xc3\xa9");
    assert_string_equal(b.s, "\"say \\\"hi\\\"\\n\\ttab \\x01 \\uFFFD ok \xc3\xa9\"");
    sb_clear(&b);
}

static void test_wire_roundtrip(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    const char *a[] = {"fail", "p50 412ms"};
    wire_send(p[1], WIRE_ASSERT, a, 2);
    const char *e[] = {"<= 300ms", "412ms"};
    wire_send(p[1], WIRE_EXPECT, e, 2);
    const char *m[] = {"latency_p50", "412.5", "ms"};
    wire_send(p[1], WIRE_METRIC, m, 3);
    wire_send(p[1], WIRE_END, NULL, 0);
    close(p[1]);
    char buf[4096];
    ssize_t n = read(p[0], buf, sizeof buf);
    close(p[0]);
    assert_true(n > 0);
    check_result r = {0};
    wire_reader w = {0};
    /* fed one byte at a time: records may arrive split anywhere */
    for (ssize_t i = 0; i < n; i++)
        assert_int_equal(wire_feed(&w, buf + i, 1, &r), 0);
    assert_true(w.ended);
    assert_int_equal(r.nasserts, 1);
    assert_int_equal(r.asserts[0].status, RES_FAIL);
    assert_string_equal(r.asserts[0].msg, "p50 412ms");
    assert_string_equal(r.asserts[0].seen, "412ms");
    assert_int_equal(r.nmetrics, 1);
    assert_true(r.metrics[0].value == 412.5);
    result_summarise(&r);
    assert_int_equal(r.status, RES_FAIL);
    assert_string_equal(r.message, "p50 412ms");
    /* garbage is refused, not trusted */
    assert_int_equal(wire_feed(&w, "Q\xff\xff\xff\x7f", 5, &r), -1);
    wire_reader_clear(&w);
    result_clear(&r);
}

/* file_read: the whole file under its bound, MAX + 1 bytes past it, errno on failure. */
static void test_file_read(void **state)
{
    (void)state;
    char dir[] = "/tmp/oc-fileread.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/f", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("abc\0def", 1, 7, f);
    fclose(f);
    size_t len = 0;
    char *t = file_read(path, 100, &len);
    assert_non_null(t);
    assert_int_equal(len, 7);
    assert_memory_equal(t, "abc\0def", 8); /* and NUL-terminated */
    free(t);
    t = file_read(path, 7, &len);
    assert_int_equal(len, 7); /* exactly the bound: all of it */
    free(t);
    t = file_read(path, 3, &len);
    assert_int_equal(len, 4); /* past the bound: MAX + 1 bytes say so */
    assert_string_equal(t, "abc");
    free(t);
    errno = 0;
    assert_null(file_read(dir, 10, &len));
    assert_int_equal(errno, EISDIR);
    unlink(path);
    assert_null(file_read(path, 10, &len));
    assert_int_equal(errno, ENOENT);
    rmdir(dir);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),   cmocka_unit_test(test_sizes_percent_bool),
        cmocka_unit_test(test_lists),       cmocka_unit_test(test_interp),
        cmocka_unit_test(test_redact),      cmocka_unit_test(test_tap_escaping),
        cmocka_unit_test(test_wire_roundtrip), cmocka_unit_test(test_file_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
