/* test_canon_addr - unit tests for canon_addr: which of the three table
 * lists apply to which address class and in what order, the repeated
 * mapping with its limit of 10 changes and Postfix's warning, the first
 * of several results with a warning, table failures, and the errors of
 * bad class or extension lists. The expected texts and answers were
 * observed with Postfix 3.7.11's cleanup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "canon_addr.h"
#include "mymalloc.h"

#define TEST(test)  FIXTURE_TEST(test)

/* The observed Postfix's myorigin, with trivial-rewrite's defaults. */
static const REWRITE_ADDR_SETTINGS rewrite = {
    .myorigin = "origin.test",
    .append_at_myorigin = 1,
    .swap_bangpath = 1,
    .allow_percent_hack = 1,
};

/* The parameter values of a test; NULL fields get Postfix's defaults. */
typedef struct CANON_PARAMS {
    const char *canonical;              /* table texts (texthash) */
    const char *sender;
    const char *recipient;
    const char *canonical_classes;
    const char *sender_classes;
    const char *recipient_classes;
    const char *propagate;
} CANON_PARAMS;

/* table - a texthash file for text, or NULL for no tables */
static char *
table(const char *name, const char *text)
{
    return text ? mystrdup(fixture_spec("texthash",
                                        fixture_write(name, text))) : NULL;
}

/* or_default - a parameter value or its default */
static const char *
or_default(const char *value, const char *def)
{
    return value ? value : def;
}

/* create - a CANON_ADDR for the parameters; NULL with fixture_why */
static CANON_ADDR *
create(const CANON_PARAMS *p)
{
    char   *canonical = table("c", p->canonical);
    char   *sender = table("s", p->sender);
    char   *recipient = table("r", p->recipient);
    CANON_ADDR_SETTINGS s = {
        .canonical_maps = canonical,
        .sender_canonical_maps = sender,
        .recipient_canonical_maps = recipient,
        .canonical_classes = or_default(p->canonical_classes,
                                        "envelope_sender, envelope_recipient,"
                                        " header_sender, header_recipient"),
        .sender_canonical_classes = or_default(p->sender_classes,
                                             "envelope_sender, header_sender"),
        .recipient_canonical_classes =
        or_default(p->recipient_classes,
                   "envelope_recipient, header_recipient"),
        .propagate_unmatched_extensions = or_default(p->propagate,
                                                   "canonical, virtual"),
        .lookup = {.myorigin = "origin.test", .recipient_delimiter = "+",
        .rewrite = &rewrite},
    };
    CANON_ADDR *canon;

    buf_reset(fixture_why);
    canon = canon_addr_create(&s, fixture_why);
    myfree(canonical);
    myfree(sender);
    myfree(recipient);
    return canon;
}

/* mapped - the address after mapping, "RETRY: reason" on failure, with
 * the changed flag checked (valid until the next call) */
static const char *
mapped(CANON_ADDR *canon, int addr_class, const char *addr)
{
    static BUF *result;
    int     status;

    if (result == NULL)
        result = buf_alloc(100);
    buf_reset(fixture_why);
    status = canon_addr_map(canon, addr_class, "QID", addr, result,
                            fixture_why);
    if (status < 0) {
        buf_sprintf(result, "RETRY: %s", buf_str(fixture_why));
    } else {
        assert_int_equal(status, strcmp(buf_str(result), addr) != 0);
    }
    return buf_str(result);
}

/* test_class_routing - sender classes: sender_canonical_maps then
 * canonical_maps; recipient classes: recipient_canonical_maps then
 * canonical_maps */
