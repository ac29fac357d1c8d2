/* test_dict_regexp - unit tests for regexp: tables (dict_regexp with the
 * shared dict_pattern, dict_rules and dict_regsub code): each syntax
 * element, flags, $n substitution, if/endif nesting, and the "PATH:LINE:"
 * warning of each kind of malformed line, with the rest of the table still
 * answering, and patterns refused as too complex or too long. Expected
 * results were checked against Postfix 3.7's "postmap -q" on the same
 * tables. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "regex_guard.h"

/* test_basic - first matching rule wins; keys are matched whole and
 * case-insensitively by default; the table is a pattern table */
static void
test_basic(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "# comment\n"
                                "/^abc$/ ABC\n"
                                "\n"
                                "/b/     contains b\n"
                                "/^a/    starts with a\n");

    assert_int_equal(fixture_warning_count(), 0);
    assert_true(dict->flags & DICT_FLAG_PATTERN);
    assert_string_equal(dict->type->name, "regexp");
    assert_non_null(dict->watch_path);
    fixture_expect(dict, "abc", "ABC");
    fixture_expect(dict, "ABC", "ABC");
    fixture_expect(dict, "xbx", "contains b");
    fixture_expect(dict, "ax", "starts with a");
    fixture_expect(dict, "xyz", NULL);
    fixture_expect(dict, "", NULL);
    dict_close(dict);
}

/* test_result_text - the result is the rest of the logical line, inner
 * white space kept, continuation lines joined */
static void
test_result_text(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "/^a$/ 550  too   many spaces\n"
                                "/^b$/ first part\n"
                                "  second part\n"
                                "/^c$/\t\ttabbed\n");

    fixture_expect(dict, "a", "550  too   many spaces");
    fixture_expect(dict, "b", "first part  second part");
    fixture_expect(dict, "c", "tabbed");
    dict_close(dict);
}

/* test_negation - "!" fires when the pattern does not match; blanks may
 * follow it and two of them cancel out */
static void
test_negation(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "!!/^bb/ double\n"
                                "!/^a/ not-a\n"
                                "! /^b/ not-b\n");

    fixture_expect(dict, "bb", "double");
    fixture_expect(dict, "xyz", "not-a");
    fixture_expect(dict, "ab", "not-b");
    fixture_expect(dict, "b", "not-a");
    dict_close(dict);
}

/* test_delimiters - any non-alphanumeric delimiter; a backslash protects
 * it and stays in the pattern; white space inside a pattern */
static void
test_delimiters(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "|^a\\|b$| bar\n"
                                "%^e\\%f$% percent\n"
                                "/^j\\/k$/ slash\n"
                                "\"^q$\" quote\n"
                                "/^x y$/ space\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "a|b", "bar");
    fixture_expect(dict, "a", NULL);
    fixture_expect(dict, "e%f", "percent");
    fixture_expect(dict, "j/k", "slash");
    fixture_expect(dict, "q", "quote");
    fixture_expect(dict, "x y", "space");
    dict_close(dict);
}

/* test_substitution - $n, ${n}, $(n), "$$", groups that did not take part */
static void
test_substitution(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "/^(.*)@(.*)$/ u=$1 d=${2} again=$(1)"
                                " dollar=$$ $$1 ${1}x\n"
                                "/^(a)|^(c)/ one=[$1] two=[$2]\n"
                                "/^(n)(x)?/ $01/$2/\n"
                                "/^k(.)/ ${1}}\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "joe@example.com",
                   "u=joe d=example.com again=joe dollar=$ $1 joex");
    fixture_expect(dict, "a", "one=[a] two=[]");
    fixture_expect(dict, "c", "one=[] two=[c]");
    fixture_expect(dict, "n", "n//");
    fixture_expect(dict, "nx", "n/x/");
    fixture_expect(dict, "kq", "q}");
    dict_close(dict);
}

/* test_substitution_errors - each bad reference is a warning for its line
 * and the line is skipped; the rest of the table works */
