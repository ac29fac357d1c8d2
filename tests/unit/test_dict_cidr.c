/* test_dict_cidr - unit tests for cidr: tables: IPv4 and IPv6 networks of
 * many prefix lengths, bare addresses, [bracket] forms, "!" negation,
 * if/endif nesting, the two families kept apart, keys that are not
 * addresses, and the "PATH:LINE:" warning of each kind of bad rule (host
 * bits, prefix lengths, syntax) with the rest of the table still answering.
 * Expected results were checked against Postfix 3.7's "postmap -q". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"

/* test_ipv4 - exact addresses and networks, first match wins */
static void
test_ipv4(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "# Rule order matters.\n"
                                "192.168.1.1\t\tOK\n"
                                "192.168.0.0/16  REJECT  too  wide\n"
                                "10.0.0.0/8 ten\n"
                                "0.0.0.0/0 any\n");

    assert_int_equal(fixture_warning_count(), 0);
    assert_true(dict->flags & DICT_FLAG_PATTERN);
    assert_string_equal(dict->type->name, "cidr");
    assert_non_null(dict->watch_path);
    fixture_expect(dict, "192.168.1.1", "OK");
    fixture_expect(dict, "192.168.1.2", "REJECT  too  wide");
    fixture_expect(dict, "192.168.255.255", "REJECT  too  wide");
    fixture_expect(dict, "192.169.0.0", "any");
    fixture_expect(dict, "10.255.0.1", "ten");
    fixture_expect(dict, "255.255.255.255", "any");
    dict_close(dict);
}

/* test_ipv6 - exact and network rules; case, zero compression and
 * leading zeros do not matter */
static void
test_ipv6(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "2001:db8::1 exact\n"
                                "2001:DB8:0:0::/32 doc\n"
                                "fe80::/10 link-local\n"
                                "::/0 any6\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "2001:db8::1", "exact");
    fixture_expect(dict, "2001:0DB8:0000::0001", "exact");
    fixture_expect(dict, "2001:db8:ffff::2", "doc");
    fixture_expect(dict, "febf::1", "link-local");
    fixture_expect(dict, "fec0::1", "any6");
    fixture_expect(dict, "::1", "any6");
    dict_close(dict);
}

/* test_prefix_lengths - odd prefixes in both families cut inside bytes */
static void
test_prefix_lengths(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "128.0.0.0/1 upper-half\n"
                                "10.0.0.0/7 seven\n"
                                "12.128.0.0/9 nine\n"
                                "20.0.0.2/31 pair\n"
                                "20.0.0.5/32 host\n"
                                "2001:db8::/127 v6pair\n"
                                "2001:db8:0:0:8000::/65 v6-65\n"
                                "2001:db8::/128 v6host\n"
                                "8000::/1 v6-upper\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "200.1.2.3", "upper-half");
    fixture_expect(dict, "11.255.255.255", "seven");
    fixture_expect(dict, "12.0.0.0", NULL);
    fixture_expect(dict, "12.200.0.0", "nine");
    fixture_expect(dict, "12.127.0.0", NULL);
    fixture_expect(dict, "20.0.0.3", "pair");
    fixture_expect(dict, "20.0.0.4", NULL);
    fixture_expect(dict, "20.0.0.5", "host");
    fixture_expect(dict, "2001:db8::1", "v6pair");
    fixture_expect(dict, "2001:db8::2", NULL);
    fixture_expect(dict, "2001:db8::ffff:ffff:ffff:ffff", "v6-65");
    fixture_expect(dict, "2001:db8::7fff:ffff:ffff:ffff", NULL);
    fixture_expect(dict, "ffff::", "v6-upper");
    dict_close(dict);
}

/* test_brackets - "[addr]", "[addr]/len" and "[addr/len]" */
static void
test_brackets(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "[1.2.3.4] bare\n"
                                "[172.16.0.0]/12 after\n"
                                "[2001:db9::]/32 v6after\n"
                                "[2001:dba::/32] v6inside\n"
                                "[::1] loopback\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "1.2.3.4", "bare");
    fixture_expect(dict, "172.31.0.1", "after");
    fixture_expect(dict, "2001:db9::5", "v6after");
    fixture_expect(dict, "2001:dba::5", "v6inside");
    fixture_expect(dict, "::1", "loopback");
    /* Keys are plain addresses: brackets there are not understood. */
    fixture_expect(dict, "[1.2.3.4]", NULL);
    fixture_expect(dict, "[::1]", NULL);
    dict_close(dict);
}

/* test_negation - "!" rules, with or without blanks; a negated rule never
 * applies to a key of the other family */
