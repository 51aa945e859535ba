/*
 * main.c - the command line only: parse arguments, load the config, pick
 * the checks, hand them to run.c, print the summary.  Exit codes:
 * 0 all passed, 1 a check failed, 2 usage or config error, 3 internal.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "loader.h"
#include "plan.h"
#include "pretty.h"
#include "redact.h"
#include "report.h"
#include "run.h"
#include "tap.h"
#include "units.h"

#ifndef OC_VERSION
#define OC_VERSION "0.0.0"
#endif

enum { EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage_text[] =
    "usage: opscheck run [NAME...] [-c FILE]... [--set VAR=VALUE]... [-j N] [--tag TAG]... [-v]\n"
    "                    [--format tap|pretty] [--tap-version 13|14]\n"
    "                    [--junit FILE] [--json FILE] [--prometheus FILE] [--push URL]\n"
    "       opscheck list [-c FILE]...\n"
    "       opscheck validate [-c FILE]...\n"
    "       opscheck plugins [NAME] [--markdown]\n"
    "       opscheck --version | --help\n"
    "\n"
    "NAME is a checklist or a check; no NAME runs every check in file order.\n"
    "Output: TAP on stdout, or one line per check when stdout is a terminal (--format).\n"
    "The config is ./checks.ini, or $OPSCHECK_CONFIG, or the -c files merged in order.\n"
    "Exit: 0 all passed (skips and warnings allowed), 1 a check failed,\n"
    "      2 usage or config error (nothing ran), 3 internal error.\n";

typedef struct cli {
    const char *cmd;
    strvec names, files, sets, tags;
    int jobs, verbose, tap_version;
    const char *format;           /* "tap", "pretty" or NULL (decide by the terminal) */
    const char *junit, *json, *prometheus, *push;
    int markdown;
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

static int parse_cli(int argc, char **argv, cli *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"set", required_argument, NULL, 's'},
        {"jobs", required_argument, NULL, 'j'},   {"tag", required_argument, NULL, 't'},
        {"verbose", no_argument, NULL, 'v'},      {"tap-version", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {"format", required_argument, NULL, 'F'}, {"junit", required_argument, NULL, 'J'},
        {"json", required_argument, NULL, 'O'},   {"prometheus", required_argument, NULL, 'P'},
        {"push", required_argument, NULL, 'U'},   {"markdown", no_argument, NULL, 'M'},
        {NULL, 0, NULL, 0},
    };
    o->tap_version = 14;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+:c:j:vhV", longopts, NULL)) != -1 || optind < argc) {
        if (ch == -1) { /* a positional word: the command, then names */
            if (!o->cmd)
                o->cmd = argv[optind];
            else
                sv_push(&o->names, xstrdup(argv[optind]));
            optind++;
            continue;
        }
        long long n;
        switch (ch) {
        case 'c': sv_push(&o->files, xstrdup(optarg)); break;
        case 's':
            if (!strchr(optarg, '='))
                return usage_error("--set takes VAR=VALUE, not '%s'", optarg);
            sv_push(&o->sets, xstrdup(optarg));
            break;
        case 'j':
            if (unit_int(optarg, &n) || n < 1 || n > 1024)
                return usage_error("-j takes a number from 1 to 1024, not '%s'", optarg);
            o->jobs = (int)n;
            break;
        case 't': sv_push(&o->tags, xstrdup(optarg)); break;
        case 'v': o->verbose = 1; break;
        case 'T':
            if (strcmp(optarg, "13") && strcmp(optarg, "14"))
                return usage_error("--tap-version is 13 or 14, not '%s'", optarg);
            o->tap_version = atoi(optarg);
            break;
        case 'F':
            if (strcmp(optarg, "tap") && strcmp(optarg, "pretty"))
                return usage_error("--format is tap or pretty, not '%s'", optarg);
            o->format = optarg;
            break;
        case 'J': o->junit = optarg; break;
        case 'O': o->json = optarg; break;
        case 'P': o->prometheus = optarg; break;
        case 'U': o->push = optarg; break;
        case 'M': o->markdown = 1; break;
        case 'h': o->cmd = "help"; break;
        case 'V': o->cmd = "version"; break;
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
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
    return cfg_load((const char *const *)o->files.v, o->files.n, (const char *const *)o->sets.v, o->sets.n, reg);
}

