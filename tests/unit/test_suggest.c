/*
 * test_suggest.c - the one "did you mean" rule: distance at most a third of
 * the typed word (at least 1, at most 3), never a word that shares nothing,
 * the closest candidate wins, the first on a tie.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "suggest.h"

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("timout", "timeout"), 1);
    assert_int_equal(suggest_distance("abc", "abc"), 0);
    assert_int_equal(suggest_distance("", "abc"), 3);
    assert_int_equal(suggest_distance("kitten", "sitting"), 3);
    assert_int_equal(suggest_distance("prdo", "prod"), 1);   /* a swap is one edit */
    assert_int_equal(suggest_distance("chekc", "check"), 1);
    assert_int_equal(suggest_distance("ab", "ba"), 1);
}

static void test_threshold(void **state)
{
    (void)state;
    const char *keys[] = {"plugin_path", "jobs", "timeout"};
    assert_string_equal(suggest_among("job", keys, 3), "jobs");          /* 3 letters: 1 edit */
    assert_string_equal(suggest_among("timout", keys, 3), "timeout");
    assert_null(suggest_among("jbxs", keys, 3));                         /* 4 letters, 2 edits */
    const char *two[] = {"jobs"};
    assert_null(suggest_among("jo", two, 1));                            /* 2 letters, 2 edits */
    const char *one[] = {"a"};
    assert_null(suggest_among("b", one, 1));                              /* shares nothing */
    const char *far[] = {"description"};
    assert_string_equal(suggest_among("descrption", far, 1), "description");
    assert_null(suggest_among("dscrptin", far, 1));                       /* 8 letters, 3 edits */
}

static void test_closest_first(void **state)
{
    (void)state;
    const char *names[] = {"fly-status", "fly-stats", "fly-state"};
    assert_string_equal(suggest_among("fly-stat", names, 3), "fly-stats"); /* 1 beats 2; first of the ties */
    assert_string_equal(suggest_among("fly-statuss", names, 3), "fly-status");
    assert_null(suggest_among("backup", names, 3));
    assert_null(suggest_among("fly-status", names, 1)); /* the word itself is not a suggestion */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_closest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
