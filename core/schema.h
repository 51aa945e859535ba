/*
 * schema.h - what the config model knows of a plugin: its option schema.
 *
 * The model (config*.c), interpolation and the plan validate and resolve a
 * check against these rows alone; they never see the loader, a descriptor
 * or a process.  Who makes schemas is the caller's business: the loader
 * (loader.h, plug_find_schema()) from what a plugin's probe child sent
 * back, a test or a fuzz target from a table of its own.
 *
 * Ownership: a schema belongs to whoever found it and must outlive the cfg
 * that points at it.
 */
#ifndef OC_SCHEMA_H
#define OC_SCHEMA_H

#include "opscheck/plugin.h"
#include "util.h"

struct cfg_resolved;

/* One check for a plugin's judge: its name and the values it may see (no
 * secret option, nothing from ${env:...} or ${file:...}). */
typedef struct schema_judged {
    const char *check;
    const struct cfg_resolved *res;
} schema_judged;

/* What a judge found: value KEY (as the plugin named it: "KEY", "NAME.x",
 * "KEY[N]") of checks[I] is wrong, WHY; KEY NULL: the judge itself failed
 * (crashed, hung) while on checks[I]. */
typedef void (*schema_bad_fn)(void *ctx, size_t i, const char *key, const char *why);

typedef struct oc_schema {
    const char *name;          /* the plugin's name */
    const char *summary;       /* one line */
    const oc_option *options;  /* this core's row layout, ended by a NULL key; NULL: none */
    const char *broken;        /* why the plugin failed to load (its checks fail), or NULL */
    /* The finder's own record of the plugin, opaque here: the runner gets
     * back from it what it needs to start the plugin (run.c, a plug). */
    const void *owner;
    /* Optional (NULL: the plugin judges nothing before the run): have the
     * plugin judge N checks' values, isolated from this process (the
     * finder's business: loader.c runs the plugin's validate hook in a
     * child); each wrong value is one call of BAD(CTX, ...). */
    void (*judge)(const struct oc_schema *s, const schema_judged *checks, size_t n, schema_bad_fn bad, void *ctx);
} oc_schema;

/* Plugin NAME's schema, or NULL with *err set (malloc'd, no file:line).
 * DIRS are the [opscheck] plugin_path folders (absolute), to search before
 * any other.  CTX is the finder's. */
typedef const oc_schema *(*schema_find_fn)(void *ctx, const char *name, const strvec *dirs, char **err);

/* The options every check has, whatever its plugin; ended by a NULL key. */
extern const oc_option schema_core_options[];
/* Is KEY one of them? */
int schema_core_key(const char *key);

#endif
