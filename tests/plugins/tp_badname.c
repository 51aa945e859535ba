/* tp_badname.c - a broken plugin the loader must refuse (tests only). */
#include <opscheck/plugin.h>

static void run(oc_check *c)
{
    oc_pass(c, "must never run");
}

static const oc_plugin desc = {.abi = OC_ABI_VERSION, .size = sizeof(oc_plugin), .name = "other", .summary = "broken on purpose", .run = run};
OC_PLUGIN(desc)
