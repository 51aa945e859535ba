/*
 * FROZEN: this is core/opscheck/plugin.h exactly as it was at ABI 1 (commit
 * 16d8db1).  Never edit it: tests/plugins/tp_abi1.c is built against it
 * (Makefile, -Itests/plugins/abi1) to prove that a plugin compiled for ABI 1
 * still loads and runs under every later core (tests/abi.t).
 *
 * <opscheck/plugin.h> - the one header an opscheck plugin includes.
 *
 * A plugin is a shared object NAME.so that exports one function,
 * opscheck_plugin(), returning a pointer to a constant oc_plugin descriptor
 * (use OC_PLUGIN(desc) to define it).  The core checks the descriptor's ABI
 * number and size, checks every INI option against the plugin's option table
 * before anything runs, then calls run() once per check, in a forked child
 * process of its own, with a deadline.  A plugin reports only through the
 * oc_* functions below; it never writes to stdout (stdout is /dev/null in
 * the child; stderr is captured, bounded, and shown as a diagnostic).
 *
 * Ownership, once for the whole API: every string the core hands a plugin
 * (option values, list items, names) is owned by the core and stays valid
 * until run() returns; the plugin must not free or modify it.  Everything a
 * plugin passes to an oc_* function is copied before the call returns, so
 * the plugin may free or reuse its buffers at once.  Nothing reported is ever
 * freed by the plugin.
 *
 * Secrets: option values flagged OC_OPT_SECRET, and values read from
 * ${env:NAME} where NAME looks like a secret (SECRET, TOKEN, PASSWORD, PASS,
 * KEY), are replaced by "***" in every message, diagnostic, metric name and
 * captured stderr.  A plugin may still take care not to print them.
 */
#ifndef OPSCHECK_PLUGIN_H
#define OPSCHECK_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever oc_plugin or oc_option change shape or meaning. */
#define OC_ABI_VERSION 1

/* The type an option's value must have; checked by the core at load time. */
typedef enum oc_opt_type {
    OC_T_STRING = 1, /* any text */
    OC_T_INT,        /* decimal integer, may be negative */
    OC_T_BOOL,       /* yes/no true/false on/off 1/0 */
    OC_T_DURATION,   /* 250ms 10s 5m 26h 7d (a bare number is seconds) */
    OC_T_SIZE,       /* 512 64KiB 1MiB 1MB 2GiB (a bare number is bytes) */
    OC_T_PERCENT,    /* 99% 99.5% (a bare number is a percent too) */
    OC_T_LIST        /* items separated by commas or blanks; quotes group */
} oc_opt_type;

/* Flags of an option. */
#define OC_OPT_REQUIRED 0x01u /* the check is refused without it */
#define OC_OPT_SECRET   0x02u /* value must come from ${env:..}/${file:..}; shown as *** */
#define OC_OPT_PREFIX   0x04u /* key "header" accepts "header.NAME = value" keys */
#define OC_OPT_REPEAT   0x08u /* key may be given several times (e.g. expect_json) */
#define OC_OPT_NOSECRET 0x10u /* value may not carry a secret (it would reach argv) */

typedef struct oc_option {
    const char *key;   /* lower_snake name in the INI */
    oc_opt_type type;
    const char *def;   /* default as INI text, or NULL */
    unsigned flags;    /* OC_OPT_* */
    const char *help;  /* one line, shown by `opscheck plugins NAME` */
} oc_option;

/* The check being run; opaque to plugins. */
typedef struct oc_check oc_check;

typedef struct oc_plugin {
    unsigned abi;              /* OC_ABI_VERSION */
    size_t size;               /* sizeof(oc_plugin) */
    const char *name;          /* must equal the file name without ".so" */
    const char *summary;       /* one line */
    const oc_option *options;  /* terminated by an entry whose key is NULL */
    /* Optional: called once in the parent before the first check of this
     * plugin is forked; return 0, or non-zero to fail its checks.  init must
     * not open files, sockets or threads: children are forked after it. */
    int (*init)(void);
    void (*fini)(void);        /* optional: called once at exit */
    /* Run one check.  Report with oc_pass/oc_fail/oc_warn/oc_skip; a run that
     * reports nothing is a failure ("no result"). */
    void (*run)(oc_check *c);
} oc_plugin;

/* Define the entry point: OC_PLUGIN(my_plugin_descriptor); */
#define OC_PLUGIN_ENTRY "opscheck_plugin"
#define OC_PLUGIN(desc) \
    const oc_plugin *opscheck_plugin(void); \
    const oc_plugin *opscheck_plugin(void) { return &(desc); }

/* ---- option getters: the value for the running check, or the table's
 * default; types were checked before run(), so getters do not fail. ---- */
const char *oc_check_name(const oc_check *c);
int oc_opt_isset(const oc_check *c, const char *key);          /* given in the INI */
const char *oc_opt_str(const oc_check *c, const char *key);    /* NULL when unset, no default */
long long oc_opt_int(const oc_check *c, const char *key);      /* 0 when unset */
int oc_opt_bool(const oc_check *c, const char *key);           /* 0 when unset */
long long oc_opt_duration_ms(const oc_check *c, const char *key);
long long oc_opt_size(const oc_check *c, const char *key);     /* bytes */
double oc_opt_percent(const oc_check *c, const char *key);     /* 99% -> 99.0 */
/* Items of a LIST option, or every value of a REPEAT option, in order.
 * Returns the count; *items points at a core-owned array. */
size_t oc_opt_list(const oc_check *c, const char *key, const char *const **items);
/* PREFIX options: the NAME parts ("header.NAME") and their values. */
size_t oc_opt_map(const oc_check *c, const char *prefix,
                  const char *const **names, const char *const **values);

/* Milliseconds left before the core kills this check (never negative). */
long long oc_remaining_ms(const oc_check *c);

/* ---- results ---- */
#if defined(__GNUC__)
#define OC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define OC_PRINTF(a, b)
#endif
/* One assertion each.  Several assertions make a TAP subtest. */
void oc_pass(oc_check *c, const char *fmt, ...) OC_PRINTF(2, 3);
void oc_fail(oc_check *c, const char *fmt, ...) OC_PRINTF(2, 3);
void oc_warn(oc_check *c, const char *fmt, ...) OC_PRINTF(2, 3);
void oc_skip(oc_check *c, const char *fmt, ...) OC_PRINTF(2, 3);
/* What the last assertion expected and saw (YAML `expected:`/`seen:`). */
void oc_expect(oc_check *c, const char *expected, const char *seen);
/* A fact for the check's YAML block (key is lower_snake). */
void oc_diag(oc_check *c, const char *key, const char *fmt, ...) OC_PRINTF(3, 4);
/* A measurement: name (lower_snake), value, unit ("ms", "%", "days", "" ...). */
void oc_metric(oc_check *c, const char *name, double value, const char *unit);

#ifdef __cplusplus
}
#endif
#endif /* OPSCHECK_PLUGIN_H */
