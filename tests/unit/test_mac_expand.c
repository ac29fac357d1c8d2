/* test_mac_expand - unit tests for mac_expand: every $ form, nesting,
 * the recursion limit, undefined names and syntax errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "mac_expand.h"

/* The name -> value table the tests expand against. */
static const char *const table[][2] = {
    {"name", "value"},
    {"empty", ""},
    {"host", "mx.example.com"},
    {"ref", "<$host>"},
    {"refempty", "$empty"},
    {"deep", "[$ref]"},
    {"self", "$self"},
    {"ping", "x$pong"},
    {"pong", "y$ping"},
    {"dollar", "a$$b"},
    {"cond", "${name?{yes}:{no}}"},
    {NULL, NULL},
};

/* lookup - table lookup for mac_expand */
static const char *
lookup(const char *name, void *ctx)
{
    for (int i = 0; table[i][0]; i++)
        if (strcmp(table[i][0], name) == 0)
            return table[i][1];
    return NULL;
}

/* undef - remember undefined names, space separated */
static void
undef(const char *name, void *ctx)
{
    BUF    *seen = ctx;

    if (buf_len(seen))
        buf_addch(seen, ' ');
    buf_strcat(seen, name);
}

static BUF *undefs;
static BUF *why;

/* expand - expand text; assert the status; return the result text */
static const char *
expand(const char *text, int want_status)
{
    static BUF *result;

    if (result == NULL)
        result = buf_alloc(64);
    buf_reset(result);
    buf_reset(undefs);
    buf_reset(why);
    assert_int_equal(mac_expand(result, text, lookup, undef, undefs, why),
                     want_status);
    return buf_str(result);
}

/* setup - fresh buffers */
static int
setup(void **state)
{
    undefs = buf_alloc(64);
    why = buf_alloc(64);
    return 0;
}

/* teardown - free the buffers */
static int
teardown(void **state)
{
    buf_free(undefs);
    buf_free(why);
    return 0;
}

/* test_plain - text without macros, and appending to a result */
static void
test_plain(void **state)
{
    BUF    *result = buf_alloc(8);

    assert_string_equal(expand("no macros here", 0), "no macros here");
    assert_string_equal(expand("", 0), "");
    buf_strcpy(result, "keep:");
    assert_int_equal(mac_expand(result, "$name", lookup, NULL, NULL, why), 0);
    assert_string_equal(buf_str(result), "keep:value");
    buf_free(result);
}

/* test_simple_forms - $name, ${name}, $(name), $$ */
static void
test_simple_forms(void **state)
{
    assert_string_equal(expand("$name", 0), "value");
    assert_string_equal(expand("${name}", 0), "value");
    assert_string_equal(expand("$(name)", 0), "value");
    assert_string_equal(expand("a$name.b", 0), "avalue.b");
    assert_string_equal(expand("x${name}y", 0), "xvaluey");
    assert_string_equal(expand("$$", 0), "$");
    assert_string_equal(expand("$$name", 0), "$name");
    assert_string_equal(expand("$dollar", 0), "a$b");
    assert_string_equal(expand("cost: 5$", 0), "cost: 5$");
    assert_string_equal(expand("$name,$host", 0), "value,mx.example.com");
}

/* test_recursive - values are expanded in turn */
static void
test_recursive(void **state)
{
    assert_string_equal(expand("$ref", 0), "<mx.example.com>");
    assert_string_equal(expand("$deep", 0), "[<mx.example.com>]");
    assert_string_equal(expand("$cond", 0), "yes");
}

/* test_conditional_plain - ${name?text} and ${name:text} */
static void
test_conditional_plain(void **state)
{
    assert_string_equal(expand("${name?set}", 0), "set");
    assert_string_equal(expand("${empty?set}", 0), "");
    assert_string_equal(expand("${nosuch?set}", 0), "");
    assert_string_equal(expand("${name:unset}", 0), "");
    assert_string_equal(expand("${empty:unset}", 0), "unset");
    assert_string_equal(expand("${nosuch:unset}", 0), "unset");
    assert_string_equal(expand("$(name?paren)", 0), "paren");
    assert_string_equal(expand("$(nosuch:paren)", 0), "paren");
    /* Empty after expansion counts as empty. */
    assert_string_equal(expand("${refempty?set}", 0), "");
    assert_string_equal(expand("${refempty:unset}", 0), "unset");
    /* The chosen text is expanded. */
    assert_string_equal(expand("${name?<$host>}", 0), "<mx.example.com>");
    assert_string_equal(expand("${nosuch:$name}", 0), "value");
}

