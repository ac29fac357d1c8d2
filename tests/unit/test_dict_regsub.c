/* test_dict_regsub - unit tests for dict_regsub, the $n result text of
 * regexp and pcre tables: each reference form, "$$", literal results,
 * groups that did not take part, and the error text of each bad form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dict_regsub.h"

/* The groups of a pretend match: index = group number; NULL = unset. */
static const char *const toy_groups[] = {"whole", "one", NULL, "three"};

/* toy_group - text of a pretend group */
static const char *
toy_group(void *ctx, int n, size_t *len)
{
    int    *calls = ctx;

    (*calls)++;
    if (n < 0 || n >= (int) (sizeof(toy_groups) / sizeof(toy_groups[0]))
        || toy_groups[n] == NULL)
        return NULL;
    *len = strlen(toy_groups[n]);
    return toy_groups[n];
}

/* expand - parse text and expand it against the toy groups */
static void
expand(const char *text, const char *want, int want_max)
{
    BUF    *why = buf_alloc(16);
    BUF    *out = buf_alloc(16);
    DICT_REGSUB *rs = dict_regsub_parse(text, why);
    int     calls = 0;

    if (rs == NULL)
        fail_msg("\"%s\": %s", text, buf_str(why));
    assert_int_equal(dict_regsub_max(rs), want_max);
    buf_strcpy(out, "stale");
    dict_regsub_expand(rs, out, toy_group, &calls);
    assert_string_equal(buf_str(out), want);
    if (want_max == 0) {
        assert_int_equal(calls, 0);
        assert_string_equal(dict_regsub_literal(rs), want);
    } else {
        assert_null(dict_regsub_literal(rs));
    }
    dict_regsub_free(rs);
    buf_free(why);
    buf_free(out);
}

/* reject - parse text, expecting exactly this error */
static void
reject(const char *text, const char *want)
{
    BUF    *why = buf_alloc(16);

    assert_null(dict_regsub_parse(text, why));
    assert_string_equal(buf_str(why), want);
    buf_free(why);
}

/* test_literal - no references: the text itself, "$$" made "$" */
static void
test_literal(void **state)
{
    expand("", "", 0);
    expand("OK", "OK", 0);
    expand("550 cost $$5", "550 cost $5", 0);
    expand("$$$$1", "$$1", 0);
}

/* test_references - $n, ${n}, $(n), leading zeros, unset groups */
static void
test_references(void **state)
{
    expand("$1", "one", 1);
    expand("<${1}>", "<one>", 1);
    expand("<$(1)>", "<one>", 1);
    expand("$1 $3 end", "one three end", 3);
    expand("${1}x$(3)y", "onexthreey", 3);
    expand("[$2]", "[]", 2);
    expand("$01-$$-$1", "one-$-one", 1);
    expand("${1}}", "one}", 1);
    expand("a$1.b", "aone.b", 1);
}

/* test_errors - each malformed reference */
static void
test_errors(void **state)
{
    reject("x=$0", "out of range replacement index \"0\"");
    reject("x=$00", "out of range replacement index \"00\"");
    reject("x=$99999999999999",
           "out of range replacement index \"99999999999999\"");
    reject("x=$a", "non-numeric replacement index \"a\"");
    reject("x=$1a", "non-numeric replacement index \"1a\"");
    reject("x=${ 1 }", "non-numeric replacement index \" 1 \"");
    reject("x=${1:x}", "non-numeric replacement index \"1:x\"");
    reject("x=${1", "missing '}' in replacement text \"${1\"");
    reject("x=$(1}", "missing ')' in replacement text \"$(1}\"");
    reject("x=$", "\"$\" without a group number"
           " (write \"$$\" for a literal \"$\")");
    reject("x=$ y", "\"$\" without a group number"
           " (write \"$$\" for a literal \"$\")");
    reject("x=${}", "\"$\" without a group number"
           " (write \"$$\" for a literal \"$\")");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
