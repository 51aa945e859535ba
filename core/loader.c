/* loader.c - see loader.h. */
#include "loader.h"

#include "probe.h"
#include "suggest.h"
#include "units.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef OC_PLUGINDIR
#define OC_PLUGINDIR "/usr/local/lib/opscheck/plugins"
#endif

void plug_reg_init(plug_reg *r)
{
    memset(r, 0, sizeof *r);
}

void plug_reg_add_path(plug_reg *r, const char *list, const char *base_dir)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        str_trim(d);
        if (!*d)
            continue;
        char *abs = (d[0] == '/' || !base_dir) ? xstrdup(d) : xasprintf("%s/%s", base_dir, d);
        if (sv_contains(&r->dirs, abs))
            free(abs);
        else
            sv_push(&r->dirs, abs);
    }
    free(copy);
}

/* The folder holding the running program (from /proc/self/exe). */
static char *exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    return xstrdup(buf);
}

void plug_reg_add_defaults(plug_reg *r)
{
    const char *env = getenv("OPSCHECK_PLUGIN_PATH");
    if (env && *env)
        plug_reg_add_path(r, env, NULL);
    char *dir = exe_dir();
    struct stat st;
    char *intree = dir ? xasprintf("%s/plugins", dir) : NULL;
    if (intree && stat(intree, &st) == 0 && S_ISDIR(st.st_mode))
        plug_reg_add_path(r, intree, NULL);
    else
        plug_reg_add_path(r, OC_PLUGINDIR, NULL);
    free(intree);
    free(dir);
}

