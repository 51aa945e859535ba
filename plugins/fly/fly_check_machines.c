/*
 * fly_check_machines.c - the fly plugin's machine assertions: one per fact
 * per active machine (runbook §1 config facts, §2.1 state and region, §4
 * OOM kills and restarts), then the started count for the app.  A failing
 * machine assertion carries that machine's incident facts as diagnostics.
 * Owner: issue 4.
 */
#include "fly_int.h"

#include "../common/json.h"
#include "fly_machines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLY_MAX_SERVICES 16

/* The facts an operator needs about machine M when an assertion fails
 * (runbook §4: state, region, last exit, restart count, memory).  Diags
 * belong to the whole check, so each machine's are given once; the core
 * numbers repeated keys (machine_2, state_2...) for a second machine. */
static void fly_diag_machine(fly_ctx *x, const cJSON *m)
{
    oc_check *c = x->c;
    const char *s;
    if (x->diagged == m)
        return;
    x->diagged = m;
    oc_diag(c, "machine", "%s", (s = json_str(m, "id")) ? s : "?");
    oc_diag(c, "state", "%s", (s = json_str(m, "state")) ? s : "?");
    oc_diag(c, "region", "%s", (s = json_str(m, "region")) ? s : "?");
    if ((s = json_str(m, "host_status")) && strcmp(s, "ok") != 0)
        oc_diag(c, "host_status", "%s", s);
    if (x->app_status && strcmp(x->app_status, "deployed") != 0)
        oc_diag(c, "app_status", "%s", x->app_status);
    fly_exit e;
    if (fly_machine_last_exit(m, &e) == 0) {
        char buf[160];
        fly_exit_describe(&e, buf, sizeof buf);
        oc_diag(c, "last_exit", "%s", buf);
        if (e.restart_count >= 0)
            oc_diag(c, "restart_count", "%d", e.restart_count);
    } else {
        oc_diag(c, "last_exit", "none");
    }
    long long mem = fly_machine_memory_mb(m);
    if (mem >= 0)
        oc_diag(c, "memory_mb", "%lld", mem);
}

/* pass or fail with expected/seen; on failure the machine's facts. */
static void fly_assert(fly_ctx *x, const cJSON *m, int ok, const char *expected, const char *seen,
                       const char *name)
{
    if (ok) {
        oc_pass(x->c, "%s", name);
        return;
    }
    oc_fail(x->c, "%s", name);
    oc_expect(x->c, expected, seen);
    fly_diag_machine(x, m);
}

static int fly_in_list(const char *s, const char *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, items[i]))
            return 1;
    return 0;
}

/* "started in gru": state, and region when regions are asserted. */
static void fly_check_state(fly_ctx *x, const cJSON *m, const char *id)
{
    const char *want = oc_opt_str(x->c, "state");
    const char *state = json_str(m, "state"), *region = json_str(m, "region");
    const char *const *regions;
    size_t nreg = oc_opt_list(x->c, "regions", &regions);
    state = state ? state : "unknown";
    region = region ? region : "unknown";
    int ok = !strcmp(state, want) && (nreg == 0 || fly_in_list(region, regions, nreg));

    char expected[256], seen[128], name[256];
    int k = snprintf(expected, sizeof expected, "%s", want);
    for (size_t i = 0; i < nreg && k > 0 && (size_t)k < sizeof expected; i++)
        k += snprintf(expected + k, sizeof expected - (size_t)k, "%s%s", i ? " or " : " in ", regions[i]);
    snprintf(seen, sizeof seen, "%s in %s", state, region);
    snprintf(name, sizeof name, "machine %s %s in %s", id, want, region);
    fly_assert(x, m, ok, expected, seen, name);
}

static void fly_check_health(fly_ctx *x, const cJSON *m, const char *id)
{
    fly_checks ck;
    char seen[128], name[160];
    fly_machine_checks(m, &ck);
    snprintf(seen, sizeof seen, "%d total, %d passing, %d warning, %d critical", ck.total, ck.passing,
             ck.warning, ck.critical);
    snprintf(name, sizeof name, "machine %s health checks passing", id);
    fly_assert(x, m, ck.total > 0 && ck.passing == ck.total,
               ck.total ? "all passing" : "at least one health check, all passing", seen, name);
}

/* One service fact, compared on every service of the machine.  GET gives
 * the service's value as text; "seen" lists every service's value. */
typedef const char *(*fly_svc_get)(const fly_service *s, char *buf, size_t n);

