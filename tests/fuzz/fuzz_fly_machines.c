/*
 * fuzz_fly_machines.c - the fly plugin's Machine readers on any JSON: the
 * input is parsed with cJSON as a machines list (or one machine object),
 * then every reader fly_check_machines.c uses is run on each machine.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/fly/fly_machines.h"

static void one_machine(const cJSON *m)
{
    char buf[256];
    (void)fly_machine_group(m);
    (void)fly_machine_is_active(m);
    fly_service svc[4];
    size_t ns = fly_machine_services(m, svc, 4);
    for (size_t i = 0; i < ns && i < 4; i++) {
        (void)fly_autostop_name(svc[i].autostop);
        if (!svc[i].conc_type)
            abort();
    }
    (void)fly_machine_memory_mb(m);
    fly_checks ck;
    fly_machine_checks(m, &ck);
    fly_exit x;
    if (fly_machine_last_exit(m, &x) == 0) {
        (void)fly_exit_is_oom(&x);
        fly_exit_describe(&x, buf, sizeof buf);
    }
    fly_exit_stats st;
    fly_machine_exits_since(m, 1700000000, &st);
    if (st.have_oom)
        fly_exit_describe(&st.newest_oom, buf, sizeof buf);
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(m, "events")) {
        (void)fly_event_exit_object(ev);
        if (fly_exit_from_event(ev, &x) == 0)
            fly_exit_describe(&x, buf, sizeof buf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    if (!doc)
        return 0;
    if (cJSON_IsArray(doc)) {
        const cJSON **act;
        size_t ignored;
        size_t n = fly_active_machines(doc, NULL, &act, &ignored);
        free(act);
        n = fly_active_machines(doc, "app", &act, &ignored);
        for (size_t i = 0; i < n; i++)
            one_machine(act[i]);
        free(act);
        const cJSON *m;
        cJSON_ArrayForEach(m, doc)
            one_machine(m);
    } else {
        one_machine(doc);
    }
    fly_autostop a;
    if (cJSON_IsString(doc))
        (void)fly_autostop_parse(doc->valuestring, &a);
    (void)fly_autostop_decode(doc);
    cJSON_Delete(doc);
    return 0;
}