static int name_ok(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* A plugin runs with our privileges: refuse files others could replace. */
static char *check_modes(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return xasprintf("%s: cannot stat: %m", path);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return xasprintf("%s: refusing a plugin writable by group or others (chmod go-w %s)", path, path);
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    char *err = NULL;
    if (stat(slash ? dir : ".", &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) &&
        !(st.st_mode & S_ISVTX))
        err = xasprintf("%s: refusing a plugin in a folder writable by group or others (chmod go-w %s)",
                        path, slash ? dir : ".");
    free(dir);
    return err;
}

/* ABI-1 layouts, frozen: the smallest descriptor and option row a plugin
 * may hand us (plugin.h's compatibility policy). */
#define ABI_OLDEST 1
#define PLUGIN_SIZE_ABI1 (offsetof(oc_plugin, run) + sizeof(void (*)(oc_check *)))
#define OPTION_SIZE_ABI1 (offsetof(oc_option, help) + sizeof(const char *))
/* The option flags this core understands: any other bit may be a newer
 * header's safety flag, which must refuse the plugin rather than fail open. */
#define OPT_KNOWN_FLAGS (OC_OPT_REQUIRED | OC_OPT_SECRET | OC_OPT_PREFIX | OC_OPT_REPEAT | OC_OPT_NOSECRET)

/* Is row I well formed, given rows 0..I-1?  Plugin bugs are named here, not at run. */
static char *check_option(const char *path, const oc_option *opts, size_t i)
{
    const oc_option *o = &opts[i];
    if (o->type < OC_T_STRING || o->type > OC_T_LIST)
        return xasprintf("%s: option '%s' has an unknown type %d", path, o->key, (int)o->type);
    if (o->flags & ~OPT_KNOWN_FLAGS)
        return xasprintf("%s: option '%s' has unknown flag bits 0x%x (this opscheck knows 0x%x; "
                         "was it built against a newer <opscheck/plugin.h>?)",
                         path, o->key, o->flags & ~OPT_KNOWN_FLAGS, OPT_KNOWN_FLAGS);
    if (schema_core_key(o->key))
        return xasprintf("%s: option '%s' clashes with a core option", path, o->key);
    for (size_t j = 0; j < i; j++)
        if (strcmp(opts[j].key, o->key) == 0)
            return xasprintf("%s: option '%s' is declared twice", path, o->key);
    return NULL;
}

/* The option rows of descriptor copy D, d->option_size bytes apart (0 when
 * the plugin's descriptor is too old to say: the ABI-1 row), copied into this
 * core's layout and checked; *out stays NULL when the plugin has no table. */
static char *copy_options(const char *path, const oc_plugin *d, oc_option **out)
{
    *out = NULL;
    if (!d->options)
        return NULL;
    size_t stride = d->option_size ? d->option_size : OPTION_SIZE_ABI1;
    if (stride < OPTION_SIZE_ABI1 || stride > sizeof(oc_option) || stride % _Alignof(oc_option))
        return xasprintf("%s: option rows of %zu bytes; this opscheck reads rows of %zu to %zu bytes "
                         "(rebuild it against <opscheck/plugin.h>)",
                         path, stride, (size_t)OPTION_SIZE_ABI1, sizeof(oc_option));
    const char *row = (const char *)d->options;
    oc_option *v = NULL;
    char *err = NULL;
    for (size_t i = 0;; i++, row += stride) {
        if (i > 4096) {
            err = xasprintf("%s: option table has no terminating entry", path);
            break;
        }
        v = xrealloc(v, (i + 1) * sizeof *v);
        memset(&v[i], 0, sizeof v[i]);
        memcpy(&v[i], row, stride);
        if (!v[i].key || (err = check_option(path, v, i)))
            break;
    }
    if (err) {
        free(v);
        return err;
    }
    *out = v;
    return NULL;
}

/* The descriptor D copied into this core's layout (members beyond the
 * plugin's size stay 0/NULL), or NULL with *err set. */
static oc_plugin *copy_descriptor(const char *path, const char *name, const oc_plugin *d, char **err)
{
    if (d->abi < ABI_OLDEST || d->abi > OC_ABI_VERSION) {
        *err = xasprintf("%s: plugin ABI %u; this opscheck accepts ABI %d to %d "
                         "(build the plugin against its <opscheck/plugin.h>)",
                         path, d->abi, ABI_OLDEST, OC_ABI_VERSION);
        return NULL;
    }
    if (d->size < PLUGIN_SIZE_ABI1 || d->size > sizeof(oc_plugin)) {
        *err = xasprintf("%s: descriptor size %zu; this opscheck reads descriptors of %zu (ABI 1) to %zu bytes "
                         "(rebuild it against <opscheck/plugin.h>)",
                         path, d->size, (size_t)PLUGIN_SIZE_ABI1, sizeof(oc_plugin));
        return NULL;
    }
    oc_plugin *c = xcalloc(1, sizeof *c);
    memcpy(c, d, d->size);
    c->size = sizeof *c;
    oc_option *opts = NULL;
    if (!c->name || strcmp(c->name, name) != 0)
        *err = xasprintf("%s: descriptor names plugin '%s', but the file is named '%s.so'",
                         path, c->name ? c->name : "(null)", name);
    else if (!c->run)
        *err = xasprintf("%s: descriptor has no run function", path);
    else
        *err = copy_options(path, c, &opts);
    if (*err) {
        free(c);
        return NULL;
    }
    c->options = opts;
    c->option_size = sizeof(oc_option);
    return c;
}

const oc_plugin *loader_open(const char *path, const char *name, void **dl_out, char **err)
{
    *err = NULL;
    *dl_out = NULL;
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        *err = xasprintf("%s: cannot load: %s", path, dlerror());
        return NULL;
    }
    const oc_plugin *(*entry)(void);
    *(void **)&entry = dlsym(dl, OC_PLUGIN_ENTRY);
    const oc_plugin *d = entry ? entry() : NULL;
    const oc_plugin *copy = NULL;
    if (!entry)
        *err = xasprintf("%s: no %s() entry point: not an opscheck plugin", path, OC_PLUGIN_ENTRY);
    else if (!d)
        *err = xasprintf("%s: %s() returned no descriptor", path, OC_PLUGIN_ENTRY);
    else
        copy = copy_descriptor(path, name, d, err);
    if (!copy) {
        dlclose(dl);
        return NULL;
    }
    *dl_out = dl;
    return copy;
}

/* The schema's judge (schema.h): the plugin's validate hook, in a child. */
static void judge(const oc_schema *s, const schema_judged *checks, size_t n, schema_bad_fn bad, void *ctx)
{
    const plug *p = s->owner;
    probe_validate(p->path, p->name, checks, n, bad, ctx);
}

/* A plug for PATH, from what its probe child said (no plugin code runs
 * here).  NULL with *err when the descriptor is refused; a plug with
 * `broken` set when loading it crashed, exited or hung. */
static plug *load_file(const char *path, const char *name, char **err)
{
    *err = check_modes(path);
    if (*err)
        return NULL;
    oc_plugin *desc = NULL;
    char *why = NULL;
    unsigned hooks = 0;
    int rc = probe_plugin(path, name, &desc, &hooks, &why);
    if (rc == PROBE_REFUSED) {
        *err = why;
        return NULL;
    }
    plug *p = xcalloc(1, sizeof *p);
    p->name = xstrdup(name);
    p->path = xstrdup(path);
    if (rc == PROBE_BROKEN) {
        p->broken = why;
        desc = xcalloc(1, sizeof *desc);
        desc->abi = OC_ABI_VERSION;
        desc->size = sizeof *desc;
        desc->name = xstrdup(name);
        desc->summary = xstrdup(why);
        desc->options = xcalloc(1, sizeof(oc_option));
    }
    p->desc = desc;
    p->schema = (oc_schema){.name = p->name, .summary = desc->summary, .options = desc->options,
                            .broken = p->broken, .owner = p,
                            .judge = (hooks & PROBE_HAS_VALIDATE) ? judge : NULL};
    return p;
}

