/* test_smtp_xtext - unit tests for the RFC 3461 xtext encoding of
 * ENVID= and ORCPT= values sent by smtp(8). The module is a part of the
 * smtp program, compiled in here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/smtp/smtp_xtext.c"

/* xtext - the encoding of text (static) */
static const char *
xtext(const char *text)
{
    static BUF *bp;

    if (bp == NULL)
        bp = buf_alloc(10);
    buf_reset(bp);
    smtp_xtext(bp, text);
    return buf_str(bp);
}

/* test_plain - printable text stays */
static void
test_plain(void **unused)
{
    assert_string_equal(xtext("user@example.com"), "user@example.com");
    assert_string_equal(xtext(""), "");
}

/* test_escaped - '+', '=', space, controls and 8-bit bytes */
static void
test_escaped(void **unused)
{
    assert_string_equal(xtext("a+b=c"), "a+2Bb+3Dc");
    assert_string_equal(xtext("a b\tc"), "a+20b+09c");
    assert_string_equal(xtext("\x7f\xc3\xa9"), "+7F+C3+A9");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_escaped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
