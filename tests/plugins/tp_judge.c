/*
 * tp_judge.c - a plugin with the validate hook of ABI 2 revision 1 (tests
 * only): it refuses values, reports from run() with oc_invalid, and can
 * crash or hang in validate.  It also says what it should never see: a
 * secret option, or a value drawn from the environment.
 */
#include <opscheck/plugin.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void judge(oc_check *c)
{
    const char *mode = oc_opt_str(c, "mode");
    oc_pass(c, "a result from validate is not heard");
    if (!strcmp(mode, "crash"))
        raise(SIGSEGV);
    if (!strcmp(mode, "hang"))
        for (;;)
            pause();
    if (!strcmp(mode, "undeclared"))
        (void)oc_opt_str(c, "timout");
    const char *p = oc_opt_str(c, "pattern");
    if (p && strstr(p, "bad"))
        oc_invalid(c, "pattern", "\"%s\" is refused by tp_judge", p);
    const char *const *items;
    size_t n = oc_opt_list(c, "item", &items);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i], "no"))
            continue;
        char key[32];
        snprintf(key, sizeof key, "item[%zu]", i);
        oc_invalid(c, key, "item %zu says no", i);
    }
    if (oc_opt_isset(c, "token"))
        oc_invalid(c, "token", "validate saw the secret %s", oc_opt_str(c, "token"));
}

static void run(oc_check *c)
{
    const char *p = oc_opt_str(c, "pattern");
    if (p && strstr(p, "bad")) { /* the same rule at run time */
        oc_invalid(c, "pattern", "\"%s\" is refused by tp_judge", p);
        return;
    }
    oc_pass(c, "tp_judge ran (pattern %s)", p ? p : "unset");
}

static const oc_option options[] = {
    {"mode", OC_T_STRING, "plain", 0, "plain crash hang undeclared"},
    {"pattern", OC_T_STRING, NULL, 0, "refused when it holds \"bad\""},
    {"item", OC_T_STRING, NULL, OC_OPT_REPEAT, "refused when \"no\""},
    {"token", OC_T_STRING, NULL, OC_OPT_SECRET, "a secret validate must never see"},
    {NULL, 0, NULL, 0, NULL},
};

static const oc_plugin desc = {
    OC_DESCRIPTOR_HEAD,
    .name = "tp_judge",
    .summary = "test plugin with a validate hook",
    .options = options,
    .run = run,
    .validate = judge,
};

/* The same plugin as one built against ABI 2 before revision 1 would
 * describe itself: its size stops before validate, so the core must not
 * read (or call) it, whatever lies there. */
static const oc_plugin old = {
    .abi = 2,
    .size = offsetof(oc_plugin, validate),
    .option_size = sizeof(oc_option),
    .name = "tp_judge",
    .summary = "test plugin with a validate hook, as ABI 2 revision 0",
    .options = options,
    .run = run,
    .validate = judge,
};

const oc_plugin *opscheck_plugin(void);
const oc_plugin *opscheck_plugin(void)
{
    return getenv("TP_JUDGE_OLD") ? &old : &desc;
}
