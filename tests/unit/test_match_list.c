/* test_match_list - unit tests for match_list: Postfix's list syntax of
 * mydestination, relay_domains, mynetworks, authorized_submit_users, ...
 * Each behaviour asserted here was observed with Postfix 3.7 (smtpd and
 * trivial-rewrite run stand-alone): first match wins, "!" negates, /file
 * inclusion (nested, "#" lines, "#" after a pattern warned about and the
 * rest of the line ignored), both parent domain styles, tables looked up
 * by name (and parents) then address, a failed table is an error, never
 * "no match". Tables are real ones (inline:, texthash:, regexp:, fail:).
 * The test calls maps_changed() and parent_domain_matches() itself, which
 * also brings maps.o and maps_addr.o into the link while the Makefile
 * links libpostern_global.a after libpostern_maps.a. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "mail_params.h"
#include "maps.h"
#include "maps_addr.h"
#include "match_list.h"

/* The parent_domain_matches_subdomains value of the tests. */
#define PARENT_FEATURES "debug_peer_list, mynetworks, relay_domains"

/* setup - fixture, and a known parent_domain_matches_subdomains */
static int
setup(void **state)
{
    var_parent_domain_matches_subdomains = PARENT_FEATURES;
    return fixture_setup(state);
}

#define TEST(test) cmocka_unit_test_setup_teardown(test, setup, \
                                                    fixture_teardown)

/* create - a list that must parse; the warnings start empty */
static MATCH_LIST *
create(const char *title, int kind, const char *patterns, int flags)
{
    MATCH_LIST *list;

    buf_reset(fixture_why);
    buf_reset(fixture_warnings);
    if ((list = match_list_create(title, kind, patterns, flags,
                                  fixture_why)) == NULL)
        fail_msg("%s = %s: %s", title, patterns, buf_str(fixture_why));
    return list;
}

/* create_error - a list that must not parse; returns the reason */
static const char *
create_error(const char *title, int kind, const char *patterns)
{
    MATCH_LIST *list;

    buf_reset(fixture_why);
    if ((list = match_list_create(title, kind, patterns, 0,
                                  fixture_why)) != NULL) {
        match_list_free(list);
        fail_msg("%s = %s: no error", title, patterns);
    }
    return buf_str(fixture_why);
}

/* match - the answer for name/addr, with *why checked to be empty unless
 * the answer is -1 */
static int
match(MATCH_LIST *list, const char *name, const char *addr)
{
    int     status;

    buf_reset(fixture_why);
    status = match_list_match(list, name, addr, fixture_why);
    if (status >= 0)
        assert_int_equal(buf_len(fixture_why), 0);
    return status;
}

/* one - create, match once, free */
static int
one(int kind, const char *patterns, const char *name, const char *addr)
{
    MATCH_LIST *list = create("mynetworks", kind, patterns,
                              MATCH_FLAG_PARENT_STYLE);
    int     status = match(list, name, addr);

    match_list_free(list);
    return status;
}

/* test_string_exact - whole strings, any case; tables by the string */
static void
test_string_exact(void **state)
{
    MATCH_LIST *list = create("authorized_submit_users", MATCH_STRING,
                              "root, Admin\tmail.example.com"
                              " inline:{ www=x }", 0);

    assert_int_equal(match(list, "root", NULL), 1);
    assert_int_equal(match(list, "ROOT", NULL), 1);
    assert_int_equal(match(list, "admin", NULL), 1);
    assert_int_equal(match(list, "www", NULL), 1);
    assert_int_equal(match(list, "WWW", NULL), 1);
    assert_int_equal(match(list, "rooter", NULL), 0);
    assert_int_equal(match(list, "example.com", NULL), 0);
    assert_int_equal(match(list, "x.mail.example.com", NULL), 0);
    assert_int_equal(match(list, "", NULL), 0);
    assert_int_equal(match(list, NULL, "root"), 0);
    match_list_free(list);
    assert_int_equal(one(MATCH_STRING, "", "root", NULL), 0);
}

/* test_string_no_subdomains - mydestination and virtual_*_domains are
 * string lists in Postfix 3.7: no subdomain match in any form */
static void
test_string_no_subdomains(void **state)
{
    static const char *const patterns[] = {
        "example.com", ".example.com", "inline:{example.com=x}",
        "inline:{.example.com=x}", NULL,
    };
    const char *const *pp;
    MATCH_LIST *list;

    var_parent_domain_matches_subdomains = "mydestination";
    for (pp = patterns; *pp; pp++) {
        list = create("mydestination", MATCH_STRING, *pp,
                      MATCH_FLAG_PARENT_STYLE);
        assert_int_equal(match(list, "mail.example.com", NULL), 0);
        match_list_free(list);
    }
}

