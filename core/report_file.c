/* report_file.c - the atomic write the file reports share (report_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redact.h"
#include "report_int.h"
#include "util.h"

static int fail(const char *path, const char *what, int e, char **err)
{
    char *p = redact(path);
    *err = xasprintf("cannot write %s: %s%s%s", p, what, *what ? ": " : "", strerror(e));
    free(p);
    return -1;
}

/* The temp file is "<dir>/.<name>.XXXXXX": the same folder (so rename() is
 * atomic, never across file systems) and hidden from the textfile
 * collector, which reads only *.prom.  Mode 0666 less the umask, as a plain
 * fopen() would have made it: node_exporter may run as another user. */
int report_write_file(const char *path, const char *data, size_t len, char **err)
{
    if (!path || !*path)
        return fail("\"\"", "", ENOENT, err);
    char *d1 = xstrdup(path), *d2 = xstrdup(path);
    char *dir = dirname(d1), *base = basename(d2);
    char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
    int fd = mkstemp(tmp);
    int rc = 0;
    if (fd < 0) {
        rc = fail(path, "cannot create a temp file beside it", errno, err);
        goto out;
    }
    mode_t um = umask(0);
    umask(um);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = fail(path, "", errno, err);
            break;
        }
        off += (size_t)w;
    }
    if (!rc && fchmod(fd, 0666 & ~um) != 0)
        rc = fail(path, "", errno, err);
    if (!rc && fsync(fd) != 0)
        rc = fail(path, "", errno, err);
    if (close(fd) != 0 && !rc)
        rc = fail(path, "", errno, err);
    if (!rc && rename(tmp, path) != 0)
        rc = fail(path, "", errno, err);
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
