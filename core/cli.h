/*
 * cli.h - the command line: every option once (its id, its --name, its
 * value's rules), what each command was given, and the config files it
 * names.  main.c picks the command; cmd_*.c carry them out.
 */
#ifndef OC_CLI_H
#define OC_CLI_H

#include <stddef.h>

#include "config.h"
#include "loader.h"
#include "util.h"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

extern const char usage_text[];

/* Every option, once; a command says in its table row which it takes. */
enum opt_id { O_CONFIG, O_SET, O_JOBS, O_TAG, O_VERBOSE, O_TAP_VERSION, O_FORMAT, O_JUNIT,
              O_JSON, O_PROMETHEUS, O_PUSH, O_MARKDOWN, O_HELP, O_VERSION, O_TAP, O_COLOR, O_QUIET, O_DRY_RUN, O_ONLY_FAILED,
              O_PUSH_GROUP, O_PUSH_DELETE, O_LABEL, O_WATCH, O_UNTIL_PASS, O_MAX_WAIT,
              O_LISTEN, O_HISTORY, O_WEB_CONFIG, O_COUNT };
#define OPT(id) (1u << (id))
#define O_ANYWHERE (OPT(O_HELP) | OPT(O_VERSION)) /* they replace the command */

typedef struct cli {
    const char *cmd;
    strvec names, files, sets, tags;
    strvec labels;                /* --label k=v, names checked (prom_name.h) */
    int jobs, verbose, tap_version;
    const char *format;           /* one of `formats`, or NULL (decide by the terminal) */
    const char *junit, *json, *prometheus, *push, *tap;
    const char *color;            /* "auto" (NULL), "always" or "never" */
    int quiet, dry_run;
    const char *only_failed;      /* a previous --json report */
    strvec push_group;            /* --push-group NAME or LABEL=VALUE, in order (report_push.c) */
    int push_delete;              /* --push-delete: remove the group, run nothing (cmd_push.c) */
    int markdown;
    int watch, until_pass;        /* the loops (loop.h): --watch [INTERVAL], --until-pass [INTERVAL] */
    long long interval_ms;        /* between their rounds; 0: LOOP_DEFAULT_INTERVAL_MS */
    long long max_wait_ms;        /* --max-wait: how long --until-pass waits for green */
    int argc;                     /* the command line as typed, for --watch's header */
    char **argv;
    const char *listen;           /* serve: ADDR:PORT */
    int history;                  /* serve: rounds kept per checklist (0: the default) */
    const char *web_config;       /* serve: TLS and basic auth (serve_web.c), or NULL */
    unsigned given;               /* OPT() bits seen */
} cli;

/* "opscheck: " + FMT (with ARG) + the usage text on stderr; EXIT_USAGE. */
int usage_error(const char *fmt, const char *arg);
/* argv into O; 0, or a usage error's exit code after saying why. */
int parse_cli(int argc, char **argv, cli *o);
/* "--junit" for O_JUNIT: how an error names an option. */
const char *opt_name(int id);
/* Each message on stderr, secrets masked. */
void print_errors(const strvec *errs);
/* The config the command line names (-c FILE..., "-" is stdin), else the
 * first of the search order (config_search.h), read with REG's plugins;
 * the file used is appended to o->files.  Never NULL; errors are in ->errors. */
cfg *cli_load_config(cli *o, plug_reg *reg);
/* The config files read, as "a.ini + b.ini" (stdin as <stdin>), on stdout. */
void cli_print_config_files(const cli *o);
/* As cli_load_config, but NULL when no -c is given and the search finds
 * nothing (`plugins` works without a config). */
cfg *cli_load_config_if_any(cli *o, plug_reg *reg);

#endif