static void
test_substitution_errors(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "/(a)(b)/ three=$3\n"
                                "/(a)/ zero=$0\n"
                                "/(a)/ name=$a\n"
                                "/(a)/ glued=$1a\n"
                                "/(a)/ open=${1\n"
                                "/(a)/ paren=$(1\n"
                                "/(a)/ lone=$\n"
                                "/(a)/ blank=$ x\n"
                                "!/(q)/ neg=$1\n"
                                "/(a)/ huge=$99999999999999\n"
                                "/^(a)(b)$/ ok=$2$1\n"
                                "!/q/ neg-ok=$$\n");

    fixture_warned(1, "out of range replacement index \"3\"");
    fixture_warned(2, "out of range replacement index \"0\"");
    fixture_warned(3, "non-numeric replacement index \"a\"");
    fixture_warned(4, "non-numeric replacement index \"1a\"");
    fixture_warned(5, "missing '}' in replacement text \"${1\"");
    fixture_warned(6, "missing ')' in replacement text \"$(1\"");
    fixture_warned(7, "\"$\" without a group number");
    fixture_warned(8, "\"$\" without a group number");
    fixture_warned(9, "$number in the result of a negated pattern");
    fixture_warned(10, "out of range replacement index \"99999999999999\"");
    assert_int_equal(fixture_warning_count(), 10);
    fixture_expect(dict, "ab", "ok=ba");
    fixture_expect(dict, "abc", "neg-ok=$");
    fixture_expect(dict, "q", NULL);
    dict_close(dict);
}

/* test_no_regsub - DICT_FLAG_NO_REGSUB rejects rules that substitute */
static void
test_no_regsub(void **state)
{
    DICT   *dict = fixture_open_flags("regexp",
                                      "/^(a)/ sub=$1\n"
                                      "/^a/ plain $$\n",
                                      DICT_FLAG_DEFAULT | DICT_FLAG_NO_REGSUB);

    fixture_warned(1, "$number substitution is not allowed in this table:"
                   " skipping this rule");
    fixture_expect(dict, "a", "plain $");
    dict_close(dict);
}

/* test_flag_i - "i" toggles case-insensitive matching (default on) */
static void
test_flag_i(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "/^XyZ$/i sensitive\n"
                                "/^uvw$/ii twice\n");

    fixture_expect(dict, "XyZ", "sensitive");
    fixture_expect(dict, "xyz", NULL);
    fixture_expect(dict, "UVW", "twice");
    dict_close(dict);
}

/* test_flag_x - "x" toggles extended syntax (default on): off means POSIX
 * basic expressions, where + and {} are literal and \{ \} count */
static void
test_flag_x(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "/^a+b$/x basic\n"
                                "/^c{2}$/x basic-brace\n"
                                "/^d\\{2\\}$/x basic-count\n"
                                "/^e+f$/ extended\n");

    fixture_expect(dict, "a+b", "basic");
    fixture_expect(dict, "aab", NULL);
    fixture_expect(dict, "c{2}", "basic-brace");
    fixture_expect(dict, "cc", NULL);
    fixture_expect(dict, "dd", "basic-count");
    fixture_expect(dict, "eef", "extended");
    dict_close(dict);
}

/* test_flag_m - "m": ^ and $ also match at newlines in the key */
static void
test_flag_m(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "/^h$/m multi\n"
                                "/^g$/ single\n");

    fixture_expect(dict, "h\nx", "multi");
    fixture_expect(dict, "g\nx", NULL);
    fixture_expect(dict, "g", "single");
    dict_close(dict);
}

/* test_if_nesting - three levels, a negated "if", blocks skipped when
 * their condition fails, "if" and "endif" in any case */
static void
test_if_nesting(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "if /^a/\n"
                                "if !/^ab/\n"
                                "IF /c$/\n"
                                "/./ a-not-ab-c\n"
                                "ENDIF\n"
                                "/./ a-not-ab\n"
                                "endif\n"
                                "if/^abc/\n"
                                "/./ abc\n"
                                "endif\n"
                                "endif\n"
                                "/^a/ a-fallback\n"
                                "/./ outside\n");

    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "axc", "a-not-ab-c");
    fixture_expect(dict, "ax", "a-not-ab");
    fixture_expect(dict, "abcd", "abc");
    fixture_expect(dict, "abx", "a-fallback");
    fixture_expect(dict, "zzz", "outside");
    dict_close(dict);
}

/* test_if_errors - "endif" without "if", "if" without "endif" (innermost
 * reported first), extra text after either */
