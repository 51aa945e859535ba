/*
 * config_check.c - everything `opscheck validate` proves before anything
 * runs (see config.h), and cfg_resolve(), which finishes one check's values
 * with the environment just before it runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "interp.h"
#include "redact.h"
#include "suggest.h"
#include "units.h"

#define DEFAULT_TIMEOUT_MS 10000

/* See config.h. */
const oc_option *cfg_find_spec(const oc_option *opts, const char *key)
{
    if (!opts)
        return NULL;
    for (const oc_option *o = opts; o->key; o++)
        if (strcmp(o->key, key) == 0 && !(o->flags & OC_OPT_PREFIX))
            return o;
    const char *dot = strchr(key, '.');
    if (!dot || !dot[1])
        return NULL;
    for (const oc_option *o = opts; o->key; o++)
        if ((o->flags & OC_OPT_PREFIX) && strlen(o->key) == (size_t)(dot - key) &&
            strncmp(o->key, key, (size_t)(dot - key)) == 0)
            return o;
    return NULL;
}

static const char *suggest_key(const oc_option *opts, const char *key)
{
    suggest_ctx s;
    suggest_init(&s, key);
    for (const oc_option *o = schema_core_options; o->key; o++)
        suggest_try(&s, o->key);
    for (const oc_option *o = opts; o && o->key; o++)
        suggest_try(&s, o->key);
    return suggest_best(&s);
}

/* Interpolate at load time; reports errors; returns the value or NULL. */
static char *load_value(cfg *c, const cfg_item *it, interp_res *r)
{
    interp_value(c, INTERP_LOAD, it->raw, it->file, it->line, r);
    if (r->error) {
        sv_push(&c->errors, r->error);
        r->error = NULL;
    }
    return r->value;
}

static void check_type(cfg *c, const cfg_item *it, const oc_option *spec, const char *value)
{
    const char *why = NULL;
    if (unit_check(spec->type, value, &why) != 0)
        cfg_error(c, it->file, it->line, "'%s' must be %s, not '%s'", it->key, why,
               (spec->flags & OC_OPT_SECRET) ? "***" : value);
}

/* Keys the plan is made of (which plugin, which checks, in what order, by
 * which tags, and [opscheck]'s settings) are read before any value from
 * outside is: a ${env:} or ${file:} there would be dropped without a word,
 * so it is refused. */
static const char *const plan_keys[] = {"plugin", "needs", "tags", "description", /* a check's */
                                        "checks", NULL};                          /* a checklist's */

static void refuse_deferred(cfg *c, const cfg_item *it)
{
    cfg_error(c, it->file, it->line,
              "'%s' is read when the plan is made: write it in the file or in [vars] (--set VAR=VALUE), "
              "not from ${env:...} or ${file:...}",
              it->key);
}

static int refuse_outside(cfg *c, const cfg_item *it, int deferred)
{
    if (!deferred)
        return 0;
    for (const char *const *k = plan_keys; *k; k++)
        if (strcmp(*k, it->key) == 0) {
            refuse_deferred(c, it);
            return 1;
        }
    return 0;
}

static void settings(cfg *c)
{
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    if (!c->opscheck)
        return;
    for (size_t i = 0; i < c->opscheck->nitems; i++) {
        cfg_item *it = &c->opscheck->items[i];
        interp_res r;
        char *v = load_value(c, it, &r);
        if (r.deferred) {
            refuse_deferred(c, it);
        } else if (strcmp(it->key, "plugin_path") == 0) {
            if (v) {
                char *dir = xstrdup(it->file), *slash = strrchr(dir, '/');
                if (slash)
                    *slash = '\0';
                char *copy = xstrdup(v), *save = NULL;
                for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
                    sv_push(&c->plugin_path, d[0] == '/' || !slash ? xstrdup(d) : xasprintf("%s/%s", dir, d));
                free(copy);
                free(dir);
            }
        } else if (strcmp(it->key, "jobs") == 0) {
            long long n = 0;
            if (v && (unit_int(v, &n) || n < 1 || n > 1024))
                cfg_error(c, it->file, it->line, "'jobs' must be an integer from 1 to 1024, not '%s'", v);
            c->jobs = (int)n;
        } else if (strcmp(it->key, "timeout") == 0) {
            if (v && (unit_duration_ms(v, &c->timeout_ms) || c->timeout_ms <= 0))
                cfg_error(c, it->file, it->line, "'timeout' must be a duration such as 10s, not '%s'", v);
        } else {
            const char *keys[] = {"plugin_path", "jobs", "timeout"};
            const char *best = suggest_among(it->key, keys, 3);
            if (best)
                cfg_error(c, it->file, it->line, "unknown key '%s' in [opscheck] (did you mean '%s'?)", it->key, best);
            else
                cfg_error(c, it->file, it->line, "unknown key '%s' in [opscheck]; known: plugin_path, jobs, timeout", it->key);
        }
        interp_res_clear(&r);
    }
}

