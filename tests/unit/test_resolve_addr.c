/* test_resolve_addr - trivial-rewrite's "resolve" against Postfix.
 *
 * resolve_addr_cases.h holds Postfix 3.7.11's answers under seventeen
 * configurations; this test resolves every address under every
 * configuration, then checks the logged warnings, interface literals,
 * address extensions, failing tables and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "mail_params.h"
#include "msg.h"
#include "msg_output.h"
#include "resolve_addr.h"
#include "resolve_addr_cases.h"

#define HOST            "host.example.com"
#define PARENT_DEFAULT  "debug_peer_list, fast_flush_domains, mynetworks, " \
        "permit_mx_backup_networks, qmqpd_authorized_clients, " \
        "relay_domains, smtpd_access_maps"
#define CASE_COUNT      (sizeof(cases) / sizeof(cases[0]))

#include "msg_capture.h"

/* base_settings - Postfix 3.7 defaults with the recording's main.cf */
static RESOLVE_ADDR_SETTINGS
base_settings(void)
{
    RESOLVE_ADDR_SETTINGS s = {
        .myhostname = HOST,
        .mydestination = HOST ", localhost.example.com, localhost",
        .inet_interfaces = "127.0.0.1",
        .proxy_interfaces = "",
        .virtual_alias_domains = "",
        .virtual_mailbox_domains = "",
        .relay_domains = "",
        .transport_maps = "",
        .relayhost = "",
        .local_transport = "local:" HOST,
        .virtual_transport = "virtual",
        .relay_transport = "relay",
        .default_transport = "smtp",
        .sender_dependent_relayhost_maps = "",
        .sender_dependent_default_transport_maps = "",
        .empty_address_recipient = "MAILER-DAEMON",
        .recipient_delimiter = "",
        .resolve_dequoted_address = 1,
        .swap_bangpath = 1,
        .allow_percent_hack = 1,
    };

    return s;
}

/* config_settings - the settings of one recorded configuration */
static RESOLVE_ADDR_SETTINGS
config_settings(int config)
{
    RESOLVE_ADDR_SETTINGS s = base_settings();

    var_parent_domain_matches_subdomains = PARENT_DEFAULT;
    switch (config) {
    case MYDEST:
        s.mydestination = HOST ", localhost.example.com, localhost, "
            "example.net, both.example";
        s.virtual_alias_domains = "both.example";
        s.virtual_mailbox_domains = "both2.example";
        break;
    case VIRT:
        s.virtual_alias_domains = "valias.example, both2.example";
        s.virtual_mailbox_domains = "vmbox.example, both2.example";
        s.virtual_transport = "virtual:vnext";
        break;
    case RELAY:
        s.relay_domains = "relay.example";
        break;
    case RELAYHOST:
        s.relay_domains = "relay.example";
        s.relayhost = "[relay.example]:2525";
        break;
    case TRANSPORTS:
        s.local_transport = "local";
        s.virtual_transport = "virtual:vnext";
        s.relay_transport = "relay:[rel]";
        s.default_transport = "smtp:[def]";
        s.virtual_mailbox_domains = "vmbox.example";
        s.relay_domains = "relay.example";
        break;
    case TMAPS:
        s.relay_domains = "relay.example";
        s.virtual_mailbox_domains = "vmbox.example";
        s.transport_maps = "inline:{ "
            "special@dest.example=smtp:[special]:25, "
            "dest.example=smtp:mx.dest, .parent.example=relay:, "
            "sub.example=:nexthop.example, "
            "{bad.example=error:5.1.1 no such domain}, "
            "host.example.com=lmtp:unix:/x, relay.example=:, "
            "vmbox.example=foo:, user@host.example.com=smtp:[u], "
            "user@=uucp:x, external=discard: }";
        break;
    case TMAPS_PARENT:
        var_parent_domain_matches_subdomains = "transport_maps";
        s.relayhost = "[relay.example]:2525";
        s.transport_maps = "inline:{ parent.example=relay:, "
            ".sub.example=x:y, dest.example=:, example.com=local:boo }";
        break;
    case TSTAR:
        s.transport_maps = "inline:{ *=smtp:[star], "
            "dest.example=smtp:mx.dest }";
        break;
    case SENDER:
        s.relay_domains = "relay.example";
        s.sender_dependent_relayhost_maps =
            "inline:{ a@s.example=[sr1], @s.example=[sr2]:26 }";
        s.sender_dependent_default_transport_maps =
            "inline:{ @t.example=lmtp:[x], s@s.example=uucp: }";
        s.transport_maps = "inline:{ dest.example=smtp:mx.dest }";
        break;
    case PROXY:
        s.proxy_interfaces = "192.0.2.1";
        break;
    case NODEQUOTE:
        s.resolve_dequoted_address = 0;
        break;
    case TMAPS2:
        s.virtual_alias_domains = "valias.example";
        s.recipient_delimiter = "+";
        s.transport_maps = "inline:{ host.example.com=foo:, localhost=bar:, "
            "valias.example=smtp:[va], user@example.org=smtp:[plain], "
            "user+ext@host.example.com=x:, .com=dotcom: }";
        break;
    case TREGEXP:
        s.transport_maps = "regexp:{ {/^example\\.org$/ bare:domain}, "
            "{/@example\\.org$/ full:addr} }";
        break;
    case DEFNEXT:
        s.relayhost = "[rh]";
        s.default_transport = "smtp:[def]";
        s.sender_dependent_default_transport_maps =
            "inline:{ c@s.example=uucp:, <>=nul: }";
        s.sender_dependent_relayhost_maps = "inline:{ <>=[nullrh] }";
        break;
    case SDNOHOST:
        s.sender_dependent_default_transport_maps =
            "inline:{ s@s.example=uucp: }";
        break;
    case NOHACK:
        s.swap_bangpath = 0;
        s.allow_percent_hack = 0;
        s.empty_address_recipient = "bounce-me";
        break;
    }
    return s;
}

