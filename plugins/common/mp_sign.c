/*
 * mp_sign.c - Mercado Pago x-signature (see mp_sign.h).  Parsing follows
 * the official SDK: split on ',', each part at its first '=', trim, keys
 * case-insensitive, other keys ignored.
 */
#include "mp_sign.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int mp_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen, char out[MP_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";

    if (keylen > (size_t)0x7fffffff ||
        !HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, md, &mdlen) || mdlen != 32)
        return -1;
    for (unsigned i = 0; i < mdlen; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[MP_HEX_LEN] = '\0';
    return 0;
}

int mp_manifest(const char *data_id, const char *request_id, const char *ts, char *out, size_t len)
{
    return mp_manifest_case(data_id, request_id, ts, MP_ID_ORIGINAL, out, len);
}

int mp_manifest_case(const char *data_id, const char *request_id, const char *ts, mp_id_case idc, char *out,
                     size_t len)
{
    size_t k = 0;
    int alnum = idc == MP_ID_LOWER && data_id && *data_id;
    int w;

    for (const char *p = data_id; alnum && *p; p++)
        alnum = isalnum((unsigned char)*p) != 0;
    if (data_id && *data_id) {
        if (len < 4 + strlen(data_id) + 1)
            return -1;
        memcpy(out, "id:", 3);
        k = 3;
        for (const char *p = data_id; *p; p++)
            out[k++] = alnum ? (char)tolower((unsigned char)*p) : *p;
        out[k++] = ';';
    }
    if (request_id && *request_id) {
        w = snprintf(out + k, len - k, "request-id:%s;", request_id);
        if (w < 0 || (size_t)w >= len - k)
            return -1;
        k += (size_t)w;
    }
    w = snprintf(out + k, len - k, "ts:%s;", ts ? ts : "");
    if (w < 0 || (size_t)w >= len - k)
        return -1;
    return (int)(k + (size_t)w);
}

int mp_sign(const char *secret, const char *data_id, const char *request_id, const char *ts, char *out,
            size_t len)
{
    return mp_sign_case(secret, data_id, request_id, ts, MP_ID_ORIGINAL, out, len);
}

int mp_sign_case(const char *secret, const char *data_id, const char *request_id, const char *ts, mp_id_case idc,
                 char *out, size_t len)
{
    char manifest[1024], v1[MP_HEX_LEN + 1];
    int n = mp_manifest_case(data_id, request_id, ts, idc, manifest, sizeof manifest);

    if (n < 0 || mp_hmac_sha256_hex(secret, strlen(secret), manifest, (size_t)n, v1) != 0)
        return -1;
    n = snprintf(out, len, "ts=%s,v1=%s", ts, v1);
    OPENSSL_cleanse(manifest, sizeof manifest);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Copy [b, e) trimmed into OUT (at most LEN-1 bytes); 0 or -1 when too long. */
static int mp_trim(const char *b, const char *e, char *out, size_t len)
{
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    if ((size_t)(e - b) >= len)
        return -1;
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return 0;
}

/* ts and v1 of an x-signature header (either left "" when absent). */
#define MP_TS_MAX 32

static void mp_parse(const char *p, char ts[MP_TS_MAX], char v1[MP_HEX_LEN + 1])
{
    char key[16], val[128];

    while (*p) {
        const char *end = p + strcspn(p, ","), *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && mp_trim(p, eq, key, sizeof key) == 0 && mp_trim(eq + 1, end, val, sizeof val) == 0) {
            if (strcasecmp(key, "ts") == 0 && strlen(val) < MP_TS_MAX)
                strcpy(ts, val);
            else if (strcasecmp(key, "v1") == 0 && strlen(val) == MP_HEX_LEN)
                strcpy(v1, val);
        }
        p = *end ? end + 1 : end;
    }
}

mp_sig_result mp_verify(const char *secret, const char *x_signature, const char *data_id,
                        const char *request_id)
{
    return mp_verify_case(secret, x_signature, data_id, request_id, MP_ID_ORIGINAL);
}

mp_sig_result mp_verify_case(const char *secret, const char *x_signature, const char *data_id,
                             const char *request_id, mp_id_case idc)
{
    char ts[MP_TS_MAX] = "", v1[MP_HEX_LEN + 1] = "", want[MP_HEX_LEN + 1], manifest[1024];

    if (!x_signature || !*x_signature)
        return MP_SIG_MISSING;
    mp_parse(x_signature, ts, v1);
    if (!*ts || !*v1 || strspn(ts, "0123456789") != strlen(ts))
        return MP_SIG_MALFORMED;
    int n = mp_manifest_case(data_id, request_id, ts, idc, manifest, sizeof manifest);
    if (n < 0 || mp_hmac_sha256_hex(secret, strlen(secret), manifest, (size_t)n, want) != 0)
        return MP_SIG_MALFORMED;
    for (char *q = v1; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return CRYPTO_memcmp(want, v1, MP_HEX_LEN) == 0 ? MP_SIG_OK : MP_SIG_MISMATCH;
}

mp_sig_result mp_fresh(const char *x_signature, long long now_ms, long long tolerance_s)
{
    char ts[MP_TS_MAX] = "", v1[MP_HEX_LEN + 1] = "";

    if (!x_signature || !*x_signature)
        return MP_SIG_MISSING;
    mp_parse(x_signature, ts, v1);
    /* more than 15 digits cannot be a time in seconds, and would overflow *1000 */
    if (!*ts || strlen(ts) > 15 || strspn(ts, "0123456789") != strlen(ts))
        return MP_SIG_MALFORMED;
    long long drift = now_ms - atoll(ts) * 1000;
    if (drift < 0)
        drift = -drift;
    return drift <= tolerance_s * 1000 ? MP_SIG_OK : MP_SIG_STALE;
}

const char *mp_sig_reason(mp_sig_result r)
{
    switch (r) {
    case MP_SIG_OK: return "ok";
    case MP_SIG_MISSING: return "missing";
    case MP_SIG_MALFORMED: return "malformed";
    case MP_SIG_STALE: return "stale";
    default: return "mismatch";
    }
}
