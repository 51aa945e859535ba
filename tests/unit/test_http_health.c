/*
 * test_http_health.c - unit tests of http-health's pure parts (issue 3):
 * expect_status lists, expect_json rules over cJSON, percentiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../plugins/http-health/hh.h"

static void test_status_items(void **state)
{
    hh_status_set s = {0};
    char err[200], txt[200];
    (void)state;
    assert_int_equal(hh_status_parse(&s, "200", err, sizeof err), 0);
    assert_true(hh_status_match(&s, 200));
    assert_false(hh_status_match(&s, 201));
    assert_int_equal(hh_status_parse(&s, "2xx", err, sizeof err), 0);
    assert_true(hh_status_match(&s, 204));
    assert_false(hh_status_match(&s, 302));
    assert_string_equal(hh_status_text(&s, txt, sizeof txt), "2xx");
    assert_int_equal(hh_status_parse(&s, "200-299, 301 4XX", err, sizeof err), 0);
    assert_int_equal(s.n, 3);
    assert_true(hh_status_match(&s, 250));
    assert_true(hh_status_match(&s, 301));
    assert_true(hh_status_match(&s, 404));
    assert_false(hh_status_match(&s, 302));
    assert_false(hh_status_match(&s, 503));
    assert_string_equal(hh_status_text(&s, txt, sizeof txt), "2xx, 301, 4xx");
    assert_int_equal(hh_status_parse(&s, "200-204", err, sizeof err), 0);
    assert_string_equal(hh_status_text(&s, txt, sizeof txt), "200-204");
}

static void test_status_errors(void **state)
{
    hh_status_set s = {0};
    char err[200];
    (void)state;
    const char *bad[] = {"", "20", "2000", "abc", "6xx", "299-200", "200-", "-200", "099", "x2x", NULL};
    for (size_t i = 0; bad[i]; i++) {
        err[0] = '\0';
        assert_int_equal(hh_status_parse(&s, bad[i], err, sizeof err), -1);
        assert_non_null(strstr(err, "expect_status"));
    }
}

static int eval(const char *rule_text, const char *json, char **seen)
{
    hh_rule r;
    char err[200];
    cJSON *doc = json ? cJSON_Parse(json) : NULL;
    assert_int_equal(hh_rule_parse(&r, rule_text, err, sizeof err), 0);
    int ok = hh_rule_eval(&r, doc, seen);
    hh_rule_free(&r);
    cJSON_Delete(doc);
    return ok;
}

static int holds(const char *rule_text, const char *json)
{
    char *seen = NULL;
    int ok = eval(rule_text, json, &seen);
    assert_non_null(seen);
    free(seen);
    return ok;
}

static void test_rule_eval(void **state)
{
    const char *doc = "{\"status\":\"ok\",\"db\":\"up\",\"queue\":42,\"lag\":\"7.5\","
                      "\"version\":\"1.4.2\",\"checks\":[{\"name\":\"a/b\",\"ok\":true}],\"n\":null}";
    (void)state;
    assert_true(holds("/status == \"ok\"", doc));
    assert_false(holds("/status == \"down\"", doc));
    assert_true(holds("/status == ok", doc)); /* bare word */
    assert_true(holds("/db != \"down\"", doc));
    assert_false(holds("/db != \"up\"", doc));
    assert_true(holds("/queue < 100", doc));
    assert_false(holds("/queue < 42", doc));
    assert_true(holds("/queue <= 42", doc));
    assert_true(holds("/queue >= 42", doc));
    assert_false(holds("/queue > 42", doc));
    assert_true(holds("/queue == 42", doc));
    assert_true(holds("/queue == \"42\"", doc));
    assert_true(holds("/lag < 10", doc)); /* numeric string */
    assert_true(holds("/version exists", doc));
    assert_false(holds("/nope exists", doc));
    assert_true(holds("/nope missing", doc));
    assert_false(holds("/status missing", doc));
    assert_true(holds("/checks/0/ok == true", doc));
    assert_true(holds("/checks/0/name == \"a/b\"", doc));
    assert_true(holds("/n == null", doc));
    assert_true(holds("/version =~ ^1\\.4", doc));
    assert_false(holds("/version =~ \"^2\"", doc));
    /* PCRE2, as grep -P: \d, \b and (?i) are operators, not literals. */
    assert_true(holds("/version =~ ^\\d+\\.\\d+\\.\\d+$", doc));
    assert_false(holds("/db =~ ^\\d", doc));
    assert_true(holds("/status =~ (?i)^OK$", doc));
    assert_false(holds("/status =~ ^OK$", doc));
    assert_true(holds("/checks/0/name =~ \\ba\\b", doc));
    assert_false(holds("/db =~ \\bu\\b", doc));
}

