/*
 * cmd_run.c - `opscheck run`: where the outputs go (checked before the
 * config is read), the selection, the run, the reports, the summary line
 * and, under --format nagios, the Monitoring Plugins output (report_nagios.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cmd.h"
#include "loop.h"
#include "plan.h"
#include "pretty.h"
#include "redact.h"
#include "report.h"
#include "run.h"
#include "stop.h"
#include "stream.h"
#include "tap.h"

/* The machine-readable reports asked for; 0, or -1 after saying why.  Also
 * after a stop signal: finished checks as they ended, the rest as errors. */
static int write_reports(const cli *o, const cfg *c, const size_t *sel, size_t nsel,
                         const check_result *results, const run_summary *sum, time_t started)
{
    strbuf names = {0};
    for (size_t i = 0; i < o->names.n; i++)
        sb_printf(&names, "%s%s", i ? " " : "", o->names.v[i]);
    report_run r = {.c = c, .sel = sel, .n = nsel, .results = results, .sum = sum,
                    .checklist = names.s ? names.s : "", .started = started, .push_group = &o->push_group,
                    .labels = (const char *const *)o->labels.v, .nlabels = o->labels.n};
    const char *fmt = o->format ? o->format : "";
    struct {
        const char *flag, *target;
        int (*fn)(const report_run *, const char *, char **);
    } reports[] = {
        {"--junit", o->junit, report_junit},
        {"--json", o->json, report_json},
        {"--prometheus", o->prometheus, report_prometheus},
        {"--push", o->push, report_push},
        {"--format junit", strcmp(fmt, "junit") ? NULL : "-", report_junit},
        {"--format json", strcmp(fmt, "json") ? NULL : "-", report_json},
        {"--format prometheus", strcmp(fmt, "prometheus") ? NULL : "-", report_prometheus},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof reports / sizeof *reports; i++) {
        char *err = NULL;
        if (!reports[i].target || reports[i].fn(&r, reports[i].target, &err) == 0)
            continue;
        char *shown = redact(err ? err : "failed");
        fprintf(stderr, "opscheck: %s: %s\n", reports[i].flag, shown); /* err names the target */
        free(shown);
        free(err);
        rc = -1;
    }
    sb_clear(&names);
    return rc;
}

/* Where a run's outputs go, decided (and every report path checked) before
 * the config is read: a bad path costs nothing, not a whole run. */
typedef struct outputs {
    const run_writer *writer;  /* the stream, as it is ready */
    FILE *tap_file;            /* --tap FILE, or NULL */
    int nagios;                /* --format nagios: one line after the run */
    const char *report_on_stdout; /* "--json" when its FILE is stdout, or NULL */
} outputs;

/* 0, or EXIT_USAGE after one line on stderr. */
static int plan_outputs(const cli *o, outputs *out)
{
    memset(out, 0, sizeof *out);
    const char *fmt = o->format;
    strvec claims = {0}; /* what asked for stdout, as the user wrote it */
    if (fmt)
        sv_push(&claims, xasprintf("--format %s", fmt));
    struct {
        const char *flag, *path;
    } files[] = {{"--json", o->json}, {"--junit", o->junit}, {"--prometheus", o->prometheus}, {"--tap", o->tap}};
    int tap_stdout = fmt && strcmp(fmt, "tap") == 0, rc = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files && !rc; i++) {
        int to_stdout = 0;
        char *err = NULL;
        if (!files[i].path)
            continue;
        if (report_check_path(files[i].path, &to_stdout, &err) != 0) {
            fprintf(stderr, "opscheck: %s: %s\n", files[i].flag, err);
            free(err);
            rc = EXIT_USAGE;
        } else if (to_stdout) {
            sv_push(&claims, xasprintf("%s %s", files[i].flag, files[i].path));
            tap_stdout |= i == 3;
            out->report_on_stdout = files[i].flag;
        }
    }
    if (!rc && claims.n > 1) {
        fprintf(stderr, "opscheck: two outputs on stdout: %s and %s (see opscheck --help)\n", claims.v[0], claims.v[1]);
        rc = EXIT_USAGE;
    }
    if (!rc && o->tap && !tap_stdout && fmt && strcmp(fmt, "tap") == 0) {
        fprintf(stderr, "opscheck: --tap %s takes TAP off stdout, --format tap puts it there: one or the other\n", o->tap);
        rc = EXIT_USAGE;
    }
    if (!rc && o->tap && !tap_stdout && !(out->tap_file = fopen(o->tap, "w"))) {
        fprintf(stderr, "opscheck: --tap: %s: %s\n", o->tap, strerror(errno));
        rc = EXIT_USAGE;
    }
    int pretty = fmt ? strcmp(fmt, "pretty") == 0 : !claims.n && isatty(1);
    if (out->tap_file)
        tap_set_output(out->tap_file);
    out->writer = tap_stdout                  ? &tap_writer
                  : pretty && out->tap_file   ? &pretty_and_tap_writer
                  : pretty                    ? &pretty_writer
                  : out->tap_file || !claims.n ? &tap_writer
                                              : &null_writer;
    out->nagios = fmt && strcmp(fmt, "nagios") == 0;
    sv_clear(&claims);
    return rc;
}