/* test_negation - "!pattern" ends the search with no match */
static void
test_negation(void **state)
{
    MATCH_LIST *list = create("authorized_submit_users", MATCH_STRING,
                              "!www, !inline:{nobody=x}, static:all", 0);

    assert_int_equal(match(list, "www", NULL), 0);
    assert_int_equal(match(list, "nobody", NULL), 0);
    assert_int_equal(match(list, "root", NULL), 1);
    match_list_free(list);
    assert_int_equal(one(MATCH_STRING, "!!a", "a", NULL), 1);
    assert_int_equal(one(MATCH_STRING, "!!!a", "a", NULL), 0);
    assert_int_equal(one(MATCH_NAMADR, "!192.0.2.5 192.0.2.0/24", "x",
                         "192.0.2.5"), 0);
    assert_int_equal(one(MATCH_NAMADR, "!192.0.2.5 192.0.2.0/24", "x",
                         "192.0.2.6"), 1);
    assert_string_equal(create_error("mynetworks", MATCH_NAMADR,
                                     "192.0.2.1, !"),
                        "mynetworks: no pattern after '!'");
    assert_string_equal(create_error("mynetworks", MATCH_NAMADR,
                                     "! 192.0.2.1"),
                        "mynetworks: no pattern after '!'");
}

/* test_first_match_wins - the order of patterns decides */
static void
test_first_match_wins(void **state)
{
    assert_int_equal(one(MATCH_STRING, "a, !a", "a", NULL), 1);
    assert_int_equal(one(MATCH_STRING, "!a, a", "a", NULL), 0);
    assert_int_equal(one(MATCH_NAMADR, "192.0.2.0/24, !192.0.2.5", "x",
                         "192.0.2.5"), 1);
    assert_int_equal(one(MATCH_STRING, "!static:all, a", "a", NULL), 0);
    /* A failing table after the match is never consulted. */
    assert_int_equal(one(MATCH_STRING, "a, fail:x", "a", NULL), 1);
}

/* test_parent_style - "example.com" matches subdomains; ".example.com"
 * does not (Postfix 3.7 with the feature listed) */
static void
test_parent_style(void **state)
{
    MATCH_LIST *list = create("relay_domains", MATCH_DOMAIN,
                              "example.com, .example.org",
                              MATCH_FLAG_PARENT_STYLE);

    assert_true(parent_domain_matches("relay_domains"));
    assert_int_equal(match(list, "example.com", NULL), 1);
    assert_int_equal(match(list, "mail.example.com", NULL), 1);
    assert_int_equal(match(list, "A.B.Example.COM", NULL), 1);
    assert_int_equal(match(list, "badexample.com", NULL), 0);
    assert_int_equal(match(list, "example.com.evil", NULL), 0);
    assert_int_equal(match(list, "mail.example.org", NULL), 0);
    assert_int_equal(match(list, "example.org", NULL), 0);
    assert_int_equal(match(list, "com", NULL), 0);
    match_list_free(list);
}

/* test_dot_style - without the feature, ".example.com" matches the
 * subdomains and "example.com" only itself */
static void
test_dot_style(void **state)
{
    MATCH_LIST *list;

    var_parent_domain_matches_subdomains = "debug_peer_list";
    list = create("relay_domains", MATCH_DOMAIN, "example.com, .example.org",
                  MATCH_FLAG_PARENT_STYLE);
    assert_int_equal(match(list, "example.com", NULL), 1);
    assert_int_equal(match(list, "mail.example.com", NULL), 0);
    assert_int_equal(match(list, "mail.example.org", NULL), 1);
    assert_int_equal(match(list, "a.b.EXAMPLE.org", NULL), 1);
    assert_int_equal(match(list, "example.org", NULL), 0);
    assert_int_equal(match(list, "badexample.org", NULL), 0);
    match_list_free(list);

    /* A list without MATCH_FLAG_PARENT_STYLE ignores the parameter. */
    var_parent_domain_matches_subdomains = "smtpd_authorized_xclient_hosts";
    list = create("smtpd_authorized_xclient_hosts", MATCH_NAMADR,
                  "example.com .example.org", 0);
    assert_int_equal(match(list, "mail.example.com", "192.0.2.1"), 0);
    assert_int_equal(match(list, "mail.example.org", "192.0.2.1"), 1);
    match_list_free(list);
}