static void test_rule_missing_and_not_json(void **state)
{
    char *seen = NULL;
    (void)state;
    /* a missing key fails every comparison, even != */
    assert_false(eval("/db != \"down\"", "{\"status\":\"ok\"}", &seen));
    assert_string_equal(seen, "missing");
    free(seen);
    assert_false(eval("/status == \"ok\"", NULL, &seen));
    assert_string_equal(seen, "body is not JSON");
    free(seen);
    assert_false(eval("/queue < 10", "{\"queue\":\"many\"}", &seen));
    assert_string_equal(seen, "\"many\" (not a number)");
    free(seen);
    assert_false(eval("/status == \"ok\"", "{\"status\":\"down\"}", &seen));
    assert_string_equal(seen, "\"down\"");
    free(seen);
}

static void test_rule_parse_errors(void **state)
{
    hh_rule r;
    char err[200];
    (void)state;
    const char *bad[] = {"status == ok", "/a", "/a ~ 1", "/a < \"x\"", "/a exists 1", "/a ==",
                         "/a == \"open", "/a == 1x", "/a =~ (", NULL};
    for (size_t i = 0; bad[i]; i++) {
        err[0] = '\0';
        int rc = hh_rule_parse(&r, bad[i], err, sizeof err);
        hh_rule_free(&r);
        if (rc == 0)
            fail_msg("rule \"%s\" was accepted", bad[i]);
        assert_non_null(strstr(err, "expect_json"));
    }
    /* A pattern that does not compile is told apart (the check is an ERROR)
     * and named with PCRE2's reason and offset. */
    const char *badre[] = {"/a =~ (", "/a =~ [z-a]", "/a =~ a{2,1}", "/a =~ (?<n", NULL};
    for (size_t i = 0; badre[i]; i++) {
        int rc = hh_rule_parse(&r, badre[i], err, sizeof err);
        hh_rule_free(&r);
        assert_int_equal(rc, HH_CONFIG_BAD_REGEX);
        assert_non_null(strstr(err, "does not compile at offset "));
    }
}

static void test_percentiles(void **state)
{
    double v[] = {50, 10, 40, 20, 30};
    double one[] = {7};
    double hundred[100];
    (void)state;
    assert_true(hh_percentile(v, 5, 50) == 30);
    assert_true(hh_percentile(v, 5, 95) == 50);
    assert_true(hh_percentile(v, 5, 20) == 10);
    assert_true(hh_percentile(v, 5, 21) == 20);
    assert_true(hh_percentile(one, 1, 99) == 7);
    assert_true(hh_percentile(NULL, 0, 50) == 0);
    for (int i = 0; i < 100; i++)
        hundred[i] = 100 - i; /* 100..1 */
    assert_true(hh_percentile(hundred, 100, 50) == 50);
    assert_true(hh_percentile(hundred, 100, 95) == 95);
    assert_true(hh_percentile(hundred, 100, 99) == 99);
    assert_true(hh_percentile(hundred, 100, 100) == 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_items),
        cmocka_unit_test(test_status_errors),
        cmocka_unit_test(test_rule_eval),
        cmocka_unit_test(test_rule_missing_and_not_json),
        cmocka_unit_test(test_rule_parse_errors),
        cmocka_unit_test(test_percentiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
