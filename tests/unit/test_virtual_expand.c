/* test_virtual_expand - unit tests for virtual_expand: the order of the
 * final recipients (first result in place, the others at the end), an
 * address among its own results kept and not expanded again, duplicates,
 * the recursion, expansion and address length limits with Postfix's
 * texts, table failures and extension propagation. Every table and
 * answer here was run through Postfix 3.7.11's cleanup (sendmail, then
 * postcat of the queue file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "virtual_expand.h"

#define TEST(test)  FIXTURE_TEST(test)

/* The tables of the observed runs. */
#define TREE \
    "a@v.test b@v.test, c@v.test, b@v.test\n" \
    "b@v.test d@x.test\n" \
    "c@v.test c@v.test, e@x.test, d@x.test\n" \
    "p@v.test pb@v.test, pc@v.test\n" \
    "pb@v.test p@x.test, q@x.test\n" \
    "pc@v.test r@x.test\n" \
    "dd@v.test db@v.test, dc@v.test\n" \
    "db@v.test z@x.test\n" \
    "dc@v.test z@x.test, db@v.test\n"

#define SELF \
    "self@v.test self@v.test\n" \
    "self1@v.test self1@v.test, o1@x.test\n" \
    "g@v.test o1@x.test, g@v.test, o2@x.test\n" \
    "g2@v.test o1@x.test, g2@v.test\n" \
    "sa@v.test sa@v.test, sb@v.test\n" \
    "sb@v.test sa@v.test, o2@x.test\n"

#define CHAINS \
    "x1@v.test x2@v.test\n" \
    "x2@v.test x3@v.test\n" \
    "x3@v.test x4@v.test\n" \
    "x4@v.test x5@v.test\n" \
    "loop1@v.test loop2@v.test, o1@x.test\n" \
    "loop2@v.test loop1@v.test\n" \
    "y1@v.test o1@x.test, y2@v.test\n" \
    "y2@v.test o2@x.test, y3@v.test\n" \
    "y3@v.test o3@x.test, y4@v.test\n" \
    "y4@v.test o4@x.test, y5@v.test\n" \
    "y5@v.test o5@x.test, y6@v.test\n"

#define WIDE \
    "l3@v.test o1@x.test, o2@x.test, o3@x.test\n" \
    "l4@v.test o1@x.test, o2@x.test, o3@x.test, o4@x.test\n" \
    "n@v.test nb@v.test, nc@v.test\n" \
    "nb@v.test o1@x.test, o2@x.test\n" \
    "nc@v.test o3@x.test, o4@x.test\n" \
    "k@v.test o1@x.test, o1@x.test, kb@v.test\n" \
    "kb@v.test o2@x.test, o3@x.test\n" \
    "e@v.test eb@v.test, ec@v.test\n" \
    "eb@v.test o1@x.test\n" \
    "ec@v.test o2@x.test\n" \
    "dl@v.test o1@x.test, o1@x.test\n" \
    "dm@v.test o1@x.test, o2@x.test, o1@x.test\n"

static const REWRITE_ADDR_SETTINGS rewrite = {
    .myorigin = "origin.test",
    .append_at_myorigin = 1,
};

/* create_maps - an expander over maps (a table list) with the limits */
static VIRTUAL_EXPAND *
create_maps(const char *maps, int recursion, int expansion, int length)
{
    VIRTUAL_EXPAND_SETTINGS s = {
        .virtual_alias_maps = maps,
        .propagate_unmatched_extensions = "canonical, virtual",
        .recursion_limit = recursion,
        .expansion_limit = expansion,
        .address_length_limit = length,
        .lookup = {.myorigin = "origin.test", .recipient_delimiter = "+",
        .rewrite = &rewrite},
    };
    VIRTUAL_EXPAND *expand = virtual_expand_create(&s, fixture_why);

    if (expand == NULL)
        fail_msg("virtual_expand_create: %s", buf_str(fixture_why));
    return expand;
}

/* create - the same over a texthash table with this text */
static VIRTUAL_EXPAND *
create(const char *text, int recursion, int expansion, int length)
{
    return create_maps(fixture_spec("texthash", fixture_write("v", text)),
                       recursion, expansion, length);
}

/* expanded - the recipients joined by " | ", or "LIMIT: reason" or
 * "RETRY: reason" (valid until the next call) */
