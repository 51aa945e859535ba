/*
 * tp.c - a plugin built only for the tests: `mode` makes it misbehave in
 * every way a real plugin could (crash, hang, flood, lie), so the core's
 * isolation can be proven.
 */
#include <dirent.h>
#include <fcntl.h>
#include <opscheck/plugin.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* PID as a line of FILE (MODE "w" or "a"): how the tests find a check's
 * children and grandchildren afterwards. */
static void note_pid(const char *file, const char *mode, pid_t pid)
{
    FILE *f = fopen(file, mode);
    if (!f)
        return;
    fprintf(f, "%d\n", (int)pid);
    fclose(f);
}

static void run(oc_check *c)
{
    const char *mode = oc_opt_str(c, "mode");
    long long ms = oc_opt_duration_ms(c, "sleep");
    if (ms)
        sleep_ms(ms);
    if (!strcmp(mode, "ok")) {
        oc_pass(c, "%s", oc_opt_str(c, "message") ? oc_opt_str(c, "message") : "all good");
    } else if (!strcmp(mode, "fail")) {
        oc_fail(c, "%s", oc_opt_str(c, "message") ? oc_opt_str(c, "message") : "it broke");
        oc_expect(c, "200", "503");
        oc_diag(c, "url", "http://127.0.0.1/health");
    } else if (!strcmp(mode, "warn")) {
        oc_warn(c, "almost broken");
    } else if (!strcmp(mode, "skip")) {
        oc_skip(c, "nothing to do");
    } else if (!strcmp(mode, "multi")) {
        oc_pass(c, "status 200");
        oc_fail(c, "p50 412ms over 300ms # slow \\ path");
        oc_expect(c, "<= 300ms", "412ms");
        oc_skip(c, "certificate (plain http)");
        oc_warn(c, "tls_verify is off");
        oc_metric(c, "latency_p50", 412.5, "ms");
        oc_diag(c, "url", "http://127.0.0.1:1/health");
        oc_diag(c, "message", "a plugin diag named like a core key");
    } else if (!strcmp(mode, "crashtalk")) {
        /* last words on stderr, then a crash (the terminal must show them) */
        for (int i = 1; i <= 8; i++)
            fprintf(stderr, "step %d of 8 done\n", i);
        fprintf(stderr, "%s\n", oc_opt_str(c, "message") ? oc_opt_str(c, "message") : "about to crash");
        fflush(stderr);
        raise(SIGSEGV);
    } else if (!strcmp(mode, "segv")) {
        oc_pass(c, "before the crash");
        raise(SIGSEGV);
    } else if (!strcmp(mode, "abort")) {
        abort();
    } else if (!strcmp(mode, "hang")) {
        for (;;)
            pause();
    } else if (!strcmp(mode, "stdout")) {
        printf("TAP version 14\n1..1\nnot ok 1 - injected\n");
        fflush(stdout);
        fprintf(stderr, "a line on stderr\n");
        oc_pass(c, "printed to stdout");
    } else if (!strcmp(mode, "flood")) {
        char buf[65536];
        memset(buf, 'x', sizeof buf);
        for (int i = 0; i < 1600; i++) /* 100 MiB */
            if (write(2, buf, sizeof buf) < 0)
                break;
        oc_pass(c, "flooded stderr");
    } else if (!strcmp(mode, "noresult")) {
        return;
    } else if (!strcmp(mode, "exit")) {
        exit(7);
    } else if (!strcmp(mode, "secret")) {
        const char *t = oc_opt_str(c, "token");
        fprintf(stderr, "debug: token=%s\n", t);
        oc_diag(c, "token_seen", "%s", t);
        oc_fail(c, "rejected token %s", t);
        oc_expect(c, t, t);
    } else if (!strcmp(mode, "error")) {
        oc_error(c, "%s", oc_opt_str(c, "message") ? oc_opt_str(c, "message") : "cannot tell: no fixture");
    } else if (!strcmp(mode, "many") || !strcmp(mode, "manytodo")) {
        /* more assertions than the record limit keeps, the failure last
         * (its words: MESSAGE when given); manytodo: a known (TODO)
         * failure first, which the check's message must not name */
        for (int i = 0; i < 1500; i++)
            oc_pass(c, "step %d", i);
        if (!strcmp(mode, "manytodo")) {
            oc_fail(c, "a known failure");
            oc_directive(c, "TODO", "fixed next week");
        }
        oc_fail(c, "%s", oc_opt_str(c, "message") ? oc_opt_str(c, "message") : "the last step failed");
    } else if (!strcmp(mode, "leak") || !strcmp(mode, "leakskip")) {
        /* MESSAGE through every channel a plugin has (the masking tests) */
        const char *m = oc_opt_str(c, "message") ? oc_opt_str(c, "message") : "";
        fprintf(stderr, "stderr says %s\n", m);
        oc_diag(c, "note", "diag says %s", m);
        oc_metric(c, m, 1, "");
        if (!strcmp(mode, "leakskip")) {
            oc_skip(c, "skip says %s", m);
            return;
        }
        oc_pass(c, "pass says %s", m);
        oc_fail(c, "fail says %s", m);
        oc_expect(c, m, m);
    } else if (!strcmp(mode, "fork")) {
        pid_t p = fork();
        if (p == 0) {
            setsid(); /* try to escape; the pipes still hold */
            sleep_ms(600000);
            _exit(0);
        }
        note_pid(oc_opt_str(c, "state_file"), "w", p);
        oc_pass(c, "forked %d", (int)p);
    } else if (!strcmp(mode, "deep")) {
        /* two setsid levels down, SIGTERM ignored, no pipes held: only a
         * subreaper that sweeps every depth finds both */
        const char *sf = oc_opt_str(c, "state_file");
        pid_t a = fork();
        if (a == 0) {
            signal(SIGTERM, SIG_IGN);
            setsid();
            int nul = open("/dev/null", O_RDWR);
            for (int fd = 0; fd < 4; fd++)
                dup2(nul, fd);
            pid_t b = fork();
            if (b == 0) {
                setsid();
                note_pid(sf, "a", getpid());
                sleep_ms(600000);
                _exit(0);
            }
            note_pid(sf, "a", getpid());
            sleep_ms(600000);
            _exit(0);
        }
        for (int i = 0; i < 200; i++) { /* until both wrote their pid */
            FILE *f = fopen(sf, "r");
            int lines = 0, ch;
            while (f && (ch = fgetc(f)) != EOF)
                lines += ch == '\n';
            if (f)
                fclose(f);
            if (lines >= 2)
                break;
            sleep_ms(5);
        }
        oc_pass(c, "left two sessions behind");
    } else if (!strcmp(mode, "forkgroup")) {
        pid_t p = fork();
        if (p == 0) {
            sleep_ms(600000);
            _exit(0);
        }
        note_pid(oc_opt_str(c, "state_file"), "w", p);
        oc_pass(c, "forked %d", (int)p);
    } else if (!strcmp(mode, "flaky")) {
        /* fails until it has run fail_until times (counted in state_file) */
        const char *sf = oc_opt_str(c, "state_file");
        int n = 0;
        FILE *f = fopen(sf, "r");
        if (f) {
            if (fscanf(f, "%d", &n) != 1)
                n = 0;
            fclose(f);
        }
        n++;
        f = fopen(sf, "w");
        if (f) {
            fprintf(f, "%d\n", n);
            fclose(f);
        }
        if (n <= oc_opt_int(c, "fail_until"))
            oc_fail(c, "attempt %d failed", n);
        else
            oc_pass(c, "attempt %d passed", n);
    } else if (!strcmp(mode, "opts")) {
        const char *const *items;
        size_t n = oc_opt_list(c, "items", &items);
        const char *const *names, *const *vals;
        size_t m = oc_opt_map(c, "header", &names, &vals);
        oc_pass(c, "items=%zu first=%s headers=%zu %s=%s size=%lld pct=%.1f on=%d", n, n ? items[0] : "-", m,
                m ? names[0] : "-", m ? vals[0] : "-", oc_opt_size(c, "size"), oc_opt_percent(c, "pct"),
                oc_opt_bool(c, "on"));
    } else if (!strcmp(mode, "rss")) {
        /* the runner's (our parent's) peak resident memory so far */
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/%d/status", (int)getppid());
        FILE *f = fopen(path, "r");
        long kb = -1;
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
                break;
        if (f)
            fclose(f);
        oc_pass(c, "runner peak rss %ld kB", kb);
    } else if (!strcmp(mode, "fds")) {
        /* how many descriptors the runner holds right now: our parent is
         * the plugin's zygote, the runner is its parent */
        char path[64], stat[512] = "";
        int runner = 0;
        snprintf(path, sizeof path, "/proc/%d/stat", (int)getppid());
        FILE *sf = fopen(path, "r");
        if (sf) {
            if (!fgets(stat, sizeof stat, sf))
                stat[0] = '\0';
            fclose(sf);
        }
        const char *rp = strrchr(stat, ')');
        if (!rp || sscanf(rp + 1, " %*c %d", &runner) != 1)
            runner = (int)getppid();
        snprintf(path, sizeof path, "/proc/%d/fd", runner);
        DIR *d = opendir(path);
        int n = 0;
        for (struct dirent *e; d && (e = readdir(d));)
            n += e->d_name[0] != '.';
        if (d)
            closedir(d);
        oc_pass(c, "runner fds %d", n);
    } else {
        oc_fail(c, "unknown mode %s", mode);
    }
}

