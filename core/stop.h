/*
 * stop.h - the stop signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) of the main
 * process: held from the first line of main() until the handlers exist, then
 * recorded (the first one wins) and turned into a wake-up on a pipe that the
 * run's poll loop and the plugin probes watch.  A run that sees one kills
 * every check, ends the stream with "Bail out! interrupted" and exits 128 +
 * the signal: 130, 143, 129, 131.
 */
#ifndef OC_STOP_H
#define OC_STOP_H

/* Hold (BLOCK=1) or release the stop signals. */
void stop_block(int block);
/* Catch the stop signals and SIGCHLD from now on, then release the held
 * ones (one that came meanwhile is handled now).  Idempotent. */
void stop_install(void);
/* The stop signal that came since stop_install(), or 0. */
int stop_signal(void);
/* "SIGINT", or "signal 64" when it has no name (a static buffer). */
const char *stop_signal_name(int sig);
/* `opscheck serve` takes them synchronously instead (no handler, held in
 * every thread from main() on): the stop signal that came within MS
 * milliseconds, or 0.  SIGHUP is then a reload, not a stop. */
int stop_wait(long long ms);
/* Readable after any caught signal (SIGCHLD too); drain it non-blocking. */
int stop_wake_fd(void);

#endif
