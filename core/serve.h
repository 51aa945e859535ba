/*
 * serve.h - `opscheck serve`: the runbook as a long-running exporter and
 * status page.  Who owns what:
 *   serve.c        the command: options, config (load, SIGHUP reload), the
 *                  schedule loop on the main thread, the stop;
 *   serve_sched.c  when a checklist is due, and one round: `opscheck run NAME`
 *                  as a child process (/proc/self/exe), so every guarantee
 *                  of `run` (plan, zygotes, deadlines, masking, reaping)
 *                  holds unchanged; serve keeps only the results;
 *   serve_state.c  the results: the latest round and the last N per
 *                  checklist, the page's state, /api/results, /metrics;
 *   serve_http.c   the endpoints (libmicrohttpd, one thread per connection);
 *   serve_web.c    --web-config: TLS and basic auth (serve_web.h);
 *   serve_auth.c   a request's credentials checked.
 * One mutex (serve_ctx.mu) guards everything below it, redact() included
 * (a reload registers new secrets while requests are answered).
 */
#ifndef OC_SERVE_H
#define OC_SERVE_H

#include <pthread.h>
#include <sys/types.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "util.h"

/* A round's outcome, worst last but one; SV_NEVER: no round yet. */
typedef enum { SV_SKIP, SV_PASS, SV_WARN, SV_ERROR, SV_FAIL, SV_NEVER, SV_NSTATUS } sv_status;
const char *sv_status_name(sv_status s);

/* One check in one kept round. */
typedef struct sv_check_rec {
    char *name;
    sv_status status;
    long long duration_ms;
} sv_check_rec;

/* One finished round. */
typedef struct sv_round {
    time_t started;      /* wall clock */
    double seconds;
    sv_status status;
    char *error;         /* why the round itself failed (masked), or NULL */
    cJSON *report;       /* its --json report, or NULL (crashed, killed, config error) */
    char *prom;          /* its --prometheus text, or NULL */
    sv_check_rec *checks;
    size_t nchecks;
} sv_round;

/* One [checklist NAME] of the config and what serve knows of it. */
typedef struct sv_list {
    char *name, *description, *every, *at;
    long long every_ms;
    int at_minute;                /* -1: none */
    int running;                  /* a round is under way (never two) */
    long long next_due_ms;        /* wall clock in ms; 0: unscheduled */
    long long last_start_ms;      /* when the latest round started; 0: none yet */
    sv_round latest;              /* .status SV_NEVER before the first */
    sv_round *hist;               /* ring of the kept rounds (their checks only) */
    size_t hist_n, hist_head;
    unsigned long long rounds[SV_NSTATUS]; /* rounds by outcome since serve started */
} sv_list;

typedef struct serve_ctx {
    pthread_mutex_t mu;
    pthread_cond_t idle;          /* signalled when a round ends */
    sv_list *lists;
    size_t nlists;
    strvec files;                 /* the -c files, handed to every round */
    size_t history;               /* N rounds kept per checklist */
    char *reload_error;           /* the last SIGHUP's failure (masked), or NULL */
    char *metrics;                /* /metrics as last built, or NULL: kept until sv_state_changed() */
    char *tmpdir;                 /* private folder for the rounds' reports */
    unsigned long seq;            /* names each round's files */
    pid_t *pids;                  /* running rounds, for the stop */
    size_t npids;
    size_t active;                /* rounds under way (scheduled and probes) */
    int stopping;
    struct sv_web *web;           /* --web-config, or NULL (serve.c swaps it at SIGHUP) */
    unsigned long web_gen;        /* counts the swaps (serve_auth.c's cache) */
} serve_ctx;

/* serve_sched.c */
long long sv_wall_ms(void);
/* When LIST is next due after a round started at FROM_MS (0: serve just
 * started); 0 when it has no schedule. */
long long sv_next_due(const sv_list *l, long long from_ms, long long now);
/* Runs a round of the checklist NAME now, in this thread, and records it;
 * DEADLINE_MS (wall clock, 0: none) cuts it (the run is told to stop, so
 * cut checks are reported).  The caller has set running and active under
 * the lock; this clears them.  *OUT (if not NULL) gets the probe's text. */
void sv_round_run(serve_ctx *s, const char *name, long long deadline_ms, char **prom_out);
/* Starts a scheduled round of lists[I] on its own thread (locked). */
void sv_round_start(serve_ctx *s, size_t i);
/* Stops every running round: SIGTERM, then SIGKILL to its process group
 * after GRACE_MS; returns when none is left. */
void sv_rounds_stop(serve_ctx *s, long long grace_ms);

/* serve_state.c (every function here is called with the lock held) */
sv_list *sv_find(serve_ctx *s, const char *name);
void sv_round_clear(sv_round *r);
/* Records round R (moved in) as the latest of L and in its history. */
void sv_record(serve_ctx *s, sv_list *l, sv_round *r);
void sv_list_clear(sv_list *l);
/* The status page's state (serve_page.h); the caller frees it. */
cJSON *sv_state_json(serve_ctx *s);
/* /api/results (NAME NULL) or /api/results/NAME: malloc'd JSON. */
char *sv_results_json(serve_ctx *s, const sv_list *one);
/* /metrics: every checklist's latest series merged, plus serve's own;
 * malloc'd.  Built once per change, not per scrape: the text depends only
 * on the recorded rounds, the checklists, the reload error and the secrets
 * masked, and every change of those calls sv_state_changed(). */
char *sv_metrics_text(serve_ctx *s);
/* Drops what was built from the state (sv_record calls it; so must whoever
 * swaps the checklists, sets reload_error or registers secrets). */
void sv_state_changed(serve_ctx *s);

/* serve_http.c */
struct MHD_Daemon;
/* Serves S on the listening socket FD, over TLS when WEB says so; NULL
 * after saying why. */
struct MHD_Daemon *sv_http_start(serve_ctx *s, int fd, const struct sv_web *web);
/* WEB's certificate and key taken by GnuTLS (tried on a daemon with no
 * socket): 0, or -1 with *WHY (one line, FILE:LINE). */
int sv_http_tls_check(const struct sv_web *web, char **why);
/* Stops taking connections on *D and serves its socket with WEB's TLS
 * instead (*D's connections are closed, clients reconnect): 0; 1 when *D
 * serves on with OLD's; -1 when nothing serves any more (said why). */
int sv_http_restart(serve_ctx *s, struct MHD_Daemon **d, const struct sv_web *web, const struct sv_web *old);
void sv_http_stop(struct MHD_Daemon *d);

/* serve_auth.c (they take the lock) */
/* Basic auth is on: the web config has users. */
int sv_auth_needed(serve_ctx *s);
/* USER and PASS are one of the web config's pairs (1), or not (0). */
int sv_auth_check(serve_ctx *s, const char *user, const char *pass);
/* SipHash-2-4 with its 128-bit output (the reference's outlen 16): the
 * cache's keyed hash (tests/unit/test_serve_auth.c has its test vectors). */
void sv_siphash128(const unsigned char *in, size_t n, const unsigned char k[16], unsigned char out[16]);

#endif
