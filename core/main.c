/*
 * main.c - the command line only: parse arguments, load the config, pick
 * the checks, hand them to run.c, print the summary.  Exit codes:
 * 0 all passed, 1 a check failed, 2 usage or config error, 3 internal.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "loader.h"
#include "plan.h"
#include "pretty.h"
#include "redact.h"
#include "report.h"
#include "run.h"
#include "stop.h"
#include "stream.h"
#include "zygote.h"
#include "suggest.h"
#include "tap.h"
#include "units.h"

#ifndef OC_VERSION
#define OC_VERSION "0.0.0"
#endif

enum { EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage_text[] =
    "usage: opscheck run [NAME...] [-c FILE]... [--set VAR=VALUE]... [-j N] [--tag TAG]... [-v]\n"
    "                    [--format tap|pretty|json|junit|prometheus|nagios] [--tap-version 13|14]\n"
    "                    [--tap FILE] [--junit FILE] [--json FILE] [--prometheus FILE] [--push URL]\n"
    "                    [--color auto|always|never] [-q] [--dry-run] [--only-failed FILE.json]\n"
    "       opscheck list [-c FILE]... [--set VAR=VALUE]...\n"
    "       opscheck validate [-c FILE]... [--set VAR=VALUE]...\n"
    "       opscheck plugins [NAME] [--markdown]\n"
    "       opscheck --version | --help\n"
    "\n"
    "NAME is a checklist or a check; no NAME runs every check in file order.\n"
    "Output: TAP on stdout, or one line per check when stdout is a terminal; --format picks\n"
    "        what stdout gets.  FILE - is stdout; a report there takes TAP off it (--tap FILE\n"
    "        keeps it).  Only one output may go to stdout.\n"
    "The config is ./checks.ini, or $OPSCHECK_CONFIG, or the -c files merged in order.\n"
    "Exit: 0 all passed (skips and warnings allowed), 1 a check failed,\n"
    "      2 usage or config error (nothing ran), 3 internal error, 128+N signal N;\n"
    "      --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";

/* Every option, once; a command says in its table row which it takes. */
enum opt_id { O_CONFIG, O_SET, O_JOBS, O_TAG, O_VERBOSE, O_TAP_VERSION, O_FORMAT, O_JUNIT,
              O_JSON, O_PROMETHEUS, O_PUSH, O_MARKDOWN, O_HELP, O_VERSION, O_TAP, O_COLOR, O_QUIET, O_DRY_RUN, O_ONLY_FAILED, O_COUNT };
#define OPT(id) (1u << (id))
#define O_ANYWHERE (OPT(O_HELP) | OPT(O_VERSION)) /* they replace the command */

typedef struct cli {
    const char *cmd;
    strvec names, files, sets, tags;
    int jobs, verbose, tap_version;
    const char *format;           /* one of `formats`, or NULL (decide by the terminal) */
    const char *junit, *json, *prometheus, *push, *tap;
    const char *color;            /* "auto" (NULL), "always" or "never" */
    int quiet, dry_run;
    const char *only_failed;      /* a previous --json report */
    int markdown;
    unsigned given;               /* OPT() bits seen */
} cli;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "opscheck: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
}

/* Processes started without fd 0-2 would hand those numbers to our pipes. */
static void ensure_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
            open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
}

/* getopt_long returns the short letter, or O_COUNT + id for long-only options. */
static const struct option longopts[] = {
    {"config", required_argument, NULL, 'c'},          {"set", required_argument, NULL, O_COUNT + O_SET},
    {"jobs", required_argument, NULL, 'j'},            {"tag", required_argument, NULL, O_COUNT + O_TAG},
    {"verbose", no_argument, NULL, 'v'},               {"tap-version", required_argument, NULL, O_COUNT + O_TAP_VERSION},
    {"help", no_argument, NULL, 'h'},                  {"version", no_argument, NULL, 'V'},
    {"format", required_argument, NULL, O_COUNT + O_FORMAT},
    {"junit", required_argument, NULL, O_COUNT + O_JUNIT},
    {"json", required_argument, NULL, O_COUNT + O_JSON},
    {"prometheus", required_argument, NULL, O_COUNT + O_PROMETHEUS},
    {"push", required_argument, NULL, O_COUNT + O_PUSH},
    {"tap", required_argument, NULL, O_COUNT + O_TAP},
    {"color", required_argument, NULL, O_COUNT + O_COLOR},
    {"quiet", no_argument, NULL, 'q'},
    {"dry-run", no_argument, NULL, O_COUNT + O_DRY_RUN},
    {"only-failed", required_argument, NULL, O_COUNT + O_ONLY_FAILED},
    {"markdown", no_argument, NULL, O_COUNT + O_MARKDOWN},
    {NULL, 0, NULL, 0},
};

