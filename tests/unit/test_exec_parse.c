/*
 * test_exec_parse.c - the exec plugin's pure parsers: command splitting,
 * Nagios perfdata, and reading a program's TAP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../plugins/exec/exec_int.h"

/* ---- argv ---- */

static exec_argv split_ok(const char *cmd)
{
    exec_argv a;
    const char *err = NULL;
    assert_int_equal(exec_split_argv(cmd, &a, &err), 0);
    assert_null(err);
    assert_null(a.argv[a.argc]);
    return a;
}

static void test_argv_blanks(void **state)
{
    (void)state;
    exec_argv a = split_ok("  /bin/echo\tone   two\n");
    assert_int_equal(a.argc, 3);
    assert_string_equal(a.argv[0], "/bin/echo");
    assert_string_equal(a.argv[1], "one");
    assert_string_equal(a.argv[2], "two");
    exec_argv_free(&a);
    assert_null(a.argv);
}

static void test_argv_quotes(void **state)
{
    (void)state;
    exec_argv a = split_ok("sh -c 'echo \"hi there\"; exit 2' \"a b\"c 'it'\\''s'");
    assert_int_equal(a.argc, 5);
    assert_string_equal(a.argv[2], "echo \"hi there\"; exit 2");
    assert_string_equal(a.argv[3], "a bc");
    assert_string_equal(a.argv[4], "it's");
    exec_argv_free(&a);
}

static void test_argv_escapes(void **state)
{
    (void)state;
    /* outside quotes \ keeps anything; inside "" only \" \\ \$ \` */
    exec_argv a = split_ok("a\\ b \"q\\\"x\\\\y\\n\" \\$HOME 'no\\escape'");
    assert_int_equal(a.argc, 4);
    assert_string_equal(a.argv[0], "a b");
    assert_string_equal(a.argv[1], "q\"x\\y\\n");
    assert_string_equal(a.argv[2], "$HOME");
    assert_string_equal(a.argv[3], "no\\escape");
    exec_argv_free(&a);
}

static void test_argv_empty_words(void **state)
{
    (void)state;
    exec_argv a = split_ok("prog \"\" '' x");
    assert_int_equal(a.argc, 4);
    assert_string_equal(a.argv[1], "");
    assert_string_equal(a.argv[2], "");
    assert_string_equal(a.argv[3], "x");
    exec_argv_free(&a);
}

static void test_argv_errors(void **state)
{
    (void)state;
    static const char *const bad[] = { "echo 'open", "echo \"open", "echo \"a\\\"", "echo x\\", "", "  \t " };
    static const char *const why[] = { "unterminated single quote", "unterminated double quote",
                                       "unterminated double quote", "trailing backslash",
                                       "no words", "no words" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        exec_argv a;
        const char *err = NULL;
        assert_int_equal(exec_split_argv(bad[i], &a, &err), -1);
        assert_non_null(err);
        assert_string_equal(err, why[i]);
        assert_int_equal(a.argc, 0);
        assert_null(a.argv);
    }
}

/* ---- perfdata ---- */

static void test_perf_basic(void **state)
{
    (void)state;
    const char *out = "OK - all good | time=0.012s;1;2;0; size=10KB\n";
    exec_nagios n;
    exec_parse_nagios(out, strlen(out), &n);
    assert_string_equal(n.message, "OK - all good");
    assert_int_equal(n.nperf, 2);
    assert_int_equal(n.nbad, 0);
    assert_string_equal(n.perf[0].name, "time");
    assert_true(n.perf[0].value > 0.0119 && n.perf[0].value < 0.0121);
    assert_string_equal(n.perf[0].uom, "s");
    assert_string_equal(n.perf[0].warn, "1");
    assert_string_equal(n.perf[0].crit, "2");
    assert_string_equal(n.perf[0].min, "0");
    assert_null(n.perf[0].max);           /* present but empty */
    assert_string_equal(n.perf[1].name, "size");
    assert_true(n.perf[1].value == 10.0);
    assert_string_equal(n.perf[1].uom, "KB");
    assert_null(n.perf[1].warn);          /* absent */
    exec_nagios_free(&n);
    assert_null(n.perf);
}

