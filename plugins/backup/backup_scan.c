/*
 * backup_scan.c - the candidate backups of a folder: entries whose names
 * match the globs (fnmatch), with mtime and size, newest first.  A folder
 * entry counts as one backup (pg_dump -Fd); its size is the sum of the
 * regular files in it.
 */
#include "backup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "backup: out of memory\n");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static long long dir_size(const char *path)
{
    long long sum = 0;
    char p[4096];
    struct stat st;
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        if (e->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode))
            sum += (long long)st.st_size;
    }
    closedir(d);
    return sum;
}

static int newest_first(const void *a, const void *b)
{
    const bk_file *x = a, *y = b;
    if (x->mtime != y->mtime)
        return x->mtime > y->mtime ? -1 : 1;
    return strcmp(y->name, x->name);
}

int bk_scan(const char *dir, const char *const *globs, size_t nglobs, bk_file **out, size_t *nout,
            char *why, size_t n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bk_file *v = NULL;
    size_t cnt = 0;
    char p[4096];
    struct stat st;

    *out = NULL;
    *nout = 0;
    if (!d) {
        snprintf(why, n, "cannot open folder %s: %s", dir, strerror(errno));
        return -1;
    }
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        int match = 0;
        if (e->d_name[0] == '.')
            continue;
        for (size_t i = 0; i < nglobs && !match; i++)
            match = fnmatch(globs[i], e->d_name, 0) == 0;
        if (!match)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
            continue;
        v = xrealloc(v, (cnt + 1) * sizeof *v);
        memset(&v[cnt], 0, sizeof v[cnt]);
        v[cnt].path = xstrdup(p);
        v[cnt].name = xstrdup(e->d_name);
        v[cnt].mtime = st.st_mtime;
        v[cnt].is_dir = S_ISDIR(st.st_mode);
        v[cnt].size = v[cnt].is_dir ? dir_size(p) : (long long)st.st_size;
        cnt++;
    }
    int err = errno;
    closedir(d);
    if (err) {
        bk_files_free(v, cnt);
        snprintf(why, n, "cannot read folder %s: %s", dir, strerror(err));
        return -1;
    }
    if (cnt > 1)
        qsort(v, cnt, sizeof *v, newest_first);
    *out = v;
    *nout = cnt;
    return 0;
}

void bk_files_free(bk_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].path);
        free(f[i].name);
    }
    free(f);
}

void bk_age_str(long long s, char *buf, size_t n)
{
    if (s < 0)
        snprintf(buf, n, "%llds in the future", -s);
    else if (s < 60)
        snprintf(buf, n, "%llds", s);
    else if (s < 3600)
        snprintf(buf, n, "%lldm", s / 60);
    else if (s < 72 * 3600 && s % 3600 / 60 == 0)
        snprintf(buf, n, "%lldh", s / 3600);
    else if (s < 72 * 3600)
        snprintf(buf, n, "%lldh %lldm", s / 3600, s % 3600 / 60);
    else if (s % 86400 / 3600 == 0)
        snprintf(buf, n, "%lldd", s / 86400);
    else
        snprintf(buf, n, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

void bk_size_str(long long b, char *buf, size_t n)
{
    static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, n, "%lld B", b);
    else
        snprintf(buf, n, "%.1f %s (%lld bytes)", v, unit[u], b);
}
