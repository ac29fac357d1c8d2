/* test_addr_map - unit tests for addr_map: the lookup order with its
 * "local domain" forms, keys in external (quoted) form, pattern tables
 * seeing the whole address only, the "@domain" result, the rewriting of
 * results and the propagation of the unmatched extension, "<>" and
 * non-address results, table failures, and the class and extension name
 * lists. The answers of the lookup and result rules were observed with
 * Postfix 3.7.11's cleanup (canonical_maps and virtual_alias_maps,
 * recipient_delimiter "+" or "+-", myorigin origin.test, mydestination
 * mx.example.test); asking is_local only when needed is this module's
 * choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "addr_map.h"

#define TEST(test)  FIXTURE_TEST(test)

/* The rewrite settings of the observed Postfix ("local" context). */
static const REWRITE_ADDR_SETTINGS rewrite = {
    .myorigin = "origin.test",
    .mydomain = "example.test",
    .append_at_myorigin = 1,
    .swap_bangpath = 1,
    .allow_percent_hack = 1,
};

static int local_fails;                 /* is_local answers -1 */
static int local_calls;                 /* how often it was asked */

/* is_local - mydestination and the interface address of the tests */
static int
is_local(void *context, const char *domain)
{
    local_calls++;
    if (local_fails)
        return -1;
    return strcasecmp(domain, "mx.example.test") == 0
        || strcmp(domain, "[127.0.0.1]") == 0;
}

/* settings - origin.test, mx.example.test local; delimiters as given */
static ADDR_MAP_SETTINGS
settings(const char *delimiters, bool with_rewrite)
{
    ADDR_MAP_SETTINGS s = {
        .myorigin = "origin.test",
        .is_local = is_local,
        .recipient_delimiter = delimiters,
        .rewrite = with_rewrite ? &rewrite : NULL,
    };

    local_fails = 0;
    local_calls = 0;
    return s;
}

/* texthash - a texthash table list from text, titled canonical_maps */
static MAPS *
texthash(const char *text)
{
    return maps_create("canonical_maps",
                       fixture_spec("texthash", fixture_write("t", text)),
                       DICT_FLAG_DEFAULT);
}

/* answer - addr_map's answer as text: the addresses joined by " | ",
 * "NOTFOUND" or "RETRY" (valid until the next call) */
static const char *
answer(MAPS *maps, const ADDR_MAP_SETTINGS *sp, const char *addr,
       bool propagate)
{
    static BUF *text;
    int     status;
    ARGV   *found = addr_map(maps, sp, addr, propagate, &status);

    if (text == NULL)
        text = buf_alloc(100);
    buf_reset(text);
    if (status == ADDR_MAP_FOUND) {
        assert_non_null(found);
        for (int i = 0; i < found->argc; i++)
            buf_sprintf_append(text, "%s%s", i ? " | " : "",
                               found->argv[i]);
        argv_free(found);
    } else {
        assert_null(found);
        buf_strcpy(text, status == ADDR_MAP_RETRY ? "RETRY" : "NOTFOUND");
    }
    return buf_str(text);
}

/* test_user_forms_local_only - "user" keys match myorigin, mydestination
 * and interface literals (any case), never other domains */
static void
test_user_forms_local_only(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", false);
    MAPS   *maps = texthash("joe canon-joe@result.test\n");

    assert_string_equal(answer(maps, &s, "joe@mx.example.test", true),
                        "canon-joe@result.test");
    assert_string_equal(answer(maps, &s, "joe@origin.test", true),
                        "canon-joe@result.test");
    assert_string_equal(answer(maps, &s, "joe@ORIGIN.TEST", true),
                        "canon-joe@result.test");
    assert_string_equal(answer(maps, &s, "joe@[127.0.0.1]", true),
                        "canon-joe@result.test");
    assert_string_equal(answer(maps, &s, "joe@other.test", true),
                        "NOTFOUND");
    assert_string_equal(answer(maps, &s, "joe+ext@mx.example.test", true),
                        "canon-joe+ext@result.test");
    assert_string_equal(answer(maps, &s, "joe+ext@other.test", true),
                        "NOTFOUND");
    /* No domain: the user forms apply. */
    assert_string_equal(answer(maps, &s, "joe+ext", true),
                        "canon-joe+ext@result.test");
    maps_free(maps);
}