/* expected - Postfix's row for this request under this configuration */
static const CASE *
expected(const CASE *request, int config)
{
    const CASE *fallback = request;

    for (size_t i = 0; i < CASE_COUNT; i++)
        if (cases[i].config == config
            && strcmp(cases[i].sender, request->sender) == 0
            && strcmp(cases[i].addr, request->addr) == 0)
            return &cases[i];
    return fallback;
}

/* same_reply - the reply is Postfix's; prints the difference if not */
static int
same_reply(int config, const CASE *want, const RESOLVE_REPLY *got)
{
    int     same = want->flags == got->flags
    && strcmp(want->recipient, buf_str(got->recipient)) == 0
    && (want->transport == NULL
        || (strcmp(want->transport, buf_str(got->transport)) == 0
            && strcmp(want->nexthop, buf_str(got->nexthop)) == 0));

    if (!same)
        print_message("config %d sender \"%s\" addr \"%s\": want %d %s %s"
                      " %s, got %d %s %s %s\n", config, want->sender,
                      want->addr, want->flags,
                      want->transport ? want->transport : "-",
                      want->nexthop ? want->nexthop : "-",
                      want->recipient, got->flags,
                      buf_str(got->transport), buf_str(got->nexthop),
                      buf_str(got->recipient));
    return same;
}

/* test_postfix_table - every request under every configuration */
static void
test_postfix_table(void **state)
{
    RESOLVE_REPLY reply;
    BUF    *why = buf_alloc(100);
    int     checked = 0;
    int     failed = 0;

    resolve_reply_init(&reply);
    for (int config = 0; config < CONFIG_COUNT; config++) {
        RESOLVE_ADDR_SETTINGS s = config_settings(config);
        RESOLVE_ADDR *rp = resolve_addr_create(&s, why);

        assert_non_null(rp);
        for (size_t i = 0; i < CASE_COUNT; i++) {
            if (cases[i].config != DEFAULT)
                continue;
            resolve_addr(rp, cases[i].sender, cases[i].addr, &reply);
            failed += !same_reply(config, expected(&cases[i], config),
                                  &reply);
            checked++;
        }
        resolve_addr_free(rp);
    }
    print_message("%d requests checked, %d differ from Postfix\n",
                  checked, failed);
    assert_true(checked > 800);
    assert_int_equal(failed, 0);
    resolve_reply_free(&reply);
    buf_free(why);
}

/* resolve_logged - resolve addr under config; the warnings logged */
static const char *
resolve_logged(int config, const char *addr)
{
    RESOLVE_ADDR_SETTINGS s = config_settings(config);
    BUF    *why = buf_alloc(100);
    RESOLVE_ADDR *rp = resolve_addr_create(&s, why);
    RESOLVE_REPLY reply;

    assert_non_null(rp);
    resolve_reply_init(&reply);
    buf_reset(logged);
    msg_output_add(capture);
    resolve_addr(rp, "", addr, &reply);
    msg_output_remove(capture);
    resolve_reply_free(&reply);
    resolve_addr_free(rp);
    buf_free(why);
    return buf_str(logged);
}