static void
test_negation(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "!!10.1.0.0/16 double\n"
                                "!10.0.0.0/8 not-ten\n"
                                "! 2001:db8::/32 not-doc\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "10.1.2.3", "double");
    fixture_expect(dict, "11.0.0.1", "not-ten");
    fixture_expect(dict, "10.2.0.1", NULL);
    fixture_expect(dict, "::1", "not-doc");
    fixture_expect(dict, "2001:db8::1", NULL);
    dict_close(dict);
}

/* test_families_apart - v4 keys never match v6 rules and the other way
 * round, IPv4-mapped IPv6 included (as in Postfix) */
static void
test_families_apart(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "1.2.3.0/24 v4\n"
                                "::ffff:5.6.7.0/120 mapped\n"
                                "if ::/0\n"
                                "0.0.0.0/0 never\n"
                                "endif\n"
                                "if !10.0.0.0/8\n"
                                "::/0 never6\n"
                                "endif\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "1.2.3.4", "v4");
    fixture_expect(dict, "::ffff:1.2.3.4", NULL);
    fixture_expect(dict, "5.6.7.8", NULL);
    fixture_expect(dict, "::ffff:5.6.7.8", "mapped");
    fixture_expect(dict, "::FFFF:5.6.7.8", "mapped");
    fixture_expect(dict, "0:0:0:0:0:ffff:506:708", "mapped");
    fixture_expect(dict, "9.9.9.9", NULL);
    fixture_expect(dict, "::2", NULL);
    dict_close(dict);
}

/* test_if_nesting - three levels with a negated "if", upper case words */
static void
test_if_nesting(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "if 10.0.0.0/8\n"
                                "if ! 10.1.0.0/16\n"
                                "IF 10.2.0.0/16\n"
                                "10.2.3.0/24 in-10.2.3\n"
                                "0.0.0.0/0 in-10.2\n"
                                "ENDIF\n"
                                "0.0.0.0/0 in-10-not-10.1\n"
                                "endif\n"
                                "10.1.1.0/24 in-10.1.1\n"
                                "endif\n"
                                "0.0.0.0/0 outside\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "10.2.3.4", "in-10.2.3");
    fixture_expect(dict, "10.2.4.4", "in-10.2");
    fixture_expect(dict, "10.3.0.1", "in-10-not-10.1");
    fixture_expect(dict, "10.1.1.1", "in-10.1.1");
    fixture_expect(dict, "10.1.2.1", "outside");
    fixture_expect(dict, "11.0.0.1", "outside");
    dict_close(dict);
}

/* test_host_bits - a network with bits set after its prefix is rejected
 * with a suggestion, in both families */
static void
test_host_bits(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "10.0.0.1/8 v4\n"
                                "2001:db8::1/32 v6\n"
                                "[1.2.3.4]/24 bracket\n"
                                "0.0.0.0/0 rest\n");

    fixture_warned(1, "non-null host address bits in \"10.0.0.1/8\","
                   " perhaps you should use \"10.0.0.0/8\" instead:"
                   " skipping this rule");
    fixture_warned(2, "non-null host address bits in \"2001:db8::1/32\","
                   " perhaps you should use \"2001:db8::/32\" instead:"
                   " skipping this rule");
    fixture_warned(3, "non-null host address bits in \"1.2.3.4/24\","
                   " perhaps you should use \"1.2.3.0/24\" instead");
    assert_int_equal(fixture_warning_count(), 3);
    fixture_expect(dict, "10.0.0.1", "rest");
    fixture_expect(dict, "2001:db8::1", NULL);
    dict_close(dict);
}

/* test_bad_patterns - each kind of bad rule: PATH:LINE warning, skipped */
static void
test_bad_patterns(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "10.0.0.0/33 a\n"
                                "2001:db8::/129 b\n"
                                "10.0.0.0/ c\n"
                                "10.0.0.0/-1 d\n"
                                "::/0x e\n"
                                "garbage/8 f\n"
                                "010.0.0.0/8 g\n"
                                "1.2.3 h\n"
                                "fe80::1%eth0 i\n"
                                "[1.2.3.4 j\n"
                                "[1.2.3.4]x k\n"
                                "1.2.3.4\n"
                                "!\n"
                                "10.0.0.0/99999999999 l\n"
                                "1.2.3.0/24 good\n");

    fixture_warned(1, "bad mask length in \"10.0.0.0/33\": skipping");
    fixture_warned(2, "bad mask length in \"2001:db8::/129\"");
    fixture_warned(3, "bad mask value in \"10.0.0.0/\"");
    fixture_warned(4, "bad mask value in \"10.0.0.0/-1\"");
    fixture_warned(5, "bad mask value in \"::/0x\"");
    fixture_warned(6, "bad network value in \"garbage/8\"");
    fixture_warned(7, "bad network value in \"010.0.0.0/8\"");
    fixture_warned(8, "bad address pattern: \"1.2.3\": skipping this rule");
    fixture_warned(9, "bad address pattern: \"fe80::1%eth0\"");
    fixture_warned(10, "missing ']' character after \"[1.2.3.4\"");
    fixture_warned(11, "garbage after \"[1.2.3.4]\"");
    fixture_warned(12, "no lookup result: skipping this rule");
    fixture_warned(13, "no address pattern: skipping this rule");
    fixture_warned(14, "bad mask length in \"10.0.0.0/99999999999\"");
    assert_int_equal(fixture_warning_count(), 14);
    fixture_expect(dict, "1.2.3.4", "good");
    fixture_expect(dict, "10.0.0.1", NULL);
    dict_close(dict);
}

