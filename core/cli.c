/*
 * cli.c - the command line's options, parsed into a struct cli, and the
 * config files they name.  The option table is data: one row an option.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config_search.h"
#include "prom_name.h"
#include "redact.h"
#include "report.h"
#include "schema.h"
#include "units.h"

#ifndef OC_SYSCONFDIR /* the Makefile's SYSCONFDIR, as config_search.c has it */
#define OC_SYSCONFDIR "/etc"
#endif

const char usage_text[] =
    "usage: opscheck run [NAME...] [-c FILE]... [--set VAR=VALUE]... [-j N] [--tag TAG]... [-v]\n"
    "                    [--format tap|pretty|json|junit|prometheus|nagios] [--tap-version 13|14]\n"
    "                    [--tap FILE] [--junit FILE] [--json FILE] [--prometheus FILE] [--push URL]\n"
    "                    [--push-group NAME|LABEL=VALUE]... [--push-delete]\n"
    "                    [--color auto|always|never] [-q] [--dry-run] [--only-failed FILE.json]\n"
    "                    [--label NAME=VALUE]...\n"
    "                    [--watch [INTERVAL] | --until-pass [INTERVAL] --max-wait DURATION]\n"
    "       opscheck serve [-c FILE]... [--listen ADDR:PORT] [--history N] [--web-config FILE]\n"
    "       opscheck list [-c FILE]... [--set VAR=VALUE]...\n"
    "       opscheck validate [-c FILE]... [--set VAR=VALUE]...\n"
    "       opscheck plugins [NAME] [--markdown] [-c FILE]...\n"
    "       opscheck --version | --help\n"
    "\n"
    "NAME is a checklist or a check; no NAME runs every check in file order.\n"
    "Output: TAP on stdout, or one line per check when stdout is a terminal; --format picks\n"
    "        what stdout gets.  FILE - is stdout; a report there takes TAP off it (--tap FILE\n"
    "        keeps it).  Only one output may go to stdout.\n"
    "Config: the -c files merged in order (-c - is stdin), else $OPSCHECK_CONFIG, else the first of\n"
    "        ./checks.ini, $XDG_CONFIG_HOME/opscheck/checks.ini (~/.config when unset),\n"
    "        " OC_SYSCONFDIR "/opscheck/checks.ini.\n"
    "Plugins: the config's [opscheck] plugin_path, then $OPSCHECK_PLUGIN_PATH, then the\n"
    "        installed folder (`opscheck plugins` lists that path).\n"
    "Loops: --watch re-runs the selection every INTERVAL (10s) on one redrawn screen, marking\n"
    "       what changed; Ctrl-C exits with the last finished round's code.  --until-pass\n"
    "       re-runs what failed every INTERVAL (10s) until all pass (exit 0) or --max-wait\n"
    "       ends (exit 1); TAP and reports describe the final state.\n"
    "serve: runs each [checklist] on its schedule (every = 5m, at = 09:00) and serves /metrics,\n"
    "       /probe?checklist=NAME, /healthz, /health/NAME, /api/results[/NAME] and a status page\n"
    "       on --listen (default 127.0.0.1:9469); SIGHUP reloads the config, SIGTERM stops.\n"
    "       --web-config FILE: TLS and basic auth, in Prometheus' exporter-toolkit format.\n"
    "Exit: 0 all passed (skips and warnings allowed), 1 a check failed,\n"
    "      2 usage or config error (nothing ran), 3 internal error, 128+N signal N;\n"
    "      --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";

int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "opscheck: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
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
    {"push-group", required_argument, NULL, O_COUNT + O_PUSH_GROUP},
    {"push-delete", no_argument, NULL, O_COUNT + O_PUSH_DELETE},
    {"label", required_argument, NULL, O_COUNT + O_LABEL},
    {"watch", optional_argument, NULL, O_COUNT + O_WATCH},
    {"until-pass", optional_argument, NULL, O_COUNT + O_UNTIL_PASS},
    {"max-wait", required_argument, NULL, O_COUNT + O_MAX_WAIT},
    {"listen", required_argument, NULL, O_COUNT + O_LISTEN},
    {"history", required_argument, NULL, O_COUNT + O_HISTORY},
    {"web-config", required_argument, NULL, O_COUNT + O_WEB_CONFIG},
    {NULL, 0, NULL, 0},
};

/* Long-only options come back from getopt_long as O_COUNT + id: those must
 * stay below ':' and '?', which it returns for a missing value and an
 * unknown option (and below every short letter). */
_Static_assert(2 * O_COUNT <= ':', "too many options for the O_COUNT + id encoding");

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
const char *opt_name(int id)
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

/* --label NAME=VALUE: a label on every Prometheus series.  NAME follows
 * prom_name.h's rule, is none that opscheck sets, and is given once. */