/* Core keys (timeout, retries, needs, ...) of one check, from literal or
 * var values.  Values drawn from the environment are parsed in cfg_resolve. */
static void core_key(cfg *c, cfg_check *k, const cfg_item *it, const char *v)
{
    if (!v)
        return;
    if (strcmp(it->key, "timeout") == 0) {
        if (unit_duration_ms(v, &k->timeout_ms) || k->timeout_ms <= 0)
            cfg_error(c, it->file, it->line, "'timeout' must be a duration such as 250ms, 10s or 5m, not '%s'", v);
    } else if (strcmp(it->key, "retry_delay") == 0) {
        if (unit_duration_ms(v, &k->retry_delay_ms))
            cfg_error(c, it->file, it->line, "'retry_delay' must be a duration such as 1s, not '%s'", v);
    } else if (strcmp(it->key, "retries") == 0) {
        long long n;
        if (unit_int(v, &n) || n < 0 || n > 100)
            cfg_error(c, it->file, it->line, "'retries' must be an integer from 0 to 100, not '%s'", v);
        else
            k->retries = (int)n;
    } else if (strcmp(it->key, "needs") == 0) {
        if (unit_list(v, &k->needs))
            cfg_error(c, it->file, it->line, "'needs' has an unmatched quote");
    } else if (strcmp(it->key, "tags") == 0) {
        if (unit_list(v, &k->tags))
            cfg_error(c, it->file, it->line, "'tags' has an unmatched quote");
    } else if (strcmp(it->key, "description") == 0) {
        free(k->description);
        k->description = xstrdup(v);
    }
}

/* Whether IT's value comes from outside (${env:}, ${file:}, or a [vars]
 * entry that does), as interpolation judges it.  Its errors are reported
 * where the item is read again, with the others. */
static int plugin_deferred(cfg *c, const cfg_item *it)
{
    interp_res r;
    interp_value(c, INTERP_LOAD, it->raw, it->file, it->line, &r);
    int deferred = r.deferred;
    interp_res_clear(&r);
    return deferred;
}

