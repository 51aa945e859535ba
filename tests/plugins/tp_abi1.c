/*
 * tp_abi1.c - a plugin as it was written and built for ABI 1, compiled
 * against the frozen tests/plugins/abi1/opscheck/plugin.h (see the Makefile):
 * tests/abi.t proves every later core still loads and runs it.  Never update
 * it to a newer ABI; write a new fixture instead.
 */
#include <opscheck/plugin.h>
#include <string.h>

_Static_assert(OC_ABI_VERSION == 1, "tp_abi1 must be built against the frozen ABI-1 header");

static void run(oc_check *c)
{
    const char *mode = oc_opt_str(c, "mode");
    const char *const *items;
    size_t n = oc_opt_list(c, "items", &items);
    if (!strcmp(mode, "fail")) {
        oc_fail(c, "abi1 failed as asked");
        oc_expect(c, "up", "down");
        oc_diag(c, "abi1_fact", "count=%lld", oc_opt_int(c, "count"));
        return;
    }
    oc_diag(c, "abi1_fact", "from an ABI-1 plugin");
    oc_pass(c, "abi1 %s count=%lld on=%d items=%zu first=%s", oc_check_name(c), oc_opt_int(c, "count"),
            oc_opt_bool(c, "on"), n, n ? items[0] : "-");
}

static const oc_option options[] = {
    {"mode", OC_T_STRING, "ok", 0, "ok or fail"},
    {"count", OC_T_INT, "7", 0, "a number with a default"},
    {"on", OC_T_BOOL, "no", 0, "a boolean"},
    {"items", OC_T_LIST, NULL, 0, "a list"},
    {NULL, 0, NULL, 0, NULL},
};

static const oc_plugin desc = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "tp_abi1",
    .summary = "test plugin built against the frozen ABI-1 header",
    .options = options,
    .run = run,
};
OC_PLUGIN(desc)
