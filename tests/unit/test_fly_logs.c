/*
 * test_fly_logs.c - unit tests of plugins/fly/fly_logs.c: reading a logs
 * page (JSON:API shape, keys in any case, timestamps as RFC 3339 or epoch
 * integers, next_token as string or number) and the runbook's patterns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../plugins/fly/fly_logs.h"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

static void test_page_reference_shape(void **state)
{
    (void)state;
    cJSON *doc = parse(
        "{\"data\":[{\"id\":\"01JNRQ9VVKJ7HZFMJWJB3M3RYN\",\"type\":\"logs\",\"attributes\":{"
        "\"timestamp\":\"2026-03-02T14:07:28.914311082Z\",\"message\":\"[  258.930660] Out of memory: "
        "Killed process 512 (gunicorn)\",\"level\":\"info\",\"instance\":\"e784079b449483\","
        "\"region\":\"gru\",\"meta\":{\"instance\":\"e784079b449483\",\"region\":\"gru\","
        "\"event\":{\"provider\":\"app\"},\"http\":{\"request\":{\"id\":\"\",\"method\":\"\","
        "\"version\":\"\"},\"response\":{\"status_code\":0}},\"error\":{\"code\":0,\"message\":\"\"},"
        "\"url\":{\"full\":\"\"}}}}],\"meta\":{\"next_token\":\"1772460448914311082\"}}");
    fly_log_page p;
    assert_int_equal(fly_log_page_parse(doc, &p), 0);
    assert_int_equal(p.n, 1);
    assert_int_equal((long long)p.entries[0].ts, 1772460448LL);
    assert_string_equal(p.entries[0].instance, "e784079b449483");
    assert_string_equal(p.entries[0].region, "gru");
    assert_string_equal(p.entries[0].level, "info");
    assert_int_equal(p.entries[0].http_status, 0);
    assert_non_null(strstr(p.entries[0].message, "Out of memory"));
    assert_string_equal(p.next_token, "1772460448914311082");
    fly_log_page_free(&p);
    cJSON_Delete(doc);
}

static void test_page_lenient(void **state)
{
    (void)state;
    /* Go-style capitalised keys, ms and ns integer timestamps, meta-only
     * instance, HTTP status in meta, numeric next_token, a flat entry. */
    cJSON *doc = parse(
        "{\"Data\":[{\"Attributes\":{\"Timestamp\":1772460451220,\"Message\":\"GET /health\","
        "\"Meta\":{\"Instance\":\"abc\",\"Region\":\"gig\",\"HTTP\":{\"Response\":{\"status_code\":502}}}}},"
        "{\"attributes\":{\"timestamp\":\"1772460452000000000\",\"message\":\"x\"}},"
        "{\"timestamp\":\"2026-03-02T14:07:31.205118Z\",\"message\":\"nats\",\"fly\":{\"app\":"
        "{\"instance\":\"e7\"},\"region\":\"gru\"},\"log\":{\"level\":\"warn\"}},"
        "{\"attributes\":{\"message\":\"no time\"}}],"
        "\"Meta\":{\"Next_Token\":1772460452000000000}}");
    fly_log_page p;
    assert_int_equal(fly_log_page_parse(doc, &p), 0);
    assert_int_equal(p.n, 4);
    assert_int_equal((long long)p.entries[0].ts, 1772460451LL);
    assert_string_equal(p.entries[0].instance, "abc");
    assert_string_equal(p.entries[0].region, "gig");
    assert_int_equal(p.entries[0].http_status, 502);
    char text[128];
    fly_log_text(&p.entries[0], text, sizeof text);
    assert_string_equal(text, "GET /health response.status=502");
    assert_int_equal((long long)p.entries[1].ts, 1772460452LL);
    assert_string_equal(p.entries[1].instance, "");
    assert_string_equal(p.entries[2].instance, "e7");
    assert_string_equal(p.entries[2].region, "gru");
    assert_string_equal(p.entries[2].level, "warn");
    assert_int_equal((long long)p.entries[3].ts, 0);
    assert_non_null(p.next_token);
    assert_int_equal(strncmp(p.next_token, "17724604520000", 14), 0);
    fly_log_page_free(&p);
    cJSON_Delete(doc);
}

static void test_page_bad_and_empty(void **state)
{
    (void)state;
    fly_log_page p;
    cJSON *bad = parse("{\"errors\":[{\"detail\":\"nope\"}]}");
    assert_int_equal(fly_log_page_parse(bad, &p), -1);
    cJSON_Delete(bad);
    cJSON *arr = parse("[]");
    assert_int_equal(fly_log_page_parse(arr, &p), -1);
    cJSON_Delete(arr);
    cJSON *empty = parse("{\"data\":[],\"meta\":{\"next_token\":\"\"}}");
    assert_int_equal(fly_log_page_parse(empty, &p), 0);
    assert_int_equal(p.n, 0);
    assert_null(p.next_token);
    fly_log_page_free(&p);
    cJSON_Delete(empty);
}

static fly_log_entry entry(const char *msg, int status)
{
    fly_log_entry e = {.ts = 1772460448, .message = msg, .instance = "e784079b449483",
                       .region = "gru", .level = "info", .http_status = status};
    return e;
}

