/* test_dict_composite - unit tests for unionmap and pipemap (and the
 * dict_composite module they share): joined and piped results, errors
 * from members, nesting, member open errors named, syntax errors in
 * Postfix's wording, FIXED/PATTERN flags, case folding and dict_changed
 * through a member. The results were checked with Postfix's postmap -q. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"

/* One lookup: the table, the key, and the answer (or "NOTFOUND", or
 * "ERROR"). */
typedef struct QUERY {
    const char *spec;
    const char *key;
    const char *want;
} QUERY;

#define QUERY_COUNT(q) (sizeof(q) / sizeof((q)[0]))

/* query - open spec with the default flags, look up key, close; the
 * result (or "NOTFOUND", or "ERROR") is copied into a static buffer */
static const char *
query(const char *spec, const char *key)
{
    static char answer[200];
    DICT   *dict = fixture_open_spec(spec, O_RDONLY, DICT_FLAG_DEFAULT);
    const char *value = dict_get(dict, key);

    if (value != NULL)
        snprintf(answer, sizeof(answer), "%s", value);
    else
        snprintf(answer, sizeof(answer), "%s",
                 dict->error ? "ERROR" : "NOTFOUND");
    dict_close(dict);
    return answer;
}

/* expect_queries - every query gives its answer */
static void
expect_queries(const QUERY *queries, size_t count)
{
    for (size_t i = 0; i < count; i++)
        assert_string_equal(query(queries[i].spec, queries[i].key),
                            queries[i].want);
}

/* test_union - every member's value joined with ",", in order */
static void
test_union(void **state)
{
    static const QUERY queries[] = {
        {"unionmap:{static:a, static:b}", "k", "a,b"},
        {"unionmap:{ static:a }", "k", "a"},
        {"unionmap:{static:a, static:a}", "k", "a,a"},
        {"unionmap:{inline:{x=1}, inline:{k=1}}", "K", "1"},
        {"unionmap:{inline:{k=1}, inline:{k=2}, inline:{ {k = a b} } }", "k",
         "1,2,a b"},
        {"unionmap:{static:{a,b}, static:c}", "k", "a,b,c"},
        {"unionmap:{static:a,,static:c}", "k", "a,c"},
        {"unionmap:{static:a static:c}", "k", "a,c"},
        {"unionmap:{inline:{k=}, static:a}", "k", ",a"},
        {"unionmap:{inline:{x=1}, inline:{y=1}}", "k", "NOTFOUND"},
        {"unionmap:{static:a, fail:x}", "k", "ERROR"},
        {"unionmap:{fail:x, static:a}", "k", "ERROR"},
    };

    expect_queries(queries, QUERY_COUNT(queries));
}

/* test_union_reuse - the answer stays valid until the next lookup, and
 * the previous answer may be the next key */
static void
test_union_reuse(void **state)
{
    DICT   *dict = fixture_open_spec("unionmap:{inline:{k=v, {v,v = end}}, "
                                     "inline:{k=v}}", O_RDONLY,
                                     DICT_FLAG_DEFAULT);
    const char *first = dict_get(dict, "k");

    assert_string_equal(first, "v,v");
    assert_string_equal(dict_get(dict, first), "end");
    assert_null(dict_get(dict, "nothing"));
    dict_close(dict);
}

/* test_pipe - each value is the next member's key */
static void
test_pipe(void **state)
{
    static const QUERY queries[] = {
        {"pipemap:{static:a}", "k", "a"},
        {"pipemap:{inline:{k=v}, inline:{v=w}}", "k", "w"},
        {"pipemap:{inline:{k=v}, inline:{x=w}}", "k", "NOTFOUND"},
        {"pipemap:{inline:{x=v}, inline:{v=w}}", "k", "NOTFOUND"},
        {"pipemap:{inline:{k=v}, inline:{v=w}, static:z}", "k", "z"},
        {"pipemap:{inline:{k=v}, fail:x}", "k", "ERROR"},
        {"pipemap:{fail:x, inline:{k=v}}", "k", "ERROR"},
        /* Not found before the failing member: not found. */
        {"pipemap:{inline:{x=y}, fail:x}", "k", "NOTFOUND"},
    };

    expect_queries(queries, QUERY_COUNT(queries));
}

/* test_nested - composites as members, both ways */
static void
test_nested(void **state)
{
    static const QUERY queries[] = {
        {"unionmap:{static:a unionmap:{static:x, static:y}}", "k", "a,x,y"},
        {"pipemap:{unionmap:{inline:{k=v}, inline:{k=u}}, "
         "inline:{ {v,u = c}}}", "k", "c"},
        {"unionmap:{pipemap:{inline:{k=v}, inline:{v=w}}, static:s}", "k",
         "w,s"},
    };

    expect_queries(queries, QUERY_COUNT(queries));
}

/* test_folding - each member folds as it asks; a pipe's later members
 * fold the value they get */
static void
test_folding(void **state)
{
    DICT   *dict;

    assert_string_equal(query("pipemap:{inline:{k=V}, inline:{v=w}}", "K"),
                        "w");
    dict = fixture_open_spec("pipemap:{inline:{k=V}, inline:{V=w}}",
                             O_RDONLY, DICT_FLAG_DUP_WARN);
    assert_string_equal(dict_get(dict, "k"), "w");
    assert_null(dict_get(dict, "K"));
    dict_close(dict);
    dict = fixture_open_spec("unionmap:{inline:{k=1}, environ:x}", O_RDONLY,
                             DICT_FLAG_DEFAULT);
    assert_int_equal(setenv("test_composite_var", "e", 1), 0);
    assert_string_equal(dict_get(dict, "K"), "1");
    assert_string_equal(dict_get(dict, "TEST_COMPOSITE_VAR"), "e");
    dict_close(dict);
}