static const char *
expanded(VIRTUAL_EXPAND *expand, const char *addr)
{
    static BUF *text;
    int     status;
    ARGV   *list;

    if (text == NULL)
        text = buf_alloc(100);
    buf_reset(fixture_why);
    list = virtual_expand(expand, addr, &status, fixture_why);
    buf_reset(text);
    if (status == VIRTUAL_EXPAND_OK) {
        assert_non_null(list);
        for (int i = 0; i < list->argc; i++)
            buf_sprintf_append(text, "%s%s", i ? " | " : "", list->argv[i]);
        argv_free(list);
    } else {
        assert_null(list);
        buf_sprintf(text, "%s: %s", status == VIRTUAL_EXPAND_LIMIT ?
                    "LIMIT" : "RETRY", buf_str(fixture_why));
    }
    return buf_str(text);
}

/* test_order - the first result replaces the address, the others go to
 * the end of the list; duplicates are dropped */
static void
test_order(void **state)
{
    VIRTUAL_EXPAND *expand = create(TREE, 1000, 1000, 1000);

    assert_string_equal(expanded(expand, "a@v.test"),
                        "d@x.test | c@v.test | e@x.test");
    assert_string_equal(expanded(expand, "p@v.test"),
                        "p@x.test | r@x.test | q@x.test");
    assert_string_equal(expanded(expand, "dd@v.test"), "z@x.test");
    assert_string_equal(expanded(expand, "other@v.test"), "other@v.test");
    virtual_expand_free(expand);
}

/* test_self - an address among its own results stays, once */
static void
test_self(void **state)
{
    VIRTUAL_EXPAND *expand = create(SELF, 1000, 1000, 1000);

    assert_string_equal(expanded(expand, "self@v.test"), "self@v.test");
    assert_string_equal(expanded(expand, "self1@v.test"),
                        "self1@v.test | o1@x.test");
    assert_string_equal(expanded(expand, "g@v.test"),
                        "o1@x.test | g@v.test | o2@x.test");
    assert_string_equal(expanded(expand, "g2@v.test"),
                        "o1@x.test | g2@v.test");
    assert_string_equal(expanded(expand, "sa@v.test"),
                        "sa@v.test | o2@x.test");
    virtual_expand_free(expand);
    /* A kept address needs no more recursion. */
    expand = create(SELF, 1, 1000, 1000);
    assert_string_equal(expanded(expand, "self1@v.test"),
                        "self1@v.test | o1@x.test");
    virtual_expand_free(expand);
}

/* test_recursion_limit - the replacements of one entry; results that go
 * to the end start counting again */
