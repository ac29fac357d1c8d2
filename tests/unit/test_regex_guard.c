/* test_regex_guard - unit tests for regex_guard, the cost estimate of POSIX
 * patterns that keeps regcomp() from blowing up: realistic table rules
 * cost little, stacked and nested repetitions, long optional chains,
 * anchors before large or looping parts and loops around many empty paths
 * cost more than the limit, in both syntaxes; bracket expressions and
 * escapes are not mistaken for operators; deep nesting, malformed
 * patterns and the length limit. Each pattern refused here was seen to
 * take tens of megabytes to gigabytes in glibc's regcomp(). */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "mymalloc.h"
#include "regex_guard.h"

#define ERE     1
#define BRE     0

/* Rules from real header_checks, body_checks and client tables. */
static const char *const realistic[] = {
    "^Subject:.*viagra",
    "^(.*)@(.*)\\.example\\.com$",
    "[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}",
    "^Received:.*\\[(10|172\\.(1[6-9]|2[0-9]|3[01])|192\\.168)\\.",
    "^[^@]+@([^.]+\\.)*(dsl|dyn|dynamic|dialup|pool|ppp|cable|adsl)[-.0-9]*\\.",
    "^Content-(Disposition|Type).*name\\s*=\\s*\"?(.*\\.(bat|com|exe|pif"
    "|scr|vbs|cpl|dll|lnk|zip))\"?\\s*$",
    "([0-9]{1,3}[.-]){3}[0-9]{1,3}",
    "[[:alpha:]]{2,}[[:digit:]]{1,20}\\.[[:alnum:]-]{1,63}",
    "^(([a-z0-9-]{1,63})\\.){1,10}[a-z]{2,6}$",
    "^.{0,255}$",
    "^.{1000,}",
    "\\<(free|cheap)\\>.*\\b(pills?|meds)\\b",
    "^(To|Cc):.*<?([^@<>]+)@([^@<>]+)>?",
    NULL,
};

/* cost - shorthand */
static uint64_t
cost(const char *pattern, int extended)
{
    return regex_guard_posix_cost(pattern, extended);
}

/* repeated - text made of count copies of unit between head and tail */
static char *
repeated(const char *head, const char *unit, int count, const char *tail)
{
    BUF    *buf = buf_alloc(64);

    buf_strcpy(buf, head);
    while (count-- > 0)
        buf_strcat(buf, unit);
    buf_strcat(buf, tail);
    return buf_export(buf);
}

/* test_realistic - every realistic rule costs a fraction of the limit,
 * and regcomp() accepts it (the estimate is for valid patterns) */
static void
test_realistic(void **state)
{
    BUF    *why = buf_alloc(16);
    regex_t re;

    for (const char *const *pp = realistic; *pp; pp++) {
        if (cost(*pp, ERE) > REGEX_GUARD_MAX_COST / 5)
            fail_msg("\"%s\" costs %llu", *pp,
                     (unsigned long long) cost(*pp, ERE));
        assert_int_equal(regex_guard_posix(*pp, ERE, why), 0);
        assert_int_equal(regcomp(&re, *pp, REG_EXTENDED | REG_ICASE), 0);
        regfree(&re);
    }
    buf_free(why);
}

/* test_harmless_big - large patterns that glibc compiles cheaply are
 * admitted: long counts of one atom, a long literal, a long alternation
 * of words, a bracket expression full of operator characters */
static void
test_harmless_big(void **state)
{
    char   *literal = repeated("^", "abcdefghij", 2000, "$");
    char   *words = repeated("^(", "somename\\.example|", 400, "x)$");

    assert_true(cost("a{30000}", ERE) < REGEX_GUARD_MAX_COST);
    assert_true(cost("[0-9]{32767}", ERE) < REGEX_GUARD_MAX_COST);
    assert_true(cost(literal, ERE) < REGEX_GUARD_MAX_COST);
    assert_true(cost(words, ERE) < REGEX_GUARD_MAX_COST);
    assert_true(cost("^.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*$", ERE)
                < 5000);
    free(literal);
    free(words);
}

/* test_stacked_plus - each "+" copies what it repeats: the estimate
 * doubles, and the input that took gigabytes is refused in both syntaxes */
static void
test_stacked_plus(void **state)
{
    BUF    *why = buf_alloc(16);
    char   *bre = repeated("x^u", "\\+", 27, "");
    uint64_t prev = cost("u+", ERE);

    for (int n = 2; n <= 12; n++) {
        char   *pattern = repeated("u", "+", n, "");
        uint64_t now = cost(pattern, ERE);

        assert_true(now >= 2 * prev - 2 && now <= 3 * prev);
        prev = now;
        free(pattern);
    }
    assert_int_equal(regex_guard_posix("x^u+++++++++++++++++++++++++++",
                                       ERE, why), -1);
    assert_string_equal(buf_str(why), "regular expression is too complex");
    assert_true(cost(bre, BRE) > REGEX_GUARD_MAX_COST);
    /* In basic syntax "+" is an ordinary character. */
    assert_true(cost("x^u+++++++++++++++++++++++++++", BRE) < 100);
    free(bre);
    buf_free(why);
}