/* test_both_warnings - a domain in two classes is logged as Postfix does */
static void
test_both_warnings(void **state)
{
    logged = buf_alloc(100);
    assert_string_equal(resolve_logged(MYDEST, "u@both.example"),
                        "warning: do not list domain both.example in BOTH"
                        " mydestination and virtual_alias_domains\n");
    assert_string_equal(resolve_logged(VIRT, "u@both2.example"),
                        "warning: do not list domain both2.example in BOTH"
                        " virtual_alias_domains and"
                        " virtual_mailbox_domains\n");
    assert_string_equal(resolve_logged(MYDEST, "u@both2.example"), "");
    assert_string_equal(resolve_logged(DEFAULT, "u@gmail.com"), "");
    buf_free(logged);
}

/* resolve_one - resolve with settings; returns flags, fills reply */
static int
resolve_one(const RESOLVE_ADDR_SETTINGS *s, const char *sender,
            const char *addr, RESOLVE_REPLY *reply)
{
    BUF    *why = buf_alloc(100);
    RESOLVE_ADDR *rp = resolve_addr_create(s, why);
    int     flags;

    assert_non_null(rp);
    flags = resolve_addr(rp, sender, addr, reply);
    resolve_addr_free(rp);
    buf_free(why);
    return flags;
}

/* test_interfaces - literals of interface addresses are local */
static void
test_interfaces(void **state)
{
    RESOLVE_ADDR_SETTINGS s = base_settings();
    RESOLVE_REPLY reply;

    resolve_reply_init(&reply);
    s.inet_interfaces = "all";
    assert_int_equal(resolve_one(&s, "", "u@[127.0.0.1]", &reply),
                     RESOLVE_CLASS_LOCAL);
    assert_int_equal(resolve_one(&s, "", "u@[192.0.2.77]", &reply),
                     RESOLVE_CLASS_DEFAULT);
    s.inet_interfaces = "loopback-only";
    assert_int_equal(resolve_one(&s, "", "u@[IPv6:::1]", &reply),
                     RESOLVE_CLASS_LOCAL);
    assert_int_equal(resolve_one(&s, "", "u@[ipv6:0::1]", &reply),
                     RESOLVE_CLASS_LOCAL);
    s.inet_interfaces = "127.0.0.1, [2001:db8::5]";
    assert_int_equal(resolve_one(&s, "", "u@[IPv6:2001:db8::5]", &reply),
                     RESOLVE_CLASS_LOCAL);
    assert_int_equal(resolve_one(&s, "", "u@[IPv6:::1]", &reply),
                     RESOLVE_CLASS_DEFAULT);
    assert_string_equal(buf_str(reply.nexthop), "[IPv6:::1]");
    resolve_reply_free(&reply);
}