/* --color: always, never, or auto: a terminal that is not TERM=dumb, and no
 * NO_COLOR (https://no-color.org). */
static int want_color(const cli *o)
{
    if (o->color && strcmp(o->color, "always") == 0)
        return 1;
    if (o->color && strcmp(o->color, "never") == 0)
        return 0;
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(1) && !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
}

/* A run that cannot start still gives a plan and a bail out, as TAP
 * consumers expect, wherever TAP goes; the TAP writer writes them (it
 * redacts).  Under --format nagios: the UNKNOWN line instead. */
static void bail_before_run(const cli *o, const outputs *out, size_t plan, const char *why)
{
    if (out->nagios)
        report_nagios_unknown(why);
    /* on a terminal the error on stderr says it all: no TAP there */
    if (out->writer == &null_writer || out->writer == &pretty_writer)
        return;
    run_opts ro = {.tap_version = o->tap_version, .writer = &tap_writer};
    tap_writer.begin(&ro, plan);
    tap_writer.bail(&ro, why);
}

/* --only-failed FILE: the checks a previous --json report says failed or
 * errored become the names to run.  0, or -1 after saying why on stderr. */
static int add_failed_names(cli *o)
{
    if (o->names.n) {
        fprintf(stderr, "opscheck: --only-failed takes its names from the report: give no NAME beside it\n");
        return -1;
    }
    size_t len = 0;
    char *text = file_read(o->only_failed, 64u << 20, &len);
    if (!text) {
        fprintf(stderr, "opscheck: --only-failed: %s: %s\n", o->only_failed, strerror(errno));
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *checks = j ? cJSON_GetObjectItemCaseSensitive(j, "checks") : NULL;
    if (!cJSON_IsArray(checks)) {
        fprintf(stderr, "opscheck: --only-failed: %s is not an opscheck --json report (no \"checks\" array)\n",
                o->only_failed);
        cJSON_Delete(j);
        return -1;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, checks) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, "status");
        if (cJSON_IsString(name) && cJSON_IsString(st) &&
            (strcmp(st->valuestring, "fail") == 0 || strcmp(st->valuestring, "error") == 0) &&
            !sv_contains(&o->names, name->valuestring))
            sv_push(&o->names, xstrdup(name->valuestring));
    }
    cJSON_Delete(j);
    if (!o->names.n) {
        fprintf(stderr, "opscheck: --only-failed: no check failed or errored in %s: nothing to re-run\n",
                o->only_failed);
        return -1;
    }
    return 0;
}

/* --dry-run: what the selection will run after `needs`, in order, with each
 * check's options as resolved (secrets masked); nothing is started. */
static void print_plan(const plan *pl)
{
    printf("would run %zu check%s, in this order:\n", pl->n, pl->n == 1 ? "" : "s");
    for (size_t i = 0; i < pl->n; i++) {
        const cfg_check *k = &pl->c->checks[pl->sel[i]];
        printf("  %s  (plugin %s)\n", k->name, k->plugin ? k->plugin->name : "?");
        const cfg_resolved *r = &pl->res[i];
        if (r->error) {
            char *e = redact(r->error);
            printf("      cannot run: %s\n", e);
            free(e);
            continue;
        }
        for (size_t n = 0; n < r->nopts; n++) {
            char *v = redact(r->opts[n].value);
            printf("      %s = %s\n", r->opts[n].key, v);
            free(v);
        }
    }
}

/* The loops' options together: 0, or EXIT_USAGE after one line.  Under
 * --watch stdout is the screen and a round is not a run: TAP (on stdout or
 * --tap FILE) describes one run and is refused; report FILEs and --push are
 * rewritten after each finished round (they hold the last one). */
