/* test_quote_822_local - internal and external address forms.
 *
 * The quoting cases are Postfix 3.7.11 trivial-rewrite answers (its
 * answer is the quoted form of its internal result); the unquoting
 * cases are what its cleanup recorded for an address that it had sent
 * to trivial-rewrite in quoted form. A property test checks that
 * unquote_822_local undoes quote_822_local for any string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "quote_822_local.h"

static BUF *out;

/* setup - the output buffer */
static int
setup(void **state)
{
    out = buf_alloc(10);
    return 0;
}

/* teardown - free it */
static int
teardown(void **state)
{
    buf_free(out);
    return 0;
}

/* check_quote - quote_822_local(in) is want, and unquoting gives in */
static void
check_quote(const char *in, const char *want)
{
    quote_822_local(out, in);
    assert_string_equal(buf_str(out), want);
    unquote_822_local(out, want);
    assert_string_equal(buf_str(out), in);
}

/* test_quote_observed - local parts that need quotes and some that don't */
static void
test_quote_observed(void **state)
{
    check_quote("", "\"\"");
    check_quote("user", "user");
    check_quote("first.last@host", "first.last@host");
    check_quote("foo bar", "\"foo bar\"");
    check_quote("foo bar@host", "\"foo bar\"@host");
    check_quote("foo@bar", "foo@bar");
    check_quote("user.", "\"user.\"");
    check_quote(".user@host", "\".user\"@host");
    check_quote("a..b", "\"a..b\"");
    check_quote("a!b@host", "a!b@host");
    check_quote("a%b", "a%b");
    check_quote("user+ext", "user+ext");
    check_quote("a#b$c&d*e/f=g?h^i_j`k{l|m}n~o'p+q-r",
                "a#b$c&d*e/f=g?h^i_j`k{l|m}n~o'p+q-r");
    check_quote("\303\274ser", "\303\274ser");
    check_quote("a\001b", "\"a\001b\"");
    check_quote("a\177b", "\"a\177b\"");
    check_quote("a\"b@x", "\"a\\\"b\"@x");
    check_quote("a\\b@x", "\"a\\\\b\"@x");
    check_quote("user@host, other@host", "\"user@host, other\"@host");
    check_quote("<user@host>", "\"<user\"@host>");
    check_quote("(c) b@a", "\"(c) b\"@a");
    check_quote("user;", "\"user;\"");
    check_quote("[a]b]", "\"[a]b]\"");
    check_quote("c@a!b", "c@a!b");
    check_quote("x@y z", "x@y z");
    check_quote("@host", "\"\"@host");
    check_quote("@", "\"\"@");
    check_quote("@@", "\"@\"@");
    check_quote("@a:.example.com", "@a:\".example.com\"");
    check_quote("@a, @b:", "@a, @b:\"\"");
    check_quote("@b:c", "@b:c");
    check_quote("@a:b c@d", "@a:\"b c\"@d");
}

/* check_unquote - unquote_822_local(in) is want */
static void
check_unquote(const char *in, const char *want)
{
    unquote_822_local(out, in);
    assert_string_equal(buf_str(out), want);
}

/* test_unquote - quotes anywhere in the local part, backslashes */
static void
test_unquote(void **state)
{
    check_unquote("\"foo bar\"@x", "foo bar@x");
    check_unquote("a\"b c\"d@x", "ab cd@x");
    check_unquote("\"a\".\"b\"@x", "a.b@x");
    check_unquote("a\\ b@x", "a b@x");
    check_unquote("a\\@x", "a@x");
    check_unquote("\"a\"@\"b\"", "a@\"b\"");
    check_unquote("@r:\"a b\"@x", "@r:a b@x");
    check_unquote("\"unclosed@x", "unclosed@x");
    check_unquote("plain", "plain");
    check_unquote("", "");
}

/* test_flags - append, and a bare local part */
static void
test_flags(void **state)
{
    buf_strcpy(out, "x=");
    quote_822_local_flags(out, "a b@c", QUOTE_822_FLAG_APPEND);
    assert_string_equal(buf_str(out), "x=\"a b\"@c");
    quote_822_local_flags(out, "a@b", QUOTE_822_FLAG_BARE);
    assert_string_equal(buf_str(out), "\"a@b\"");
    quote_822_local_flags(out, "@r:x", QUOTE_822_FLAG_BARE);
    assert_string_equal(buf_str(out), "\"@r:x\"");
    unquote_822_local_flags(out, "\"a@b\"", QUOTE_822_FLAG_BARE);
    assert_string_equal(buf_str(out), "a@b");
    buf_strcpy(out, "y=");
    unquote_822_local_flags(out, "\"a b\"@c", QUOTE_822_FLAG_APPEND);
    assert_string_equal(buf_str(out), "y=a b@c");
}

/* test_dot_string - the dot-atom test itself */
static void
test_dot_string(void **state)
{
    assert_true(quote_822_is_dot_string("a.b.c", 5));
    assert_true(quote_822_is_dot_string("a.b.c", 1));
    assert_false(quote_822_is_dot_string("a.b", 2));
    assert_false(quote_822_is_dot_string("", 0));
    assert_false(quote_822_is_dot_string(".", 1));
    assert_false(quote_822_is_dot_string("a b", 3));
    assert_false(quote_822_is_dot_string("a\tb", 3));
    assert_true(quote_822_is_dot_string("\377", 1));
}

/* test_round_trip - unquote(quote(x)) == x for many random strings */
static void
test_round_trip(void **state)
{
    static const char alphabet[] = "a.@:\"\\ (),<>[];!%\001\377";
    char    text[16];
    BUF    *ext = buf_alloc(32);
    unsigned seed = 822;

    for (int n = 0; n < 200000; n++) {
        size_t  len = rand_r(&seed) % (sizeof(text) - 1);

        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
        text[len] = 0;
        quote_822_local(ext, text);
        unquote_822_local(out, buf_str(ext));
        if (strcmp(buf_str(out), text) != 0)
            fail_msg("<%s> quoted <%s> unquoted <%s>", text, buf_str(ext),
                     buf_str(out));
    }
    buf_free(ext);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_observed),
        cmocka_unit_test(test_unquote),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_dot_string),
        cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