static void check_one(cfg *c, cfg_check *k, schema_find_fn find, void *find_ctx)
{
    cfg_section *s = k->sec;
    k->timeout_ms = c->timeout_ms;
    k->retry_delay_ms = 1000;
    const cfg_item *plugin_item = NULL;
    for (size_t i = 0; i < s->nitems; i++)
        if (strcmp(s->items[i].key, "plugin") == 0)
            plugin_item = &s->items[i];
    if (!plugin_item) {
        cfg_error(c, s->file, s->line, "check '%s' has no 'plugin' key", k->name);
    } else if (!refuse_outside(c, plugin_item, plugin_deferred(c, plugin_item))) {
        char *err = NULL;
        k->plugin = find(find_ctx, plugin_item->raw, &c->plugin_path, &err);
        if (!k->plugin) {
            cfg_error(c, plugin_item->file, plugin_item->line, "%s", err);
            free(err);
        }
    }
    const oc_option *opts = k->plugin ? k->plugin->options : NULL;
    /* a plugin that broke while loading has no schema to check against: its
     * checks fail at run with the reason, `validate` reports it */
    int broken = k->plugin && k->plugin->broken;
    for (size_t i = 0; i < s->nitems; i++) {
        const cfg_item *it = &s->items[i];
        const oc_option *spec = NULL;
        int core = schema_core_key(it->key);
        if (core) {
            for (spec = schema_core_options; strcmp(spec->key, it->key) != 0; spec++)
                ;
        } else {
            spec = cfg_find_spec(opts, it->key);
            if (!spec && k->plugin && !broken) {
                const char *best = suggest_key(opts, it->key);
                if (best)
                    cfg_error(c, it->file, it->line, "unknown key '%s' for plugin %s (did you mean '%s'?)",
                           it->key, k->plugin->name, best);
                else
                    cfg_error(c, it->file, it->line, "unknown key '%s' for plugin %s (see `opscheck plugins %s`)",
                           it->key, k->plugin->name, k->plugin->name);
                continue;
            }
            if (!spec)
                continue; /* unknown plugin: reported once above */
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s->items[j].key, it->key) == 0 && !(spec->flags & OC_OPT_REPEAT)) {
                cfg_error(c, it->file, it->line, "duplicate key '%s' (first at line %d)", it->key, s->items[j].line);
                break;
            }
        }
        interp_res r;
        char *v = load_value(c, it, &r);
        if ((spec->flags & OC_OPT_SECRET) && !r.from_outside)
            cfg_error(c, it->file, it->line,
                   "'%s' is a secret: give it as ${env:NAME} or ${file:PATH}, never as a literal value in the INI",
                   it->key);
        else if ((spec->flags & OC_OPT_NOSECRET) && r.secret_env)
            cfg_error(c, it->file, it->line,
                   "'%s' would carry a secret into a command line, where any user can read it; pass it by environment instead",
                   it->key);
        else if (v && strcmp(it->key, "plugin") != 0)
            check_type(c, it, spec, v);
        else if (core && strcmp(it->key, "plugin") != 0) /* a plugin's own `checks` is resolved at run */
            refuse_outside(c, it, r.deferred);
        if (core)
            core_key(c, k, it, v);
        interp_res_clear(&r);
    }
    for (const oc_option *o = opts; o && o->key; o++) {
        if (!(o->flags & OC_OPT_REQUIRED) || o->def)
            continue;
        int found = 0;
        for (size_t i = 0; i < s->nitems && !found; i++)
            found = cfg_find_spec(opts, s->items[i].key) == o;
        if (!found)
            cfg_error(c, s->file, s->line, "check '%s' is missing required option '%s' (plugin %s: %s)",
                   k->name, o->key, k->plugin->name, o->help ? o->help : "");
    }
}

/* Depth-first search over `needs`; 1 = on the stack, 2 = done. */
static int find_cycle(cfg *c, size_t i, int *color, size_t *stack, size_t depth)
{
    color[i] = 1;
    stack[depth] = i;
    cfg_check *k = &c->checks[i];
    for (size_t n = 0; n < k->needs.n; n++) {
        size_t j = k->need_idx[n];
        if (j == (size_t)-1)
            continue;
        if (color[j] == 1) {
            strbuf b = {0};
            size_t from = 0;
            while (stack[from] != j)
                from++;
            for (size_t d = from; d <= depth; d++)
                sb_printf(&b, "%s -> ", c->checks[stack[d]].name);
            sb_puts(&b, c->checks[j].name);
            cfg_error(c, c->checks[j].sec->file, c->checks[j].sec->line, "needs cycle: %s", b.s);
            sb_clear(&b);
            return 1;
        }
        if (color[j] == 0 && find_cycle(c, j, color, stack, depth + 1))
            return 1;
    }
    color[i] = 2;
    return 0;
}

