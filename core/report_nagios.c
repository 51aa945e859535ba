/*
 * report_nagios.c - --format nagios: the run as one Monitoring Plugin's
 * output, so that NRPE, Nagios or Icinga can run a checklist as one
 * service.  The form is the Monitoring Plugins guidelines' (monitoring-
 * plugin-guidelines, monitoring_plugins_interface/03.Output.md, and the
 * multi-line layout of the old developer-guidelines):
 *
 *     OPSCHECK CRITICAL - 1 of 11 failed: billing-stuck (no payment in 26h) | 'passed'=10;;;0;11 ...
 *     [CRITICAL] billing-stuck - no payment in 26h (hint: ...)
 *
 * The first line is the status and the perfdata of the run ('label'=value
 * [UOM];[warn];[crit];[min];[max]); each following line is one check that
 * did not pass (long output).  Exit code: 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN.  A '|' in a message would start perfdata, so it is shown as
 * U+00A6; lines are bounded, as NRPE and the cores cut long output.
 *
 * No masking here: the results passed the gate (result_publish); only the
 * reason of an UNKNOWN before the run, which never did, is redacted.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "report.h"
#include "report_int.h"

enum { NAGIOS_OK, NAGIOS_WARNING, NAGIOS_CRITICAL, NAGIOS_UNKNOWN };
static const char *const nagios_state[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

#define NAGIOS_STATUS_MAX 240  /* bytes of check names and messages on the status line */
#define NAGIOS_MSG_MAX 80      /* bytes of one message on the status line */
#define NAGIOS_LONG_MAX 400    /* bytes of one long-output line */
#define NAGIOS_LONG_LINES 50   /* long-output lines, then "... and N more" */

/* S (NULL is "") appended to B as plain one-line text of at most MAX bytes,
 * cut on a character boundary with "...": control bytes become spaces and
 * '|' (the perfdata separator) U+00A6. */
static void nagios_text(strbuf *b, const char *s, size_t max)
{
    char *clean = report_clean(s);
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)clean; *p;) {
        size_t n = utf8_seq_len(p);
        if (n == 0) /* not after report_clean; one byte, to be safe */
            n = 1;
        if (used + n > max) {
            sb_puts(b, "...");
            break;
        }
        if (*p == '|')
            sb_puts(b, "\xC2\xA6");
        else if (*p < 0x20 || *p == 0x7f)
            sb_putc(b, ' ');
        else
            sb_add(b, (const char *)p, n);
        used += n;
        p += n;
    }
    free(clean);
}

/* The Nagios state a check's outcome stands for in the long output, and
 * how its message is introduced: an error says it is one. */
static const struct {
    res_status status;
    int state;
    const char *prefix;
} nagios_rows[] = {
    {RES_FAIL, NAGIOS_CRITICAL, ""},
    {RES_ERROR, NAGIOS_UNKNOWN, "error: "},
    {RES_WARN, NAGIOS_WARNING, ""},
    {RES_SKIP, NAGIOS_OK, "skipped: "},
};

static int nagios_code(const report_run *r, int report_failed)
{
    const run_summary *s = r->sum;
    if (report_failed || s->interrupted || (s->errored && !s->failed))
        return NAGIOS_UNKNOWN;
    return s->failed ? NAGIOS_CRITICAL : s->warned ? NAGIOS_WARNING : NAGIOS_OK;
}

/* "1 of 11 failed", "1 failed, 1 errored of 4", "11 of 11 passed". */
static void nagios_counts(strbuf *b, const run_summary *s, size_t total)
{
    struct {
        size_t n;
        const char *word;
    } bad[] = {{s->failed, "failed"}, {s->errored, "errored"}, {s->warned, "warned"}};
    size_t kinds = 0, only = 0;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (bad[i].n)
            kinds++, only = i;
    if (kinds == 0) {
        sb_printf(b, "%zu of %zu passed", s->passed, total);
        if (s->skipped)
            sb_printf(b, ", %zu skipped", s->skipped);
        return;
    }
    if (kinds == 1) {
        sb_printf(b, "%zu of %zu %s", bad[only].n, total, bad[only].word);
        return;
    }
    for (size_t i = 0, k = 0; i < sizeof bad / sizeof *bad; i++)
        if (bad[i].n)
            sb_printf(b, "%s%zu %s", k++ ? ", " : "", bad[i].n, bad[i].word);
    sb_printf(b, " of %zu", total);
}

