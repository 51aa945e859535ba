/*
 * test_yaml_map.c - which YAML texts the TAP writer nests as a mapping
 * under `data:` (core/yaml_map.c), and which it leaves to be one string:
 * every "no" here is a text that, nested as written, would make the
 * stream's YAML invalid or not a mapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yaml_map.h"

/* The nested text, or NULL when refused. */
static char *nest(const char *text)
{
    strbuf b = {0};
    sb_add(&b, "", 0);
    if (yaml_map_nest(&b, "  ", text) != 0) {
        assert_int_equal(b.len, 0); /* refused: nothing written */
        sb_clear(&b);
        return NULL;
    }
    return sb_steal(&b);
}

static void yes(const char *text, const char *want)
{
    char *got = nest(text);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void no(const char *text)
{
    char *got = nest(text);
    if (got)
        fail_msg("nested, but should not be: %s", text);
}

static void test_mappings(void **state)
{
    (void)state;
    yes("got: 1\nwanted: 2", "  got: 1\n  wanted: 2\n");
    yes("seen:\n  - a\n  - b\n", "  seen:\n    - a\n    - b\n");
    yes("  a: 1\n    b\n  c: x", "  a: 1\n    b\n  c: x\n");             /* base indent removed */
    yes("\nmsg: \"a \\\" \\u00e9 b\" # c\nq: 'it''s'\n\n", "  msg: \"a \\\" \\u00e9 b\" # c\n  q: 'it''s'\n");
    yes("text: |-\n  line one\n  line two\nn: -1", "  text: |-\n    line one\n    line two\n  n: -1\n");
    yes("url: http://x/y?a=b#c\nempty:", "  url: http://x/y?a=b#c\n  empty:\n");
}

static void test_not_mappings(void **state)
{
    (void)state;
    no("");
    no("\n \n");
    no("- just\n- a list");                  /* a sequence */
    no("plain text");                        /* a scalar */
    no("a: 1\na: 2");                        /* a repeated key */
    no("a: 1\n\tb: 2");                      /* a tab */
    no("a: 1\n\nb: 2");                      /* a blank line inside */
    no("  a: 1\nb: 2");                      /* shallower than the base */
    no("a: {b: 1}");                         /* flow style */
    no("a: [1, 2]");
    no("token: ***");                        /* a masked secret reads as an alias */
    no("a:\n  - ***");
    no("a: b: c");                           /* a mapping inside a plain value */
    no("a: b:");
    no("a: \"open");                         /* a quote not closed on its line */
    no("a: \"bad \\q escape\"");
    no("a: 'x' y");
    no("a:b");                               /* no blank after ':' */
    no("\"quoted key\": 1");
    no("# a comment: 1");
    no("a: - b");
    no("a: &anchor x");
    no("a: !tag x");
    no("a: |x");
    no("a: \x01");                           /* a control byte */
    no("a: \xff");                           /* not UTF-8 */
    no("---\na: 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mappings),
        cmocka_unit_test(test_not_mappings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
