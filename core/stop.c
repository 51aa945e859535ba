/* stop.c - see stop.h. */
#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int e = errno;
    if (sig != SIGCHLD && !got_signal)
        got_signal = sig;
    if (write(wake_pipe[1], "x", 1) < 0) {
        /* full pipe: the loop is awake anyway */
    }
    errno = e;
}

/* The signals that end a run: each kills every check, ends the stream with
 * "Bail out! interrupted" and exits 128 + the signal (130, 143, 129, 131). */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void stop_block(int block)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&set, stop_signals[i]);
    sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

void stop_install(void)
{
    if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        perror("opscheck: pipe");
        exit(3);
    }
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaction(stop_signals[i], &sa, NULL);
    /* a signal that came since exec was held (main blocks them first):
     * it is delivered now, to the handler, and the run bails out cleanly */
    stop_block(0);
}

const char *stop_signal_name(int sig)
{
    static char buf[32];
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(buf, sizeof buf, "SIG%s", abbrev);
    else
        snprintf(buf, sizeof buf, "signal %d", sig);
    return buf;
}

int stop_signal(void)
{
    return got_signal;
}

int stop_wake_fd(void)
{
    return wake_pipe[0];
}

int stop_wait(long long ms)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&set, stop_signals[i]);
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    int sig = sigtimedwait(&set, NULL, &ts);
    return sig > 0 ? sig : 0;
}
