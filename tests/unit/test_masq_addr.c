/* test_masq_addr - unit tests for masq_addr: masquerade_domains (first
 * match wins, equal domains stay, "!" exceptions, lowercased results),
 * masquerade_exceptions (whole quoted local part, any case, tables,
 * consulted before the domains, a failing table), masquerade_classes and
 * addresses without a domain, as observed with Postfix 3.7.11's
 * cleanup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "addr_map.h"
#include "masq_addr.h"

#define TEST(test)  FIXTURE_TEST(test)

#define DEFAULT_CLASSES "envelope_sender, header_sender, header_recipient"

/* create - a MASQ_ADDR that must be created */
static MASQ_ADDR *
create(const char *domains, const char *exceptions, const char *classes)
{
    MASQ_ADDR_SETTINGS s = {
        .masquerade_domains = domains,
        .masquerade_exceptions = exceptions,
        .masquerade_classes = classes,
    };
    MASQ_ADDR *masq = masq_addr_create(&s, fixture_why);

    if (masq == NULL)
        fail_msg("masq_addr_create: %s", buf_str(fixture_why));
    return masq;
}

/* masked_as - the address after masquerading as addr_class, "RETRY:
 * reason" on failure (valid until the next call); masked() treats it
 * as an envelope sender */
static const char *
masked_as(MASQ_ADDR *masq, int addr_class, const char *addr)
{
    static BUF *result;
    int     status;

    if (result == NULL)
        result = buf_alloc(100);
    buf_reset(fixture_why);
    status = masq_addr(masq, addr_class, addr, result, fixture_why);
    if (status < 0)
        buf_sprintf(result, "RETRY: %s", buf_str(fixture_why));
    else
        assert_int_equal(status, strcmp(buf_str(result), addr) != 0);
    return buf_str(result);
}

#define masked(masq, addr) masked_as((masq), ADDR_CLASS_ENV_SENDER, (addr))

/* test_first_match - the list is tried left to right; a domain equal to
 * an entry stops the search unchanged */
static void
test_first_match(void **state)
{
    MASQ_ADDR *masq = create("foo.ex.test ex.test", "", DEFAULT_CLASSES);

    assert_string_equal(masked(masq, "u@any.thing.foo.ex.test"),
                        "u@foo.ex.test");
    assert_string_equal(masked(masq, "u@any.thing.else.ex.test"),
                        "u@ex.test");
    assert_string_equal(masked(masq, "u@ex.test"), "u@ex.test");
    assert_string_equal(masked(masq, "u@foo.ex.test"), "u@foo.ex.test");
    assert_string_equal(masked(masq, "u@Host.EX.Test"), "u@ex.test");
    assert_string_equal(masked(masq, "u@hostex.test"), "u@hostex.test");
    assert_string_equal(masked(masq, "u@a.ex.test.other"),
                        "u@a.ex.test.other");
    assert_string_equal(masked(masq, "a b@h.ex.test"), "a b@ex.test");
    assert_string_equal(masked(masq, "u+x@h.ex.test"), "u+x@ex.test");
    assert_string_equal(masked(masq, "u@[1.2.3.4]"), "u@[1.2.3.4]");
    masq_addr_free(masq);
    masq = create("ex.test, foo.ex.test", NULL, DEFAULT_CLASSES);
    assert_string_equal(masked(masq, "u@a.foo.ex.test"), "u@ex.test");
    assert_string_equal(masked(masq, "u@foo.ex.test"), "u@ex.test");
    masq_addr_free(masq);
}

/* test_negation - "!name" leaves name and its subdomains alone */
static void
test_negation(void **state)
{
    MASQ_ADDR *masq = create("!foo.ex.test ex.test", NULL, DEFAULT_CLASSES);

    assert_string_equal(masked(masq, "u@a.foo.ex.test"), "u@a.foo.ex.test");
    assert_string_equal(masked(masq, "u@foo.ex.test"), "u@foo.ex.test");
    assert_string_equal(masked(masq, "u@a.b.ex.test"), "u@ex.test");
    masq_addr_free(masq);
}

/* test_entry_forms - entries are plain lowercased names: a leading dot
 * matches nothing, a table is just a name */
static void
test_entry_forms(void **state)
{
    MASQ_ADDR *masq = create(".ex.test", NULL, DEFAULT_CLASSES);

    assert_string_equal(masked(masq, "u@a.ex.test"), "u@a.ex.test");
    assert_string_equal(masked(masq, "u@ex.test"), "u@ex.test");
    masq_addr_free(masq);
    masq = create("EX.test", NULL, DEFAULT_CLASSES);
    assert_string_equal(masked(masq, "u@a.ex.test"), "u@ex.test");
    assert_string_equal(masked(masq, "u@Host.EX.Test"), "u@ex.test");
    masq_addr_free(masq);
    masq = create(fixture_spec("texthash", fixture_write("m", "ex.test x\n")),
                  NULL, DEFAULT_CLASSES);
    assert_string_equal(masked(masq, "u@a.ex.test"), "u@a.ex.test");
    masq_addr_free(masq);
}

