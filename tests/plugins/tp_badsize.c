/* tp_badsize.c - a descriptor smaller than ABI 1's, which the loader must refuse (tests only). */
#include <opscheck/plugin.h>

static void run(oc_check *c)
{
    oc_pass(c, "must never run");
}

static const oc_plugin desc = {.abi = OC_ABI_VERSION, .size = 8, .name = "tp_badsize", .summary = "broken on purpose", .run = run};
OC_PLUGIN(desc)
