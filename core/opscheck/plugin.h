/*
 * <opscheck/plugin.h> - the one header an opscheck plugin includes.
 *
 * A plugin is a shared object NAME.so that exports one function,
 * opscheck_plugin(), returning a pointer to a constant oc_plugin descriptor
 * (use OC_PLUGIN(desc) to define it).  The core checks the descriptor's ABI
 * number and size, checks every INI option against the plugin's option table
 * before anything runs, then calls run() once per check, in a forked child
 * process of its own, with a deadline.  The opscheck main process never runs
 * plugin code: the descriptor is read in a short-lived child (constructors
 * run there too), and the checks are forked from the plugin's zygote, a
 * process of its own that loads the plugin and calls init once.  A plugin reports only through the
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
 *
 * Threads: run() may start threads, but the oc_* functions may be called
 * only from the thread that called run(), and only until run() returns.  A
 * record from another thread, or after run() returned, is refused (dropped),
 * and the check fails with "plugin bug: oc_pass called from a thread other
 * than run()'s (ignored)"; records that reach the parent after run() returned
 * are dropped there too.
 *
 * Compatibility policy (how this ABI grows; after PostgreSQL's module magic,
 * SQLite's iVersion and curl's age):
 *  - `abi` is the number of the header a plugin was built against.  A core
 *    accepts every ABI from 1 to its own OC_ABI_VERSION and refuses any other
 *    number, naming the file and the numbers it accepts.  A plugin built
 *    against a newer header is refused by an older core on purpose: it may
 *    set a flag or member whose meaning the older core would silently skip
 *    (a safety flag must never fail open).
 *  - Within ABI 1..OC_ABI_VERSION nothing is removed, reordered or given a
 *    new meaning.  Growth is by appending: members at the end of oc_plugin
 *    and oc_option, new OC_OPT_* bits, new oc_opt_type values, new oc_*
 *    functions.  Each addition bumps OC_ABI_VERSION.
 *  - `size` is sizeof(oc_plugin) as the plugin saw it.  The core reads a
 *    member only when `size` covers it; a member the plugin does not have
 *    reads as 0/NULL.  A descriptor smaller than ABI 1's, or larger than the
 *    core's own, is refused.
 *  - Option rows: `option_size` is the plugin's sizeof(oc_option), the
 *    distance between rows (0, or a descriptor too small to have the member,
 *    means the ABI-1 row, which ABI 2 has not changed).  The core copies each
 *    row into its own layout, zero-filling members the plugin lacks.  A row
 *    size was chosen over a table header because the rows stay the plain
 *    array every plugin already writes, ABI-1 tables load as they are, and
 *    one number tells any later core how far apart the rows are.
 *  - An option flag bit or type this core does not know refuses the plugin
 *    with a message naming the file: never ignored.
 *  - Optional callbacks whose absence only means less checking before the
 *    run (never a safety flag) may be appended within an ABI number as a
 *    revision (OC_ABI_REVISION) instead of a new ABI: a core reads such a
 *    member only when `size` covers it, so a plugin built before the
 *    revision loads as it is; a core older than the revision refuses the
 *    larger descriptor (the size rule above), so nothing is skipped unseen.
 *    ABI 2 revision 1 added: validate and oc_invalid.
 *  - The program exports exactly the functions declared here (listed by name
 *    in core/exports.list); a test compares the two.
 */
#ifndef OPSCHECK_PLUGIN_H
#define OPSCHECK_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The header's ABI number; see the compatibility policy above.
 * ABI 2 added: option_size, init2, oc_error, oc_log, oc_directive,
 * oc_assert_yaml, the threading rule, and the refusal of undeclared keys,
 * unknown flag bits and unknown types. */
#define OC_ABI_VERSION 2
/* Optional members appended within this ABI (see the policy above). */
#define OC_ABI_REVISION 1

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
    /* Optional: called once in the plugin's zygote before the first check of
     * this plugin is forked from it (the place for expensive library set-up,
     * such as curl_global_init); return 0, or non-zero to fail its checks.
     * init must not open files, sockets or threads: every check's process is
     * forked after it and would share them.  A crash, exit or hang here fails
     * this plugin's checks only. */
    int (*init)(void);
    void (*fini)(void);        /* optional: called once in the zygote when the run ends */
    /* Run one check.  Report with oc_pass/oc_fail/oc_warn/oc_skip/oc_error; a
     * run that reports nothing is an error ("no result"). */
    void (*run)(oc_check *c);
    /* ---- ABI 2: read only when `size` covers them ---- */
    size_t option_size;        /* sizeof(oc_option); 0 means the ABI-1 row */
    /* Optional, used instead of init when set: return 0, or non-zero with one
     * line in WHY (LEN bytes, NUL-terminated) saying why the plugin cannot
     * run; its checks then fail with "plugin NAME: init failed: WHY". */
    int (*init2)(char *why, size_t len);
    /* ---- ABI 2 revision 1: read only when `size` covers it ---- */
    /* Optional: judge a check's option values before anything runs, for what
     * only the plugin understands (a regex that does not compile, a rule it
     * parses).  Called by `opscheck validate` and by `run` before the run
     * starts, once per check, in a short-lived child process of its own (init
     * is not called first; the same 10 s limit as loading; a crash or hang is
     * one error naming the check).  It sees the values written in the INI
     * through the usual getters, except secret options and values from
     * ${env:...} or ${file:...}, which read as unset here.  Report each wrong
     * value with oc_invalid(); the core prints "file:line: check NAME: KEY:
     * why" at that key's line, exits 2 and runs nothing.  No other oc_*
     * result function is heard here.  Configs are judged again at run time
     * as usual (validate cannot see values from the environment). */
    void (*validate)(oc_check *c);
} oc_plugin;