static void check_needs(cfg *c)
{
    for (size_t i = 0; i < c->nchecks; i++) {
        cfg_check *k = &c->checks[i];
        k->need_idx = xcalloc(k->needs.n ? k->needs.n : 1, sizeof *k->need_idx);
        const cfg_item *it = NULL;
        for (size_t j = 0; j < k->sec->nitems; j++)
            if (strcmp(k->sec->items[j].key, "needs") == 0)
                it = &k->sec->items[j];
        for (size_t n = 0; n < k->needs.n; n++) {
            ssize_t j = cfg_find_check(c, k->needs.v[n]);
            k->need_idx[n] = (size_t)j;
            if (j < 0) {
                const char *best = cfg_suggest(c, k->needs.v[n]);
                cfg_error(c, it->file, it->line, "check '%s' needs '%s', which is not a check%s%s%s", k->name,
                       k->needs.v[n], best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
            }
        }
    }
    int *color = xcalloc(c->nchecks ? c->nchecks : 1, sizeof *color);
    size_t *stack = xcalloc(c->nchecks ? c->nchecks + 1 : 1, sizeof *stack);
    for (size_t i = 0; i < c->nchecks; i++)
        if (color[i] == 0 && find_cycle(c, i, color, stack, 0))
            break;
    free(color);
    free(stack);
}

/* `every = 5m` (from 1s to 31d) and `at = HH:MM` (a daily round, local
 * time): when `opscheck serve` runs the checklist.  V is the value;
 * DEFERRED: it comes from the environment or a file, unknown until run. */
static void list_schedule(cfg *c, cfg_list *l, const cfg_item *it, const char *v, int deferred)
{
    if (deferred) {
        cfg_error(c, it->file, it->line, "'%s' is a schedule: write it in the file, not from ${env:...} or ${file:...}",
                  it->key);
        return;
    }
    if (!v)
        return; /* load_value said why */
    if (strcmp(it->key, "every") == 0) {
        long long ms;
        if (unit_duration_ms(v, &ms) || ms < 1000 || ms > 31LL * 86400 * 1000) {
            cfg_error(c, it->file, it->line, "'every' is a duration from 1s to 31d (e.g. 30s, 5m, 1h), not '%s'", v);
            return;
        }
        free(l->every);
        l->every = xstrdup(v);
        l->every_ms = ms;
        return;
    }
    int digits = strlen(v) == 5 && v[2] == ':';
    for (int i = 0; i < 5 && digits; i++)
        digits = i == 2 || (v[i] >= '0' && v[i] <= '9');
    int h = digits ? (v[0] - '0') * 10 + v[1] - '0' : 99, m = digits ? (v[3] - '0') * 10 + v[4] - '0' : 99;
    if (h > 23 || m > 59) {
        cfg_error(c, it->file, it->line, "'at' is a local time HH:MM from 00:00 to 23:59 (e.g. 09:00), not '%s'", v);
        return;
    }
    free(l->at);
    l->at = xstrdup(v);
    l->at_minute = h * 60 + m;
}

/* STAMP[j] == MARK when check j is already in this list (one array for all
 * lists, a new MARK each: no quadratic search in a list of 100,000). */
static void check_list(cfg *c, cfg_list *l, size_t *stamp, size_t mark)
{
    cfg_section *s = l->sec;
    int have_checks = 0, refused = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        cfg_item *it = &s->items[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->items[j].key, it->key) == 0)
                cfg_error(c, it->file, it->line, "duplicate key '%s' (first at line %d)", it->key, s->items[j].line);
        interp_res r;
        char *v = load_value(c, it, &r);
        if (refuse_outside(c, it, r.deferred)) {
            refused |= strcmp(it->key, "checks") == 0; /* said once, not also "lists no checks" */
            have_checks |= refused;
        } else if (strcmp(it->key, "description") == 0) {
            free(l->description);
            l->description = v ? xstrdup(v) : NULL;
        } else if (strcmp(it->key, "checks") == 0) {
            have_checks = 1;
            strvec names = {0};
            if (v && unit_list(v, &names))
                cfg_error(c, it->file, it->line, "'checks' has an unmatched quote");
            for (size_t n = 0; n < names.n; n++) {
                ssize_t j = cfg_find_check(c, names.v[n]);
                if (j < 0) {
                    const char *best = cfg_suggest(c, names.v[n]);
                    cfg_error(c, it->file, it->line, "checklist '%s' names '%s', which is not a check%s%s%s",
                           l->name, names.v[n], best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
                    continue;
                }
                if (stamp[j] == mark)
                    continue;
                stamp[j] = mark;
                l->idx = xrealloc(l->idx, (l->n + 1) * sizeof *l->idx);
                l->idx[l->n++] = (size_t)j;
            }
            sv_clear(&names);
        } else if (strcmp(it->key, "every") == 0 || strcmp(it->key, "at") == 0) {
            list_schedule(c, l, it, v, r.deferred);
        } else {
            const char *keys[] = {"checks", "description", "every", "at"};
            const char *best = suggest_among(it->key, keys, 4);
            if (best)
                cfg_error(c, it->file, it->line, "unknown key '%s' in a checklist (did you mean '%s'?)", it->key, best);
            else
                cfg_error(c, it->file, it->line, "unknown key '%s' in a checklist; known: checks, description, every, at",
                          it->key);
        }
        interp_res_clear(&r);
    }
    if (!have_checks)
        cfg_error(c, s->file, s->line, "checklist '%s' has no 'checks' key", l->name);
    else if (l->n == 0 && !refused)
        cfg_error(c, s->file, s->line, "checklist '%s' lists no checks: running it would check nothing", l->name);
}

