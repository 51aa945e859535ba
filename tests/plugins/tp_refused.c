/*
 * tp_refused.c - one descriptor per way a plugin can misstate its ABI
 * (tests only), picked by $TP_REFUSED so tests/abi.t needs one fixture:
 * abi0 abi3 big flag type rowsize are refused; short (an ABI-2 descriptor
 * whose size stops before the ABI-2 members) must load, its members unread.
 */
#include <opscheck/plugin.h>
#include <stdlib.h>
#include <string.h>

static void run(oc_check *c)
{
    oc_pass(c, "ran with the ABI-2 members unread");
}

static int init2(char *why, size_t len)
{
    strncpy(why, "init2 was read past the descriptor's size", len - 1);
    return 1;
}

static const oc_option plain[] = {
    {"mode", OC_T_STRING, NULL, 0, "unused"},
    {NULL, 0, NULL, 0, NULL},
};
static const oc_option newflag[] = {
    {"mode", OC_T_STRING, NULL, 0x40u, "a flag bit from a newer header"},
    {NULL, 0, NULL, 0, NULL},
};
static const oc_option newtype[] = {
    {"mode", (oc_opt_type)99, NULL, 0, "a type from a newer header"},
    {NULL, 0, NULL, 0, NULL},
};

/* Big enough for the "big" variant to claim more than this core's size. */
static struct {
    oc_plugin d;
    char more[64];
} desc;

const oc_plugin *opscheck_plugin(void);
const oc_plugin *opscheck_plugin(void)
{
    const char *v = getenv("TP_REFUSED");
    v = v ? v : "";
    desc.d = (oc_plugin){OC_DESCRIPTOR_HEAD, .name = "tp_refused", .summary = "refused on purpose",
                         .options = plain, .run = run};
    if (!strcmp(v, "abi0"))
        desc.d.abi = 0;
    else if (!strcmp(v, "abi3"))
        desc.d.abi = 3;
    else if (!strcmp(v, "big"))
        desc.d.size = sizeof(oc_plugin) + 16;
    else if (!strcmp(v, "flag"))
        desc.d.options = newflag;
    else if (!strcmp(v, "type"))
        desc.d.options = newtype;
    else if (!strcmp(v, "rowsize"))
        desc.d.option_size = 7;
    else if (!strcmp(v, "short")) {
        desc.d.size = offsetof(oc_plugin, option_size);
        desc.d.option_size = 7;
        desc.d.init2 = init2;
    }
    return &desc.d;
}
