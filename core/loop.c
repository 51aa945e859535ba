/* loop.c - rounds of a plan (see loop.h). */
#include "loop.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pretty.h"
#include "run.h"
#include "stop.h"
#include "stream.h"
#include "units.h"

/* While a round runs, its checks go nowhere (the screen of the round before
 * stays, or the final state is written once at the end); the view's
 * progress line (pretty, on stderr) still shows what runs. */
static const run_writer *view;

static void round_progress(const run_opts *o, size_t done, size_t total, const char *running, double elapsed)
{
    if (view->progress)
        view->progress(o, done, total, running, elapsed);
}

static void round_end(const run_opts *o)
{
    if (view->end)
        view->end(o); /* pretty: the progress line is erased */
}

/* null_writer (stream.h) with the view's progress line */
static run_writer round_writer_of(void)
{
    run_writer w = null_writer;
    w.progress = round_progress;
    w.end = round_end;
    return w;
}

/* Sleeps until DEADLINE (now_ms()) unless a stop signal comes first:
 * 0, or -1 when stopped. */
static int wait_until(long long deadline)
{
    for (;;) {
        if (stop_signal())
            return -1;
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = stop_wake_fd(), .events = POLLIN};
        poll(&p, 1, left > 1000 ? 1000 : (int)left);
        char drain[64];
        while (read(stop_wake_fd(), drain, sizeof drain) > 0)
            ;
    }
}

static void count(run_summary *s, res_status st)
{
    size_t *n[RES_NSTATUS] = {[RES_PASS] = &s->passed, [RES_WARN] = &s->warned, [RES_SKIP] = &s->skipped,
                              [RES_FAIL] = &s->failed, [RES_ERROR] = &s->errored};
    (*n[st])++;
}

/* --- --watch */

/* One finished round as text: the header, every check in selection order
 * (so rounds line up) with its change since the round before, the counts.
 * Written to F through the pretty writer; VERBOSE as the run asked, or 0. */
static void render_round(FILE *f, const plan *pl, const run_opts *o, const loop_opts *lo, unsigned round,
                         const check_result *res, const int *prev, const run_summary *sum, int verbose)
{
    char when[16], next[16];
    time_t t = time(NULL), tn = t + (time_t)((lo->interval_ms + 999) / 1000);
    strftime(when, sizeof when, "%H:%M:%S", localtime(&t));
    strftime(next, sizeof next, "%H:%M:%S", localtime(&tn));
    char *every = unit_duration_text(lo->interval_ms);
    char *left = xasprintf("Every %s: %s", every, lo->command);
    char *right = xasprintf("round %u  %s  next %s", round, when, next);
    pretty_set_output(f);
    pretty_header(left, right);
    free(every);
    free(left);
    free(right);
    run_opts shown = *o;
    shown.previous = prev;
    shown.verbose = verbose;
    o->writer->begin(&shown, pl->n);
    for (size_t i = 0; i < pl->n; i++)
        o->writer->check(&shown, i + 1, &pl->c->checks[pl->sel[i]], &res[i]);
    fprintf(f, "%zu passed, %zu warned, %zu failed, %zu errored, %zu skipped in %.2fs\n", sum->passed, sum->warned,
            sum->failed, sum->errored, sum->skipped, sum->seconds);
    pretty_set_output(NULL);
}

static char *render_text(const plan *pl, const run_opts *o, const loop_opts *lo, unsigned round,
                         const check_result *res, const int *prev, const run_summary *sum, int verbose,
                         size_t *lines)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        perror("opscheck: open_memstream");
        exit(3);
    }
    render_round(f, pl, o, lo, round, res, prev, sum, verbose);
    fclose(f);
    *lines = 0;
    for (size_t i = 0; i < len; i++)
        *lines += text[i] == '\n';
    return text;
}

/* LINE (up to its newline) on stdout cut to COLS columns: colour sequences
 * take none, a UTF-8 character one; a cut line's colour is reset. */
static const char *put_cut_line(const char *line, size_t cols)
{
    size_t col = 0;
    int cut = 0, escapes = 0;
    const char *p = line;
    for (; *p && *p != '\n'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == 0x1b && p[1] == '[') { /* CSI ... final byte */
            const char *q = p + 2;
            while (*q && !(*q >= 0x40 && *q <= 0x7e))
                q++;
            if (!cut)
                fwrite(p, 1, (size_t)(q - p) + (*q ? 1 : 0), stdout);
            escapes = 1;
            p = *q ? q : q - 1;
            continue;
        }
        if ((ch & 0xc0) != 0x80 && col++ >= cols)
            cut = 1;
        if (!cut)
            fputc(ch, stdout);
    }
    fputs(escapes && cut ? "\033[0m\n" : "\n", stdout);
    return *p ? p + 1 : p;
}