/* test_no_domain - only addresses with a domain are masqueraded */
static void
test_no_domain(void **state)
{
    MASQ_ADDR *masq = create("ex.test", "fail:x", DEFAULT_CLASSES);

    assert_string_equal(masked(masq, "joe"), "joe");
    assert_string_equal(masked(masq, ""), "");
    assert_string_equal(buf_str(fixture_warnings), "");
    masq_addr_free(masq);
}

/* test_exceptions - whole local parts, any case, extension included */
static void
test_exceptions(void **state)
{
    MASQ_ADDR *masq = create("ex.test", "root, Mailer-Daemon",
                             DEFAULT_CLASSES);

    assert_string_equal(masked(masq, "root@a.ex.test"), "root@a.ex.test");
    assert_string_equal(masked(masq, "ROOT@a.ex.test"), "ROOT@a.ex.test");
    assert_string_equal(masked(masq, "root+x@a.ex.test"), "root+x@ex.test");
    assert_string_equal(masked(masq, "mailer-daemon@a.ex.test"),
                        "mailer-daemon@a.ex.test");
    assert_string_equal(masked(masq, "joe@a.ex.test"), "joe@ex.test");
    masq_addr_free(masq);
}

/* test_exception_table - tables see the quoted local part */
static void
test_exception_table(void **state)
{
    const char *spec = fixture_spec("texthash", fixture_write("x",
                                    "bob x\n\"a..b\" x\na..c x\n"));
    MASQ_ADDR *masq = create("ex.test", spec, DEFAULT_CLASSES);

    assert_string_equal(masked(masq, "bob@a.ex.test"), "bob@a.ex.test");
    assert_string_equal(masked(masq, "BOB@a.ex.test"), "BOB@a.ex.test");
    assert_string_equal(masked(masq, "bob+x@a.ex.test"), "bob+x@ex.test");
    assert_string_equal(masked(masq, "a..b@a.ex.test"), "a..b@a.ex.test");
    assert_string_equal(masked(masq, "a..c@a.ex.test"), "a..c@ex.test");
    masq_addr_free(masq);
}

/* test_exception_failure - a failing exception table fails every
 * address with a domain, masqueraded or not */
static void
test_exception_failure(void **state)
{
    MASQ_ADDR *masq = create("ex.test", "fail:mx", DEFAULT_CLASSES);

    assert_string_equal(masked(masq, "s@a.ex.test"),
                        "RETRY: masquerade_exceptions map lookup problem");
    assert_string_equal(masked(masq, "s@x.test"),
                        "RETRY: masquerade_exceptions map lookup problem");
    assert_non_null(strstr(buf_str(fixture_warnings),
                           "masquerade_exceptions: fail:mx: table lookup "
                           "problem\n"));
    masq_addr_free(masq);
}

/* test_classes - by default everything but envelope recipients */
static void
test_classes(void **state)
{
    MASQ_ADDR *masq = create("ex.test", NULL, DEFAULT_CLASSES);
    MASQ_ADDR_SETTINGS bad = {
        .masquerade_domains = "ex.test",
        .masquerade_classes = "bogus",
    };

    assert_string_equal(masked_as(masq, ADDR_CLASS_HDR_SENDER, "u@h.ex.test"),
                        "u@ex.test");
    assert_string_equal(masked_as(masq, ADDR_CLASS_HDR_RCPT, "u@h.ex.test"),
                        "u@ex.test");
    assert_string_equal(masked_as(masq, ADDR_CLASS_ENV_RCPT, "u@h.ex.test"),
                        "u@h.ex.test");
    masq_addr_free(masq);
    masq = create("ex.test", NULL, "envelope_recipient");
    assert_string_equal(masked_as(masq, ADDR_CLASS_ENV_RCPT, "u@h.ex.test"),
                        "u@ex.test");
    assert_string_equal(masked(masq, "u@h.ex.test"), "u@h.ex.test");
    masq_addr_free(masq);
    masq = create("ex.test", NULL, "");
    assert_string_equal(masked(masq, "u@h.ex.test"), "u@h.ex.test");
    masq_addr_free(masq);
    assert_null(masq_addr_create(&bad, fixture_why));
    assert_string_equal(buf_str(fixture_why), "unknown masquerade_classes "
                        "value \"bogus\" in \"bogus\"");
}

/* test_bad_exceptions - a list match_list refuses */
static void
test_bad_exceptions(void **state)
{
    MASQ_ADDR_SETTINGS s = {
        .masquerade_domains = "ex.test",
        .masquerade_exceptions = "root, !",
        .masquerade_classes = DEFAULT_CLASSES,
    };

    assert_null(masq_addr_create(&s, fixture_why));
    assert_memory_equal(buf_str(fixture_why), "masquerade_exceptions: ", 23);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_first_match),
        TEST(test_negation),
        TEST(test_entry_forms),
        TEST(test_no_domain),
        TEST(test_exceptions),
        TEST(test_exception_table),
        TEST(test_exception_failure),
        TEST(test_classes),
        TEST(test_bad_exceptions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