/* Which default pattern (by label) a message matches, or "" for none. */
static void expect_default(const char *msg, int status, const char *label)
{
    fly_patterns ps;
    char err[128];
    assert_int_equal(fly_patterns_init(&ps, NULL, 0, err, sizeof err), 0);
    fly_log_entry e = entry(msg, status);
    int hit = fly_patterns_feed(&ps, &e);
    if (!*label) {
        if (hit)
            fail_msg("\"%s\" should match no pattern", msg);
    } else {
        int found = 0;
        for (size_t i = 0; i < ps.n; i++)
            if (!strcmp(ps.p[i].label, label) && ps.p[i].count == 1)
                found = 1;
        if (!found)
            fail_msg("\"%s\" should match %s", msg, label);
    }
    fly_patterns_free(&ps);
}

static void test_default_patterns(void **state)
{
    (void)state;
    expect_default("INFO Process appears to have been OOM killed!", 0, "OOM");
    expect_default("oom_killed=true", 0, "OOM");
    expect_default("[  258.930660] Out of memory: Killed process 512 (gunicorn)", 0, "Out of memory");
    expect_default("[ERROR] Worker failed to boot.", 0, "Worker failed to boot");
    expect_default("health: db_down (connection refused)", 0, "db_down");
    expect_default("[CRITICAL] WORKER TIMEOUT (pid:12)", 0, "timeout");
    expect_default("upstream request timed out", 0, "timeout");
    expect_default("10.0.0.1 - - \"GET /health HTTP/1.1\" 502 0 \"-\" \"curl\"", 0, "HTTP 5xx");
    expect_default("HTTP/1.1 503 Service Unavailable", 0, "HTTP 5xx");
    expect_default("proxy: HTTP 500 from upstream", 0, "HTTP 5xx");
    expect_default("request done status=504 in 30s", 0, "HTTP 5xx");
    expect_default("{\"status\": 500, \"path\": \"/x\"}", 0, "HTTP 5xx");
    expect_default("GET /health", 502, "HTTP 5xx"); /* from meta */
    /* Not errors. */
    expect_default("Listening at: http://0.0.0.0:8080", 0, "");
    expect_default("10.0.0.1 - - \"GET /health HTTP/1.1\" 200 17", 0, "");
    expect_default("request done status=200", 0, "");
    expect_default("GET /health", 200, "");
    expect_default("the room is full of bloom", 0, "");
    expect_default("served 5023 requests", 0, "");
    expect_default("HTTP/1.1 5000", 0, "");
}

static void test_custom_patterns_and_first_lines(void **state)
{
    (void)state;
    const char *items[] = {"panic", "^fatal"};
    fly_patterns ps;
    char err[160];
    assert_int_equal(fly_patterns_init(&ps, items, 2, err, sizeof err), 0);
    assert_int_equal(ps.n, 2);
    assert_string_equal(ps.p[0].label, "panic");
    char msg[8][32];
    for (int i = 0; i < 8; i++) {
        snprintf(msg[i], sizeof msg[i], "PANIC number %d\x01", i);
        fly_log_entry e = entry(msg[i], 0);
        assert_int_equal(fly_patterns_feed(&ps, &e), 1);
    }
    fly_log_entry ok = entry("all good, no fatal here", 0);
    assert_int_equal(fly_patterns_feed(&ps, &ok), 0);
    fly_log_entry f = entry("Fatal: panic", 0);
    assert_int_equal(fly_patterns_feed(&ps, &f), 1);
    assert_int_equal(ps.lines, 9);
    assert_int_equal(ps.p[0].count, 9);
    assert_int_equal(ps.p[1].count, 1);
    assert_int_equal(ps.nfirst, FLY_LOG_KEEP);
    assert_string_equal(ps.first[0], "2026-03-02T14:07:28Z e784079b449483 gru: PANIC number 0 ");
    assert_string_equal(ps.first[4], "2026-03-02T14:07:28Z e784079b449483 gru: PANIC number 4 ");
    fly_patterns_free(&ps);

    const char *bad[] = {"ok", "(unclosed"};
    assert_int_equal(fly_patterns_init(&ps, bad, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "(unclosed"));
    assert_non_null(strstr(err, "does not compile at offset 9: missing closing parenthesis"));

    /* PCRE2, as grep -P: \d and \b are operators (POSIX ERE reads them as
     * the letters d and b). */
    const char *perl[] = {"exit code \\d+", "\\bkilled\\b"};
    assert_int_equal(fly_patterns_init(&ps, perl, 2, err, sizeof err), 0);
    fly_log_entry d = entry("worker exit code 137", 0);
    assert_int_equal(fly_patterns_feed(&ps, &d), 1);
    fly_log_entry nd = entry("worker exit code d", 0);
    assert_int_equal(fly_patterns_feed(&ps, &nd), 0);
    fly_log_entry w = entry("process KILLED by signal", 0);
    assert_int_equal(fly_patterns_feed(&ps, &w), 1);
    fly_log_entry nw = entry("skilledworker", 0);
    assert_int_equal(fly_patterns_feed(&ps, &nw), 0);
    assert_int_equal(ps.p[0].count, 1);
    assert_int_equal(ps.p[1].count, 1);
    fly_patterns_free(&ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_reference_shape), cmocka_unit_test(test_page_lenient),
        cmocka_unit_test(test_page_bad_and_empty),   cmocka_unit_test(test_default_patterns),
        cmocka_unit_test(test_custom_patterns_and_first_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
