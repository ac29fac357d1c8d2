/* test_tls - unit tests for the TLS library's parsing and matching:
 * Postfix's protocol syntax, cipher grades, fingerprints, and the name
 * matching of smtp_tls_verify_cert_match / smtp_tls_secure_cert_match. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "mail_params.h"
#include "mymalloc.h"
#include "tls.h"

/* mask - tls_protocol_mask that must succeed */
static int
mask(const char *spec)
{
    BUF    *why = buf_alloc(10);
    int     m = tls_protocol_mask(spec, why);

    assert_true(m >= 0);
    buf_free(why);
    return m;
}

/* test_protocols_exclusions - "!SSLv2, !SSLv3" and Postfix's separators */
static void
test_protocols_exclusions(void **state)
{
    assert_int_equal(mask(""), 0);
    assert_int_equal(mask("!SSLv2, !SSLv3"), TLS_PROTO_SSLv2 | TLS_PROTO_SSLv3);
    assert_int_equal(mask("!SSLv2:!SSLv3 !TLSv1,!TLSv1.1"), TLS_PROTO_INSECURE);
    /* Unknown names after '!' are ignored, as in Postfix. */
    assert_int_equal(mask("!TLSv9, !TLSv1.3"), TLS_PROTO_TLSv1_3);
}

/* test_protocols_bounds - ">=TLSv1.2", "<=TLSv1.2" and both */
static void
test_protocols_bounds(void **state)
{
    assert_int_equal(mask(">=TLSv1"), TLS_PROTO_SSLv2 | TLS_PROTO_SSLv3);
    assert_int_equal(mask(">=TLSv1.2"), TLS_PROTO_INSECURE);
    assert_int_equal(mask("<=TLSv1.2"), TLS_PROTO_TLSv1_3);
    assert_int_equal(mask(">=TLSv1.2 <=TLSv1.2"),
                     TLS_PROTO_INSECURE | TLS_PROTO_TLSv1_3);
    assert_int_equal(mask(">=tlsv1.3"), TLS_PROTO_ALL & ~TLS_PROTO_TLSv1_3);
}

/* test_protocols_inclusions - a list of names allows only those */
static void
test_protocols_inclusions(void **state)
{
    assert_int_equal(mask("TLSv1.2, TLSv1.3"), TLS_PROTO_INSECURE);
    assert_int_equal(mask("TLSv1.3"), TLS_PROTO_ALL & ~TLS_PROTO_TLSv1_3);
}

/* test_protocols_errors - unknown names that are not excluded */
static void
test_protocols_errors(void **state)
{
    BUF    *why = buf_alloc(10);

    assert_int_equal(tls_protocol_mask("TLSv9", why), -1);
    assert_string_equal(buf_str(why), "invalid TLS protocol name: \"TLSv9\"");
    assert_int_equal(tls_protocol_mask(">=SSLv4", why), -1);
    buf_free(why);
}

/* test_cipher_list - grades and exclusions */
static void
test_cipher_list(void **state)
{
    BUF    *out = buf_alloc(10);
    BUF    *why = buf_alloc(10);

    var_tls_medium_cipherlist = "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH";
    var_tls_high_cipherlist = "aNULL:-aNULL:HIGH:@STRENGTH";
    assert_int_equal(tls_cipher_list("medium", "", out, why), 0);
    assert_string_equal(buf_str(out), var_tls_medium_cipherlist);
    assert_int_equal(tls_cipher_list("HIGH", "aNULL, RC4 MD5", out, why), 0);
    assert_string_equal(buf_str(out),
                        "aNULL:-aNULL:HIGH:@STRENGTH:!aNULL:!RC4:!MD5");
    assert_int_equal(tls_cipher_list("bogus", "", out, why), -1);
    assert_string_equal(buf_str(why), "invalid cipher grade: \"bogus\"");
    buf_free(out);
    buf_free(why);
}

/* test_fingerprint - digests as Postfix prints them */
static void
test_fingerprint(void **state)
{
    BUF    *why = buf_alloc(10);
    char   *fp = tls_fingerprint((const unsigned char *) "abc", 3, "md5", why);

    assert_string_equal(fp, "90:01:50:98:3C:D2:4F:B0:D6:96:3F:7D:28:E1:7F:72");
    myfree(fp);
    fp = tls_fingerprint((const unsigned char *) "abc", 3, "sha256", why);
    assert_int_equal(strlen(fp), 32 * 3 - 1);
    assert_true(strncmp(fp, "BA:78:16:BF:", 12) == 0);
    myfree(fp);
    assert_null(tls_fingerprint((const unsigned char *) "abc", 3, "nope",
                                why));
    assert_string_equal(buf_str(why), "unsupported fingerprint digest: nope");
    buf_free(why);
}

/* test_match_names - hostname, nexthop, dot-nexthop, literals */
static void
test_match_names(void **state)
{
    ARGV   *names = tls_match_names("hostname, nexthop dot-nexthop "
                                    "example.net", "example.com",
                                    "mx1.example.com");

    assert_int_equal(names->argc, 4);
    assert_string_equal(names->argv[0], "mx1.example.com");
    assert_string_equal(names->argv[1], "example.com");
    assert_string_equal(names->argv[2], ".example.com");
    assert_string_equal(names->argv[3], "example.net");
    argv_free(names);
    names = tls_match_names("hostname", "example.com", NULL);
    assert_int_equal(names->argc, 0);
    argv_free(names);
}

/* test_name_match - Postfix's match_servername() rules */
static void
test_name_match(void **state)
{
    /* Exact, case-insensitive. */
    assert_true(tls_name_match("MX.Example.COM", "mx.example.com", true));
    assert_false(tls_name_match("mx.example.com", "example.com", true));
    /* ".domain": any name below it, not the domain itself. */
    assert_true(tls_name_match("mx.example.com", ".example.com", false));
    assert_true(tls_name_match("a.b.example.com", ".example.com", false));
    assert_false(tls_name_match("example.com", ".example.com", false));
    assert_false(tls_name_match("badexample.com", ".example.com", false));
    /* Wildcard certificate names. */
    assert_true(tls_name_match("*.example.com", "mx.example.com", false));
    assert_false(tls_name_match("*.example.com", "a.b.example.com", false));
    assert_true(tls_name_match("*.example.com", "a.b.example.com", true));
    assert_false(tls_name_match("*.example.com", "example.com", true));
    assert_false(tls_name_match("*.example.com", "mx.badexample.com", true));
    assert_false(tls_name_match("*.", "mx.example.com", true));
    assert_false(tls_name_match("", "", true));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocols_exclusions),
        cmocka_unit_test(test_protocols_bounds),
        cmocka_unit_test(test_protocols_inclusions),
        cmocka_unit_test(test_protocols_errors),
        cmocka_unit_test(test_cipher_list),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_match_names),
        cmocka_unit_test(test_name_match),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
