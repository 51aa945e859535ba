/*
 * test_fly_machines.c - unit tests of plugins/fly/fly_machines.c: which
 * machines are active (as flyctl status counts them), autostop decoding,
 * service defaults, and exit-event extraction (both nestings, exited_at as
 * string or integer ms, OOM by flag or by exit code 137/signal 9).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../plugins/fly/fly_machines.h"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

static void test_active_filter(void **state)
{
    (void)state;
    cJSON *list = parse(
        "[{\"id\":\"a1\",\"state\":\"started\",\"config\":{\"metadata\":{\"fly_process_group\":\"app\"}}},"
        " {\"id\":\"a2\",\"state\":\"stopped\",\"config\":{\"metadata\":{\"fly_process_group\":\"app\"}}},"
        " {\"id\":\"d1\",\"state\":\"destroyed\",\"config\":{\"metadata\":{\"fly_process_group\":\"app\"}}},"
        " {\"id\":\"d2\",\"state\":\"destroying\",\"config\":{}},"
        " {\"id\":\"r1\",\"state\":\"started\",\"config\":{\"metadata\":{\"fly_process_group\":\"fly_app_release_command\"}}},"
        " {\"id\":\"r2\",\"state\":\"started\",\"config\":{\"metadata\":{\"process_group\":\"release_command\"}}},"
        " {\"id\":\"c1\",\"state\":\"started\",\"config\":{\"metadata\":{\"fly_process_group\":\"fly_app_console\"}}},"
        " {\"id\":\"w1\",\"state\":\"started\",\"config\":{\"metadata\":{\"process_group\":\"worker\"}}},"
        " {\"id\":\"u1\",\"state\":\"started\",\"host_status\":\"unreachable\",\"incomplete_config\":{}},"
        " 42]");
    const cJSON **ms;
    size_t ignored = 99;
    size_t n = fly_active_machines(list, NULL, &ms, &ignored);
    assert_int_equal(n, 4);
    assert_string_equal(cJSON_GetObjectItem(ms[0], "id")->valuestring, "a1");
    assert_string_equal(cJSON_GetObjectItem(ms[1], "id")->valuestring, "a2");
    assert_string_equal(cJSON_GetObjectItem(ms[2], "id")->valuestring, "w1");
    assert_string_equal(cJSON_GetObjectItem(ms[3], "id")->valuestring, "u1"); /* kept: it may be down */
    assert_int_equal(ignored, 6);
    assert_string_equal(fly_machine_group(ms[2]), "worker"); /* legacy key */
    free(ms);

    n = fly_active_machines(list, "app", &ms, NULL);
    assert_int_equal(n, 2);
    free(ms);
    n = fly_active_machines(list, "", &ms, NULL); /* "" = all */
    assert_int_equal(n, 4);
    free(ms);
    cJSON_Delete(list);

    cJSON *empty = parse("[]");
    n = fly_active_machines(empty, NULL, &ms, &ignored);
    assert_int_equal(n, 0);
    assert_int_equal(ignored, 0);
    free(ms);
    cJSON_Delete(empty);
}

static void test_autostop(void **state)
{
    (void)state;
    cJSON *j = parse("{\"f\":false,\"t\":true,\"s\":\"suspend\",\"off\":\"off\",\"stop\":\"stop\","
                     "\"n\":null,\"num\":42,\"w\":\"sometimes\"}");
    assert_int_equal(fly_autostop_decode(cJSON_GetObjectItem(j, "f")), FLY_AUTOSTOP_OFF);
    assert_int_equal(fly_autostop_decode(cJSON_GetObjectItem(j, "t")), FLY_AUTOSTOP_STOP);
    assert_int_equal(fly_autostop_decode(cJSON_GetObjectItem(j, "s")), FLY_AUTOSTOP_SUSPEND);
    assert_int_equal(fly_autostop_decode(cJSON_GetObjectItem(j, "off")), FLY_AUTOSTOP_OFF);
    assert_int_equal(fly_autostop_decode(cJSON_GetObjectItem(j, "stop")), FLY_AUTOSTOP_STOP);
    assert_int_equal(fly_autostop_decode(cJSON_GetObjectItem(j, "n")), FLY_AUTOSTOP_ABSENT);
    assert_int_equal(fly_autostop_decode(NULL), FLY_AUTOSTOP_ABSENT);
    assert_int_equal(fly_autostop_decode(cJSON_GetObjectItem(j, "num")), FLY_AUTOSTOP_UNKNOWN);
    assert_int_equal(fly_autostop_decode(cJSON_GetObjectItem(j, "w")), FLY_AUTOSTOP_UNKNOWN);
    assert_string_equal(fly_autostop_name(FLY_AUTOSTOP_ABSENT), "off");
    assert_string_equal(fly_autostop_name(FLY_AUTOSTOP_OFF), "off");
    assert_string_equal(fly_autostop_name(FLY_AUTOSTOP_STOP), "stop");
    assert_string_equal(fly_autostop_name(FLY_AUTOSTOP_SUSPEND), "suspend");
    fly_autostop a;
    assert_int_equal(fly_autostop_parse("OFF", &a), 0);
    assert_int_equal(a, FLY_AUTOSTOP_OFF);
    assert_int_equal(fly_autostop_parse("true", &a), 0);
    assert_int_equal(a, FLY_AUTOSTOP_STOP);
    assert_int_equal(fly_autostop_parse("suspend", &a), 0);
    assert_int_equal(a, FLY_AUTOSTOP_SUSPEND);
    assert_int_equal(fly_autostop_parse("on", &a), -1);
    cJSON_Delete(j);
}

