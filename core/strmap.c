/* strmap.c - see strmap.h.  Linear probing, grown to keep the load under
 * 1/2; there is no removal (the config only ever adds names). */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* FNV-1a: short, no table, good enough spread for names. */
static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding KEY, or the empty slot where it would go. */
static size_t slot(const strmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int strmap_get(const strmap *m, const char *key, size_t *val)
{
    if (!m->n)
        return 0;
    size_t i = slot(m, key);
    if (!m->keys[i])
        return 0;
    if (val)
        *val = m->vals[i];
    return 1;
}

static void grow(strmap *m)
{
    strmap bigger = {.cap = m->cap ? m->cap * 2 : 16};
    bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
    bigger.vals = xcalloc(bigger.cap, sizeof *bigger.vals);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i])
            strmap_put(&bigger, m->keys[i], m->vals[i]);
    strmap_clear(m);
    *m = bigger;
}

void strmap_put(strmap *m, const char *key, size_t val)
{
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    size_t i = slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->n++;
    }
    m->vals[i] = val;
}

void strmap_clear(strmap *m)
{
    free(m->keys);
    free(m->vals);
    *m = (strmap){0};
}
