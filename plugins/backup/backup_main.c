/*
 * backup_main.c - the `backup` plugin (issue 6; runbook §6): the newest
 * pg_dump in a folder is recent, complete and (optionally) restorable, not
 * suspiciously smaller than the one before, and each of the last N days has
 * a good backup.
 *
 * Days are 24-hour slots counted back from now (slot 0 = the last 24 h), so
 * a daily job at any hour fills every slot whenever the check runs.  A slot
 * is good when one of its backups passes the verify level; its backups are
 * tried newest first and each file is verified at most once per run.
 */
#include "backup_int.h"

#include <opscheck/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const oc_option bk_options[] = {
    {"dir", OC_T_STRING, NULL, OC_OPT_REQUIRED, "folder holding the dumps"},
    {"pattern", OC_T_LIST, "*.sql *.sql.gz *.gz *.sql.zst *.sql.lz4 *.sql.xz *.sql.bz2 *.dump *.pgdump *.backup *.tar *.dir", 0,
     "globs of the dump names (files, or folders of -Fd dumps); the format is read from the content: "
     "pg_dump or pg_dumpall plain SQL, raw or gzip/zstd/lz4/xz/bzip2 (by magic), custom, directory, tar"},
    {"max_age", OC_T_DURATION, "26h", 0, "the newest backup is at most this old"},
    {"retention_days", OC_T_INT, "7", 0, "a good backup in each of the last N days: day 0 is the max_age window, each earlier one 24h (0: no check)"},
    {"min_size", OC_T_SIZE, NULL, 0, "the newest backup is at least this big"},
    {"max_shrink", OC_T_PERCENT, "50%", 0, "the newest is at most this much smaller than the one before"},
    {"verify", OC_T_STRING, "full", 0,
      "header (magic and format), full (the whole file read: SQL decompressed as a stream and ending with its "
      "'dump complete' line, pg_dumpall's 'cluster dump complete'; archives by pg_restore -l and -f /dev/null, "
      "each data file of a -Fd dump, NNNN.dat or compressed .dat.gz/.lz4/.zst, whole and ending with its \\. line), "
      "restore (full, then the newest restored into a scratch database; plain SQL is sent over libpq, never psql: "
      "a psql meta-command line such as \\! is refused; a pg_dumpall or pg_dump -C dump is an error: use full)"},
    {"restore_dsn", OC_T_STRING, NULL, OC_OPT_SECRET,
     "libpq DSN of a server where a scratch database may be created (verify = restore); use a dedicated role with "
     "LOGIN CREATEDB and nothing else, never a superuser (a dump's SQL runs as it: COPY ... TO PROGRAM would run "
     "a shell command on the server)"},
    {"min_tables", OC_T_INT, "1", 0, "verify = restore: at least this many tables restored"},
    {"pg_restore", OC_T_STRING, NULL, 0,
     "path of pg_restore (default: the newest /usr/lib/postgresql/*/bin/pg_restore, else pg_restore on PATH); "
     "an archive newer than it is an error, not a bad dump"},
    {NULL, 0, NULL, 0, NULL},
};

enum { V_HEADER, V_FULL, V_RESTORE };

typedef struct bk_ctx {
    oc_check *c;
    int level;
    long long reserve_ms; /* kept back to report before the core's deadline */
    char pg_restore[512]; /* found on first use */
    int pg_major;         /* its major version, 0 unknown */
} bk_ctx;

static long long deadline(const bk_ctx *x)
{
    return bk_now_ms() + oc_remaining_ms(x->c) - x->reserve_ms;
}

/* pg_restore ARG FILE: 0, or -1 with WHY; -2 when it could not be run at
 * all (a wrong pg_restore path says nothing about the dump). */
static int pg_restore_check(const bk_ctx *x, const char *arg, const char *path, char *why, size_t n)
{
    const char *argv[] = {x->pg_restore, arg, "/dev/null", path, NULL};
    const char *argv_l[] = {x->pg_restore, "-l", path, NULL};
    bk_proc_res r;
    int list = strcmp(arg, "-l") == 0;
    if (bk_run(list ? argv_l : argv, NULL, deadline(x), &r) == 0)
        return 0;
    const char *what = list ? "pg_restore -l" : "pg_restore -f /dev/null";
    if (r.timed_out)
        snprintf(why, n, "%s: out of time", what);
    else if (r.exited > 0)
        snprintf(why, n, "%s failed (exit %d): %s", what, r.exited, r.err[0] ? r.err : "(no message)");
    else if (r.signo)
        snprintf(why, n, "%s killed by signal %d", what, r.signo);
    else {
        snprintf(why, n, "%s", r.err);
        return -2;
    }
    return -1;
}

