/* test_cidr_match - unit tests for cidr_match: the pattern forms, prefix
 * boundaries inside a byte, the family rule and Postfix's error texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cidr_match.h"

/* in - does pattern (which must parse) match the address text */
static int
in(const char *pattern, const char *addr)
{
    CIDR_MATCH cm;
    unsigned char bin[CIDR_MATCH_ADDR_MAX];
    BUF    *why = buf_alloc(10);
    int     len;

    if (cidr_match_parse(&cm, pattern, why) < 0)
        fail_msg("%s: %s", pattern, buf_str(why));
    buf_free(why);
    if ((len = cidr_match_addr(addr, bin)) == 0)
        fail_msg("%s: not an address", addr);
    return cidr_match_execute(&cm, bin, len);
}

/* error - the reason pattern does not parse */
static void
error(const char *pattern, const char *want)
{
    CIDR_MATCH cm;
    BUF    *why = buf_alloc(10);

    assert_int_equal(cidr_match_parse(&cm, pattern, why), -1);
    assert_string_equal(buf_str(why), want);
    buf_free(why);
}

/* test_forms - every way to write a network */
static void
test_forms(void **state)
{
    assert_int_equal(in("192.0.2.0/24", "192.0.2.255"), 1);
    assert_int_equal(in("192.0.2.0/24", "192.0.3.0"), 0);
    assert_int_equal(in("[192.0.2.0]/24", "192.0.2.1"), 1);
    assert_int_equal(in("[192.0.2.0/24]", "192.0.2.1"), 1);
    assert_int_equal(in("192.0.2.1", "192.0.2.1"), 1);
    assert_int_equal(in("[192.0.2.1]", "192.0.2.2"), 0);
    assert_int_equal(in("[2001:db8::]/32", "2001:db8:ffff::1"), 1);
    assert_int_equal(in("2001:db8::/32", "2001:db9::1"), 0);
    assert_int_equal(in("[2001:db8::/32]", "2001:db8::1"), 1);
    assert_int_equal(in("[::1]", "0:0:0:0:0:0:0:1"), 1);
    assert_int_equal(in("0.0.0.0/0", "255.255.255.255"), 1);
    assert_int_equal(in("::/0", "2001:db8::1"), 1);
}

/* test_odd_prefix - prefixes that end inside a byte */
static void
test_odd_prefix(void **state)
{
    assert_int_equal(in("192.0.2.128/25", "192.0.2.200"), 1);
    assert_int_equal(in("192.0.2.128/25", "192.0.2.127"), 0);
    assert_int_equal(in("10.0.0.0/7", "11.255.0.1"), 1);
    assert_int_equal(in("10.0.0.0/7", "12.0.0.1"), 0);
    assert_int_equal(in("[fe80::]/10", "febf::1"), 1);
    assert_int_equal(in("[fe80::]/10", "fec0::1"), 0);
}

/* test_family - a network never matches the other family */
static void
test_family(void **state)
{
    assert_int_equal(in("0.0.0.0/0", "::1"), -1);
    assert_int_equal(in("::/0", "127.0.0.1"), -1);
    assert_int_equal(in("127.0.0.0/8", "::ffff:127.0.0.1"), -1);
    assert_int_equal(in("[::ffff:127.0.0.0]/104", "::ffff:127.0.0.1"), 1);
}

/* test_errors - the reasons, worded like Postfix's */
static void
test_errors(void **state)
{
    error("192.0.2.1/24", "non-null host address bits in \"192.0.2.1/24\","
          " perhaps you should use \"192.0.2.0/24\" instead");
    error("[2001:db8::1]/16", "non-null host address bits in"
          " \"2001:db8::1/16\", perhaps you should use \"2001::/16\""
          " instead");
    error("192.0.2.0/33", "bad mask length in \"192.0.2.0/33\"");
    error("::/129", "bad mask length in \"::/129\"");
    error("192.0.2.0/2x", "bad mask value in \"192.0.2.0/2x\"");
    error("192.0.2.0/-1", "bad mask value in \"192.0.2.0/-1\"");
    error("192.0.2.0/99999999999999999999", "bad mask length in"
          " \"192.0.2.0/99999999999999999999\"");
    error("192.0.2/24", "bad network value in \"192.0.2/24\"");
    error("[192.0.2.0", "missing ']' character after \"[192.0.2.0\"");
    error("[192.0.2.0]x", "garbage after \"[192.0.2.0]\"");
    error("example", "bad address pattern: \"example\"");
    error("", "bad address pattern: \"\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_odd_prefix),
        cmocka_unit_test(test_family),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
