/*
 * fly_machines.c - pure reading of Fly Machine objects (see fly_machines.h).
 * Owner: issue 4 (fly plugin).  The shapes and quirks followed here are
 * those of ../shared/reference/external-apis.md §1.3-1.6.
 */
#include "fly_machines.h"

#include "../common/json.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

fly_autostop fly_autostop_decode(const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return FLY_AUTOSTOP_ABSENT;
    if (cJSON_IsFalse(v))
        return FLY_AUTOSTOP_OFF;
    if (cJSON_IsTrue(v))
        return FLY_AUTOSTOP_STOP;
    fly_autostop a;
    if (cJSON_IsString(v) && v->valuestring && fly_autostop_parse(v->valuestring, &a) == 0)
        return a;
    return FLY_AUTOSTOP_UNKNOWN;
}

const char *fly_autostop_name(fly_autostop a)
{
    switch (a) {
    case FLY_AUTOSTOP_ABSENT:
    case FLY_AUTOSTOP_OFF: return "off";
    case FLY_AUTOSTOP_STOP: return "stop";
    case FLY_AUTOSTOP_SUSPEND: return "suspend";
    case FLY_AUTOSTOP_UNKNOWN: break;
    }
    return "unknown";
}

int fly_autostop_parse(const char *s, fly_autostop *out)
{
    if (!strcasecmp(s, "off") || !strcasecmp(s, "false"))
        *out = FLY_AUTOSTOP_OFF;
    else if (!strcasecmp(s, "stop") || !strcasecmp(s, "true"))
        *out = FLY_AUTOSTOP_STOP;
    else if (!strcasecmp(s, "suspend"))
        *out = FLY_AUTOSTOP_SUSPEND;
    else
        return -1;
    return 0;
}

/* config, or incomplete_config when the host could not give the full one. */
static const cJSON *fly_config(const cJSON *m)
{
    const cJSON *c = json_get(m, "config");
    return c ? c : json_get(m, "incomplete_config");
}

const char *fly_machine_group(const cJSON *m)
{
    const cJSON *meta = json_get(fly_config(m), "metadata");
    const char *g = json_str(meta, "fly_process_group");
    if (!g || !*g)
        g = json_str(meta, "process_group");
    return g ? g : "";
}

int fly_machine_is_active(const cJSON *m)
{
    const char *state = json_str(m, "state");
    if (state && (!strcmp(state, "destroyed") || !strcmp(state, "destroying")))
        return 0;
    const char *g = fly_machine_group(m);
    const char *legacy = json_str(json_get(fly_config(m), "metadata"), "process_group");
    if (!strcmp(g, "fly_app_release_command") || (legacy && !strcmp(legacy, "release_command")))
        return 0;
    if (!strcmp(g, "fly_app_console"))
        return 0;
    return 1;
}

size_t fly_active_machines(const cJSON *list, const char *group, const cJSON ***out, size_t *ignored)
{
    size_t cap = (size_t)cJSON_GetArraySize(list), n = 0, skip = 0;
    const cJSON **v = calloc(cap ? cap : 1, sizeof *v);
    if (!v)
        abort();
    const cJSON *m;
    cJSON_ArrayForEach(m, list) {
        if (!cJSON_IsObject(m) || !fly_machine_is_active(m)) {
            skip++;
            continue;
        }
        if (group && *group && strcmp(fly_machine_group(m), group) != 0)
            continue;
        v[n++] = m;
    }
    *out = v;
    if (ignored)
        *ignored = skip;
    return n;
}

/* A number at KEY as long long, or DEF (also when out of range: the cast
 * of 1e300 is undefined). */
static long long fly_ll(const cJSON *o, const char *key, long long def)
{
    double d;
    return json_num(o, key, &d) == 0 && d > -9.2e18 && d < 9.2e18 ? (long long)d : def;
}

size_t fly_machine_services(const cJSON *m, fly_service *out, size_t max)
{
    const cJSON *svcs = json_get(fly_config(m), "services");
    const cJSON *s;
    size_t n = 0;
    cJSON_ArrayForEach(s, svcs) {
        if (!cJSON_IsObject(s))
            continue;
        if (n < max) {
            fly_service *o = &out[n];
            const cJSON *cc = json_get(s, "concurrency");
            const char *type = json_str(cc, "type");
            o->internal_port = fly_ll(s, "internal_port", -1);
            o->autostop = fly_autostop_decode(json_get(s, "autostop"));
            o->min_running = fly_ll(s, "min_machines_running", -1);
            o->conc_given = cJSON_IsObject(cc);
            o->conc_type = type && *type ? type : "connections";
            o->soft_limit = fly_ll(cc, "soft_limit", 20);
            o->hard_limit = fly_ll(cc, "hard_limit", -1);
        }
        n++;
    }
    return n;
}