/* An archive newer than every pg_restore here cannot be checked: say so
 * (state -2, an ERROR) instead of calling it a bad dump.  0 when it can. */
static int too_new(bk_ctx *x, bk_file *f)
{
    int vmaj, vmin;
    if (!x->pg_restore[0])
        bk_pg_restore_find(oc_opt_str(x->c, "pg_restore"), deadline(x), x->pg_restore, sizeof x->pg_restore,
                           &x->pg_major);
    if (bk_archive_version(f->path, f->fmt, &vmaj, &vmin) != 0)
        return 0;
    int need = bk_archive_needs(vmin);
    if (need == 0 || x->pg_major == 0 || x->pg_major >= need)
        return 0;
    snprintf(f->why, sizeof f->why, "archive %d.%d needs pg_restore %d or newer (found %d)", vmaj, vmin, need,
             x->pg_major);
    f->state = -2;
    return -1;
}

/* Verify F once at the run's level (restore counts as full here).  1 good,
 * -1 bad, -2 could not be checked here. */
static int verify(bk_ctx *x, bk_file *f)
{
    if (f->state)
        return f->state;
    f->state = -1;
    f->fmt = bk_sniff(f->path, f->why, sizeof f->why);
    if (f->fmt == BK_NONE)
        return f->state;
    if (x->level == V_HEADER) {
        f->state = 1;
        return f->state;
    }
    if (bk_is_sql(f->fmt)) {
        if (bk_verify_stream(f->path, f->fmt, deadline(x), f->why, sizeof f->why) != 0)
            return f->state;
    } else {
        int rc = 0;
        if ((f->fmt == BK_TAR && bk_tar_check(f->path, f->why, sizeof f->why) != 0) || too_new(x, f) != 0)
            return f->state;
        /* a directory dump's data files before pg_restore reads them: a
         * member cut short is named as such, not as pg_restore's "could not
         * close data file" (or not at all, -Z0) */
        if ((rc = pg_restore_check(x, "-l", f->path, f->why, sizeof f->why)) != 0 ||
            (f->fmt == BK_DIR && (rc = bk_dir_data_check(f->path, deadline(x), f->why, sizeof f->why)) != 0) ||
            (rc = pg_restore_check(x, "-f", f->path, f->why, sizeof f->why)) != 0) {
            f->state = rc == -2 ? -2 : -1;
            return f->state;
        }
    }
    f->state = 1;
    return f->state;
}

/* Retention days are counted back from now: day 0 is the max_age window
 * (the newest backup's own allowance, so a job that runs a little late
 * does not leave a hole), each earlier day the 24 hours before it. */
static int slot_of(long long age, long long max_age)
{
    if (age <= max_age)
        return 0;
    return 1 + (int)((age - max_age - 1) / 86400);
}

static void slot_label(time_t now, long long max_age, int k, char *buf, size_t n)
{
    time_t to = k == 0 ? now : now - (time_t)max_age - (time_t)(k - 1) * 86400;
    time_t from = k == 0 ? now - (time_t)max_age : to - 86400;
    struct tm a, b;
    char sa[32], sb[32];
    gmtime_r(&from, &a);
    gmtime_r(&to, &b);
    strftime(sa, sizeof sa, "%Y-%m-%d %H:%M", &a);
    strftime(sb, sizeof sb, "%Y-%m-%d %H:%M", &b);
    snprintf(buf, n, "%s - %s UTC", sa, sb);
}

/* Append ", "-separated TEXT to a bounded buffer. */
static void append(char *buf, size_t n, const char *sep, const char *text)
{
    size_t l = strlen(buf);
    if (l + 8 >= n)
        return;
    snprintf(buf + l, n - l, "%s%s", l ? sep : "", text);
}