/* test_nested_bounds - bounded repeats multiply when nested */
static void
test_nested_bounds(void **state)
{
    uint64_t one = cost("(a{1,30})", ERE);
    uint64_t two = cost("((a{1,30}){1,30})", ERE);

    assert_true(two > 25 * one);
    assert_true(cost("((a{1,1000}){1,1000}){1,1000}", ERE)
                > REGEX_GUARD_MAX_COST);
    assert_true(cost("((a{1,100}){1,100}){1,100}", ERE)
                > REGEX_GUARD_MAX_COST);
    assert_true(cost("\\(\\(a\\{1,1000\\}\\)\\{1,1000\\}\\)\\{1,1000\\}",
                     BRE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("a{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}",
                     ERE) > REGEX_GUARD_MAX_COST);
    /* The same text in the other syntax has literal braces. */
    assert_true(cost("((a{1,1000}){1,1000}){1,1000}", BRE) < 100);
    assert_true(cost("\\(\\(a\\{1,1000\\}\\)\\{1,1000\\}\\)\\{1,1000\\}",
                     ERE) < 100);
    /* "{0}" drops the atom after glibc built it: its nodes count, its
     * closure sets are never computed. "{,n}" is "{0,n}", "{m,}" has no
     * upper bound. */
    assert_true(cost("(a{1,1000}){0}", ERE) > 1000);
    assert_true(cost("(a{1,1000}){0}", ERE) < 5000);
    assert_true(cost("((a{1,1000}){1,1000}){0,0}", ERE)
                > REGEX_GUARD_MAX_COST);
    assert_true(cost("x^u+++++++++++++++++++++++++++{0}", ERE)
                > REGEX_GUARD_MAX_COST);
    assert_true(cost("(a{1,30}){,1000}", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("(a{1000,}){1000,}", ERE) > REGEX_GUARD_MAX_COST);
}

/* test_optional_chains - glibc stores for each node what it reaches
 * without reading: quadratic in a long chain of optional parts */
static void
test_optional_chains(void **state)
{
    assert_true(cost("a{0,30000}", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("(a?){5000}", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("(a*){5000}", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("a\\{0,30000\\}", BRE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("a{0,100}", ERE) < REGEX_GUARD_MAX_COST / 10);
    /* Four times the chain costs about sixteen times as much. */
    assert_true(cost("a{0,2000}", ERE) > 12 * cost("a{0,500}", ERE));
}

/* test_brackets - operator characters inside a bracket expression are
 * members, also after "]" first, "^", and in "[:class:]" */
static void
test_brackets(void **state)
{
    assert_true(cost("x[+++++++++++++++++++++++++++++++]", ERE) < 10);
    assert_true(cost("x[]+++++++++++++++++++++++++++++]", ERE) < 10);
    assert_true(cost("x[^]++++++++++++++++++++++++++++]", ERE) < 10);
    assert_true(cost("x[[:alpha:]+++++++++++++++++++++]", ERE) < 10);
    assert_true(cost("x[[.+.][=+=]++++++++++++++++++++]", ERE) < 10);
    assert_true(cost("x[{1000}{1000}{1000}]", ERE) < 10);
    /* After the bracket, operators count again. */
    assert_true(cost("x[ab]++++++++++++++++++++++++++", ERE)
                > REGEX_GUARD_MAX_COST);
    assert_true(cost("x[[:alpha:]]{1000}{1000}", ERE) > REGEX_GUARD_MAX_COST);
}

/* test_escapes - escaped operators in extended syntax are characters;
 * in basic syntax "\+", "\?", "\{", "\(", "\|" are the operators */
static void
test_escapes(void **state)
{
    assert_true(cost("x\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+"
                     "\\+\\+\\+\\+\\+\\+\\+\\+", ERE) < 100);
    assert_true(cost("(a|b)\\{1000\\}\\{1000\\}", ERE) < 100);
    assert_true(cost("\\(a\\|b\\)\\{1000\\}\\{1000\\}", BRE)
                > REGEX_GUARD_MAX_COST);
    assert_true(cost("\\(a\\|b\\){1000}{1000}", BRE) < 100);
    assert_true(cost("\\w\\W\\s\\Sx\\bx\\Bx\\<x\\>x\\`x\\'x\\1", ERE) < 200);
    /* A "*" with nothing before it is an ordinary character. */
    assert_true(cost("*a", BRE) < 10);
    assert_true(cost("\\(*a\\)", BRE) < 10);
}

/* test_anchors - glibc copies what an anchor reaches without reading,
 * once per path: many anchors in one such part, or deeply nested loops
 * after one, are refused; the usual anchors are cheap */
static void
test_anchors(void **state)
{
    char   *stars = repeated("\\<x", "*", 117, "c");
    char   *bounds = repeated("x", "\\b", 24, "y");
    char   *few_stars = repeated("\\<x", "*", 4, "c");

    assert_true(cost("^$", ERE) < 20);
    assert_true(cost("^(\\s*|#.*)$", ERE) < 500);
    assert_true(cost("\\b(foo|bar)\\b", ERE) < 100);
    assert_true(cost("(^|[^a-z])(foo)([^a-z]|$)", ERE) < 100);
    assert_true(cost(few_stars, ERE) < 5000);
    assert_true(cost(stars, ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost(bounds, ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("x(\\<|\\>){8}*y", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("(^){100}", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("(^|\\<[ab][^a]\\b)\\w{0,}{3,100}*b", ERE)
                > REGEX_GUARD_MAX_COST);
    /* Loops around parts that match empty, in a row after an anchor. */
    assert_true(cost("^(x**){20}", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("\\`\\w***{100,}", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("^(\\s*,?)*$", ERE) < REGEX_GUARD_MAX_COST / 5);
    free(stars);
    free(bounds);
    free(few_stars);
}

/* test_empty_cycles - a loop around a part that can match empty makes
 * glibc walk every empty path: exponential in a row of optional parts
 * that can match empty themselves; without the loop it remembers */
static void
test_empty_cycles(void **state)
{
    assert_true(cost("([ab]?{1,5}){10,}x", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("(a?{1,5}){8}(a?{1,5})*x", ERE) > REGEX_GUARD_MAX_COST);
    assert_true(cost("(a?{1,5}){8}x", ERE) < 2000);
    assert_true(cost("(a?{1,5}){8}(a)*x", ERE) < 2000);
    assert_true(cost("^((\\s*)(,)?)*$", ERE) < REGEX_GUARD_MAX_COST / 5);
    assert_true(cost("(\\s*|,)*", ERE) < 100);
}

/* test_depth - groups may nest REGEX_GUARD_MAX_DEPTH deep, no deeper */
static void
test_depth(void **state)
{
    char   *ok_open = repeated("", "(", REGEX_GUARD_MAX_DEPTH, "a");
    char   *ok = repeated(ok_open, ")", REGEX_GUARD_MAX_DEPTH, "");
    char   *deep = repeated("", "(", REGEX_GUARD_MAX_DEPTH + 1, "a");
    char   *bre = repeated("", "\\(", REGEX_GUARD_MAX_DEPTH + 1, "a");
    char   *unclosed = repeated("", "(", REGEX_GUARD_MAX_DEPTH, "a");

    assert_true(cost(ok, ERE) < REGEX_GUARD_MAX_COST);
    assert_true(cost(unclosed, ERE) < REGEX_GUARD_MAX_COST);
    assert_int_equal(cost(deep, ERE), UINT64_MAX);
    assert_int_equal(cost(bre, BRE), UINT64_MAX);
    assert_true(cost(deep, BRE) < REGEX_GUARD_MAX_COST);
    free(ok_open);
    free(ok);
    free(deep);
    free(bre);
    free(unclosed);
}

/* test_malformed - any text gets an estimate, without reading past its
 * end; huge counts saturate instead of wrapping around */
static void
test_malformed(void **state)
{
    static const char *const bad[] = {
        "", "\\", "[", "[^", "[]", "[[:", "[[:alpha", "[[.a", "a{", "a{1",
        "a{1,", "a{,", "a{}", "a{x}", "a{1,2,3}", "a{2,1}", "(((", ")))",
        "a\\{1", "a\\{1\\", "|||", "(|)", "()*+?{2}", "a{99999999999999999999}",
        "a{0,99999999999999999999}", "\\(\\)\\{5\\}", NULL,
    };

    for (const char *const *pp = bad; *pp; pp++) {
        (void) cost(*pp, ERE);
        (void) cost(*pp, BRE);
    }
    assert_true(cost("a{2,1}", ERE) < 10);
    assert_true(cost("(((a{99999}){99999}){99999}){99999}", ERE)
                > REGEX_GUARD_MAX_COST);
    assert_true(cost("(((((((((((a{32767}){32767}){32767}){32767}){32767})"
                     "{32767}){32767}){32767}){32767}){32767}){32767}", ERE)
                == UINT64_MAX);
}

/* test_length - the length limit, with its message */
static void
test_length(void **state)
{
    BUF    *why = buf_alloc(16);
    char   *max = repeated("", "a", REGEX_GUARD_MAX_LENGTH, "");
    char   *over = repeated("", "a", REGEX_GUARD_MAX_LENGTH + 1, "");

    assert_int_equal(regex_guard_length(max, why), 0);
    assert_int_equal(regex_guard_length(over, why), -1);
    assert_string_equal(buf_str(why), "regular expression is too long"
                        " (32769 bytes, at most 32768)");
    free(max);
    free(over);
    buf_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_realistic),
        cmocka_unit_test(test_harmless_big),
        cmocka_unit_test(test_stacked_plus),
        cmocka_unit_test(test_nested_bounds),
        cmocka_unit_test(test_optional_chains),
        cmocka_unit_test(test_brackets),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_anchors),
        cmocka_unit_test(test_empty_cycles),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_length),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
