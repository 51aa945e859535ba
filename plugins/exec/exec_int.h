/*
 * exec_int.h - private to the exec plugin.  The pure parsers declared here
 * take strings and fill plain structs, so tests/unit/test_exec_parse.c can
 * exercise them without the core.  They allocate with the exec_x* helpers,
 * which abort on out-of-memory (house rule: no half-recovery).
 *
 * Ownership: every struct filled by an exec_* parser owns all its strings;
 * release it with the matching exec_*_free, which also resets it to empty.
 * Input strings are never kept or modified.
 */
#ifndef EXEC_INT_H
#define EXEC_INT_H

#include <stddef.h>

/* ---- util.c ---- */
void *exec_xmalloc(size_t n);
void *exec_xrealloc(void *p, size_t n);
char *exec_xstrndup(const char *s, size_t n);

/* ---- argv.c: split a command line the way a POSIX shell would (quotes,
 * backslashes, blanks), with no expansion of any kind. ---- */
typedef struct exec_argv {
    char **argv; /* argc words, then NULL: ready for execvp */
    size_t argc;
} exec_argv;

/* Returns 0, or -1 with *err set to a static reason (unterminated quote,
 * trailing backslash, no words). */
int exec_split_argv(const char *cmd, exec_argv *out, const char **err);
void exec_argv_free(exec_argv *a);

/* ---- perfdata.c: Nagios plugin output ---- */
typedef struct exec_perf {
    char *label;   /* as written, quotes removed */
    char *name;    /* metric name: label lowercased, runs of non-alnum -> '_' */
    double value;
    char uom[16];  /* as written: "", s, ms, %, B, KB, MiB, c, ... (any, the core folds) */
    char *warn, *crit, *min, *max; /* raw text, NULL when absent or empty */
} exec_perf;

typedef struct exec_perf_bad {
    char *item;    /* the offending item as written */
    const char *why;
} exec_perf_bad;

typedef struct exec_nagios {
    char *message;        /* first line before '|', trimmed; "" when none */
    exec_perf *perf;
    size_t nperf;
    exec_perf_bad *bad;   /* items skipped, for oc_diag */
    size_t nbad;
} exec_nagios;

/* 1 when S (a warn/crit/min/max field) is one plain number, put in *V;
 * 0 for a range ("10:20", "@~:5") or nothing. */
int exec_perf_number(const char *s, double *v);
/* Parse a perfdata string (the text after '|') and append to *out. */
void exec_parse_perfdata(const char *text, exec_nagios *out);
/* Parse whole program stdout (len bytes, may lack a final newline and may
 * contain NULs, which end the text): message from the first line, perfdata
 * from after '|' on the first line and, Nagios long-output style, from the
 * first '|' on any later line through the end of the output. */
void exec_parse_nagios(const char *text, size_t len, exec_nagios *out);
void exec_nagios_free(exec_nagios *n);

/* ---- tap_read.c: a TAP 13/14 producer's stream, top level only ---- */
typedef enum exec_tap_dir { EXEC_TAP_NONE, EXEC_TAP_SKIP, EXEC_TAP_TODO } exec_tap_dir;

typedef struct exec_tap_test {
    int ok;             /* 1 for "ok", 0 for "not ok" */
    long number;        /* as written, or -1 */
    char *desc;         /* description, "- " and directive removed; may be "" */
    exec_tap_dir dir;
    char *reason;       /* directive text after SKIP/TODO; may be "" */
    char *yaml;         /* YAML block lines (indent removed), or NULL */
    int sub_failed;     /* the subtest above it failed (a failing point, a
                         * plan it did not keep, a second plan) */
} exec_tap_test;

typedef struct exec_tap {
    int version;        /* 13, 14, or 0 when no version line */
    int has_plan;
    long planned;
    int plans;          /* plan lines at the top level; more than one is broken */
    size_t plan_at;     /* test points before the (first) plan */
    char *plan_reason;  /* "1..0 # SKIP why" -> "why"; else NULL */
    int bailed;
    char *bail_reason;  /* "" when none given */
    exec_tap_test *tests;  /* the first EXEC_TAP_KEEP points, then only those
                            * that did not simply pass */
    size_t count;          /* stored in tests */
    size_t cap;
    size_t unstored_ok;    /* passing points past the kept ones: counted only */
    size_t unstored_bad;   /* failing points past the most it stores: counted only */
    int trailing_sub_failed; /* a failed subtest after the last point, summed up by none */
    size_t bad_at;         /* where the first point numbered out of sequence
                            * stood (1-based), 0: none; bad_number: its number */
    long bad_number;
} exec_tap;

/* 1 when the first non-empty line is "TAP version N" or a plan "1..N". */
int exec_is_tap(const char *text, size_t len);
/* Read a TAP stream.  Never fails: anything it does not understand at the
 * top level (comments, pragmas, garbage) is ignored, as TAP says. */
void exec_read_tap(const char *text, size_t len, exec_tap *out);
/* The same, fed as the program writes: every byte it writes is read, so a
 * failure past any bound on what is kept still counts.  finish() frees the
 * reader; OUT is then complete. */
typedef struct exec_tap_reader exec_tap_reader;
exec_tap_reader *exec_tap_reader_new(exec_tap *out);
void exec_tap_feed(exec_tap_reader *rd, const char *data, size_t n);
void exec_tap_finish(exec_tap_reader *rd);
void exec_tap_free(exec_tap *t);

/* ---- spawn.c: run one program, read its stdout with a bound, stop it at
 * a deadline.  No oc_* calls, so it is unit-testable too. ---- */
typedef enum exec_stage {
    EXEC_STAGE_NONE,   /* the program ran */
    EXEC_STAGE_SPAWN,  /* pipe/fork failed in the plugin */
    EXEC_STAGE_CHDIR,  /* the child could not chdir to cwd */
    EXEC_STAGE_EXEC    /* the child could not exec argv[0] */
} exec_stage;

typedef struct exec_spec {
    char *const *argv;     /* argv[0] is looked up in envp's PATH */
    char *const *envp;     /* the program's whole environment */
    const char *cwd;       /* NULL: inherit */
    long long budget_ms;   /* stop the program after this long */
    size_t keep;           /* stdout bytes kept; the rest is read and dropped */
    void (*on_out)(void *arg, const char *data, size_t n); /* when set: every stdout
                            * byte, in order, kept or not (the TAP reader) */
    void *on_out_arg;
    size_t err_keep;       /* > 0: stderr goes through a pipe of ours, its first
                            * err_keep bytes are kept (for the message of a
                            * program that wrote nothing else) and every byte
                            * is copied on to our fd 2, which the core
                            * captures; 0: the program writes to our fd 2 */
} exec_spec;

typedef struct exec_result {
    exec_stage stage;      /* != NONE: it never ran; err is the errno */
    int err;
    int status;            /* from waitpid, when stage == NONE */
    int timed_out;         /* we stopped it at the budget */
    double elapsed_s;
    char *out;             /* kept stdout, NUL-terminated (owned) */
    size_t len;            /* bytes in out */
    size_t total;          /* bytes the program wrote in all */
    char *errout;          /* kept stderr, NUL-terminated (owned); "" when
                            * not captured */
    size_t errout_len;
} exec_result;

/* Returns 0 when the program ran (whatever its exit), -1 otherwise. */
int exec_spawn(const exec_spec *s, exec_result *r);
void exec_result_free(exec_result *r);

#endif /* EXEC_INT_H */
