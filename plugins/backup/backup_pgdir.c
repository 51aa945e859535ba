/*
 * backup_pgdir.c - the data files of an uncompressed directory dump
 * (pg_dump -Fd -Z0).  pg_restore -f /dev/null copies a data file cut in
 * half to its output and exits 0, so a truncated member would pass; but
 * pg_dump ends each table's data file in a known way (pg_dump.c,
 * dumpTableData_copy / dumpTableData_insert): a COPY stream with the
 * "\." line, --inserts with the last statement's ";", then blank lines.
 *
 * Only NNNN.dat files are table data: blob_NNNN.dat hold large objects'
 * raw bytes and toc.dat the table of contents.  Compressed members
 * (NNNN.dat.gz, .lz4, .zst) are left to pg_restore, which reads them
 * through their own checks.
 */
#include "backup_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_table_data(const char *name)
{
    size_t i = 0;
    while (isdigit((unsigned char)name[i]))
        i++;
    return i > 0 && strcmp(name + i, ".dat") == 0;
}

/* 0 when the file at PATH ends as pg_dump ends a data file: the mode is
 * read from its start (--inserts data begins with "INSERT INTO "), so a
 * COPY row that happens to end in ';' cannot pass for an end. */
static int data_file_ok(const char *path, char *why, size_t n, const char *name)
{
    unsigned char b[64], head[12];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, n, "cannot open %s: %s", name, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    off_t at = st.st_size > (off_t)sizeof b ? st.st_size - (off_t)sizeof b : 0;
    ssize_t len = pread(fd, b, (size_t)(st.st_size - at), at);
    ssize_t hl = pread(fd, head, sizeof head, 0);
    close(fd);
    if (len < 0 || (off_t)len != st.st_size - at || hl < 0) {
        snprintf(why, n, "cannot read %s", name);
        return -1;
    }
    int inserts = hl == (ssize_t)sizeof head && memcmp(head, "INSERT INTO ", sizeof head) == 0;
    while (len > 0 && b[len - 1] == '\n')
        len--;
    if (len == 0 && st.st_size > 0)
        return 0; /* an empty table written with --inserts: only blank lines */
    int ok = inserts ? len >= 1 && b[len - 1] == ';'
                     : len >= 2 && b[len - 2] == '\\' && b[len - 1] == '.' && (len == 2 || b[len - 3] == '\n');
    if (ok)
        return 0;
    snprintf(why, n, "data file %s is cut short (%lld bytes, no %s at its end)", name, (long long)st.st_size,
             inserts ? "';' ending the last INSERT" : "'\\.' end-of-data line");
    return -1;
}

int bk_dir_data_check(const char *dir, char *why, size_t n)
{
    char p[4096];
    struct dirent *e;
    int ret = 0;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(why, n, "cannot open folder %s: %s", dir, strerror(errno));
        return -1;
    }
    while (ret == 0 && (e = readdir(d)) != NULL) {
        if (!is_table_data(e->d_name))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        ret = data_file_ok(p, why, n, e->d_name);
    }
    closedir(d);
    return ret;
}