static void fly_check_services(fly_ctx *x, const cJSON *m, const char *id, const char *label,
                               const char *want, fly_svc_get get)
{
    fly_service sv[FLY_MAX_SERVICES];
    size_t n = fly_machine_services(m, sv, FLY_MAX_SERVICES);
    char seen[512] = "", val[64], name[200];
    int ok = n > 0;
    size_t k = 0;
    if (n > FLY_MAX_SERVICES)
        n = FLY_MAX_SERVICES;
    for (size_t i = 0; i < n && k < sizeof seen; i++) {
        const char *v = get(&sv[i], val, sizeof val);
        if (strcmp(v, want) != 0)
            ok = 0;
        if (n == 1)
            k += (size_t)snprintf(seen + k, sizeof seen - k, "%s", v);
        else
            k += (size_t)snprintf(seen + k, sizeof seen - k, "%s%s (port %lld)", i ? ", " : "", v,
                                  sv[i].internal_port);
    }
    if (n == 0)
        snprintf(seen, sizeof seen, "no services");
    snprintf(name, sizeof name, "machine %s %s %s", id, label, want);
    fly_assert(x, m, ok, want, seen, name);
}

static const char *fly_get_autostop(const fly_service *s, char *buf, size_t n)
{
    (void)buf;
    (void)n;
    return fly_autostop_name(s->autostop);
}

static const char *fly_get_min_running(const fly_service *s, char *buf, size_t n)
{
    snprintf(buf, n, "%lld", s->min_running < 0 ? 0 : s->min_running); /* omitted = 0 */
    return buf;
}

static const char *fly_get_conc_type(const fly_service *s, char *buf, size_t n)
{
    (void)buf;
    (void)n;
    return s->conc_type;
}

static const char *fly_get_soft(const fly_service *s, char *buf, size_t n)
{
    snprintf(buf, n, "%lld", s->soft_limit);
    return buf;
}

static const char *fly_get_hard(const fly_service *s, char *buf, size_t n)
{
    if (s->hard_limit < 0)
        return "none";
    snprintf(buf, n, "%lld", s->hard_limit);
    return buf;
}

/* autostop: "off" also when the service says nothing (Fly's default), and
 * a machine with no services never autostops, so "off" holds there too. */
static void fly_check_autostop(fly_ctx *x, const cJSON *m, const char *id)
{
    const char *opt = oc_opt_str(x->c, "autostop");
    fly_autostop want;
    if (fly_autostop_parse(opt, &want) != 0) {
        oc_error(x->c, "configuration: option autostop is off, stop or suspend");
        oc_expect(x->c, "off, stop or suspend", opt);
        return;
    }
    fly_service sv[1];
    if (want == FLY_AUTOSTOP_OFF && fly_machine_services(m, sv, 1) == 0) {
        oc_pass(x->c, "machine %s autostop off (no services)", id);
        return;
    }
    fly_check_services(x, m, id, "autostop", fly_autostop_name(want), fly_get_autostop);
}

static void fly_check_num_opt(fly_ctx *x, const cJSON *m, const char *id, const char *key, fly_svc_get get)
{
    char want[32];
    snprintf(want, sizeof want, "%lld", oc_opt_int(x->c, key));
    fly_check_services(x, m, id, key, want, get);
}

static void fly_check_memory(fly_ctx *x, const cJSON *m, const char *id)
{
    long long want = oc_opt_int(x->c, "memory_mb_min"), mem = fly_machine_memory_mb(m);
    char expected[48], seen[48], name[160];
    snprintf(expected, sizeof expected, ">= %lld MB", want);
    snprintf(seen, sizeof seen, mem < 0 ? "unknown" : "%lld MB", mem);
    snprintf(name, sizeof name, "machine %s memory >= %lld MB", id, want);
    fly_assert(x, m, mem >= want, expected, seen, name);
}

static void fly_check_env(fly_ctx *x, const cJSON *m, const char *id)
{
    const char *const *names, *const *values;
    size_t n = oc_opt_map(x->c, "env", &names, &values);
    const cJSON *cfg = json_get(m, "config");
    const cJSON *env = json_get(cfg ? cfg : json_get(m, "incomplete_config"), "env");
    for (size_t i = 0; i < n; i++) {
        char *seen = json_text(json_get(env, names[i]));
        char name[256];
        snprintf(name, sizeof name, "machine %s %s = %s", id, names[i], values[i]);
        fly_assert(x, m, seen && !strcmp(seen, values[i]), values[i], seen ? seen : "(unset)", name);
        free(seen);
    }
}

