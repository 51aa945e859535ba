/*
 * strmap.h - a small open-addressing hash table from strings to indexes,
 * for the config's lookups by name (sections, checks, checklists), which
 * were linear scans and made `validate` quadratic.  POSIX hsearch() has one
 * global table, so it cannot serve two maps at once.
 *
 * The map borrows its keys: each key must outlive the map (they are names
 * owned by the cfg).  strmap_clear() frees the table, not the keys.
 */
#ifndef OC_STRMAP_H
#define OC_STRMAP_H

#include <stddef.h>

typedef struct strmap {
    const char **keys;   /* NULL = empty slot */
    size_t *vals;
    size_t n, cap;       /* cap is 0 or a power of two */
} strmap;

/* 1 and *val set when KEY is in the map, else 0 (val may be NULL). */
int strmap_get(const strmap *m, const char *key, size_t *val);
/* Sets KEY to VAL, replacing an earlier value of KEY. */
void strmap_put(strmap *m, const char *key, size_t val);
void strmap_clear(strmap *m);

#endif