static void
test_recursion_limit(void **state)
{
    VIRTUAL_EXPAND *expand = create(CHAINS, 3, 100, 1000);

    assert_string_equal(expanded(expand, "x3@v.test"), "x5@v.test");
    assert_string_equal(expanded(expand, "x2@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps map nesting "
                        "for x2@v.test");
    assert_string_equal(expanded(expand, "x1@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps map nesting "
                        "for x1@v.test");
    assert_string_equal(expanded(expand, "loop1@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps map nesting "
                        "for loop1@v.test");
    assert_string_equal(expanded(expand, "y1@v.test"),
                        "o1@x.test | o2@x.test | o3@x.test | o4@x.test | "
                        "o5@x.test | y6@v.test");
    virtual_expand_free(expand);
    expand = create(CHAINS, 1000, 1000, 1000);
    assert_string_equal(expanded(expand, "x1@v.test"), "x5@v.test");
    virtual_expand_free(expand);
}

/* test_expansion_limit - the list length, duplicates included */
static void
test_expansion_limit(void **state)
{
    VIRTUAL_EXPAND *expand = create(WIDE, 1000, 3, 1000);

    assert_string_equal(expanded(expand, "l3@v.test"),
                        "o1@x.test | o2@x.test | o3@x.test");
    assert_string_equal(expanded(expand, "l4@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps map "
                        "expansion size for l4@v.test");
    assert_string_equal(expanded(expand, "n@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps map "
                        "expansion size for n@v.test");
    assert_string_equal(expanded(expand, "k@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps map "
                        "expansion size for k@v.test");
    virtual_expand_free(expand);
    expand = create(WIDE, 1000, 2, 1000);
    assert_string_equal(expanded(expand, "e@v.test"),
                        "o1@x.test | o2@x.test");
    assert_string_equal(expanded(expand, "dl@v.test"), "o1@x.test");
    assert_string_equal(expanded(expand, "dm@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps map "
                        "expansion size for dm@v.test");
    virtual_expand_free(expand);
}

/* test_length_limit - every result address; the text cut at 300 bytes */
static void
test_length_limit(void **state)
{
    BUF    *text = buf_alloc(1000);
    BUF    *want = buf_alloc(400);
    VIRTUAL_EXPAND *expand;

    buf_strcat(text, "b20@v.test abcdefghijklm@x.test\n"
               "b21@v.test abcdefghijklmn@x.test\n"
               "long2@v.test o2@x.test, averyveryverylongaddress@x.test\n"
               "long@v.test ");
    for (int i = 0; i < 600; i++)
        buf_addch(text, "abcdefghij"[i % 10]);
    buf_strcat(text, "@x.test\n");
    expand = create(buf_str(text), 1000, 1000, 20);
    assert_string_equal(expanded(expand, "b20@v.test"),
                        "abcdefghijklm@x.test");
    assert_string_equal(expanded(expand, "b21@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps result "
                        "abcdefghijklmn@x.test...");
    assert_string_equal(expanded(expand, "long2@v.test"),
                        "LIMIT: unreasonable virtual_alias_maps result "
                        "averyveryverylongaddress@x.test...");
    buf_strcpy(want, "LIMIT: unreasonable virtual_alias_maps result ");
    buf_append(want, buf_str(text) + strlen(buf_str(text)) - 608, 300);
    buf_strcat(want, "...");
    assert_string_equal(expanded(expand, "long@v.test"), buf_str(want));
    /* The recipient itself is not measured. */
    assert_string_equal(expanded(expand, "averyveryverylongaddress@x.test"),
                        "averyveryverylongaddress@x.test");
    virtual_expand_free(expand);
    buf_free(text);
    buf_free(want);
}

/* test_failure - a table failure names the recipient being expanded */
static void
test_failure(void **state)
{
    BUF    *spec = buf_alloc(100);
    VIRTUAL_EXPAND *expand;

    buf_sprintf(spec, "%s, fail:x", fixture_spec("texthash",
                                fixture_write("v", "a@v.test b@v.test\n")));
    expand = create_maps(buf_str(spec), 1000, 1000, 1000);
    assert_string_equal(expanded(expand, "a@v.test"),
                        "RETRY: virtual_alias_maps map lookup problem for "
                        "a@v.test");
    assert_non_null(strstr(buf_str(fixture_warnings),
                           "fail:x lookup error for \"b@v.test\"\n"));
    virtual_expand_free(expand);
    buf_free(spec);
}

/* test_extensions - the unmatched extension goes to every result, after
 * "@domain" and rewriting */
static void
test_extensions(void **state)
{
    VIRTUAL_EXPAND *expand = create("ext@v.test t1@x.test, t2@x.test\n"
                                    "m@v.test @r.test, plain\n"
                                    "\"a..f\" vlocal@x.test\n",
                                    1000, 1000, 1000);

    assert_string_equal(expanded(expand, "ext+z@v.test"),
                        "t1+z@x.test | t2+z@x.test");
    assert_string_equal(expanded(expand, "m+z@v.test"),
                        "m+z@r.test | plain+z@origin.test");
    assert_string_equal(expanded(expand, "a..f+y@origin.test"),
                        "vlocal+y@x.test");
    virtual_expand_free(expand);
}

/* test_no_tables - without tables the recipient stays as it is */
static void
test_no_tables(void **state)
{
    VIRTUAL_EXPAND *expand = create_maps("", 1000, 1000, 1000);
    VIRTUAL_EXPAND_SETTINGS bad = {
        .propagate_unmatched_extensions = "virtual, bogus",
    };

    assert_string_equal(expanded(expand, "a@v.test"), "a@v.test");
    virtual_expand_free(expand);
    assert_null(virtual_expand_create(&bad, fixture_why));
    assert_string_equal(buf_str(fixture_why), "unknown propagate_unmatched_"
                        "extensions value \"bogus\" in \"virtual, bogus\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_order),
        TEST(test_self),
        TEST(test_recursion_limit),
        TEST(test_expansion_limit),
        TEST(test_length_limit),
        TEST(test_failure),
        TEST(test_extensions),
        TEST(test_no_tables),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
