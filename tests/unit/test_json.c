/*
 * test_json.c - unit tests of plugins/common/json.c: JSON Pointer escapes
 * and the lenient getters (numbers as strings, times as RFC 3339 or epoch
 * integers, booleans as strings).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../plugins/common/json.h"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

static void test_pointer_basic(void **state)
{
    (void)state;
    cJSON *j = parse("{\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"\":1}");
    assert_ptr_equal(json_pointer(j, ""), j);
    assert_string_equal(json_pointer(j, "/a/b/1/c")->valuestring, "x");
    assert_int_equal(json_pointer(j, "/a/b/0")->valueint, 10);
    assert_int_equal(json_pointer(j, "/")->valueint, 1); /* the "" member */
    assert_null(json_pointer(j, "/a/b/2"));
    assert_null(json_pointer(j, "/a/b/-"));
    assert_null(json_pointer(j, "/a/b/01"));   /* leading zero is no index */
    assert_null(json_pointer(j, "/a/b/x"));
    assert_null(json_pointer(j, "/a/b/0/deeper")); /* through a scalar */
    assert_null(json_pointer(j, "a"));        /* must start with "/" */
    assert_null(json_pointer(NULL, "/a"));
    assert_null(json_pointer(j, NULL));
    cJSON_Delete(j);
}

static void test_pointer_escapes(void **state)
{
    (void)state;
    cJSON *j = parse("{\"a/b\":1,\"m~n\":2,\"~1\":3,\"x\":{\"/\":{\"~\":4}},\"A\":5}");
    assert_int_equal(json_pointer(j, "/a~1b")->valueint, 1);
    assert_int_equal(json_pointer(j, "/m~0n")->valueint, 2);
    assert_int_equal(json_pointer(j, "/~01")->valueint, 3); /* ~01 is "~1", not "/" */
    assert_int_equal(json_pointer(j, "/x/~1/~0")->valueint, 4);
    assert_null(json_pointer(j, "/a/b"));
    assert_null(json_pointer(j, "/m~2n")); /* bad escape */
    assert_null(json_pointer(j, "/m~"));
    assert_null(json_pointer(j, "/a"));    /* case-sensitive: "A" only */
    assert_int_equal(json_pointer(j, "/A")->valueint, 5);
    cJSON_Delete(j);
}

static void test_get_str(void **state)
{
    (void)state;
    cJSON *j = parse("{\"s\":\"v\",\"n\":1,\"S\":\"w\"}");
    assert_string_equal(json_str(j, "s"), "v");
    assert_string_equal(json_str(j, "S"), "w");
    assert_null(json_str(j, "n"));
    assert_null(json_str(j, "missing"));
    assert_null(json_get(NULL, "s"));
    cJSON *arr = parse("[1]");
    assert_null(json_get(arr, "0"));
    cJSON_Delete(arr);
    cJSON_Delete(j);
}

static void test_num_lenient(void **state)
{
    (void)state;
    cJSON *j = parse("{\"i\":40,\"f\":1.5,\"s\":\"20\",\"sp\":\" -3.25 \",\"e\":\"1e3\","
                     "\"bad\":\"20x\",\"empty\":\"\",\"hex\":\"0x10\",\"inf\":\"inf\","
                     "\"nan\":\"nan\",\"b\":true,\"nul\":null}");
    double v = 0;
    assert_int_equal(json_num(j, "i", &v), 0);
    assert_true(v == 40.0);
    assert_int_equal(json_num(j, "f", &v), 0);
    assert_true(v == 1.5);
    assert_int_equal(json_num(j, "s", &v), 0);
    assert_true(v == 20.0);
    assert_int_equal(json_num(j, "sp", &v), 0);
    assert_true(v == -3.25);
    assert_int_equal(json_num(j, "e", &v), 0);
    assert_true(v == 1000.0);
    v = 7;
    assert_int_equal(json_num(j, "bad", &v), -1);
    assert_true(v == 7.0); /* untouched on failure */
    assert_int_equal(json_num(j, "empty", &v), -1);
    assert_int_equal(json_num(j, "hex", &v), -1);
    assert_int_equal(json_num(j, "inf", &v), -1);
    assert_int_equal(json_num(j, "nan", &v), -1);
    assert_int_equal(json_num(j, "b", &v), -1);
    assert_int_equal(json_num(j, "nul", &v), -1);
    assert_int_equal(json_num(j, "missing", &v), -1);
    assert_int_equal(json_num(NULL, "i", &v), -1);
    cJSON_Delete(j);
}

static void test_bool_lenient(void **state)
{
    (void)state;
    cJSON *j = parse("{\"t\":true,\"f\":false,\"st\":\"true\",\"sf\":\"False\",\"x\":\"yes\","
                     "\"n\":1,\"nul\":null}");
    assert_int_equal(json_bool(j, "t"), 1);
    assert_int_equal(json_bool(j, "f"), 0);
    assert_int_equal(json_bool(j, "st"), 1);
    assert_int_equal(json_bool(j, "sf"), 0);
    assert_int_equal(json_bool(j, "x"), -1);
    assert_int_equal(json_bool(j, "n"), -1);
    assert_int_equal(json_bool(j, "nul"), -1);
    assert_int_equal(json_bool(j, "missing"), -1);
    cJSON_Delete(j);
}