/* test_extension - transport_maps: user+ext@domain, then user@domain */
static void
test_extension(void **state)
{
    RESOLVE_ADDR_SETTINGS s = base_settings();
    RESOLVE_REPLY reply;

    resolve_reply_init(&reply);
    s.recipient_delimiter = "+";
    s.transport_maps = "inline:{ u@example.org=smtp:[plain], "
        "u+x@example.org=smtp:[ext], .org=smtp:[org] }";
    resolve_one(&s, "", "u+x@example.org", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[ext]");
    resolve_one(&s, "", "u+y@example.org", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[plain]");
    resolve_one(&s, "", "v@example.org", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[org]");
    s.recipient_delimiter = "";
    resolve_one(&s, "", "u+y@example.org", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[org]");
    resolve_reply_free(&reply);
}

/* test_sender_precedence - the nexthop order for the default class: a
 * sender_dependent_default_transport_maps entry without nexthop skips
 * default_transport's (observed: "<>=nul:" gave [nullrh], not [def]) */
static void
test_sender_precedence(void **state)
{
    RESOLVE_ADDR_SETTINGS s = base_settings();
    RESOLVE_REPLY reply;

    resolve_reply_init(&reply);
    s.relayhost = "[rh]";
    s.default_transport = "smtp:[dt]";
    s.sender_dependent_relayhost_maps = "inline:{ @a.example=[sr], "
        "<>=[null] }";
    s.sender_dependent_default_transport_maps =
        "inline:{ b@a.example=uucp:[sdt], c@a.example=uucp: }";
    resolve_one(&s, "b@a.example", "u@gmail.com", &reply);
    assert_string_equal(buf_str(reply.transport), "uucp");
    assert_string_equal(buf_str(reply.nexthop), "[sdt]");
    resolve_one(&s, "c@a.example", "u@gmail.com", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[sr]");
    resolve_one(&s, "d@a.example", "u@gmail.com", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[dt]");
    s.default_transport = "smtp";
    resolve_one(&s, "d@a.example", "u@gmail.com", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[sr]");
    resolve_one(&s, "", "u@gmail.com", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[null]");
    resolve_one(&s, NULL, "u@gmail.com", &reply);
    assert_string_equal(buf_str(reply.nexthop), "[rh]");
    resolve_reply_free(&reply);
}

/* test_failing_table - a table that cannot be opened: FAIL, not a route */
static void
test_failing_table(void **state)
{
    RESOLVE_ADDR_SETTINGS s = base_settings();
    RESOLVE_REPLY reply;

    logged = buf_alloc(100);
    msg_output_add(capture);
    resolve_reply_init(&reply);
    s.transport_maps = "lmdb:/nonexistent/postern/transport";
    assert_true(resolve_one(&s, "", "u@gmail.com", &reply)
                & RESOLVE_FLAG_FAIL);
    s = base_settings();
    s.relay_domains = "lmdb:/nonexistent/postern/relay";
    assert_true(resolve_one(&s, "", "u@gmail.com", &reply)
                & RESOLVE_FLAG_FAIL);
    s = base_settings();
    s.sender_dependent_relayhost_maps = "lmdb:/nonexistent/postern/sr";
    assert_true(resolve_one(&s, "x@y.example", "u@gmail.com", &reply)
                & RESOLVE_FLAG_FAIL);
    msg_output_remove(capture);
    resolve_reply_free(&reply);
    buf_free(logged);
}

/* test_bad_settings - a bad list fails creation with a reason */
static void
test_bad_settings(void **state)
{
    RESOLVE_ADDR_SETTINGS s = base_settings();
    BUF    *why = buf_alloc(100);

    s.relay_domains = "inline:{ a=b";
    assert_null(resolve_addr_create(&s, why));
    assert_non_null(strstr(buf_str(why), "relay_domains"));
    buf_free(why);
}

/* test_hostile - deep routes, long names and odd bytes never crash */
static void
test_hostile(void **state)
{
    RESOLVE_ADDR_SETTINGS s = base_settings();
    BUF    *why = buf_alloc(100);
    RESOLVE_ADDR *rp = resolve_addr_create(&s, why);
    RESOLVE_REPLY reply;
    BUF    *addr = buf_alloc(100);
    int     i;

    resolve_reply_init(&reply);
    for (i = 0; i < 5000; i++)
        buf_strcat(addr, "u@" HOST "@");
    buf_strcat(addr, HOST);
    resolve_addr(rp, "", buf_str(addr), &reply);
    assert_true(reply.flags & RESOLVE_CLASS_MASK);
    buf_reset(addr);
    for (i = 0; i < 300; i++)
        buf_strcat(addr, "a!");
    resolve_addr(rp, "", buf_str(addr), &reply);
    buf_strcpy(addr, "u@[");
    resolve_addr(rp, "", buf_str(addr), &reply);
    assert_int_equal(reply.flags, RESOLVE_FLAG_ERROR | RESOLVE_CLASS_DEFAULT);
    assert_int_equal(resolve_addr(rp, "", "u@[IPv6:]", &reply),
                     RESOLVE_FLAG_ERROR | RESOLVE_CLASS_DEFAULT);
    assert_int_equal(resolve_addr(rp, "", "u@\xff\x01.com", &reply),
                     RESOLVE_FLAG_ERROR | RESOLVE_CLASS_DEFAULT);
    assert_int_equal(resolve_addr(rp, "", "@", &reply),
                     RESOLVE_FLAG_ERROR | RESOLVE_CLASS_DEFAULT);
    resolve_reply_free(&reply);
    resolve_addr_free(rp);
    buf_free(addr);
    buf_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_postfix_table),
        cmocka_unit_test(test_both_warnings),
        cmocka_unit_test(test_interfaces),
        cmocka_unit_test(test_extension),
        cmocka_unit_test(test_sender_precedence),
        cmocka_unit_test(test_failing_table),
        cmocka_unit_test(test_bad_settings),
        cmocka_unit_test(test_hostile),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
