/* test_dns_lookup - unit tests for the parts of src/global/dns_lookup.c
 * that need no name server: reverse names for PTR and DNS list queries,
 * the getaddrinfo words for lookup results, type names, and names that
 * are refused before any query. The queries themselves are tested against
 * NSD in tests/system/test_dns.py and test_smtpd_dns.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "dns_lookup.h"

/* test_reverse_v4 - "4.3.2.1." */
static void
test_reverse_v4(void **unused)
{
    BUF    *name = buf_alloc(10);

    assert_int_equal(dns_reverse_name("192.0.2.1", name), AF_INET);
    assert_string_equal(buf_str(name), "1.2.0.192.");
    assert_int_equal(dns_reverse_name("127.0.0.2", name), AF_INET);
    assert_string_equal(buf_str(name), "2.0.0.127.");
    buf_free(name);
}

/* test_reverse_v6 - 32 nibbles, the last first */
static void
test_reverse_v6(void **unused)
{
    BUF    *name = buf_alloc(10);

    assert_int_equal(dns_reverse_name("2001:db8::567:89ab", name), AF_INET6);
    assert_string_equal(buf_str(name),
                        "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0."
                        "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.");
    buf_free(name);
}

/* test_reverse_bad - no address, no name */
static void
test_reverse_bad(void **unused)
{
    BUF    *name = buf_alloc(10);

    assert_int_equal(dns_reverse_name("example.com", name), -1);
    assert_int_equal(dns_reverse_name("192.0.2.256", name), -1);
    assert_int_equal(dns_reverse_name("[192.0.2.1]", name), -1);
    assert_int_equal(dns_reverse_name("", name), -1);
    assert_string_equal(buf_str(name), "");
    buf_free(name);
}

/* test_gai_text - what getaddrinfo would have said */
static void
test_gai_text(void **unused)
{
    BUF    *why = buf_alloc(10);

    buf_strcpy(why, "Host or domain name not found. Name service error for "
               "name=x type=A: Host not found");
    assert_string_equal(dns_gai_text(DNS_NOTFOUND, why),
                        "Name or service not known");
    buf_strcpy(why, "Host or domain name not found. Name service error for "
               "name=x type=A: Host found but no data record of requested "
               "type");
    assert_string_equal(dns_gai_text(DNS_NOTFOUND, why),
                        "No address associated with hostname");
    assert_string_equal(dns_gai_text(DNS_RETRY, why),
                        "Temporary failure in name resolution");
    assert_string_equal(dns_gai_text(DNS_FAIL, why),
                        "Non-recoverable failure in name resolution");
    buf_free(why);
}

/* test_type_names - the names in error texts */
static void
test_type_names(void **unused)
{
    assert_string_equal(dns_type_name(DNS_TYPE_TXT), "TXT");
    assert_string_equal(dns_type_name(DNS_TYPE_NS), "NS");
    assert_string_equal(dns_type_name(DNS_TYPE_PTR), "PTR");
    assert_string_equal(dns_type_name(DNS_TYPE_MX), "MX");
}

/* test_invalid_names - refused before any query, for every type and for
 * a list of types */
static void
test_invalid_names(void **unused)
{
    static const int types[] = {DNS_TYPE_MX, DNS_TYPE_A, DNS_TYPE_AAAA, 0};
    BUF    *why = buf_alloc(10);
    DNS_RR_LIST list;

    assert_int_equal(dns_lookup("bad..name", DNS_TYPE_TXT, &list, why),
                     DNS_NOTFOUND);
    assert_int_equal(list.count, 0);
    assert_string_equal(buf_str(why), "Name service error for bad..name: "
                        "invalid host or domain name");
    assert_int_equal(dns_lookup("192.0.2.1", DNS_TYPE_PTR, &list, why),
                     DNS_NOTFOUND);
    assert_int_equal(dns_lookup_types("-bad-", types, DNS_STOP_OK, &list,
                                      why), DNS_NOTFOUND);
    assert_int_equal(list.count, 0);
    assert_string_equal(buf_str(why), "Name service error for -bad-: "
                        "invalid host or domain name");
    dns_rr_list_free(&list);
    buf_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reverse_v4),
        cmocka_unit_test(test_reverse_v6),
        cmocka_unit_test(test_reverse_bad),
        cmocka_unit_test(test_gai_text),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_invalid_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
