/* test_dict_pcre - unit tests for pcre: tables (dict_pcre on the shared
 * dict_pattern code): PCRE syntax, each flag letter, $n substitution with
 * optional and lazy groups, if/endif nesting, the "PATH:LINE:" warning
 * of malformed lines with the rest of the table still answering, and the
 * limits on pattern length, backtracking steps, depth and memory. The rule
 * syntax itself is tested at length in test_dict_regexp.c. Expected results
 * were checked against Postfix 3.7's "postmap -q" on the same tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "regex_guard.h"

/* test_basic - Perl syntax, case-insensitive by default, a pattern table */
static void
test_basic(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/^(?!owner-)(.*)-outgoing@(.*)/"
                                " 550 Use ${1}@${2} instead\n"
                                "/\\d+-\\w+/ classes\n"
                                "/^postmaster@/ OK\n");

    assert_int_equal(fixture_warning_count(), 0);
    assert_true(dict->flags & DICT_FLAG_PATTERN);
    assert_string_equal(dict->type->name, "pcre");
    assert_non_null(dict->watch_path);
    fixture_expect(dict, "list-outgoing@example.com",
                   "550 Use list@example.com instead");
    fixture_expect(dict, "owner-list-outgoing@example.com", NULL);
    fixture_expect(dict, "x12-ab", "classes");
    fixture_expect(dict, "PostMaster@example.com", "OK");
    fixture_expect(dict, "nobody", NULL);
    dict_close(dict);
}

/* test_substitution - groups, lazy quantifiers, optional and named groups
 * (referenced by number), "$$", groups that did not take part */
static void
test_substitution(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/^(a+?)(a*)$/ lazy=$1 rest=$(2)\n"
                                "/^(?<name>n)(x)?$/ named=$1 opt=[$2] $$\n"
                                "/^(p)|^(q)/ one=[$1] two=[$2]\n"
                                "/^(((((((((((z)))))))))))$/ ${11}${1}\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "aaa", "lazy=a rest=aa");
    fixture_expect(dict, "n", "named=n opt=[] $");
    fixture_expect(dict, "nx", "named=n opt=[x] $");
    fixture_expect(dict, "p", "one=[p] two=[]");
    fixture_expect(dict, "q", "one=[] two=[q]");
    fixture_expect(dict, "z", "zz");
    dict_close(dict);
}

/* test_substitution_errors - out of range, negated, NO_REGSUB */
static void
test_substitution_errors(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/(a)(b)/ three=$3\n"
                                "!/(q)/ neg=$1\n"
                                "/^(a)(b)$/ ok=$2$1\n");

    fixture_warned(1, "out of range replacement index \"3\""
                   " (the pattern has 2 groups): skipping this rule");
    fixture_warned(2, "$number in the result of a negated pattern:"
                   " skipping this rule");
    assert_int_equal(fixture_warning_count(), 2);
    fixture_expect(dict, "ab", "ok=ba");
    dict_close(dict);

    dict = fixture_open_flags("pcre", "/^(a)/ sub=$1\n/^a/ plain\n",
                              DICT_FLAG_DEFAULT | DICT_FLAG_NO_REGSUB);
    fixture_warned(1, "$number substitution is not allowed in this table");
    fixture_expect(dict, "a", "plain");
    dict_close(dict);
}

/* test_flags_case_and_extended - i (default on) and x (default off) */
static void
test_flags_case_and_extended(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/^XyZ$/i sensitive\n"
                                "/^uvw$/ii twice\n"
                                "/ ^ i  j $ /x spaced\n"
                                "/^k l$/ literal-space\n");

    fixture_expect(dict, "XyZ", "sensitive");
    fixture_expect(dict, "xyz", NULL);
    fixture_expect(dict, "UVW", "twice");
    fixture_expect(dict, "IJ", "spaced");
    fixture_expect(dict, "k l", "literal-space");
    dict_close(dict);
}

/* test_flags_lines - m (multi-line), s (dot-all, default on), E (dollar
 * at the very end only) */
