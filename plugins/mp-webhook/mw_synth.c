/*
 * mw_synth.c - mp-webhook's synthetic delivery: POST a payment.updated
 * notification to `url` as Mercado Pago sends it (query data.id and type,
 * X-Request-Id, X-Signature ts=<seconds>,v1=... per plugins/common/mp_sign.h,
 * Mercado Pago's User-Agent, the JSON body with a numeric id, user_id,
 * live_mode and date_created with its offset), signed with `secret`.  The
 * request id starts with `probe_prefix` and data.id is `data_id`, so the
 * receiver's records can tell the probe from a delivery.  It must be answered with an
 * accept_status within answer_max.  Then the same notification with v1
 * altered must be answered with a reject_status: a receiver that accepts it
 * takes forged payment notifications, which is reported as a security
 * failure.  Neither the secret nor the signature is ever reported.
 */
#include "mw.h"
#include "../common/http.h"
#include "../common/mp_sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* 16 random bytes from /dev/urandom (the clock when it cannot be read). */
static void mw_random(unsigned char b[16])
{
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(b, 1, 16, f) != 16) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        srand((unsigned)(tv.tv_usec ^ tv.tv_sec));
        for (size_t i = 0; i < 16; i++)
            b[i] = (unsigned char)rand();
    }
    if (f)
        fclose(f);
}

