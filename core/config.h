/*
 * config.h - the INI files as a model: settings, vars, checks, checklists.
 *
 * cfg_load() reads every -c file in order ("-" is stdin, named <stdin> in
 * errors; inih does the lexing), merges
 * them (a later file's [vars] and same-named sections override key by key),
 * applies --set, and validates everything that can be known without the
 * environment: sections, keys against each plugin's option schema (found by
 * the caller's lookup, schema.h: the model never sees the loader), types of
 * literal values, required and secret options, checklists, `needs` cycles.
 * Every problem is one message "file:line: what is wrong" in cfg->errors;
 * all are collected, not just the first.
 *
 * ${env:...} and ${file:...} are resolved later, per selected check, by
 * cfg_resolve(): an unset variable fails that check only.
 *
 * Ownership: the cfg owns every string and array in it; cfg_free() frees all.
 */
#ifndef OC_CONFIG_H
#define OC_CONFIG_H

#include <sys/types.h>

#include "schema.h"
#include "strmap.h"
#include "util.h"

typedef struct cfg_item {
    char *key;
    char *raw;          /* text after '=' as written */
    const char *file;   /* owned by cfg->files */
    int line;
} cfg_item;

typedef struct cfg_section {
    int kind;           /* CFG_OPSCHECK, CFG_VARS, CFG_CHECK, CFG_CHECKLIST */
    char *name;         /* NULL for [opscheck] and [vars] */
    const char *file;
    int line;
    cfg_item *items;
    size_t nitems, cap;
} cfg_section;

enum { CFG_OPSCHECK = 1, CFG_VARS, CFG_CHECK, CFG_CHECKLIST };

typedef struct cfg_check {
    cfg_section *sec;   /* merged section */
    const char *name;
    const oc_schema *plugin; /* its plugin's schema; NULL when unknown (an error was recorded) */
    strvec needs, tags;
    char *description;
    long long timeout_ms, retry_delay_ms;
    int retries;
    size_t *need_idx;   /* indexes into cfg->checks */
} cfg_check;

typedef struct cfg_list {
    cfg_section *sec;
    const char *name;
    char *description;
    size_t *idx;        /* indexes into cfg->checks, in order */
    size_t n;
    /* `opscheck serve`'s schedule: every = 5m (0: none), at = 09:00 (a daily
     * round at that local time; -1: none), and their text as written. */
    long long every_ms;
    int at_minute;
    char *every, *at;
} cfg_list;

typedef struct cfg {
    strvec files;       /* interned file names */
    cfg_section **secs; /* merged sections */
    size_t nsecs;
    cfg_section *opscheck, *vars;
    cfg_check *checks;
    size_t nchecks;
    cfg_list *lists;
    size_t nlists;
    int jobs;           /* 0 = default */
    long long timeout_ms;
    strvec plugin_path; /* folders from [opscheck] plugin_path, absolute */
    strvec errors;      /* "file:line: message" */
    /* Lookups by name, so that loading N checks costs O(N), not O(N^2):
     * merged sections by kind - 1 ("" for [opscheck] and [vars]) -> index
     * in secs; and checks / checklists -> index, (re)built by the first
     * lookup after cfg_validate fills the arrays (a cache: hence pointers,
     * so that cfg_find_check can fill it through a const cfg). */
    strmap sec_by_name[4];
    strmap *check_by_name, *list_by_name;
} cfg;

/* Load files (in order) and --set VAR=VALUE overrides; FIND(FIND_CTX, ...)
 * gives each check's plugin schema.  Never NULL. */
cfg *cfg_load(const char *const *files, size_t nfiles,
              const char *const *sets, size_t nsets, schema_find_fn find, void *find_ctx);
/* A cfg that read nothing, with WHY as its one error (no config was found). */
cfg *cfg_unread(const char *why);
/* How errors name config file PATH: "<stdin>" for "-" (-c - reads stdin). */
const char *cfg_file_label(const char *path);
void cfg_free(cfg *c);
ssize_t cfg_find_check(const cfg *c, const char *name);
ssize_t cfg_find_list(const cfg *c, const char *name);
/* Closest known check or checklist name to NAME, or NULL. */
const char *cfg_suggest(const cfg *c, const char *name);

/* One option of a resolved check: key as written, interpolated value. */
typedef struct cfg_opt {
    const char *key;
    char *value;
    const oc_option *spec;   /* the plugin's schema row; NULL for core keys */
} cfg_opt;

/* A check ready to run: every value interpolated and type-checked. */
typedef struct cfg_resolved {
    cfg_opt *opts;
    size_t nopts;
    char *error;             /* set when the check cannot run: "file:line: ..." */
    char *hint;              /* `hint =` with its ${...} filled (the {fact} fields stay), or NULL */
} cfg_resolved;

/* Interpolate and type-check one check's options.  Registers secret values
 * with the redactor.  On failure sets r->error (the check fails, others run). */
void cfg_resolve(cfg *c, size_t check_idx, cfg_resolved *r);
void cfg_resolved_clear(cfg_resolved *r);

/* The schema row of KEY in OPTS, following "prefix.NAME" keys; or NULL. */
const oc_option *cfg_find_spec(const oc_option *opts, const char *key);

/* Have each plugin with a validate hook judge the values of its checks
 * whose CLEAN[i] is set (no error of their own so far): config_judge.c. */
void cfg_judge(cfg *c, const unsigned char *clean);

/* Record "file:line: message" in c->errors (line 0: file only). */
void cfg_error(cfg *c, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Registers with the redactor every secret the configuration can name,
 * whichever checks are selected: the value of every option flagged secret in
 * every check, every set ${env:NAME} whose NAME looks secret, and every
 * ${file:...} value (files are read bounded and non-blocking).  Unresolvable
 * values are skipped here; they fail their check when it is resolved.
 * A secret too short to mask inside words adds a line to WARNINGS (or NULL). */
void cfg_register_secrets(cfg *c, strvec *warnings);

/* Is NAME an environment variable whose value counts as a secret? */
int cfg_env_is_secret(const char *name);

#endif
