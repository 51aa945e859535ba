/*
 * tp_hostile.c - a plugin that misbehaves while it is loaded or initialised
 * (tests only), as $TP_HOSTILE says:
 *   ctor-exit ctor-segv ctor-loop ctor-print   in its constructor
 *   init-exit init-segv init-loop init-print   in init()
 * None of it may reach the main opscheck process: its checks fail with the
 * reason, other checks report as usual, the TAP stream stays clean.
 */
#include <opscheck/plugin.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void misbehave(const char *when)
{
    const char *m = getenv("TP_HOSTILE");
    if (!m || strncmp(m, when, strlen(when)) != 0)
        return;
    const char *what = m + strlen(when);
    if (!strcmp(what, "-exit"))
        exit(0);
    if (!strcmp(what, "-segv"))
        raise(SIGSEGV);
    if (!strcmp(what, "-loop")) {
        signal(SIGTERM, SIG_IGN);
        for (;;)
            pause();
    }
    if (!strcmp(what, "-print")) {
        printf("not ok 99 - HOSTILE output from %s\n", when);
        fflush(stdout);
        fprintf(stderr, "HOSTILE stderr from %s\n", when);
    }
}

__attribute__((constructor)) static void on_load(void)
{
    misbehave("ctor");
}

static int init(void)
{
    misbehave("init");
    return 0;
}

static void run(oc_check *c)
{
    oc_pass(c, "loaded and initialised");
}

static const oc_option opts[] = {{NULL, 0, NULL, 0, NULL}};
static const oc_plugin tp_hostile = {.abi = OC_ABI_VERSION, .size = sizeof(oc_plugin), .name = "tp_hostile",
                                     .summary = "misbehaves while loading (tests)", .options = opts,
                                     .init = init, .run = run};
OC_PLUGIN(tp_hostile)