/* test_flags - FIXED only when every member is; PATTERN when any is */
static void
test_flags(void **state)
{
    DICT   *dict;

    dict = fixture_open_spec("unionmap:{static:a, inline:{k=v}}", O_RDONLY,
                             DICT_FLAG_DEFAULT);
    assert_true(dict->flags & DICT_FLAG_FIXED);
    assert_false(dict->flags & DICT_FLAG_PATTERN);
    assert_true(dict->flags & DICT_FLAG_FOLD_FIX);
    dict_close(dict);
    dict = fixture_open_spec("pipemap:{static:a, fail:x}", O_RDONLY,
                             DICT_FLAG_DEFAULT);
    assert_false(dict->flags & DICT_FLAG_FIXED);
    assert_true(dict->flags & DICT_FLAG_PATTERN);
    dict_close(dict);
    /* Flags a caller sets by mistake do not stick. */
    dict = fixture_open_spec("unionmap:{unionmap:{fail:x}}", O_RDONLY,
                             DICT_FLAG_DEFAULT | DICT_FLAG_FIXED);
    assert_false(dict->flags & DICT_FLAG_FIXED);
    assert_true(dict->flags & DICT_FLAG_PATTERN);
    dict_close(dict);
}

/* test_errors - syntax errors, and member errors with the member named */
static void
test_errors(void **state)
{
    static const char *const errors[][2] = {   /* spec, reason */
        {"unionmap:{static:a, x}",
         "bad syntax: \"unionmap:{static:a, x}\"; "
         "need \"unionmap:{type:name...}\""},
        {"pipemap:{static:a, inline:{k=1}",
         "bad syntax: \"pipemap:{static:a, inline:{k=1}\"; "
         "need \"pipemap:{type:name...}\""},
        {"pipemap:{static:a}}",
         "bad syntax: \"pipemap:{static:a}}\"; "
         "need \"pipemap:{type:name...}\""},
        {"unionmap:{ , }",
         "bad syntax: \"unionmap:{,}\"; need \"unionmap:{type:name...}\""},
        {"unionmap:{}", "table unionmap: needs a name after \"unionmap:\""},
        {"unionmap:{static:a, bogus:x}",
         "bogus:x: unsupported dictionary type: bogus"},
        {"unionmap:{static:a, {static:b}}",
         "{static:b}: unsupported dictionary type: {static"},
        {"unionmap:{static:a, texthash:/nonexistent/t}",
         "texthash:/nonexistent/t: open /nonexistent/t: "
         "No such file or directory"},
        {"pipemap:{static:a, inline:{k}}",
         "inline:{k}: missing '=' after attribute name: "
         "\"inline:{k}\"; need \"inline:{name=value...}\""},
        {"pipemap:{static:a, unionmap:{static:b, fail:}}",
         "unionmap:{static:b, fail:}: fail:: table fail: needs a name "
         "after \"fail:\""},
    };

    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        assert_string_equal(fixture_open_error(errors[i][0], O_RDONLY),
                            errors[i][1]);
}

/* test_deep_nesting - a limit instead of unbounded recursion */
static void
test_deep_nesting(void **state)
{
    BUF    *spec = buf_alloc(100);
    DICT   *dict;
    int     depth;

    for (depth = 0; depth < 1000; depth++)
        buf_strcat(spec, "unionmap:{");
    buf_strcat(spec, "static:x");
    for (depth = 0; depth < 1000; depth++)
        buf_strcat(spec, "}");
    assert_non_null(strstr(fixture_open_error(buf_str(spec), O_RDONLY),
                           "tables nested more than 16 deep"));

    buf_reset(spec);
    for (depth = 0; depth < 16; depth++)
        buf_strcat(spec, "pipemap:{");
    buf_strcat(spec, "static:x");
    for (depth = 0; depth < 16; depth++)
        buf_strcat(spec, "}");
    dict = fixture_open_spec(buf_str(spec), O_RDONLY, DICT_FLAG_DEFAULT);
    assert_string_equal(dict_get(dict, "k"), "x");
    dict_close(dict);
    buf_free(spec);
}

/* test_changed - a member's file removed: the composite has changed */
static void
test_changed(void **state)
{
    const char *path = fixture_write("t", "k v\n");
    char    spec[sizeof(fixture_file) + 64];
    DICT   *dict;

    snprintf(spec, sizeof(spec), "unionmap:{static:s, pipemap:{texthash:%s, "
             "static:p}}", path);
    dict = fixture_open_spec(spec, O_RDONLY, DICT_FLAG_DEFAULT);
    assert_string_equal(dict_get(dict, "k"), "s,p");
    assert_false(dict_changed(dict));
    assert_int_equal(unlink(path), 0);
    assert_true(dict_changed(dict));
    dict_close(dict);
    /* Nothing else was left in the directory. */
    assert_int_equal(rmdir(fixture_dir), 0);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_union),
        FIXTURE_TEST(test_union_reuse),
        FIXTURE_TEST(test_pipe),
        FIXTURE_TEST(test_nested),
        FIXTURE_TEST(test_folding),
        FIXTURE_TEST(test_flags),
        FIXTURE_TEST(test_errors),
        FIXTURE_TEST(test_deep_nesting),
        FIXTURE_TEST(test_changed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
