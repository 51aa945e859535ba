/*
 * main.c - the stand-in HTTP server's command line and daemon.
 *
 *   standin --scenario FILE [--port N|0] [--port-file F]
 *           [--tls-cert PEM --tls-key PEM]
 *
 * Owner: issue 3.  Binds 127.0.0.1 only.  Prints "port N" on stdout once
 * listening (and writes N to --port-file), serves until SIGTERM or SIGINT,
 * then exits 0.  A bad scenario or option: one line on stderr, exit 2.
 * One thread per connection, so a delayed or trickled answer only holds
 * its own client.
 */
#include "standin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAIN_MAX_UPLOAD (1024 * 1024)

/* Per-request state: the request body, read over several calls. */
typedef struct main_conn {
    char *body;
    size_t len;
    int too_big;
} main_conn;

static void main_usage(void)
{
    fprintf(stderr, "usage: standin --scenario FILE [--port N|0] [--port-file F] "
                    "[--tls-cert PEM --tls-key PEM]\n");
    exit(2);
}

static char *main_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = calloc(1, (size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    return buf;
}

static enum MHD_Result main_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version,
                                       const char *upload, size_t *upload_size, void **con_cls)
{
    const sd_scenario *sc = cls;
    main_conn *mc = *con_cls;
    (void)version;

    if (!mc) { /* first call: headers only */
        mc = calloc(1, sizeof *mc);
        if (!mc)
            return MHD_NO;
        *con_cls = mc;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        if (mc->len + n > MAIN_MAX_UPLOAD) {
            mc->too_big = 1;
        } else {
            char *nb = realloc(mc->body, mc->len + n + 1);
            if (!nb)
                return MHD_NO;
            mc->body = nb;
            memcpy(mc->body + mc->len, upload, n);
            mc->len += n;
            mc->body[mc->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (mc->too_big)
        return sd_answer_json(conn, 413, "{\"error\":\"request body too large\"}");
    sd_req q = {.conn = conn, .method = method, .url = url,
                .body = mc->body ? mc->body : "", .body_len = mc->len};
    return sd_answer(sc, &q);
}

static void main_on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    main_conn *mc = *con_cls;
    (void)cls, (void)conn, (void)toe;
    if (mc) {
        free(mc->body);
        free(mc);
        *con_cls = NULL;
    }
}

static void main_write_port_file(const char *file, unsigned port)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, file) != 0) {
        fprintf(stderr, "standin: cannot write %s: %s\n", file, strerror(errno));
        exit(2);
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"scenario", required_argument, NULL, 's'}, {"port", required_argument, NULL, 'p'},
        {"port-file", required_argument, NULL, 'f'}, {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'}, {NULL, 0, NULL, 0}};
    const char *scenario = NULL, *port_file = NULL, *cert_file = NULL, *key_file = NULL;
    char *cert = NULL, *key = NULL, *end, err[512];
    long port = 0;
    int opt;
    sd_scenario sc;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 's': scenario = optarg; break;
        case 'f': port_file = optarg; break;
        case 'c': cert_file = optarg; break;
        case 'k': key_file = optarg; break;
        case 'p':
            port = strtol(optarg, &end, 10);
            if (*end || port < 0 || port > 65535)
                main_usage();
            break;
        default: main_usage();
        }
    }
    if (!scenario || optind != argc || !cert_file != !key_file)
        main_usage();
    if (sd_scenario_load(scenario, &sc, err, sizeof err) != 0) {
        fprintf(stderr, "standin: %s\n", err);
        sd_scenario_free(&sc);
        return 2;
    }
    if (cert_file) {
        cert = main_slurp(cert_file);
        key = main_slurp(key_file);
        if (!cert || !key) {
            fprintf(stderr, "standin: cannot read %s: %s\n", !cert ? cert_file : key_file, strerror(errno));
            return 2;
        }
    }

    /* Block the stop signals before any thread starts, so only sigwait sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (cert)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls[] = {{MHD_OPTION_HTTPS_MEM_CERT, 0, cert},
                                   {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
                                   {MHD_OPTION_END, 0, NULL}};
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, main_on_request, &sc,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, main_on_done, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_ARRAY, cert ? tls : tls + 2, /* no TLS options without a cert */
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "standin: cannot listen on 127.0.0.1:%ld\n", port);
        return 2;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info ? info->port : (unsigned)port;
    if (port_file)
        main_write_port_file(port_file, bound);
    printf("port %u\n", bound);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    sd_stopping = 1;
    MHD_stop_daemon(d);
    sd_scenario_free(&sc);
    free(cert);
    free(key);
    return 0;
}
