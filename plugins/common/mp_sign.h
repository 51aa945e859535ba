/*
 * mp_sign.h - Mercado Pago webhook signatures (x-signature), built and
 * verified as the official SDKs do (mercadopago/sdk-nodejs
 * src/utils/webhook/index.ts, sdk-python mercadopago/webhook/validator.py):
 *
 *   manifest = "id:<data.id>;" "request-id:<x-request-id>;" "ts:<ts>;"
 *   (a pair whose value is absent or empty is omitted; data.id signed in its
 *   original casing, as the SDKs do since they stopped lowercasing it;
 *   MP_ID_LOWER gives the older rule: alphanumeric data.id lowercased),
 *   v1 = lowercase hex HMAC-SHA256(secret, manifest), header = "ts=<ts>,v1=<v1>".
 *
 *   ts is Unix time in SECONDS (real deliveries: ts=1766237532); freshness is
 *   |now_ms - ts*1000| <= tolerance, as the SDKs check it since their fix of
 *   sdk-nodejs issue #458 (PRs sdk-nodejs#463, sdk-python#142, sdk-java#393).
 *
 * HMAC through OpenSSL's libcrypto.  Used by the mp-webhook plugin (to sign
 * its synthetic notification) and by the stand-in's Mercado Pago receiver
 * (tests/standin/role_mp.c includes mp_sign.c), so both sides share one
 * implementation.  Pure: no oc_* calls, no allocation.
 */
#ifndef OC_COMMON_MP_SIGN_H
#define OC_COMMON_MP_SIGN_H

#include <stddef.h>

#define MP_HEX_LEN 64

/* Lowercase hex HMAC-SHA256 of MSG under KEY into OUT (65 bytes). 0 or -1. */
int mp_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen, char out[MP_HEX_LEN + 1]);

/* How data.id enters the manifest. */
typedef enum mp_id_case {
    MP_ID_ORIGINAL = 0, /* as received (the SDKs today) */
    MP_ID_LOWER         /* lowercased when alphanumeric (the older rule) */
} mp_id_case;

/* The manifest for these parts (DATA_ID and REQUEST_ID may be NULL or "").
 * Returns its length, or -1 when it does not fit in LEN. */
int mp_manifest(const char *data_id, const char *request_id, const char *ts, char *out, size_t len);
int mp_manifest_case(const char *data_id, const char *request_id, const char *ts, mp_id_case idc, char *out,
                     size_t len);

/* The x-signature header value "ts=TS,v1=HEX" for these parts.  0 or -1. */
int mp_sign(const char *secret, const char *data_id, const char *request_id, const char *ts, char *out,
            size_t len);
int mp_sign_case(const char *secret, const char *data_id, const char *request_id, const char *ts, mp_id_case idc,
                 char *out, size_t len);

typedef enum mp_sig_result {
    MP_SIG_OK = 0,
    MP_SIG_MISSING,    /* no x-signature header */
    MP_SIG_MALFORMED,  /* no ts, ts not all digits, or no v1 */
    MP_SIG_MISMATCH,   /* v1 is not the HMAC of the manifest */
    MP_SIG_STALE       /* authentic, but ts (seconds) is outside the tolerance */
} mp_sig_result;

/* Verify an x-signature header value against the query's data.id and the
 * x-request-id header (either may be NULL), comparing in constant time. */
mp_sig_result mp_verify(const char *secret, const char *x_signature, const char *data_id,
                        const char *request_id);
mp_sig_result mp_verify_case(const char *secret, const char *x_signature, const char *data_id,
                             const char *request_id, mp_id_case idc);

/* The SDKs' freshness rule on an x-signature already verified: ts is in
 * seconds, |NOW_MS - ts*1000| must be at most TOLERANCE_S*1000.  MP_SIG_OK or
 * MP_SIG_STALE (MP_SIG_MALFORMED without a numeric ts).  A ts in milliseconds
 * reads as ~50000 years ahead: stale, as with the SDKs. */
mp_sig_result mp_fresh(const char *x_signature, long long now_ms, long long tolerance_s);

/* One word for a result: "ok", "missing", "malformed", "mismatch", "stale". */
const char *mp_sig_reason(mp_sig_result r);

#endif
