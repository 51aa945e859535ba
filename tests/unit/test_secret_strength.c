/*
 * test_secret_strength.c - unit tests of plugins/secret/secret_strength.c:
 * the entropy estimate (classes, length, repeats, runs, patterns), the deny
 * list (equal ignoring case, contained for long entries), and the random
 * wrong secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../plugins/secret/secret_int.h"

/* zxcvbn (issue 14): words, dates, keyboard walks, sequences and long
 * repeats are guessable although a character-class count rates them high;
 * the reason names kinds and ranges, never the characters. */
static void test_guess(void **state)
{
    (void)state;
    char why[400];
    const char *words = "monkeydragonfootballbaseballletmeinshadowmaster19861987";
    assert_true(sec_entropy_bits(words) > 128);      /* the class count is fooled */
    assert_true(sec_guess_bits(words, why, sizeof why) < 80);
    assert_non_null(strstr(why, "dictionary words at 1-6, 7-12, "));
    assert_non_null(strstr(why, "; dates at 48-51, 52-55 ("));
    assert_null(strstr(why, "monkey"));

    const char *rep = "Summer2024!Summer2024!Summer2024!Summer2024!";
    assert_true(sec_entropy_bits(rep) > 128);
    assert_true(sec_guess_bits(rep, why, sizeof why) < 100);
    assert_non_null(strstr(why, "repeated blocks at 1-44 ("));

    assert_true(sec_guess_bits("0123456789abcdef0123456789abcdef", why, sizeof why) < 40);
    assert_non_null(strstr(why, "sequences at 1-10, 11-16, 17-26, 27-32 ("));
    assert_true(sec_guess_bits("qwertyuiopasdfghjklzxcvbnm", why, sizeof why) < 40);
    assert_non_null(strstr(why, "dictionary words at 1-10, 11-19, 20-26 ("));

    /* 41 random alphanumerics stay strong; a short buffer ends in "..." */
    assert_true(sec_guess_bits("Q7v2Lm9xTz4Kp8Rw1Ns6Yb3Hd5Gf0Jc2Ae7Ui9Oq4", why, sizeof why) > 128);
    char tiny[24];
    sec_guess_bits(words, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
    assert_string_equal(tiny + sizeof tiny - 4, "...");
    sec_guess_bits("xK", why, sizeof why);
    assert_string_equal(why, "no guessable parts");
}

static void test_pool(void **state)
{
    (void)state;
    assert_int_equal(sec_pool("abc"), 26);
    assert_int_equal(sec_pool("aB3"), 62);
    assert_int_equal(sec_pool("aB3-"), 95);
    assert_int_equal(sec_pool("0123"), 10);
    assert_int_equal(sec_pool(""), 0);
}

static void test_entropy(void **state)
{
    (void)state;
    /* 4 unrelated lower-case letters: 4 x log2(26) */
    assert_true(sec_entropy_bits("qzmf") > 18.7 && sec_entropy_bits("qzmf") < 18.9);
    /* a repeated character is worth 1 bit after the first */
    assert_true(sec_entropy_bits("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") < 40);
    /* runs up and down */
    assert_true(sec_entropy_bits("abcdefghijklmnopqrstuvwxyz") < 32);
    assert_true(sec_entropy_bits("9876543210") < 14);
    /* a repeated pattern: only the first period counts */
    double rep = sec_entropy_bits("Xk7pXk7pXk7pXk7pXk7pXk7pXk7pXk7p");
    assert_true(rep < 64); /* vs ~190 for 32 random ones */
    /* 32 random alphanumerics clear 128 bits; 48 hex characters too */
    assert_true(sec_entropy_bits("Q7v2Lm9xTz4Kp8Rw1Ns6Yb3Hd5Gf0Jc2") > 160);
    assert_true(sec_entropy_bits("a63abd432e9b1627334f78d6df8e7311238e7bd8f38e13a6") > 128);
    assert_true(sec_entropy_bits("") == 0.0);
}

static void test_deny(void **state)
{
    (void)state;
    const char *deny[] = {"changeme", "test", "", "your-secret-here"};
    int contained;
    assert_int_equal(sec_denied("ChangeMe", deny, 4, &contained), 1);
    assert_int_equal(contained, 0);
    assert_int_equal(sec_denied("TEST", deny, 4, &contained), 2);
    /* short entries only when equal */
    assert_int_equal(sec_denied("latest-Xk29fj", deny, 4, &contained), 0);
    assert_int_equal(sec_denied("x-YOUR-SECRET-HERE-9", deny, 4, &contained), 4);
    assert_int_equal(contained, 1);
    assert_int_equal(sec_denied("Q7v2Lm9xTz4Kp8Rw", deny, 4, &contained), 0);
    assert_int_equal(sec_denied("", deny, 4, &contained), 0);
}

static void test_random(void **state)
{
    (void)state;
    char a[41], b[41];
    sec_random(a, 40, NULL);
    sec_random(b, 40, a);
    assert_int_equal(strlen(a), 40);
    assert_string_not_equal(a, b);
    for (size_t i = 0; i < 40; i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", a[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_guess),
        cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_deny),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
