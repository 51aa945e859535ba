/*
 * test_strmap.c - the name index behind the config's lookups: every key
 * found with its value, absent keys not found, values replaced, growth past
 * many doublings keeps every entry, keys that differ in one byte apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "strmap.h"

static void test_empty(void **state)
{
    (void)state;
    strmap m = {0};
    size_t v = 7;
    assert_int_equal(strmap_get(&m, "a", &v), 0);
    assert_int_equal(v, 7);
    strmap_clear(&m);
    strmap_clear(&m); /* freeing twice is harmless: the map is left empty */
}

static void test_put_get_replace(void **state)
{
    (void)state;
    strmap m = {0};
    size_t v;
    strmap_put(&m, "fly-status", 1);
    strmap_put(&m, "fly-stats", 2);
    strmap_put(&m, "", 3);
    assert_int_equal(strmap_get(&m, "fly-status", &v), 1);
    assert_int_equal(v, 1);
    assert_int_equal(strmap_get(&m, "fly-stats", &v), 1);
    assert_int_equal(v, 2);
    assert_int_equal(strmap_get(&m, "", &v), 1);
    assert_int_equal(v, 3);
    assert_int_equal(strmap_get(&m, "fly-statu", NULL), 0);
    strmap_put(&m, "fly-stats", 20);
    assert_int_equal(m.n, 3);
    assert_int_equal(strmap_get(&m, "fly-stats", &v), 1);
    assert_int_equal(v, 20);
    strmap_clear(&m);
}

static void test_many(void **state)
{
    (void)state;
    enum { N = 50000 };
    char (*names)[16] = calloc(N, sizeof *names);
    strmap m = {0};
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "c%06zu", i);
        strmap_put(&m, names[i], i * 3);
    }
    assert_int_equal(m.n, N);
    assert_true(m.cap >= 2 * N); /* load stays at most 1/2 */
    for (size_t i = 0; i < N; i++) {
        size_t v;
        char probe[16];
        snprintf(probe, sizeof probe, "c%06zu", i); /* a different pointer, same text */
        assert_int_equal(strmap_get(&m, probe, &v), 1);
        assert_int_equal(v, i * 3);
    }
    assert_int_equal(strmap_get(&m, "c050000", NULL), 0);
    strmap_clear(&m);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_put_get_replace),
        cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
