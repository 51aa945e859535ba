/* reap.c - see reap.h. */
#include "reap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

void reap_become_subreaper(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* Kill and reap PID unless KEEP says it is one of ours; 1 when it did. */
static int kill_unless_kept(pid_t pid, reap_keep_fn keep, void *arg)
{
    if (keep && keep(pid, arg))
        return 0;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return 1;
}

/* Our children from /proc/self/task/PID/children (one read, however busy
 * the machine is); -1 when the kernel does not offer that file. */
static int sweep_children_file(reap_keep_fn keep, void *arg)
{
    char path[64], buf[8192];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len < 0)
        return -1;
    buf[len] = '\0';
    pid_t found[sizeof buf / 2];
    size_t nf = 0;
    for (char *p = buf, *end; *p; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (pid > 0 && nf < sizeof found / sizeof *found)
            found[nf++] = (pid_t)pid;
    }
    int killed = 0;
    for (size_t i = 0; i < nf; i++) /* killed after the read: the list is a snapshot */
        killed += kill_unless_kept(found[i], keep, arg);
    return killed;
}

/* The same from a scan of /proc, for kernels without that file. */
static int sweep_proc(reap_keep_fn keep, void *arg)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    pid_t self = getpid();
    int killed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len <= 0)
            continue;
        buf[len] = '\0';
        char *rp = strrchr(buf, ')');
        long ppid = 0;
        if (!rp || sscanf(rp + 1, " %*c %ld", &ppid) != 1 || ppid != self)
            continue;
        killed += kill_unless_kept((pid_t)pid, keep, arg);
    }
    closedir(d);
    return killed;
}

void reap_sweep(reap_keep_fn keep, void *arg)
{
    for (;;) {
        int killed = sweep_children_file(keep, arg);
        if (killed < 0)
            killed = sweep_proc(keep, arg);
        if (killed == 0)
            return;
    }
}
