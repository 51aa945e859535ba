/*
 * suggest.h - the one "did you mean" of opscheck: for section headers, keys,
 * plugins, checks, checklists and tags alike.  Called only once an error is
 * certain (it is an edit distance against every candidate).
 *
 *     suggest_ctx s;
 *     suggest_init(&s, typed);
 *     for (each known name) suggest_try(&s, name);
 *     const char *best = suggest_best(&s);    // NULL: nothing close enough
 *
 * The rule: a candidate is close when its edit distance (insert, delete,
 * replace, or swap two neighbours: one edit each) to the typed word
 * is at most a third of the typed word's length, at least 1 and at most 3,
 * and less than that length (a one-letter word is never "corrected").  The
 * closest wins; on a tie, the first tried.  best points at the candidate
 * passed in, not a copy.
 */
#ifndef OC_SUGGEST_H
#define OC_SUGGEST_H

#include <stddef.h>

typedef struct suggest_ctx {
    const char *word;
    size_t len;
    const char *best;
    int bestd;
} suggest_ctx;

void suggest_init(suggest_ctx *s, const char *word);
void suggest_try(suggest_ctx *s, const char *candidate);
const char *suggest_best(const suggest_ctx *s);

/* The closest of N names to WORD, or NULL. */
const char *suggest_among(const char *word, const char *const *names, size_t n);

/* Edit distance (a swap of neighbours is one edit); 100 past 100 bytes. */
int suggest_distance(const char *a, const char *b);

#endif
