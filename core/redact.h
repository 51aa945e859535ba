/*
 * redact.h - the one place secrets are known.  Values of secret options and
 * of secret-looking ${env:NAME} are registered here; every string that
 * leaves the process (TAP, YAML, captured stderr, error messages, reports)
 * passes through redact() and shows "***" instead.
 */
#ifndef OC_REDACT_H
#define OC_REDACT_H

#include <stddef.h>

/* Secrets shorter than this are masked only where they stand alone (not
 * inside a word of letters, digits or '_'); `validate` warns about them. */
#define REDACT_MIN_INWORD 4

void redact_add(const char *secret);          /* copied; empty strings ignored */
/* A malloc'd copy of S (N bytes) with every secret replaced by "***". */
char *redact_n(const char *s, size_t n);
/* The same, and its length in *OUT_LEN (S may hold NUL bytes). */
char *redact_nl(const char *s, size_t n, size_t *out_len);
char *redact(const char *s);
/* Length of S without a trailing partial secret: a cut buffer may end in
 * the first bytes of a secret, which must not be shown either. */
size_t redact_safe_len(const char *s, size_t n);
void redact_clear(void);

#endif
