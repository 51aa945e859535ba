/*
 * serve_auth.c - a request's basic-auth user and password checked against
 * the web config's bcrypt hashes (libxcrypt's crypt_r; serve_web.c says why
 * it is linked).  bcrypt costs tens of milliseconds by design, so a pair
 * that passed is remembered as a keyed hash (SipHash-2-4, 128 bits, over
 * user, hash and password; the key random per loaded config), as the
 * exporter-toolkit caches its checks: a scrape every 15 s pays bcrypt once.
 * The password itself is never kept, logged or compared but in constant
 * time; an unknown user costs the same bcrypt as a known one.
 */
#include <crypt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "serve_web.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                             \
    do {                                                                                                     \
        v0 += v1, v1 = ROTL(v1, 13), v1 ^= v0, v0 = ROTL(v0, 32);                                            \
        v2 += v3, v3 = ROTL(v3, 16), v3 ^= v2;                                                               \
        v0 += v3, v3 = ROTL(v3, 21), v3 ^= v0;                                                               \
        v2 += v1, v1 = ROTL(v1, 17), v1 ^= v2, v2 = ROTL(v2, 32);                                            \
    } while (0)

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

void sv_siphash128(const unsigned char *in, size_t n, const unsigned char k[16], unsigned char out[16])
{
    uint64_t k0 = le64(k), k1 = le64(k + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    v1 ^= 0xee;
    size_t whole = n - n % 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = le64(in + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)n << 56;
    for (size_t i = 0; i < n % 8; i++)
        b |= (uint64_t)in[whole + i] << (8 * i);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xee;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    put_le64(out, v0 ^ v1 ^ v2 ^ v3);
    v1 ^= 0xdd;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    put_le64(out + 8, v0 ^ v1 ^ v2 ^ v3);
}

/* Equal, in time that depends on the lengths only. */
static int same_bytes(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

/* The tag of (USER, HASH, PASS): each part behind its length, so no two
 * triples share an input. */
static void tag_of(const sv_web *w, const char *user, const char *hash, const char *pass, unsigned char out[16])
{
    const char *part[3] = {user, hash, pass};
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        n += 8 + strlen(part[i]);
    unsigned char *buf = xmalloc(n), *p = buf;
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(part[i]);
        put_le64(p, len);
        memcpy(p + 8, part[i], len);
        p += 8 + len;
    }
    sv_siphash128(buf, n, w->key, out);
    explicit_bzero(buf, n);
    free(buf);
}

static int cached(const sv_web *w, const unsigned char tag[16])
{
    int hit = 0;
    for (size_t i = 0; i < w->nok; i++)
        hit |= same_bytes(w->ok[i], tag, SV_AUTH_TAG);
    return hit;
}

int sv_auth_needed(serve_ctx *s)
{
    pthread_mutex_lock(&s->mu);
    int on = s->web && s->web->nusers;
    pthread_mutex_unlock(&s->mu);
    return on;
}

int sv_auth_check(serve_ctx *s, const char *user, const char *pass)
{
    if (!user || !pass)
        return 0;
    pthread_mutex_lock(&s->mu);
    sv_web *w = s->web;
    if (!w || !w->nusers) {
        pthread_mutex_unlock(&s->mu);
        return 1;
    }
    const sv_user *u = NULL;
    for (size_t i = 0; i < w->nusers && !u; i++)
        if (strcmp(w->users[i].name, user) == 0)
            u = &w->users[i];
    char *hash = xstrdup(u ? u->hash : w->dummy);
    unsigned long gen = s->web_gen;
    unsigned char tag[16];
    tag_of(w, user, hash, pass, tag);
    int hit = u && cached(w, tag);
    pthread_mutex_unlock(&s->mu);
    int ok = hit;
    if (!hit) { /* bcrypt, outside the lock: it is slow on purpose */
        struct crypt_data *cd = xcalloc(1, sizeof *cd);
        const char *got = crypt_r(pass, hash, cd);
        size_t n = strlen(hash);
        ok = u && got && got[0] != '*' && strlen(got) == n && same_bytes(got, hash, n);
        explicit_bzero(cd, sizeof *cd);
        free(cd);
    }
    if (ok && !hit) {
        pthread_mutex_lock(&s->mu);
        if (s->web_gen == gen) { /* the config it passed against is still the one */
            w = s->web;
            memcpy(w->ok[w->okhead], tag, SV_AUTH_TAG);
            w->okhead = (w->okhead + 1) % SV_AUTH_CACHE;
            if (w->nok < SV_AUTH_CACHE)
                w->nok++;
        }
        pthread_mutex_unlock(&s->mu);
    }
    explicit_bzero(hash, strlen(hash));
    free(hash);
    explicit_bzero(tag, sizeof tag);
    return ok;
}
