/*
 * exec.c - the exec plugin: run a program as a check.
 *
 * `protocol` says how its run is judged, and nothing is guessed: `exit`
 * (the default: 0 passes, anything else fails, as test(1), grep -q, diff
 * and any script mean it), `nagios` (the Nagios plugin protocol: exit
 * 0/1/2/3, a message line, perfdata after '|') or `tap` (a bats suite, a
 * prove-style script, read as a subtest).  Guessing TAP from the output
 * would let a program's stdout, not the operator, pick the verdict.
 * Secrets reach it only through `env` (the core refuses them in `command`,
 * which any user can read in ps).  This file turns options into an argv
 * and an environment and a finished run into oc_* reports; spawn.c runs the
 * program, the parsers read what it wrote.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <opscheck/plugin.h>

#include "exec_int.h"

extern char **environ;

#define EXEC_KEEP       (1024 * 1024) /* stdout bytes kept */
#define EXEC_MARGIN_MS  200           /* stop this long before the core would */
#define EXEC_DIAG_LINES 10            /* output lines shown in a diagnostic */
#define EXEC_DIAG_BYTES 2000
#define EXEC_MSG_BYTES  1000          /* a message longer than this is cut */
#define EXEC_ERR_KEEP   (64 * 1024)   /* stderr bytes kept for the message */

static const oc_option exec_options[] = {
    { "command", OC_T_STRING, NULL, OC_OPT_REQUIRED | OC_OPT_NOSECRET,
      "program and arguments, split like a shell would; no shell unless shell = yes" },
    { "shell", OC_T_BOOL, "no", 0,
      "run the command with /bin/sh -c (pipes, globs, variables)" },
    { "env", OC_T_LIST, NULL, 0,
      "extra NAME=VALUE pairs for the program's environment; the way to pass secrets" },
    { "cwd", OC_T_STRING, NULL, 0, "directory to run the program in" },
    { "protocol", OC_T_STRING, "exit", 0,
      "exit: only exit 0 passes; nagios: exit 0/1/2/3 is ok/warn/fail/unknown, perfdata; tap: stdout is TAP, each top-level point an assertion; a broken stream (a plan not kept, numbers out of sequence, an ok above a failed subtest, a bail out) fails" },
    { NULL, 0, NULL, 0, NULL }
};

/* ---- environment ---- */