static void
test_class_routing(void **state)
{
    CANON_PARAMS p = {
        .sender = "joe s1@x.test\n",
        .recipient = "rr@x.test r1@x.test\n",
        .canonical = "s1@x.test s2@y.test\nr1@x.test r2@y.test\n"
            "joe joe.user@host2.ex.test\n",
    };
    CANON_ADDR *canon = create(&p);

    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_SENDER,
                               "joe@origin.test"), "s2@y.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_HDR_SENDER,
                               "joe@origin.test"), "s2@y.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT, "rr@x.test"),
                        "r2@y.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_HDR_RCPT, "rr@x.test"),
                        "r2@y.test");
    /* The sender table is not for recipients, and the other way round. */
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT,
                               "joe@origin.test"),
                        "joe.user@host2.ex.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_SENDER, "rr@x.test"),
                        "rr@x.test");
    canon_addr_free(canon);
}

/* test_class_lists - the class lists decide which tables apply */
static void
test_class_lists(void **state)
{
    CANON_PARAMS p = {
        .sender = "a@x.test sender@y.test\n",
        .canonical = "b@x.test canon@y.test\n",
        .canonical_classes = "envelope_sender",
        .sender_classes = "header_sender",
    };
    CANON_ADDR *canon = create(&p);

    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_SENDER, "a@x.test"),
                        "a@x.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_HDR_SENDER, "a@x.test"),
                        "sender@y.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_SENDER, "b@x.test"),
                        "canon@y.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT, "b@x.test"),
                        "b@x.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_HDR_SENDER, "b@x.test"),
                        "b@x.test");
    canon_addr_free(canon);
}

/* chain - n1 -> n2 -> ... -> n21, plus a loop, a self map and a growing
 * extension */
static char *
chain(void)
{
    BUF    *text = buf_alloc(1000);

    for (int i = 1; i <= 20; i++)
        buf_sprintf_append(text, "n%d@other.test n%d@other.test\n", i, i + 1);
    buf_strcat(text, "loopa@other.test loopb@other.test\n"
               "loopb@other.test loopa@other.test\n"
               "self@other.test self@other.test\n"
               "selfx@other.test selfx+y@other.test\n");
    return buf_export(text);
}

/* test_nesting - ten changes at most; the tenth change is warned about
 * even when the next lookup would find nothing; the message goes on */
static void
test_nesting(void **state)
{
    char   *text = chain();
    CANON_PARAMS p = {.canonical = text};
    CANON_ADDR *canon = create(&p);

    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT, "n12@other.test"),
                        "n21@other.test");
    assert_string_equal(buf_str(fixture_warnings), "");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT, "n11@other.test"),
                        "n21@other.test");
    assert_string_equal(buf_str(fixture_warnings),
                        "QID: unreasonable canonical_maps map nesting for "
                        "n21@other.test -- message not accepted, try again "
                        "later\n");
    buf_reset(fixture_warnings);
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT, "n1@other.test"),
                        "n11@other.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT,
                               "loopa@other.test"), "loopa@other.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT,
                               "selfx@other.test"),
                        "selfx+y+y+y+y+y+y+y+y+y+y@other.test");
    assert_string_equal(buf_str(fixture_warnings),
                        "QID: unreasonable canonical_maps map nesting for "
                        "n11@other.test -- message not accepted, try again "
                        "later\n"
                        "QID: unreasonable canonical_maps map nesting for "
                        "loopa@other.test -- message not accepted, try "
                        "again later\n"
                        "QID: unreasonable canonical_maps map nesting for "
                        "selfx+y+y+y+y+y+y+y+y+y+y@other.test -- message "
                        "not accepted, try again later\n");
    buf_reset(fixture_warnings);
    /* An address that maps to itself ends the mapping quietly. */
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT, "self@other.test"),
                        "self@other.test");
    assert_string_equal(buf_str(fixture_warnings), "");
    canon_addr_free(canon);
    myfree(text);
}

/* test_multi_valued - the first address, with Postfix's warning */
static void
test_multi_valued(void **state)
{
    CANON_PARAMS p = {
        .canonical = "multi@other.test a@r.test, b@r.test\n"
            "multi2@other.test a@r.test b@r.test\n",
    };
    CANON_ADDR *canon = create(&p);

    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT,
                               "multi@other.test"), "a@r.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_HDR_SENDER,
                               "multi2@other.test"), "a@r.test");
    assert_string_equal(buf_str(fixture_warnings),
                        "QID: multi-valued canonical_maps entry for "
                        "multi@other.test\n"
                        "QID: multi-valued canonical_maps entry for "
                        "multi2@other.test\n");
    canon_addr_free(canon);
}

