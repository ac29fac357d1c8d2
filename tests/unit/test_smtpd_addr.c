/* test_smtpd_addr - unit tests for smtpd's MAIL/RCPT argument parser
 * and xtext check (src/smtpd/smtpd_addr.c, compiled in directly).
 *
 * The accepted forms are Postfix's with smtpd_strict_rfc821_envelopes =
 * no; the cases with '>' inside quotes or escapes, source routes and
 * control characters are those the fuzz harness tests/fuzz/
 * fuzz_smtpd_cmd.c exercises. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/smtpd/smtpd_addr.c"
#include "mymalloc.h"

/* parse - run the parser on a copy of args; its result, the address and
 * the parameters joined by '|' */
static int
parse(const char *args, const char *keyword, BUF *out)
{
    char   *copy = mystrdup(args);
    BUF    *addr = buf_alloc(10);
    ARGV   *params = argv_alloc(2);
    int     ret = smtpd_addr_parse(copy, keyword, addr, params);

    buf_strcpy(out, buf_str(addr));
    for (int i = 0; i < params->argc; i++)
        buf_sprintf_append(out, "|%s", params->argv[i]);
    argv_free(params);
    buf_free(addr);
    myfree(copy);
    return ret;
}

/* test_forms - brackets, spaces, case, missing brackets */
static void
test_forms(void **unused)
{
    BUF    *out = buf_alloc(10);

    assert_int_equal(parse("FROM:<a@b>", "FROM:", out), 0);
    assert_string_equal(buf_str(out), "a@b");
    assert_int_equal(parse("from: \t<a@b> SIZE=10  BODY=7BIT", "FROM:", out),
                     0);
    assert_string_equal(buf_str(out), "a@b|SIZE=10|BODY=7BIT");
    assert_int_equal(parse("TO:c@d NOTIFY=NEVER", "TO:", out), 0);
    assert_string_equal(buf_str(out), "c@d|NOTIFY=NEVER");
    assert_int_equal(parse("FROM:<>", "FROM:", out), 0);
    assert_string_equal(buf_str(out), "");
    assert_int_equal(parse("TO:<@a,@b:c@d>", "TO:", out), 0);
    assert_string_equal(buf_str(out), "c@d");
    buf_free(out);
}

/* test_quoting - '>' and spaces inside quotes and after backslashes */
static void
test_quoting(void **unused)
{
    BUF    *out = buf_alloc(10);

    assert_int_equal(parse("TO:<\"a>b c\"@d> X=1", "TO:", out), 0);
    assert_string_equal(buf_str(out), "a>b c@d|X=1");
    assert_int_equal(parse("TO:<a\\>b@d>", "TO:", out), 0);
    assert_int_equal(parse("TO:<a\\", "TO:", out), -1);
    buf_free(out);
}

/* test_bad - what is refused */
static void
test_bad(void **unused)
{
    BUF    *out = buf_alloc(10);

    assert_int_equal(parse("FROM<a@b>", "FROM:", out), -1);
    assert_int_equal(parse("FROM:", "FROM:", out), -1);
    assert_int_equal(parse("FROM:<a@b", "FROM:", out), -1);
    assert_int_equal(parse("FROM:<a@b>x", "FROM:", out), -1);
    assert_int_equal(parse("FROM:<a\x01@b>", "FROM:", out), -1);
    assert_int_equal(parse("FROM:<a@b> X=\x7f", "FROM:", out), -1);
    assert_int_equal(parse("TO:<a@b>", "FROM:", out), -1);
    buf_free(out);
}

/* test_xtext - RFC 3461 xtext and its length limit */
static void
test_xtext(void **unused)
{
    assert_true(smtpd_addr_xtext_ok("abc+2B+3d", 100));
    assert_true(smtpd_addr_xtext_ok("", 100));
    assert_false(smtpd_addr_xtext_ok("a=b", 100));
    assert_false(smtpd_addr_xtext_ok("a b", 100));
    assert_false(smtpd_addr_xtext_ok("+4", 100));
    assert_false(smtpd_addr_xtext_ok("+", 100));
    assert_false(smtpd_addr_xtext_ok("\xc3\xa9", 100));
    assert_false(smtpd_addr_xtext_ok("abcd", 3));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_xtext),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
