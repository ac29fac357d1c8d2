/* test_mx_addr - unit tests for mx_addr_lookup and own_inet_addr without
 * a network: numeric hosts and numeric "domains" (which Postfix looks up
 * as hosts after the MX lookup refuses them), inet_protocols, loop
 * detection against inet_interfaces and proxy_interfaces with Postfix's
 * words ("mail for X loops back to myself", 5.4.6). The DNS paths are
 * covered by tests/system/test_dns.py against a real name server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "dsn_buf.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mx_addr.h"
#include "own_inet_addr.h"

/* configure - defaults plus one setting, and fresh own addresses */
static void
configure(const char *name, const char *value)
{
    mail_conf_reset();
    if (name != NULL)
        mail_conf_update(name, value);
    mail_params_init();
    own_inet_addr_reset();
}

/* lookup - "ok PREF/NAME/ADDR..." or "STATUS REASON" */
static const char *
lookup(const char *name, int flags)
{
    static char out[1000];
    char    text[INET6_ADDRSTRLEN];
    DSN_BUF *why = dsb_create();
    MX_ADDR_LIST list;
    size_t  len;

    if (mx_addr_lookup(name, flags, &list, why) < 0) {
        snprintf(out, sizeof(out), "%s %s", buf_str(why->status),
                 buf_str(why->reason));
        assert_int_equal(list.count, 0);
    } else {
        len = (size_t) snprintf(out, sizeof(out), "ok");
        for (size_t i = 0; i < list.count; i++)
            len += (size_t) snprintf(out + len, sizeof(out) - len,
                                     " %u/%s/%s", list.addr[i].pref,
                                     list.addr[i].name,
                                     mx_addr_text(list.addr + i, text,
                                                  sizeof(text)));
        mx_addr_list_free(&list);
    }
    dsb_free(why);
    return out;
}

/* test_numeric - address literals need no DNS */
static void
test_numeric(void **state)
{
    (void) state;
    configure(NULL, NULL);
    assert_string_equal(lookup("[192.0.2.1]", 0), "ok 0/192.0.2.1/192.0.2.1");
    assert_string_equal(lookup("192.0.2.1", 0), "ok 0/192.0.2.1/192.0.2.1");
    assert_string_equal(lookup("[2001:db8::1]", MX_ADDR_FLAG_MX),
                        "ok 0/2001:db8::1/2001:db8::1");
    assert_string_equal(lookup("192.0.2.7", MX_ADDR_FLAG_MX),
                        "ok 0/192.0.2.7/192.0.2.7");
}

/* test_protocols - an address of a family that is off is no address */
static void
test_protocols(void **state)
{
    (void) state;
    configure("inet_protocols", "ipv4");
    assert_string_equal(lookup("[2001:db8::1]", 0), "5.4.4 Name service "
                        "error for 2001:db8::1: invalid host or domain name");
    assert_string_equal(lookup("[192.0.2.1]", 0), "ok 0/192.0.2.1/192.0.2.1");
    configure("inet_protocols", "ipv6");
    assert_string_equal(lookup("[192.0.2.1]", 0), "5.4.4 Name service "
                        "error for 192.0.2.1: invalid host or domain name");
}

#define LOOP_MX (MX_ADDR_FLAG_MX | MX_ADDR_FLAG_LOOP)

/* test_loop - with MX_ADDR_FLAG_LOOP (port 25) this host's addresses
 * bounce, "[host]" included; without it nothing does */
static void
test_loop(void **state)
{
    (void) state;
    configure("inet_interfaces", "127.0.0.1");
    assert_string_equal(lookup("127.0.0.1", LOOP_MX),
                        "5.4.6 mail for 127.0.0.1 loops back to myself");
    assert_string_equal(lookup("[127.0.0.1]", LOOP_MX),
                        "5.4.6 mail for 127.0.0.1 loops back to myself");
    assert_string_equal(lookup("127.0.0.1", MX_ADDR_FLAG_LOOP),
                        "5.4.6 mail for 127.0.0.1 loops back to myself");
    assert_string_equal(lookup("127.0.0.1", MX_ADDR_FLAG_MX),
                        "ok 0/127.0.0.1/127.0.0.1");
    assert_string_equal(lookup("[127.0.0.1]", 0), "ok 0/127.0.0.1/127.0.0.1");
    assert_string_equal(lookup("127.0.0.2", LOOP_MX),
                        "ok 0/127.0.0.2/127.0.0.2");
    configure("proxy_interfaces", "[192.0.2.9], 192.0.2.10");
    assert_string_equal(lookup("192.0.2.9", LOOP_MX),
                        "5.4.6 mail for 192.0.2.9 loops back to myself");
    assert_string_equal(lookup("192.0.2.10", LOOP_MX),
                        "5.4.6 mail for 192.0.2.10 loops back to myself");
    configure("inet_interfaces", "loopback-only");
    assert_string_equal(lookup("::1", LOOP_MX),
                        "5.4.6 mail for ::1 loops back to myself");
}

/* test_own - the lists behind loop detection */
static void
test_own(void **state)
{
    struct in_addr v4;
    struct in6_addr v6;
    BUF    *why = buf_alloc(10);

    (void) state;
    configure("inet_interfaces", "127.0.0.1, [::1]");
    inet_pton(AF_INET, "127.0.0.1", &v4);
    inet_pton(AF_INET6, "::1", &v6);
    assert_int_equal(own_inet_addr_match(AF_INET, &v4, why), 1);
    assert_int_equal(own_inet_addr_match(AF_INET6, &v6, why), 1);
    inet_pton(AF_INET, "127.0.0.2", &v4);
    assert_int_equal(own_inet_addr_match(AF_INET, &v4, why), 0);
    configure("inet_interfaces", "all");
    inet_pton(AF_INET, "127.0.0.1", &v4);
    assert_int_equal(own_inet_addr_match(AF_INET, &v4, why), 1);
    configure("inet_interfaces", "localhost");
    assert_int_equal(own_inet_addr_match(AF_INET, &v4, why), 1);
    buf_free(why);
}

/* test_text - addresses as text */
static void
test_text(void **state)
{
    MX_ADDR addr = {.family = AF_INET6};
    char    buf[INET6_ADDRSTRLEN];

    (void) state;
    inet_pton(AF_INET6, "2001:db8::1", &addr.addr.v6);
    assert_string_equal(mx_addr_text(&addr, buf, sizeof(buf)), "2001:db8::1");
    addr.family = AF_INET;
    inet_pton(AF_INET, "192.0.2.1", &addr.addr.v4);
    assert_string_equal(mx_addr_text(&addr, buf, sizeof(buf)), "192.0.2.1");
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_own),
        cmocka_unit_test(test_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