void cfg_validate(cfg *c, schema_find_fn find, void *find_ctx)
{
    for (size_t i = 0; i < c->nsecs; i++) {
        cfg_section *s = c->secs[i];
        if (s->kind == CFG_OPSCHECK)
            c->opscheck = s;
        else if (s->kind == CFG_VARS)
            c->vars = s;
        else if (s->kind == CFG_CHECK)
            c->nchecks++;
        else
            c->nlists++;
    }
    settings(c);
    if (c->vars) {
        for (size_t i = 0; i < c->vars->nitems; i++) {
            interp_res r;
            load_value(c, &c->vars->items[i], &r); /* undefined refs, cycles */
            interp_res_clear(&r);
        }
    }
    c->checks = xcalloc(c->nchecks ? c->nchecks : 1, sizeof *c->checks);
    c->lists = xcalloc(c->nlists ? c->nlists : 1, sizeof *c->lists);
    size_t nk = 0, nl = 0;
    for (size_t i = 0; i < c->nsecs; i++) {
        cfg_section *s = c->secs[i];
        if (s->kind == CFG_CHECK)
            c->checks[nk++] = (cfg_check){.sec = s, .name = s->name};
        else if (s->kind == CFG_CHECKLIST)
            c->lists[nl++] = (cfg_list){.sec = s, .name = s->name, .at_minute = -1};
    }
    unsigned char *clean = xcalloc(c->nchecks ? c->nchecks : 1, 1);
    for (size_t i = 0; i < c->nchecks; i++) {
        size_t before = c->errors.n;
        check_one(c, &c->checks[i], find, find_ctx);
        clean[i] = c->errors.n == before;
    }
    cfg_judge(c, clean); /* after the core's own checks: the values have their types */
    free(clean);
    size_t *stamp = xcalloc(c->nchecks ? c->nchecks : 1, sizeof *stamp);
    for (size_t i = 0; i < c->nlists; i++) {
        if (cfg_find_check(c, c->lists[i].name) >= 0)
            cfg_error(c, c->lists[i].sec->file, c->lists[i].sec->line,
                   "'%s' names both a check and a checklist", c->lists[i].name);
        check_list(c, &c->lists[i], stamp, i + 1);
    }
    free(stamp);
    check_needs(c);
    /* an empty configuration checks nothing: it is a mistake, never a green run */
    if (c->nchecks == 0 && c->files.n && !c->errors.n) {
        strbuf names = {0};
        for (size_t i = 0; i < c->files.n; i++)
            sb_printf(&names, "%s%s", i ? ", " : "", c->files.v[i]);
        cfg_error(c, names.s, 0, "no [check NAME] section: nothing to run");
        sb_clear(&names);
    }
}