/* test_conditional_braced - ${name?{a}:{b}}, ${name?{a}}, ${name:{b}} */
static void
test_conditional_braced(void **state)
{
    assert_string_equal(expand("${name?{a}:{b}}", 0), "a");
    assert_string_equal(expand("${empty?{a}:{b}}", 0), "b");
    assert_string_equal(expand("${nosuch?{a}:{b}}", 0), "b");
    assert_string_equal(expand("${name?{a}}", 0), "a");
    assert_string_equal(expand("${nosuch?{a}}", 0), "");
    assert_string_equal(expand("${name:{b}}", 0), "");
    assert_string_equal(expand("${nosuch:{b}}", 0), "b");
    assert_string_equal(expand("${name?{a b, c}:{d}}", 0), "a b, c");
    assert_string_equal(expand("${name? {a} : {b} }", 0), "a");
    assert_string_equal(expand("${name?{}:{b}}", 0), "");
}

/* test_nested - macros inside conditional text */
static void
test_nested(void **state)
{
    assert_string_equal(expand("${name?{${host}}:{none}}", 0),
                        "mx.example.com");
    assert_string_equal(expand("${nosuch?{x}:{${empty:{fallback}}}}", 0),
                        "fallback");
    assert_string_equal(expand("${name?${host?${ref}}}", 0),
                        "<mx.example.com>");
    assert_string_equal(expand("pre ${name?{[$name]}} post", 0),
                        "pre [value] post");
}

/* test_undefined - expands to nothing and is reported */
static void
test_undefined(void **state)
{
    assert_string_equal(expand("a${nosuch}b$other.c", 0), "ab.c");
    assert_string_equal(buf_str(undefs), "nosuch other");
    /* Conditionals test for the name; they do not report it. */
    assert_string_equal(expand("${nosuch?x}${nosuch:y}", 0), "y");
    assert_string_equal(buf_str(undefs), "");
    /* No callback is fine. */
    {
        BUF    *result = buf_alloc(4);

        assert_int_equal(mac_expand(result, "$nosuch", lookup, NULL, NULL,
                                    why), 0);
        buf_free(result);
    }
}

/* test_recursion_limit - a = $a and a = $b, b = $a */
static void
test_recursion_limit(void **state)
{
    expand("$self", -1);
    assert_string_equal(buf_str(why),
                        "unreasonable macro call nesting: \"self\"");
    expand("${ping}", -1);
    assert_non_null(strstr(buf_str(why), "unreasonable macro call nesting"));
    expand("${self?x}", -1);
    assert_non_null(strstr(buf_str(why), "\"self\""));
}

/* test_syntax_errors - unbalanced braces and missing names */
static void
test_syntax_errors(void **state)
{
    expand("${name", -1);
    assert_non_null(strstr(buf_str(why), "unbalanced"));
    expand("$(name", -1);
    assert_non_null(strstr(buf_str(why), "unbalanced"));
    expand("${name?{a}:{b}", -1);
    assert_non_null(strstr(buf_str(why), "unbalanced"));
    expand("${}", -1);
    assert_non_null(strstr(buf_str(why), "missing macro name"));
    expand("${?x}", -1);
    assert_non_null(strstr(buf_str(why), "missing macro name"));
    expand("${na me}", -1);
    assert_non_null(strstr(buf_str(why), "bad macro name"));
    expand("${name?{a}x}", -1);
    assert_non_null(strstr(buf_str(why), "text after"));
    expand("${name?{a}:b}", -1);
    assert_non_null(strstr(buf_str(why), "after ':'"));
    expand("${name?{a}", -1);
    assert_non_null(strstr(buf_str(why), "unbalanced"));
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_simple_forms),
        cmocka_unit_test(test_recursive),
        cmocka_unit_test(test_conditional_plain),
        cmocka_unit_test(test_conditional_braced),
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_undefined),
        cmocka_unit_test(test_recursion_limit),
        cmocka_unit_test(test_syntax_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
