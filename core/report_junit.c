/*
 * report_junit.c - --junit FILE: the run as JUnit XML, in the shape of the
 * Jenkins/Ant schema (tests/fixtures/junit/junit.xsd) that CI systems read.
 * One <testsuite> per run, one <testcase> per check.  A check's assertions
 * are not testcases of their own: they are listed in the text of its
 * <failure> (or <system-out> for a warning), so the counts match the TAP
 * plan.  See docs/reports.md for the mapping.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"
#include "text.h"
#include "util.h"

#ifndef OC_VERSION
#define OC_VERSION "0.0.0"
#endif

/* RAW escaped for XML 1.0: valid UTF-8, & < > " ' as entities,
 * the control characters XML 1.0 forbids (and U+FFFE, U+FFFF) dropped.  In
 * an attribute, tab, CR and LF become character references so a parser
 * keeps them instead of normalising them to spaces. */
static void xml_put(strbuf *b, const char *raw, int attr)
{
    char *s = report_clean(raw);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
            p += 2;
            continue;
        }
        switch (*p) {
        case '&': sb_puts(b, "&amp;"); break;
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '"': sb_puts(b, attr ? "&quot;" : "\""); break;
        case '\'': sb_puts(b, attr ? "&apos;" : "'"); break;
        case '\t': sb_puts(b, attr ? "&#9;" : "\t"); break;
        case '\n': sb_puts(b, attr ? "&#10;" : "\n"); break;
        case '\r': sb_puts(b, "&#13;"); break;
        default:
            if (*p >= 0x20)
                sb_putc(b, (char)*p);
        }
    }
    free(s);
}

static void attr(strbuf *b, const char *name, const char *raw)
{
    sb_printf(b, " %s=\"", name);
    xml_put(b, raw, 1);
    sb_putc(b, '"');
}

static void yaml_line(strbuf *y, const char *ind, const char *key, const char *val)
{
    sb_printf(y, "%s%s: ", ind, key);
    text_yaml_str(y, val);
    sb_putc(y, '\n');
}

/* A top-level key not used before in this block (a plugin diag named like a
 * core key, or given twice, becomes KEY_2), as the TAP YAML does. */
static void yaml_unique(strbuf *y, strvec *seen, const char *key, const char *val)
{
    char *use = xstrdup(key);
    for (int n = 2; sv_contains(seen, use); n++) {
        free(use);
        use = xasprintf("%s_%d", key, n);
    }
    sb_printf(y, "%s: ", use);
    sv_push(seen, use);
    text_yaml_str(y, val);
    sb_putc(y, '\n');
}

/* The facts of one check as YAML text, as the TAP block shows them. */
static char *details(const cfg_check *k, const check_result *res)
{
    strbuf y = {0};
    sb_add(&y, "", 0);
    if (res->message)
        yaml_line(&y, "", "message", res->message);
    yaml_line(&y, "", "severity", res_status_name(res->status));
    if (k->description)
        yaml_line(&y, "", "description", k->description);
    if (k->plugin)
        yaml_line(&y, "", "plugin", k->plugin->name);
    sb_printf(&y, "duration_ms: %lld\nattempts: %zu\n", res->duration_ms, res->nattempts);
    if (res->nattempts > 1) {
        sb_puts(&y, "attempt_log:\n");
        for (size_t i = 0; i < res->nattempts; i++) {
            sb_printf(&y, "  - status: \"%s\"\n    duration_ms: %lld\n", res_status_name(res->attempts[i].status),
                      res->attempts[i].duration_ms);
            yaml_line(&y, "    ", "message", res->attempts[i].message);
        }
    }
    if (res->nasserts) {
        sb_puts(&y, "assertions:\n");
        for (size_t i = 0; i < res->nasserts; i++) {
            const res_assert *a = &res->asserts[i];
            sb_printf(&y, "  - status: \"%s\"\n", res_status_name(a->status));
            yaml_line(&y, "    ", "message", a->msg);
            if (a->expected)
                yaml_line(&y, "    ", "expected", a->expected);
            if (a->seen)
                yaml_line(&y, "    ", "seen", a->seen);
            if (a->directive) {
                yaml_line(&y, "    ", "directive", res_directive_name(a->directive));
                yaml_line(&y, "    ", "reason", a->reason);
            }
            if (a->data)
                yaml_line(&y, "    ", "data", a->data);
        }
    }
    strvec seen = {0};
    const char *core_keys[] = {"message", "severity", "description", "plugin", "duration_ms", "attempts",
                               "attempt_log", "assertions", "hint"};
    for (size_t i = 0; i < sizeof core_keys / sizeof *core_keys; i++)
        sv_push(&seen, xstrdup(core_keys[i]));
    for (size_t i = 0; i < res->ndiags; i++)
        yaml_unique(&y, &seen, res->diags[i].key, res->diags[i].val);
    if (res->nmetrics)
        sb_puts(&y, "metrics:\n");
    for (size_t i = 0; i < res->nmetrics; i++) {
        yaml_line(&y, "  - ", "name", res->metrics[i].name);
        sb_printf(&y, "    value: %.10g\n", res->metrics[i].value);
        yaml_line(&y, "    ", "unit", res->metrics[i].unit);
    }
    sv_clear(&seen);
    if (res->hint && res->status != RES_PASS && res->status != RES_ERROR)
        yaml_line(&y, "", "hint", res->hint);
    return sb_steal(&y);
}