/* test_lookup_order - user+ext@domain, user@domain, user+ext, user,
 * @domain: the first form found wins */
static void
test_lookup_order(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", false);
    MAPS   *maps = texthash("u+e@mx.example.test r1@x\n"
                            "u@mx.example.test r2@x\n"
                            "u+f r3@x\n"
                            "u r4@x\n"
                            "@mx.example.test r5@x\n");

    assert_string_equal(answer(maps, &s, "u+e@mx.example.test", false),
                        "r1@x");
    assert_string_equal(answer(maps, &s, "u+f@mx.example.test", false),
                        "r2@x");
    assert_string_equal(answer(maps, &s, "v@mx.example.test", false),
                        "r5@x");
    maps_free(maps);
    maps = texthash("u+f r3@x\nu r4@x\n@mx.example.test r5@x\n");
    assert_string_equal(answer(maps, &s, "u+f@mx.example.test", false),
                        "r3@x");
    assert_string_equal(answer(maps, &s, "u+g@mx.example.test", false),
                        "r4@x");
    maps_free(maps);
}

/* test_local_asked_lazily - the local domain check happens only when
 * the forms with the domain did not match, and its failure is a retry */
static void
test_local_asked_lazily(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", false);
    MAPS   *maps = texthash("u@d.test r@x\n@e.test r@y\n");

    assert_string_equal(answer(maps, &s, "u+x@d.test", false), "r@x");
    assert_int_equal(local_calls, 0);
    local_fails = 1;
    assert_string_equal(answer(maps, &s, "u@e.test", false), "RETRY");
    assert_int_equal(local_calls, 1);
    /* myorigin needs no question. */
    assert_string_equal(answer(maps, &s, "u@origin.test", false),
                        "NOTFOUND");
    assert_int_equal(local_calls, 1);
    maps_free(maps);
}

/* test_external_keys - keys are quoted local parts; an unquoted key
 * never matches an address whose local part needs quotes */
static void
test_external_keys(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", false);
    MAPS   *maps = texthash("\"a b\"@other.test key-space@r.test\n"
                            "\"a..b\"@other.test quoted-key@r.test\n"
                            "a..c@other.test unquoted-key@r.test\n"
                            "\"a..d\"@other.test key-d@r.test\n"
                            "\"a..e\" key-e@r.test\n"
                            "\"a..f+x\" key-f@r.test\n"
                            "a..g key-g@r.test\n");

    assert_string_equal(answer(maps, &s, "a b@other.test", true),
                        "key-space@r.test");
    assert_string_equal(answer(maps, &s, "a..b@other.test", true),
                        "quoted-key@r.test");
    assert_string_equal(answer(maps, &s, "a..c@other.test", true),
                        "NOTFOUND");
    assert_string_equal(answer(maps, &s, "a..d+x@other.test", true),
                        "key-d+x@r.test");
    assert_string_equal(answer(maps, &s, "a..e+x@mx.example.test", true),
                        "key-e+x@r.test");
    assert_string_equal(answer(maps, &s, "a..f+x@mx.example.test", true),
                        "key-f@r.test");
    assert_string_equal(answer(maps, &s, "a..g@mx.example.test", true),
                        "NOTFOUND");
    maps_free(maps);
}

/* test_null_address - the null address is looked up as "\"\"" */
static void
test_null_address(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", false);
    MAPS   *maps = texthash("\"\" emptyq@x.test\n");

    assert_string_equal(answer(maps, &s, "", true), "emptyq@x.test");
    maps_free(maps);
    maps = maps_create("sender_canonical_maps",
                       fixture_spec("regexp", fixture_write("re",
                                         "/^\"\"$/ emptyre@x.test\n")),
                       DICT_FLAG_DEFAULT);
    assert_string_equal(answer(maps, &s, "", true), "emptyre@x.test");
    maps_free(maps);
}

/* test_pattern_tables - a pattern table sees the whole quoted address,
 * never the forms without extension or domain */