static int opt_of(int ch)
{
    switch (ch) {
    case 'c': return O_CONFIG;
    case 'j': return O_JOBS;
    case 'v': return O_VERBOSE;
    case 'q': return O_QUIET;
    case 'h': return O_HELP;
    case 'V': return O_VERSION;
    default: return ch >= O_COUNT && ch < 2 * O_COUNT ? ch - O_COUNT : -1;
    }
}

/* "--junit" for O_JUNIT: how an error names an option. */
static const char *opt_name(int id)
{
    for (const struct option *l = longopts; l->name; l++)
        if (opt_of(l->val) == id)
            return l->name;
    return "?";
}

/* What --format may put on stdout: the two streams, then what is written
 * there once the run is over. */
static const char *const formats[] = {"tap", "pretty", "json", "junit", "prometheus", "nagios"};

static int is_format(const char *s)
{
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (strcmp(s, formats[i]) == 0)
            return 1;
    return 0;
}

/* One option's value into the cli; 0, or a usage error's exit code. */
static int take_option(cli *o, int id, const char *arg)
{
    long long n;
    switch (id) {
    case O_CONFIG: sv_push(&o->files, xstrdup(arg)); break;
    case O_SET:
        if (!strchr(arg, '='))
            return usage_error("--set takes VAR=VALUE, not '%s'", arg);
        sv_push(&o->sets, xstrdup(arg));
        break;
    case O_JOBS:
        if (unit_int(arg, &n) || n < 1 || n > 1024)
            return usage_error("-j takes a number from 1 to 1024, not '%s'", arg);
        o->jobs = (int)n;
        break;
    case O_TAG: sv_push(&o->tags, xstrdup(arg)); break;
    case O_VERBOSE: o->verbose = 1; break;
    case O_QUIET: o->quiet = 1; break;
    case O_DRY_RUN: o->dry_run = 1; break;
    case O_ONLY_FAILED: o->only_failed = arg; break;
    case O_TAP_VERSION:
        if (strcmp(arg, "13") && strcmp(arg, "14"))
            return usage_error("--tap-version is 13 or 14, not '%s'", arg);
        o->tap_version = atoi(arg);
        break;
    case O_FORMAT:
        if (!is_format(arg))
            return usage_error("--format is tap, pretty, json, junit, prometheus or nagios, not '%s'", arg);
        o->format = arg;
        break;
    case O_TAP: o->tap = arg; break;
    case O_COLOR:
        if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
            return usage_error("--color is auto, always or never, not '%s'", arg);
        o->color = arg;
        break;
    case O_JUNIT: o->junit = arg; break;
    case O_JSON: o->json = arg; break;
    case O_PROMETHEUS: o->prometheus = arg; break;
    case O_PUSH: o->push = arg; break;
    case O_MARKDOWN: o->markdown = 1; break;
    default: break; /* O_HELP, O_VERSION: only their bit */
    }
    return 0;
}

static int parse_cli(int argc, char **argv, cli *o)
{
    o->tap_version = 14;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+:c:j:vqhV", longopts, NULL)) != -1 || optind < argc) {
        if (ch == -1) { /* a positional word: the command, then names */
            if (!o->cmd)
                o->cmd = argv[optind];
            else
                sv_push(&o->names, xstrdup(argv[optind]));
            optind++;
            continue;
        }
        if (ch == ':')
            return usage_error("%s needs a value", argv[optind - 1]);
        int id = opt_of(ch);
        if (id < 0)
            return usage_error("unknown option '%s'", argv[optind - 1]);
        o->given |= OPT(id);
        int rc = take_option(o, id, optarg);
        if (rc)
            return rc;
    }
    return 0;
}

