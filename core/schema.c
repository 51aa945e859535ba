/* schema.c - the options every check has (see schema.h). */
#include "schema.h"

#include <string.h>

const oc_option schema_core_options[] = {
    {"plugin", OC_T_STRING, NULL, OC_OPT_REQUIRED, "the plugin that runs this check"},
    {"description", OC_T_STRING, NULL, 0, "what the check establishes (which runbook step it replaces)"},
    {"timeout", OC_T_DURATION, NULL, 0, "deadline of one attempt; default [opscheck] timeout or 10s"},
    {"retries", OC_T_INT, "0", 0, "attempts after a failed one"},
    {"retry_delay", OC_T_DURATION, "1s", 0, "pause between attempts"},
    {"needs", OC_T_LIST, NULL, 0, "checks that must pass first; else this one is skipped"},
    {"tags", OC_T_LIST, NULL, 0, "labels for `run --tag`"},
    {"hint", OC_T_STRING, NULL, 0, "the operator's next step, shown under a failure"},
    {NULL, 0, NULL, 0, NULL},
};

int schema_core_key(const char *key)
{
    for (const oc_option *o = schema_core_options; o->key; o++)
        if (strcmp(o->key, key) == 0)
            return 1;
    return 0;
}