static void check_retention(bk_ctx *x, bk_file *v, size_t nv, time_t now, int days)
{
    long long max_age = oc_opt_duration_ms(x->c, "max_age") / 1000;
    char missing[1024] = "", bad[1024] = "", label[80];
    int nmissing = 0;
    for (int k = 0; k < days; k++) {
        int good = 0;
        for (size_t i = 0; i < nv && !good; i++) {
            long long age = (long long)(now - v[i].mtime);
            if (slot_of(age, max_age) != k)
                continue;
            if (oc_remaining_ms(x->c) <= x->reserve_ms)
                break;
            good = verify(x, &v[i]) > 0;
            if (!good && i > 0) {
                char one[400];
                snprintf(one, sizeof one, "%s: %s", v[i].name, v[i].why);
                append(bad, sizeof bad, "; ", one);
            }
        }
        if (!good) {
            nmissing++;
            slot_label(now, max_age, k, label, sizeof label);
            append(missing, sizeof missing, "; ", label);
        }
    }
    if (nmissing == 0) {
        oc_pass(x->c, "a good backup in each of the last %d days", days);
    } else {
        oc_fail(x->c, "a good backup in each of the last %d days: %d day(s) without one", days, nmissing);
        char exp[64], seen[64];
        snprintf(exp, sizeof exp, "%d of %d days", days, days);
        snprintf(seen, sizeof seen, "%d of %d days", days - nmissing, days);
        oc_expect(x->c, exp, seen);
        oc_diag(x->c, "missing_days", "%s", missing);
    }
    if (bad[0])
        oc_diag(x->c, "bad_backups", "%s", bad);
    oc_metric(x->c, "good_days", days - nmissing, "days");
}

static void check_restore(bk_ctx *x, bk_file *f)
{
    bk_restore_res rr;
    char why[400];
    long long min = oc_opt_int(x->c, "min_tables");
    if (!x->pg_restore[0])
        bk_pg_restore_find(oc_opt_str(x->c, "pg_restore"), deadline(x), x->pg_restore, sizeof x->pg_restore,
                           &x->pg_major);
    int rc = bk_restore(oc_opt_str(x->c, "restore_dsn"), f, x->pg_restore, deadline(x), &rr, why, sizeof why);
    if (rc == BK_RESTORE_UNSUITABLE) { /* the dump may be fine: this check cannot tell */
        oc_error(x->c, "newest backup %s could not be restore-tested: %s", f->name, why);
        oc_diag(x->c, "problem", "%s", why);
        return;
    }
    if (rc != 0) {
        oc_fail(x->c, "newest backup %s restores into a scratch database: %s", f->name, why);
        oc_expect(x->c, "a restore without errors", why);
    } else if (rr.tables < min) {
        oc_fail(x->c, "newest backup %s restored: %lld tables, expected at least %lld", f->name, rr.tables, min);
        char exp[32], seen[32];
        snprintf(exp, sizeof exp, ">= %lld tables", min);
        snprintf(seen, sizeof seen, "%lld tables", rr.tables);
        oc_expect(x->c, exp, seen);
    } else {
        oc_pass(x->c, "newest backup %s restored: %lld tables (min %lld)", f->name, rr.tables, min);
    }
    oc_diag(x->c, "restore_server", "%s", rr.server[0] ? rr.server : "(not reached)");
    oc_diag(x->c, "scratch_database", "%s (dropped)", rr.scratch);
    if (rr.tables >= 0)
        oc_metric(x->c, "restored_tables", (double)rr.tables, "");
}

/* The verify level named, or -1. */
static int bk_level(const char *level)
{
    static const char *const names[] = {[V_HEADER] = "header", [V_FULL] = "full", [V_RESTORE] = "restore"};
    for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
        if (names[i] && strcmp(level, names[i]) == 0)
            return i;
    return -1;
}

static void bk_validate(oc_check *c)
{
    const char *level = oc_opt_str(c, "verify");
    if (level && bk_level(level) < 0)
        oc_invalid(c, "verify", "must be header, full or restore, not \"%s\"", level);
}

