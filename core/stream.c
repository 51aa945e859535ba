/* stream.c - see stream.h. */
#include "stream.h"

#include "pretty.h"
#include "tap.h"

static void null_begin(const run_opts *o, size_t count)
{
    (void)o;
    (void)count;
}

static void null_check(const run_opts *o, size_t num, const cfg_check *k, const check_result *r)
{
    (void)o;
    (void)num;
    (void)k;
    (void)r;
}

static void null_bail(const run_opts *o, const char *reason)
{
    (void)o;
    (void)reason;
}

const run_writer null_writer = {.begin = null_begin, .check = null_check, .bail = null_bail};

/* TAP first: the file is the record, the terminal the view. */
static void both_begin(const run_opts *o, size_t count)
{
    tap_writer.begin(o, count);
    pretty_writer.begin(o, count);
}

static void both_check(const run_opts *o, size_t num, const cfg_check *k, const check_result *r)
{
    tap_writer.check(o, num, k, r);
    pretty_writer.check(o, num, k, r);
}

static void both_bail(const run_opts *o, const char *reason)
{
    tap_writer.bail(o, reason);
    pretty_writer.bail(o, reason);
}

static void both_progress(const run_opts *o, size_t done, size_t total, const char *running, double elapsed)
{
    if (pretty_writer.progress)
        pretty_writer.progress(o, done, total, running, elapsed);
}

static void both_end(const run_opts *o)
{
    if (tap_writer.end)
        tap_writer.end(o);
    if (pretty_writer.end)
        pretty_writer.end(o);
}

const run_writer pretty_and_tap_writer = {.begin = both_begin, .check = both_check, .bail = both_bail,
                                          .progress = both_progress, .end = both_end};
