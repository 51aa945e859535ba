/*
 * test_mp_sign.c - unit tests of plugins/common/mp_sign.c (issue 5):
 * HMAC-SHA256 on RFC 4231 vectors, the Mercado Pago manifest rules
 * (absent parts omitted, alphanumeric data.id lowercased), the computed
 * vectors V1/V3/V4/V5 of external-apis.md §3.3 (the docs' example values
 * with their placeholder secret; the published v1 "ced36ab6..." has no
 * published secret, so only its manifest is checked), verification and its
 * refusals.  Also pg_bind_names() of plugins/common/pg.c (pure: :name -> $N),
 * which the billing and mp-webhook query overrides rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../plugins/common/mp_sign.h"
#include "../../plugins/common/pg.h"

#define RID "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"
#define TS "1742505638683"
#define SECRET "your_secret_key_here"

static void test_rfc4231(void **state)
{
    char out[MP_HEX_LEN + 1];
    unsigned char key2[20], key6[131];
    (void)state;
    /* Test case 2 */
    assert_int_equal(mp_hmac_sha256_hex("Jefe", 4, "what do ya want for nothing?", 28, out), 0);
    assert_string_equal(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* Test case 1 */
    memset(key2, 0x0b, sizeof key2);
    assert_int_equal(mp_hmac_sha256_hex(key2, 20, "Hi There", 8, out), 0);
    assert_string_equal(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    /* Test case 6: a key longer than the block size */
    memset(key6, 0xaa, sizeof key6);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    assert_int_equal(mp_hmac_sha256_hex(key6, sizeof key6, m6, strlen(m6), out), 0);
    assert_string_equal(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_manifest(void **state)
{
    char m[256];
    (void)state;
    /* the docs' published manifest for their example notification */
    assert_true(mp_manifest("123456", RID, TS, m, sizeof m) > 0);
    assert_string_equal(m, "id:123456;request-id:" RID ";ts:" TS ";");
    assert_true(mp_manifest(NULL, RID, TS, m, sizeof m) > 0);
    assert_string_equal(m, "request-id:" RID ";ts:" TS ";");
    assert_true(mp_manifest("123456", "", TS, m, sizeof m) > 0);
    assert_string_equal(m, "id:123456;ts:" TS ";");
    /* the SDKs today: data.id in its original casing */
    assert_true(mp_manifest("ORD01JQ4S4KY8HWQ6NA5PXB65B3D3", NULL, TS, m, sizeof m) > 0);
    assert_string_equal(m, "id:ORD01JQ4S4KY8HWQ6NA5PXB65B3D3;ts:" TS ";");
    /* the older rule, on request: an alphanumeric id is lowercased */
    assert_true(mp_manifest_case("ORD01JQ4S4KY8HWQ6NA5PXB65B3D3", NULL, TS, MP_ID_LOWER, m, sizeof m) > 0);
    assert_string_equal(m, "id:ord01jq4s4ky8hwq6na5pxb65b3d3;ts:" TS ";");
    /* not alphanumeric: used as is under both rules */
    assert_true(mp_manifest_case("Ab-1", NULL, "1", MP_ID_LOWER, m, sizeof m) > 0);
    assert_string_equal(m, "id:Ab-1;ts:1;");
    assert_int_equal(mp_manifest("123456", RID, TS, m, 20), -1);
}

static void test_vectors(void **state)
{
    static const struct {
        const char *id, *rid, *v1;
    } v[] = {
        {"123456", RID, "5e0a7ed2ea5ece575e9d1a9bb80f7ce6ca43d6d30e8be93413bae108b94ad7cd"}, /* V1 */
        {NULL, RID, "d69d974256f9e0bc92b7894e202b36a44a10f1f677e6db59a38c8695a37b65e4"},     /* V3 */
        {"123456", NULL, "8252dd570f9cf7d41cf479d25bb5cce292786116e80312c15600845054a55fe2"}, /* V4 */
        {NULL, NULL, "3f075add3ddb923bebf0bc0648457b8244cf4420b98d5b445167d379bec0ca54"},     /* V5 */
    };
    char hdr[128], want[128];
    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(mp_sign(SECRET, v[i].id, v[i].rid, TS, hdr, sizeof hdr), 0);
        snprintf(want, sizeof want, "ts=%s,v1=%s", TS, v[i].v1);
        assert_string_equal(hdr, want);
        assert_int_equal(mp_verify(SECRET, hdr, v[i].id, v[i].rid), MP_SIG_OK);
    }
}

static void test_verify(void **state)
{
    const char *good = "ts=" TS ",v1=5e0a7ed2ea5ece575e9d1a9bb80f7ce6ca43d6d30e8be93413bae108b94ad7cd";
    (void)state;
    assert_int_equal(mp_verify(SECRET, good, "123456", RID), MP_SIG_OK);
    /* spaces, key case, order and unknown keys do not matter; v1 hex case neither */
    assert_int_equal(mp_verify(SECRET, " V1 = 5E0A7ED2EA5ECE575E9D1A9BB80F7CE6CA43D6D30E8BE93413BAE108B94AD7CD , "
                                       "v2=abc, TS=" TS, "123456", RID), MP_SIG_OK);
    assert_int_equal(mp_verify("wrong", good, "123456", RID), MP_SIG_MISMATCH);
    assert_int_equal(mp_verify(SECRET, good, "123457", RID), MP_SIG_MISMATCH);
    assert_int_equal(mp_verify(SECRET, good, "123456", NULL), MP_SIG_MISMATCH);
    assert_int_equal(mp_verify(SECRET, NULL, "123456", RID), MP_SIG_MISSING);
    assert_int_equal(mp_verify(SECRET, "", "123456", RID), MP_SIG_MISSING);
    assert_int_equal(mp_verify(SECRET, "v1=5e0a7ed2ea5ece575e9d1a9bb80f7ce6ca43d6d30e8be93413bae108b94ad7cd",
                               "123456", RID), MP_SIG_MALFORMED);
    assert_int_equal(mp_verify(SECRET, "ts=" TS, "123456", RID), MP_SIG_MALFORMED);
    assert_int_equal(mp_verify(SECRET, "ts=12a,v1=5e0a7ed2ea5ece575e9d1a9bb80f7ce6ca43d6d30e8be93413bae108b94ad7cd",
                               "123456", RID), MP_SIG_MALFORMED);
    /* the docs' published pair: its secret is not published, so it must not verify with the placeholder */
    assert_int_equal(mp_verify(SECRET, "ts=" TS ",v1=ced36ab6d33566bb1e16c125819b8d840d6b8ef136b0b9127c76064466f5229b",
                               "123456", RID), MP_SIG_MISMATCH);
    /* casing: the SDKs sign the id as received; the lowercase rule is one option */
    char hdr[128];
    assert_int_equal(mp_sign(SECRET, "ord01jq4s4ky8hwq6na5pxb65b3d3", NULL, TS, hdr, sizeof hdr), 0);
    assert_int_equal(mp_verify(SECRET, hdr, "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3", NULL), MP_SIG_MISMATCH);
    assert_int_equal(mp_verify_case(SECRET, hdr, "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3", NULL, MP_ID_LOWER), MP_SIG_OK);
    assert_int_equal(mp_sign(SECRET, "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3", NULL, TS, hdr, sizeof hdr), 0);
    assert_int_equal(mp_verify(SECRET, hdr, "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3", NULL), MP_SIG_OK);
}

/* Freshness as the SDKs check it: ts in seconds, ts*1000 against now in ms. */
static void test_fresh(void **state)
{
    (void)state;
    const long long now = 1766237532123LL; /* ms */
    assert_int_equal(mp_fresh("ts=1766237532,v1=x", now, 300), MP_SIG_OK);
    assert_int_equal(mp_fresh("ts=1766237233,v1=x", now, 300), MP_SIG_OK);    /* 299.1 s old */
    assert_int_equal(mp_fresh("ts=1766237231,v1=x", now, 300), MP_SIG_STALE); /* 301 s old */
    assert_int_equal(mp_fresh("ts=1766237833,v1=x", now, 300), MP_SIG_STALE); /* 301 s ahead */
    assert_int_equal(mp_fresh("ts=1766237532123,v1=x", now, 300), MP_SIG_STALE); /* milliseconds */
    assert_int_equal(mp_fresh("ts=12a,v1=x", now, 300), MP_SIG_MALFORMED);
    assert_int_equal(mp_fresh(NULL, now, 300), MP_SIG_MISSING);
    assert_string_equal(mp_sig_reason(MP_SIG_STALE), "stale");
}

static void test_pg_bind_names(void **state)
{
    pg_param p[] = {{"grace", "600"}, {"window", "86400"}, {"id", "x"}};
    size_t order[8], n;
    char err[128];
    (void)state;
    char *s = pg_bind_names("SELECT :window::int, ':grace', \"a:id\" -- :nope\n, :grace + :window, :id",
                            p, 3, order, 8, &n, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(s, "SELECT $1::int, ':grace', \"a:id\" -- :nope\n, $2 + $1, $3");
    assert_int_equal(n, 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 2);
    free(s);
    s = pg_bind_names("SELECT 'it''s :grace', :missing", p, 3, order, 8, &n, err, sizeof err);
    assert_null(s);
    assert_string_equal(err, "unknown parameter :missing");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231), cmocka_unit_test(test_manifest),     cmocka_unit_test(test_vectors), cmocka_unit_test(test_fresh),
        cmocka_unit_test(test_verify),  cmocka_unit_test(test_pg_bind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
