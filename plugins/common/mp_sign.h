/*
 * mp_sign.h - Mercado Pago webhook signatures (x-signature), built and
 * verified exactly as ../shared/reference/external-apis.md §3.2 says:
 *
 *   manifest = "id:<data.id>;" "request-id:<x-request-id>;" "ts:<ts>;"
 *   (a pair whose value is absent or empty is omitted; data.id is lowercased
 *   when it is alphanumeric), v1 = lowercase hex HMAC-SHA256(secret, manifest),
 *   header = "ts=<ts>,v1=<v1>".
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

/* The manifest for these parts (DATA_ID and REQUEST_ID may be NULL or "").
 * Returns its length, or -1 when it does not fit in LEN. */
int mp_manifest(const char *data_id, const char *request_id, const char *ts, char *out, size_t len);

/* The x-signature header value "ts=TS,v1=HEX" for these parts.  0 or -1. */
int mp_sign(const char *secret, const char *data_id, const char *request_id, const char *ts, char *out,
            size_t len);

typedef enum mp_sig_result {
    MP_SIG_OK = 0,
    MP_SIG_MISSING,    /* no x-signature header */
    MP_SIG_MALFORMED,  /* no ts, ts not all digits, or no v1 */
    MP_SIG_MISMATCH    /* v1 is not the HMAC of the manifest */
} mp_sig_result;

/* Verify an x-signature header value against the query's data.id and the
 * x-request-id header (either may be NULL), comparing in constant time. */
mp_sig_result mp_verify(const char *secret, const char *x_signature, const char *data_id,
                        const char *request_id);

/* One word for a result: "ok", "missing", "malformed", "mismatch". */
const char *mp_sig_reason(mp_sig_result r);

#endif
