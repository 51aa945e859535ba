/*
 * test_report.c - the four reports from a run built by hand: a pass with
 * plugin metrics, a failure full of bytes XML and JSON must not carry raw
 * (a secret, markup, control characters, broken UTF-8), a skip, a warning
 * with several assertions.  With REPORT_KEEP=DIR the reports are also left
 * in DIR for tests/reports.t to validate with xmllint and promtool; with
 * REPORT_PUSH=URL they are pushed there too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "prom_name.h"
#include "redact.h"
#include "report.h"
#include "report_int.h"
#include "util.h"

#define SECRET "s3cr3t-Tok"

static oc_schema p_tp = {.name = "tp"}, p_hh = {.name = "http-health"};
static cfg_check checks[4];
static cfg conf;
static size_t sel[4] = {0, 1, 2, 3};
static check_result res[4];
static run_summary sum = {.passed = 1, .failed = 1, .skipped = 1, .warned = 1, .seconds = 1.25};
static report_run run = {.c = &conf, .sel = sel, .n = 4, .results = res, .sum = &sum, .checklist = "daily"};
static char dir[] = "/tmp/test_report.XXXXXX";

static void add_assert(check_result *r, res_status s, const char *msg, const char *exp, const char *seen)
{
    r->asserts = xrealloc(r->asserts, (r->nasserts + 1) * sizeof *r->asserts);
    r->asserts[r->nasserts++] = (res_assert){.status = s, .msg = xstrdup(msg), .expected = exp ? xstrdup(exp) : NULL, .seen = seen ? xstrdup(seen) : NULL};
}

static void add_metric(check_result *r, const char *name, double v, const char *unit)
{
    r->metrics = xrealloc(r->metrics, (r->nmetrics + 1) * sizeof *r->metrics);
    r->metrics[r->nmetrics++] = (res_metric){xstrdup(name), xstrdup(unit), v};
}

static void add_diag(check_result *r, const char *k, const char *v)
{
    r->diags = xrealloc(r->diags, (r->ndiags + 1) * sizeof *r->diags);
    r->diags[r->ndiags++] = (res_kv){xstrdup(k), xstrdup(v)};
}

static void one_attempt(check_result *r, long long ms)
{
    r->duration_ms = ms;
    r->attempts = xrealloc(r->attempts, (r->nattempts + 1) * sizeof *r->attempts);
    r->attempts[r->nattempts++] = (res_attempt){r->status, xstrdup(r->message ? r->message : ""), ms};
}

static int setup(void **state)
{
    (void)state;
    redact_add(SECRET);
    const char *names[] = {"health", "billing <&> \"sync\"", "cert", "multi"};
    const oc_schema *plugins[] = {&p_hh, &p_tp, &p_hh, &p_tp};
    for (int i = 0; i < 4; i++) {
        checks[i].name = names[i];
        checks[i].plugin = plugins[i];
    }
    checks[1].description = xstrdup("runbook 3.2");
    sv_push(&checks[0].tags, xstrdup("sla"));
    conf.checks = checks;
    conf.nchecks = 4;
    run.started = 1700000000;

    add_assert(&res[0], RES_PASS, "status 200", NULL, NULL);
    add_metric(&res[0], "latency_p50", 412.5, "ms");
    add_metric(&res[0], "availability", 99.5, "%");
    add_metric(&res[0], "cert_days_left", 30, "days");
    add_metric(&res[0], "Disk Used", 2, "MiB");
    add_metric(&res[0], "queue_depth", 7, "jobs");
    result_summarise(&res[0]);
    one_attempt(&res[0], 120);

    add_assert(&res[1], RES_FAIL, "token " SECRET " rejected <b>&\x01 \xff\xfe", "200", "401 " SECRET);
    add_diag(&res[1], "url", "http://127.0.0.1/\"x\"\n2");
    add_diag(&res[1], "url", "a repeated key");
    result_summarise(&res[1]);
    one_attempt(&res[1], 40);
    one_attempt(&res[1], 1500);
    res[1].output = xstrdup("debug: token=" SECRET "\n");
    res[1].output_len = strlen(res[1].output);

    add_assert(&res[2], RES_SKIP, "plain http", NULL, NULL);
    result_summarise(&res[2]);
    one_attempt(&res[2], 0);

    add_assert(&res[3], RES_PASS, "status 200", NULL, NULL);
    add_assert(&res[3], RES_WARN, "tls_verify is off", NULL, NULL);
    add_metric(&res[3], "restarts", 3, "");
    add_metric(&res[3], "restarts", 4, ""); /* reported twice: the last wins */
    result_summarise(&res[3]);
    one_attempt(&res[3], 7);
    /* the runner's gate: reports only ever see published (masked) results */
    static const char *const hints[4] = {NULL, "rotate the token " SECRET, NULL, NULL}; /* as the plan resolved them */
    for (int i = 0; i < 4; i++)
        result_publish(&res[i], hints[i]);

    if (!mkdtemp(dir))
        return -1;
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    strbuf b = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_add(&b, buf, n);
    fclose(f);
    sb_add(&b, "", 0);
    return sb_steal(&b);
}

