/*
 * fuzz_mp_sign.c - the Mercado Pago x-signature parser and verifier
 * (plugins/common/mp_sign.c) with a fixed secret.  Input: the header value,
 * then optionally a NUL and data.id, then a NUL and x-request-id (a part
 * that is not there is NULL).
 *
 * Checked: mp_verify() returns a known result, "missing" exactly for an
 * absent or empty header, "ok" only when one ts= value of the header signs
 * to a v1 the header holds; mp_manifest() into buffers of sizes around it fails
 * exactly when the manifest (plus its NUL) does not fit and never writes
 * past it.  Round trip: mp_sign() of the fuzzed data.id and request id with
 * a ts made of the header's digits fails only for a manifest over 1023
 * bytes, mp_verify() accepts what it built (also with v1 in capitals, keys
 * reordered, spaces and unknown keys around), and rejects it after a
 * one-byte change of ts, v1, data.id (other than its case, when it is
 * alphanumeric) or the request id, or without data.id or the request id.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../plugins/common/mp_sign.h"

#define SECRET "your_secret_key_here"

static void check_reason(mp_sig_result r)
{
    if (r != MP_SIG_OK && r != MP_SIG_MISSING && r != MP_SIG_MALFORMED && r != MP_SIG_MISMATCH &&
        r != MP_SIG_STALE)
        abort();
    if (!mp_sig_reason(r) || !mp_sig_reason(r)[0])
        abort();
}

/* The manifest's length as mp_sign.h defines it. */
static size_t manifest_len(const char *id, const char *rid, const char *ts)
{
    return (id && *id ? 4 + strlen(id) : 0) + (rid && *rid ? 12 + strlen(rid) : 0) + 4 + strlen(ts);
}

/* "ok" needs some ts=DIGITS part (trimmed) whose signature's v1 is in the header. */
static int some_ts_signs(const char *hdr, const char *id, const char *rid)
{
    for (const char *p = hdr; (p = strchr(p, '=')) != NULL; p++) {
        const char *k = p;
        while (k > hdr && isspace((unsigned char)k[-1]))
            k--;
        if (k - hdr < 2 || strncasecmp(k - 2, "ts", 2) != 0)
            continue;
        const char *v = p + 1;
        while (isspace((unsigned char)*v))
            v++;
        size_t n = strspn(v, "0123456789");
        if (n == 0 || n > 31)
            continue;
        char ts[32], sig[160];
        memcpy(ts, v, n);
        ts[n] = '\0';
        if (mp_sign(SECRET, id, rid, ts, sig, sizeof sig) != 0)
            continue;
        const char *v1 = strstr(sig, ",v1=") + 4;
        size_t hl = strlen(hdr);
        for (size_t q = 0; q + MP_HEX_LEN <= hl; q++)
            if (strncasecmp(hdr + q, v1, MP_HEX_LEN) == 0)
                return 1;
    }
    return 0;
}

static void check_verify(const char *hdr, const char *id, const char *rid)
{
    mp_sig_result r = mp_verify(SECRET, hdr, id, rid);
    check_reason(r);
    if ((r == MP_SIG_MISSING) != (!hdr || !*hdr))
        abort();
    if (r == MP_SIG_OK && (!strchr(hdr, '=') || !some_ts_signs(hdr, id, rid)))
        abort();
    if (r == MP_SIG_OK && mp_verify("another secret", hdr, id, rid) == MP_SIG_OK)
        abort();
}

static void check_manifest(const char *id, const char *rid, const char *ts)
{
    size_t want = manifest_len(id, rid, ts);
    size_t lens[] = {0, 1, want / 2, want ? want - 1 : 0, want, want + 1, want + 2, 1024};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        size_t len = lens[i];
        char *out = malloc(len ? len : 1);
        if (!out)
            abort();
        int n = mp_manifest(id, rid, ts, out, len);
        if (want + 1 > len ? n != -1 : (n < 0 || (size_t)n != want || strlen(out) != want))
            abort();
        free(out);
    }
}

static void expect(mp_sig_result want, const char *hdr, const char *id, const char *rid)
{
    if (mp_verify(SECRET, hdr, id, rid) != want)
        abort();
}

static void reject(const char *hdr, const char *id, const char *rid)
{
    mp_sig_result r = mp_verify(SECRET, hdr, id, rid);
    if (r != MP_SIG_MISMATCH && r != MP_SIG_MALFORMED)
        abort();
}

static int all_alnum(const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s))
            return 0;
    return 1;
}

