/*
 * main.c - picks the command and hands it the parsed command line (cli.c);
 * the commands are cmd_*.c.  Exit codes: 0 all passed, 1 a check failed,
 * 2 usage or config error, 3 internal.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "redact.h"
#include "stop.h"
#include "suggest.h"
#include "zygote.h"

/* Processes started without fd 0-2 would hand those numbers to our pipes. */
static void ensure_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
            open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
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
         OPT(O_QUIET) | OPT(O_DRY_RUN) | OPT(O_ONLY_FAILED) | OPT(O_PUSH_GROUP) | OPT(O_PUSH_DELETE) |
         OPT(O_LABEL) | OPT(O_WATCH) | OPT(O_UNTIL_PASS) | OPT(O_MAX_WAIT),
     SIZE_MAX},
    {"serve", cmd_serve, OPT(O_CONFIG) | OPT(O_LISTEN) | OPT(O_HISTORY) | OPT(O_WEB_CONFIG), 0},
    {"list", cmd_list, OPT(O_CONFIG) | OPT(O_SET), 0},
    {"validate", cmd_validate, OPT(O_CONFIG) | OPT(O_SET), 0},
    {"plugins", cmd_plugins, OPT(O_MARKDOWN) | OPT(O_CONFIG) | OPT(O_SET), 1},
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
        if (!e || (e->fn != cmd_run && e->fn != cmd_serve))
            stop_block(0); /* the default actions for the other commands; serve takes them held (stop_wait) */
        rc = e ? e->fn(&o) : EXIT_USAGE;
    }
    sv_clear(&o.names);
    sv_clear(&o.files);
    sv_clear(&o.sets);
    sv_clear(&o.tags);
    sv_clear(&o.push_group);
    sv_clear(&o.labels);
    redact_clear();
    return rc;
}