static int check_loops(const cli *o, const outputs *out)
{
    const char *why = NULL, *arg = NULL;
    if (o->watch && o->until_pass)
        why = "--watch and --until-pass are two loops: pick one%s";
    else if (o->max_wait_ms && !o->until_pass)
        why = "--max-wait is how long --until-pass waits: give --until-pass too%s";
    else if (o->until_pass && !o->max_wait_ms)
        why = "--until-pass needs --max-wait DURATION (how long to wait for every check to pass)%s";
    else if (o->watch && o->format && strcmp(o->format, "pretty"))
        why = "--watch draws its screen on stdout: --format %s cannot share it (use --until-pass for a final report)",
        arg = o->format;
    else if (o->watch && o->tap)
        why = "--watch takes no --tap: a TAP stream is one run (%s); --json FILE is rewritten after each round",
        arg = o->tap;
    else if (o->watch && out->report_on_stdout)
        why = "--watch draws its screen on stdout: %s - cannot share it (give a FILE)", arg = out->report_on_stdout;
    if (!why)
        return 0;
    fprintf(stderr, "opscheck: ");
    fprintf(stderr, why, arg ? arg : "");
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* --watch, after each finished round: its reports. */
typedef struct watch_reports {
    const cli *o;
    const plan *pl;
} watch_reports;

static int watch_round_done(void *arg, const check_result *results, const run_summary *sum, time_t started)
{
    const watch_reports *w = arg;
    return write_reports(w->o, w->pl->c, w->pl->sel, w->pl->n, results, sum, started);
}

/* The command line as typed, secrets masked: --watch's header. */
static char *command_line(const cli *o)
{
    strbuf b = {0};
    sb_puts(&b, "opscheck");
    for (int i = 1; i < o->argc; i++)
        sb_printf(&b, " %s", o->argv[i]);
    char *shown = redact(b.s);
    sb_clear(&b);
    return shown;
}

int cmd_run(cli *o)
{
    if (o->push_delete) /* no run: the group a run would push to goes (cmd_push.c) */
        return cmd_push_delete(o);
    stop_install();
    outputs out;
    int lrc = plan_outputs(o, &out);
    if (!lrc && (o->watch || o->until_pass || o->max_wait_ms))
        lrc = check_loops(o, &out);
    if (lrc != 0) {
        if (o->format && strcmp(o->format, "nagios") == 0)
            return report_nagios_unknown("usage error (see stderr)");
        return EXIT_USAGE;
    }
    plug_reg reg;
    plug_reg_init(&reg);
    cfg *c = cli_load_config(o, &reg);
    int rc;
    if (c->errors.n) {
        print_errors(&c->errors);
        char *why = xasprintf("config error: %s", c->errors.v[0]);
        bail_before_run(o, &out, c->nchecks ? c->nchecks : 1, why);
        free(why);
        rc = out.nagios ? 3 : EXIT_USAGE; /* nagios: nothing ran, UNKNOWN */
        goto out;
    }
    if (o->only_failed && add_failed_names(o) != 0) {
        bail_before_run(o, &out, 1, "--only-failed: nothing to re-run");
        rc = out.nagios ? 3 : EXIT_USAGE;
        goto out;
    }
    plan pl;
    char *perr = NULL;
    if (plan_build(c, &o->names, &o->tags, &pl, &perr) != 0) {
        fprintf(stderr, "opscheck: %s\n", perr);
        bail_before_run(o, &out, 1, perr);
        free(perr);
        rc = out.nagios ? 3 : EXIT_USAGE; /* nagios: nothing ran, UNKNOWN */
        goto out;
    }
    if (o->dry_run) {
        printf("Config: ");
        cli_print_config_files(o);
        putchar('\n');
        print_plan(&pl);
        plan_clear(&pl);
        rc = 0;
        goto out;
    }
    run_opts ro = {.jobs = o->jobs, .verbose = o->verbose, .quiet = o->quiet, .tap_version = o->tap_version,
                   .writer = out.writer,
                   .color = out.writer != &tap_writer && out.writer != &null_writer && want_color(o)};
    loop_opts lo = {.interval_ms = o->interval_ms ? o->interval_ms : LOOP_DEFAULT_INTERVAL_MS,
                    .max_wait_ms = o->max_wait_ms};
    if (o->watch) { /* the screen is pretty's, on a terminal or not; the summary is on it */
        ro.writer = &pretty_writer;
        watch_reports w = {o, &pl};
        lo.round_done = watch_round_done;
        lo.arg = &w;
        char *cmd = command_line(o);
        lo.command = cmd;
        rc = loop_watch(&pl, &ro, &lo);
        free(cmd);
        plan_clear(&pl);
        goto out;
    }
    run_summary sum;
    check_result *results = NULL;
    time_t started = time(NULL);
    rc = o->until_pass ? loop_until_pass(&pl, &ro, &lo, &sum, &results) : run_checks(&pl, &ro, &sum, &results);
    if (results && write_reports(o, c, pl.sel, pl.n, results, &sum, started) != 0 && rc < 2)
        rc = EXIT_INTERNAL;
    /* the same five counts as the TAP plan, JSON, JUnit and Prometheus; under
     * nagios they are in the status line (Icinga 2 reads stderr as output too) */
    if (!out.nagios)
        fprintf(stderr, "%zu passed, %zu warned, %zu failed, %zu errored, %zu skipped in %.2fs%s\n", sum.passed,
                sum.warned, sum.failed, sum.errored, sum.skipped, sum.seconds, sum.interrupted ? " (interrupted)" : "");
    else
        rc = report_nagios(&(report_run){.c = c, .sel = pl.sel, .n = results ? pl.n : 0, .results = results, .sum = &sum},
                           rc == EXIT_INTERNAL);
    run_results_free(results, pl.n);
    plan_clear(&pl);
out:
    if (out.tap_file)
        fclose(out.tap_file);
    cfg_free(c);
    plug_reg_release(&reg);
    return rc;
}

