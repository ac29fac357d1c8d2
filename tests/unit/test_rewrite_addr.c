/* test_rewrite_addr - trivial-rewrite's "rewrite" rules against Postfix.
 *
 * rewrite_addr_cases.h holds Postfix 3.7.11's answers under eight
 * configurations; this test checks every address under every
 * configuration and both rules, then cleanup's view (internal form)
 * and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "rewrite_addr.h"
#include "rewrite_addr_cases.h"

#define ORIGIN  "host.example.com"
#define DOMAIN  "example.com"

static const REWRITE_ADDR_SETTINGS settings[CONFIG_COUNT] = {
    [DEFAULT] = {ORIGIN, DOMAIN, "", 1, 0, 1, 1},
    [DOT] = {ORIGIN, DOMAIN, "", 1, 1, 1, 1},
    [DOT_SHORTORIGIN] = {"host", DOMAIN, "", 1, 1, 1, 1},
    [NOORIGIN] = {ORIGIN, DOMAIN, "", 0, 0, 1, 1},
    [NOBANG_NOPERCENT] = {ORIGIN, DOMAIN, "", 1, 0, 0, 0},
    [NOBANG] = {ORIGIN, DOMAIN, "", 1, 0, 0, 1},
    [REMOTE_DOMAIN] = {ORIGIN, DOMAIN, "remote.example", 1, 1, 1, 1},
    [REMOTE_SHORT] = {ORIGIN, DOMAIN, "remote", 1, 1, 1, 1},
};

#define CASE_COUNT (sizeof(cases) / sizeof(cases[0]))

/* expected - Postfix's answer for this address, configuration, rule */
static const char *
expected(const char *addr, int config, REWRITE_ADDR_CONTEXT context)
{
    const char *fallback = NULL;

    for (size_t i = 0; i < CASE_COUNT; i++) {
        if (strcmp(cases[i].addr, addr) != 0 || cases[i].context != context)
            continue;
        if (cases[i].config == config)
            return cases[i].want;
        if (cases[i].config == DEFAULT)
            fallback = cases[i].want;
    }
    return fallback;
}

/* test_postfix_table - every address, configuration and rule */
static void
test_postfix_table(void **state)
{
    BUF    *got = buf_alloc(100);
    int     checked = 0;
    int     failed = 0;
    const char *want;

    for (size_t i = 0; i < CASE_COUNT; i++) {
        if (cases[i].config != DEFAULT)
            continue;
        for (int config = 0; config < CONFIG_COUNT; config++) {
            want = expected(cases[i].addr, config, cases[i].context);
            assert_non_null(want);
            rewrite_addr(settings + config, cases[i].context,
                         cases[i].addr, got);
            checked++;
            if (strcmp(buf_str(got), want) != 0) {
                print_error("config %d rule %s: <%s> gave <%s>, want <%s>\n",
                            config, cases[i].context == L ? "local" : "remote",
                            cases[i].addr, buf_str(got), want);
                failed++;
            }
        }
    }
    buf_free(got);
    assert_int_equal(failed, 0);
    assert_true(checked >= 2000);
}

/* test_context_names - the rule names of a rewrite request */
static void
test_context_names(void **state)
{
    assert_int_equal(rewrite_addr_context("local"), REWRITE_ADDR_LOCAL);
    assert_int_equal(rewrite_addr_context("remote"), REWRITE_ADDR_REMOTE);
    assert_int_equal(rewrite_addr_context("bogus"), -1);
    assert_int_equal(rewrite_addr_context(""), -1);
}

/* check_internal - rewrite_addr_internal of addr gives want */
static void
check_internal(const char *addr, const char *want)
{
    BUF    *got = buf_alloc(10);

    rewrite_addr_internal(settings + DEFAULT, L, addr, got);
    assert_string_equal(buf_str(got), want);
    buf_free(got);
}

/* test_internal - envelope recipients as cleanup recorded them: the
 * original_recipient record (internal form) and the recipient record */
static void
test_internal(void **state)
{
    check_internal("foo bar@x", "foo bar@x");
    check_internal("a\"b@x", "a\"b@x");
    check_internal("a\\b@x", "a\\b@x");
    check_internal("a@b@x", "a@b@x");
    check_internal("@a:b c@d", "b c@d");
    check_internal("a b", "a b@host.example.com");
    check_internal("@x", "@x");
    check_internal("a.b@x", "a.b@x");
    check_internal("a,b@x", "a,b@x");
    check_internal("x@y z", "x@y z");
    check_internal("a@[1.2.3.4]", "a@[1.2.3.4]");
    check_internal("joe", "joe@host.example.com");
    check_internal("a>", "a>@host.example.com");
    check_internal("<a", "<a@host.example.com");
    check_internal(":a", ":a@host.example.com");
    check_internal("a@x.", "a@x");
    check_internal("a@[x]y]", "a@[x] y]");
    check_internal("a@[x\\y]", "a@[xy]");
    check_internal("ab", "ab@host.example.com");
    check_internal("", "");
}

/* test_hostile - odd input never crashes and gives something sane */
static void
test_hostile(void **state)
{
    BUF    *got = buf_alloc(10);
    BUF    *big = buf_alloc(10);

    rewrite_addr(settings + DOT, L, "   ", got);
    assert_string_equal(buf_str(got), "");
    rewrite_addr(settings + DOT, L, "\t(", got);
    assert_string_equal(buf_str(got), "\"(\"@host.example.com");
    for (int i = 0; i < 20000; i++)
        buf_strcat(big, "a!");
    rewrite_addr(settings + DEFAULT, L, buf_str(big), got);
    assert_int_equal(buf_len(got), 2 * 20000);
    assert_string_equal(buf_str(got) + buf_len(got) - 3, "!@a");
    buf_reset(big);
    for (int i = 0; i < 20000; i++)
        buf_strcat(big, "@r:");
    rewrite_addr(settings + DEFAULT, L, buf_str(big), got);
    /* One route is stripped; the rest is a route and a quoted local part. */
    assert_int_equal(strncmp(buf_str(got), "@r:\"@r:@r:", 10), 0);
    assert_string_equal(buf_str(got) + buf_len(got) - 5, ":\"@r:");
    buf_free(big);
    buf_free(got);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_postfix_table),
        cmocka_unit_test(test_context_names),
        cmocka_unit_test(test_internal),
        cmocka_unit_test(test_hostile),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
