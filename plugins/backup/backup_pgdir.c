/*
 * backup_pgdir.c - the data files of a directory dump (pg_dump -Fd), plain
 * or compressed.  pg_restore -f /dev/null copies a data file cut in
 * half to its output and exits 0, so a truncated member would pass; but
 * pg_dump ends each table's data file in a known way (pg_dump.c,
 * dumpTableData_copy / dumpTableData_insert): a COPY stream with the
 * "\." line, --inserts with the last statement's ";", then blank lines.
 *
 * Only NNNN.dat files are table data: blob_NNNN.dat hold large objects'
 * raw bytes and toc.dat the table of contents.  Compressed members are
 * named as pg_dump names them (compress_io.c: the file name plus ".gz",
 * ".lz4" or ".zst"; gzip is pg_dump -Fd's default, lz4 and zstd are
 * PostgreSQL 16+, LZ4 frames and zstd frames as their tools write them):
 * each is decompressed whole, must end its stream cleanly (a member cut in
 * half does not; pg_restore 15 reports a cut .dat.gz only as "could not
 * close data file"), and its content must end as above.
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

/* The codec of table data file NAME (BK_PLAIN for NNNN.dat), or BK_NONE
 * when NAME is not table data. */
static bk_format table_data(const char *name)
{
    static const struct {
        const char *suffix;
        bk_format f;
    } kinds[] = {{".dat", BK_PLAIN}, {".dat.gz", BK_GZIP}, {".dat.lz4", BK_LZ4}, {".dat.zst", BK_ZSTD}};
    size_t i = 0;
    while (isdigit((unsigned char)name[i]))
        i++;
    for (size_t k = 0; i > 0 && k < sizeof kinds / sizeof *kinds; k++)
        if (strcmp(name + i, kinds[k].suffix) == 0)
            return kinds[k].f;
    return BK_NONE;
}

/* The first and last bytes of a data file's content, and its length. */
typedef struct data_ends {
    unsigned char head[12], tail[64];
    size_t hl, tl;
    unsigned long long len;
} data_ends;

static int keep_ends(void *arg, const char *buf, size_t n)
{
    data_ends *e = arg;
    for (size_t i = 0; e->hl < sizeof e->head && i < n; i++)
        e->head[e->hl++] = (unsigned char)buf[i];
    if (n >= sizeof e->tail) {
        memcpy(e->tail, buf + n - sizeof e->tail, sizeof e->tail);
        e->tl = sizeof e->tail;
    } else {
        size_t keep = e->tl + n > sizeof e->tail ? sizeof e->tail - n : e->tl;
        memmove(e->tail, e->tail + e->tl - keep, keep);
        memcpy(e->tail + keep, buf, n);
        e->tl = keep + n;
    }
    e->len += n;
    return 0;
}

/* The ends of an uncompressed data file, read where they are. */
static int read_ends(const char *path, data_ends *e, char *why, size_t n, const char *name)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, n, "cannot open %s: %s", name, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    off_t at = st.st_size > (off_t)sizeof e->tail ? st.st_size - (off_t)sizeof e->tail : 0;
    ssize_t len = pread(fd, e->tail, (size_t)(st.st_size - at), at);
    ssize_t hl = pread(fd, e->head, sizeof e->head, 0);
    close(fd);
    if (len < 0 || (off_t)len != st.st_size - at || hl < 0) {
        snprintf(why, n, "cannot read %s", name);
        return -1;
    }
    e->tl = (size_t)len;
    e->hl = (size_t)hl;
    e->len = (unsigned long long)st.st_size;
    return 0;
}

/* 0 when the content ends as pg_dump ends a data file: the mode is read
 * from its start (--inserts data begins with "INSERT INTO "), so a COPY row
 * that happens to end in ';' cannot pass for an end. */
static int ends_ok(const data_ends *e, char *why, size_t n, const char *name, const char *unit)
{
    int inserts = e->hl == sizeof e->head && memcmp(e->head, "INSERT INTO ", sizeof e->head) == 0;
    size_t len = e->tl;
    const unsigned char *b = e->tail;
    while (len > 0 && b[len - 1] == '\n')
        len--;
    if (len == 0 && e->len > 0)
        return 0; /* an empty table written with --inserts: only blank lines */
    int ok = inserts ? len >= 1 && b[len - 1] == ';'
                     : len >= 2 && b[len - 2] == '\\' && b[len - 1] == '.' && (len == 2 || b[len - 3] == '\n');
    if (ok)
        return 0;
    snprintf(why, n, "data file %s is cut short (%llu bytes%s, no %s at its end)", name, e->len, unit,
             inserts ? "';' ending the last INSERT" : "'\\.' end-of-data line");
    return -1;
}

static int data_file_ok(const char *path, bk_format f, long long deadline_ms, char *why, size_t n, const char *name)
{
    data_ends e = {0};
    if (f == BK_PLAIN) {
        if (read_ends(path, &e, why, n, name) != 0)
            return -1;
        return ends_ok(&e, why, n, name, "");
    }
    char msg[256];
    if (bk_stream(path, f, deadline_ms, keep_ends, &e, msg, sizeof msg) != 0) {
        snprintf(why, n, "data file %s: %s", name, msg);
        return -1;
    }
    return ends_ok(&e, why, n, name, " decompressed");
}

int bk_dir_data_check(const char *dir, long long deadline_ms, char *why, size_t n)
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
        bk_format f = table_data(e->d_name);
        if (f == BK_NONE)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        ret = data_file_ok(p, f, deadline_ms, why, n, e->d_name);
    }
    closedir(d);
    return ret;
}