static int take_label(cli *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    if (!eq)
        return usage_error("--label takes NAME=VALUE, not '%s'", arg);
    if (!prom_label_name_ok(arg, n))
        return usage_error("--label: '%s' is not a label name: lower case letters, digits and _, not starting "
                           "with a digit or __", arg);
    if (prom_label_reserved(arg, n))
        return usage_error("--label: '%s' names a label opscheck or Prometheus sets itself (check, checklist, "
                           "plugin, status, unit, label, threshold, job, instance, le, quantile)", arg);
    for (size_t i = 0; i < o->labels.n; i++)
        if (!strncmp(o->labels.v[i], arg, n + 1))
            return usage_error("--label: '%s' sets a label given already", arg);
    sv_push(&o->labels, xstrdup(arg));
    return 0;
}

/* One option's value into the cli; 0, or a usage error's exit code. */
static int take_option(cli *o, int id, const char *arg)
{
    long long n;
    switch (id) {
    case O_CONFIG:
        if (strcmp(arg, "-") == 0 && sv_contains(&o->files, "-"))
            return usage_error("-c %s (stdin) may be given once, not twice", arg);
        sv_push(&o->files, xstrdup(arg));
        break;
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
    case O_PUSH_GROUP: {
        char *why = NULL;
        if (report_push_group_check(arg, &why) != 0) {
            int rc = usage_error("--push-group: %s", why);
            free(why);
            return rc;
        }
        sv_push(&o->push_group, xstrdup(arg));
        break;
    }
    case O_PUSH_DELETE: o->push_delete = 1; break;
    case O_LABEL: return take_label(o, arg);
    case O_WATCH:
    case O_UNTIL_PASS:
        *(id == O_WATCH ? &o->watch : &o->until_pass) = 1;
        if (arg && (unit_duration_ms(arg, &n) || n < 100))
            return usage_error(id == O_WATCH ? "--watch takes an interval of at least 100ms (10s, 1m), not '%s'"
                                             : "--until-pass takes an interval of at least 100ms (10s, 1m), not '%s'",
                               arg);
        if (arg)
            o->interval_ms = n;
        break;
    case O_MAX_WAIT:
        if (unit_duration_ms(arg, &n) || n <= 0)
            return usage_error("--max-wait takes a duration (30s, 5m), not '%s'", arg);
        o->max_wait_ms = n;
        break;
    case O_LISTEN: o->listen = arg; break;
    case O_WEB_CONFIG: o->web_config = arg; break;
    case O_HISTORY:
        if (unit_int(arg, &n) || n < 1 || n > 100000)
            return usage_error("--history takes a number of rounds from 1 to 100000, not '%s'", arg);
        o->history = (int)n;
        break;
    default: break; /* O_HELP, O_VERSION: only their bit */
    }
    return 0;
}

/* --push-group and --push-delete say which group of --push: without it they
 * mean nothing; a URL with its own /metrics/job/ path already is a group. */
static int check_push_options(const cli *o)
{
    if ((o->push_group.n || o->push_delete) && !o->push)
        return usage_error("%s needs --push URL (the Pushgateway)", o->push_delete ? "--push-delete" : "--push-group");
    if (o->push_group.n && strstr(o->push, "/metrics/job/"))
        return usage_error("--push-group with a --push URL that has its own /metrics/job/ path (%s): one or the other",
                           o->push);
    return 0;
}

int parse_cli(int argc, char **argv, cli *o)
{
    o->tap_version = 14;
    o->argc = argc;
    o->argv = argv;
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
        const char *arg = optarg;
        long long ms;
        /* --watch 30s as well as --watch=30s: the next word is its interval
         * when it reads as a duration (a NAME never does) */
        if (!arg && (id == O_WATCH || id == O_UNTIL_PASS) && optind < argc && unit_duration_ms(argv[optind], &ms) == 0)
            arg = argv[optind++];
        int rc = take_option(o, id, arg);
        if (rc)
            return rc;
    }
    return check_push_options(o);
}

void print_errors(const strvec *errs)
{
    for (size_t i = 0; i < errs->n; i++) {
        char *s = redact(errs->v[i]);
        fprintf(stderr, "%s\n", s);
        free(s);
    }
}

void cli_print_config_files(const cli *o)
{
    for (size_t i = 0; i < o->files.n; i++)
        printf("%s%s", i ? " + " : "", cfg_file_label(o->files.v[i]));
}

/* The -c files, else the first of the search order (config_search.h); NULL
 * when there is none and OPTIONAL, else a cfg whose one error names every
 * place looked at. */
static cfg *load_config(cli *o, plug_reg *reg, int optional)
{
    if (!o->files.n) {
        char *path, *why;
        enum cfg_search_rc rc = cfg_search(&path, &why);
        if (rc == CFG_SEARCH_NONE && optional) {
            free(why);
            return NULL;
        }
        if (rc != CFG_SEARCH_FOUND) {
            cfg *c = cfg_unread(why);
            free(why);
            return c;
        }
        sv_push(&o->files, path);
    }
    return cfg_load((const char *const *)o->files.v, o->files.n, (const char *const *)o->sets.v, o->sets.n,
                    plug_find_schema, reg);
}

cfg *cli_load_config(cli *o, plug_reg *reg)
{
    return load_config(o, reg, 0);
}

cfg *cli_load_config_if_any(cli *o, plug_reg *reg)
{
    return load_config(o, reg, 1);
}
