/*
 * hh_validate.c - http-health's validate hook (plugin.h): what only this
 * plugin understands in a check's values, judged before anything runs, so
 * that `opscheck validate` names the line of a regex that does not compile
 * or a rule it cannot parse.  The same parsers as the run (hh_config.c,
 * hh_rule.c, hh_status.c): the two cannot disagree.
 */
#include "hh.h"

#include <opscheck/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "KEY[I]": item I of a repeatable option, for the core to find its line. */
static void hh_invalid_item(oc_check *c, const char *key, size_t i, const char *why)
{
    char k[64];
    snprintf(k, sizeof k, "%s[%zu]", key, i);
    oc_invalid(c, k, "%s", why);
}

void hh_validate(oc_check *c)
{
    char err[512];
    const char *const *items;
    size_t n = oc_opt_list(c, "expect_status", &items);
    hh_status_set st = {0};
    for (size_t i = 0; i < n; i++)
        if (hh_status_add(&st, items[i], err, sizeof err) != 0)
            oc_invalid(c, "expect_status", "%s", err);

    n = oc_opt_list(c, "expect_json", &items);
    for (size_t i = 0; i < n; i++) {
        hh_rule r;
        memset(&r, 0, sizeof r);
        if (hh_rule_parse(&r, items[i], err, sizeof err) != 0)
            hh_invalid_item(c, "expect_json", i, err);
        hh_rule_free(&r);
    }

    n = oc_opt_list(c, "expect_header", &items);
    for (size_t i = 0; i < n; i++) {
        hh_header_rule h;
        memset(&h, 0, sizeof h);
        if (hh_header_rule_parse(&h, items[i], err, sizeof err) != 0) {
            hh_invalid_item(c, "expect_header", i, err);
            continue;
        }
        free(h.name);
        free(h.text);
        rx_free(&h.re);
    }

    const char *body = oc_opt_str(c, "expect_body");
    rx re = {0};
    char why[300];
    if (body && rx_compile(&re, body, 0, why, sizeof why) != 0)
        oc_invalid(c, "expect_body", "pattern \"%s\" does not compile %s", body, why);
    rx_free(&re);

    long long samples = oc_opt_isset(c, "samples") ? oc_opt_int(c, "samples") : 1;
    long long conc = oc_opt_isset(c, "concurrency") ? oc_opt_int(c, "concurrency") : 1;
    if (hh_count_check(samples, 1, err, sizeof err) != 0)
        oc_invalid(c, "samples", "%s", err);
    if (hh_count_check(1, conc, err, sizeof err) != 0)
        oc_invalid(c, "concurrency", "%s", err);
}
