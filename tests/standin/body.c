/*
 * body.c - send a route's body: at once, as MiB of filler, trickled at a
 * byte rate, or cut short after N bytes while Content-Length promises the
 * whole (the faults http-health must report).
 *
 * Owner: issue 3.  The daemon runs one thread per connection, so sleeping
 * in a content callback only slows that one client.  Every sleep is cut
 * into short naps that watch sd_stopping, so SIGTERM never waits on a
 * slow answer.
 */
#include "standin.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

volatile int sd_stopping;

#define BODY_MIB (1024LL * 1024LL)

/* What the content callback streams. */
typedef struct body_stream {
    const char *data;   /* route's body, or NULL for filler */
    long long total;    /* the Content-Length announced */
    long long limit;    /* bytes actually sent before the connection is dropped */
    long bps;           /* 0: as fast as possible */
} body_stream;

void sd_sleep_ms(long ms)
{
    while (ms > 0 && !sd_stopping) {
        long step = ms < 20 ? ms : 20;
        struct timespec ts = {step / 1000, (step % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* A small xorshift under a lock: enough for fail_rate and jitter. */
double sd_random(void)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static uint64_t s;
    uint64_t x;

    pthread_mutex_lock(&mu);
    if (!s)
        s = (uint64_t)time(NULL) * 6364136223846793005ULL ^ (uint64_t)clock() ^ 0x9E3779B97F4A7C15ULL;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    x = s;
    pthread_mutex_unlock(&mu);
    return (double)(x >> 11) / 9007199254740992.0;
}

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    body_stream *b = cls;
    long long p = (long long)pos;
    size_t n;

    if (sd_stopping || p >= b->limit)
        return p >= b->total ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
    n = max;
    if ((long long)n > b->limit - p)
        n = (size_t)(b->limit - p);
    if (b->bps > 0) {
        /* About ten writes a second at the asked rate. */
        long long chunk = b->bps / 10 > 0 ? b->bps / 10 : 1;
        if ((long long)n > chunk)
            n = (size_t)chunk;
        sd_sleep_ms((long)(n * 1000LL / b->bps));
        if (sd_stopping)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (b->data) {
        memcpy(buf, b->data + p, n);
    } else {
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)('a' + (p + (long long)i) % 26);
    }
    return (ssize_t)n;
}

/* Answer STATUS with R's headers and body. */
enum MHD_Result sd_body_send(const sd_route *r, struct MHD_Connection *conn, int status)
{
    struct MHD_Response *resp;
    long long total = r->body_mib > 0 ? r->body_mib * BODY_MIB : (long long)r->body_len;
    int has_ct = 0;

    if (r->trickle_bps > 0 || r->drop_after_bytes > 0 || r->body_mib > 0) {
        body_stream *b = calloc(1, sizeof *b);
        if (!b)
            abort();
        b->data = r->body_mib > 0 ? NULL : r->body;
        b->total = total;
        b->limit = r->drop_after_bytes > 0 && r->drop_after_bytes < total ? r->drop_after_bytes : total;
        b->bps = r->trickle_bps;
        resp = MHD_create_response_from_callback((uint64_t)total, 16 * 1024, body_read, b, free);
    } else {
        resp = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : (void *)"",
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    for (size_t i = 0; i < r->nheaders; i++) {
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
        has_ct |= strcasecmp(r->headers[i].name, "Content-Type") == 0;
    }
    if (!has_ct)
        MHD_add_response_header(resp, "Content-Type", r->body_mib > 0 ? "text/plain" : "application/json");
    if (r->redirect)
        MHD_add_response_header(resp, "Location", r->redirect);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}
