/* tp_badabi.c - a broken plugin the loader must refuse (tests only). */
#include <opscheck/plugin.h>

static void run(oc_check *c)
{
    oc_pass(c, "must never run");
}

static const oc_plugin desc = {.abi = 99, .size = sizeof(oc_plugin), .name = "tp_badabi", .summary = "broken on purpose", .run = run};
OC_PLUGIN(desc)
