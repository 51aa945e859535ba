/*
 * test_fly_api.c - unit tests of plugins/common/fly_api.c without a
 * server: how the token becomes the Authorization header, base URLs, and
 * reading a secret's updated_at (for the secret plugin).  Requests,
 * retries and errors are covered against the stand-in by tests/fly.t.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../plugins/common/fly_api.h"

static void test_auth_header(void **state)
{
    (void)state;
    fly_api api;
    fly_api_init(&api, NULL, NULL, "abc123", 0);
    assert_string_equal(api.auth_header, "Authorization: Bearer abc123");
    assert_string_equal(api.api_url, FLY_DEFAULT_API_URL);
    assert_string_equal(api.logs_url, FLY_DEFAULT_LOGS_URL);
    fly_api_free(&api);

    fly_api_init(&api, NULL, NULL, "FlyV1 fm2_lJPE,fm2_xyz", 0);
    assert_string_equal(api.auth_header, "Authorization: FlyV1 fm2_lJPE,fm2_xyz");
    fly_api_free(&api);

    /* Bare macaroons are FlyV1 (fly-go tokens.Parse); user tokens Bearer. */
    static const char *const cases[][2] = {
        {"fm2_lJPE,fm2_xyz", "Authorization: FlyV1 fm2_lJPE,fm2_xyz"},
        {"fm1r_abc", "Authorization: FlyV1 fm1r_abc"},
        {"fo1_user, fm1a_disch", "Authorization: FlyV1 fo1_user, fm1a_disch"},
        {"fm1x_notone,fm22_no", "Authorization: Bearer fm1x_notone,fm22_no"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fly_api_init(&api, NULL, NULL, cases[i][0], 0);
        assert_string_equal(api.auth_header, cases[i][1]);
        fly_api_free(&api);
    }

    fly_api_init(&api, NULL, NULL, "  tok-from-file\n", 0); /* ${file:...} tokens */
    assert_string_equal(api.auth_header, "Authorization: Bearer tok-from-file");
    fly_api_free(&api);

    fly_api_init(&api, NULL, NULL, " \n", 0);
    assert_null(api.auth_header);
    fly_api_free(&api);
    fly_api_init(&api, NULL, NULL, NULL, 0);
    assert_null(api.auth_header);
    fly_api_free(&api);
}

static void test_base_urls(void **state)
{
    (void)state;
    fly_api api;
    fly_api_init(&api, "https://api.machines.dev/v1/", "http://127.0.0.1:8080//", NULL, 5000);
    assert_string_equal(api.api_url, "https://api.machines.dev");
    assert_string_equal(api.logs_url, "http://127.0.0.1:8080");
    assert_true(fly_api_remaining_ms(&api) > 4000);
    assert_true(fly_api_remaining_ms(&api) <= 5000);
    fly_api_free(&api);
}

static void test_secret_updated_at(void **state)
{
    (void)state;
    cJSON *j = cJSON_Parse(
        "{\"secrets\":[{\"name\":\"APP_BACKEND_SECRET\",\"digest\":\"5d41402abc4b2a76\","
        "\"created_at\":\"2026-01-05T10:00:00Z\",\"updated_at\":\"2026-03-01T09:12:44Z\"},"
        "{\"name\":\"OLD\",\"created_at\":\"2026-01-05T10:00:00Z\"},{\"name\":\"BAD\"}]}");
    assert_non_null(j);
    time_t t = 0;
    assert_int_equal(fly_secret_updated_at(j, "APP_BACKEND_SECRET", &t), 0);
    assert_int_equal((long long)t, 1772356364LL);
    assert_int_equal(fly_secret_updated_at(j, "OLD", &t), 0); /* created_at when never updated */
    assert_int_equal((long long)t, 1767607200LL);
    assert_int_equal(fly_secret_updated_at(j, "BAD", &t), -1);
    assert_int_equal(fly_secret_updated_at(j, "MISSING", &t), -1);
    /* The bare array is accepted too. */
    assert_int_equal(fly_secret_updated_at(cJSON_GetObjectItem(j, "secrets"), "OLD", &t), 0);
    cJSON_Delete(j);
}

static void test_err_str(void **state)
{
    (void)state;
    assert_string_equal(fly_err_str(FLY_E_AUTH), "token rejected");
    assert_string_equal(fly_err_str(FLY_E_NOT_FOUND), "not found");
    assert_string_equal(fly_err_str(FLY_E_JSON), "malformed JSON");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_header), cmocka_unit_test(test_base_urls),
        cmocka_unit_test(test_secret_updated_at), cmocka_unit_test(test_err_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
