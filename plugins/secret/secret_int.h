/*
 * secret_int.h - what the secret plugin's files share (not a public API).
 *
 *   secret_main.c      descriptor, option table, run(): strength, the
 *                      backend's answers, the Fly secret's age
 *   secret_strength.c  pure: entropy estimate, zxcvbn's guess estimate,
 *                      deny list, random wrong secret
 *
 * Nothing here ever formats a secret's value into a message: results carry
 * lengths, bit counts and list positions only.
 */
#ifndef SECRET_INT_H
#define SECRET_INT_H

#include <stddef.h>

/* Estimated entropy of S in bits: each character is worth log2(pool), the
 * pool being the sum of the character classes present (26 lower, 26 upper,
 * 10 digits, 33 other printable, 128 for bytes >= 0x80); a character that
 * repeats the previous one, is one step from it (ab, 21: runs), or repeats the
 * pattern of the last 2..8 characters is worth 1 bit. */
double sec_entropy_bits(const char *s);

/* zxcvbn's estimate of S in bits (log2 of the guesses an attacker needs):
 * it finds dictionary words (also l33t), dates and years, keyboard walks,
 * sequences (0123456789abcdef) and repeats that a character-class count
 * takes for randomness.  WHY (N bytes) gets the guessable parts by kind,
 * as 1-based character ranges with the bits zxcvbn gives them, never the
 * characters: "dictionary words at 1-6, 7-12 (6.4 bits); dates at 48-51
 * (7.2 bits)" (parts under 3 characters left out; "..." when cut), or
 * "no guessable parts".  Writes nothing of S. */
double sec_guess_bits(const char *s, char *why, size_t n);

/* The pool size sec_entropy_bits() used for S (for the diagnostic). */
int sec_pool(const char *s);

/* Position (1-based) of the first DENY entry S matches, 0 when none: equal
 * ignoring case, or, for entries of 6 characters or more, contained in S
 * ignoring case.  *contained tells which. */
size_t sec_denied(const char *s, const char *const *deny, size_t ndeny, int *contained);

/* LEN random characters from [A-Za-z0-9] (from getrandom), NUL-terminated,
 * different from AVOID.  BUF holds LEN + 1 bytes. */
void sec_random(char *buf, size_t len, const char *avoid);

#endif