/* The members every descriptor starts with, for this header:
 *   static const oc_plugin desc = {OC_DESCRIPTOR_HEAD, .name = "disk-ok", ...}; */
#define OC_DESCRIPTOR_HEAD \
    .abi = OC_ABI_VERSION, .size = sizeof(oc_plugin), .option_size = sizeof(oc_option)

/* Define the entry point: OC_PLUGIN(my_plugin_descriptor); */
#define OC_PLUGIN_ENTRY "opscheck_plugin"
#define OC_PLUGIN(desc) \
    const oc_plugin *opscheck_plugin(void); \
    const oc_plugin *opscheck_plugin(void) { return &(desc); }

/* ---- option getters: the value for the running check, or the table's
 * default; types were checked before run(), so getters do not fail.  KEY
 * must be declared in the plugin's own table (or be "NAME.x" for an
 * OC_OPT_PREFIX option NAME); any other key, core keys such as timeout
 * included, ends the check at once as a failure: "plugin bug: option
 * 'timout' is not declared" (the other checks go on). ---- */
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
/* ABI 2: the check could not reach a verdict (a file it needs is missing, a
 * dependency it must call is not configured): an ERROR, not a FAIL.  Use
 * oc_fail when the target itself answered wrongly, refused or is down. */
void oc_error(oc_check *c, const char *fmt, ...) OC_PRINTF(2, 3);
/* What the last assertion expected and saw (YAML `expected:`/`seen:`). */
void oc_expect(oc_check *c, const char *expected, const char *seen);
/* ABI 2: a TAP directive for the last assertion, as a TAP producer (a
 * script's `ok 2 - x # SKIP no db`) writes it.  NAME is "TODO" or "SKIP"
 * exactly; any other name is a plugin bug that ends the check at once as a
 * failure, like an undeclared option.  The reason (FMT, may be NULL) is
 * masked and escaped like a message.  Called before any assertion, or again
 * for the same one, the first is ignored / the last wins.
 *  - "SKIP": the assertion becomes a skip, whatever it was.
 *  - "TODO": a known, accepted failure.  The assertion keeps its status (a
 *    failed TODO is written `not ok N - msg # TODO reason`) but counts as a
 *    pass for the check's verdict: a failing TODO never fails, warns or
 *    errors a check, as TAP consumers read it.  A TODO that passes is a pass. */
void oc_directive(oc_check *c, const char *name, const char *fmt, ...) OC_PRINTF(3, 4);
/* ABI 2: a YAML block (block-style text: "got: 1\nwanted: 2") describing the
 * last assertion, such as a TAP producer's block below a test point.  The
 * TAP writer shows it under the point's `data:` key, as a nested mapping
 * when it is a simple block mapping (`key:` or `key: value` lines at one
 * indentation, deeper lines below them, no tabs), else as one string; JSON
 * and JUnit carry the text as a string.  Masked like a message; a later
 * call for the same assertion replaces it; ignored before any assertion.
 * The text is copied (up to 64 KiB; 1 MiB for all of a check's blocks, past
 * which blocks are dropped and the check's note says so). */
void oc_assert_yaml(oc_check *c, const char *yaml);
/* A fact for the check's YAML block (key is lower_snake). */
void oc_diag(oc_check *c, const char *key, const char *fmt, ...) OC_PRINTF(3, 4);
/* A measurement: name (lower_snake), value, unit ("ms", "%", "days", "" ...).
 * The name may carry labels in Prometheus selector form, name{key="value"}
 * (exec's perfdata{label="/"}); docs/reports.md gives the naming rule. */
void oc_metric(oc_check *c, const char *name, double value, const char *unit);
/* ABI 2: one line of the plugin's own log, shown with the check's facts
 * (YAML `log:`, then `log_2:` ...); sent like oc_diag, masked alike. */
void oc_log(oc_check *c, const char *fmt, ...) OC_PRINTF(2, 3);
/* ABI 2 revision 1: option KEY's value is wrong, WHY (FMT).  KEY is a key of
 * the plugin's table, "NAME.x" for a PREFIX option, or "KEY[N]" for item N
 * (from 0, as oc_opt_list gives them) of a REPEAT option, so the core can
 * name the line.  In validate() it is a config error; called from run() it
 * is an ERROR assertion "KEY: why" (a plugin may share its checks). */
void oc_invalid(oc_check *c, const char *key, const char *fmt, ...) OC_PRINTF(3, 4);

#ifdef __cplusplus
}
#endif
#endif /* OPSCHECK_PLUGIN_H */
