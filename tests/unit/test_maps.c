/* test_maps - unit tests for maps and maps_addr: the search over a list of
 * tables (first hit wins, an error stops the search and is never "not
 * found", partial keys skip pattern tables) and Postfix's address and
 * domain lookup order, observed through recording fake tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "argv.h"
#include "htable.h"
#include "mymalloc.h"
#include "mail_params.h"
#include "maps.h"
#include "maps_addr.h"

/* A fake table: answers from an htable and records every key it sees. */
typedef struct FAKE {
    DICT    dict;
    HTABLE *entries;
    ARGV   *seen;
    int     fail;                       /* answer DICT_ERR_RETRY */
} FAKE;

static const DICT_TYPE fake_type = {.name = "fake"};

/* fake_lookup - record the key, answer from the entries */
static const char *
fake_lookup(DICT *dict, const char *key)
{
    FAKE   *fp = (FAKE *) dict;

    argv_add(fp->seen, key);
    if (fp->fail) {
        dict->error = DICT_ERR_RETRY;
        return NULL;
    }
    return htable_find(fp->entries, key);
}

/* fake_close - free the fake */
static void
fake_close(DICT *dict)
{
    FAKE   *fp = (FAKE *) dict;

    htable_free(fp->entries, NULL);
    argv_free(fp->seen);
    dict_free(dict);
}

/* fake_new - a fake table with "key=value" entries; flags FIXED/PATTERN */
static FAKE *
fake_new(int flags, const char *const *entries)
{
    FAKE   *fp = (FAKE *) dict_alloc(&fake_type, "t", sizeof(FAKE), 0,
                                     flags);

    fp->entries = htable_create(10);
    fp->seen = argv_alloc(10);
    for (; entries && *entries; entries += 2)
        htable_enter(fp->entries, entries[0], (void *) entries[1]);
    fp->dict.lookup = fake_lookup;
    fp->dict.close = fake_close;
    return fp;
}

/* maps_of - a MAPS holding the given fakes */
static MAPS *
maps_of(FAKE **fakes, int count)
{
    MAPS   *maps = maps_create("test_maps", "", 0);
    int     i;

    maps->dicts = myrealloc(maps->dicts, sizeof(DICT *) * count);
    for (i = 0; i < count; i++)
        maps->dicts[i] = &fakes[i]->dict;
    maps->count = count;
    return maps;
}

/* seen_is - the keys a fake saw, joined with spaces */
static void
seen_is(FAKE *fp, const char *want)
{
    BUF    *got = buf_alloc(100);
    int     i;

    for (i = 0; i < fp->seen->argc; i++)
        buf_sprintf_append(got, "%s%s", i ? " " : "", fp->seen->argv[i]);
    assert_string_equal(buf_str(got), want);
    buf_free(got);
    argv_truncate(fp->seen, 0);
}

/* test_first_hit_wins - tables are searched in order */
static void
test_first_hit_wins(void **state)
{
    static const char *const a[] = {"k", "from-a", NULL};
    static const char *const b[] = {"k", "from-b", "only-b", "b", NULL};
    FAKE   *fakes[2] = {fake_new(DICT_FLAG_FIXED, a),
                        fake_new(DICT_FLAG_FIXED, b)};
    MAPS   *maps = maps_of(fakes, 2);

    assert_string_equal(maps_find(maps, "k", 0), "from-a");
    assert_string_equal(maps_find(maps, "only-b", 0), "b");
    assert_null(maps_find(maps, "none", 0));
    assert_int_equal(maps->error, DICT_ERR_NONE);
    assert_null(maps_find(maps, "", 0));
    maps_free(maps);
}

/* test_error_stops - a failing table is a tempfail, not "not found" */
static void
test_error_stops(void **state)
{
    static const char *const b[] = {"k", "from-b", NULL};
    FAKE   *fakes[2] = {fake_new(DICT_FLAG_FIXED, NULL),
                        fake_new(DICT_FLAG_FIXED, b)};
    MAPS   *maps = maps_of(fakes, 2);

    fakes[0]->fail = 1;
    assert_null(maps_find(maps, "k", 0));
    assert_int_equal(maps->error, DICT_ERR_RETRY);
    seen_is(fakes[1], "");
    fakes[0]->fail = 0;
    assert_string_equal(maps_find(maps, "k", 0), "from-b");
    assert_int_equal(maps->error, DICT_ERR_NONE);
    maps_free(maps);
}

/* test_empty_result - an empty value is an error, not a match */
static void
test_empty_result(void **state)
{
    static const char *const a[] = {"k", "", NULL};
    FAKE   *fakes[1] = {fake_new(DICT_FLAG_FIXED, a)};
    MAPS   *maps = maps_of(fakes, 1);

    assert_null(maps_find(maps, "k", 0));
    assert_int_equal(maps->error, DICT_ERR_CONFIG);
    maps_free(maps);
}

/* test_partial_skips_patterns - DICT_FLAG_FIXED lookups skip patterns */
static void
test_partial_skips_patterns(void **state)
{
    static const char *const p[] = {"@d", "pattern", NULL};
    FAKE   *fakes[1] = {fake_new(DICT_FLAG_PATTERN, p)};
    MAPS   *maps = maps_of(fakes, 1);

    assert_null(maps_find(maps, "@d", DICT_FLAG_FIXED));
    seen_is(fakes[0], "");
    assert_string_equal(maps_find(maps, "@d", 0), "pattern");
    maps_free(maps);
}

/* test_open_failure_defers - a table that cannot be opened fails lookups */
static void
test_open_failure_defers(void **state)
{
    MAPS   *maps = maps_create("test_maps", "nosuchtype:/x, bad", 0);

    assert_int_equal(maps->count, 2);
    assert_null(maps_find(maps, "k", 0));
    assert_int_equal(maps->error, DICT_ERR_RETRY);
    maps_free(maps);
}