static void
test_if_errors(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "endif\n"
                                "if /^x/ extra\n"
                                "endif extra\n"
                                "/^x/ x\n"
                                "if /^a/\n"
                                "if /^ab/\n"
                                "/^abc$/ abc\n");

    fixture_warned(1, "ignoring ENDIF without matching IF");
    fixture_warned(2, "ignoring extra text after IF: \"extra\"");
    fixture_warned(3, "ignoring extra text after ENDIF");
    fixture_warned(6, "IF has no matching ENDIF");
    fixture_warned(5, "IF has no matching ENDIF");
    assert_int_equal(fixture_warning_count(), 5);
    assert_non_null(strstr(buf_str(fixture_warnings), ":6: IF has no"));
    assert_true(strstr(buf_str(fixture_warnings), ":6: IF has no")
                < strstr(buf_str(fixture_warnings), ":5: IF has no"));
    fixture_expect(dict, "x", "x");
    fixture_expect(dict, "abc", "abc");
    fixture_expect(dict, "ac", NULL);
    dict_close(dict);
}

/* test_malformed_lines - each kind of bad line: warned with PATH:LINE and
 * skipped; the good rules around them still answer */
static void
test_malformed_lines(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "/^good1$/ one\n"
                                "abc result\n"
                                "/abc result\n"
                                "/abc/q result\n"
                                "/a(b/ unbalanced\n"
                                "!\n"
                                "if\n"
                                "/^good2$/ two\n"
                                "/^empty$/\n"
                                "/abc/result\n"
                                "/^good3$/ three\n");

    fixture_warned(2, "unrecognized request: skipping this line");
    fixture_warned(3, "missing closing delimiter \"/\": skipping this rule");
    fixture_warned(4, "unknown pattern flag \"q\": skipping this rule");
    fixture_warned(5, "bad regular expression: ");
    fixture_warned(6, "missing /pattern/: skipping this rule");
    fixture_warned(7, "missing /pattern/: skipping this rule");
    fixture_warned(9, "no replacement text: using empty string");
    fixture_warned(10, "unknown pattern flag \"r\": skipping this rule");
    assert_int_equal(fixture_warning_count(), 8);
    fixture_expect(dict, "good1", "one");
    fixture_expect(dict, "good2", "two");
    fixture_expect(dict, "good3", "three");
    fixture_expect(dict, "empty", "");
    fixture_expect(dict, "abc", NULL);
    dict_close(dict);
}

/* test_too_complex - patterns that would make regcomp() take gigabytes
 * or minutes are warned about and skipped, in both syntaxes; realistic
 * rules around them still answer. The last three were found by fuzzing:
 * an anchor before 117 stacked stars kept regcomp() busy for seconds,
 * loops around optional optionals for minutes and for seconds. */
static void
test_too_complex(void **state)
{
    DICT   *dict = fixture_open("regexp",
                                "/x^u+++++++++++++++++++++++++++/ stacked\n"
                                "/((a{1,1000}){1,1000}){1,1000}/ nested\n"
                                "/\\(\\(a\\{1,1000\\}\\)\\{1,1000\\}\\)"
                                "\\{1,1000\\}/x basic\n"
                                "/a{0,30000}/ optional\n"
                                "/^Subject:.*viagra/ subject\n"
                                "/^Received:.*\\[(10|172\\.(1[6-9]|2[0-9]"
                                "|3[01])|192\\.168)\\./ private\n"
                                "/^(.*)@(.*)\\.example\\.com$/ $2 $1\n"
                                "/[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}/"
                                " numeric\n"
                                "/((a{1,1000}){1,1000}){1,1000}/x literal\n"
                                "/\\<\\*****************************"
                                "********************************************"
                                "********************************************"
                                "\\`c/ fuzz-timeout\n"
                                "/\\b$\\'|([ab]?{1,5}){20,}x+./ minutes\n"
                                "/^x+++++++!+++++??D???????????++++/i"
                                " seconds\n");

    fixture_warned(1, "regular expression is too complex: skipping this rule");
    fixture_warned(2, "regular expression is too complex: skipping this rule");
    fixture_warned(3, "regular expression is too complex: skipping this rule");
    fixture_warned(4, "regular expression is too complex: skipping this rule");
    fixture_warned(10, "regular expression is too complex: skipping this rule");
    fixture_warned(11, "regular expression is too complex: skipping this rule");
    fixture_warned(12, "regular expression is too complex: skipping this rule");
    assert_int_equal(fixture_warning_count(), 7);
    fixture_expect(dict, "Subject: cheap viagra", "subject");
    fixture_expect(dict, "joe@mx.example.com", "mx joe");
    fixture_expect(dict, "host-192-0-2.example.net", "numeric");
    fixture_expect(dict, "Received: from x [172.20.1.1]", "private");
    fixture_expect(dict, "Received: from x [172.32.1.1]", "numeric");
    fixture_expect(dict, "Received: from x [10.1.1.1]", "private");
    fixture_expect(dict, "((a{1,1000}){1,1000}){1,1000}", "literal");
    fixture_expect(dict, "xuuu", NULL);
    dict_close(dict);
}