/* OOM kills and unplanned exits inside oom_window; returns the restarts. */
static int fly_check_exits(fly_ctx *x, const cJSON *m, const char *id)
{
    long long win = oc_opt_duration_ms(x->c, "oom_window");
    char wtxt[32], name[200], seen[256];
    fly_exit_stats st;
    fly_dur_str(win, wtxt, sizeof wtxt);
    fly_machine_exits_since(m, x->now - (time_t)(win / 1000), &st);
    if (win > 0) {
        if (st.have_oom) {
            char d[160];
            fly_exit_describe(&st.newest_oom, d, sizeof d);
            snprintf(seen, sizeof seen, "%d OOM kill(s), newest %s", st.ooms, d);
        } else {
            snprintf(seen, sizeof seen, "none");
        }
        snprintf(name, sizeof name, "machine %s no OOM kill in %s", id, wtxt);
        fly_assert(x, m, st.ooms == 0, "none", seen, name);
    }
    if (oc_opt_isset(x->c, "restarts_max")) {
        long long max = oc_opt_int(x->c, "restarts_max");
        char expected[48];
        snprintf(expected, sizeof expected, "<= %lld", max);
        snprintf(seen, sizeof seen, "%d", st.restarts);
        snprintf(name, sizeof name, "machine %s restarts in %s <= %lld", id, wtxt, max);
        fly_assert(x, m, st.restarts <= max, expected, seen, name);
    }
    return st.restarts;
}

/* Every asserted fact of one machine, in a fixed order. */
static int fly_check_machine(fly_ctx *x, const cJSON *m)
{
    oc_check *c = x->c;
    const char *id = json_str(m, "id");
    char *idtxt = id ? NULL : json_text(json_get(m, "id")); /* ids as numbers, leniently */
    if (!id)
        id = idtxt ? idtxt : "(no id)";

    fly_check_state(x, m, id);
    if (oc_opt_isset(c, "checks_passing") && oc_opt_bool(c, "checks_passing"))
        fly_check_health(x, m, id);
    if (oc_opt_isset(c, "autostop"))
        fly_check_autostop(x, m, id);
    if (oc_opt_isset(c, "min_machines_running"))
        fly_check_num_opt(x, m, id, "min_machines_running", fly_get_min_running);
    if (oc_opt_isset(c, "concurrency_type"))
        fly_check_services(x, m, id, "concurrency_type", oc_opt_str(c, "concurrency_type"),
                           fly_get_conc_type);
    if (oc_opt_isset(c, "soft_limit"))
        fly_check_num_opt(x, m, id, "soft_limit", fly_get_soft);
    if (oc_opt_isset(c, "hard_limit"))
        fly_check_num_opt(x, m, id, "hard_limit", fly_get_hard);
    if (oc_opt_isset(c, "memory_mb_min"))
        fly_check_memory(x, m, id);
    fly_check_env(x, m, id);
    int restarts = fly_check_exits(x, m, id);
    free(idtxt);
    return restarts;
}

void fly_check_machines(fly_ctx *x)
{
    oc_check *c = x->c;
    fly_result r;
    if (fly_list_machines(&x->api, x->app, &r) != FLY_OK) {
        fly_fail_api(x, "GET machines", &r);
        fly_result_free(&r);
        return;
    }
    const cJSON **ms;
    size_t ignored;
    const char *group = oc_opt_str(c, "process_group");
    size_t n = fly_active_machines(r.json, group, &ms, &ignored);
    long long min = oc_opt_int(c, "min_started");
    char expected[64], seen[96];
    snprintf(expected, sizeof expected, ">= %lld started", min);

    if (n == 0) {
        oc_fail(c, "app %s has active machines", x->app);
        snprintf(seen, sizeof seen, "no active machines (%d listed, %zu inactive)",
                 cJSON_GetArraySize(r.json), ignored);
        oc_expect(c, expected, seen);
        oc_diag(c, "url", "%s", r.url);
        if (group)
            oc_diag(c, "process_group", "%s", group);
        oc_metric(c, "machines_started", 0, "");
    } else {
        int started = 0, restarts = 0;
        for (size_t i = 0; i < n; i++) {
            const char *st = json_str(ms[i], "state");
            started += st && !strcmp(st, "started");
            restarts += fly_check_machine(x, ms[i]);
        }
        snprintf(seen, sizeof seen, "%d of %zu started", started, n);
        if (started >= min) {
            oc_pass(c, "%d of %zu machines started (min %lld)", started, n, min);
        } else {
            oc_fail(c, "%d of %zu machines started (min %lld)", started, n, min);
            oc_expect(c, expected, seen);
        }
        oc_metric(c, "machines_started", started, "");
        oc_metric(c, "restarts", restarts, "");
    }
    free(ms);
    fly_result_free(&r);
}