/* Another byte than C at this position (never NUL), chosen by SEED. */
static char other_byte(char c, unsigned seed)
{
    char b = (char)(seed & 0xff);
    if (b == c || b == 0)
        b = (char)(c ^ 1) ? (char)(c ^ 1) : 2;
    return b;
}

static void round_trip(const char *hdr, const char *id, const char *rid, unsigned seed)
{
    char ts[32] = "";
    size_t k = 0;
    for (const char *p = hdr; *p && k < 20; p++)
        if (*p >= '0' && *p <= '9')
            ts[k++] = *p;
    if (k == 0)
        strcpy(ts, "1742505638683");

    char sig[160];
    if (mp_sign(SECRET, id, rid, ts, sig, sizeof sig) != 0) {
        if (manifest_len(id, rid, ts) + 1 <= 1024)
            abort();
        return;
    }
    if (manifest_len(id, rid, ts) + 1 > 1024)
        abort();
    /* "ts=TS,v1=HEX", nothing else */
    const char *v1 = strstr(sig, ",v1=");
    if (strncmp(sig, "ts=", 3) != 0 || !v1 || strcmp(sig + 3 + strlen(ts), v1) != 0 ||
        strlen(v1 + 4) != MP_HEX_LEN || strspn(v1 + 4, "0123456789abcdef") != MP_HEX_LEN)
        abort();
    v1 += 4;
    expect(MP_SIG_OK, sig, id, rid);

    char alt[256];
    char up[MP_HEX_LEN + 1];
    for (int i = 0; i <= MP_HEX_LEN; i++)
        up[i] = (char)toupper((unsigned char)v1[i]);
    snprintf(alt, sizeof alt, " V1 = %s , foo=bar,  Ts=%s ,v2=x", up, ts);
    expect(MP_SIG_OK, alt, id, rid);

    /* one byte of ts */
    strcpy(alt, sig);
    size_t at = 3 + seed % strlen(ts);
    alt[at] = (char)('0' + (alt[at] - '0' + 1 + seed % 9) % 10);
    reject(alt, id, rid);
    alt[at] = other_byte(sig[at], seed >> 8);
    if (alt[at] != ',')
        reject(alt, id, rid);

    /* one hex digit of v1, to another value */
    snprintf(alt, sizeof alt, "ts=%s,v1=%s", ts, v1);
    at = strlen(alt) - MP_HEX_LEN + seed % MP_HEX_LEN;
    alt[at] = "0123456789abcdef"[(strchr("0123456789abcdef", alt[at]) - "0123456789abcdef" + 1 + seed % 15) % 16];
    reject(alt, id, rid);

    /* one byte of data.id */
    if (id && *id) {
        char *id2 = strdup(id);
        if (!id2)
            abort();
        at = seed % strlen(id);
        id2[at] = other_byte(id[at], seed >> 8);
        /* the SDKs sign data.id as received: every byte counts, casing too */
        reject(sig, id2, rid);
        if (all_alnum(id) && all_alnum(id2) && strcasecmp(id, id2) == 0) {
            /* the older rule: an alphanumeric id in another casing still verifies */
            char low[160];
            if (mp_sign_case(SECRET, id, rid, ts, MP_ID_LOWER, low, sizeof low) != 0 ||
                mp_verify_case(SECRET, low, id2, rid, MP_ID_LOWER) != MP_SIG_OK)
                abort();
        }
        free(id2);
        reject(sig, NULL, rid);
        reject(sig, "", rid);
    }
    /* one byte of the request id */
    if (rid && *rid) {
        char *rid2 = strdup(rid);
        if (!rid2)
            abort();
        at = seed % strlen(rid);
        rid2[at] = other_byte(rid[at], seed >> 8);
        reject(sig, id, rid2);
        free(rid2);
        reject(sig, id, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *buf = malloc(size + 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    buf[size] = '\0';

    const char *hdr = buf, *id = NULL, *rid = NULL;
    size_t l = strlen(hdr);
    if (l < size) {
        id = buf + l + 1;
        l += 1 + strlen(id);
        if (l < size)
            rid = buf + l + 1;
    }
    unsigned seed = 0;
    for (size_t i = 0; i < size; i++)
        seed = seed * 31 + data[i];

    check_verify(hdr, id, rid);
    check_verify(size ? hdr : NULL, rid, id);
    check_manifest(id, rid, "1742505638683");
    check_manifest(id, NULL, "");
    round_trip(hdr, id, rid, seed);

    free(buf);
    return 0;
}
