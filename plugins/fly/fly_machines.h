/*
 * fly_machines.h - pure reading of Fly Machine objects (no I/O, no oc_*):
 * which machines count as active, what their services say about autostop
 * and concurrency, and what their exit events say about OOM kills and
 * restarts.  Unit-tested in tests/unit/test_fly_machines.c.
 *
 * Ownership: every const char * returned points into the caller's cJSON
 * tree and lives as long as it.
 */
#ifndef FLY_MACHINES_H
#define FLY_MACHINES_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

/* services[].autostop: the API answers false (off), true (stop) or
 * "suspend"; it accepts "off"/"stop" too, and absent means off. */
typedef enum fly_autostop {
    FLY_AUTOSTOP_ABSENT = 0, /* not in the config: Fly's default, off */
    FLY_AUTOSTOP_OFF,
    FLY_AUTOSTOP_STOP,
    FLY_AUTOSTOP_SUSPEND,
    FLY_AUTOSTOP_UNKNOWN     /* a value we do not know */
} fly_autostop;

fly_autostop fly_autostop_decode(const cJSON *value);
/* "off" for both ABSENT and OFF: the effective setting. */
const char *fly_autostop_name(fly_autostop a);
/* An INI value: off/stop/suspend, also false/true.  0 or -1. */
int fly_autostop_parse(const char *s, fly_autostop *out);

/* The machine's process group (metadata fly_process_group, else the older
 * process_group), or "" when none. */
const char *fly_machine_group(const cJSON *m);

/* Active as `flyctl status` counts them (flaps ListActive): not destroyed
 * or destroying, not a release-command machine, not a console machine. */
int fly_machine_is_active(const cJSON *m);

/* Active machines of LIST (a JSON array), in order, optionally only of
 * process group GROUP (NULL: all).  *out is a malloc'd array of pointers
 * into LIST (free it); *ignored counts the inactive ones left out. */
size_t fly_active_machines(const cJSON *list, const char *group, const cJSON ***out, size_t *ignored);

/* One services[] entry, with Fly's defaults applied where it has them. */
typedef struct fly_service {
    long long internal_port;       /* -1 when absent */
    fly_autostop autostop;
    long long min_running;         /* -1 when absent */
    const char *conc_type;         /* "connections" when absent (Fly's default) */
    long long soft_limit;          /* 20 when absent (Fly's default) */
    long long hard_limit;          /* -1: none */
    int conc_given;                /* concurrency object present */
} fly_service;

/* The services of machine M (config.services); returns their count and
 * fills at most MAX of OUT. */
size_t fly_machine_services(const cJSON *m, fly_service *out, size_t max);

/* config.guest.memory_mb, or -1. */
long long fly_machine_memory_mb(const cJSON *m);

/* Runtime health checks (root "checks" array): counts by status. */
typedef struct fly_checks {
    int total, passing, warning, critical;
} fly_checks;
void fly_machine_checks(const cJSON *m, fly_checks *out);

/* An exit event's facts; times are seconds since the epoch. */
typedef struct fly_exit {
    int exit_code;       /* -1 unknown */
    int oom_killed;      /* 1/0 */
    int requested_stop;  /* 1/0 */
    int signal;          /* signal or guest_signal when >0, else -1 */
    time_t when;         /* exited_at, else the event's timestamp; 0 unknown */
    int restart_count;   /* request.restart_count, -1 absent */
} fly_exit;

/* The exit_event object of EVENT: request.MonitorEvent.exit_event is
 * preferred (as fly-go does), then request.exit_event; NULL if none. */
const cJSON *fly_event_exit_object(const cJSON *event);

/* Facts of EVENT when it is an exit (type "exit" or has an exit_event).
 * Returns 0, or -1 when EVENT is no exit. */
int fly_exit_from_event(const cJSON *event, fly_exit *out);

/* An OOM kill: oom_killed, or exit code 137 with signal 9. */
int fly_exit_is_oom(const fly_exit *e);

/* The newest exit event of M (by time; events come newest first but we do
 * not rely on it).  0, or -1 when M has none. */
int fly_machine_last_exit(const cJSON *m, fly_exit *out);

/* Exit events of M at or after SINCE: OOM kills and unplanned exits
 * (not requested stops: each one is a restart by the restart policy).
 * newest_oom is the newest OOM exit when have_oom is set.  Exits with no
 * time at all are counted (an OOM kill is never hidden by a missing time). */
typedef struct fly_exit_stats {
    int ooms;
    int restarts;
    int have_oom;
    fly_exit newest_oom;
} fly_exit_stats;
void fly_machine_exits_since(const cJSON *m, time_t since, fly_exit_stats *out);

/* "exit_code=137 oom_killed=true requested_stop=false at 2026-...Z" */
void fly_exit_describe(const fly_exit *e, char *buf, size_t n);

/* T as "2026-03-02T14:07:29Z" (UTC). */
void fly_time_str(time_t t, char *buf, size_t n);

#endif