/* test_domain_tables - a fixed table sees the name, then its parents in
 * the list's style; a pattern table sees the full name only */
static void
test_domain_tables(void **state)
{
    MATCH_LIST *list;

    list = create("relay_domains", MATCH_DOMAIN,
                  "inline:{example.com=x}, inline:{.example.org=x}",
                  MATCH_FLAG_PARENT_STYLE);
    assert_int_equal(match(list, "a.mail.example.com", NULL), 1);
    assert_int_equal(match(list, "example.com", NULL), 1);
    assert_int_equal(match(list, "mail.example.org", NULL), 0);
    match_list_free(list);

    var_parent_domain_matches_subdomains = "";
    list = create("relay_domains", MATCH_DOMAIN,
                  "inline:{example.com=x}, inline:{.example.org=x}",
                  MATCH_FLAG_PARENT_STYLE);
    assert_int_equal(match(list, "mail.example.com", NULL), 0);
    assert_int_equal(match(list, "example.com", NULL), 1);
    assert_int_equal(match(list, "mail.example.org", NULL), 1);
    assert_int_equal(match(list, "example.org", NULL), 0);
    match_list_free(list);

    list = create("relay_domains", MATCH_DOMAIN,
                  "regexp:{{/^example\\.com$/ x}, {/^mail\\./ y}}", 0);
    assert_int_equal(match(list, "example.com", NULL), 1);
    assert_int_equal(match(list, "www.example.com", NULL), 0);
    assert_int_equal(match(list, "mail.example.net", NULL), 1);
    match_list_free(list);
}

/* test_texthash - a table file */
static void
test_texthash(void **state)
{
    const char *path = fixture_write("domains", "example.com  ok\n"
                                     "# comment\nexample.net ok\n");
    char    spec[sizeof(fixture_file) + 16];
    MATCH_LIST *list;

    snprintf(spec, sizeof(spec), "!texthash:%s", path);
    list = create("relay_domains", MATCH_DOMAIN, spec,
                  MATCH_FLAG_PARENT_STYLE);
    assert_int_equal(match(list, "www.example.net", NULL), 0);
    match_list_free(list);
    list = create("relay_domains", MATCH_DOMAIN, spec + 1,
                  MATCH_FLAG_PARENT_STYLE);
    assert_int_equal(match(list, "www.example.net", NULL), 1);
    assert_int_equal(match(list, "EXAMPLE.COM", NULL), 1);
    assert_int_equal(match(list, "example.org", NULL), 0);
    match_list_free(list);
}

/* test_table_changed - a rebuilt table is reported by maps_changed(), as
 * for every table a daemon uses */
static void
test_table_changed(void **state)
{
    char    spec[sizeof(fixture_file) + 16];
    MATCH_LIST *list;

    snprintf(spec, sizeof(spec), "texthash:%s",
             fixture_write("users", "root x\n"));
    list = create("authorized_submit_users", MATCH_STRING, spec, 0);
    assert_null(maps_changed());
    fixture_write("users", "root x\nwww x\n");
    assert_string_equal(maps_changed(), spec);
    match_list_free(list);
    assert_null(maps_changed());
}

/* test_file - /file patterns: lines of lists, '#' lines, "#" after a
 * pattern ends the line with a warning, lines may start with space */
static void
test_file(void **state)
{
    char    list_text[sizeof(fixture_file) + 32];
    const char *path = fixture_write("nets", "# trusted networks\n"
                                     "192.0.2.0/24, 198.51.100.1\n"
                                     "  # indented\n"
                                     "host.example.org  # trailing\n"
                                     "  [2001:db8::]/32\r\n"
                                     "\n"
                                     "!inline:{10.0.0.1=x} 10.0.0.0/8\n");
    MATCH_LIST *list;

    snprintf(list_text, sizeof(list_text), "127.0.0.1 %s", path);
    list = create("mynetworks", MATCH_NAMADR, list_text,
                  MATCH_FLAG_PARENT_STYLE);
    assert_int_equal(fixture_warning_count(), 2);
    snprintf(list_text, sizeof(list_text), "mynetworks: %s:4: comment at "
             "end of line is not supported: # trailing\n", path);
    assert_non_null(strstr(buf_str(fixture_warnings), list_text));
    assert_int_equal(match(list, "unknown", "127.0.0.1"), 1);
    assert_int_equal(match(list, "unknown", "192.0.2.200"), 1);
    assert_int_equal(match(list, "unknown", "198.51.100.1"), 1);
    assert_int_equal(match(list, "unknown", "198.51.100.2"), 0);
    assert_int_equal(match(list, "a.host.example.org", "203.0.113.1"), 1);
    assert_int_equal(match(list, "trailing", "203.0.113.1"), 0);
    assert_int_equal(match(list, "indented", "203.0.113.1"), 0);
    assert_int_equal(match(list, "x", "2001:db8:1::1"), 1);
    assert_int_equal(match(list, "x", "10.0.0.1"), 0);
    assert_int_equal(match(list, "x", "10.0.0.2"), 1);
    match_list_free(list);
}