/* Every NAME of a NAME.so on the path, once each, sorted. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void path_names(const plug_reg *r, strvec *names)
{
    for (size_t i = 0; i < r->dirs.n; i++) {
        DIR *d = opendir(r->dirs.v[i]);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (n <= 3 || strcmp(e->d_name + n - 3, ".so") != 0)
                continue;
            char *name = xstrndup(e->d_name, n - 3);
            if (sv_contains(names, name))
                free(name);
            else
                sv_push(names, name);
        }
        closedir(d);
    }
    if (names->n) /* v is NULL when nothing was found: qsort wants a pointer */
        qsort(names->v, names->n, sizeof *names->v, cmp_str);
}

/* The closest NAME.so on the path to a mistyped name (malloc'd), or NULL. */
static char *suggest(plug_reg *r, const char *name)
{
    strvec names = {0};
    path_names(r, &names);
    const char *best = suggest_among(name, (const char *const *)names.v, names.n);
    char *copy = best ? xstrdup(best) : NULL;
    sv_clear(&names);
    return copy;
}

const plug *plug_get(plug_reg *r, const char *name, char **err)
{
    *err = NULL;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i]->name, name) == 0)
            return r->v[i];
    if (!name_ok(name)) {
        *err = xasprintf("'%s' is not a plugin name (letters, digits, '-' and '_')", name);
        return NULL;
    }
    char *found = NULL;
    for (size_t i = 0; i < r->dirs.n; i++) {
        char *path = xasprintf("%s/%s.so", r->dirs.v[i], name);
        if (access(path, F_OK) != 0) {
            free(path);
            continue;
        }
        if (found) {
            *err = xasprintf("two plugins named '%s': %s and %s", name, found, path);
            free(found);
            free(path);
            return NULL;
        }
        found = path;
    }
    if (!found) {
        const char *best = suggest(r, name);
        if (best) {
            *err = xasprintf("unknown plugin '%s' (did you mean '%s'?)", name, best);
            free((char *)best);
            return NULL;
        }
        strbuf b = {0};
        for (size_t i = 0; i < r->dirs.n; i++)
            sb_printf(&b, "%s%s", i ? ":" : "", r->dirs.v[i]);
        *err = xasprintf("unknown plugin '%s' (no %s.so in %s)", name, name, b.s ? b.s : "(empty path)");
        sb_clear(&b);
        return NULL;
    }
    plug *p = load_file(found, name, err);
    free(found);
    if (!p)
        return NULL;
    r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
    r->v[r->n++] = p;
    return p;
}

void plug_reg_complete(plug_reg *r, const strvec *dirs)
{
    if (r->path_done) /* once: not a readlink and a stat per check */
        return;
    for (size_t i = 0; dirs && i < dirs->n; i++)
        plug_reg_add_path(r, dirs->v[i], NULL);
    plug_reg_add_defaults(r);
    r->path_done = 1;
}

const oc_schema *plug_find_schema(void *reg, const char *name, const strvec *dirs, char **err)
{
    plug_reg *r = reg;
    plug_reg_complete(r, dirs);
    const plug *p = plug_get(r, name, err);
    return p ? &p->schema : NULL;
}

void plug_load_all(plug_reg *r, strvec *errs)
{
    strvec names = {0};
    path_names(r, &names);
    for (size_t i = 0; i < names.n; i++) {
        char *err;
        if (!plug_get(r, names.v[i], &err)) {
            sv_push(errs, err);
        }
    }
    sv_clear(&names);
}

int plug_init(plug *p)
{
    if (p->init_state == 0) {
        int rc = 0;
        if (p->desc->init2) {
            char why[512] = "";
            rc = p->desc->init2(why, sizeof why);
            why[sizeof why - 1] = '\0';
            why[strcspn(why, "\r\n")] = '\0'; /* one line */
            if (rc != 0 && why[0])
                p->init_why = xstrdup(why);
        } else if (p->desc->init) {
            rc = p->desc->init();
        }
        p->init_state = rc == 0 ? 1 : -1;
    }
    return p->init_state == 1 ? 0 : -1;
}

char *plug_init_failure(const plug *p)
{
    if (p->init_why)
        return xasprintf("plugin %s: init failed: %s", p->name, p->init_why);
    return xasprintf("plugin %s: init failed", p->name);
}

void plug_reg_release(plug_reg *r)
{
    for (size_t i = 0; i < r->n; i++) {
        plug *p = r->v[i];
        probe_descriptor_free((oc_plugin *)p->desc);
        free(p->init_why);
        free(p->broken);
        free(p->name);
        free(p->path);
        free(p);
    }
    free(r->v);
    sv_clear(&r->dirs);
}
