/*
 * oc_api.c - the functions plugins call (<opscheck/plugin.h>), running in
 * the check's child process.  Getters read the resolved options; results
 * go to the parent at once as wire records.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_ctx.h"
#include "probe.h"
#include "units.h"
#include "wire.h"

/* May FN send a record now?  Only from run()'s thread, only until run()
 * returns (plugin.h); the first refused call is kept for oc_run_returned. */
static int may_send(oc_check *c, const char *fn)
{
    if (c->validating)
        return 0; /* validate() reports only with oc_invalid */
    if (!atomic_load(&c->returned) && pthread_equal(pthread_self(), c->thread))
        return 1;
    const char *none = NULL;
    atomic_compare_exchange_strong(&c->refused, &none, fn);
    return 0;
}

void oc_run_returned(oc_check *c)
{
    atomic_store(&c->returned, 1);
    const char *fn = atomic_load(&c->refused);
    if (fn) {
        char *msg = xasprintf("plugin bug: %s called from a thread other than run()'s (ignored)", fn);
        const char *f[] = {"fail", msg};
        wire_send(c->fd, WIRE_ASSERT, f, 2);
        free(msg);
    }
    wire_send(c->fd, WIRE_END, NULL, 0);
}

static const oc_option *spec_of(const oc_check *c, const char *key)
{
    for (const oc_option *o = c->desc->options; o && o->key; o++)
        if (strcmp(o->key, key) == 0)
            return o;
    return NULL;
}

/* A call that would otherwise be misread (an undeclared key reads as
 * "unset", an unknown directive as none): end the check with MSG (freed),
 * in run()'s thread. */
static void plugin_bug(oc_check *c, const char *fn, char *msg)
{
    if (!may_send(c, fn)) {
        free(msg);
        return;
    }
    const char *f[] = {"fail", msg};
    wire_send(c->fd, WIRE_ASSERT, f, 2);
    wire_send(c->fd, WIRE_END, NULL, 0);
    _exit(0);
}

/* A getter asked for a key the plugin never declared. */
static void undeclared(const oc_check *c, const char *key)
{
    plugin_bug((oc_check *)c, "an option getter", xasprintf("plugin bug: option '%s' is not declared", key));
}

/* KEY is in the plugin's table, or "NAME.x" for a PREFIX option NAME;
 * anything else ends the check (see undeclared()). */
static void need_declared(const oc_check *c, const char *key)
{
    if (spec_of(c, key))
        return;
    const char *dot = strchr(key, '.');
    if (dot && dot[1]) {
        char *name = xstrndup(key, (size_t)(dot - key));
        const oc_option *o = spec_of(c, name);
        free(name);
        if (o && (o->flags & OC_OPT_PREFIX))
            return;
    }
    undeclared(c, key);
}

/* The last value given for KEY, else the table's default, else NULL. */
static const char *value_of(const oc_check *c, const char *key)
{
    need_declared(c, key);
    for (size_t i = c->res->nopts; i-- > 0;)
        if (strcmp(c->res->opts[i].key, key) == 0)
            return c->res->opts[i].value;
    const oc_option *o = spec_of(c, key);
    return o ? o->def : NULL;
}

const char *oc_check_name(const oc_check *c)
{
    return c->name;
}

int oc_opt_isset(const oc_check *c, const char *key)
{
    need_declared(c, key);
    for (size_t i = 0; i < c->res->nopts; i++)
        if (strcmp(c->res->opts[i].key, key) == 0)
            return 1;
    return 0;
}

const char *oc_opt_str(const oc_check *c, const char *key)
{
    return value_of(c, key);
}

long long oc_opt_int(const oc_check *c, const char *key)
{
    const char *v = value_of(c, key);
    long long n = 0;
    if (v && unit_int(v, &n) != 0)
        n = 0;
    return n;
}

int oc_opt_bool(const oc_check *c, const char *key)
{
    const char *v = value_of(c, key);
    int b = 0;
    if (v && unit_bool(v, &b) != 0)
        b = 0;
    return b;
}

long long oc_opt_duration_ms(const oc_check *c, const char *key)
{
    const char *v = value_of(c, key);
    long long n = 0;
    if (v && unit_duration_ms(v, &n) != 0)
        n = 0;
    return n;
}

long long oc_opt_size(const oc_check *c, const char *key)
{
    const char *v = value_of(c, key);
    long long n = 0;
    if (v && unit_size(v, &n) != 0)
        n = 0;
    return n;
}

double oc_opt_percent(const oc_check *c, const char *key)
{
    const char *v = value_of(c, key);
    double d = 0;
    if (v && unit_percent(v, &d) != 0)
        d = 0;
    return d;
}

/* Cache an array so the plugin can keep the pointer until run() returns. */
static size_t remember(oc_check *c, const char *key, strvec *sv, const char *const **items)
{
    c->lists = xrealloc(c->lists, (c->nlists + 1) * sizeof *c->lists);
    c->lists[c->nlists].key = key;
    c->lists[c->nlists].items = (const char **)sv->v;
    c->lists[c->nlists].n = sv->n;
    c->nlists++;
    *items = (const char *const *)sv->v;
    return sv->n;
}