/* test_file_negated_nested - "!/file" negates all of it; files nest */
static void
test_file_negated_nested(void **state)
{
    char    inner[sizeof(fixture_file)];
    char    text[2 * sizeof(fixture_file) + 32];
    MATCH_LIST *list;

    snprintf(inner, sizeof(inner), "%s",
             fixture_write("inner", "!192.0.2.7 192.0.2.0/24\n"));
    snprintf(text, sizeof(text), "198.51.100.0/24\n%s\n", inner);
    fixture_write("outer", text);
    snprintf(text, sizeof(text), "!%s, 0.0.0.0/0", fixture_file);
    list = create("mynetworks", MATCH_NAMADR, text, 0);
    assert_int_equal(match(list, NULL, "192.0.2.1"), 0);
    assert_int_equal(match(list, NULL, "198.51.100.1"), 0);
    assert_int_equal(match(list, NULL, "192.0.2.7"), 1);
    assert_int_equal(match(list, NULL, "203.0.113.1"), 1);
    match_list_free(list);
    list = create("mynetworks", MATCH_NAMADR, text + 1, 0);
    assert_int_equal(match(list, NULL, "192.0.2.1"), 1);
    assert_int_equal(match(list, NULL, "192.0.2.7"), 0);
    match_list_free(list);
}

/* test_file_errors - unreadable files, loops, bad patterns inside */
static void
test_file_errors(void **state)
{
    char    text[2 * sizeof(fixture_file) + 64];
    char    want[2 * sizeof(fixture_file) + 200];

    snprintf(text, sizeof(text), "%s/missing", fixture_dir);
    snprintf(want, sizeof(want), "mynetworks: open %s/missing: No such "
             "file or directory", fixture_dir);
    assert_string_equal(create_error("mynetworks", MATCH_NAMADR, text),
                        want);

    fixture_write("bad", "192.0.2.0/24\n\n192.0.2.1/24\n");
    snprintf(want, sizeof(want), "mynetworks: %s:3: non-null host address "
             "bits in \"192.0.2.1/24\", perhaps you should use "
             "\"192.0.2.0/24\" instead", fixture_file);
    assert_string_equal(create_error("mynetworks", MATCH_NAMADR,
                                     fixture_file), want);

    snprintf(text, sizeof(text), "%s/loop\n", fixture_dir);
    fixture_write("loop", text);
    assert_non_null(strstr(create_error("mynetworks", MATCH_NAMADR,
                                        fixture_file),
                           "/file/name patterns nested more than 10 deep"));
}

/* test_comment_in_value - "#" in the parameter value ends it */
static void
test_comment_in_value(void **state)
{
    MATCH_LIST *list = create("relay_domains", MATCH_DOMAIN,
                              "a.com #x, b.com", MATCH_FLAG_PARENT_STYLE);

    assert_string_equal(buf_str(fixture_warnings), "relay_domains: comment "
                        "at end of line is not supported: #x, b.com\n");
    assert_int_equal(match(list, "a.com", NULL), 1);
    assert_int_equal(match(list, "b.com", NULL), 0);
    match_list_free(list);
    /* '#' inside a pattern is just a character. */
    assert_int_equal(one(MATCH_STRING, "b#c", "b#c", NULL), 1);
}

