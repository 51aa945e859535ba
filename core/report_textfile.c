/*
 * report_textfile.c - the node_exporter textfile folder rule (docs/reports.md,
 * "One folder, many runs"): every opscheck series carries the run's
 * `checklist` and --label labels, so two runs write distinct series unless
 * they ran the same checklist with the same labels.  node_exporter refuses
 * a scrape that holds one series twice, so --prometheus refuses to write a
 * .prom file into a folder where another .prom file already holds the
 * series of such a run.  report_prometheus.c calls it; nothing else does.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "redact.h"
#include "report_int.h"
#include "util.h"

/* Does FILE (a .prom file) hold the line that starts with NEEDLE?  Read up to
 * 64 MiB: node_exporter would read no more of one run either. */
static int holds_line(const char *file, const char *needle)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return 0;
    char line[4096];
    size_t n = strlen(needle);
    int found = 0, at_start = 1;
    long long total = 0;
    while (!found && total < (64LL << 20) && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        total += (long long)len;
        found = at_start && len >= n && !strncmp(line, needle, n);
        at_start = len && line[len - 1] == '\n';
    }
    fclose(f);
    return found;
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), e = strlen(end);
    return n >= e && !strcmp(s + n - e, end);
}

int report_textfile_clash(const char *path, const char *run_labels, char **err)
{
    if (!ends_with(path, ".prom"))
        return 0; /* not for the textfile collector: it reads *.prom only */
    char *d = xstrdup(path), *b = xstrdup(path);
    const char *dir = dirname(d), *base = basename(b);
    char *needle = xasprintf("opscheck_run_timestamp_seconds{%s} ", run_labels);
    DIR *dp = opendir(dir);
    struct dirent *e;
    int rc = 0;
    while (dp && !rc && (e = readdir(dp))) {
        if (!ends_with(e->d_name, ".prom") || !strcmp(e->d_name, base) || e->d_name[0] == '.')
            continue;
        char *other = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(other, &st) == 0 && S_ISREG(st.st_mode) && holds_line(other, needle)) {
            char *shown = redact(other), *labels = redact(run_labels);
            *err = xasprintf("%s: %s already holds this run's series ({%s}): node_exporter would read them twice; "
                             "write to that file, or tell the runs apart with --label (docs/reports.md)",
                             path, shown, labels);
            free(labels);
            free(shown);
            rc = -1;
        }
        free(other);
    }
    if (dp)
        closedir(dp);
    free(needle);
    free(d);
    free(b);
    return rc;
}
