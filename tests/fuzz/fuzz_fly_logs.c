/*
 * fuzz_fly_logs.c - the fly plugin's log page reader on any JSON: the page
 * is parsed as fly_check_logs.c does, and every entry goes through the
 * runbook's default patterns and the report line formatting.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/fly/fly_logs.h"

static fly_patterns pats;
static int have_pats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!have_pats) {
        char err[256];
        if (fly_patterns_init(&pats, NULL, 0, err, sizeof err) != 0)
            abort();
        have_pats = 1;
    }
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    if (!doc)
        return 0;
    fly_log_page page;
    if (fly_log_page_parse(doc, &page) == 0) {
        char text[4096];
        for (size_t i = 0; i < page.n; i++) {
            const fly_log_entry *e = &page.entries[i];
            if (!e->message || !e->instance || !e->region || !e->level)
                abort();
            fly_log_text(e, text, sizeof text);
            fly_patterns_feed(&pats, e);
        }
        if (page.next_token && !*page.next_token && page.next_token != page.next_buf)
            abort();
        fly_log_page_free(&page);
    }
    time_t t;
    (void)fly_log_time(doc, &t);
    /* keep the kept-lines array from filling up for good */
    for (size_t i = 0; i < pats.nfirst; i++)
        free(pats.first[i]);
    pats.nfirst = 0;
    cJSON_Delete(doc);
    return 0;
}