/* test_cidr_v4 - addresses and networks */
static void
test_cidr_v4(void **state)
{
    MATCH_LIST *list = create("mynetworks", MATCH_NAMADR,
                              "127.0.0.0/8 192.0.2.1 [198.51.100.0]/24 "
                              "[203.0.113.5] 0.0.0.0/32", 0);

    assert_int_equal(match(list, "unknown", "127.1.2.3"), 1);
    assert_int_equal(match(list, "unknown", "192.0.2.1"), 1);
    assert_int_equal(match(list, "unknown", "192.0.2.2"), 0);
    assert_int_equal(match(list, "unknown", "198.51.100.77"), 1);
    assert_int_equal(match(list, "unknown", "203.0.113.5"), 1);
    assert_int_equal(match(list, "unknown", "0.0.0.0"), 1);
    assert_int_equal(match(list, "unknown", "128.0.0.1"), 0);
    /* Not an address, other family, IPv4-mapped: no match. */
    assert_int_equal(match(list, "unknown", "unknown"), 0);
    assert_int_equal(match(list, "unknown", "::1"), 0);
    assert_int_equal(match(list, "unknown", "::ffff:127.0.0.1"), 0);
    assert_int_equal(match(list, "unknown", ""), 0);
    assert_int_equal(match(list, "192.0.2.1", NULL), 0);
    match_list_free(list);
    assert_int_equal(one(MATCH_NAMADR, "0.0.0.0/0", "x", "203.0.113.9"), 1);
}

/* test_cidr_v6 - IPv6 in brackets, prefix inside or after them; the
 * address compares in binary */
static void
test_cidr_v6(void **state)
{
    MATCH_LIST *list = create("mynetworks", MATCH_NAMADR,
                              "[2001:db8::]/32 [2001:DB8:0:0::ff00] "
                              "[fe80::/10] [::1]/128", 0);

    assert_int_equal(match(list, "x", "2001:db8:1::5"), 1);
    assert_int_equal(match(list, "x", "2001:db9::5"), 0);
    assert_int_equal(match(list, "x", "fe80::1"), 1);
    assert_int_equal(match(list, "x", "febf::1"), 1);
    assert_int_equal(match(list, "x", "fec0::1"), 0);
    assert_int_equal(match(list, "x", "::1"), 1);
    assert_int_equal(match(list, "x", "::2"), 0);
    assert_int_equal(match(list, "x", "127.0.0.1"), 0);
    match_list_free(list);
    list = create("mynetworks", MATCH_NAMADR, "[2001:db8::ff00]", 0);
    assert_int_equal(match(list, "x", "2001:db8:0::FF00"), 1);
    match_list_free(list);
    /* A bare IPv6 address is a "type:table" (type "2001"), as in Postfix:
     * an unknown type fails every lookup. */
    list = create("mynetworks", MATCH_NAMADR, "2001:db8::1", 0);
    assert_int_equal(fixture_warning_count(), 1);
    assert_int_equal(match(list, "x", "2001:db8::1"), -1);
    match_list_free(list);
}

/* test_hosts_and_tables - host name patterns match names, tables see the
 * name (and parents) then the address */
static void
test_hosts_and_tables(void **state)
{
    MATCH_LIST *list = create("mynetworks", MATCH_NAMADR,
                              "example.com, inline:{192.0.2.1=x}, "
                              "inline:{friend.example.org=x}, "
                              "regexp:{{/^203\\./ x}} cafe.de",
                              MATCH_FLAG_PARENT_STYLE);

    assert_int_equal(match(list, "mail.example.com", "10.1.1.1"), 1);
    assert_int_equal(match(list, "unknown", "192.0.2.1"), 1);
    assert_int_equal(match(list, "a.friend.example.org", "10.1.1.1"), 1);
    assert_int_equal(match(list, "example.org", "10.1.1.1"), 0);
    assert_int_equal(match(list, "unknown", "203.0.113.1"), 1);
    assert_int_equal(match(list, "www.cafe.de", "10.1.1.1"), 1);
    assert_int_equal(match(list, "unknown", "10.1.1.1"), 0);
    /* Partial networks are no keys in match lists. */
    assert_int_equal(match(list, "unknown", "192.0.2.10"), 0);
    match_list_free(list);
    /* Junk that is not an address pattern is a host name, as in Postfix. */
    list = create("mynetworks", MATCH_NAMADR, "[2001:db8::1]x foo/bar", 0);
    assert_int_equal(match(list, "foo/bar", "2001:db8::1"), 1);
    assert_int_equal(match(list, "x", "2001:db8::1"), 0);
    match_list_free(list);
}

/* test_addr_kind - address-only lists ignore the name */
static void
test_addr_kind(void **state)
{
    MATCH_LIST *list = create("smtpd_forbid_bare_newline_exclusions",
                              MATCH_ADDR, "example.com, inline:{x.org=1, "
                              "192.0.2.9=1}, 198.51.100.0/24", 0);

    assert_int_equal(match(list, "example.com", "10.0.0.1"), 0);
    assert_int_equal(match(list, "x.org", "10.0.0.1"), 0);
    assert_int_equal(match(list, "x.org", "192.0.2.9"), 1);
    assert_int_equal(match(list, NULL, "198.51.100.3"), 1);
    match_list_free(list);
}