/* test_too_long - a pattern over the length limit is skipped */
static void
test_too_long(void **state)
{
    BUF    *text = buf_alloc(REGEX_GUARD_MAX_LENGTH + 64);
    DICT   *dict;

    buf_strcpy(text, "/^");
    for (int i = 0; i < REGEX_GUARD_MAX_LENGTH; i++)
        buf_addch(text, 'a');
    buf_strcat(text, "/ long\n/^a/ short\n");
    dict = fixture_open("regexp", buf_str(text));
    fixture_warned(1, "regular expression is too long (32769 bytes, at most"
                   " 32768): skipping this rule");
    assert_int_equal(fixture_warning_count(), 1);
    fixture_expect(dict, "aaa", "short");
    dict_close(dict);
    buf_free(text);
}

/* test_empty_table - no rules: opens, finds nothing, says nothing */
static void
test_empty_table(void **state)
{
    DICT   *dict = fixture_open("regexp", "");

    fixture_expect(dict, "anything", NULL);
    dict_close(dict);
    dict = fixture_open("regexp", "# only a comment\n\n");
    assert_int_equal(fixture_warning_count(), 0);
    fixture_expect(dict, "anything", NULL);
    dict_close(dict);
}

/* test_open_errors - a missing file, or a request to write */
static void
test_open_errors(void **state)
{
    char    spec[sizeof(fixture_dir) + 32];
    char    want[sizeof(fixture_dir) + 64];

    snprintf(spec, sizeof(spec), "regexp:%s/missing", fixture_dir);
    buf_reset(fixture_why);
    assert_null(dict_open(spec, O_RDONLY, DICT_FLAG_DEFAULT, fixture_why));
    snprintf(want, sizeof(want), "open %s/missing: %s", fixture_dir,
             strerror(ENOENT));
    assert_string_equal(buf_str(fixture_why), want);

    snprintf(spec, sizeof(spec), "regexp:%s", fixture_write("rw", "/a/ b\n"));
    buf_reset(fixture_why);
    assert_null(dict_open(spec, O_RDWR, DICT_FLAG_DEFAULT, fixture_why));
    assert_non_null(strstr(buf_str(fixture_why), "requires O_RDONLY"));
}

/* test_changed - the table notices when its file is replaced */
static void
test_changed(void **state)
{
    DICT   *dict = fixture_open("regexp", "/a/ one\n");

    assert_false(dict_changed(dict));
    fixture_write("regexp", "/a/ two\n");
    assert_true(dict_changed(dict));
    dict_close(dict);
}

/* test_inline - "regexp:{ {rule}, {rule} }" (Postfix 3.7): no file, one
 * line per braced rule */
static void
test_inline(void **state)
{
    DICT   *dict;

    buf_reset(fixture_warnings);
    dict = dict_open("regexp:{ {/^(a)$/ got $1}, {if !/^b/}, {/./ not-b},"
                     " {endif} {/(c)/} }", O_RDONLY, DICT_FLAG_DEFAULT,
                     fixture_why);
    assert_non_null(dict);
    assert_null(dict->watch_path);
    fixture_expect(dict, "a", "got a");
    fixture_expect(dict, "x", "not-b");
    fixture_expect(dict, "bc", "");
    assert_non_null(strstr(buf_str(fixture_warnings),
                           ":5: no replacement text: using empty string"));
    dict_close(dict);
    assert_null(dict_open("regexp:{ {/a/ b} /c/ d }", O_RDONLY,
                          DICT_FLAG_DEFAULT, fixture_why));
    assert_string_equal(buf_str(fixture_why), "regexp:{{/a/ b} /c/ d}:"
                        " expected \"{ rule }\" at \"/c/ d\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_result_text),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_substitution),
        cmocka_unit_test(test_substitution_errors),
        cmocka_unit_test(test_no_regsub),
        cmocka_unit_test(test_flag_i),
        cmocka_unit_test(test_flag_x),
        cmocka_unit_test(test_flag_m),
        cmocka_unit_test(test_if_nesting),
        cmocka_unit_test(test_if_errors),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_too_complex),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_changed),
        cmocka_unit_test(test_inline),
    };

    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