long long fly_machine_memory_mb(const cJSON *m)
{
    return fly_ll(json_get(fly_config(m), "guest"), "memory_mb", -1);
}

void fly_machine_checks(const cJSON *m, fly_checks *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *c;
    cJSON_ArrayForEach(c, json_get(m, "checks")) {
        const char *st = json_str(c, "status"), *name = json_str(c, "name");
        /* flaps still inserts fake "bg_deployments_compat*" checks for old
         * flyctl builds; fly-go drops them (Machine.RemoveCompatChecks). */
        if (name && !strncmp(name, "bg_deployments_compat", 21))
            continue;
        out->total++;
        if (!st)
            continue;
        if (!strcmp(st, "passing"))
            out->passing++;
        else if (!strcmp(st, "warning"))
            out->warning++;
        else if (!strcmp(st, "critical"))
            out->critical++;
    }
}

const cJSON *fly_event_exit_object(const cJSON *event)
{
    const cJSON *req = json_get(event, "request");
    const cJSON *e = json_get(json_get(req, "MonitorEvent"), "exit_event");
    if (cJSON_IsObject(e))
        return e;
    e = json_get(req, "exit_event");
    return cJSON_IsObject(e) ? e : NULL;
}

/* An integer field, or DEF (also when out of int range). */
static int fly_int(const cJSON *o, const char *key, int def)
{
    double d;
    return json_num(o, key, &d) == 0 && d > INT_MIN - 1.0 && d < INT_MAX + 1.0 ? (int)d : def;
}

int fly_exit_from_event(const cJSON *event, fly_exit *out)
{
    const char *type = json_str(event, "type");
    const cJSON *x = fly_event_exit_object(event);
    if (!x && !(type && !strcmp(type, "exit")))
        return -1;
    memset(out, 0, sizeof *out);
    out->exit_code = fly_int(x, "exit_code", -1);
    out->oom_killed = json_bool(x, "oom_killed") == 1;
    out->requested_stop = json_bool(x, "requested_stop") == 1;
    int sig = fly_int(x, "signal", -1), gsig = fly_int(x, "guest_signal", -1);
    out->signal = sig > 0 ? sig : gsig > 0 ? gsig : -1;
    /* fly-go's exited_at is a time.Time without omitempty: unset, it arrives
     * as Go's zero time 0001-01-01T00:00:00Z.  No exit happened before 1970,
     * so such a time (or none) gives way to the event's timestamp. */
    if (json_time(x, "exited_at", &out->when) != 0 || out->when <= 0) {
        if (json_time(event, "timestamp", &out->when) != 0 || out->when <= 0)
            out->when = 0;
    }
    const cJSON *req = json_get(event, "request");
    out->restart_count = fly_int(req, "restart_count", -1);
    if (out->restart_count < 0)
        out->restart_count = fly_int(json_get(req, "MonitorEvent"), "restart_count", -1);
    return 0;
}

int fly_exit_is_oom(const fly_exit *e)
{
    return e->oom_killed || (e->exit_code == 137 && e->signal == 9);
}

int fly_machine_last_exit(const cJSON *m, fly_exit *out)
{
    const cJSON *ev;
    int found = 0;
    fly_exit x;
    cJSON_ArrayForEach(ev, json_get(m, "events")) {
        if (fly_exit_from_event(ev, &x) != 0)
            continue;
        if (!found || x.when > out->when)
            *out = x;
        found = 1;
    }
    return found ? 0 : -1;
}

void fly_machine_exits_since(const cJSON *m, time_t since, fly_exit_stats *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *ev;
    fly_exit x;
    cJSON_ArrayForEach(ev, json_get(m, "events")) {
        /* An exit without a time cannot be placed: count it, so an
         * OOM kill is never hidden by a missing timestamp. */
        if (fly_exit_from_event(ev, &x) != 0 || (x.when != 0 && x.when < since))
            continue;
        if (!x.requested_stop)
            out->restarts++;
        if (fly_exit_is_oom(&x)) {
            out->ooms++;
            if (!out->have_oom || x.when > out->newest_oom.when)
                out->newest_oom = x;
            out->have_oom = 1;
        }
    }
}

void fly_time_str(time_t t, char *buf, size_t n)
{
    struct tm tm;
    if (t == 0 || !gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "unknown time");
}

void fly_exit_describe(const fly_exit *e, char *buf, size_t n)
{
    char when[32];
    fly_time_str(e->when, when, sizeof when);
    snprintf(buf, n, "exit_code=%d oom_killed=%s requested_stop=%s at %s", e->exit_code,
             e->oom_killed ? "true" : "false", e->requested_stop ? "true" : "false", when);
}