size_t oc_opt_list(const oc_check *cc, const char *key, const char *const **items)
{
    oc_check *c = (oc_check *)cc;
    static const char *none[] = {NULL};
    *items = none;
    need_declared(c, key);
    const oc_option *o = spec_of(c, key);
    strvec sv = {0};
    if (o && (o->flags & OC_OPT_REPEAT) && o->type != OC_T_LIST) {
        for (size_t i = 0; i < c->res->nopts; i++)
            if (strcmp(c->res->opts[i].key, key) == 0)
                sv_push(&sv, xstrdup(c->res->opts[i].value));
        if (!sv.n && o->def)
            sv_push(&sv, xstrdup(o->def));
    } else if (o && (o->flags & OC_OPT_REPEAT)) {
        for (size_t i = 0; i < c->res->nopts; i++)
            if (strcmp(c->res->opts[i].key, key) == 0)
                unit_list(c->res->opts[i].value, &sv);
        if (!oc_opt_isset(c, key) && o->def)
            unit_list(o->def, &sv);
    } else {
        const char *v = value_of(c, key);
        if (v)
            unit_list(v, &sv);
    }
    sv_push(&sv, NULL); /* NULL-terminated too, for convenience */
    sv.n--;
    return remember(c, key, &sv, items);
}

size_t oc_opt_map(const oc_check *cc, const char *prefix,
                  const char *const **names, const char *const **values)
{
    oc_check *c = (oc_check *)cc;
    need_declared(c, prefix);
    strvec n = {0}, v = {0};
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < c->res->nopts; i++) {
        const char *k = c->res->opts[i].key;
        if (strncmp(k, prefix, plen) == 0 && k[plen] == '.' && k[plen + 1]) {
            sv_push(&n, xstrdup(k + plen + 1));
            sv_push(&v, xstrdup(c->res->opts[i].value));
        }
    }
    sv_push(&n, NULL);
    n.n--;
    sv_push(&v, NULL);
    v.n--;
    remember(c, prefix, &v, values);
    return remember(c, prefix, &n, names);
}

long long oc_remaining_ms(const oc_check *c)
{
    long long left = c->deadline_ms - now_ms();
    return left > 0 ? left : 0;
}

static void send_assert(oc_check *c, const char *fn, const char *status, const char *fmt, va_list ap)
{
    if (!may_send(c, fn))
        return;
    char *msg = fmt ? xvasprintf(fmt, ap) : xstrdup("");
    const char *f[] = {status, msg};
    wire_send(c->fd, WIRE_ASSERT, f, 2);
    free(msg);
}

#define ASSERT_FN(fn, st)                              \
    void fn(oc_check *c, const char *fmt, ...)         \
    {                                                  \
        va_list ap;                                    \
        va_start(ap, fmt);                             \
        send_assert(c, #fn, st, fmt, ap);              \
        va_end(ap);                                    \
    }
ASSERT_FN(oc_pass, "pass")
ASSERT_FN(oc_fail, "fail")
ASSERT_FN(oc_warn, "warn")
ASSERT_FN(oc_skip, "skip")
ASSERT_FN(oc_error, "error")

void oc_expect(oc_check *c, const char *expected, const char *seen)
{
    if (!may_send(c, "oc_expect"))
        return;
    const char *f[] = {expected, seen};
    wire_send(c->fd, WIRE_EXPECT, f, 2);
}

void oc_directive(oc_check *c, const char *name, const char *fmt, ...)
{
    if (!name || (strcmp(name, "TODO") != 0 && strcmp(name, "SKIP") != 0)) {
        plugin_bug(c, "oc_directive",
                   xasprintf("plugin bug: oc_directive '%s' is not TODO or SKIP", name ? name : "(null)"));
        return;
    }
    if (!may_send(c, "oc_directive"))
        return;
    va_list ap;
    va_start(ap, fmt);
    char *reason = fmt ? xvasprintf(fmt, ap) : xstrdup("");
    va_end(ap);
    const char *f[] = {name, reason};
    wire_send(c->fd, WIRE_DIRECTIVE, f, 2);
    free(reason);
}

void oc_assert_yaml(oc_check *c, const char *yaml)
{
    const char *f[] = {yaml ? yaml : ""};
    if (may_send(c, "oc_assert_yaml"))
        wire_send(c->fd, WIRE_YAML, f, 1);
}

static void send_diag(oc_check *c, const char *fn, const char *key, const char *fmt, va_list ap)
{
    if (!may_send(c, fn))
        return;
    char *val = xvasprintf(fmt, ap);
    const char *f[] = {key, val};
    wire_send(c->fd, WIRE_DIAG, f, 2);
    free(val);
}

void oc_diag(oc_check *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    send_diag(c, "oc_diag", key, fmt, ap);
    va_end(ap);
}

void oc_metric(oc_check *c, const char *name, double value, const char *unit)
{
    char num[64];
    snprintf(num, sizeof num, "%.17g", value);
    const char *f[] = {name, num, unit ? unit : ""};
    if (may_send(c, "oc_metric"))
        wire_send(c->fd, WIRE_METRIC, f, 3);
}

/* A diag named "log": same channel, same masking, numbered by the writers. */
void oc_log(oc_check *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    send_diag(c, "oc_log", "log", fmt, ap);
    va_end(ap);
}

void oc_invalid(oc_check *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = fmt ? xvasprintf(fmt, ap) : xstrdup("invalid");
    va_end(ap);
    const char *k = key && *key ? key : "?";
    if (c->validating && pthread_equal(pthread_self(), c->thread)) {
        probe_put_invalid(c->fd, k, why);
    } else if (!c->validating && may_send(c, "oc_invalid")) {
        char *msg = xasprintf("%s: %s", k, why);
        const char *f[] = {"error", msg};
        wire_send(c->fd, WIRE_ASSERT, f, 2);
        free(msg);
    }
    free(why);
}