/* The round on the screen, watch(1)-style.  On a terminal: cleared, then
 * at most its height less two lines (the header must survive the ^C and
 * the stop line), each line cut to its width; when -v does not fit, the
 * passing checks' details go first, then the bottom is cut.  Elsewhere:
 * every line as is, rounds parted by a blank line. */
static void draw_round(const plan *pl, const run_opts *o, const loop_opts *lo, unsigned round,
                       const check_result *res, const int *prev, const run_summary *sum)
{
    struct winsize ws;
    if (!isatty(1) || ioctl(1, TIOCGWINSZ, &ws) != 0 || !ws.ws_row || !ws.ws_col) {
        fputs(round > 1 ? "\n" : "", stdout);
        render_round(stdout, pl, o, lo, round, res, prev, sum, o->verbose);
        fflush(stdout);
        return;
    }
    size_t rows = ws.ws_row > 3 ? ws.ws_row - 2u : 1, lines;
    char *text = render_text(pl, o, lo, round, res, prev, sum, o->verbose, &lines);
    if (lines > rows && o->verbose) {
        free(text);
        text = render_text(pl, o, lo, round, res, prev, sum, 0, &lines);
    }
    fputs("\033[H\033[2J", stdout);
    const char *p = text;
    for (size_t n = 0; *p && n < rows; n++) {
        if (n + 1 == rows && lines > rows) {
            fprintf(stdout, "... %zu more lines: a taller terminal shows them\n", lines - n);
            break;
        }
        p = put_cut_line(p, ws.ws_col - 1u);
    }
    fflush(stdout);
    free(text);
}

int loop_watch(const plan *pl, const run_opts *o, const loop_opts *lo)
{
    view = o->writer;
    run_writer quiet = round_writer_of();
    run_opts ro = *o;
    ro.writer = &quiet;
    int *prev = NULL, last_rc = -1;
    unsigned last_round = 0;
    for (unsigned round = 1;; round++) {
        run_summary sum;
        check_result *res = NULL;
        time_t started = time(NULL);
        int rc = run_checks(pl, &ro, &sum, &res);
        if (stop_signal()) { /* a round cut short is no round: the screen keeps the last finished one */
            run_results_free(res, pl->n);
            if (view->end)
                view->end(o);
            break;
        }
        draw_round(pl, o, lo, round, res, prev, &sum);
        if (lo->round_done && lo->round_done(lo->arg, res, &sum, started) != 0 && rc < 2)
            rc = 3;
        last_rc = rc;
        last_round = round;
        if (!prev)
            prev = xcalloc(pl->n ? pl->n : 1, sizeof *prev);
        for (size_t i = 0; i < pl->n; i++)
            prev[i] = (int)res[i].status;
        run_results_free(res, pl->n);
        if (wait_until(now_ms() + lo->interval_ms) != 0)
            break;
    }
    free(prev);
    if (isatty(2))
        fputs("\r\033[K", stderr); /* over the terminal's ^C */
    if (last_rc < 0) {
        fprintf(stderr, "opscheck: --watch: stopped by %s before a round finished\n", stop_signal_name(stop_signal()));
        return 128 + stop_signal();
    }
    /* short: it must not wrap (and scroll the header away) at 60 columns */
    fprintf(stderr, "opscheck: stopped by %s, exit %d (round %u)\n", stop_signal_name(stop_signal()), last_rc, last_round);
    return last_rc;
}

/* --- --until-pass */

/* Which checks the next round runs: those that failed or errored, and those
 * that need one of them (they were skipped, or judged against the old
 * state).  The plan puts needs first, so one pass in order is enough. */
static size_t mark_reruns(const plan *pl, const check_result *latest, int *rerun)
{
    cfg *c = pl->c;
    ssize_t *pos = xmalloc((c->nchecks ? c->nchecks : 1) * sizeof *pos);
    for (size_t i = 0; i < c->nchecks; i++)
        pos[i] = -1;
    for (size_t i = 0; i < pl->n; i++)
        pos[pl->sel[i]] = (ssize_t)i;
    size_t n = 0;
    for (size_t i = 0; i < pl->n; i++) {
        const cfg_check *k = &c->checks[pl->sel[i]];
        rerun[i] = RES_BAD(latest[i].status);
        for (size_t d = 0; d < k->needs.n && !rerun[i]; d++)
            rerun[i] = pos[k->need_idx[d]] >= 0 && rerun[pos[k->need_idx[d]]];
        n += (size_t)rerun[i];
    }
    free(pos);
    return n;
}

/* The round's line on stderr: "until-pass: round 2, 1.0s: 1 of 3 still
 * failing: db; next round in 1s". */