static void print_errors(const strvec *errs)
{
    for (size_t i = 0; i < errs->n; i++) {
        char *s = redact(errs->v[i]);
        fprintf(stderr, "%s\n", s);
        free(s);
    }
}

static cfg *load(cli *o, plug_reg *reg)
{
    if (!o->files.n) {
        const char *env = getenv("OPSCHECK_CONFIG");
        sv_push(&o->files, xstrdup(env && *env ? env : "checks.ini"));
    }
    return cfg_load((const char *const *)o->files.v, o->files.n, (const char *const *)o->sets.v, o->sets.n,
                    plug_find_schema, reg);
}

/* The machine-readable reports asked for; 0, or -1 after saying why.  Also
 * after a stop signal: finished checks as they ended, the rest as errors. */
static int write_reports(const cli *o, const cfg *c, const size_t *sel, size_t nsel,
                         const check_result *results, const run_summary *sum, time_t started)
{
    strbuf names = {0};
    for (size_t i = 0; i < o->names.n; i++)
        sb_printf(&names, "%s%s", i ? " " : "", o->names.v[i]);
    report_run r = {.c = c, .sel = sel, .n = nsel, .results = results, .sum = sum,
                    .checklist = names.s ? names.s : "", .started = started};
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

/* A run that cannot start still gives a plan and a bail out, as TAP
 * consumers expect, wherever TAP goes; the TAP writer writes them (it
 * redacts).  Under --format nagios: the UNKNOWN line instead. */
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

static void bail_before_run(const cli *o, const outputs *out, size_t plan, const char *why)
{
    if (out->nagios) {
        char *shown = redact(why);
        printf("OPSCHECK UNKNOWN - %s\n", shown);
        free(shown);
    }
    /* on a terminal the error on stderr says it all: no TAP there */
    if (out->writer == &null_writer || out->writer == &pretty_writer)
        return;
    run_opts ro = {.tap_version = o->tap_version, .writer = &tap_writer};
    tap_writer.begin(&ro, plan);
    tap_writer.bail(&ro, why);
}

/* --format nagios: the Monitoring Plugins line and exit code (0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN).  A failure is CRITICAL; checks that
 * could not be checked (errors) and nothing worse are UNKNOWN. */
static int nagios_line(const run_summary *s, int report_failed)
{
    size_t total = s->passed + s->warned + s->failed + s->errored + s->skipped;
    int code = report_failed || s->interrupted || (s->errored && !s->failed) ? 3 : s->failed ? 2 : s->warned ? 1 : 0;
    static const char *const state[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    strbuf b = {0};
    if (s->interrupted)
        sb_printf(&b, "interrupted by SIG%s, ", sigabbrev_np(s->interrupted) ? sigabbrev_np(s->interrupted) : "?");
    if (report_failed)
        sb_puts(&b, "a report was not written, ");
    if (s->failed)
        sb_printf(&b, "%zu failed", s->failed);
    if (s->errored)
        sb_printf(&b, "%s%zu errored", s->failed ? ", " : "", s->errored);
    if (!s->failed && !s->errored)
        sb_printf(&b, "%zu %s", s->warned ? s->warned : s->passed, s->warned ? "warned" : "passed");
    printf("OPSCHECK %s - %s of %zu | passed=%zu warned=%zu failed=%zu errored=%zu skipped=%zu\n", state[code], b.s,
           total, s->passed, s->warned, s->failed, s->errored, s->skipped);
    fflush(stdout);
    sb_clear(&b);
    return code;
}

/* --only-failed FILE: the checks a previous --json report says failed or
 * errored become the names to run.  0, or -1 after saying why on stderr. */
static int add_failed_names(cli *o)
{
    if (o->names.n) {
        fprintf(stderr, "opscheck: --only-failed takes its names from the report: give no NAME beside it\n");
        return -1;
    }
    FILE *f = fopen(o->only_failed, "rb");
    if (!f) {
        fprintf(stderr, "opscheck: --only-failed: %s: %s\n", o->only_failed, strerror(errno));
        return -1;
    }
    strbuf b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && b.len < (64u << 20))
        sb_add(&b, buf, n);
    fclose(f);
    cJSON *j = cJSON_ParseWithLength(b.s ? b.s : "", b.len);
    sb_clear(&b);
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

static int cmd_run(cli *o)
{
    stop_install();
    outputs out;
    if (plan_outputs(o, &out) != 0) {
        if (o->format && strcmp(o->format, "nagios") == 0) {
            printf("OPSCHECK UNKNOWN - usage error (see stderr)\n");
            return 3;
        }
        return EXIT_USAGE;
    }
    plug_reg reg;
    plug_reg_init(&reg);
    cfg *c = load(o, &reg);
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
        print_plan(&pl);
        plan_clear(&pl);
        rc = 0;
        goto out;
    }
    run_opts ro = {.jobs = o->jobs, .verbose = o->verbose, .quiet = o->quiet, .tap_version = o->tap_version,
                   .writer = out.writer,
                   .color = out.writer != &tap_writer && out.writer != &null_writer && want_color(o)};
    run_summary sum;
    check_result *results = NULL;
    time_t started = time(NULL);
    rc = run_checks(&pl, &ro, &sum, &results);
    if (results && write_reports(o, c, pl.sel, pl.n, results, &sum, started) != 0 && rc < 2)
        rc = EXIT_INTERNAL;
    run_results_free(results, pl.n);
    plan_clear(&pl);
    /* the same five counts as the TAP plan, JSON, JUnit and Prometheus */
    fprintf(stderr, "%zu passed, %zu warned, %zu failed, %zu errored, %zu skipped in %.2fs%s\n", sum.passed,
            sum.warned, sum.failed, sum.errored, sum.skipped, sum.seconds, sum.interrupted ? " (interrupted)" : "");
    if (out.nagios)
        rc = nagios_line(&sum, rc == EXIT_INTERNAL);
out:
    if (out.tap_file)
        fclose(out.tap_file);
    cfg_free(c);
    plug_reg_release(&reg);
    return rc;
}

/* The line of check K's `plugin =` (its section's line when there is none). */
static int plugin_line(const cfg_check *k)
{
    for (size_t i = 0; i < k->sec->nitems; i++)
        if (strcmp(k->sec->items[i].key, "plugin") == 0)
            return k->sec->items[i].line;
    return k->sec->line;
}

static int cmd_validate(cli *o)
{
    plug_reg reg;
    plug_reg_init(&reg);
    cfg *c = load(o, &reg);
    int rc = 0;
    if (c->errors.n) {
        print_errors(&c->errors);
        fprintf(stderr, "%zu error%s\n", c->errors.n, c->errors.n == 1 ? "" : "s");
        rc = EXIT_USAGE;
    } else {
        /* a plugin that crashed, exited or hung while loading: `run` fails
         * its checks with the reason, `validate` says it is wrong */
        for (size_t i = 0; i < c->nchecks; i++) {
            const cfg_check *k = &c->checks[i];
            if (k->plugin && k->plugin->broken) {
                fprintf(stderr, "%s:%d: %s\n", k->sec->file, plugin_line(k), k->plugin->broken);
                rc = EXIT_USAGE;
            }
        }
        /* secrets that are set now and too short to mask inside words */
        strvec warnings = {0};
        cfg_register_secrets(c, &warnings);
        print_errors(&warnings);
        sv_clear(&warnings);
        for (size_t i = 0; i < o->files.n; i++)
            printf("%s%s", i ? " + " : "", o->files.v[i]);
        printf(": %zu checks, %zu checklists: OK\n", c->nchecks, c->nlists);
    }
    cfg_free(c);
    plug_reg_release(&reg);
    return rc;
}

static void print_tags(const strvec *tags)
{
    for (size_t i = 0; i < tags->n; i++)
        printf("%s%s", i ? "," : "", tags->v[i]);
}

static int cmd_list(cli *o)
{
    plug_reg reg;
    plug_reg_init(&reg);
    cfg *c = load(o, &reg);
    int rc = 0;
    if (c->errors.n) {
        print_errors(&c->errors);
        rc = EXIT_USAGE;
        goto out;
    }
    printf("Checklists:\n");
    for (size_t i = 0; i < c->nlists; i++) {
        printf("  %s (%zu checks)%s%s\n", c->lists[i].name, c->lists[i].n,
               c->lists[i].description ? ": " : "", c->lists[i].description ? c->lists[i].description : "");
        for (size_t k = 0; k < c->lists[i].n; k++)
            printf("    %s\n", c->checks[c->lists[i].idx[k]].name);
    }
    printf("Checks:\n");
    for (size_t i = 0; i < c->nchecks; i++) {
        cfg_check *k = &c->checks[i];
        printf("  %-24s plugin=%-12s tags=", k->name, k->plugin ? k->plugin->name : "?");
        print_tags(&k->tags);
        printf("%s%s\n", k->description ? "  " : "", k->description ? k->description : "");
    }
out:
    cfg_free(c);
    plug_reg_release(&reg);
    return rc;
}

static void print_option(const oc_option *op)
{
    printf("  %-20s %-10s", op->key, unit_type_name(op->type));
    printf(" %-12s", op->def ? op->def : "-");
    printf(" %s%s%s%s%s\n", (op->flags & OC_OPT_REQUIRED) ? "[required] " : "",
           (op->flags & OC_OPT_SECRET) ? "[secret] " : "", (op->flags & OC_OPT_REPEAT) ? "[repeatable] " : "",
           (op->flags & OC_OPT_PREFIX) ? "[as KEY.NAME] " : "", op->help ? op->help : "");
}

/* Markdown text of a table cell: no '|' or newline may break the row. */
static void md_cell(const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", stdout);
        else if (*s == '\n')
            putchar(' ');
        else
            putchar(*s);
    }
}