static int valid_env_name(const char *s, size_t n)
{
    if (n == 0 || isdigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* environ minus the names `env` sets, then the `env` items.  The array is
 * ours; its strings are environ's and the core's.  On a bad item returns
 * NULL and *bad is its 1-based index: the item itself is never shown, as
 * it may be a secret. */
static char **build_env(oc_check *c, size_t *bad)
{
    const char *const *items;
    size_t nitems = oc_opt_list(c, "env", &items), nenv = 0, n = 0;
    char **envp;

    for (size_t i = 0; i < nitems; i++) {
        const char *eq = strchr(items[i], '=');
        if (!eq || !valid_env_name(items[i], (size_t)(eq - items[i]))) {
            *bad = i + 1;
            return NULL;
        }
    }
    while (environ[nenv])
        nenv++;
    envp = exec_xmalloc((nenv + nitems + 1) * sizeof *envp);
    for (size_t e = 0; e < nenv; e++) {
        const char *eq = strchr(environ[e], '=');
        size_t nl = eq ? (size_t)(eq - environ[e]) : strlen(environ[e]);
        int overridden = 0;
        for (size_t i = 0; i < nitems && !overridden; i++)
            overridden = strncmp(items[i], environ[e], nl) == 0 && items[i][nl] == '=';
        if (!overridden)
            envp[n++] = environ[e];
    }
    for (size_t i = 0; i < nitems; i++)
        envp[n++] = (char *)items[i];
    envp[n] = NULL;
    return envp;
}

/* ---- diagnostics ---- */

/* The first (or, with last, the final) EXEC_DIAG_LINES lines of out. */
static void diag_output(oc_check *c, const char *key, const char *out, size_t len, int last)
{
    const char *from = out, *to = out + len;
    int lines = 0;

    while (to > out && to[-1] == '\n')
        to--;
    if (to == out)
        return;
    if (last) {
        for (from = to; from > out; from--)
            if (from[-1] == '\n' && ++lines == EXEC_DIAG_LINES)
                break;
        if (to - from > EXEC_DIAG_BYTES)
            from = to - EXEC_DIAG_BYTES;
    } else {
        for (to = out; to < out + len && lines < EXEC_DIAG_LINES; to++)
            if (*to == '\n')
                lines++;
        while (to > out && to[-1] == '\n')
            to--;
        if (to - from > EXEC_DIAG_BYTES)
            to = from + EXEC_DIAG_BYTES;
    }
    oc_diag(c, key, "%.*s", (int)(to - from), from);
}

static void diag_run(oc_check *c, const exec_result *r)
{
    oc_diag(c, "command", "%s", oc_opt_str(c, "command"));
    if (oc_opt_isset(c, "cwd"))
        oc_diag(c, "cwd", "%s", oc_opt_str(c, "cwd"));
    if (WIFEXITED(r->status) && !r->timed_out)
        oc_diag(c, "exit_code", "%d", WEXITSTATUS(r->status));
    if (r->total > r->len)
        oc_diag(c, "output_truncated", "kept %zu of %zu bytes", r->len, r->total);
}

static const char *signal_name(int sig)
{
    static char buf[32];
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(buf, sizeof buf, "SIG%s", abbrev);
    else
        snprintf(buf, sizeof buf, "signal %d", sig);
    return buf;
}

/* ---- reporting ---- */

/* Diagnostic keys are unique per check (the core writes them as one YAML
 * map), so skipped perfdata items go into one value, a line each. */
static void diag_bad_perf(oc_check *c, const exec_nagios *ng)
{
    size_t len = 1;
    char *all, *w;
    if (ng->nbad == 0)
        return;
    for (size_t i = 0; i < ng->nbad; i++)
        len += strlen(ng->bad[i].item) + strlen(ng->bad[i].why) + 4;
    all = w = exec_xmalloc(len);
    for (size_t i = 0; i < ng->nbad; i++)
        w += sprintf(w, "%s%s (%s)", i ? "\n" : "", ng->bad[i].item, ng->bad[i].why);
    oc_diag(c, "perfdata_skipped", "%s", all);
    free(all);
}

/* name{label="LABEL"[,threshold="KIND"]}: the label Prometheus-escaped. */
static char *perf_metric(const char *name, const char *label, const char *kind)
{
    size_t n = strlen(name) + 2 * strlen(label) + 48, w;
    char *m = exec_xmalloc(n);
    w = (size_t)sprintf(m, "%s{label=\"", name);
    for (const char *p = label; *p; p++) {
        if (*p == '\\' || *p == '"' || *p == '\n')
            m[w++] = '\\';
        m[w++] = *p == '\n' ? 'n' : *p;
    }
    w += (size_t)sprintf(m + w, kind ? "\",threshold=\"%s\"}" : "\"}", kind);
    return m;
}

/* Each perfdata item as metrics (docs/reports.md, "Nagios perfdata"): the
 * value as perfdata{label="..."} in its unit, and warn, crit, min and max
 * that are plain numbers as perfdata_threshold{label="...",threshold="warn"}
 * in the same unit (a counter's thresholds are no counters: no unit).
 * Thresholds given as ranges ("10:20", "@5") are facts, a line each. */
static void metric_perf(oc_check *c, const exec_nagios *ng)
{
    static const char *const kinds[] = {"warn", "crit", "min", "max"};
    size_t len = 1;
    for (size_t i = 0; i < ng->nperf; i++)
        len += 4 * (strlen(ng->perf[i].label) + 56); /* four lines of the item's, at most */
    char *ranges = exec_xmalloc(len), *w = ranges;
    *w = '\0';
    for (size_t i = 0; i < ng->nperf; i++) {
        const exec_perf *pf = &ng->perf[i];
        char *name = perf_metric("perfdata", pf->label, NULL);
        oc_metric(c, name, pf->value, pf->uom);
        free(name);
        const char *field[] = {pf->warn, pf->crit, pf->min, pf->max};
        for (size_t k = 0; k < 4; k++) {
            double v;
            if (!field[k])
                continue;
            if (!exec_perf_number(field[k], &v)) {
                w += snprintf(w, len - (size_t)(w - ranges), "%s'%s' %s %.40s", w > ranges ? "\n" : "", pf->label,
                              kinds[k], field[k]);
                continue;
            }
            name = perf_metric("perfdata_threshold", pf->label, kinds[k]);
            oc_metric(c, name, v, strcmp(pf->uom, "c") ? pf->uom : "");
            free(name);
        }
    }
    if (*ranges)
        oc_diag(c, "perfdata_ranges", "%s", ranges);
    free(ranges);
}

/* The first non-blank line of text, blanks trimmed, cut at EXEC_MSG_BYTES;
 * "" when there is none. */
static void first_line(const char *text, char *buf, size_t size)
{
    const char *p = text;
    buf[0] = '\0';
    while (*p) {
        const char *e = p + strcspn(p, "\n");
        const char *b = p;
        while (b < e && (*b == ' ' || *b == '\t' || *b == '\r'))
            b++;
        const char *t = e;
        while (t > b && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
            t--;
        if (t > b) {
            size_t n = (size_t)(t - b) < size - 1 ? (size_t)(t - b) : size - 1;
            memcpy(buf, b, n);
            buf[n] = '\0';
            return;
        }
        p = *e ? e + 1 : e;
    }
}

/* The dynamic loader's complaint ("prog: error while loading shared
 * libraries: libfoo.so.1: cannot open shared object file: ..."), which
 * also exits 127 but is no "command not found". */
static void loader_line(const char *err, char *buf, size_t size)
{
    const char *hit = strstr(err, "error while loading shared libraries");
    buf[0] = '\0';
    if (!hit)
        return;
    while (hit > err && hit[-1] != '\n')
        hit--;
    first_line(hit, buf, size);
}

/* "exited N" and why, for a program that did not exit 0.  MSG is its first
 * stdout line ("" when none); without one, its first stderr line speaks
 * for it, and a program that said nothing at all says so. */
static void describe_exit(char *buf, size_t size, const exec_result *r, int code, const char *msg)
{
    char detail[EXEC_MSG_BYTES + 1], loader[EXEC_MSG_BYTES + 1];
    loader_line(r->errout, loader, sizeof loader);
    if (*msg)
        snprintf(detail, sizeof detail, "%s", msg);
    else
        first_line(r->errout, detail, sizeof detail);
    if (code == 127 && *loader)
        snprintf(buf, size, "exited 127: %s", loader);
    else if (code == 127 || code == 126)
        snprintf(buf, size, "exited %d: %s%s%s", code, code == 127 ? "command not found" : "permission denied",
                 *detail ? ": " : "", detail);
    else if (*detail)
        snprintf(buf, size, "exited %d: %s", code, detail);
    else
        snprintf(buf, size, "exited %d with no output", code);
}

/* What a program that wrote nothing on stdout gets as its message. */
static void silent_message(char *buf, size_t size, const exec_result *r, int code)
{
    char detail[EXEC_MSG_BYTES + 1];
    first_line(r->errout, detail, sizeof detail);
    if (*detail && !(code == 127 || code == 126))
        snprintf(buf, size, "%s", detail);
    else
        describe_exit(buf, size, r, code, "");
}

/* protocol = exit: 0 passes, anything else fails; the message is stdout's
 * first line. */
static void report_exit(oc_check *c, const exec_result *r)
{
    char m[EXEC_MSG_BYTES + 1], why[3 * EXEC_MSG_BYTES];
    first_line(r->out, m, sizeof m);
    if (WIFSIGNALED(r->status)) {
        if (!*m)
            first_line(r->errout, m, sizeof m);
        oc_fail(c, "killed by %s%s%s", signal_name(WTERMSIG(r->status)), *m ? ": " : "", m);
    } else if (WEXITSTATUS(r->status) == 0) {
        oc_pass(c, "%s", *m ? m : "exited 0");
    } else {
        describe_exit(why, sizeof why, r, WEXITSTATUS(r->status), m);
        oc_fail(c, "%s", why);
    }
    if (exec_is_tap(r->out, r->len))
        oc_diag(c, "note", "stdout looks like TAP; protocol = tap reads it as a subtest");
    diag_run(c, r);
    diag_output(c, "output", r->out, r->len, 0);
}

/* protocol = nagios: exit codes of the Nagios plugin protocol; the message
 * is the first line, perfdata after '|' become metrics. */
static void report_nagios(oc_check *c, const exec_result *r)
{
    exec_nagios ng;
    exec_parse_nagios(r->out, r->len, &ng);
    char m[EXEC_MSG_BYTES + 1], quiet[3 * EXEC_MSG_BYTES];
    snprintf(m, sizeof m, "%s", ng.message);

    if (WIFSIGNALED(r->status)) {
        if (!*m)
            first_line(r->errout, m, sizeof m);
        oc_fail(c, "killed by %s%s%s", signal_name(WTERMSIG(r->status)), *m ? ": " : "", m);
    } else {
        int code = WEXITSTATUS(r->status);
        if (!*m)
            silent_message(quiet, sizeof quiet, r, code);
        switch (code) {
        case 0:
            oc_pass(c, "%s", *m ? m : "exited 0");
            break;
        case 1:
            if (*m)
                oc_warn(c, "%s", m);
            else
                oc_warn(c, "WARNING: %s", quiet);
            break;
        case 2:
            if (*m)
                oc_fail(c, "%s", m);
            else
                oc_fail(c, "CRITICAL: %s", quiet);
            break;
        case 3: /* UNKNOWN: the plugin could not tell, an error rather than a failure */
            if (strncmp(m, "UNKNOWN", 7) == 0)
                oc_error(c, "%s", m);
            else
                oc_error(c, "UNKNOWN: %s", *m ? m : quiet);
            break;
        default:
            describe_exit(quiet, sizeof quiet, r, code, m);
            oc_fail(c, "%s", quiet);
        }
    }
    metric_perf(c, &ng);
    diag_bad_perf(c, &ng);
    diag_run(c, r);
    diag_output(c, "output", r->out, r->len, 0);
    exec_nagios_free(&ng);
}

/* Every top-level point read, stored or only counted. */
static size_t tap_ran(const exec_tap *tap)
{
    return tap->count + tap->unstored_ok + tap->unstored_bad;
}

/* What makes a stream broken though each point may say ok: numbers out of
 * sequence (a point lost or repeated), a failed subtest after the last
 * point, more than one plan, a plan between the points.  Each is a failed
 * assertion; 1 when there was one. */
static int tap_broken(oc_check *c, const exec_tap *tap)
{
    int broken = 0;
    if (tap->bad_at) {
        oc_fail(c, "test %ld out of sequence: expected %zu", tap->bad_number, tap->bad_at);
        broken = 1;
    }
    if (tap->trailing_sub_failed) {
        oc_fail(c, "a subtest after the last test point failed, and no point sums it up");
        broken = 1;
    }
    if (tap->plans > 1) {
        oc_fail(c, "%d plans: a stream has one", tap->plans);
        broken = 1;
    }
    size_t ran = tap_ran(tap);
    if (tap->has_plan && tap->plan_at > 0 && tap->plan_at < ran) {
        oc_fail(c, "the plan is between the tests (after %zu of %zu): it goes first or last", tap->plan_at, ran);
        broken = 1;
    }
    return broken;
}

static void tap_feed(void *arg, const char *data, size_t n)
{
    exec_tap_feed(arg, data, n);
}

/* One assertion per top-level test point, with its directive and its YAML
 * block (oc_directive, oc_assert_yaml), then the stream's own health: bail
 * out, plan against count, exit status.  A failing "# TODO" test stays
 * `not ok ... # TODO` in the subtest but does not fail the check, as TAP
 * means it: a known, accepted failure that should not page anyone. */
static void report_tap(oc_check *c, const exec_result *r, exec_tap *tap)
{
    int failed = 0;

    for (size_t i = 0; i < tap->count; i++) {
        const exec_tap_test *t = &tap->tests[i];
        char num[32];
        const char *d = t->desc;
        if (!*d) {
            snprintf(num, sizeof num, "test %ld", t->number >= 0 ? t->number : (long)(i + 1));
            d = num;
        }
        const char *why = t->reason ? t->reason : "";
        int bad = !t->ok || t->sub_failed; /* "ok" above a failed subtest is not a pass */
        if (!bad)
            oc_pass(c, "%s", d);
        else if (t->ok)
            oc_fail(c, "%s: says ok, but its subtest failed", d);
        else
            oc_fail(c, "%s", d);
        if (t->dir == EXEC_TAP_SKIP)
            oc_directive(c, "SKIP", "%s", why);
        else if (t->dir == EXEC_TAP_TODO)
            oc_directive(c, "TODO", "%s", why);
        else if (bad)
            failed = 1;
        if (t->yaml)
            oc_assert_yaml(c, t->yaml);
    }
    for (size_t i = 0; i < tap->unstored_ok; i++)
        oc_pass(c, "passed"); /* past the kept points: counted, as the core counts them */
    for (size_t i = 0; i < tap->unstored_bad; i++)
        oc_fail(c, "failed (past the %zu points read in full)", tap->count);
    failed |= tap->unstored_bad > 0;
    size_t ran = tap_ran(tap);
    if (tap_broken(c, tap))
        failed = 1;
    if (tap->bailed) {
        oc_fail(c, "Bail out!%s%s", *tap->bail_reason ? " " : "", tap->bail_reason);
        failed = 1;
    } else if (r->timed_out) {
        ;                       /* the caller reports it; the plan is moot */
    } else if (!tap->has_plan && ran == 0 && !WIFSIGNALED(r->status)) {
        char why[3 * EXEC_MSG_BYTES], m[EXEC_MSG_BYTES + 1];
        first_line(r->out, m, sizeof m);
        describe_exit(why, sizeof why, r, WEXITSTATUS(r->status), m);
        oc_fail(c, "no TAP on stdout; %s", WEXITSTATUS(r->status) ? why : "exited 0");
        failed = 1;
    } else if (!tap->has_plan) {
        oc_fail(c, "no plan, ran %zu", ran);
        failed = 1;
    } else if (tap->planned != (long)ran) {
        oc_fail(c, "planned %ld, ran %zu", tap->planned, ran);
        failed = 1;
    } else if (tap->planned == 0) {
        oc_skip(c, "%s", tap->plan_reason && *tap->plan_reason ? tap->plan_reason : "no tests planned");
    }
    if (!r->timed_out && WIFSIGNALED(r->status))
        oc_fail(c, "killed by %s", signal_name(WTERMSIG(r->status)));
    else if (!r->timed_out && WEXITSTATUS(r->status) != 0 && !failed)
        oc_fail(c, "exited %d", WEXITSTATUS(r->status));
    diag_run(c, r);
    exec_tap_free(tap);
}

static void report_not_started(oc_check *c, const exec_result *r, const char *prog)
{
    const char *cwd = oc_opt_str(c, "cwd");
    switch (r->stage) {
    case EXEC_STAGE_CHDIR:
        if (r->err == ENOENT)
            oc_fail(c, "cwd does not exist: %s", cwd);
        else if (r->err == ENOTDIR)
            oc_fail(c, "cwd is not a directory: %s", cwd);
        else if (r->err == EACCES)
            oc_fail(c, "cwd permission denied: %s", cwd);
        else
            oc_fail(c, "cannot change to cwd %s: %s", cwd, strerror(r->err));
        break;
    case EXEC_STAGE_EXEC:
        if (r->err == ENOENT)
            oc_fail(c, "exited 127: command not found: %s", prog);
        else if (r->err == EACCES)
            oc_fail(c, "exited 126: permission denied: %s", prog);
        else
            oc_fail(c, "exited 126: cannot execute %s: %s", prog, strerror(r->err));
        break;
    default:
        oc_fail(c, "cannot start %s: %s", prog, strerror(r->err));
    }
    oc_diag(c, "command", "%s", oc_opt_str(c, "command"));
}

typedef enum exec_proto { PROTO_EXIT, PROTO_NAGIOS, PROTO_TAP, PROTO_BAD } exec_proto;

static exec_proto protocol_of(const char *s)
{
    if (!s || strcmp(s, "exit") == 0)
        return PROTO_EXIT;
    if (strcmp(s, "nagios") == 0)
        return PROTO_NAGIOS;
    if (strcmp(s, "tap") == 0)
        return PROTO_TAP;
    return PROTO_BAD;
}

static void exec_run(oc_check *c)
{
    const char *cmd = oc_opt_str(c, "command");
    char *sh_argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
    exec_argv words = { 0 };
    exec_result r;
    const char *err;
    size_t bad = 0;
    char **envp;
    exec_proto proto = protocol_of(oc_opt_str(c, "protocol"));

    if (proto == PROTO_BAD) {
        oc_error(c, "protocol must be exit, nagios or tap, not '%s'", oc_opt_str(c, "protocol"));
        return;
    }
    if (oc_opt_bool(c, "shell")) {
        words.argv = sh_argv;
    } else if (exec_split_argv(cmd, &words, &err) != 0) {
        oc_fail(c, "cannot split command: %s", err);
        oc_diag(c, "command", "%s", cmd);
        return;
    }
    envp = build_env(c, &bad);
    if (!envp) {
        oc_fail(c, "env item %zu is not NAME=VALUE", bad);
        if (words.argv != sh_argv)
            exec_argv_free(&words);
        return;
    }

    long long left = oc_remaining_ms(c);
    exec_spec spec = {
        .argv = words.argv,
        .envp = envp,
        .cwd = oc_opt_isset(c, "cwd") ? oc_opt_str(c, "cwd") : NULL,
        .budget_ms = left > EXEC_MARGIN_MS ? left - EXEC_MARGIN_MS : left / 2,
        .keep = EXEC_KEEP,
        .err_keep = EXEC_ERR_KEEP,
    };
    exec_tap tap;
    exec_tap_reader *rd = NULL;
    if (proto == PROTO_TAP) { /* read as it is written: every byte, not only the kept ones */
        rd = exec_tap_reader_new(&tap);
        spec.on_out = tap_feed;
        spec.on_out_arg = rd;
    }
    int spawned = exec_spawn(&spec, &r);
    if (rd)
        exec_tap_finish(rd);
    if (spawned != 0) {
        report_not_started(c, &r, words.argv[0]);
        if (rd)
            exec_tap_free(&tap);
    } else {
        if (proto == PROTO_TAP)
            report_tap(c, &r, &tap);
        if (r.timed_out) {
            oc_fail(c, "timed out after %.1fs", r.elapsed_s);
            if (proto != PROTO_TAP)
                diag_run(c, &r);
            diag_output(c, "output", r.out, r.len, 1);
        } else if (proto == PROTO_NAGIOS) {
            report_nagios(c, &r);
        } else if (proto == PROTO_EXIT) {
            report_exit(c, &r);
        }
    }
    exec_result_free(&r);
    free(envp);
    if (words.argv != sh_argv)
        exec_argv_free(&words);
}

static const oc_plugin exec_plugin = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "exec",
    .summary = "run a program: judged by its exit code, the Nagios plugin protocol or its TAP",
    .options = exec_options,
    .run = exec_run,
};

OC_PLUGIN(exec_plugin)
