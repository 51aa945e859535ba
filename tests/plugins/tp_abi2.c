/*
 * tp_abi2.c - a plugin using what ABI 2 added (tests only): init2 with a
 * reason, oc_log, and the rules it enforces (undeclared keys, threads).
 */
#include <opscheck/plugin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fails, with the text of $TP_ABI2_INIT_WHY as its reason, when that is set. */
static int init2(char *why, size_t len)
{
    const char *w = getenv("TP_ABI2_INIT_WHY");
    if (!w)
        return 0;
    snprintf(why, len, "%s", w);
    return 1;
}

static void *from_thread(void *c)
{
    oc_pass(c, "reported from another thread");
    return NULL;
}

static void run(oc_check *c)
{
    const char *mode = oc_opt_str(c, "mode");
    if (!strcmp(mode, "log")) {
        oc_log(c, "first line %d", 1);
        oc_log(c, "second line");
        oc_pass(c, "logged");
    } else if (!strcmp(mode, "undeclared")) {
        oc_pass(c, "before the bad getter");
        long long ms = oc_opt_duration_ms(c, "timout");
        oc_pass(c, "after the bad getter (%lld)", ms);
    } else if (!strcmp(mode, "declared")) {
        oc_pass(c, "header.x-app=%s", oc_opt_str(c, "header.x-app"));
    } else if (!strcmp(mode, "thread")) {
        pthread_t t;
        if (pthread_create(&t, NULL, from_thread, c) == 0)
            pthread_join(t, NULL);
        oc_pass(c, "reported from run()'s thread");
    } else {
        oc_fail(c, "unknown mode %s", mode);
    }
}

static const oc_option options[] = {
    {"mode", OC_T_STRING, "log", 0, "log undeclared declared thread"},
    {"header", OC_T_STRING, NULL, OC_OPT_PREFIX, "header.NAME = value"},
    {NULL, 0, NULL, 0, NULL},
};

static const oc_plugin desc = {
    OC_DESCRIPTOR_HEAD,
    .name = "tp_abi2",
    .summary = "test plugin using ABI 2",
    .options = options,
    .run = run,
    .init2 = init2,
};
OC_PLUGIN(desc)