static const oc_option options[] = {
    {"mode", OC_T_STRING, "ok", 0, "ok fail warn skip multi segv abort hang stdout flood noresult exit secret leak leakskip error many manytodo crashtalk fork deep flaky opts"},
    {"message", OC_T_STRING, NULL, 0, "message of ok/fail"},
    {"sleep", OC_T_DURATION, NULL, 0, "sleep first"},
    {"token", OC_T_STRING, NULL, OC_OPT_SECRET, "a secret the secret mode prints on purpose"},
    {"state_file", OC_T_STRING, NULL, 0, "file for flaky/fork"},
    {"fail_until", OC_T_INT, "0", 0, "flaky: attempts that fail"},
    {"items", OC_T_LIST, NULL, 0, "a list"},
    {"header", OC_T_STRING, NULL, OC_OPT_PREFIX, "header.NAME = value"},
    {"size", OC_T_SIZE, NULL, 0, "a size"},
    {"pct", OC_T_PERCENT, NULL, 0, "a percentage"},
    {"on", OC_T_BOOL, "no", 0, "a boolean"},
    {"argv", OC_T_STRING, NULL, OC_OPT_NOSECRET, "goes to a command line"},
    {NULL, 0, NULL, 0, NULL},
};

static const oc_plugin tp = {
    .abi = OC_ABI_VERSION,
    .size = sizeof(oc_plugin),
    .name = "tp",
    .summary = "test plugin: misbehaves on request",
    .options = options,
    .run = run,
};
OC_PLUGIN(tp)
