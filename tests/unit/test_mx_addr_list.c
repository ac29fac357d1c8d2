/* test_mx_addr_list - unit tests for the pure steps of mx_addr: sort by
 * preference and address family, shuffle of equal preferences, cut at
 * this host's preference, IPv4/IPv6 balance and the address limit, on
 * made-up lists (no DNS). The balance targets follow Postfix's
 * smtp_balance_inet_proto (regions R1, R2, R3 of its comment). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "mx_addr_list.h"

/* add - append "pref family addr" with the address as text */
static void
add(MX_ADDR_LIST *list, unsigned pref, const char *text)
{
    unsigned char bytes[16];
    int     family = strchr(text, ':') ? AF_INET6 : AF_INET;
    char    name[20];

    assert_int_equal(inet_pton(family, text, bytes), 1);
    snprintf(name, sizeof(name), "mx%u", pref);
    mx_addr_list_add(list, name, pref, family, bytes);
}

/* render - the list as "pref/addr pref/addr ..." */
static const char *
render(const MX_ADDR_LIST *list)
{
    static char out[1000];
    char    text[INET6_ADDRSTRLEN];
    size_t  len = 0;

    out[0] = 0;
    for (size_t i = 0; i < list->count; i++)
        len += (size_t) snprintf(out + len, sizeof(out) - len, "%s%u/%s",
                                 i ? " " : "", list->addr[i].pref,
                                 mx_addr_text(list->addr + i, text,
                                              sizeof(text)));
    return out;
}

/* mixed - a list with two preferences and both families */
static void
mixed(MX_ADDR_LIST *list)
{
    memset(list, 0, sizeof(*list));
    add(list, 20, "192.0.2.20");
    add(list, 10, "192.0.2.10");
    add(list, 20, "2001:db8::20");
    add(list, 10, "2001:db8::10");
    add(list, 30, "192.0.2.30");
}

/* test_sort - preference first; family order only when asked */
static void
test_sort(void **state)
{
    MX_ADDR_LIST list;

    (void) state;
    mixed(&list);
    mx_addr_list_sort(&list, AF_UNSPEC);
    assert_string_equal(render(&list), "10/192.0.2.10 10/2001:db8::10 "
                        "20/192.0.2.20 20/2001:db8::20 30/192.0.2.30");
    mx_addr_list_sort(&list, AF_INET6);
    assert_string_equal(render(&list), "10/2001:db8::10 10/192.0.2.10 "
                        "20/2001:db8::20 20/192.0.2.20 30/192.0.2.30");
    mx_addr_list_sort(&list, AF_INET);
    assert_string_equal(render(&list), "10/192.0.2.10 10/2001:db8::10 "
                        "20/192.0.2.20 20/2001:db8::20 30/192.0.2.30");
    assert_string_equal(list.addr[0].name, "mx10");
    mx_addr_list_free(&list);
    assert_int_equal(list.count, 0);
    assert_null(list.addr);
}

/* test_shuffle - equal preferences come out in both orders, the
 * preference order never changes */
static void
test_shuffle(void **state)
{
    MX_ADDR_LIST list;
    int     first_a = 0;
    int     first_b = 0;

    (void) state;
    for (int round = 0; round < 200; round++) {
        memset(&list, 0, sizeof(list));
        add(&list, 5, "192.0.2.5");
        add(&list, 10, "192.0.2.1");
        add(&list, 10, "192.0.2.2");
        add(&list, 20, "192.0.2.20");
        mx_addr_list_shuffle(&list);
        mx_addr_list_sort(&list, AF_UNSPEC);
        assert_int_equal(list.addr[0].pref, 5);
        assert_int_equal(list.addr[3].pref, 20);
        if (strcmp(render(&list), "5/192.0.2.5 10/192.0.2.1 10/192.0.2.2 "
                   "20/192.0.2.20") == 0)
            first_a++;
        else if (strcmp(render(&list), "5/192.0.2.5 10/192.0.2.2 "
                        "10/192.0.2.1 20/192.0.2.20") == 0)
            first_b++;
        else
            fail_msg("unexpected order %s", render(&list));
        mx_addr_list_free(&list);
    }
    assert_true(first_a > 20);
    assert_true(first_b > 20);
}

/* test_truncate - entries at this host's preference and worse go */
static void
test_truncate(void **state)
{
    MX_ADDR_LIST list;

    (void) state;
    mixed(&list);
    mx_addr_list_sort(&list, AF_INET);
    mx_addr_list_truncate(&list, 20);
    assert_string_equal(render(&list), "10/192.0.2.10 10/2001:db8::10");
    mx_addr_list_truncate(&list, 10);
    assert_int_equal(list.count, 0);
    mx_addr_list_free(&list);
}

/* test_limit - the first entries stay; 0 means no limit */
static void
test_limit(void **state)
{
    MX_ADDR_LIST list;

    (void) state;
    mixed(&list);
    mx_addr_list_limit(&list, 0);
    assert_int_equal(list.count, 5);
    mx_addr_list_limit(&list, 2);
    assert_string_equal(render(&list), "20/192.0.2.20 10/192.0.2.10");
    mx_addr_list_limit(&list, 7);
    assert_int_equal(list.count, 2);
    mx_addr_list_free(&list);
}

/* balanced - v4 and v6 entries of a balanced list of count entries */
static void
balanced(const char *first, int v4, int v6, size_t limit, const char *want)
{
    MX_ADDR_LIST list;
    char    text[INET6_ADDRSTRLEN];
    int     n4 = 0;
    int     n6 = 0;

    memset(&list, 0, sizeof(list));
    if (strcmp(first, "v6") == 0)
        add(&list, 0, "2001:db8::ff");
    for (int i = 0; i < v4; i++) {
        snprintf(text, sizeof(text), "192.0.2.%d", i + 1);
        add(&list, 0, text);
    }
    for (int i = strcmp(first, "v6") == 0; i < v6; i++) {
        snprintf(text, sizeof(text), "2001:db8::%d", i + 1);
        add(&list, 0, text);
    }
    mx_addr_list_balance(&list, limit);
    for (size_t i = 0; i < list.count; i++)
        list.addr[i].family == AF_INET ? n4++ : n6++;
    snprintf(text, sizeof(text), "%d+%d", n4, n6);
    assert_string_equal(text, want);
    mx_addr_list_free(&list);
}

/* test_balance - Postfix's targets in each region */
static void
test_balance(void **state)
{
    (void) state;
    balanced("v4", 3, 2, 5, "3+2");     /* within the limit */
    balanced("v4", 8, 0, 5, "8+0");     /* one family: untouched */
    balanced("v4", 8, 1, 5, "4+1");     /* R1: few v6 */
    balanced("v4", 1, 8, 5, "1+4");     /* R3: few v4 */
    balanced("v4", 8, 8, 5, "3+2");     /* R2, v4 first */
    balanced("v6", 8, 8, 5, "2+3");     /* R2, v6 first */
    balanced("v4", 8, 8, 4, "2+2");
}

/* test_balance_order - what stays keeps its order */
static void
test_balance_order(void **state)
{
    MX_ADDR_LIST list;

    (void) state;
    memset(&list, 0, sizeof(list));
    add(&list, 1, "192.0.2.1");
    add(&list, 2, "192.0.2.2");
    add(&list, 3, "192.0.2.3");
    add(&list, 4, "2001:db8::4");
    mx_addr_list_balance(&list, 3);
    assert_string_equal(render(&list), "1/192.0.2.1 2/192.0.2.2 "
                        "4/2001:db8::4");
    mx_addr_list_free(&list);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_shuffle),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_balance),
        cmocka_unit_test(test_balance_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