static void
test_pattern_tables(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", false);
    MAPS   *maps = maps_create("canonical_maps",
                               fixture_spec("regexp", fixture_write("re",
                                   "/^\"a\\.\\.z\"@/ re-quoted@r.test\n"
                                   "/^a\\.\\.y@/ re-unquoted@r.test\n"
                                   "/^u@x\\.test$/ re-user@r.test\n"
                                   "/^joe$/ re-joe@r.test\n")),
                               DICT_FLAG_DEFAULT);

    assert_string_equal(answer(maps, &s, "a..z@other.test", true),
                        "re-quoted@r.test");
    assert_string_equal(answer(maps, &s, "a..y@other.test", true),
                        "NOTFOUND");
    assert_string_equal(answer(maps, &s, "u@x.test", true),
                        "re-user@r.test");
    assert_string_equal(answer(maps, &s, "u+e@x.test", true), "NOTFOUND");
    assert_string_equal(answer(maps, &s, "joe@mx.example.test", true),
                        "NOTFOUND");
    maps_free(maps);
}

/* test_at_domain_result - "@other" keeps the local part of the key that
 * matched; only the first address of a list gets it */
static void
test_at_domain_result(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", true);
    MAPS   *maps = texthash("fay@other.test @res.test\n"
                            "\"a..h\"@other.test @res.test\n"
                            "@dom.test @res.test\n"
                            "@dom2.test catch@res.test\n"
                            "m@v.test @r.test, plain\n");

    assert_string_equal(answer(maps, &s, "fay+x@other.test", true),
                        "fay+x@res.test");
    assert_string_equal(answer(maps, &s, "fay+x@other.test", false),
                        "fay@res.test");
    assert_string_equal(answer(maps, &s, "a..h+x@other.test", true),
                        "a..h+x@res.test");
    /* Matched as @domain: the whole local part, no extension added. */
    assert_string_equal(answer(maps, &s, "u+x@dom.test", true),
                        "u+x@res.test");
    assert_string_equal(answer(maps, &s, "u+x@dom.test", false),
                        "u+x@res.test");
    assert_string_equal(answer(maps, &s, "u+x@dom2.test", true),
                        "catch@res.test");
    assert_string_equal(answer(maps, &s, "m+z@v.test", true),
                        "m+z@r.test | plain+z@origin.test");
    maps_free(maps);
}

/* test_extension_propagation - before the last '@' of every result, with
 * the delimiter that was found, only when the match dropped it */
static void
test_extension_propagation(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+-", true);
    MAPS   *maps = texthash("ann@other.test canon-ann@result.test\n"
                            "bob@other.test bob+foo@res.test\n"
                            "eve@other.test eve2@res.test\n"
                            "ext@v.test t1@x.test, t2@x.test\n"
                            "dan@other.test \"dan smith\"@res.test\n"
                            "selfx@other.test selfx+y@other.test\n");

    assert_string_equal(answer(maps, &s, "ann+x@other.test", true),
                        "canon-ann+x@result.test");
    assert_string_equal(answer(maps, &s, "ann+x@other.test", false),
                        "canon-ann@result.test");
    assert_string_equal(answer(maps, &s, "bob+x@other.test", true),
                        "bob+foo+x@res.test");
    assert_string_equal(answer(maps, &s, "eve-x@other.test", true),
                        "eve2-x@res.test");
    assert_string_equal(answer(maps, &s, "eve+x-y@other.test", true),
                        "eve2+x-y@res.test");
    assert_string_equal(answer(maps, &s, "ann-x+y@other.test", true),
                        "canon-ann-x+y@result.test");
    assert_string_equal(answer(maps, &s, "ext+z@v.test", true),
                        "t1+z@x.test | t2+z@x.test");
    assert_string_equal(answer(maps, &s, "dan+x@other.test", true),
                        "dan smith+x@res.test");
    assert_string_equal(answer(maps, &s, "selfx+y@other.test", true),
                        "selfx+y+y@other.test");
    maps_free(maps);
    /* "owner-" never has an extension when '-' is a delimiter. */
    maps = texthash("ann@other.test canon-ann@result.test\n");
    assert_string_equal(answer(maps, &s, "owner-ann@other.test", true),
                        "NOTFOUND");
    s.recipient_delimiter = NULL;
    assert_string_equal(answer(maps, &s, "ann+x@other.test", true),
                        "NOTFOUND");
    maps_free(maps);
}

