/*
 * tp_nested.c - a plugin built only for tests/nested.t: oc_directive and
 * oc_assert_yaml (ABI 2) called as a plugin may call them, rightly and
 * wrongly, so the core's handling of each case can be proven.
 */
#include <opscheck/plugin.h>
#include <string.h>

static void run(oc_check *c)
{
    const char *mode = oc_opt_str(c, "mode");
    const char *t = oc_opt_str(c, "token");
    if (!strcmp(mode, "secret")) { /* a secret in a reason and in YAML is masked */
        oc_fail(c, "login");
        oc_directive(c, "TODO", "token %s expired", t);
        oc_fail(c, "session");
        oc_assert_yaml(c, "user: marina\ntoken: ");
        oc_assert_yaml(c, t); /* the last call wins: replaced below */
        char y[256];
        strcpy(y, "user: marina\ntoken: ");
        strncat(y, t, 100);
        oc_assert_yaml(c, y);
    } else if (!strcmp(mode, "badname")) {
        oc_pass(c, "first");
        oc_directive(c, "todo", "lowercase is not a directive");
        oc_pass(c, "never reached");
    } else if (!strcmp(mode, "early")) { /* before any assertion: ignored */
        oc_directive(c, "SKIP", "nothing to skip yet");
        oc_assert_yaml(c, "a: 1");
        oc_pass(c, "only");
    } else if (!strcmp(mode, "dropped")) { /* past the record limit, a TODO failure still does not fail */
        for (int i = 0; i < 1200; i++) {
            oc_fail(c, "known %d", i);
            oc_directive(c, "TODO", "flaky");
        }
    }
}

static const oc_option options[] = {
    {"mode", OC_T_STRING, "secret", 0, "secret badname early dropped"},
    {"token", OC_T_STRING, "none", OC_OPT_SECRET, "a secret shown on purpose"},
    {NULL, 0, NULL, 0, NULL},
};

static const oc_plugin desc = {OC_DESCRIPTOR_HEAD, .name = "tp_nested", .summary = "oc_directive and oc_assert_yaml",
                               .options = options, .run = run};
OC_PLUGIN(desc)