/* test_lookup_details - extensions (per propagate_unmatched_extensions),
 * result rewriting, the null sender, quoted keys */
static void
test_lookup_details(void **state)
{
    CANON_PARAMS p = {
        .canonical = "ann@other.test canon-ann@result.test\n"
            "carl@other.test carlres\n"
            "\"a..b\"@other.test quoted-key@r.test\n",
        .sender = "\"\" emptyq@x.test\n",
    };
    CANON_ADDR *canon = create(&p);

    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT,
                               "ann+x@other.test"),
                        "canon-ann+x@result.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT,
                               "carl+x@other.test"),
                        "carlres+x@origin.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT,
                               "a..b@other.test"), "quoted-key@r.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_SENDER, ""),
                        "emptyq@x.test");
    canon_addr_free(canon);
    p.propagate = "virtual";
    canon = create(&p);
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT,
                               "ann+x@other.test"), "canon-ann@result.test");
    canon_addr_free(canon);
}

/* test_failure - the address at the failing step is named */
static void
test_failure(void **state)
{
    CANON_ADDR_SETTINGS s = {
        .sender_canonical_maps = "fail:s",
        .sender_canonical_classes = "envelope_sender",
        .canonical_classes = "envelope_recipient",
    };
    BUF    *spec = buf_alloc(100);
    CANON_ADDR *canon;

    /* A failing table after the one that has a@v.test. */
    buf_sprintf(spec, "%s, fail:x", fixture_spec("texthash",
                               fixture_write("c", "a@v.test b@v.test\n")));
    s.canonical_maps = buf_str(spec);
    canon = canon_addr_create(&s, fixture_why);
    assert_non_null(canon);
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_RCPT, "a@v.test"),
                        "RETRY: canonical_maps map lookup problem for "
                        "b@v.test");
    assert_string_equal(mapped(canon, ADDR_CLASS_ENV_SENDER, "s@v.test"),
                        "RETRY: sender_canonical_maps map lookup problem for "
                        "s@v.test");
    /* Not a class of the failing tables: no lookup, no failure. */
    assert_string_equal(mapped(canon, ADDR_CLASS_HDR_RCPT, "a@v.test"),
                        "a@v.test");
    canon_addr_free(canon);
    buf_free(spec);
}

/* test_create_errors - unknown class or extension names; Postfix names
 * canonical_classes for the sender_ and recipient_ lists too */
static void
test_create_errors(void **state)
{
    CANON_PARAMS p = {.sender_classes = "envelope_recipient"};

    assert_null(create(&p));
    assert_string_equal(buf_str(fixture_why), "unknown canonical_classes "
                        "value \"envelope_recipient\" in "
                        "\"envelope_recipient\"");
    p.sender_classes = NULL;
    p.recipient_classes = "header_sender";
    assert_null(create(&p));
    assert_string_equal(buf_str(fixture_why), "unknown canonical_classes "
                        "value \"header_sender\" in \"header_sender\"");
    p.recipient_classes = NULL;
    p.canonical_classes = "envelope_sender, bogus_class";
    assert_null(create(&p));
    assert_string_equal(buf_str(fixture_why), "unknown canonical_classes "
                        "value \"bogus_class\" in \"envelope_sender, "
                        "bogus_class\"");
    p.canonical_classes = NULL;
    p.propagate = "canonical, bogus";
    assert_null(create(&p));
    assert_string_equal(buf_str(fixture_why), "unknown propagate_unmatched_"
                        "extensions value \"bogus\" in \"canonical, bogus\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_class_routing),
        TEST(test_class_lists),
        TEST(test_nesting),
        TEST(test_multi_valued),
        TEST(test_lookup_details),
        TEST(test_failure),
        TEST(test_create_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