static void print_option_md(const oc_option *op)
{
    printf("| `%s%s` | %s | ", op->key, (op->flags & OC_OPT_PREFIX) ? ".NAME" : "", unit_type_name(op->type));
    if (op->def) {
        putchar('`');
        md_cell(op->def);
        putchar('`');
    }
    printf(" | %s%s%s", (op->flags & OC_OPT_REQUIRED) ? "required. " : "",
           (op->flags & OC_OPT_SECRET) ? "secret: `${env:...}` or `${file:...}` only. " : "",
           (op->flags & OC_OPT_REPEAT) ? "repeatable. " : "");
    md_cell(op->help);
    printf(" |\n");
}

/* The options reference of every plugin (docs/plugins.md is this output). */
static void plugins_markdown(plug_reg *reg)
{
    printf("# Plugin reference\n\nGenerated by `opscheck plugins --markdown`; do not edit by hand.\n\n");
    printf("## Options every check has\n\n| option | type | default | meaning |\n| --- | --- | --- | --- |\n");
    for (const oc_option *op = schema_core_options; op->key; op++)
        print_option_md(op);
    for (size_t i = 0; i < reg->n; i++) {
        const oc_schema *d = &reg->v[i]->schema;
        printf("\n## %s\n\n", d->name);
        md_cell(d->summary);
        printf("\n\n| option | type | default | meaning |\n| --- | --- | --- | --- |\n");
        for (const oc_option *op = d->options; op && op->key; op++)
            print_option_md(op);
    }
}

