/* test_smtp_nexthop - unit tests for the next-hop syntax of smtp(8)
 * and lmtp(8): bracketed and plain hosts, ports by number and by
 * service name, IPv6 literals with and without "ipv6:", LMTP's inet:
 * and unix: forms, and what is refused. The module is a part of the
 * smtp program, compiled in here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/smtp/smtp_nexthop.c"

/* parse - parse text; the result's fields, or -1 */
static int
parse(const char *text, bool lmtp, SMTP_NEXTHOP *hop)
{
    BUF    *why = buf_alloc(10);
    int     status = smtp_nexthop_parse(text, lmtp, lmtp ? 24 : 25, hop, why);

    if (status < 0)
        assert_true(buf_len(why) > 0);
    buf_free(why);
    return status;
}

/* test_plain_host - a name: MX lookup, default port */
static void
test_plain_host(void **unused)
{
    SMTP_NEXTHOP hop;

    assert_int_equal(parse("example.com", false, &hop), 0);
    assert_string_equal(hop.host, "example.com");
    assert_false(hop.bracketed);
    assert_false(hop.is_unix);
    assert_int_equal(hop.port, 25);
    smtp_nexthop_free(&hop);
}

/* test_host_port - host:port and a service name */
static void
test_host_port(void **unused)
{
    SMTP_NEXTHOP hop;

    assert_int_equal(parse("relay.example.com:2525", false, &hop), 0);
    assert_string_equal(hop.host, "relay.example.com");
    assert_int_equal(hop.port, 2525);
    smtp_nexthop_free(&hop);
    assert_int_equal(parse("relay.example.com:smtp", false, &hop), 0);
    assert_int_equal(hop.port, 25);
    smtp_nexthop_free(&hop);
}

/* test_bracketed - [host]:port, [ip], IPv6 forms */
static void
test_bracketed(void **unused)
{
    SMTP_NEXTHOP hop;

    assert_int_equal(parse("[127.0.0.1]:10025", false, &hop), 0);
    assert_string_equal(hop.host, "127.0.0.1");
    assert_true(hop.bracketed);
    assert_int_equal(hop.port, 10025);
    smtp_nexthop_free(&hop);
    assert_int_equal(parse("[mail.example.com]", false, &hop), 0);
    assert_string_equal(hop.host, "mail.example.com");
    assert_int_equal(hop.port, 25);
    smtp_nexthop_free(&hop);
    assert_int_equal(parse("[ipv6:2001:db8::1]:587", false, &hop), 0);
    assert_string_equal(hop.host, "2001:db8::1");
    assert_int_equal(hop.port, 587);
    smtp_nexthop_free(&hop);
    assert_int_equal(parse("[IPv6:::1]", false, &hop), 0);
    assert_string_equal(hop.host, "::1");
    smtp_nexthop_free(&hop);
    assert_int_equal(parse("[::1]:26", false, &hop), 0);
    assert_string_equal(hop.host, "::1");
    assert_int_equal(hop.port, 26);
    smtp_nexthop_free(&hop);
}

/* test_lmtp_forms - inet:, unix:, the LMTP default port */
static void
test_lmtp_forms(void **unused)
{
    SMTP_NEXTHOP hop;

    assert_int_equal(parse("unix:/var/run/dovecot/lmtp", true, &hop), 0);
    assert_true(hop.is_unix);
    assert_string_equal(hop.host, "/var/run/dovecot/lmtp");
    smtp_nexthop_free(&hop);
    assert_int_equal(parse("inet:127.0.0.1:2424", true, &hop), 0);
    assert_false(hop.is_unix);
    assert_string_equal(hop.host, "127.0.0.1");
    assert_int_equal(hop.port, 2424);
    smtp_nexthop_free(&hop);
    assert_int_equal(parse("inet:lmtp.example.com", true, &hop), 0);
    assert_int_equal(hop.port, 24);
    smtp_nexthop_free(&hop);
    /* Not for SMTP: "unix:" is a host name with a bad port there. */
    assert_int_equal(parse("unix:/x", false, &hop), -1);
}

/* test_refused - malformed next hops */
static void
test_refused(void **unused)
{
    SMTP_NEXTHOP hop;

    assert_int_equal(parse("[127.0.0.1", false, &hop), -1);
    assert_int_equal(parse("[127.0.0.1]x", false, &hop), -1);
    assert_int_equal(parse("[]:25", false, &hop), -1);
    assert_int_equal(parse(":25", false, &hop), -1);
    assert_int_equal(parse("host:0", false, &hop), -1);
    assert_int_equal(parse("host:65536", false, &hop), -1);
    assert_int_equal(parse("host:123456", false, &hop), -1);
    assert_int_equal(parse("host:", false, &hop), -1);
    assert_int_equal(parse("host:nosuchservice-xyz", false, &hop), -1);
    assert_int_equal(parse("a:b:c", false, &hop), -1);
    assert_int_equal(parse("unix:", true, &hop), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_host),
        cmocka_unit_test(test_host_port),
        cmocka_unit_test(test_bracketed),
        cmocka_unit_test(test_lmtp_forms),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
