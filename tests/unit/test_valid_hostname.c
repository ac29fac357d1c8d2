/* test_valid_hostname - unit tests for host name and address syntax.
 *
 * The verdicts are those Debian's Postfix 3.7 smtpd gave through
 * reject_invalid_helo_hostname and reject_non_fqdn_helo_hostname
 * ("bad_name!", "-a.example", "a..b" invalid; "a_b.example", "nodots"
 * valid host names; "1.2.3.4" an address, not a host name; "[1.2.3.999]"
 * an invalid literal) and from Postfix's valid_hostname.c limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "valid_hostname.h"

/* test_hostname - labels, hyphens, underscores, lengths */
static void
test_hostname(void **state)
{
    const char *good[] = {"nodots", "a.example", "a_b.example",
    "x-1.example", "a1", "1a", "1.example"};
    const char *bad[] = {"", "bad_name!", "-a.example", "a-.example",
        "a..b", ".a", "a.example.", "1.2.3.4", "123", "a b", "a.ex-",
    "caf\xc3\xa9.example"};
    char    label[70], name[300];

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(valid_hostname(good[i], false));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(valid_hostname(bad[i], false));
    memset(label, 'a', 63);
    label[63] = 0;
    assert_true(valid_hostname(label, false));
    label[63] = 'a';
    label[64] = 0;
    assert_false(valid_hostname(label, false));
    memset(name, 'a', 255);
    for (int i = 50; i < 255; i += 50)
        name[i] = '.';
    name[255] = 0;
    assert_true(valid_hostname(name, false));
    name[255] = 'a';
    name[256] = 0;
    assert_false(valid_hostname(name, false));
}

/* test_utf8 - non-ASCII labels only when asked for, and valid UTF-8 */
static void
test_utf8(void **state)
{
    assert_true(valid_hostname("caf\xc3\xa9.example", true));
    assert_false(valid_hostname("caf\xc3.example", true));
    assert_false(valid_hostname("caf\xff.example", true));
}

/* test_addresses - IPv4, IPv6, mail host literals */
static void
test_addresses(void **state)
{
    assert_true(valid_ipv4_hostaddr("1.2.3.4"));
    assert_true(valid_ipv4_hostaddr("0.0.0.0"));
    assert_true(valid_ipv4_hostaddr("255.255.255.255"));
    assert_false(valid_ipv4_hostaddr("1.2.3.999"));
    assert_false(valid_ipv4_hostaddr("1.2.3"));
    assert_false(valid_ipv4_hostaddr("1.2.3.4.5"));
    assert_false(valid_ipv4_hostaddr("1.2.3."));
    assert_false(valid_ipv4_hostaddr("0.1.2.3"));
    assert_false(valid_ipv4_hostaddr("a.b.c.d"));
    assert_true(valid_ipv6_hostaddr("2001:db8::1"));
    assert_false(valid_ipv6_hostaddr("2001:db8::g"));
    assert_true(valid_hostaddr("::1"));
    assert_true(valid_hostaddr("10.0.0.1"));
    assert_true(valid_mailhost_addr("IPv6:2001:db8::1"));
    assert_true(valid_mailhost_addr("ipv6:::1"));
    assert_false(valid_mailhost_addr("2001:db8::1"));
    assert_true(valid_mailhost_addr("192.0.2.1"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostname),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_addresses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
