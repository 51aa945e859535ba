/*
 * config_judge.c - the plugins' own judgement of a config's values, before
 * anything runs (plugin.h's validate hook; schema.h's judge).  Each plugin
 * with a hook is asked once for all its checks; what it finds becomes
 * "file:line: ..." errors at the line of the key it names.
 *
 * What a plugin sees: the values written in the INI, interpolated with
 * [vars] and --set.  Secret options and values drawn from ${env:...} or
 * ${file:...} are left out (they read as unset): a secret never leaves
 * this process for validation, and validate needs no production token.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "interp.h"

typedef struct judging {
    cfg *c;
    const size_t *idx;  /* judged[i] is check idx[i] */
} judging;

/* The item KEY names: "KEY[N]" is the Nth item of a REPEAT key (when
 * there are fewer, or for a LIST, the last); else the last one given. */
static const cfg_item *item_of(const cfg_section *s, const char *key)
{
    size_t len = strcspn(key, "[");
    long nth = key[len] == '[' ? strtol(key + len + 1, NULL, 10) : -1;
    const cfg_item *last = NULL;
    long seen = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const cfg_item *it = &s->items[i];
        if (strlen(it->key) != len || strncmp(it->key, key, len) != 0)
            continue;
        if (seen++ == nth)
            return it;
        last = it;
    }
    return last;
}

static int plugin_line(const cfg_section *s)
{
    for (size_t i = 0; i < s->nitems; i++)
        if (strcmp(s->items[i].key, "plugin") == 0)
            return s->items[i].line;
    return s->line;
}

static void on_bad(void *ctx, size_t i, const char *key, const char *why)
{
    judging *j = ctx;
    const cfg_check *k = &j->c->checks[j->idx[i]];
    const cfg_section *s = k->sec;
    if (!key) { /* the hook itself failed: at the check's plugin line */
        cfg_error(j->c, s->file, plugin_line(s), "check '%s': %s", k->name, why);
        return;
    }
    const cfg_item *it = item_of(s, key);
    /* the key as written ("expect_header", not "expect_header[1]"), unless
     * the plugin's words already start with it */
    size_t len = strcspn(key, "[");
    int named = strncmp(why, key, len) == 0;
    cfg_error(j->c, it ? it->file : s->file, it ? it->line : s->line, "check '%s': %.*s%s%s", k->name,
              named ? 0 : (int)len, key, named ? "" : ": ", why);
}

/* Check K's values a plugin may see (see the top of this file). */
static void judged_values(cfg *c, const cfg_check *k, cfg_resolved *r)
{
    const cfg_section *s = k->sec;
    r->opts = xcalloc(s->nitems ? s->nitems : 1, sizeof *r->opts);
    for (size_t i = 0; i < s->nitems; i++) {
        const cfg_item *it = &s->items[i];
        if (schema_core_key(it->key))
            continue;
        const oc_option *spec = cfg_find_spec(k->plugin->options, it->key);
        if (!spec || (spec->flags & OC_OPT_SECRET))
            continue;
        interp_res ir;
        interp_value(c, INTERP_LOAD, it->raw, it->file, it->line, &ir);
        if (ir.value && !ir.deferred && !ir.from_outside && !ir.error) {
            r->opts[r->nopts++] = (cfg_opt){.key = it->key, .value = ir.value, .spec = spec};
            ir.value = NULL;
        }
        interp_res_clear(&ir);
    }
}

void cfg_judge(cfg *c, const unsigned char *clean)
{
    unsigned char *done = xcalloc(c->nchecks ? c->nchecks : 1, 1);
    for (size_t i = 0; i < c->nchecks; i++) {
        const oc_schema *sc = c->checks[i].plugin;
        if (done[i] || !clean[i] || !sc || sc->broken || !sc->judge)
            continue;
        /* every clean check of this plugin, in one child */
        size_t n = 0, *idx = xcalloc(c->nchecks, sizeof *idx);
        for (size_t k = i; k < c->nchecks; k++)
            if (clean[k] && !done[k] && c->checks[k].plugin == sc) {
                done[k] = 1;
                idx[n++] = k;
            }
        cfg_resolved *res = xcalloc(n, sizeof *res);
        schema_judged *js = xcalloc(n, sizeof *js);
        for (size_t k = 0; k < n; k++) {
            judged_values(c, &c->checks[idx[k]], &res[k]);
            js[k] = (schema_judged){c->checks[idx[k]].name, &res[k]};
        }
        judging j = {c, idx};
        sc->judge(sc, js, n, on_bad, &j);
        for (size_t k = 0; k < n; k++)
            cfg_resolved_clear(&res[k]);
        free(res);
        free(js);
        free(idx);
    }
    free(done);
}