static void
test_flags_lines(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/^h$/m multi\n"
                                "/^c.d$/ dotall\n"
                                "/^e.f$/s no-dotall\n"
                                "/^g$/E end-only\n"
                                "/^w$/ before-newline\n");

    fixture_expect(dict, "x\nh", "multi");
    fixture_expect(dict, "c\nd", "dotall");
    fixture_expect(dict, "e\nf", NULL);
    fixture_expect(dict, "g\n", NULL);
    fixture_expect(dict, "g", "end-only");
    fixture_expect(dict, "w\n", "before-newline");
    dict_close(dict);
}

/* test_flags_anchor_greed - A (anchored), U (ungreedy); X is obsolete
 * (warned, ignored); an unknown letter skips the rule */
static void
test_flags_anchor_greed(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/k/A anchored\n"
                                "/^(b+)(b*)$/U ungreedy=$1 rest=$2\n"
                                "/^x$/X obsolete\n"
                                "/^y$/Z unknown\n");

    fixture_warned(3, "ignoring obsolete pattern flag \"X\"");
    fixture_warned(4, "unknown pattern flag \"Z\": skipping this rule");
    assert_int_equal(fixture_warning_count(), 2);
    fixture_expect(dict, "kk", "anchored");
    fixture_expect(dict, "xk", NULL);
    fixture_expect(dict, "bbb", "ungreedy=b rest=bb");
    fixture_expect(dict, "x", "obsolete");
    fixture_expect(dict, "y", NULL);
    dict_close(dict);
}

/* test_if_nesting - three levels with a negated "if" */
static void
test_if_nesting(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "if /^a/\n"
                                "if !/^ab/\n"
                                "if /c$/\n"
                                "/./ a-not-ab-c\n"
                                "endif\n"
                                "/./ a-not-ab\n"
                                "endif\n"
                                "/^(abc)/ $1-in-a\n"
                                "endif\n"
                                "/./ outside\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "axc", "a-not-ab-c");
    fixture_expect(dict, "ax", "a-not-ab");
    fixture_expect(dict, "abcd", "abc-in-a");
    fixture_expect(dict, "abx", "outside");
    fixture_expect(dict, "zzz", "outside");
    dict_close(dict);
}

/* test_malformed_lines - warnings with PATH:LINE; the rest still works */
static void
test_malformed_lines(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/^good1$/ one\n"
                                "/a(b/ unbalanced\n"
                                "/(?<n/ bad-name\n"
                                "/abc result\n"
                                "endif\n"
                                "/^good2$/ two\n"
                                "if /^never/\n"
                                "/^good3$/ three\n");

    fixture_warned(2, "bad regular expression: at offset 3: ");
    fixture_warned(3, "bad regular expression: at offset ");
    fixture_warned(4, "missing closing delimiter \"/\"");
    fixture_warned(5, "ignoring ENDIF without matching IF");
    fixture_warned(7, "IF has no matching ENDIF");
    assert_int_equal(fixture_warning_count(), 5);
    fixture_expect(dict, "good1", "one");
    fixture_expect(dict, "good2", "two");
    fixture_expect(dict, "good3", NULL);
    dict_close(dict);
}

/* test_match_error - a rule whose match fails at lookup time (here: a
 * lowered match limit) is warned about and passed over, negated or not,
 * as Postfix does */
static void
test_match_error(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/(*LIMIT_MATCH=10)^(a+)+$/ limited\n"
                                "!/(*LIMIT_MATCH=10)^(a+)+$/ negated\n"
                                "/./ fallback\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "aaaaaaaaaaaab", "fallback");
    fixture_warned(1, "matching failed: match limit exceeded:"
                   " skipping this rule");
    fixture_warned(2, "matching failed: match limit exceeded:"
                   " skipping this rule");
    fixture_expect(dict, "aa", "limited");
    dict_close(dict);
}

/* elapsed - seconds since *start */
static double
elapsed(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - start->tv_sec)
        + (double) (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* long_key - head, then count copies of unit, then tail (free() it) */
static char *
long_key(const char *head, const char *unit, int count, const char *tail)
{
    BUF    *buf = buf_alloc(64);

    buf_strcpy(buf, head);
    while (count-- > 0)
        buf_strcat(buf, unit);
    buf_strcat(buf, tail);
    return buf_export(buf);
}

/* test_backtracking_limit - catastrophic backtracking ends quickly at the
 * match limit with the "matching failed" warning; the next rule answers */
static void
test_backtracking_limit(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/^(a+)+$/ catastrophic\n"
                                "/^(\\w+\\s?)*$/ words\n"
                                "/./ fallback\n");
    struct timespec start;

    clock_gettime(CLOCK_MONOTONIC, &start);
    fixture_expect(dict, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
                   "fallback");
    assert_true(elapsed(&start) < 2.0);
    fixture_warned(1, "matching failed: match limit exceeded:"
                   " skipping this rule");
    fixture_warned(2, "matching failed: match limit exceeded:"
                   " skipping this rule");
    assert_int_equal(fixture_warning_count(), 2);
    fixture_expect(dict, "aaaa", "catastrophic");
    fixture_expect(dict, "some words here", "words");
    dict_close(dict);
}