static void log_round(const plan *pl, const check_result *latest, unsigned round, double elapsed, const char *end)
{
    strbuf names = {0};
    size_t bad = 0;
    for (size_t i = 0; i < pl->n; i++) {
        if (!RES_BAD(latest[i].status))
            continue;
        if (bad++ < 8)
            sb_printf(&names, "%s%s", names.len ? ", " : "", pl->c->checks[pl->sel[i]].name);
    }
    if (bad > 8)
        sb_printf(&names, ", and %zu more", bad - 8);
    if (bad)
        fprintf(stderr, "until-pass: round %u, %.1fs: %zu of %zu still failing: %s; %s\n", round, elapsed, bad, pl->n,
                names.s, end);
    else
        fprintf(stderr, "until-pass: round %u, %.1fs: all %zu pass\n", round, elapsed, pl->n);
    sb_clear(&names);
}

int loop_until_pass(const plan *pl, const run_opts *o, const loop_opts *lo, run_summary *sum,
                    check_result **results)
{
    view = o->writer;
    run_writer quiet = round_writer_of();
    run_opts ro = *o;
    ro.writer = &quiet;
    size_t n = pl->n;
    check_result *latest = xcalloc(n ? n : 1, sizeof *latest);
    int *rerun = xcalloc(n ? n : 1, sizeof *rerun);
    size_t *sel = xcalloc(n ? n : 1, sizeof *sel), *map = xcalloc(n ? n : 1, sizeof *map);
    cfg_resolved *res = xcalloc(n ? n : 1, sizeof *res);
    for (size_t i = 0; i < n; i++)
        rerun[i] = 1;
    double t0 = now_s();
    long long deadline = now_ms() + lo->max_wait_ms;
    int rc = 0;
    char *every = unit_duration_text(lo->interval_ms), *max = unit_duration_text(lo->max_wait_ms);
    for (unsigned round = 1;; round++) {
        /* this round's plan: the checks to re-run, in order, resolved as before */
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (rerun[i]) {
                sel[m] = pl->sel[i];
                res[m] = pl->res[i]; /* a shallow copy: the plan still owns it */
                map[m++] = i;
            }
        plan sub = {.c = pl->c, .sel = sel, .n = m, .res = res};
        run_summary rs;
        check_result *rr = NULL;
        rc = run_checks(&sub, &ro, &rs, &rr);
        for (size_t j = 0; j < m; j++) { /* moved into the latest state */
            result_clear(&latest[map[j]]);
            latest[map[j]] = rr[j];
        }
        free(rr);
        double elapsed = now_s() - t0;
        if (stop_signal()) {
            log_round(pl, latest, round, elapsed, "stopped");
            break;
        }
        if (rc == 3 || mark_reruns(pl, latest, rerun) == 0) {
            log_round(pl, latest, round, elapsed, "an internal error");
            break;
        }
        /* the next round after INTERVAL, or when the wait ends if that is
         * sooner: the last look is at --max-wait, not an interval before */
        long long now = now_ms(), next = now + lo->interval_ms < deadline ? now + lo->interval_ms : deadline;
        if (now >= deadline) {
            char *end = xasprintf("--max-wait %s is over", max);
            log_round(pl, latest, round, elapsed, end);
            free(end);
            break;
        }
        char *in = unit_duration_text(next - now);
        char *end = xasprintf("next round in %s", next - now == lo->interval_ms ? every : in);
        free(in);
        log_round(pl, latest, round, elapsed, end);
        free(end);
        if (wait_until(next) != 0) {
            fprintf(stderr, "until-pass: stopped by %s after round %u, %.1fs\n", stop_signal_name(stop_signal()), round,
                    now_s() - t0);
            break;
        }
    }
    free(every);
    free(max);
    /* the final state, every selected check with its latest result */
    memset(sum, 0, sizeof *sum);
    for (size_t i = 0; i < n; i++)
        count(sum, latest[i].status);
    sum->seconds = now_s() - t0;
    sum->interrupted = stop_signal();
    o->writer->begin(o, n);
    for (size_t i = 0; i < n; i++)
        o->writer->check(o, i + 1, &pl->c->checks[pl->sel[i]], &latest[i]);
    if (sum->interrupted) {
        char *why = xasprintf("interrupted by %s while waiting for every check to pass", stop_signal_name(sum->interrupted));
        o->writer->bail(o, why);
        free(why);
    } else if (o->writer->end) {
        o->writer->end(o);
    }
    free(rerun);
    free(sel);
    free(map);
    free(res);
    *results = latest;
    if (sum->interrupted)
        return 128 + sum->interrupted;
    if (rc == 3)
        return 3;
    return sum->failed || sum->errored ? 1 : 0;
}