/* test_if_errors - "endif" with text is skipped (so it closes nothing),
 * "endif" without "if", "if" without "endif", "if" with extra text */
static void
test_if_errors(void **state)
{
    DICT   *dict = fixture_open("cidr",
                                "if 10.0.0.0/8 extra\n"
                                "if 10.0.0.0/8\n"
                                "endif extra\n"
                                "endif\n"
                                "endif\n"
                                "if 20.0.0.0/8\n"
                                "if\n"
                                "20.1.0.0/16 twenty-one\n");

    fixture_warned(1, "bad mask value in \"10.0.0.0/8 extra\"");
    fixture_warned(3, "garbage after ENDIF: skipping this line");
    fixture_warned(5, "ignoring ENDIF without matching IF");
    fixture_warned(7, "no address pattern: skipping this rule");
    fixture_warned(6, "IF has no matching ENDIF");
    assert_int_equal(fixture_warning_count(), 5);
    fixture_expect(dict, "20.1.2.3", "twenty-one");
    fixture_expect(dict, "20.2.2.3", NULL);
    dict_close(dict);
}

/* test_bad_keys - keys that are not IP addresses are simply not found */
static void
test_bad_keys(void **state)
{
    static const char *const keys[] = {
        "", "foo", "mail.example.com", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4x",
        "1.2.3", "1.2.3.4.5", "256.1.1.1", "001.2.3.4", "1.2.3.04",
        "[1.2.3.4]", "fe80::1%eth0", "2001:db8::/32", "1.2.3.4/32", ":::",
    };
    DICT   *dict = fixture_open("cidr",
                                "0.0.0.0/0 any4\n"
                                "::/0 any6\n"
                                "!0.0.0.0/0 never\n");

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        fixture_expect(dict, keys[i], NULL);
    fixture_expect(dict, "1.2.3.4", "any4");
    fixture_expect(dict, "::", "any6");
    dict_close(dict);
}

/* test_empty_table - no rules */
static void
test_empty_table(void **state)
{
    DICT   *dict = fixture_open("cidr", "# nothing\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "1.2.3.4", NULL);
    fixture_expect(dict, "::1", NULL);
    dict_close(dict);
}

/* test_open_errors - a missing file; writing is refused */
static void
test_open_errors(void **state)
{
    char    spec[sizeof(fixture_dir) + 32];

    snprintf(spec, sizeof(spec), "cidr:%s/missing", fixture_dir);
    buf_reset(fixture_why);
    assert_null(dict_open(spec, O_RDONLY, DICT_FLAG_DEFAULT, fixture_why));
    assert_non_null(strstr(buf_str(fixture_why), "/missing: "));
    snprintf(spec, sizeof(spec), "cidr:%s", fixture_write("rw", "::/0 x\n"));
    assert_null(dict_open(spec, O_RDWR | O_CREAT, DICT_FLAG_DEFAULT,
                          fixture_why));
    assert_non_null(strstr(buf_str(fixture_why), "requires O_RDONLY"));
}

/* test_inline - "cidr:{ {rule}, {rule} }" (Postfix 3.7) */
static void
test_inline(void **state)
{
    DICT   *dict = dict_open("cidr:{ {10.0.0.0/8 ten}, {!::/0 v4} }",
                             O_RDONLY, DICT_FLAG_DEFAULT, fixture_why);

    assert_non_null(dict);
    fixture_expect(dict, "10.1.2.3", "ten");
    fixture_expect(dict, "11.1.2.3", NULL);
    fixture_expect(dict, "::1", NULL);
    dict_close(dict);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_prefix_lengths),
        cmocka_unit_test(test_brackets),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_families_apart),
        cmocka_unit_test(test_if_nesting),
        cmocka_unit_test(test_host_bits),
        cmocka_unit_test(test_bad_patterns),
        cmocka_unit_test(test_if_errors),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_inline),
    };

    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