static void test_services(void **state)
{
    (void)state;
    cJSON *m = parse("{\"config\":{\"guest\":{\"memory_mb\":\"512\"},\"services\":["
                     "{\"internal_port\":8080,\"autostop\":false,\"min_machines_running\":1,"
                     " \"concurrency\":{\"type\":\"requests\",\"hard_limit\":40,\"soft_limit\":\"20\"}},"
                     "{\"internal_port\":9090,\"autostop\":\"suspend\"}]}}");
    fly_service sv[4];
    assert_int_equal(fly_machine_services(m, sv, 4), 2);
    assert_int_equal(sv[0].internal_port, 8080);
    assert_int_equal(sv[0].autostop, FLY_AUTOSTOP_OFF);
    assert_int_equal(sv[0].min_running, 1);
    assert_string_equal(sv[0].conc_type, "requests");
    assert_int_equal(sv[0].soft_limit, 20);
    assert_int_equal(sv[0].hard_limit, 40);
    assert_true(sv[0].conc_given);
    /* Fly's documented defaults when concurrency is omitted. */
    assert_int_equal(sv[1].autostop, FLY_AUTOSTOP_SUSPEND);
    assert_int_equal(sv[1].min_running, -1);
    assert_string_equal(sv[1].conc_type, "connections");
    assert_int_equal(sv[1].soft_limit, 20);
    assert_int_equal(sv[1].hard_limit, -1);
    assert_false(sv[1].conc_given);
    assert_int_equal(fly_machine_services(m, sv, 1), 2); /* counts beyond max */
    assert_int_equal(fly_machine_memory_mb(m), 512);
    cJSON_Delete(m);

    cJSON *bare = parse("{\"id\":\"x\"}");
    assert_int_equal(fly_machine_services(bare, sv, 4), 0);
    assert_int_equal(fly_machine_memory_mb(bare), -1);
    cJSON_Delete(bare);
}

static void test_checks(void **state)
{
    (void)state;
    cJSON *m = parse("{\"checks\":[{\"status\":\"passing\"},{\"status\":\"critical\"},"
                     "{\"status\":\"warning\"},{\"status\":\"passing\"},{},"
                     "{\"name\":\"bg_deployments_compat-00-http-8080\",\"status\":\"critical\"},"
                     "{\"name\":\"bg_deployments_compat\",\"status\":\"warning\"}]}");
    fly_checks ck; /* the bg_deployments_compat* fakes are not counted (fly-go) */
    fly_machine_checks(m, &ck);
    assert_int_equal(ck.total, 5);
    assert_int_equal(ck.passing, 2);
    assert_int_equal(ck.warning, 1);
    assert_int_equal(ck.critical, 1);
    cJSON_Delete(m);
}

/* The reference's event list (newest first), an exit with exited_at as a
 * string, plus an older one in the MonitorEvent nesting with integer ms. */
static const char *events_json =
    "{\"events\":["
    " {\"type\":\"start\",\"status\":\"started\",\"timestamp\":1772460451220},"
    " {\"type\":\"exit\",\"status\":\"stopped\",\"timestamp\":1772460449874,"
    "  \"request\":{\"exit_event\":{\"exit_code\":137,\"guest_exit_code\":0,\"guest_signal\":-1,"
    "   \"oom_killed\":true,\"requested_stop\":false,\"restarting\":true,\"signal\":-1,"
    "   \"exited_at\":\"2026-03-02T14:07:29.801Z\"},\"restart_count\":1}},"
    " {\"type\":\"exit\",\"status\":\"stopped\",\"timestamp\":1772000000000,"
    "  \"request\":{\"MonitorEvent\":{\"exit_event\":{\"exit_code\":\"137\",\"signal\":9,"
    "   \"exited_at\":1771999999000}},"
    "   \"exit_event\":{\"exit_code\":0,\"exited_at\":1}}},"
    " {\"type\":\"exit\",\"status\":\"stopped\",\"timestamp\":1771000000000,"
    "  \"request\":{\"exit_event\":{\"exit_code\":0,\"requested_stop\":true}}},"
    " {\"type\":\"exit\",\"status\":\"stopped\",\"timestamp\":1770900000000,"
    "  \"request\":{\"exit_event\":{\"exit_code\":137,\"oom_killed\":true,"
    "   \"exited_at\":\"0001-01-01T00:00:00Z\"}}},"
    " {\"type\":\"launch\",\"status\":\"created\",\"timestamp\":1770834125470}]}";

