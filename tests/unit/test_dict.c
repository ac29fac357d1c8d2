/* test_dict - unit tests for the dict core (dict.c, dict_registry.c,
 * dict_surrogate.c): "type:name" parsing, unknown types, case folding only
 * for fixed-string tables, "not supported" answers for missing methods, the
 * error reset before each call, and change detection of watched files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mymalloc.h"
#include "maps.h"

static const DICT_TYPE echo_type = {.name = "echo"};

/* echo_lookup - answer with the key as the table received it */
static const char *
echo_lookup(DICT *dict, const char *key)
{
    if (strcmp(key, "fail") == 0) {
        dict->error = DICT_ERR_RETRY;
        return NULL;
    }
    return key;
}

/* echo_new - a table that echoes keys, with the given flags */
static DICT *
echo_new(int flags)
{
    DICT   *dict = dict_alloc(&echo_type, "x", sizeof(DICT), 0, flags);

    dict->lookup = echo_lookup;
    dict->close = dict_free;
    return dict;
}

/* split_ok - dict_split_spec, expecting success */
static void
split_ok(const char *spec, const char *want_type, const char *want_name)
{
    BUF    *why = buf_alloc(10);
    char   *type;
    char   *name;

    assert_int_equal(dict_split_spec(spec, &type, &name, why), 0);
    assert_string_equal(type, want_type);
    assert_string_equal(name, want_name);
    free(type);
    free(name);
    buf_free(why);
}

/* split_bad - dict_split_spec, expecting this error */
static void
split_bad(const char *spec, const char *want)
{
    BUF    *why = buf_alloc(10);
    char   *type;
    char   *name;

    assert_int_equal(dict_split_spec(spec, &type, &name, why), -1);
    assert_string_equal(buf_str(why), want);
    buf_free(why);
}

/* test_split - type:name, braced names, errors */
static void
test_split(void **state)
{
    split_ok("lmdb:/etc/postfix/x", "lmdb", "/etc/postfix/x");
    split_ok("inline:{ a=b, { c = d } }", "inline", "a=b, { c = d }");
    split_ok("static:{}", "static", "");
    split_ok("fail:", "fail", "");
    split_ok("regexp:/x:y", "regexp", "/x:y");
    split_bad("nocolon", "expecting \"type:name\" form instead of \"nocolon\"");
    split_bad(":x", "expecting \"type:name\" form instead of \":x\"");
    split_bad("inline:{a=b", "missing '}' in \"inline:{a=b\"");
}

/* test_open_errors - unknown types and missing names */
static void
test_open_errors(void **state)
{
    BUF    *why = buf_alloc(10);

    assert_null(dict_open("bogus:/x", O_RDONLY, 0, why));
    assert_string_equal(buf_str(why), "unsupported dictionary type: bogus");
    assert_null(dict_open("lmdb:", O_RDONLY, 0, why));
    assert_string_equal(buf_str(why), "table lmdb: needs a name after \"lmdb:\"");
    assert_non_null(dict_type_find("lmdb"));
    assert_null(dict_type_find("LMDB"));
    buf_free(why);
}

/* test_registry - every type is listed once and found by name */
static void
test_registry(void **state)
{
    const DICT_TYPE *const *tp;
    int     count = 0;

    for (tp = dict_type_list(); *tp; tp++, count++) {
        assert_ptr_equal(dict_type_find((*tp)->name), *tp);
        assert_non_null((*tp)->open);
    }
    assert_int_equal(count, 15);
}

/* test_folding - only fixed tables with FOLD_FIX see lowercase keys */
static void
test_folding(void **state)
{
    DICT   *fixed = echo_new(DICT_FLAG_FIXED | DICT_FLAG_FOLD_FIX);
    DICT   *nofold = echo_new(DICT_FLAG_FIXED);
    DICT   *pattern = echo_new(DICT_FLAG_PATTERN | DICT_FLAG_FOLD_FIX);

    assert_string_equal(dict_get(fixed, "User@Example.COM"),
                        "user@example.com");
    assert_string_equal(dict_get(nofold, "User"), "User");
    assert_string_equal(dict_get(pattern, "User"), "User");
    dict_close(fixed);
    dict_close(nofold);
    dict_close(pattern);
}

/* test_unsupported_and_reset - missing methods, and error reset */
static void
test_unsupported_and_reset(void **state)
{
    DICT   *dict = echo_new(DICT_FLAG_FIXED);
    const char *key;
    const char *value;

    assert_int_equal(dict_put(dict, "k", "v"), -1);
    assert_int_equal(dict->error, DICT_ERR_CONFIG);
    assert_int_equal(dict_del(dict, "k"), -1);
    assert_int_equal(dict_seq(dict, DICT_SEQ_FIRST, &key, &value), -1);
    assert_null(dict_get(dict, "fail"));
    assert_int_equal(dict->error, DICT_ERR_RETRY);
    assert_string_equal(dict_get(dict, "ok"), "ok");
    assert_int_equal(dict->error, DICT_ERR_NONE);
    dict_close(dict);
}

/* test_watch - replaced, modified, created and removed files */
static void
test_watch(void **state)
{
    char    dir[] = "/tmp/test_dict.XXXXXX";
    char    path[100];
    char    tmp[100];
    DICT   *dict = echo_new(DICT_FLAG_FIXED);
    FILE   *fp;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/table", dir);
    snprintf(tmp, sizeof(tmp), "%s/table.new", dir);
    dict_watch(dict, path);                     /* missing at open */
    assert_false(dict_changed(dict));
    assert_non_null(fp = fopen(path, "w"));
    fclose(fp);
    assert_true(dict_changed(dict));            /* created */
    dict_watch(dict, path);
    assert_false(dict_changed(dict));
    assert_non_null(fp = fopen(tmp, "w"));
    fclose(fp);
    assert_int_equal(rename(tmp, path), 0);
    assert_true(dict_changed(dict));            /* replaced */
    dict_watch(dict, path);
    assert_int_equal(unlink(path), 0);
    assert_true(dict_changed(dict));            /* removed */
    assert_int_equal(rmdir(dir), 0);
    dict_close(dict);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_folding),
        cmocka_unit_test(test_unsupported_and_reset),
        cmocka_unit_test(test_watch),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