static void test_time_rfc3339(void **state)
{
    (void)state;
    cJSON *j = parse("{\"z\":\"2026-11-28T09:15:02Z\",\"frac\":\"2026-03-02T14:07:28.914311082Z\","
                     "\"off\":\"2026-11-28T11:15:02+02:00\",\"neg\":\"2026-11-28T06:15:02-03:00\","
                     "\"low\":\"2026-11-28t09:15:02z\",\"epoch\":\"1970-01-01T00:00:00Z\","
                     "\"leap\":\"2024-02-29T00:00:00Z\",\"nozone\":\"2026-11-28T09:15:02\",\"nozoneus\":\"2026-11-28T09:15:02.123456\","
                     "\"badmon\":\"2026-13-01T00:00:00Z\",\"junk\":\"yesterday\","
                     "\"trail\":\"2026-11-28T09:15:02Zx\",\"dot\":\"2026-11-28T09:15:02.Z\"}");
    time_t t = 0;
    assert_int_equal(json_time(j, "z", &t), 0);
    assert_int_equal((long long)t, 1795857302LL);
    assert_int_equal(json_time(j, "off", &t), 0);
    assert_int_equal((long long)t, 1795857302LL);
    assert_int_equal(json_time(j, "neg", &t), 0);
    assert_int_equal((long long)t, 1795857302LL);
    assert_int_equal(json_time(j, "low", &t), 0);
    assert_int_equal((long long)t, 1795857302LL);
    assert_int_equal(json_time(j, "frac", &t), 0);
    assert_int_equal((long long)t, 1772460448LL);
    assert_int_equal(json_time(j, "epoch", &t), 0);
    assert_int_equal((long long)t, 0);
    assert_int_equal(json_time(j, "leap", &t), 0);
    assert_int_equal((long long)t, 1709164800LL);
    /* No zone is UTC, as Go's time.Parse (and so flyctl) reads it. */
    assert_int_equal(json_time(j, "nozone", &t), 0);
    assert_int_equal((long long)t, 1795857302LL);
    assert_int_equal(json_time(j, "nozoneus", &t), 0);
    assert_int_equal((long long)t, 1795857302LL);
    assert_int_equal(json_time(j, "badmon", &t), -1);
    assert_int_equal(json_time(j, "junk", &t), -1);
    assert_int_equal(json_time(j, "trail", &t), -1);
    assert_int_equal(json_time(j, "dot", &t), -1);
    cJSON_Delete(j);
}

static void test_time_epoch(void **state)
{
    (void)state;
    /* exited_at as integer ms (old Fly docs), event timestamps in ms,
     * seconds, and the same as numeric strings. */
    cJSON *j = parse("{\"ms\":1653047897299,\"s\":1653047897,\"sms\":\"1772460451220\","
                     "\"ss\":\"1772460451\",\"frac\":1.5,\"b\":true}");
    time_t t = 0;
    assert_int_equal(json_time(j, "ms", &t), 0);
    assert_int_equal((long long)t, 1653047897LL);
    assert_int_equal(json_time(j, "s", &t), 0);
    assert_int_equal((long long)t, 1653047897LL);
    assert_int_equal(json_time(j, "sms", &t), 0);
    assert_int_equal((long long)t, 1772460451LL);
    assert_int_equal(json_time(j, "ss", &t), 0);
    assert_int_equal((long long)t, 1772460451LL);
    assert_int_equal(json_time(j, "frac", &t), -1);
    assert_int_equal(json_time(j, "b", &t), -1);
    assert_int_equal(json_time(j, "missing", &t), -1);
    cJSON_Delete(j);
}

static void test_text(void **state)
{
    (void)state;
    cJSON *j = parse("{\"s\":\"abc\",\"i\":137,\"neg\":-1,\"f\":0.25,\"big\":1772460451220,"
                     "\"t\":true,\"f0\":false,\"n\":null,\"o\":{\"a\":[1, \"x\"]},\"e\":\"\"}");
    const char *keys[] = {"s", "i", "neg", "f", "big", "t", "f0", "n", "o", "e"};
    const char *want[] = {"abc", "137", "-1", "0.25", "1772460451220", "true", "false", "null",
                          "{\"a\":[1,\"x\"]}", ""};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char *s = json_text(json_get(j, keys[k]));
        assert_non_null(s);
        assert_string_equal(s, want[k]);
        free(s);
    }
    assert_null(json_text(NULL));
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pointer_basic), cmocka_unit_test(test_pointer_escapes),
        cmocka_unit_test(test_get_str),       cmocka_unit_test(test_num_lenient),
        cmocka_unit_test(test_bool_lenient),  cmocka_unit_test(test_time_rfc3339),
        cmocka_unit_test(test_time_epoch),    cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