/* An RFC 4122 version 4 id, like Mercado Pago's. */
static void mw_uuid(char out[37])
{
    unsigned char b[16];
    mw_random(b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int mw_status_in(oc_check *c, const char *key, long status)
{
    const char *const *items;
    size_t n = oc_opt_list(c, key, &items);
    for (size_t i = 0; i < n; i++)
        if (atol(items[i]) == status)
            return 1;
    return 0;
}

static void mw_status_text(oc_check *c, const char *key, char *buf, size_t len)
{
    const char *const *items;
    size_t n = oc_opt_list(c, key, &items), at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && at < len; i++) {
        int w = snprintf(buf + at, len - at, "%s%s", i ? (i + 1 == n ? " or " : ", ") : "", items[i]);
        at += w > 0 ? (size_t)w : 0;
    }
}

/* Send the notification with this x-signature; fill RESP. */
static int mw_send(oc_check *c, const char *url, const char *sig, const char *rid, const char *body,
                   http_response *resp)
{
    char h_sig[200], h_rid[200], h_ua[300];
    const char *hdr[] = {"Content-Type: application/json", h_rid, h_sig, "X-Retry: 0",
                         "X-Socket-Timeout: 22000", h_ua};
    http_request req = {.method = "POST", .url = url, .headers = hdr, .nheaders = 6, .body = body,
                        .body_len = strlen(body), .tls_verify = 1};
    long long max = oc_opt_duration_ms(c, "answer_max"), left = oc_remaining_ms(c) - 300;

    snprintf(h_sig, sizeof h_sig, "X-Signature: %s", sig);
    snprintf(h_rid, sizeof h_rid, "X-Request-Id: %s", rid);
    snprintf(h_ua, sizeof h_ua, "User-Agent: %s", oc_opt_str(c, "user_agent"));
    req.timeout_ms = left < max ? left : max;
    if (req.timeout_ms < 50)
        req.timeout_ms = 50;
    return http_do(&req, resp);
}

/* The notification's JSON body as Mercado Pago sends it: a numeric
 * notification id (11 digits, like real ones), user_id and live_mode as
 * configured, date_created with milliseconds and the zone's offset. */
static void mw_body(oc_check *c, const char *id, const struct timeval *tv, char *body, size_t len)
{
    unsigned char b[16];
    unsigned long long n = 0;
    time_t now = tv->tv_sec;
    struct tm tm;
    char when[48], zone[8];

    mw_random(b);
    for (int i = 0; i < 8; i++)
        n = n << 8 | b[i];
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(zone, sizeof zone, "%z", &tm); /* +hhmm -> +hh:mm */
    snprintf(when + strlen(when), sizeof when - strlen(when), ".%03ld%.3s:%.2s", (long)(tv->tv_usec / 1000), zone,
             zone + 3);
    snprintf(body, len,
             "{\"action\":\"payment.updated\",\"api_version\":\"v1\",\"data\":{\"id\":\"%s\"},"
             "\"date_created\":\"%s\",\"id\":%llu,\"live_mode\":%s,\"type\":\"payment\",\"user_id\":%lld}",
             id, when, 10000000000ULL + n % 90000000000ULL, oc_opt_bool(c, "live_mode") ? "true" : "false",
             oc_opt_int(c, "user_id"));
}

void mw_synthetic(oc_check *c)
{
    const char *base = oc_opt_str(c, "url"), *secret = oc_opt_str(c, "secret"), *id = oc_opt_str(c, "data_id");
    const char *prefix = oc_opt_str(c, "probe_prefix");
    mp_id_case idc = oc_opt_bool(c, "lowercase_id") ? MP_ID_LOWER : MP_ID_ORIGINAL;
    char url[2048], uuid[37], rid[160], ts[32], sig[160], body[640], acc[64], rej[64], seen[400];
    struct timeval tv;
    http_response resp;

    if (!secret || !*secret) {
        oc_error(c, "configuration: url is set but secret is not (e.g. secret = ${env:MP_WEBHOOK_SECRET})");
        return;
    }
    if (strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(id) || !*id) {
        oc_error(c, "configuration: data_id \"%s\": letters, digits, _ - . only", id);
        return;
    }
    snprintf(url, sizeof url, "%s%sdata.id=%s&type=payment", base, strchr(base, '?') ? "&" : "?", id);
    if (strlen(prefix) > 100 || strpbrk(prefix, "\r\n")) {
        oc_error(c, "configuration: probe_prefix: at most 100 characters, one line");
        return;
    }
    mw_uuid(uuid);
    snprintf(rid, sizeof rid, "%s%s", prefix, uuid);
    gettimeofday(&tv, NULL);
    /* seconds, as real deliveries carry it (ts=1766237532): the SDKs check
     * freshness as ts*1000 against the clock in ms */
    snprintf(ts, sizeof ts, "%lld", (long long)tv.tv_sec);
    mw_body(c, id, &tv, body, sizeof body);
    if (mp_sign_case(secret, id, rid, ts, idc, sig, sizeof sig) != 0) {
        oc_fail(c, "synthetic: cannot sign the notification (HMAC-SHA256 failed)");
        return;
    }
    mw_status_text(c, "accept_status", acc, sizeof acc);
    mw_status_text(c, "reject_status", rej, sizeof rej);
    oc_diag(c, "receiver", "POST %s", url);
    oc_diag(c, "request_id", "%s", rid);

    /* 1. signed: accepted in time */
    int rc = mw_send(c, url, sig, rid, body, &resp);
    char want[96];
    snprintf(want, sizeof want, "status %s within %lld ms", acc, oc_opt_duration_ms(c, "answer_max"));
    if (rc != 0) {
        snprintf(seen, sizeof seen, "%s", resp.error);
        oc_fail(c, "synthetic: the receiver does not answer a signed notification: %s", seen);
        oc_expect(c, want, seen);
    } else if (!mw_status_in(c, "accept_status", resp.status)) {
        snprintf(seen, sizeof seen, "status %ld: %.200s", resp.status, resp.body ? resp.body : "");
        oc_fail(c, "synthetic: the receiver refuses a correctly signed notification (status %ld)", resp.status);
        oc_expect(c, want, seen);
    } else {
        oc_pass(c, "synthetic: signed payment.updated accepted with status %ld in %.0f ms", resp.status,
                resp.t_total_ms);
    }
    oc_metric(c, "receiver_latency", resp.t_total_ms, "ms");
    http_response_free(&resp);

    /* 2. badly signed: refused */
    char *v1 = strstr(sig, "v1=");
    if (v1) {
        v1 += 3;
        *v1 = *v1 == '0' ? '1' : '0'; /* one hex digit off */
    }
    rc = mw_send(c, url, sig, rid, body, &resp);
    snprintf(want, sizeof want, "status %s", rej);
    if (rc != 0) {
        oc_fail(c, "bad signature: the receiver does not answer: %s", resp.error);
        oc_expect(c, want, resp.error);
    } else if (resp.status >= 200 && resp.status <= 299) {
        snprintf(seen, sizeof seen, "status %ld (accepted)", resp.status);
        oc_fail(c, "SECURITY: the receiver accepted a notification with a bad signature (status %ld): "
                   "anyone can forge payment notifications", resp.status);
        oc_expect(c, want, seen);
    } else if (!mw_status_in(c, "reject_status", resp.status)) {
        snprintf(seen, sizeof seen, "status %ld: %.200s", resp.status, resp.body ? resp.body : "");
        oc_fail(c, "bad signature: answered status %ld, expected %s", resp.status, rej);
        oc_expect(c, want, seen);
    } else {
        oc_pass(c, "bad signature: refused with status %ld", resp.status);
    }
    memset(sig, 0, sizeof sig);
    http_response_free(&resp);
}