static void test_perf_quoted_labels(void **state)
{
    (void)state;
    exec_nagios n = { 0 };
    exec_parse_perfdata("'Disk Used (/var)'=93.5%;90;95 'it''s'=3c 'x'=-1.5e2ms", &n);
    assert_int_equal(n.nbad, 0);
    assert_int_equal(n.nperf, 3);
    assert_string_equal(n.perf[0].label, "Disk Used (/var)");
    assert_string_equal(n.perf[0].name, "disk_used_var");
    assert_string_equal(n.perf[0].uom, "%");
    assert_true(n.perf[0].value == 93.5);
    assert_string_equal(n.perf[1].label, "it's");
    assert_string_equal(n.perf[1].name, "it_s");
    assert_string_equal(n.perf[1].uom, "c");
    assert_true(n.perf[2].value == -150.0);
    assert_string_equal(n.perf[2].uom, "ms");
    exec_nagios_free(&n);
}

static void test_perf_units(void **state)
{
    (void)state;
    static const char *const ok[] = { "", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c" };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char item[32];
        exec_nagios n = { 0 };
        snprintf(item, sizeof item, "v=7%s", ok[i]);
        exec_parse_perfdata(item, &n);
        assert_int_equal(n.nperf, 1);
        assert_string_equal(n.perf[0].uom, ok[i]);
        exec_nagios_free(&n);
    }
    /* any unit is kept as written (the core folds or names it), none dropped */
    exec_nagios n = { 0 };
    exec_parse_perfdata("a=1kb b=1h c=1jobs d=1MiB e=1m f=1s2 g=1.5.3", &n);
    static const char *const kept[] = { "kb", "h", "jobs", "MiB", "m" };
    assert_int_equal(n.nperf, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(n.perf[i].uom, kept[i]);
    assert_int_equal(n.nbad, 2);
    assert_string_equal(n.bad[0].item, "f=1s2");
    assert_string_equal(n.bad[0].why, "value is not a number"); /* digits after the unit */
    assert_string_equal(n.bad[1].why, "value is not a number");
    exec_nagios_free(&n);
    n = (exec_nagios){ 0 };
    exec_parse_perfdata("f=1abcdefghijklmnopq", &n);
    assert_int_equal(n.nbad, 1);
    assert_string_equal(n.bad[0].why, "unit of measure too long");
    exec_nagios_free(&n);
    double v;
    assert_int_equal(exec_perf_number("1.5e3", &v), 1);
    assert_true(v == 1500.0);
    assert_int_equal(exec_perf_number("10:20", &v), 0);
    assert_int_equal(exec_perf_number("@5", &v), 0);
    assert_int_equal(exec_perf_number("~:5", &v), 0);
    assert_int_equal(exec_perf_number("0x10", &v), 0);
    assert_int_equal(exec_perf_number(NULL, &v), 0);
}

static void test_perf_garbage(void **state)
{
    (void)state;
    exec_nagios n = { 0 };
    exec_parse_perfdata("good=1 noequals =5 'unterminated=3 ", &n);
    assert_int_equal(n.nperf, 1);
    assert_string_equal(n.perf[0].name, "good");
    assert_int_equal(n.nbad, 3);
    assert_string_equal(n.bad[0].item, "noequals");
    assert_string_equal(n.bad[0].why, "no '=' after the label");
    assert_string_equal(n.bad[1].why, "empty label");
    assert_string_equal(n.bad[2].why, "unterminated quote in label");
    exec_nagios_free(&n);

    exec_parse_perfdata("a= b=U c=x1 d=nan e=0x10 f=1;2;3;4;5;6 g=;1 h=1 ", &n);
    assert_int_equal(n.nperf, 1);
    assert_string_equal(n.perf[0].name, "h");
    assert_int_equal(n.nbad, 7);
    assert_string_equal(n.bad[0].why, "no value");
    assert_string_equal(n.bad[1].why, "value is U (unknown)");
    assert_string_equal(n.bad[2].why, "value is not a number");
    assert_string_equal(n.bad[3].why, "value is not a number");
    assert_string_equal(n.bad[4].why, "value is not a number");
    assert_string_equal(n.bad[5].why, "more than 5 fields");
    assert_string_equal(n.bad[6].why, "no value");
    exec_nagios_free(&n);
}

static void test_perf_long_output(void **state)
{
    (void)state;
    const char *out = "DISK OK - free space|/=2643MB;5948;5958;0;5968\r\n"
                      "/ 15272 MB (77%);\n"
                      "/boot 68 MB (69%);\n"
                      "/home 69357 MB (27%); | /boot=68MB;88;93;0;98\n"
                      "/home=69357MB;253404;253409;0;253414\n";
    exec_nagios n;
    exec_parse_nagios(out, strlen(out), &n);
    assert_string_equal(n.message, "DISK OK - free space");
    assert_int_equal(n.nbad, 0);
    assert_int_equal(n.nperf, 3);
    assert_string_equal(n.perf[0].label, "/");
    assert_string_equal(n.perf[0].name, "_");
    assert_true(n.perf[0].value == 2643.0);
    assert_string_equal(n.perf[0].uom, "MB");
    assert_string_equal(n.perf[1].name, "boot");
    assert_string_equal(n.perf[2].name, "home");   /* on the line after the '|' */
    assert_string_equal(n.perf[2].max, "253414");
    exec_nagios_free(&n);
}

static void test_perf_no_perfdata(void **state)
{
    (void)state;
    exec_nagios n;
    exec_parse_nagios("", 0, &n);
    assert_string_equal(n.message, "");
    assert_int_equal(n.nperf, 0);
    exec_nagios_free(&n);
    exec_parse_nagios("  CRITICAL: down  \nmore text\n", 29, &n);
    assert_string_equal(n.message, "CRITICAL: down");
    assert_int_equal(n.nperf, 0);
    assert_int_equal(n.nbad, 0);
    exec_nagios_free(&n);
}

/* ---- TAP ---- */

static exec_tap read_tap(const char *s)
{
    exec_tap t;
    exec_read_tap(s, strlen(s), &t);
    return t;
}

static void test_tap_detect(void **state)
{
    (void)state;
    static const char *const yes[] = { "TAP version 14\nok 1\n", "\n\n1..3\nok\n", "1..0 # SKIP no db\n",
                                       "TAP version 13\r\n" };
    static const char *const no[] = { "OK - fine\n1..3\n", "ok 1 - x\n", "", "TAP version x\n",
                                      "1..3x\n", "  1..3\n" };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(exec_is_tap(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(exec_is_tap(no[i], strlen(no[i])));
}

static void test_tap_plan_first(void **state)
{
    (void)state;
    exec_tap t = read_tap("TAP version 14\n1..3\nok 1 - first one\nnot ok 2 - second \\# two\n"
                          "ok - third\n");
    assert_int_equal(t.version, 14);
    assert_true(t.has_plan);
    assert_int_equal(t.planned, 3);
    assert_int_equal(t.count, 3);
    assert_true(t.tests[0].ok);
    assert_int_equal(t.tests[0].number, 1);
    assert_string_equal(t.tests[0].desc, "first one");
    assert_false(t.tests[1].ok);
    assert_string_equal(t.tests[1].desc, "second # two");
    assert_int_equal(t.tests[2].number, -1);
    assert_string_equal(t.tests[2].desc, "third");
    assert_int_equal(t.tests[2].dir, EXEC_TAP_NONE);
    assert_false(t.bailed);
    exec_tap_free(&t);
    assert_null(t.tests);
}

static void test_tap_plan_last(void **state)
{
    (void)state;
    exec_tap t = read_tap("ok 1\nok 2\n1..2\n1..5\n");
    assert_int_equal(t.version, 0);
    assert_true(t.has_plan);
    assert_int_equal(t.planned, 2);    /* a second plan is ignored */
    assert_int_equal(t.count, 2);
    assert_string_equal(t.tests[0].desc, "");
    exec_tap_free(&t);
}

static void test_tap_directives(void **state)
{
    (void)state;
    exec_tap t = read_tap("1..4\nok 1 - a # SKIP no network\nok 2 # skipped: later\n"
                          "not ok 3 - b # TODO fix bug 12\nnot ok 4 - c # just a comment\n");
    assert_int_equal(t.count, 4);
    assert_int_equal(t.tests[0].dir, EXEC_TAP_SKIP);
    assert_string_equal(t.tests[0].desc, "a");
    assert_string_equal(t.tests[0].reason, "no network");
    assert_int_equal(t.tests[1].dir, EXEC_TAP_SKIP);
    assert_string_equal(t.tests[1].reason, "later");
    assert_int_equal(t.tests[2].dir, EXEC_TAP_TODO);
    assert_false(t.tests[2].ok);
    assert_string_equal(t.tests[2].reason, "fix bug 12");
    assert_int_equal(t.tests[3].dir, EXEC_TAP_NONE);
    assert_string_equal(t.tests[3].desc, "c");
    assert_null(t.tests[3].reason);
    exec_tap_free(&t);

    t = read_tap("1..0 # SKIP no database here\n");
    assert_int_equal(t.planned, 0);
    assert_string_equal(t.plan_reason, "no database here");
    exec_tap_free(&t);
}

static void test_tap_bail_out(void **state)
{
    (void)state;
    exec_tap t = read_tap("1..3\nok 1\nBail out!  db is gone \nok 2\n");
    assert_true(t.bailed);
    assert_string_equal(t.bail_reason, "db is gone");
    assert_int_equal(t.count, 1);      /* nothing after Bail out! counts */
    exec_tap_free(&t);
    t = read_tap("1..1\nBail out!\n");
    assert_true(t.bailed);
    assert_string_equal(t.bail_reason, "");
    exec_tap_free(&t);
}

static void test_tap_count_mismatch(void **state)
{
    (void)state;
    exec_tap t = read_tap("TAP version 13\n1..5\nok 1\nok 2\n");
    assert_int_equal(t.planned, 5);
    assert_int_equal(t.count, 2);
    exec_tap_free(&t);
    t = read_tap("TAP version 14\nok 1\n");
    assert_false(t.has_plan);
    assert_int_equal(t.count, 1);
    exec_tap_free(&t);
}

static void test_tap_nested_and_yaml(void **state)
{
    (void)state;
    exec_tap t = read_tap("TAP version 14\n1..2\n"
                          "# Subtest: inner\n"
                          "    1..2\n    ok 1 - in a\n    not ok 2 - in b\n"
                          "not ok 1 - inner\n"
                          "  ---\n  message: \"boom\"\n  got:\n    - 1\n  ...\n"
                          "# a comment\npragma +strict\nrandom garbage\nokay then\n"
                          "ok 2 - outer\n"
                          "  ---\n  never closed\n");
    assert_int_equal(t.count, 2);
    assert_false(t.tests[0].ok);
    assert_string_equal(t.tests[0].desc, "inner");
    assert_non_null(t.tests[0].yaml);
    assert_string_equal(t.tests[0].yaml, "message: \"boom\"\ngot:\n  - 1");
    assert_string_equal(t.tests[1].desc, "outer");
    assert_string_equal(t.tests[1].yaml, "never closed");
    exec_tap_free(&t);
}

/* Subtests are read for whether they failed; YAML inside them is skipped
 * even when a line of it looks like a test point. */
static void test_tap_subtests(void **state)
{
    (void)state;
    exec_tap t = read_tap("1..4\n"
                          "    1..1\n    ok 1 - fine\nok 1 - kept\n"
                          "    1..2\n    ok 1\n    not ok 2\nok 2 - lied\n"
                          "    1..1\n    not ok 1 - known # TODO\nok 3 - todo inside\n"
                          "    1..1\n    ok 1\n      ---\n      not ok 9: yaml\n      ...\nok 4 - yaml inside\n");
    assert_int_equal(t.count, 4);
    assert_false(t.tests[0].sub_failed);
    assert_true(t.tests[1].sub_failed);
    assert_false(t.tests[2].sub_failed);
    assert_false(t.tests[3].sub_failed);
    assert_false(t.bailed);
    exec_tap_free(&t);
    t = read_tap("1..1\n    1..2\n    ok 1\nok 1 - short\n");
    assert_true(t.tests[0].sub_failed);
    exec_tap_free(&t);
    t = read_tap("1..1\n        1..1\n        not ok 1\n    1..1\n    ok 1\nok 1 - deep\n");
    assert_true(t.tests[0].sub_failed);
    exec_tap_free(&t);
    t = read_tap("1..1\nok 1\n    1..2\n    ok 1\n    not ok 2\n");
    assert_true(t.trailing_sub_failed);
    assert_false(t.tests[0].sub_failed);
    exec_tap_free(&t);
    t = read_tap("1..1\nok 1\n    1..1\n    ok 1\n");
    assert_false(t.trailing_sub_failed);
    exec_tap_free(&t);
    t = read_tap("1..1\n    1..1\n    Bail out! gone\nok 1\n");
    assert_true(t.bailed);
    assert_string_equal(t.bail_reason, "gone");
    assert_int_equal(t.count, 0);
    exec_tap_free(&t);
}

static void test_tap_plans(void **state)
{
    (void)state;
    exec_tap t = read_tap("1..2\nok 1\nok 2\n1..2\n");
    assert_int_equal(t.plans, 2);
    assert_int_equal(t.plan_at, 0);
    exec_tap_free(&t);
    t = read_tap("ok 1\n1..2\nok 2\n");
    assert_int_equal(t.plans, 1);
    assert_int_equal(t.plan_at, 1);
    assert_int_equal(t.count, 2);
    exec_tap_free(&t);
    t = read_tap("ok 1\nok 2\n1..2\n");
    assert_int_equal(t.plan_at, 2);
    exec_tap_free(&t);
}

/* Fed in pieces, however long: passing points past the first 2,000 and
 * any point past 20,000 are counted, not stored. */
static void test_tap_stream_bounds(void **state)
{
    (void)state;
    exec_tap t;
    exec_tap_reader *rd = exec_tap_reader_new(&t);
    char line[64];
    exec_tap_feed(rd, "1..25002\n", 9);
    for (int i = 1; i <= 25000; i++) {
        int n = snprintf(line, sizeof line, "%s %d - p%d\n", i <= 2000 ? "ok" : "not ok", i, i);
        for (int k = 0; k < n; k += 3) /* in pieces that cut lines anywhere */
            exec_tap_feed(rd, line + k, (size_t)(n - k < 3 ? n - k : 3));
    }
    exec_tap_feed(rd, "ok 25001 - todo # TODO x\nnot ok 25002 - last", 44);
    exec_tap_finish(rd);
    assert_int_equal(t.count, 20000);                   /* 2,000 passes, then 18,000 failures */
    assert_int_equal(t.unstored_bad, 5000 + 1);         /* the other failures, and the last */
    assert_int_equal(t.unstored_ok, 1);                 /* the TODO past the store counts as a pass */
    assert_false(t.tests[19999].ok);
    assert_int_equal(t.bad_at, 0);
    assert_string_equal(t.tests[0].desc, "p1");
    exec_tap_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argv_blanks),
        cmocka_unit_test(test_argv_quotes),
        cmocka_unit_test(test_argv_escapes),
        cmocka_unit_test(test_argv_empty_words),
        cmocka_unit_test(test_argv_errors),
        cmocka_unit_test(test_perf_basic),
        cmocka_unit_test(test_perf_quoted_labels),
        cmocka_unit_test(test_perf_units),
        cmocka_unit_test(test_perf_garbage),
        cmocka_unit_test(test_perf_long_output),
        cmocka_unit_test(test_perf_no_perfdata),
        cmocka_unit_test(test_tap_detect),
        cmocka_unit_test(test_tap_plan_first),
        cmocka_unit_test(test_tap_plan_last),
        cmocka_unit_test(test_tap_directives),
        cmocka_unit_test(test_tap_bail_out),
        cmocka_unit_test(test_tap_count_mismatch),
        cmocka_unit_test(test_tap_nested_and_yaml),
        cmocka_unit_test(test_tap_subtests),
        cmocka_unit_test(test_tap_plans),
        cmocka_unit_test(test_tap_stream_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