/* Writes with FN into DIR/NAME (and REPORT_KEEP/NAME); returns the text. */
static char *produce(int (*fn)(const report_run *, const char *, char **), const char *name)
{
    char *err = NULL, *path = xasprintf("%s/%s", dir, name);
    assert_int_equal(fn(&run, path, &err), 0);
    assert_null(err);
    const char *keep = getenv("REPORT_KEEP");
    if (keep && *keep) {
        char *k = xasprintf("%s/%s", keep, name);
        assert_int_equal(fn(&run, k, &err), 0);
        free(k);
    }
    char *text = slurp(path);
    assert_non_null(text);
    free(path);
    return text;
}

static void no_secret_no_raw(const char *text)
{
    assert_null(strstr(text, SECRET));
    assert_null(strchr(text, '\x01'));
    assert_null(strstr(text, "\xff\xfe"));
}

static void test_junit(void **state)
{
    (void)state;
    char *x = produce(report_junit, "junit.xml");
    no_secret_no_raw(x);
    assert_non_null(strstr(x, "<testsuite name=\"daily\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\""));
    assert_non_null(strstr(x, "timestamp=\"2023-11-14T22:13:20\""));
    assert_non_null(strstr(x, "<testcase name=\"health\" classname=\"opscheck.http-health\" time=\"0.120\"/>"));
    assert_non_null(strstr(x, "name=\"billing &lt;&amp;&gt; &quot;sync&quot;\""));
    assert_non_null(strstr(x, "<failure message=\"token *** rejected &lt;b&gt;&amp; \xEF\xBF\xBD\xEF\xBF\xBD\" "
                              "type=\"fail\">"));
    assert_non_null(strstr(x, "time=\"1.540\"")); /* every attempt: 40 ms + 1500 ms */
    /* the failed attempt before the last, as Surefire's rerun (junit-10.xsd) */
    assert_non_null(strstr(x, "<rerunFailure message=\"token *** rejected &lt;b&gt;&amp; \xEF\xBF\xBD\xEF\xBF\xBD\" "
                              "type=\"fail\"><stackTrace>attempt 1 of 2: "));
    assert_non_null(strstr(x, "hint: \"rotate the token ***\""));
    assert_non_null(strstr(x, "<skipped message=\"plain http\"/>"));
    assert_non_null(strstr(x, "<system-err>debug: token=***\n</system-err>"));
    assert_non_null(strstr(x, "<system-out>message: \"tls_verify is off\""));
    assert_non_null(strstr(x, "url_2: \"a repeated key\""));
    assert_non_null(strstr(x, "metrics:\n  - name: \"restarts\"\n    value: 3\n    unit: \"\"\n"));
    free(x);
}

static void test_json(void **state)
{
    (void)state;
    char *t = produce(report_json, "report.json");
    no_secret_no_raw(t);
    cJSON *j = cJSON_Parse(t);
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItem(j, "schema")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(j, "checklist")->valuestring, "daily");
    assert_string_equal(cJSON_GetObjectItem(j, "started")->valuestring, "2023-11-14T22:13:20Z");
    cJSON *s = cJSON_GetObjectItem(j, "summary");
    assert_int_equal(cJSON_GetObjectItem(s, "failed")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(s, "warned")->valueint, 1);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(s, "ok")));
    cJSON *checks = cJSON_GetObjectItem(j, "checks");
    assert_int_equal(cJSON_GetArraySize(checks), 4);
    cJSON *b = cJSON_GetArrayItem(checks, 1);
    assert_string_equal(cJSON_GetObjectItem(b, "name")->valuestring, "billing <&> \"sync\"");
    assert_string_equal(cJSON_GetObjectItem(b, "status")->valuestring, "fail");
    assert_string_equal(cJSON_GetObjectItem(b, "message")->valuestring,
                        "token *** rejected <b>&\x01 \xEF\xBF\xBD\xEF\xBF\xBD");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(b, "attempts")), 2);
    cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "assertions"), 0);
    assert_string_equal(cJSON_GetObjectItem(a0, "seen")->valuestring, "401 ***");
    cJSON *d = cJSON_GetObjectItem(b, "diagnostics");
    assert_string_equal(cJSON_GetObjectItem(d, "url_2")->valuestring, "a repeated key");
    assert_string_equal(cJSON_GetObjectItem(b, "output")->valuestring, "debug: token=***\n");
    cJSON *h = cJSON_GetArrayItem(checks, 0);
    cJSON *m0 = cJSON_GetArrayItem(cJSON_GetObjectItem(h, "metrics"), 0);
    assert_true(cJSON_GetObjectItem(m0, "value")->valuedouble == 412.5);
    assert_string_equal(cJSON_GetObjectItem(m0, "unit")->valuestring, "ms");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(h, "output")));
    cJSON_Delete(j);
    free(t);
}

