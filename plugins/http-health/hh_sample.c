/*
 * hh_sample.c - send http-health's samples: one at a time, or in waves of
 * `concurrency` requests over a curl multi handle, `interval` apart (from
 * start to start).  Every request's timeout is what is left of the check's
 * deadline minus a reserve to report in; a sample that cannot start in
 * time is marked not sent, so the check never outlives oc_remaining_ms().
 */
#include "hh.h"

#include <opscheck/plugin.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long hh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hh_sleep_ms(long long ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&ts, &ts) != 0)
        ;
}

/* Milliseconds a request may take now; <= 0: no time left to send one. */
static long long hh_budget(oc_check *c, const hh_plan *plan)
{
    return oc_remaining_ms(c) - plan->reserve_ms;
}

void hh_sample_run(oc_check *c, const hh_plan *plan, const hh_status_set *ok, hh_sample *out)
{
    long long start = hh_now_ms();
    size_t wave_size = plan->concurrency ? plan->concurrency : 1;
    http_request *reqs = calloc(wave_size, sizeof *reqs);
    http_response *resps = calloc(wave_size, sizeof *resps);

    if (!reqs || !resps)
        abort();
    for (size_t i = 0, wave = 0; i < plan->samples; wave++) {
        if (plan->interval_ms > 0 && wave > 0) {
            long long wait = start + (long long)wave * plan->interval_ms - hh_now_ms();
            if (wait > 0 && wait >= hh_budget(c, plan))
                break; /* the next wave would start after the deadline */
            if (wait > 0)
                hh_sleep_ms(wait);
        }
        long long budget = hh_budget(c, plan);
        if (budget < 10)
            break;
        size_t n = plan->samples - i < wave_size ? plan->samples - i : wave_size;
        for (size_t k = 0; k < n; k++) {
            reqs[k] = plan->req;
            reqs[k].timeout_ms = budget;
        }
        if (n == 1) {
            out[i].rc = http_do(&reqs[0], &resps[0]);
        } else {
            http_do_many(reqs, resps, n, n);
            for (size_t k = 0; k < n; k++)
                out[i + k].rc = resps[k].curl_code == 0 ? 0 : -1;
        }
        for (size_t k = 0; k < n; k++) {
            out[i + k].resp = resps[k];
            out[i + k].ran = 1;
            out[i + k].up = out[i + k].rc == 0 && hh_status_match(ok, resps[k].status);
        }
        i += n;
    }
    free(reqs);
    free(resps);
}
