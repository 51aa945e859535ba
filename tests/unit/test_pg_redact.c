/*
 * test_pg_redact.c - unit tests of pg_redact() of plugins/common/pg.c
 * (issue 14): a libpq message about a DSN, made one line, never shows the
 * password nor the DSN.  libpq's parse errors quote the fragment they choke
 * on (`invalid percent-encoded token: "<password>%zz"`), so an unparsable
 * DSN loses every quoted text; a parsable one loses its password and itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../plugins/common/pg.h"

#define PW "Pw-unit-7f3a9c"

static void test_unparsable(void **state)
{
    (void)state;
    const char *dsn = "postgresql://u:" PW "%zz@h:5432/db";
    char *perr = NULL, out[256];
    assert_null(PQconninfoParse(dsn, &perr));
    assert_non_null(strstr(perr, PW)); /* the leak this guards against */
    pg_redact(dsn, perr, out, sizeof out);
    PQfreemem(perr);
    assert_null(strstr(out, PW));
    assert_string_equal(out, "invalid percent-encoded token: \"[redacted]\"");
}

static void test_parsable(void **state)
{
    (void)state;
    const char *dsn = "host=h user=u password=" PW " sslmode=" PW;
    char out[256];
    pg_redact(dsn, "invalid sslmode value: \"" PW "\"\nsecond  line\n", out, sizeof out);
    assert_string_equal(out, "invalid sslmode value: \"[redacted]\" second line");
    pg_redact(dsn, "bad: host=h user=u password=" PW " sslmode=" PW, out, sizeof out);
    assert_string_equal(out, "bad: [redacted]");
    pg_redact(NULL, "no dsn: \"kept\"", out, sizeof out);
    assert_string_equal(out, "no dsn: \"kept\"");
}

static void test_small_buffer(void **state)
{
    (void)state;
    char out[16];
    pg_redact("password=" PW, "x " PW " " PW " " PW, out, sizeof out);
    assert_null(strstr(out, "Pw-"));
    assert_true(strlen(out) < sizeof out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unparsable),
        cmocka_unit_test(test_parsable),
        cmocka_unit_test(test_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
