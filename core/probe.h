/*
 * probe.h - what a plugin is (name, summary, option table) without running
 * any of its code in this process: a short-lived child dlopens it (its
 * constructors run there), checks its descriptor and sends the table back.
 * `validate`, `list`, `plugins` and the config model read that copy; the
 * checks themselves run in the plugin's zygote (zygote.h).
 */
#ifndef OC_PROBE_H
#define OC_PROBE_H

#include "loader.h"

enum {
    PROBE_OK,      /* *desc set: a copy owned by the caller (probe_descriptor_free) */
    PROBE_REFUSED, /* the descriptor is wrong (ABI, size, table): *why says so, with the path */
    PROBE_BROKEN   /* the child crashed, exited, hung or said nothing: *why, "plugin NAME: ..." */
};

/* The optional functions a plugin has, as *hooks of probe_plugin(): the
 * copy's function pointers are NULL (they exist only in the child). */
enum { PROBE_HAS_INIT = 1, PROBE_HAS_INIT2 = 2, PROBE_HAS_FINI = 4, PROBE_HAS_VALIDATE = 8 };

/* Probe PATH (plugin NAME).  *why is malloc'd when not PROBE_OK.  Waits at
 * most 10 s, less when a stop signal comes (stop_signal()). */
int probe_plugin(const char *path, const char *name, oc_plugin **desc, unsigned *hooks, char **why);

/* Run PATH's validate hook (plugin.h) on N checks in a child of its own,
 * with the same limits; wrong values and a hook that crashed, hung or was
 * interrupted reach BAD as schema.h says.  Plugin code never runs here. */
void probe_validate(const char *path, const char *name, const schema_judged *checks, size_t n, schema_bad_fn bad,
                    void *ctx);

/* In the validating child (oc_invalid): one wrong value, to the parent. */
void probe_put_invalid(int fd, const char *key, const char *why);
void probe_descriptor_free(oc_plugin *d);

#endif