/* test_depth_limit - a group repeated over a very long key stops at the
 * depth limit; on an ordinary key the same rule matches */
static void
test_depth_limit(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/^(?:(a)|b)*$/ deep\n"
                                "/./ fallback\n");
    char   *key = long_key("", "a", 150000, "");

    fixture_expect(dict, key, "fallback");
    fixture_warned(1, "matching failed: matching depth limit exceeded:"
                   " skipping this rule");
    assert_int_equal(fixture_warning_count(), 1);
    fixture_expect(dict, "abab", "deep");
    dict_close(dict);
    free(key);
}

/* test_heap_limit - backtracking memory is bounded too: many groups make
 * each backtracking frame large */
static void
test_heap_limit(void **state)
{
    char   *rule = long_key("/^", "(a)?", 300, "(?:(x)|y)*$/ heavy\n");
    char   *key = long_key("", "y", 90000, "");
    DICT   *dict = fixture_open("pcre", rule);

    fixture_expect(dict, key, NULL);
    fixture_warned(1, "matching failed: heap limit exceeded:"
                   " skipping this rule");
    fixture_expect(dict, "yyy", "heavy");
    dict_close(dict);
    free(rule);
    free(key);
}

/* test_long_header - realistic header_checks rules against a 100 KB
 * header (Postfix's header_size_limit) stay inside every limit */
static void
test_long_header(void **state)
{
    DICT   *dict = fixture_open("pcre",
                                "/^Subject:.*viagra/ subject\n"
                                "/^(To|Cc):.*@example\\.com\\b/ to\n"
                                "/^Received:.*\\[(10|172\\.(1[6-9]|2[0-9]"
                                "|3[01])|192\\.168)\\./ private\n");
    char   *to = long_key("To: ", "someone@somewhere.example.org, ", 3100,
                          "x");
    char   *to_hit = long_key("To: ", "someone@somewhere.example.org, ",
                              3100, "last@example.com");
    char   *subject = long_key("Subject: ", "cheap pills ", 8500, "viagra");

    fixture_expect(dict, to, NULL);
    fixture_expect(dict, to_hit, "to");
    fixture_expect(dict, subject, "subject");
    fixture_expect(dict, "Received: from x [192.168.1.1]", "private");
    assert_int_equal(fixture_warning_count(), 0);
    dict_close(dict);
    free(to);
    free(to_hit);
    free(subject);
}

/* test_too_long - a pattern over the length limit is skipped */
static void
test_too_long(void **state)
{
    char   *rule = long_key("/", "a", REGEX_GUARD_MAX_LENGTH + 1,
                            "/ long\n/^a/ short\n");
    DICT   *dict = fixture_open("pcre", rule);

    fixture_warned(1, "regular expression is too long (32769 bytes, at most"
                   " 32768): skipping this rule");
    assert_int_equal(fixture_warning_count(), 1);
    fixture_expect(dict, "aaa", "short");
    dict_close(dict);
    free(rule);
}

/* test_empty_table - no rules */
static void
test_empty_table(void **state)
{
    DICT   *dict = fixture_open("pcre", "");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "anything", NULL);
    dict_close(dict);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_substitution),
        cmocka_unit_test(test_substitution_errors),
        cmocka_unit_test(test_flags_case_and_extended),
        cmocka_unit_test(test_flags_lines),
        cmocka_unit_test(test_flags_anchor_greed),
        cmocka_unit_test(test_if_nesting),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_match_error),
        cmocka_unit_test(test_backtracking_limit),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_heap_limit),
        cmocka_unit_test(test_long_header),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_empty_table),
    };

    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
