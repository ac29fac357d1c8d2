/* test_ip_match - unit tests for the address patterns of the DNS list
 * restrictions (src/global/ip_match.c): plain addresses, lists and ranges
 * in brackets, and malformed patterns (Postfix's ip_match.c syntax). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "ip_match.h"

/* match - ip_match of pattern against the address text */
static int
match(const char *pattern, const char *text)
{
    struct in_addr addr;

    assert_int_equal(inet_pton(AF_INET, text, &addr), 1);
    return ip_match(pattern, &addr);
}

/* test_plain - a plain address matches only itself */
static void
test_plain(void **unused)
{
    assert_int_equal(match("127.0.0.2", "127.0.0.2"), 1);
    assert_int_equal(match("127.0.0.2", "127.0.0.3"), 0);
    assert_int_equal(match("127.0.0.2", "128.0.0.2"), 0);
    assert_int_equal(match("0.0.0.0", "0.0.0.0"), 1);
    assert_int_equal(match("255.255.255.255", "255.255.255.255"), 1);
}

/* test_ranges - [N..M], [N;M] and mixtures in any octet */
static void
test_ranges(void **unused)
{
    assert_int_equal(match("127.0.0.[2..5]", "127.0.0.2"), 1);
    assert_int_equal(match("127.0.0.[2..5]", "127.0.0.5"), 1);
    assert_int_equal(match("127.0.0.[2..5]", "127.0.0.6"), 0);
    assert_int_equal(match("127.0.0.[2..5]", "127.0.0.1"), 0);
    assert_int_equal(match("127.0.0.[1;3;5..7]", "127.0.0.3"), 1);
    assert_int_equal(match("127.0.0.[1;3;5..7]", "127.0.0.6"), 1);
    assert_int_equal(match("127.0.0.[1;3;5..7]", "127.0.0.4"), 0);
    assert_int_equal(match("127.[0;1].0.[2]", "127.1.0.2"), 1);
    assert_int_equal(match("127.[0;1].0.[2]", "127.2.0.2"), 0);
    assert_int_equal(match("[0..255].[0..255].[0..255].[0..255]",
                           "10.20.30.40"), 1);
}

/* test_malformed - every syntax error is -1, whatever the address */
static void
test_malformed(void **unused)
{
    static const char *bad[] = {
        "", "127.0.0", "127.0.0.2.1", "127.0.0.256", "127.0.0.0002",
        "127.0.0.x", "127.0.0.[2..", "127.0.0.[5..2]", "127.0.0.[]",
        "127.0.0.[2;]", "127.0.0.2..5", "127..0.2", "127.0.0.2 ",
        "127.0.0.[2,3]", "127.0.0.-1",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(match(bad[i], "127.0.0.2"), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
