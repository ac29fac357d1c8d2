/* test_relocated - relocated_maps in trivial-rewrite's "resolve"
 * (resolve_addr.h step 7a).
 *
 * The answers are those Debian's Postfix 3.7 trivial-rewrite gave
 * (docs/virtual.md "relocated_maps"): transport "error" and nexthop
 * "5.1.6 User has moved to VALUE", the class flags unchanged, for every
 * class, over transport_maps and over the virtual alias "error"; keys
 * user+ext@domain, user@domain, then user+ext and user only for local
 * domains and $myorigin, then @domain; a table that fails makes the
 * answer a failure, never a route. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "mail_params.h"
#include "msg.h"
#include "msg_output.h"
#include "resolve_addr.h"

#define HOST            "mx.example.test"
#define MOVED           "5.1.6 User has moved to "

/* settings - Postfix 3.7 defaults, a virtual mailbox and an alias
 * domain, and a relocated table */
static RESOLVE_ADDR_SETTINGS
settings(void)
{
    RESOLVE_ADDR_SETTINGS s = {
        .myhostname = HOST,
        .myorigin = "origin.example.test",
        .mydestination = HOST ", localhost",
        .inet_interfaces = "127.0.0.1",
        .virtual_alias_domains = "valias.test",
        .virtual_mailbox_domains = "virt.test",
        .transport_maps = "inline:{ oldco.test=discard: }",
        .relocated_maps = "inline:{ gone@mx.example.test=new@elsewhere.test,"
            " local1=moved-local, gone@virt.test=newv@elsewhere.test,"
            " u2+ext@virt.test=ext-moved, @oldco.test=call-555-1234,"
            " ra@valias.test=moved-va }",
        .local_transport = "local",
        .virtual_transport = "virtual",
        .relay_transport = "relay",
        .default_transport = "smtp",
        .empty_address_recipient = "MAILER-DAEMON",
        .recipient_delimiter = "+",
        .swap_bangpath = 1,
        .allow_percent_hack = 1,
    };

    var_recipient_delimiter = "+";
    var_parent_domain_matches_subdomains = "";
    return s;
}

/* resolve - flags of addr; transport and nexthop in the reply */
static int
resolve(const RESOLVE_ADDR_SETTINGS *s, const char *addr,
        RESOLVE_REPLY *reply)
{
    BUF    *why = buf_alloc(100);
    RESOLVE_ADDR *rp = resolve_addr_create(s, why);
    int     flags;

    assert_non_null(rp);
    flags = resolve_addr(rp, "sender@example.org", addr, reply);
    resolve_addr_free(rp);
    buf_free(why);
    return flags;
}

/* What an address resolves to. */
typedef struct CASE {
    const char *addr;
    int     flags;
    const char *transport;
    const char *nexthop;
} CASE;

/* expect - each case resolves as it says */
static void
expect(const CASE *cases, size_t count)
{
    RESOLVE_ADDR_SETTINGS s = settings();
    RESOLVE_REPLY reply;

    resolve_reply_init(&reply);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(resolve(&s, cases[i].addr, &reply), cases[i].flags);
        assert_string_equal(buf_str(reply.transport), cases[i].transport);
        assert_string_equal(buf_str(reply.nexthop), cases[i].nexthop);
    }
    resolve_reply_free(&reply);
}

/* test_classes - every class, and what wins over what */
static void
test_classes(void **state)
{
    static const CASE cases[] = {
        {"gone@mx.example.test", RESOLVE_CLASS_LOCAL, "error",
        MOVED "new@elsewhere.test"},
        {"gone", RESOLVE_CLASS_LOCAL, "error", MOVED "new@elsewhere.test"},
        {"gone@virt.test", RESOLVE_CLASS_VIRTUAL, "error",
        MOVED "newv@elsewhere.test"},
        /* over transport_maps */
        {"x@oldco.test", RESOLVE_CLASS_DEFAULT, "error",
        MOVED "call-555-1234"},
        /* over the virtual alias class */
        {"ra@valias.test", RESOLVE_CLASS_ALIAS, "error", MOVED "moved-va"},
        {"rb@valias.test", RESOLVE_CLASS_ALIAS, "error",
        "5.1.1 User unknown in virtual alias table"},
        {"stay@mx.example.test", RESOLVE_CLASS_LOCAL, "local",
        "mx.example.test"},
        {"u2@virt.test", RESOLVE_CLASS_VIRTUAL, "virtual", "virt.test"},
    };

    expect(cases, sizeof(cases) / sizeof(cases[0]));
}

/* test_keys - the search order with extensions and local parts */
static void
test_keys(void **state)
{
    static const CASE cases[] = {
        {"Gone+foo@mx.example.test", RESOLVE_CLASS_LOCAL, "error",
        MOVED "new@elsewhere.test"},
        {"u2+ext@virt.test", RESOLVE_CLASS_VIRTUAL, "error",
        MOVED "ext-moved"},
        {"u2+other@virt.test", RESOLVE_CLASS_VIRTUAL, "virtual",
        "virt.test"},
        /* "user" alone: local domains and $myorigin only */
        {"local1@mx.example.test", RESOLVE_CLASS_LOCAL, "error",
        MOVED "moved-local"},
        {"local1+x@localhost", RESOLVE_CLASS_LOCAL, "error",
        MOVED "moved-local"},
        {"local1@origin.example.test", RESOLVE_CLASS_DEFAULT, "error",
        MOVED "moved-local"},
        {"local1@virt.test", RESOLVE_CLASS_VIRTUAL, "virtual", "virt.test"},
    };

    expect(cases, sizeof(cases) / sizeof(cases[0]));
}

/* capture - swallow the failing table's warnings */
static void
capture(enum msg_level level, const char *text)
{
}

/* test_failure - a relocated table that fails is a failure */
static void
test_failure(void **state)
{
    RESOLVE_ADDR_SETTINGS s = settings();
    RESOLVE_REPLY reply;

    msg_output_add(capture);
    resolve_reply_init(&reply);
    s.relocated_maps = "lmdb:/nonexistent/postern/relocated";
    assert_true(resolve(&s, "x@mx.example.test", &reply)
                & RESOLVE_FLAG_FAIL);
    s.relocated_maps = "";
    assert_int_equal(resolve(&s, "gone@mx.example.test", &reply),
                     RESOLVE_CLASS_LOCAL);
    resolve_reply_free(&reply);
    msg_output_remove(capture);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