void cfg_resolve(cfg *c, size_t idx, cfg_resolved *r)
{
    memset(r, 0, sizeof *r);
    cfg_check *k = &c->checks[idx];
    if (k->plugin && k->plugin->broken) {
        r->error = xstrdup(k->plugin->broken);
        return;
    }
    cfg_section *s = k->sec;
    const oc_option *opts = k->plugin ? k->plugin->options : NULL;
    r->opts = xcalloc(s->nitems ? s->nitems : 1, sizeof *r->opts);
    for (size_t i = 0; i < s->nitems && !r->error; i++) {
        const cfg_item *it = &s->items[i];
        interp_res ir;
        interp_value(c, INTERP_RUN, it->raw, it->file, it->line, &ir);
        if (ir.error) {
            r->error = ir.error;
            ir.error = NULL;
            interp_res_clear(&ir);
            break;
        }
        int core = schema_core_key(it->key);
        const oc_option *spec = core ? NULL : cfg_find_spec(opts, it->key);
        if (spec && (spec->flags & OC_OPT_SECRET))
            redact_add(ir.value);
        const char *why = NULL;
        const oc_option *tspec = spec;
        if (core)
            for (tspec = schema_core_options; strcmp(tspec->key, it->key) != 0; tspec++)
                ;
        if (unit_check(tspec->type, ir.value, &why) != 0) {
            char *where = cfg_where(it->file, it->line);
            char *shown = redact(ir.value);
            r->error = xasprintf("%s: '%s' must be %s, not '%s'", where, it->key, why,
                                 (tspec->flags & OC_OPT_SECRET) ? "***" : shown);
            free(shown);
            free(where);
        } else if (core && (strcmp(it->key, "timeout") == 0 || strcmp(it->key, "retries") == 0 ||
                            strcmp(it->key, "retry_delay") == 0)) {
            size_t before = c->errors.n;
            core_key(c, k, it, ir.value);
            if (c->errors.n > before) {
                r->error = c->errors.v[--c->errors.n];
            }
        }
        if (core && strcmp(it->key, "hint") == 0) {
            free(r->hint); /* the hint is resolved like any value: ${env:} may fill it */
            r->hint = ir.value;
            ir.value = NULL;
        }
        if (!core && strcmp(it->key, "plugin") != 0) {
            r->opts[r->nopts].key = it->key;
            r->opts[r->nopts].value = ir.value;
            r->opts[r->nopts].spec = spec;
            r->nopts++;
            ir.value = NULL;
        }
        interp_res_clear(&ir);
    }
}

void cfg_resolved_clear(cfg_resolved *r)
{
    for (size_t i = 0; i < r->nopts; i++)
        free(r->opts[i].value);
    free(r->opts);
    free(r->error);
    free(r->hint);
    memset(r, 0, sizeof *r);
}

static int warn_short(strvec *warnings, const cfg_item *it, const char *value)
{
    size_t len = strlen(value);
    if (!warnings || !len || len >= REDACT_MIN_INWORD)
        return 0;
    char *where = cfg_where(it->file, it->line);
    sv_push(warnings, xasprintf("%s: warning: a secret in '%s' is %zu character%s long: shorter than %d, it is "
                                "masked only where it stands alone, not inside words",
                                where, it->key, len, len == 1 ? "" : "s", REDACT_MIN_INWORD));
    free(where);
    return 1;
}

/* Every ${env:NAME} in IT's value whose NAME looks secret and is set.
 * Returns 1 when it warned about a short one. */
static int register_env_refs(const cfg_item *it, strvec *warnings)
{
    int warned = 0;
    for (const char *p = strstr(it->raw, "${env:"); p; p = strstr(p + 1, "${env:")) {
        const char *name = p + 6;
        char *var = xstrndup(name, strcspn(name, ":}"));
        const char *v = getenv(var);
        if (v && *v && cfg_env_is_secret(var)) {
            redact_add(v);
            warned |= warn_short(warnings, it, v);
        }
        free(var);
    }
    return warned;
}

/* One section's items; OPTS is its plugin's schema rows (NULL: not a check). */
static void register_section(cfg *c, const cfg_section *s, const oc_option *opts, strvec *warnings)
{
    for (size_t n = 0; n < s->nitems; n++) {
        const cfg_item *it = &s->items[n];
        int warned = register_env_refs(it, warnings);
        const oc_option *spec = cfg_find_spec(opts, it->key);
        int secret = spec && (spec->flags & OC_OPT_SECRET);
        if (!secret && !strstr(it->raw, "${"))
            continue;
        /* resolving registers what it draws from secret-looking variables
         * and from files; a secret option's whole value is registered too */
        interp_res ir;
        interp_value(c, INTERP_RUN, it->raw, it->file, it->line, &ir);
        if (ir.value && secret) {
            redact_add(ir.value);
            if (!warned)
                warn_short(warnings, it, ir.value);
        }
        interp_res_clear(&ir);
    }
}

void cfg_register_secrets(cfg *c, strvec *warnings)
{
    for (size_t i = 0; i < c->nsecs; i++)
        if (c->secs[i]->kind != CFG_CHECK)
            register_section(c, c->secs[i], NULL, warnings);
    for (size_t i = 0; i < c->nchecks; i++)
        register_section(c, c->checks[i].sec, c->checks[i].plugin ? c->checks[i].plugin->options : NULL,
                         warnings);
}
