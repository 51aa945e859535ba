/*
 * loader.h - finds plugins on the plugin path, dlopens them and checks their
 * descriptor (ABI number, size, name, option table) before any is used.
 *
 * The path is, in order: [opscheck] plugin_path folders, $OPSCHECK_PLUGIN_PATH,
 * then the default folder: ./plugins beside the program when it exists (the
 * build tree), else the folder `make install` put them in (OC_PLUGINDIR).
 * The config model sees a plugin only as its schema (schema.h):
 * plug_find_schema() is the lookup cfg_load() calls; a schema's owner is
 * its plug, which is how the runner finds the path a zygote loads.
 *
 * Ownership: the registry owns every plug; they live until plug_reg_release().
 */
#ifndef OC_LOADER_H
#define OC_LOADER_H

#include "opscheck/plugin.h"
#include "schema.h"
#include "util.h"

typedef struct plug {
    char *name;
    char *path;
    /* What the plugin's probe child sent back (probe.h): name, summary and
     * option rows in this core's layout, owned here.  Its function pointers
     * are NULL in the main process, which never runs plugin code; in the
     * plugin's zygote (zygote.c) desc is replaced by the real descriptor. */
    const oc_plugin *desc;
    char *broken;       /* loading crashed, exited or hung: why (its checks fail) */
    oc_schema schema;   /* name, summary, rows and broken as the model sees them; owner = this plug */
    int init_state;     /* zygote only: 0 not yet, 1 ok, -1 failed */
    char *init_why;     /* zygote only: what init2 said when it failed, or NULL */
} plug;

typedef struct plug_reg {
    strvec dirs;
    int path_done;      /* plug_find_schema() has added its folders and the defaults */
    plug **v;
    size_t n;
} plug_reg;

void plug_reg_init(plug_reg *r);
/* Append folders (colon-separated) to the search path, relative to BASE_DIR. */
void plug_reg_add_path(plug_reg *r, const char *colon_list, const char *base_dir);
/* Adds $OPSCHECK_PLUGIN_PATH and the default folder; call after the config's. */
void plug_reg_add_defaults(plug_reg *r);
/* Once per registry: DIRS (the config's plugin_path, absolute; may be NULL),
 * then the defaults.  Later calls do nothing. */
void plug_reg_complete(plug_reg *r, const strvec *dirs);
/* Load plugin NAME.  Returns NULL and sets *err (malloc'd) on failure. */
const plug *plug_get(plug_reg *r, const char *name, char **err);
/* A schema_find_fn (schema.h) for cfg_load(); REG is a plug_reg *.  The
 * first call completes the path: DIRS, then the defaults. */
const oc_schema *plug_find_schema(void *reg, const char *name, const strvec *dirs, char **err);
/* Every NAME.so on the path, loaded; problems appended to errs. */
void plug_load_all(plug_reg *r, strvec *errs);
/* In a child only (probe, zygote): dlopen PATH and check its descriptor;
 * returns the descriptor copied into this core's layout (function pointers
 * valid in this process), or NULL with *err.  *dl is the handle. */
const oc_plugin *loader_open(const char *path, const char *name, void **dl, char **err);
/* Zygote only: run the plugin's init once, before forking its checks. */
int plug_init(plug *p);
/* Why plug_init() failed, as a check's message (malloc'd). */
char *plug_init_failure(const plug *p);
void plug_reg_release(plug_reg *r);

#endif