/* test_addr_order - user+ext@domain, user@domain, user+ext, user, @domain */
static void
test_addr_order(void **state)
{
    FAKE   *fakes[1] = {fake_new(DICT_FLAG_FIXED, NULL)};
    MAPS   *maps = maps_of(fakes, 1);
    char   *ext;

    var_recipient_delimiter = "+";
    assert_null(maps_find_addr(maps, "user+ext@example.com", 1, &ext));
    seen_is(fakes[0], "user+ext@example.com user@example.com user+ext user"
            " @example.com");
    assert_null(ext);
    assert_null(maps_find_addr(maps, "user+ext@example.com", 0, &ext));
    seen_is(fakes[0], "user+ext@example.com user@example.com @example.com");
    assert_null(maps_find_addr(maps, "user@example.com", 1, &ext));
    seen_is(fakes[0], "user@example.com user @example.com");
    assert_null(maps_find_addr(maps, "user+ext", 0, &ext));
    seen_is(fakes[0], "user+ext user");
    var_recipient_delimiter = "";
    assert_null(maps_find_addr(maps, "user+ext@example.com", 1, &ext));
    seen_is(fakes[0], "user+ext@example.com user+ext @example.com");
    maps_free(maps);
}

/* test_addr_patterns_full_only - pattern tables see the full address */
static void
test_addr_patterns_full_only(void **state)
{
    FAKE   *fakes[2] = {fake_new(DICT_FLAG_PATTERN, NULL),
                        fake_new(DICT_FLAG_FIXED, NULL)};
    MAPS   *maps = maps_of(fakes, 2);

    var_recipient_delimiter = "+";
    assert_null(maps_find_addr(maps, "u+x@d", 1, NULL));
    seen_is(fakes[0], "u+x@d");
    seen_is(fakes[1], "u+x@d u@d u+x u @d");
    maps_free(maps);
}

/* test_addr_extension - a match without the extension returns it */
static void
test_addr_extension(void **state)
{
    static const char *const e[] = {"user@d", "a@b", "@d", "catch", NULL};
    FAKE   *fakes[1] = {fake_new(DICT_FLAG_FIXED, e)};
    MAPS   *maps = maps_of(fakes, 1);
    char   *ext;

    var_recipient_delimiter = "+-";
    assert_string_equal(maps_find_addr(maps, "user-foo@d", 0, &ext), "a@b");
    assert_string_equal(ext, "-foo");
    free(ext);
    assert_string_equal(maps_find_addr(maps, "user@d", 0, &ext), "a@b");
    assert_null(ext);
    assert_string_equal(maps_find_addr(maps, "other+x@d", 0, &ext), "catch");
    assert_null(ext);
    maps_free(maps);
}

/* test_split_ext - delimiters, and Postfix's owner-/-request exception */
static void
test_split_ext(void **state)
{
    assert_int_equal(split_addr_ext("user+foo", 8, "+"), 4);
    assert_int_equal(split_addr_ext("user+foo+bar", 12, "+"), 4);
    assert_int_equal(split_addr_ext("user-foo", 8, "+-"), 4);
    assert_int_equal(split_addr_ext("owner-list", 10, "-"), 0);
    assert_int_equal(split_addr_ext("list-request", 12, "-"), 0);
    assert_int_equal(split_addr_ext("owner+x", 7, "+"), 5);
    assert_int_equal(split_addr_ext("+foo", 4, "+"), 0);
    assert_int_equal(split_addr_ext("user", 4, ""), 0);
}

/* test_domain_order - the name, then parents, bare or dotted by feature */
static void
test_domain_order(void **state)
{
    FAKE   *fakes[1] = {fake_new(DICT_FLAG_FIXED, NULL)};
    MAPS   *maps = maps_of(fakes, 1);

    var_parent_domain_matches_subdomains = "relay_domains, smtpd_access_maps";
    assert_null(maps_find_domain(maps, "a.b.example.com", "transport_maps"));
    seen_is(fakes[0], "a.b.example.com .b.example.com .example.com .com");
    assert_null(maps_find_domain(maps, "a.b.example.com",
                                 "smtpd_access_maps"));
    seen_is(fakes[0], "a.b.example.com b.example.com example.com com");
    assert_null(maps_find_domain(maps, "[192.0.2.1]", "transport_maps"));
    seen_is(fakes[0], "[192.0.2.1]");
    assert_true(parent_domain_matches("relay_domains"));
    assert_false(parent_domain_matches("transport_maps"));
    maps_free(maps);
}

/* test_domain_hit - the nearest parent wins */
static void
test_domain_hit(void **state)
{
    static const char *const e[] = {".example.com", "sub", "example.com",
        "exact", NULL};
    FAKE   *fakes[1] = {fake_new(DICT_FLAG_FIXED, e)};
    MAPS   *maps = maps_of(fakes, 1);

    var_parent_domain_matches_subdomains = "";
    assert_string_equal(maps_find_domain(maps, "example.com", "x"), "exact");
    assert_string_equal(maps_find_domain(maps, "m.example.com", "x"), "sub");
    maps_free(maps);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_hit_wins),
        cmocka_unit_test(test_error_stops),
        cmocka_unit_test(test_empty_result),
        cmocka_unit_test(test_partial_skips_patterns),
        cmocka_unit_test(test_open_failure_defers),
        cmocka_unit_test(test_addr_order),
        cmocka_unit_test(test_addr_patterns_full_only),
        cmocka_unit_test(test_addr_extension),
        cmocka_unit_test(test_split_ext),
        cmocka_unit_test(test_domain_order),
        cmocka_unit_test(test_domain_hit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