static void test_exit_events(void **state)
{
    (void)state;
    cJSON *m = parse(events_json);
    const cJSON *ev = cJSON_GetObjectItem(m, "events");
    fly_exit e;

    assert_int_equal(fly_exit_from_event(cJSON_GetArrayItem(ev, 0), &e), -1); /* start */
    assert_int_equal(fly_exit_from_event(cJSON_GetArrayItem(ev, 1), &e), 0);
    assert_int_equal(e.exit_code, 137);
    assert_true(e.oom_killed);
    assert_false(e.requested_stop);
    assert_int_equal(e.restart_count, 1);
    assert_int_equal((long long)e.when, 1772460449LL); /* exited_at string */
    assert_true(fly_exit_is_oom(&e));

    /* MonitorEvent wins over the plain exit_event; exited_at in ms. */
    assert_int_equal(fly_exit_from_event(cJSON_GetArrayItem(ev, 2), &e), 0);
    assert_int_equal(e.exit_code, 137);
    assert_false(e.oom_killed);
    assert_int_equal(e.signal, 9);
    assert_int_equal((long long)e.when, 1771999999LL);
    assert_true(fly_exit_is_oom(&e)); /* 137 + SIGKILL */
    assert_int_equal(e.restart_count, -1);

    /* No exited_at: the event's timestamp. */
    assert_int_equal(fly_exit_from_event(cJSON_GetArrayItem(ev, 3), &e), 0);
    assert_int_equal((long long)e.when, 1771000000LL);
    assert_true(e.requested_stop);
    assert_false(fly_exit_is_oom(&e));

    /* exited_at is Go's zero time (fly-go: time.Time, no omitempty): the
     * event's timestamp. */
    assert_int_equal(fly_exit_from_event(cJSON_GetArrayItem(ev, 4), &e), 0);
    assert_int_equal((long long)e.when, 1770900000LL);
    assert_true(fly_exit_is_oom(&e));

    char buf[160];
    assert_int_equal(fly_machine_last_exit(m, &e), 0);
    fly_exit_describe(&e, buf, sizeof buf);
    assert_string_equal(buf, "exit_code=137 oom_killed=true requested_stop=false at 2026-03-02T14:07:29Z");
    cJSON_Delete(m);
}

static void test_last_exit_order_and_none(void **state)
{
    (void)state;
    /* Oldest first: the newest is still picked by time. */
    cJSON *m = parse("{\"events\":[{\"type\":\"exit\",\"timestamp\":1000000000000,"
                     "\"request\":{\"exit_event\":{\"exit_code\":1}}},"
                     "{\"type\":\"exit\",\"timestamp\":2000000000000,"
                     "\"request\":{\"exit_event\":{\"exit_code\":2}}}]}");
    fly_exit e;
    assert_int_equal(fly_machine_last_exit(m, &e), 0);
    assert_int_equal(e.exit_code, 2);
    cJSON_Delete(m);
    cJSON *none = parse("{\"events\":[{\"type\":\"start\",\"timestamp\":1}]}");
    assert_int_equal(fly_machine_last_exit(none, &e), -1);
    cJSON_Delete(none);
}

static void test_exits_since(void **state)
{
    (void)state;
    cJSON *m = parse(events_json);
    fly_exit_stats st;
    /* Window from before all events: 4 exits, 1 requested stop, 3 OOM (one
     * placed by its event timestamp, its exited_at being Go's zero time). */
    fly_machine_exits_since(m, 1700000000, &st);
    assert_int_equal(st.ooms, 3);
    assert_int_equal(st.restarts, 3);
    assert_true(st.have_oom);
    assert_int_equal((long long)st.newest_oom.when, 1772460449LL);
    /* Window starting after the second OOM: only the newest exit. */
    fly_machine_exits_since(m, 1772400000, &st);
    assert_int_equal(st.ooms, 1);
    assert_int_equal(st.restarts, 1);
    /* Window after everything. */
    fly_machine_exits_since(m, 1772460450, &st);
    assert_int_equal(st.ooms, 0);
    assert_int_equal(st.restarts, 0);
    assert_false(st.have_oom);
    cJSON_Delete(m);

    /* An exit with no time at all is counted, not hidden. */
    cJSON *nt = parse("{\"events\":[{\"type\":\"exit\",\"request\":{\"exit_event\":{\"oom_killed\":\"true\"}}}]}");
    fly_machine_exits_since(nt, 1900000000, &st);
    assert_int_equal(st.ooms, 1);
    cJSON_Delete(nt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_active_filter), cmocka_unit_test(test_autostop),
        cmocka_unit_test(test_services),      cmocka_unit_test(test_checks),
        cmocka_unit_test(test_exit_events),   cmocka_unit_test(test_last_exit_order_and_none),
        cmocka_unit_test(test_exits_since),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