static int cmd_plugins(cli *o)
{
    plug_reg reg;
    plug_reg_init(&reg);
    plug_reg_add_defaults(&reg);
    int rc = 0;
    if (o->names.n) {
        char *err;
        const plug *p = plug_get(&reg, o->names.v[0], &err);
        if (!p) {
            fprintf(stderr, "opscheck: %s\n", err);
            free(err);
            rc = EXIT_USAGE;
        } else if (p->broken) {
            fprintf(stderr, "opscheck: %s: %s\n", p->path, p->broken);
            rc = EXIT_USAGE;
        } else {
            printf("%s - %s\n(%s)\n\n  %-20s %-10s %-12s %s\n", p->name, p->schema.summary ? p->schema.summary : "",
                   p->path, "option", "type", "default", "meaning");
            for (const oc_option *op = p->schema.options; op && op->key; op++)
                print_option(op);
            printf("\nEvery check also takes:\n");
            for (const oc_option *op = schema_core_options; op->key; op++)
                print_option(op);
        }
    } else {
        strvec errs = {0};
        plug_load_all(&reg, &errs);
        if (o->markdown)
            plugins_markdown(&reg);
        for (size_t i = 0; i < reg.n && !o->markdown; i++)
            printf("%-14s %s\n", reg.v[i]->name, reg.v[i]->schema.summary ? reg.v[i]->schema.summary : "");
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "opscheck: %s\n", errs.v[i]);
        if (errs.n)
            rc = EXIT_USAGE;
        sv_clear(&errs);
    }
    plug_reg_release(&reg);
    return rc;
}