/* test_result_rewriting - results are rewritten in the local context
 * before the extension goes in */
static void
test_result_rewriting(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", true);
    MAPS   *maps = texthash("carl@other.test carlres\n"
                            "gus@other.test bang!gus\n"
                            "pct@other.test u%h.test\n"
                            "hal@other.test hal@host.\n"
                            "lst@other.test Joe <j@x.test>, (c) k@x.test\n");

    assert_string_equal(answer(maps, &s, "carl+x@other.test", true),
                        "carlres+x@origin.test");
    assert_string_equal(answer(maps, &s, "gus+x@other.test", true),
                        "gus+x@bang");
    assert_string_equal(answer(maps, &s, "pct+x@other.test", true),
                        "u+x@h.test");
    assert_string_equal(answer(maps, &s, "hal@other.test", true),
                        "hal@host");
    assert_string_equal(answer(maps, &s, "lst+x@other.test", true),
                        "j+x@x.test | k+x@x.test");
    /* Without rewrite settings the results stay as they are. */
    s.rewrite = NULL;
    assert_string_equal(answer(maps, &s, "carl+x@other.test", true),
                        "carlres+x");
    assert_string_equal(answer(maps, &s, "hal@other.test", true),
                        "hal@host.");
    maps_free(maps);
}

/* test_odd_results - "<>" is the null address; a result without any
 * address is a table problem, with Postfix's warning */
static void
test_odd_results(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", true);
    MAPS   *maps = texthash("n1@other.test <>\n"
                            "n2@other.test ,\n"
                            "n3@other.test ()\n"
                            "v3@other.test <>, ok@x.test\n");

    assert_string_equal(answer(maps, &s, "n1@other.test", true), "");
    assert_string_equal(answer(maps, &s, "n1+x@other.test", true), "+x");
    assert_string_equal(answer(maps, &s, "v3@other.test", true),
                        "ok@x.test");
    buf_reset(fixture_warnings);
    assert_string_equal(answer(maps, &s, "n2@other.test", true), "RETRY");
    assert_string_equal(buf_str(fixture_warnings),
                        "canonical_maps lookup of n2@other.test returns "
                        "non-address result \",\"\n");
    buf_reset(fixture_warnings);
    assert_string_equal(answer(maps, &s, "n3@other.test", true), "RETRY");
    assert_string_equal(buf_str(fixture_warnings),
                        "canonical_maps lookup of n3@other.test returns "
                        "non-address result \"()\"\n");
    maps_free(maps);
}

/* test_table_failure - a failing table is a retry, never "not found";
 * a hit in an earlier table still counts */
static void
test_table_failure(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", false);
    BUF    *spec = buf_alloc(100);
    MAPS   *maps;

    buf_sprintf(spec, "%s, fail:x",
                fixture_spec("texthash", fixture_write("t", "a@v.test b@v\n")));
    maps = maps_create("virtual_alias_maps", buf_str(spec), DICT_FLAG_DEFAULT);
    buf_free(spec);
    assert_string_equal(answer(maps, &s, "a@v.test", true), "b@v");
    buf_reset(fixture_warnings);
    assert_string_equal(answer(maps, &s, "b@v.test", true), "RETRY");
    assert_string_equal(buf_str(fixture_warnings),
                        "fail:x lookup error for \"b@v.test\"\n");
    maps_free(maps);
}

/* test_inline_table - inline: tables work the same way */
static void
test_inline_table(void **state)
{
    ADDR_MAP_SETTINGS s = settings("+", true);
    MAPS   *maps = maps_create("virtual_alias_maps",
                               "inline:{ u@x.test=y@z.test, "
                               "{ \"a b\"@x.test = c@d.test, e@f.test } }",
                               DICT_FLAG_DEFAULT);

    assert_string_equal(answer(maps, &s, "u+q@x.test", true),
                        "y+q@z.test");
    assert_string_equal(answer(maps, &s, "a b@x.test", true),
                        "c@d.test | e@f.test");
    maps_free(maps);
}

