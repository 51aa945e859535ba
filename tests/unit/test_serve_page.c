/*
 * test_serve_page.c - the status page (core/serve_page.c) rendered from the
 * fixture states in tests/fixtures/page/: hostile text escaped, every
 * outcome with its label, a checklist that never ran, the empty state, the
 * history strip's length and order, the availability text, odd states.
 *
 * `test_serve_page --render STATE.json` prints the page for STATE instead:
 * tests/page.t loads what it prints in headless Chromium.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "serve_page.h"
#include "util.h"

static char fixture_dir[4096] = "tests/fixtures/page";

static char *read_all(const char *path)
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
    return sb_steal(&b);
}

/* The page for fixture NAME (a file in tests/fixtures/page/). */
static char *render_fixture(const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
    char *text = read_all(path);
    assert_non_null(text);
    cJSON *state = cJSON_Parse(text);
    assert_non_null(state);
    char *html = serve_page_html(state);
    cJSON_Delete(state);
    free(text);
    return html;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The text from the first FROM at or after START up to the next UNTIL; the caller frees it. */
static char *slice(const char *hay, const char *from, const char *until)
{
    const char *a = strstr(hay, from);
    assert_non_null(a);
    const char *z = strstr(a, until);
    assert_non_null(z);
    return xstrndup(a, (size_t)(z - a));
}

/* The table row of check NAME. */
static char *row_of(const char *html, const char *name)
{
    char *cell = xasprintf("<td data-l=\"check\">%s</td>", name);
    const char *at = strstr(html, cell);
    assert_non_null(at);
    free(cell);
    return slice(at, "<td", "</tr>");
}

static void assert_no_markup_injected(const char *html)
{
    for (const char *p = html; *p; p++) {
        assert_true(strncasecmp(p, "<script", 7) != 0);
        assert_true(strncasecmp(p, "<img", 4) != 0);
        assert_true((unsigned char)*p >= 0x20 || *p == '\n'); /* control characters go out as \xNN */
    }
}

static void test_empty_state(void **state)
{
    (void)state;
    char *html = render_fixture("empty.json");
    assert_non_null(strstr(html, "<meta http-equiv=\"refresh\" content=\"15\">"));
    assert_non_null(strstr(html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    assert_non_null(strstr(html, "No checklists are configured."));
    assert_non_null(strstr(html, "generated 2026-12-02 09:00:00 UTC"));
    assert_null(strstr(html, "<section"));
    assert_null(strstr(html, "<link"));
    assert_no_markup_injected(html);
    free(html);
}

static void test_hostile_text_escaped(void **state)
{
    (void)state;
    char *html = render_fixture("full.json");
    assert_no_markup_injected(html);
    char *row = row_of(html, "hostile");
    assert_non_null(strstr(row, "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;document.title=&quot;pwned&quot;"
                                "&lt;/script&gt;&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;"
                                " &#39;quoted&#39; &amp; &quot;double&quot; \\x01\\x1B[31m xxx"));
    assert_non_null(strstr(row, "<b>hint:</b> &lt;b&gt;not bold&lt;/b&gt; &amp; fix it"));
    /* A status the page does not know becomes "unknown", never a class or attribute of its own. */
    assert_non_null(strstr(row, "<li class=\"s-unknown\" title=\"UNKNOWN 2026-12-02 08:54:30 UTC, 10 ms\">"));
    assert_null(strstr(row, "pwned\"</script"));
    free(row);
    assert_non_null(strstr(html, "Restores last night&#39;s dump &lt;i&gt;not italic&lt;/i&gt;"));
    free(html);
}

static void test_every_status(void **state)
{
    (void)state;
    static const struct {
        const char *check, *badge;
    } want[] = {
        {"health", "<span class=\"b s-pass\">PASS</span>"},   {"slow", "<span class=\"b s-warn\">WARN</span>"},
        {"billing-stuck", "<span class=\"b s-fail\">FAIL</span>"}, {"db", "<span class=\"b s-error\">ERROR</span>"},
        {"backup", "<span class=\"b s-skip\">SKIP</span>"},
    };
    char *html = render_fixture("full.json");
    assert_int_equal(count(html, "<tr class=\"check "), 7);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *row = row_of(html, want[i].check);
        assert_non_null(strstr(row, want[i].badge));
        free(row);
    }
    char *row = row_of(html, "billing-stuck");
    assert_non_null(strstr(row, "2 checkouts stuck<p class=\"hint\"><b>hint:</b> run the reconciliation for checkout 42"));
    free(row);
    row = row_of(html, "slow");
    assert_non_null(strstr(row, "<b>hint:</b> scale the web tier"));
    free(row);
    row = row_of(html, "db"); /* an error says what to fix in the setup; the hint is for failures */
    assert_non_null(strstr(row, "<b>could not check, fix the setup:</b> ${env:PGPASSWORD} is not set"));
    free(row);
    assert_null(strstr(html, "HINT-NOT-FOR-PASS"));
    assert_null(strstr(html, "HINT-NOT-FOR-ERROR"));
    /* The checklist's own outcome, and the colours come from the one table. */
    assert_non_null(strstr(html, "<h2>daily <span class=\"b s-fail\">FAIL</span></h2>"));
    assert_non_null(strstr(html, ".b.s-error,.strip .s-error{background:#8250df;"));
    free(html);
}

static void test_never_ran(void **state)
{
    (void)state;
    char *html = render_fixture("full.json");
    char *sec = slice(html, "<section class=\"checklist s-never\">", "</section>");
    assert_non_null(strstr(sec, "<h2>nightly <span class=\"b s-never\">NEVER RAN</span></h2>"));
    assert_non_null(strstr(sec, "daily at 02:00; <span class=\"never\">never ran</span>"));
    assert_null(strstr(sec, "<table"));
    assert_null(strstr(sec, "last ran"));
    free(sec);
    free(html);
}

static void test_schedule_times_and_running(void **state)
{
    (void)state;
    char *html = render_fixture("full.json");
    assert_non_null(strstr(html, "every 5m, daily at 09:00; last ran <time datetime=\"2026-12-02T08:59:30Z\">"
                                 "2026-12-02 08:59:30 UTC</time> (30 s ago), took 1.23 s; 1 passed, 1 warned, "
                                 "2 failed, 1 errored, 1 skipped of 6"));
    assert_non_null(strstr(html, "<h2>probe-only <span class=\"b s-pass\">PASS</span> <span class=\"b run\">RUNNING</span>"));
    assert_non_null(strstr(html, "no schedule; last ran <time datetime=\"2026-12-01T09:00:00Z\">2026-12-01 09:00:00 UTC"
                                 "</time> (24 h ago), took 50 ms"));
    char *row = row_of(html, "hostile");
    assert_non_null(strstr(row, "<td data-l=\"took\">1 min 15 s</td>"));
    free(row);
    row = row_of(html, "billing-stuck");
    assert_non_null(strstr(row, "<td data-l=\"took\">4 ms</td>"));
    free(row);
    assert_int_equal(count(html, "<span class=\"b run\">"), 1);
    free(html);
}

static void test_history_strip(void **state)
{
    (void)state;
    char *html = render_fixture("full.json");
    char *row = row_of(html, "health");
    assert_int_equal(count(row, "<li "), 100);
    assert_non_null(strstr(row, "<ol class=\"strip\" aria-label=\"last 100 rounds, oldest first\">"));
    /* Oldest first: the strip opens with the round 99 rounds back, ends with the latest. */
    assert_non_null(strstr(row, "\"><li class=\"s-pass\" title=\"PASS 2026-12-02 00:44:30 UTC, 10 ms\">"
                                "<span class=\"vh\">PASS 2026-12-02 00:44:30 UTC</span></li>"));
    assert_non_null(strstr(row, "<span class=\"vh\">PASS 2026-12-02 08:59:30 UTC</span></li></ol>"));
    int i = 0;
    for (const char *p = row; (p = strstr(p, "<li class=\"s-")); p++, i++) {
        const char *want = i == 49 ? "fail" : i == 98 ? "warn" : "pass";
        assert_memory_equal(p + 13, want, 4);
    }
    assert_int_equal(i, 100);
    assert_non_null(strstr(row, "<div class=\"avail\">99.0% of 100 rounds</div>"));
    free(row);
    row = row_of(html, "slow");
    assert_int_equal(count(row, "<li "), 3);
    assert_non_null(strstr(row, "100.0% of 3 rounds<"));
    free(row);
    row = row_of(html, "billing-stuck");
    assert_non_null(strstr(row, "0.0% of 1 round<"));
    free(row);
    row = row_of(html, "backup"); /* no availability given: none shown */
    assert_int_equal(count(row, "<li "), 1);
    assert_null(strstr(row, "avail"));
    free(row);
    free(html);
}

/* States the page must survive: wrong types, bad UTF-8, refresh out of range, no state at all. */
static void test_odd_states(void **state)
{
    (void)state;
    char *html = serve_page_html(NULL);
    assert_non_null(strstr(html, "content=\"30\""));
    assert_non_null(strstr(html, "No checklists are configured."));
    free(html);

    cJSON *s = cJSON_Parse("{\"refresh_seconds\": 1e12, \"checklists\": [7, {\"name\": 3, \"status\": [], "
                           "\"report\": \"x\", \"last_run\": \"yesterday\"}, {\"report\": {\"checks\": "
                           "[{\"name\": \"c\", \"status\": \"pass\"}]}, \"last_run\": \"2026-01-01T00:00:00Z\", "
                           "\"history\": {\"c\": 5}, \"availability\": []}]}");
    assert_non_null(s);
    cJSON_AddItemToArray(cJSON_GetObjectItem(s, "checklists"), cJSON_Parse("{\"name\": \"n\"}"));
    cJSON_AddStringToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "checklists"), 3), "description", "bad \xff byte");
    html = serve_page_html(s);
    assert_non_null(strstr(html, "content=\"86400\""));
    assert_non_null(strstr(html, "bad \xef\xbf\xbd byte"));
    assert_non_null(strstr(html, "no rounds kept"));
    assert_int_equal(count(html, "<section"), 3);
    assert_int_equal(count(html, "never ran</span>"), 2);
    cJSON_Delete(s);
    free(html);

    s = cJSON_Parse("{\"refresh_seconds\": -4, \"checklists\": []}");
    html = serve_page_html(s);
    assert_non_null(strstr(html, "content=\"30\""));
    cJSON_Delete(s);
    free(html);
}

static int render_main(const char *path)
{
    char *text = read_all(path);
    cJSON *state = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!state) {
        fprintf(stderr, "test_serve_page: %s: cannot read or parse the state\n", path);
        return 2;
    }
    char *html = serve_page_html(state);
    fputs(html, stdout);
    free(html);
    cJSON_Delete(state);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--render") == 0)
        return render_main(argv[2]);
    const char *slash = strrchr(argv[0], '/');
    if (slash) /* tests/unit/test_serve_page -> tests/fixtures/page, wherever it is run from */
        snprintf(fixture_dir, sizeof fixture_dir, "%.*s/../fixtures/page", (int)(slash - argv[0]), argv[0]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_state),
        cmocka_unit_test(test_hostile_text_escaped),
        cmocka_unit_test(test_every_status),
        cmocka_unit_test(test_never_ran),
        cmocka_unit_test(test_schedule_times_and_running),
        cmocka_unit_test(test_history_strip),
        cmocka_unit_test(test_odd_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