/* ": name (message), name (error: message), ... and N more": the checks
 * that failed, then errored, then warned, bounded. */
static void nagios_names(strbuf *b, const report_run *r)
{
    size_t shown = 0, left = 0, start = b->len;
    for (size_t row = 0; row < 3; row++) {
        for (size_t i = 0; i < r->n; i++) {
            const check_result *cr = &r->results[i];
            if (cr->status != nagios_rows[row].status)
                continue;
            if (b->len - start > NAGIOS_STATUS_MAX) {
                left++;
                continue;
            }
            sb_puts(b, shown++ ? ", " : ": ");
            nagios_text(b, r->c->checks[r->sel[i]].name, NAGIOS_MSG_MAX);
            sb_printf(b, " (%s", nagios_rows[row].prefix);
            nagios_text(b, cr->message, NAGIOS_MSG_MAX);
            sb_putc(b, ')');
        }
    }
    if (left)
        sb_printf(b, " and %zu more", left);
}

/* The run's perfdata: the five counts (min 0, max the checks run; warned
 * warns and failed is critical above 0, as the exit code says) and the
 * run's duration in seconds.  C locale: printf's '.' is the decimal point. */
static void nagios_perfdata(strbuf *b, const run_summary *s, size_t total)
{
    sb_printf(b, " | 'passed'=%zu;;;0;%zu 'warned'=%zu;0;;0;%zu 'failed'=%zu;;0;0;%zu", s->passed, total, s->warned,
              total, s->failed, total);
    sb_printf(b, " 'errored'=%zu;;;0;%zu 'skipped'=%zu;;;0;%zu 'duration'=%.3fs;;;0", s->errored, total, s->skipped,
              total, s->seconds >= 0 ? s->seconds : 0.0);
}

/* One line per check that did not pass, worst first. */
static void nagios_long(strbuf *b, const report_run *r)
{
    size_t lines = 0, left = 0;
    for (size_t row = 0; row < sizeof nagios_rows / sizeof *nagios_rows; row++) {
        for (size_t i = 0; i < r->n; i++) {
            const check_result *cr = &r->results[i];
            if (cr->status != nagios_rows[row].status)
                continue;
            if (lines++ >= NAGIOS_LONG_LINES) {
                left++;
                continue;
            }
            strbuf line = {0};
            sb_printf(&line, "[%s] %s - %s", nagios_state[nagios_rows[row].state], r->c->checks[r->sel[i]].name,
                      nagios_rows[row].prefix);
            sb_puts(&line, cr->message ? cr->message : "");
            if (cr->hint && cr->status == RES_FAIL)
                sb_printf(&line, " (hint: %s)", cr->hint);
            sb_putc(b, '\n');
            nagios_text(b, line.s, NAGIOS_LONG_MAX);
            sb_clear(&line);
        }
    }
    if (left)
        sb_printf(b, "\n... and %zu more", left);
}

int report_nagios(const report_run *r, int report_failed)
{
    const run_summary *s = r->sum;
    size_t total = s->passed + s->warned + s->failed + s->errored + s->skipped;
    int code = nagios_code(r, report_failed);
    strbuf b = {0};
    sb_printf(&b, "OPSCHECK %s - ", nagios_state[code]);
    if (s->interrupted)
        sb_printf(&b, "interrupted by SIG%s, ", sigabbrev_np(s->interrupted) ? sigabbrev_np(s->interrupted) : "?");
    if (report_failed)
        sb_puts(&b, "a report was not written, ");
    nagios_counts(&b, s, total);
    if (r->results)
        nagios_names(&b, r);
    nagios_perfdata(&b, s, total);
    if (r->results)
        nagios_long(&b, r);
    printf("%s\n", b.s);
    fflush(stdout);
    sb_clear(&b);
    return code;
}

int report_nagios_unknown(const char *why)
{
    char *shown = redact(why);
    strbuf b = {0};
    nagios_text(&b, shown, NAGIOS_LONG_MAX);
    printf("OPSCHECK UNKNOWN - %s\n", b.s ? b.s : "");
    fflush(stdout);
    sb_clear(&b);
    free(shown);
    return NAGIOS_UNKNOWN;
}