static int cmd_help(cli *o)
{
    (void)o;
    fputs(usage_text, stdout);
    return 0;
}

static int cmd_version(cli *o)
{
    (void)o;
    printf("opscheck %s (plugin ABI %d)\n", OC_VERSION, OC_ABI_VERSION);
    return 0;
}

/* The commands, each with the options it takes and how many NAMEs. */
typedef struct cmd_entry {
    const char *name;
    int (*fn)(cli *o);
    unsigned opts;
    size_t max_names;
} cmd_entry;

static const cmd_entry commands[] = {
    {"run", cmd_run,
     OPT(O_CONFIG) | OPT(O_SET) | OPT(O_JOBS) | OPT(O_TAG) | OPT(O_VERBOSE) | OPT(O_TAP_VERSION) |
         OPT(O_FORMAT) | OPT(O_JUNIT) | OPT(O_JSON) | OPT(O_PROMETHEUS) | OPT(O_PUSH) | OPT(O_TAP) | OPT(O_COLOR) |
         OPT(O_QUIET) | OPT(O_DRY_RUN) | OPT(O_ONLY_FAILED),
     SIZE_MAX},
    {"list", cmd_list, OPT(O_CONFIG) | OPT(O_SET), 0},
    {"validate", cmd_validate, OPT(O_CONFIG) | OPT(O_SET), 0},
    {"plugins", cmd_plugins, OPT(O_MARKDOWN), 1},
    {"help", cmd_help, 0, 0},
    {"version", cmd_version, 0, 0},
};

/* The command to run, or NULL after a usage error (one line: what and where). */
static const cmd_entry *pick_command(const cli *o)
{
    const char *name = o->given & OPT(O_HELP) ? "help" : o->given & OPT(O_VERSION) ? "version" : o->cmd;
    const cmd_entry *e = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof *commands && name; i++)
        if (strcmp(commands[i].name, name) == 0)
            e = &commands[i];
    if (!e) {
        suggest_ctx sg;
        suggest_init(&sg, name ? name : "");
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            suggest_try(&sg, commands[i].name);
        if (name && suggest_best(&sg))
            fprintf(stderr, "opscheck: unknown command '%s' (did you mean '%s'?)\n%s", name, suggest_best(&sg), usage_text);
        else if (name)
            usage_error("unknown command '%s'", name);
        else
            fputs(usage_text, stderr);
        return NULL;
    }
    if (o->given & O_ANYWHERE)
        return e;
    for (int id = 0; id < O_COUNT; id++) {
        if ((o->given & OPT(id)) && !(e->opts & OPT(id))) {
            fprintf(stderr, "opscheck: %s does not take --%s (see opscheck --help)\n", e->name, opt_name(id));
            return NULL;
        }
    }
    if (o->names.n > e->max_names) {
        fprintf(stderr, "opscheck: %s takes %s, not '%s' (see opscheck --help)\n", e->name,
                e->max_names ? "one NAME" : "no NAME", o->names.v[e->max_names]);
        return NULL;
    }
    return e;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], ZYGOTE_ARG) == 0) /* a plugin's zygote (zygote.h) */
        zygote_main(argv[2], argv[3], argv[4]);
    stop_block(1); /* until `run` has its handlers; released below otherwise */
    ensure_std_fds();
    signal(SIGPIPE, SIG_IGN);
    cli o = {0};
    int rc = parse_cli(argc, argv, &o);
    if (!rc) {
        const cmd_entry *e = pick_command(&o);
        if (!e || e->fn != cmd_run)
            stop_block(0); /* the default actions for the other commands */
        rc = e ? e->fn(&o) : EXIT_USAGE;
    }
    sv_clear(&o.names);
    sv_clear(&o.files);
    sv_clear(&o.sets);
    sv_clear(&o.tags);
    redact_clear();
    return rc;
}