static void test_prometheus(void **state)
{
    (void)state;
    char *p = produce(report_prometheus, "opscheck.prom");
    no_secret_no_raw(p);
    const char *want[] = {
        "# TYPE opscheck_check_success gauge\n",
        "opscheck_check_success{check=\"health\",checklist=\"daily\",plugin=\"http-health\"} 1\n",
        "opscheck_check_success{check=\"billing <&> \\\"sync\\\"\",checklist=\"daily\",plugin=\"tp\"} 0\n",
        "opscheck_check_success{check=\"cert\",checklist=\"daily\",plugin=\"http-health\"} 1\n",
        "opscheck_check_status{check=\"multi\",checklist=\"daily\",plugin=\"tp\",status=\"warn\"} 1\n",
        "opscheck_check_duration_seconds{check=\"billing <&> \\\"sync\\\"\",checklist=\"daily\",plugin=\"tp\"} 1.5\n",
        "opscheck_run_timestamp_seconds{checklist=\"daily\"} 1700000000\n",
        "opscheck_run_checks{checklist=\"daily\",status=\"fail\"} 1\n",
        "opscheck_plugin_latency_p50_seconds{check=\"health\",checklist=\"daily\",plugin=\"http-health\"} 0.4125\n",
        "opscheck_plugin_availability_ratio{check=\"health\",checklist=\"daily\",plugin=\"http-health\"} 0.995\n",
        "opscheck_plugin_cert_left_seconds{check=\"health\",checklist=\"daily\",plugin=\"http-health\"} 2592000\n",
        "opscheck_plugin_queue_depth_unconverted{check=\"health\",checklist=\"daily\",plugin=\"http-health\",unit=\"jobs\"} 7\n",
        "opscheck_plugin_disk_used_bytes{check=\"health\",checklist=\"daily\",plugin=\"http-health\"} 2097152\n",
        "opscheck_plugin_restarts{check=\"multi\",checklist=\"daily\",plugin=\"tp\"} 4\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (!strstr(p, want[i]))
            fail_msg("missing: %s\nin:\n%s", want[i], p);
    }
    assert_null(strstr(p, "} 3\nopscheck_plugin_restarts")); /* one sample per label set */
    /* HELP and TYPE once per metric */
    const char *first = strstr(p, "# TYPE opscheck_check_success ");
    assert_null(strstr(first + 1, "# TYPE opscheck_check_success "));
    free(p);
}

