/* report_file.c - where a report goes and how it is written (report_int.h):
 * atomically over a regular file, in place into a FIFO or a device, to fd 1
 * for "-" or a path that is our own stdout. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redact.h"
#include "report.h"
#include "report_int.h"
#include "util.h"

static int fail(const char *path, const char *what, int e, char **err)
{
    char *p = redact(path);
    *err = xasprintf("cannot write %s: %s%s%s", p, what, *what ? ": " : "", strerror(e));
    free(p);
    return -1;
}

/* How a path is written.  REPLACE: a temp file renamed over `real` (the
 * path, or the regular file a symlink resolves to: the link stays).
 * INPLACE: opened and written as it is (a FIFO, a character device, a
 * dangling symlink, a file behind a /proc magic link, which has no folder
 * to rename in).  STDOUT: fd 1 itself, so a JSON sent to /dev/stdout
 * follows what was already written there instead of starting over at 0. */
typedef enum { TO_REPLACE, TO_INPLACE, TO_STDOUT } target_kind;

/* 0 with *kind (and *real, malloc'd, for TO_REPLACE), or an errno. */
static int classify(const char *path, target_kind *kind, char **real)
{
    *real = NULL;
    if (strcmp(path, "-") == 0) {
        *kind = TO_STDOUT;
        return 0;
    }
    struct stat l, st, out;
    if (lstat(path, &l) != 0) {
        if (errno != ENOENT)
            return errno;
        *kind = TO_REPLACE; /* a new path */
        *real = xstrdup(path);
        return 0;
    }
    if (stat(path, &st) != 0) {
        if (errno != ENOENT || !S_ISLNK(l.st_mode))
            return errno;
        *kind = TO_INPLACE; /* a dangling link: its target is made through it */
        return 0;
    }
    if (fstat(1, &out) == 0 && out.st_dev == st.st_dev && out.st_ino == st.st_ino) {
        *kind = TO_STDOUT;
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        *kind = TO_INPLACE;
        return 0;
    }
    if (!S_ISREG(st.st_mode))
        return EINVAL; /* a socket or a block device is no place for a report */
    if (!S_ISLNK(l.st_mode)) {
        *kind = TO_REPLACE;
        *real = xstrdup(path);
        return 0;
    }
    char *r = realpath(path, NULL);
    if (r && strncmp(r, "/proc/", 6) != 0) {
        *kind = TO_REPLACE;
        *real = r;
        return 0;
    }
    free(r);
    *kind = TO_INPLACE;
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno;
        off += (size_t)w;
    }
    return 0;
}

int report_check_path(const char *path, int *to_stdout, char **err)
{
    target_kind kind;
    char *real = NULL;
    int e = path && *path ? classify(path, &kind, &real) : ENOENT;
    *to_stdout = !e && kind == TO_STDOUT;
    if (!e && kind == TO_REPLACE) {
        /* the rename needs a writable folder; an existing file, writable */
        char *d = xstrdup(real);
        struct stat st;
        const char *dir = dirname(d);
        if (stat(dir, &st) != 0)
            e = errno;
        else if (!S_ISDIR(st.st_mode))
            e = ENOTDIR;
        else if (access(dir, W_OK | X_OK) != 0 || (access(real, F_OK) == 0 && access(real, W_OK) != 0))
            e = errno;
        free(d);
    } else if (!e && kind == TO_INPLACE && access(path, W_OK) != 0 && errno != ENOENT) {
        e = errno;
    }
    free(real);
    if (e) {
        char *p = redact(path ? path : "");
        *err = xasprintf("%s: %s", *p ? p : "\"\"", strerror(e));
        free(p);
        return -1;
    }
    return 0;
}

/* The temp file is "<dir>/.<name>.XXXXXX": the same folder (so rename() is
 * atomic, never across file systems) and hidden from the textfile
 * collector, which reads only *.prom.  Mode 0666 less the umask, as a plain
 * fopen() would have made it: node_exporter may run as another user. */
static int replace_file(const char *shown, const char *path, const char *data, size_t len, char **err)
{
    char *d1 = xstrdup(path), *d2 = xstrdup(path);
    char *dir = dirname(d1), *base = basename(d2);
    char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
    int fd = mkstemp(tmp);
    int rc = 0, e;
    if (fd < 0) {
        rc = fail(shown, "cannot create a temp file beside it", errno, err);
        goto out;
    }
    mode_t um = umask(0);
    umask(um);
    if ((e = write_all(fd, data, len)) != 0)
        rc = fail(shown, "", e, err);
    if (!rc && fchmod(fd, 0666 & ~um) != 0)
        rc = fail(shown, "", errno, err);
    if (!rc && fsync(fd) != 0)
        rc = fail(shown, "", errno, err);
    if (close(fd) != 0 && !rc)
        rc = fail(shown, "", errno, err);
    if (!rc && rename(tmp, path) != 0)
        rc = fail(shown, "", errno, err);
    if (rc) {
        unlink(tmp);
        goto out;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) { /* the rename itself durable; best effort */
        fsync(dfd);
        close(dfd);
    }
out:
    free(tmp);
    free(d1);
    free(d2);
    return rc;
}

int report_write_file(const char *path, const char *data, size_t len, char **err)
{
    if (!path || !*path)
        return fail("\"\"", "", ENOENT, err);
    target_kind kind;
    char *real = NULL;
    int e = classify(path, &kind, &real);
    if (e)
        return fail(path, "", e, err);
    if (kind == TO_REPLACE) {
        int rc = replace_file(path, real, data, len, err);
        free(real);
        return rc;
    }
    if (kind == TO_STDOUT) {
        fflush(stdout); /* after whatever the run printed there */
        return (e = write_all(1, data, len)) ? fail(strcmp(path, "-") ? path : "stdout", "", e, err) : 0;
    }
    /* no O_TRUNC on a FIFO or a device: it means nothing there, or harm */
    struct stat st;
    int trunc = stat(path, &st) != 0 || S_ISREG(st.st_mode);
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (trunc ? O_CREAT | O_TRUNC : 0), 0666);
    if (fd < 0)
        return fail(path, "", errno, err);
    e = write_all(fd, data, len);
    if (close(fd) != 0 && !e)
        e = errno;
    return e ? fail(path, "", e, err) : 0;
}