/* test_open - an empty list has no tables */
static void
test_open(void **state)
{
    MAPS   *maps;

    assert_null(addr_map_open("canonical_maps", NULL));
    assert_null(addr_map_open("canonical_maps", ""));
    assert_null(addr_map_open("canonical_maps", " ,\t"));
    maps = addr_map_open("canonical_maps", "inline:{a=b}, fail:x");
    assert_non_null(maps);
    assert_int_equal(maps->count, 2);
    assert_string_equal(maps->title, "canonical_maps");
    maps_free(maps);
}

/* test_classes - class lists: names, separators, the allowed subset and
 * Postfix's error text */
static void
test_classes(void **state)
{
    BUF    *why = buf_alloc(64);
    int     classes;

    assert_int_equal(addr_map_classes("canonical_classes",
                                      "envelope_sender, envelope_recipient,"
                                      "header_sender header_recipient",
                                      ADDR_CLASS_ALL, &classes, why), 0);
    assert_int_equal(classes, ADDR_CLASS_ALL);
    assert_int_equal(addr_map_classes("masquerade_classes",
                                      "envelope_sender,,header_sender",
                                      ADDR_CLASS_ALL, &classes, why), 0);
    assert_int_equal(classes, ADDR_CLASS_SENDER);
    assert_int_equal(addr_map_classes("masquerade_classes", "",
                                      ADDR_CLASS_ALL, &classes, why), 0);
    assert_int_equal(classes, 0);
    assert_int_equal(addr_map_classes("canonical_classes",
                                      "envelope_sender, bogus_class",
                                      ADDR_CLASS_ALL, &classes, why), -1);
    assert_string_equal(buf_str(why), "unknown canonical_classes value "
                        "\"bogus_class\" in \"envelope_sender, "
                        "bogus_class\"");
    assert_int_equal(addr_map_classes("masquerade_classes",
                                      "ENVELOPE_SENDER", ADDR_CLASS_ALL,
                                      &classes, why), -1);
    assert_string_equal(buf_str(why), "unknown masquerade_classes value "
                        "\"ENVELOPE_SENDER\" in \"ENVELOPE_SENDER\"");
    /* A recipient class is unknown where only sender classes may go. */
    assert_int_equal(addr_map_classes("canonical_classes",
                                      "envelope_recipient",
                                      ADDR_CLASS_SENDER, &classes, why), -1);
    assert_string_equal(buf_str(why), "unknown canonical_classes value "
                        "\"envelope_recipient\" in \"envelope_recipient\"");
    buf_free(why);
}

/* test_propagate_names - propagate_unmatched_extensions */
static void
test_propagate_names(void **state)
{
    BUF    *why = buf_alloc(64);
    int     mask;

    assert_int_equal(addr_map_propagate("canonical, virtual", &mask, why),
                     0);
    assert_int_equal(mask, ADDR_MAP_EXT_CANONICAL | ADDR_MAP_EXT_VIRTUAL);
    assert_int_equal(addr_map_propagate("alias forward include generic",
                                        &mask, why), 0);
    assert_int_equal(mask, ADDR_MAP_EXT_ALIAS | ADDR_MAP_EXT_FORWARD
                     | ADDR_MAP_EXT_INCLUDE | ADDR_MAP_EXT_GENERIC);
    assert_int_equal(addr_map_propagate("", &mask, why), 0);
    assert_int_equal(mask, 0);
    assert_int_equal(addr_map_propagate("canonical, bogus", &mask, why), -1);
    assert_string_equal(buf_str(why), "unknown propagate_unmatched_"
                        "extensions value \"bogus\" in \"canonical, bogus\"");
    assert_int_equal(addr_map_propagate("Canonical", &mask, why), -1);
    buf_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_user_forms_local_only),
        TEST(test_lookup_order),
        TEST(test_local_asked_lazily),
        TEST(test_external_keys),
        TEST(test_null_address),
        TEST(test_pattern_tables),
        TEST(test_at_domain_result),
        TEST(test_extension_propagation),
        TEST(test_result_rewriting),
        TEST(test_odd_results),
        TEST(test_table_failure),
        TEST(test_inline_table),
        TEST(test_open),
        TEST(test_classes),
        TEST(test_propagate_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
