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

/* Probe PATH (plugin NAME).  *why is malloc'd when not PROBE_OK.  Waits at
 * most 10 s, less when a stop signal comes (stop_signal()). */
int probe_plugin(const char *path, const char *name, oc_plugin **desc, char **why);
void probe_descriptor_free(oc_plugin *d);

#endif
