/*
 * test_http_client.c - unit tests of plugins/common/http.c (issue 3) that
 * need no server: header lookup, and failures that never leave the
 * machine (names under .invalid, a refused port, a bad URL).  Answers from
 * a real server are covered by tests/http-health.t over the stand-in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../plugins/common/http.h"

static void test_header_lookup(void **state)
{
    http_response r = {0};
    char block[] = "HTTP/1.1 200 OK\r\nContent-Type:  application/json \r\n"
                   "X-Empty:\r\nlocation: /there\r\n\r\n";
    (void)state;
    r.headers = block;
    char *v = http_header(&r, "content-type");
    assert_string_equal(v, "application/json");
    free(v);
    v = http_header(&r, "Location");
    assert_string_equal(v, "/there");
    free(v);
    v = http_header(&r, "X-Empty");
    assert_string_equal(v, "");
    free(v);
    assert_null(http_header(&r, "Content"));
    assert_null(http_header(&r, "X-Missing"));
}

static void test_invalid_name_fails_locally(void **state)
{
    http_request req = {.url = "http://backend.invalid/health", .timeout_ms = 2000, .tls_verify = 1};
    http_response r;
    (void)state;
    assert_int_equal(http_do(&req, &r), -1);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.error, "cannot resolve host"));
    assert_non_null(r.body);
    assert_int_equal(r.body_len, 0);
    http_response_free(&r);
}

static void test_refused(void **state)
{
    http_request req = {.url = "http://127.0.0.1:1/", .timeout_ms = 2000, .tls_verify = 1};
    http_response r;
    (void)state;
    assert_int_equal(http_do(&req, &r), -1);
    assert_non_null(strstr(r.error, "connection refused"));
    assert_int_equal(r.retry_after_s, -1);
    http_response_free(&r);
}

static void test_bad_url(void **state)
{
    http_request req = {.url = "gopher://127.0.0.1:1/", .timeout_ms = 2000};
    http_request none = {0};
    http_response r;
    (void)state;
    assert_int_equal(http_do(&req, &r), -1);
    assert_true(r.error[0] != '\0');
    http_response_free(&r);
    assert_int_equal(http_do(&none, &r), -1);
    assert_string_equal(r.error, "no URL");
    http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_lookup),
        cmocka_unit_test(test_invalid_name_fails_locally),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_bad_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