/* A write leaves the report and nothing else: no temp file beside it. */
static void test_atomic(void **state)
{
    (void)state;
    char *err = NULL;
    char *path = xasprintf("%s/only.txt", dir);
    assert_int_equal(report_write_file(path, "one\n", 4, &err), 0);
    assert_int_equal(report_write_file(path, "two\n", 4, &err), 0);
    char *t = slurp(path);
    assert_string_equal(t, "two\n");
    free(t);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    mode_t um = umask(0);
    umask(um);
    assert_int_equal(st.st_mode & 0777, 0666 & ~um);
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        assert_true(e->d_name[0] != '.' || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."));
    closedir(d);
    free(path);

    assert_int_equal(report_write_file("/nonexistent/dir/r.xml", "x", 1, &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err, "cannot write /nonexistent/dir/r.xml"));
    assert_null(strchr(err, '\n'));
    free(err);
}

static void test_push_down(void **state)
{
    (void)state;
    char *err = NULL;
    assert_int_equal(report_push(&run, "http://user:" SECRET "@127.0.0.1:1/", &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err, "push to http://***@127.0.0.1:1/ failed: "));
    assert_null(strstr(err, SECRET));
    assert_null(strchr(err, '\n'));
    free(err);
    const char *url = getenv("REPORT_PUSH");
    if (url && *url) {
        int rc = report_push(&run, url, &err);
        if (rc)
            fail_msg("%s", err);
    }
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    for (int i = 0; i < 4; i++)
        result_clear(&res[i]);
    free(checks[1].description);
    sv_clear(&checks[0].tags);
    redact_clear();
    return rc == 0 ? 0 : -1;
}

/* The naming rule (prom_name.c): every row a (name, unit) a plugin may
 * report and the family, labels and scale it becomes. */
static void test_prom_names(void **state)
{
    (void)state;
    static const struct {
        const char *name, *unit, *family, *labels;
        double scale;
        int counter, unit_label;
    } rows[] = {
        {"entropy_bits", "bits", "opscheck_plugin_entropy_bytes", "", 0.125, 0, 0},
        {"latency_ms", "ms", "opscheck_plugin_latency_seconds", "", 1e-3, 0, 0},
        {"cert_days_left", "days", "opscheck_plugin_cert_left_seconds", "", 86400, 0, 0},
        {"uptime", "m", "opscheck_plugin_uptime_seconds", "", 60, 0, 0},
        {"rx", "kb", "opscheck_plugin_rx_bytes", "", 125, 0, 0},
        {"disk", "MiB", "opscheck_plugin_disk_bytes", "", 1048576, 0, 0},
        {"Used %", "%", "opscheck_plugin_used_ratio", "", 0.01, 0, 0},
        {"requests_total", "c", "opscheck_plugin_requests_total", "", 1, 1, 0},
        {"errors_count", "", "opscheck_plugin_errors", "", 1, 0, 0},
        {"wait_milliseconds_gauge", "", "opscheck_plugin_wait", "", 1, 0, 0},
        {"size_kb_sum", "", "opscheck_plugin_size", "", 1, 0, 0},
        {"ms", "", "opscheck_plugin_value", "", 1, 0, 0},
        {"queue_depth", "jobs", "opscheck_plugin_queue_depth_unconverted", "", 1, 0, 1},
        {"perfdata{label=\"/\"}", "MB", "opscheck_plugin_perfdata_bytes", "label=\"/\"", 1e6, 0, 0},
        {"perfdata{label=\"a \\\"q\\\"\",threshold=\"warn\"}", "", "opscheck_plugin_perfdata",
         "label=\"a \\\"q\\\"\",threshold=\"warn\"", 1, 0, 0},
        {"x{check=\"y\",env=\"z\"}", "", "opscheck_plugin_x", "exported_check=\"y\",exported_env=\"z\"", 1, 0, 0},
        {"x{Bad=\"y\"}", "", "opscheck_plugin_x_bad_y", "", 1, 0, 0},
        {"x{a=\"1\",a=\"2\"}", "", "opscheck_plugin_x_a_1_a_2", "", 1, 0, 0},
        {"x{a=\"1\"", "", "opscheck_plugin_x_a_1", "", 1, 0, 0},
    };
    const char *const extra[] = {"env=prod"};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        prom_series ps;
        prom_plugin_series(rows[i].name, rows[i].unit, extra, 1, &ps);
        if (strcmp(ps.family, rows[i].family) || strcmp(ps.labels, rows[i].labels))
            fail_msg("%s in '%s': %s {%s}, wanted %s {%s}", rows[i].name, rows[i].unit, ps.family, ps.labels,
                     rows[i].family, rows[i].labels);
        assert_true(ps.scale == rows[i].scale);
        assert_int_equal(ps.counter, rows[i].counter);
        assert_int_equal(ps.unit_label, rows[i].unit_label);
        prom_series_clear(&ps);
    }
    assert_true(prom_label_name_ok("env", 3) && prom_label_name_ok("_x9", 3));
    assert_false(prom_label_name_ok("Env", 3) || prom_label_name_ok("9x", 2) || prom_label_name_ok("__x", 3) ||
                 prom_label_name_ok("a-b", 3) || prom_label_name_ok("", 0));
    assert_true(prom_label_reserved("checklist", 9) && prom_label_reserved("threshold", 9) &&
                prom_label_reserved("le", 2));
    assert_false(prom_label_reserved("env", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_junit),      cmocka_unit_test(test_json),      cmocka_unit_test(test_prometheus), cmocka_unit_test(test_prom_names),
        cmocka_unit_test(test_atomic),     cmocka_unit_test(test_push_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
