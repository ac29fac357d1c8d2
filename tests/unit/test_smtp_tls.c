/* test_smtp_tls - unit tests for the TLS policy of the SMTP client: the
 * level names (dane used as may with a warning, levels that are not
 * supported), smtp_tls_policy_maps entries looked up by the next hop as
 * written and then by domain and parent domain, their attributes, and
 * what is wrong in them. The module is a part of the smtp program,
 * compiled in here; the session functions it calls are stubs (the
 * handshake itself is tested by tests/system/test_smtp_tls.py). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/smtp/smtp_nexthop.c"
#include "../../src/smtp/smtp_tls.c"
#include "msg_capture.h"

SMTP_CONF smtp_conf;

/* smtp_chat - stub: the session is not used here */
int
smtp_chat(SMTP_STATE *state, const char *cmd, int timeout)
{
    fail();
    return SMTP_REPLY_LOST;
}

/* smtp_session_io_fail - stub */
int
smtp_session_io_fail(SMTP_STATE *state, int how, const char *what)
{
    fail();
    return -1;
}

#define POLICY "inline:{ {[mx.example]:587 = encrypt protocols=>=TLSv1.2 " \
    "ciphers=high exclude=aNULL}, " \
    "{example.com = secure match=.example.com:mx.example.net}, " \
    "{.example.org = verify servername=hostname}, " \
    "{dane.test = dane}, {fp.test = fingerprint}, {bad.test = strong}, " \
    "{attr.test = may color=blue} }"

/* policy - the policy of one next hop as written */
static SMTP_TLS_POLICY *
policy(SMTP_STATE *state, const char *text)
{
    SMTP_NEXTHOP hop;
    BUF    *why = buf_alloc(10);

    assert_int_equal(smtp_nexthop_parse(text, false, 25, &hop, why), 0);
    smtp_tls_policy(state, text, &hop);
    smtp_nexthop_free(&hop);
    buf_free(why);
    return &state->tls_policy;
}

/* setup - default level may, the policy table, the log capture */
static int
setup(void **unused)
{
    var_parent_domain_matches_subdomains = "debug_peer_list, relay_domains";
    smtp_tls_default_level = SMTP_TLS_MAY;
    smtp_tls_policy_maps = maps_create("smtp_tls_policy_maps", POLICY, 0);
    logged = buf_alloc(100);
    msg_output_add(capture);
    return 0;
}

/* test_default - no entry: smtp_tls_security_level */
static void
test_default(void **unused)
{
    SMTP_STATE state = {0};
    SMTP_TLS_POLICY *pol = policy(&state, "[other.example]");

    assert_int_equal(pol->level, SMTP_TLS_MAY);
    assert_string_equal(pol->nexthop, "other.example");
    assert_null(pol->match);
    smtp_tls_policy_free(&state);
}

/* test_as_written - "[host]:port" is looked up as written, with its
 * attributes; the same host on another port is not */
static void
test_as_written(void **unused)
{
    SMTP_STATE state = {0};
    SMTP_TLS_POLICY *pol = policy(&state, "[mx.example]:587");

    assert_int_equal(pol->level, SMTP_TLS_ENCRYPT);
    assert_string_equal(pol->protocols, ">=TLSv1.2");
    assert_string_equal(pol->ciphers, "high");
    assert_string_equal(pol->exclude, "aNULL");
    assert_null(pol->servername);
    assert_int_equal(policy(&state, "[mx.example]:25")->level, SMTP_TLS_MAY);
    smtp_tls_policy_free(&state);
}

/* test_domains - a domain, then ".parent" (parent style is off for
 * smtp_tls_policy_maps), never for a bracketed next hop */
static void
test_domains(void **unused)
{
    SMTP_STATE state = {0};
    SMTP_TLS_POLICY *pol = policy(&state, "example.com");

    assert_int_equal(pol->level, SMTP_TLS_SECURE);
    assert_string_equal(pol->match, ".example.com:mx.example.net");
    assert_int_equal(policy(&state, "sub.example.com")->level, SMTP_TLS_MAY);
    pol = policy(&state, "mail.example.org:2525");
    assert_int_equal(pol->level, SMTP_TLS_VERIFY);
    assert_string_equal(pol->servername, "hostname");
    assert_int_equal(policy(&state, "[mail.example.org]")->level,
                     SMTP_TLS_MAY);
    smtp_tls_policy_free(&state);
}

/* test_levels - dane is may with a warning; fingerprint is not
 * supported, an unknown level is wrong: both defer (SMTP_TLS_BAD) */
static void
test_levels(void **unused)
{
    SMTP_STATE state = {0};

    buf_reset(logged);
    assert_int_equal(policy(&state, "dane.test")->level, SMTP_TLS_MAY);
    assert_non_null(strstr(buf_str(logged), "warning: TLS security level "
                           "\"dane\" is not supported (no DNSSEC): using "
                           "\"may\""));
    assert_int_equal(policy(&state, "fp.test")->level, SMTP_TLS_BAD);
    buf_reset(logged);
    assert_int_equal(policy(&state, "bad.test")->level, SMTP_TLS_BAD);
    assert_string_equal(buf_str(logged), "warning: smtp_tls_policy_maps: "
                        "bad.test: invalid TLS security level \"strong\"\n");
    assert_int_equal(smtp_tls_level_code("NONE"), SMTP_TLS_NONE);
    assert_int_equal(smtp_tls_level_code(""), SMTP_TLS_NONE);
    assert_int_equal(smtp_tls_level_code("Secure"), SMTP_TLS_SECURE);
    assert_int_equal(smtp_tls_level_code("half-secure"), SMTP_TLS_BAD);
    smtp_tls_policy_free(&state);
}

/* test_unknown_attribute - ignored, with a warning */
static void
test_unknown_attribute(void **unused)
{
    SMTP_STATE state = {0};

    buf_reset(logged);
    assert_int_equal(policy(&state, "attr.test")->level, SMTP_TLS_MAY);
    assert_string_equal(buf_str(logged), "warning: attr.test: ignoring "
                        "unknown TLS policy attribute \"color=blue\"\n");
    smtp_tls_policy_free(&state);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default),
        cmocka_unit_test(test_as_written),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_unknown_attribute),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