static void bk_run_check(oc_check *c)
{
    bk_ctx x = {.c = c, .reserve_ms = 300};
    const char *dir = oc_opt_str(c, "dir"), *level = oc_opt_str(c, "verify");
    const char *const *globs;
    size_t nglobs = oc_opt_list(c, "pattern", &globs), nv = 0;
    bk_file *v = NULL;
    char why[512], buf[96], buf2[96];
    time_t now = time(NULL);

    x.level = bk_level(level);
    if (x.level < 0) {
        oc_error(c, "configuration: verify must be header, full or restore, not \"%s\"", level);
        return;
    }
    if (x.level == V_RESTORE && !oc_opt_isset(c, "restore_dsn")) {
        oc_error(c, "configuration: verify = restore needs restore_dsn");
        return;
    }
    oc_diag(c, "dir", "%s", dir);
    if (bk_scan(dir, globs, nglobs, &v, &nv, why, sizeof why) != 0) {
        oc_fail(c, "backup folder %s is readable", dir);
        oc_expect(c, "a readable folder", why);
        oc_diag(c, "problem", "%s", why);
        return;
    }
    if (nv == 0) {
        oc_fail(c, "backups in %s", dir);
        oc_expect(c, "at least one backup", "no entry matches the pattern");
        oc_diag(c, "pattern", "%s", oc_opt_str(c, "pattern"));
        return;
    }

    bk_file *f = &v[0];
    long long age = (long long)(now - f->mtime), max_age = oc_opt_duration_ms(c, "max_age") / 1000;
    oc_diag(c, "file", "%s", f->path);

    /* 1. age */
    bk_age_str(age, buf, sizeof buf);
    bk_age_str(max_age, buf2, sizeof buf2);
    if (age <= max_age) {
        oc_pass(c, "newest backup %s is %s old (max %s)", f->name, buf, buf2);
    } else {
        char exp[100];
        oc_fail(c, "newest backup %s is %s old, expected at most %s", f->name, buf, buf2);
        snprintf(exp, sizeof exp, "at most %s old", buf2);
        oc_expect(c, exp, buf);
    }
    oc_diag(c, "age", "%s", buf);
    oc_metric(c, "newest_age", (double)age / 3600.0, "h");

    /* 2. integrity of the newest */
    verify(&x, f);
    oc_diag(c, "format", "%s", bk_format_name(f->fmt));
    if (f->state > 0) {
        oc_pass(c, "newest backup %s is a complete %s dump (verify %s)", f->name, bk_format_name(f->fmt),
                x.level == V_HEADER ? "header" : "full");
    } else if (f->state == -2) {
        oc_error(c, "newest backup %s could not be checked: %s", f->name, f->why);
        oc_diag(c, "problem", "%s", f->why);
    } else {
        oc_fail(c, "newest backup %s is a complete dump (verify %s): %s", f->name,
                x.level == V_HEADER ? "header" : "full", f->why);
        oc_expect(c, x.level == V_HEADER ? "a recognised pg_dump header" : "a complete pg_dump", f->why);
        oc_diag(c, "problem", "%s", f->why);
    }

    /* 3. size */
    bk_size_str(f->size, buf, sizeof buf);
    oc_diag(c, "size", "%s", buf);
    oc_metric(c, "newest_size", (double)f->size, "B");
    if (oc_opt_isset(c, "min_size")) {
        long long min = oc_opt_size(c, "min_size");
        bk_size_str(min, buf2, sizeof buf2);
        if (f->size >= min) {
            oc_pass(c, "newest backup size %s >= min_size %s", buf, buf2);
        } else {
            char exp[120];
            oc_fail(c, "newest backup size %s, expected at least %s", buf, buf2);
            snprintf(exp, sizeof exp, ">= %s", buf2);
            oc_expect(c, exp, buf);
        }
    }

    /* 4. shrink against the one before */
    if (nv > 1) {
        double pct = oc_opt_percent(c, "max_shrink");
        long long prev = v[1].size;
        double floor = (double)prev * (100.0 - pct) / 100.0;
        bk_size_str(prev, buf2, sizeof buf2);
        oc_diag(c, "previous_file", "%s", v[1].name);
        oc_diag(c, "previous_size", "%s", buf2);
        double ratio = prev > 0 ? 100.0 * (double)f->size / (double)prev : 100.0;
        if ((double)f->size >= floor) {
            oc_pass(c, "newest backup is %.0f%% of the previous one (shrink at most %g%%)", ratio, pct);
        } else {
            char exp[64], seen[64];
            oc_fail(c, "newest backup shrank to %.1f%% of the previous one (%s -> %s), max shrink %g%%", ratio,
                    buf2, buf, pct);
            snprintf(exp, sizeof exp, ">= %g%% of the previous size", 100.0 - pct);
            snprintf(seen, sizeof seen, "%.1f%%", ratio);
            oc_expect(c, exp, seen);
        }
    }

    /* 5. retention */
    long long days = oc_opt_int(c, "retention_days");
    if (days > 0)
        check_retention(&x, v, nv, now, (int)(days > 366 ? 366 : days));

    /* 6. restore the newest */
    if (x.level == V_RESTORE) {
        if (f->state > 0)
            check_restore(&x, f);
        else if (f->state == -2)
            oc_error(c, "newest backup %s restores into a scratch database: not tried, %s", f->name, f->why);
        else
            oc_fail(c, "newest backup %s restores into a scratch database: not tried, the dump is not complete",
                    f->name);
    }
    bk_files_free(v, nv);
}

static const oc_plugin backup_plugin = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "backup",
    .summary = "pg_dump backups: newest recent, complete and restorable, no sudden shrink, every day covered",
    .options = bk_options,
    .run = bk_run_check,
    .validate = bk_validate,
};

OC_PLUGIN(backup_plugin)
