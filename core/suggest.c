/* suggest.c - see suggest.h. */
#include "suggest.h"

#include <string.h>

/* The largest distance still worth suggesting for a typed word of LEN. */
static int threshold(size_t len)
{
    int t = (int)(len / 3);
    if (t < 1)
        t = 1;
    if (t > 3)
        t = 3;
    if ((size_t)t >= len)
        t = (int)len - 1;  /* "x" -> "y" shares nothing */
    return t;
}

void suggest_init(suggest_ctx *s, const char *word)
{
    s->word = word;
    s->len = strlen(word);
    s->best = NULL;
    s->bestd = threshold(s->len) + 1;
}

void suggest_try(suggest_ctx *s, const char *candidate)
{
    size_t lc = strlen(candidate);
    size_t gap = lc > s->len ? lc - s->len : s->len - lc;
    if (gap >= (size_t)s->bestd || strcmp(candidate, s->word) == 0)
        return;  /* cannot be closer: skip the distance */
    int d = suggest_distance(s->word, candidate);
    if (d < s->bestd) {
        s->bestd = d;
        s->best = candidate;
    }
}

const char *suggest_best(const suggest_ctx *s)
{
    return s->best;
}

const char *suggest_among(const char *word, const char *const *names, size_t n)
{
    suggest_ctx s;
    suggest_init(&s, word);
    for (size_t i = 0; i < n; i++)
        suggest_try(&s, names[i]);
    return suggest_best(&s);
}

/* Optimal string alignment: Levenshtein plus the swap of two neighbours
 * as one edit, the commonest typo ("prdo", "chekc"). */
int suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 100 || lb > 100)
        return 100;
    int rows[3][101], *pp = rows[0], *prev = rows[1], *row = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int v = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            row[j] = v;
        }
        int *t = pp;
        pp = prev;
        prev = row;
        row = t;
    }
    return prev[lb];
}