/* The machine-readable reports asked for; 0, or -1 after saying why. */
static int write_reports(const cli *o, const cfg *c, const size_t *sel, size_t nsel,
                         const check_result *results, const run_summary *sum, time_t started)
{
    strbuf names = {0};
    for (size_t i = 0; i < o->names.n; i++)
        sb_printf(&names, "%s%s", i ? " " : "", o->names.v[i]);
    report_run r = {.c = c, .sel = sel, .n = nsel, .results = results, .sum = sum,
                    .checklist = names.s ? names.s : "", .started = started};
    struct {
        const char *flag, *target;
        int (*fn)(const report_run *, const char *, char **);
    } reports[] = {
        {"--junit", o->junit, report_junit},
        {"--json", o->json, report_json},
        {"--prometheus", o->prometheus, report_prometheus},
        {"--push", o->push, report_push},
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
    sb_free(&names);
    return rc;
}

static int cmd_run(cli *o)
{
    run_install_signals();
    plug_reg reg;
    plug_reg_init(&reg);
    cfg *c = load(o, &reg);
    int rc;
    if (c->errors.n) {
        print_errors(&c->errors);
        char *first = redact(c->errors.v[0]);
        /* a plan, then the bail out: what TAP consumers expect of a run that could not start */
        printf("TAP version %d\n1..%zu\nBail out! config error: ", o->tap_version, c->nchecks ? c->nchecks : 1);
        strbuf b = {0};
        tap_desc(&b, first);
        printf("%s\n", b.s ? b.s : "");
        sb_free(&b);
        free(first);
        rc = EXIT_USAGE;
        goto out;
    }
    plan pl;
    char *perr = NULL;
    if (plan_build(c, &o->names, &o->tags, &pl, &perr) != 0) {
        fprintf(stderr, "opscheck: %s\n", perr);
        free(perr);
        printf("TAP version %d\n1..1\nBail out! unknown checklist or check\n", o->tap_version);
        rc = EXIT_USAGE;
        goto out;
    }
    int pretty = o->format ? strcmp(o->format, "pretty") == 0 : isatty(1);
    const char *no_color = getenv("NO_COLOR");
    run_opts ro = {.jobs = o->jobs, .verbose = o->verbose, .tap_version = o->tap_version,
                   .writer = pretty ? &pretty_writer : &tap_writer,
                   .color = pretty && isatty(1) && !(no_color && *no_color)};
    run_summary sum;
    check_result *results = NULL;
    time_t started = time(NULL);
    rc = run_checks(&pl, &ro, &sum, &results);
    if (results && !sum.interrupted && write_reports(o, c, pl.sel, pl.n, results, &sum, started) != 0 && rc < 2)
        rc = EXIT_INTERNAL;
    run_results_free(results, pl.n);
    plan_release(&pl);
    fprintf(stderr, "%zu passed, %zu failed, %zu skipped", sum.passed, sum.failed, sum.skipped);
    if (sum.warned)
        fprintf(stderr, " (%zu with warnings)", sum.warned);
    fprintf(stderr, " in %.2fs%s\n", sum.seconds, sum.interrupted ? " (interrupted)" : "");
out:
    cfg_free(c);
    plug_reg_free(&reg);
    return rc;
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
        /* secrets that are set now and too short to mask inside words */
        strvec warnings = {0};
        cfg_register_secrets(c, &warnings);
        print_errors(&warnings);
        sv_free(&warnings);
        for (size_t i = 0; i < o->files.n; i++)
            printf("%s%s", i ? " + " : "", o->files.v[i]);
        printf(": %zu checks, %zu checklists: OK\n", c->nchecks, c->nlists);
    }
    cfg_free(c);
    plug_reg_free(&reg);
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
    plug_reg_free(&reg);
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
    for (const oc_option *op = plug_core_options; op->key; op++)
        print_option_md(op);
    for (size_t i = 0; i < reg->n; i++) {
        const oc_plugin *d = reg->v[i]->desc;
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
        } else {
            printf("%s - %s\n(%s)\n\n  %-20s %-10s %-12s %s\n", p->name, p->desc->summary ? p->desc->summary : "",
                   p->path, "option", "type", "default", "meaning");
            for (const oc_option *op = p->desc->options; op && op->key; op++)
                print_option(op);
            printf("\nEvery check also takes:\n");
            for (const oc_option *op = plug_core_options; op->key; op++)
                print_option(op);
        }
    } else {
        strvec errs = {0};
        plug_load_all(&reg, &errs);
        if (o->markdown)
            plugins_markdown(&reg);
        for (size_t i = 0; i < reg.n && !o->markdown; i++)
            printf("%-14s %s\n", reg.v[i]->name, reg.v[i]->desc->summary ? reg.v[i]->desc->summary : "");
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "opscheck: %s\n", errs.v[i]);
        if (errs.n)
            rc = EXIT_USAGE;
        sv_free(&errs);
    }
    plug_reg_free(&reg);
    return rc;
}

int main(int argc, char **argv)
{
    ensure_std_fds();
    signal(SIGPIPE, SIG_IGN);
    cli o = {0};
    int rc = parse_cli(argc, argv, &o);
    if (rc)
        goto out;
    if (!o.cmd || strcmp(o.cmd, "help") == 0) {
        fputs(usage_text, o.cmd ? stdout : stderr);
        rc = o.cmd ? 0 : EXIT_USAGE;
    } else if (strcmp(o.cmd, "version") == 0) {
        printf("opscheck %s (plugin ABI %d)\n", OC_VERSION, OC_ABI_VERSION);
    } else if (strcmp(o.cmd, "run") == 0) {
        rc = cmd_run(&o);
    } else if (strcmp(o.cmd, "validate") == 0) {
        rc = cmd_validate(&o);
    } else if (strcmp(o.cmd, "list") == 0) {
        rc = cmd_list(&o);
    } else if (strcmp(o.cmd, "plugins") == 0) {
        rc = cmd_plugins(&o);
    } else {
        rc = usage_error("unknown command '%s'", o.cmd);
    }
out:
    sv_free(&o.names);
    sv_free(&o.files);
    sv_free(&o.sets);
    sv_free(&o.tags);
    redact_clear();
    return rc;
}