/* The attempts before the last that failed or errored, as Surefire's
 * reruns (junit-10.xsd): <flakyFailure>/<flakyError> when the check then
 * passed (or warned), <rerunFailure>/<rerunError> when it failed anyway.
 * Returns how many there are; writes them only when B is not NULL. */
static size_t reruns(strbuf *b, const check_result *res)
{
    size_t n = 0;
    const char *kind = RES_BAD(res->status) ? "rerun" : res->status == RES_SKIP ? NULL : "flaky";
    for (size_t a = 0; kind && a + 1 < res->nattempts; a++) {
        const res_attempt *at = &res->attempts[a];
        if (!RES_BAD(at->status))
            continue;
        n++;
        if (!b)
            continue;
        const char *el = at->status == RES_FAIL ? "Failure" : "Error";
        sb_printf(b, "      <%s%s", kind, el);
        attr(b, "message", at->message);
        sb_printf(b, " type=\"%s\"><stackTrace>attempt %zu of %zu: ", res_status_name(at->status), a + 1,
                  res->nattempts);
        xml_put(b, at->message, 0);
        sb_printf(b, "</stackTrace></%s%s>\n", kind, el);
    }
    return n;
}

static void testcase(strbuf *b, const report_run *r, size_t i)
{
    const cfg_check *k = &r->c->checks[r->sel[i]];
    const check_result *res = &r->results[i];
    const char *plugin = report_plugin(r, i);
    char *cls = xasprintf("opscheck%s%s", *plugin ? "." : "", plugin);
    long long ms = res->nattempts ? 0 : res->duration_ms; /* every attempt: what the check cost */
    for (size_t a = 0; a < res->nattempts; a++)
        ms += res->attempts[a].duration_ms;
    sb_puts(b, "    <testcase");
    attr(b, "name", k->name);
    attr(b, "classname", cls);
    sb_printf(b, " time=\"%.3f\"", (double)ms / 1000.0);
    free(cls);
    int body = res->status != RES_PASS || (res->output && res->output_len) || reruns(NULL, res);
    if (!body) {
        sb_puts(b, "/>\n");
        return;
    }
    sb_puts(b, ">\n");
    const char *msg = res->message ? res->message : res_status_name(res->status);
    if (res->status == RES_SKIP) {
        sb_puts(b, "      <skipped");
        attr(b, "message", msg);
        sb_puts(b, "/>\n");
    } else if (res->status != RES_PASS) {
        char *d = details(k, res);
        if (RES_BAD(res->status)) { /* <error>: the check could not reach a verdict */
            const char *el = res->status == RES_FAIL ? "failure" : "error";
            sb_printf(b, "      <%s", el);
            attr(b, "message", msg);
            sb_printf(b, " type=\"%s\">", res_status_name(res->status));
            xml_put(b, d, 0);
            sb_printf(b, "</%s>\n", el);
            reruns(b, res);
        } else { /* a warning passes: its facts go where a passing test's output goes */
            sb_puts(b, "      <system-out>");
            xml_put(b, d, 0);
            sb_puts(b, "</system-out>\n");
        }
        free(d);
    }
    if (!RES_BAD(res->status))
        reruns(b, res);
    if (res->output && res->output_len) {
        char *out = xstrndup(res->output, res->output_len);
        sb_puts(b, "      <system-err>");
        xml_put(b, out, 0);
        sb_puts(b, "</system-err>\n");
        free(out);
    }
    sb_puts(b, "    </testcase>\n");
}

int report_junit(const report_run *r, const char *path, char **err)
{
    size_t failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < r->n; i++) {
        failures += r->results[i].status == RES_FAIL;
        errors += r->results[i].status == RES_ERROR;
        skipped += r->results[i].status == RES_SKIP;
    }
    double secs = r->sum ? r->sum->seconds : 0;
    const char *suite = r->checklist && *r->checklist ? r->checklist : "opscheck";
    char ts[32];
    report_utc(r->started, 0, ts);
    char *host = report_hostname();
    strbuf b = {0};
    sb_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"opscheck\"");
    sb_printf(&b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", r->n, failures, errors, secs);
    sb_puts(&b, "  <testsuite");
    attr(&b, "name", suite);
    sb_printf(&b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\"",
              r->n, failures, errors, skipped, secs, ts);
    attr(&b, "hostname", host);
    sb_puts(&b, ">\n    <properties>\n      <property name=\"checklist\"");
    attr(&b, "value", r->checklist ? r->checklist : "");
    sb_puts(&b, "/>\n      <property name=\"opscheck_version\" value=\"" OC_VERSION "\"/>\n");
    if (r->sum && r->sum->interrupted)
        sb_printf(&b, "      <property name=\"interrupted_by_signal\" value=\"%d\"/>\n", r->sum->interrupted);
    sb_puts(&b, "    </properties>\n");
    for (size_t i = 0; i < r->n; i++)
        testcase(&b, r, i);
    sb_puts(&b, "  </testsuite>\n</testsuites>\n");
    free(host);
    int rc = report_write_file(path, b.s, b.len, err);
    sb_clear(&b);
    return rc;
}