/* test_bad_patterns - found at create time, worded like Postfix */
static void
test_bad_patterns(void **state)
{
    static const char *const cases[] = {
        "192.0.2.1/24", "mynetworks: non-null host address bits in"
        " \"192.0.2.1/24\", perhaps you should use \"192.0.2.0/24\" instead",
        "192.0.2.0/33", "mynetworks: bad mask length in \"192.0.2.0/33\"",
        "[2001:db8::]/129",
        "mynetworks: bad mask length in \"2001:db8::/129\"",
        "[2001:db8::1/64]", "mynetworks: non-null host address bits in"
        " \"2001:db8::1/64\", perhaps you should use \"2001:db8::/64\""
        " instead",
        "[2001:db8::1", "mynetworks: missing ']' character after"
        " \"[2001:db8::1\"",
        "dead/beef", "mynetworks: bad mask value in \"dead/beef\"",
        "192.0.2.0/", "mynetworks: bad mask value in \"192.0.2.0/\"",
        "1.2.3/8", "mynetworks: bad network value in \"1.2.3/8\"",
        "[1.2.3.4]5", "mynetworks: garbage after \"[1.2.3.4]\"",
        "[example]", NULL,              /* host name: 'x' 'm' 'p' 'l' */
        "[12.34]", "mynetworks: bad address pattern: \"12.34\"",
        "192.0.2.1 inline:{a=b", "mynetworks: missing '}' in"
        " \"192.0.2.1 inline:{a=b\"",
        NULL,
    };
    const char *const *cp;
    MATCH_LIST *list;

    for (cp = cases; *cp; cp += 2) {
        if (cp[1] != NULL) {
            assert_string_equal(create_error("mynetworks", MATCH_NAMADR,
                                             cp[0]), cp[1]);
            continue;
        }
        list = create("mynetworks", MATCH_NAMADR, cp[0], 0);
        match_list_free(list);
    }
    /* Domain and string lists take any text as a name. */
    list = create("relay_domains", MATCH_DOMAIN, "192.0.2.1/24", 0);
    assert_int_equal(match(list, "192.0.2.1/24", NULL), 1);
    match_list_free(list);
}

/* test_table_error - a failed lookup is -1, with the reason */
static void
test_table_error(void **state)
{
    MATCH_LIST *list = create("mynetworks", MATCH_NAMADR,
                              "192.0.2.1, fail:x, 198.51.100.1", 0);

    assert_int_equal(match(list, "x", "192.0.2.1"), 1);
    assert_int_equal(match(list, "x", "198.51.100.1"), -1);
    assert_string_equal(buf_str(fixture_why),
                        "mynetworks: fail:x: table lookup problem");
    assert_non_null(strstr(buf_str(fixture_warnings),
                           "mynetworks: fail:x: table lookup problem"));
    assert_int_equal(match_list_match(list, "x", "10.0.0.1", NULL), -1);
    match_list_free(list);

    /* A table that cannot be opened fails its lookups (Postfix does so
     * too); the open failure is logged once, at create time. */
    list = create("relay_domains", MATCH_DOMAIN, "texthash:/nonexistent/t",
                  MATCH_FLAG_PARENT_STYLE);
    assert_int_equal(fixture_warning_count(), 1);
    assert_int_equal(match(list, "example.com", NULL), -1);
    assert_string_equal(buf_str(fixture_why), "relay_domains: "
                        "texthash:/nonexistent/t: table lookup problem");
    match_list_free(list);

    /* A negated table fails the same way. */
    assert_int_equal(one(MATCH_STRING, "!fail:x, a", "a", NULL), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_string_exact),
        TEST(test_string_no_subdomains),
        TEST(test_negation),
        TEST(test_first_match_wins),
        TEST(test_parent_style),
        TEST(test_dot_style),
        TEST(test_domain_tables),
        TEST(test_texthash),
        TEST(test_table_changed),
        TEST(test_file),
        TEST(test_file_negated_nested),
        TEST(test_file_errors),
        TEST(test_comment_in_value),
        TEST(test_cidr_v4),
        TEST(test_cidr_v6),
        TEST(test_hosts_and_tables),
        TEST(test_addr_kind),
        TEST(test_bad_patterns),
        TEST(test_table_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
