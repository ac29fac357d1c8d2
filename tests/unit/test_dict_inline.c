/* test_dict_inline - unit tests for inline:{ key=value, { key = value } }:
 * the entry forms observed with Postfix's postmap -q, folding, the later
 * entry winning, sequence, and each syntax error's wording. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"

/* One table and what lookups in it give. */
#define LOOKUPS_MAX 10
typedef struct LOOKUPS {
    const char *spec;
    int     dict_flags;
    const char *expect[LOOKUPS_MAX][2]; /* key, value (NULL: not found) */
} LOOKUPS;

/* expect_lookups - open each table and look its keys up */
static void
expect_lookups(const LOOKUPS *tables, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        DICT   *dict = fixture_open_spec(tables[i].spec, O_RDONLY,
                                         tables[i].dict_flags);

        for (int j = 0; j < LOOKUPS_MAX && tables[i].expect[j][0]; j++)
            fixture_expect(dict, tables[i].expect[j][0],
                           tables[i].expect[j][1]);
        dict_close(dict);
    }
}

/* test_entries - plain and braced entries, separators, folding */
static void
test_entries(void **state)
{
    static const LOOKUPS tables[] = {
        {"inline:{ foo=bar, { Baz = a b , c }, x={a, b},,y=1 z=2\t{w=} }",
            DICT_FLAG_DEFAULT, {
                {"foo", "bar"}, {"FOO", "bar"}, {"baz", "a b , c"},
                {"x", "{a, b}"}, {"y", "1"}, {"z", "2"}, {"w", ""},
                {"bar", NULL}, {"", NULL},
        }},
        /* An empty key is accepted, as Postfix does. */
        {"inline:{ =x, { = y } }", DICT_FLAG_DEFAULT, {{"", "y"}}},
        /* Braced values may hold braces; '=' in the value is kept. */
        {"inline:{{ k = {a} = b }, a={b}}", DICT_FLAG_DEFAULT, {
                {"k", "{a} = b"}, {"a", "{b}"},
        }},
    };
    DICT   *dict = fixture_open_spec(tables[0].spec, O_RDONLY,
                                     DICT_FLAG_DEFAULT);

    assert_true(dict->flags & DICT_FLAG_FIXED);
    assert_string_equal(dict->name, "foo=bar, { Baz = a b , c }, x={a, b},"
                        ",y=1 z=2\t{w=}");
    dict_close(dict);
    expect_lookups(tables, sizeof(tables) / sizeof(tables[0]));
}

/* test_fold_and_dups - the later entry wins, whatever the DUP flags; no
 * folding without FOLD_FIX */
static void
test_fold_and_dups(void **state)
{
    static const LOOKUPS tables[] = {
        {"inline:{x=1, X=2, b=3}", DICT_FLAG_DEFAULT, {{"x", "2"}}},
        {"inline:{x=1, x=2}", DICT_FLAG_DUP_IGNORE, {{"x", "2"}}},
        {"inline:{x=1, X=2}", DICT_FLAG_DUP_WARN, {{"x", "1"}, {"X", "2"}}},
    };

    expect_lookups(tables, sizeof(tables) / sizeof(tables[0]));
}

/* test_sequence - every entry in key order */
static void
test_sequence(void **state)
{
    DICT   *dict = fixture_open_spec("inline:{zz=1, aa=2, mm=3}", O_RDONLY,
                                     DICT_FLAG_DEFAULT);

    fixture_expect_seq(dict, "aa=2;mm=3;zz=1;");
    dict_close(dict);
}

/* test_errors - Postfix's wording for each kind of mistake */
static void
test_errors(void **state)
{
    static const char *const errors[][2] = {   /* spec, reason */
        {"inline:{ foo=bar, x}",
         "missing '=' after attribute name: \"inline:{foo=bar, x}\"; "
         "need \"inline:{name=value...}\""},
        {"inline:{foo = bar}",
         "missing '=' after attribute name: \"inline:{foo = bar}\"; "
         "need \"inline:{name=value...}\""},
        {"inline:{ foo=bar, {x} }",
         "missing '=' after attribute name: \"inline:{foo=bar, {x}}\"; "
         "need \"inline:{name=value...}\""},
        {"inline:{ foo=bar, {x=y}z}",
         "syntax error after '}' in \"{x=y}z\": "
         "\"inline:{foo=bar, {x=y}z}\"; need \"inline:{name=value...}\""},
        {"inline:{ {} }",
         "no key found; expected format: key = value: \"inline:{{}}\"; "
         "need \"inline:{name=value...}\""},
        {"inline:{ foo=bar, x=y}z}",
         "bad syntax: \"inline:{foo=bar, x=y}z}\"; "
         "need \"inline:{name=value...}\""},
        {"inline:{{a=b}",
         "bad syntax: \"inline:{{a=b}\"; need \"inline:{name=value...}\""},
        {"inline:{ , }",
         "empty table: \"inline:{,}\"; need \"inline:{name=value...}\""},
        {"inline:{a=b", "missing '}' in \"inline:{a=b\""},
        {"inline:{}", "table inline: needs a name after \"inline:\""},
    };

    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        assert_string_equal(fixture_open_error(errors[i][0], O_RDONLY),
                            errors[i][1]);
    assert_string_equal(fixture_open_error("inline:{a=b}", O_RDWR),
                        "inline:a=b map requires O_RDONLY access mode");
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_entries),
        FIXTURE_TEST(test_fold_and_dups),
        FIXTURE_TEST(test_sequence),
        FIXTURE_TEST(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
