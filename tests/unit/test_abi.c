/*
 * test_abi.c - plugin.h's threading rule at the two places it is enforced:
 * oc_* records from another thread or after run() returned are refused in
 * the child (and named as a plugin bug), and the parent ignores any record
 * that arrives after WIRE_END.  (tests/abi.t covers the rest of the ABI.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check_ctx.h"
#include "wire.h"

/* What FD holds (its writer closed), applied to R; returns whether END came.
 * With LAST_IS_END, the stream must also stop at END: nothing written after. */
static int drain(int fd, check_result *r, int last_is_end)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    assert_true(n > 0);
    char rest;
    assert_int_equal(read(fd, &rest, 1), 0);
    if (last_is_end)
        assert_memory_equal(buf + n - 5, "Z\0\0\0\0", 5);
    wire_reader w = {0};
    assert_int_equal(wire_feed(&w, buf, (size_t)n, r), 0);
    int ended = w.ended;
    wire_reader_clear(&w);
    return ended;
}

static void *from_thread(void *c)
{
    oc_pass(c, "from another thread");
    oc_diag(c, "k", "v");
    return NULL;
}

static void test_records_only_from_runs_thread(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    oc_check c = {.name = "t", .fd = p[1], .thread = pthread_self()};
    oc_pass(&c, "from run's thread");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, from_thread, &c), 0);
    pthread_join(t, NULL);
    oc_run_returned(&c);
    oc_pass(&c, "after run returned");  /* refused: nothing more is written */
    oc_metric(&c, "late", 1, "");
    close(p[1]);
    check_result r = {0};
    assert_true(drain(p[0], &r, 1));
    close(p[0]);
    assert_int_equal(r.nasserts, 2);
    assert_string_equal(r.asserts[0].msg, "from run's thread");
    assert_int_equal(r.asserts[1].status, RES_FAIL);
    assert_string_equal(r.asserts[1].msg, "plugin bug: oc_pass called from a thread other than run()'s (ignored)");
    assert_int_equal(r.ndiags, 0);
    assert_int_equal(r.nmetrics, 0);
    result_clear(&r);
}

static void test_parent_ignores_records_after_end(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    const char *a[] = {"pass", "in time"}, *late[] = {"fail", "too late"}, *d[] = {"k", "v"};
    wire_send(p[1], WIRE_ASSERT, a, 2);
    wire_send(p[1], WIRE_END, NULL, 0);
    wire_send(p[1], WIRE_ASSERT, late, 2);
    wire_send(p[1], WIRE_DIAG, d, 2);
    close(p[1]);
    check_result r = {0};
    assert_true(drain(p[0], &r, 0));
    close(p[0]);
    assert_int_equal(r.nasserts, 1);
    assert_string_equal(r.asserts[0].msg, "in time");
    assert_int_equal(r.ndiags, 0);
    result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_only_from_runs_thread),
        cmocka_unit_test(test_parent_ignores_records_after_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
