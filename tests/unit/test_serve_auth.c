/*
 * test_serve_auth.c - serve_auth.c below HTTP: SipHash-2-4-128 against the
 * reference implementation's vectors (vectors_sip128 in SipHash's
 * vectors.h), and sv_auth_check on a web config read by sv_web_load with
 * bcrypt hashes made here by libxcrypt: right, wrong, unknown user, the
 * cache (a pair that passed, only that pair), and a config swapped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <crypt.h>

#include "serve.h"
#include "serve_web.h"

static void hex(const unsigned char *b, char *out)
{
    for (int i = 0; i < 16; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_siphash_vectors(void **state)
{
    (void)state;
    /* key 00..0f, input 00..(n-1), as the reference's test does */
    static const struct { size_t n; const char *want; } v[] = {
        {0, "a3817f04ba25a8e66df67214c7550293"},
        {1, "da87c1d86b99af44347659119b22fc45"},
        {15, "5493e99933b0a8117e08ec0f97cfc3d9"},
    };
    unsigned char k[16], in[64], out[16];
    char got[33];
    for (int i = 0; i < 16; i++)
        k[i] = (unsigned char)i;
    for (int i = 0; i < 64; i++)
        in[i] = (unsigned char)i;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        sv_siphash128(in, v[i].n, k, out);
        hex(out, got);
        assert_string_equal(got, v[i].want);
    }
}

static char *bcrypt_of(const char *pw)
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    assert_non_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, setting, sizeof setting));
    struct crypt_data cd = {0};
    char *h = crypt_r(pw, setting, &cd);
    assert_non_null(h);
    return strdup(h);
}

/* A web config file with USER: bcrypt(PW); read back. */
static sv_web *web_with(const char *user, const char *pw)
{
    char path[] = "/tmp/test_serve_auth.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char *h = bcrypt_of(pw);
    dprintf(fd, "basic_auth_users:\n  %s: %s\n", user, h);
    close(fd);
    free(h);
    char *why = NULL;
    sv_web *w = sv_web_load(path, &why);
    unlink(path);
    assert_null(why);
    assert_non_null(w);
    return w;
}

static void test_auth_check(void **state)
{
    (void)state;
    serve_ctx s = {0};
    pthread_mutex_init(&s.mu, NULL);
    assert_int_equal(sv_auth_needed(&s), 0);
    assert_int_equal(sv_auth_check(&s, "anyone", "x"), 1); /* no web config: open */
    s.web = web_with("alice", "pw-one");
    assert_int_equal(sv_auth_needed(&s), 1);
    assert_int_equal(sv_auth_check(&s, "alice", NULL), 0);
    assert_int_equal(sv_auth_check(&s, NULL, "pw-one"), 0);
    assert_int_equal(sv_auth_check(&s, "alice", "pw-two"), 0);
    assert_int_equal(s.web->nok, 0); /* a failure is not cached */
    assert_int_equal(sv_auth_check(&s, "mallory", "pw-one"), 0);
    assert_int_equal(sv_auth_check(&s, "alice", "pw-one"), 1);
    assert_int_equal(s.web->nok, 1); /* the pair that passed is */
    assert_int_equal(sv_auth_check(&s, "alice", "pw-one"), 1);
    assert_int_equal(s.web->nok, 1); /* and found there, not added again */
    assert_int_equal(sv_auth_check(&s, "alice", "pw-one "), 0);
    /* a new config: the old pair is not let in by the old cache */
    sv_web *old = s.web;
    s.web = web_with("alice", "pw-new");
    s.web_gen++;
    sv_web_free(old);
    assert_int_equal(sv_auth_check(&s, "alice", "pw-one"), 0);
    assert_int_equal(sv_auth_check(&s, "alice", "pw-new"), 1);
    sv_web_free(s.web);
    pthread_mutex_destroy(&s.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash_vectors),
        cmocka_unit_test(test_auth_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
