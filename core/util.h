/*
 * util.h - allocation that aborts on failure (no half-recovery: an
 * out-of-memory check runner has nothing useful left to say), a growable
 * string buffer, and small string helpers.
 *
 * Names that end a value's life mean one thing each, in every core header
 * (git's rule, tests/house.t checks the bodies):
 *   S_release(S *p)  frees what *p owns, not *p; *p is not used again
 *                    unless initialised anew.
 *   S_clear(S *p)    S_release() and back to the empty value ({0}): *p is
 *                    ready for reuse.
 *   S_free(S *p)     S_release() and free(p) itself; NULL does nothing.
 * A function that frees an array it was given with its elements
 * (run_results_free) is a _free.
 */
#ifndef OC_UTIL_H
#define OC_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Append-only byte buffer; s is always NUL-terminated. Owner frees s. */
typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;
void sb_add(strbuf *b, const char *data, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_putc(strbuf *b, char c);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_steal(strbuf *b);  /* returns s (never NULL), leaves b empty */
void sb_clear(strbuf *b);   /* frees s, back to {0} */

/* Growable array of owned strings. */
typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;
void sv_push(strvec *sv, char *owned);
void sv_clear(strvec *sv);  /* frees every string and the array, back to {0} */
int sv_contains(const strvec *sv, const char *s);

/* PATH's bytes, at most MAX + 1 of them (a *LEN over MAX says the file is
 * bigger), NUL-terminated; NULL with errno set when it cannot be opened or
 * read.  The caller frees it. */
char *file_read(const char *path, size_t max, size_t *len);

long long now_ms(void);            /* CLOCK_MONOTONIC in ms */
double now_s(void);                /* CLOCK_MONOTONIC in s */
int str_starts(const char *s, const char *prefix);
char *str_trim(char *s);           /* in place; returns s */
/* Length (1-4) of the valid UTF-8 sequence at S, or 0 (RFC 3629: no
 * overlong forms, surrogates or code points past U+10FFFF). */
size_t utf8_seq_len(const unsigned char *s);

#endif
