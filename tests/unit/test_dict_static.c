/* test_dict_static - unit tests for the tables without storage: static
 * (one answer for every key), fail (every operation fails with
 * DICT_ERR_RETRY) and environ (getenv of the folded key). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"

/* open_ok - open a table with the flags daemons use, expecting success */
static DICT *
open_ok(const char *spec, int open_flags)
{
    return fixture_open_spec(spec, open_flags, DICT_FLAG_DEFAULT);
}

/* test_static - every key, also the empty one, gets the text */
static void
test_static(void **state)
{
    DICT   *dict = open_ok("static:{ a b, c }", O_RDONLY);
    const char *key;
    const char *value;

    assert_true(dict->flags & DICT_FLAG_FIXED);
    assert_false(dict->flags & DICT_FLAG_PATTERN);
    assert_string_equal(dict_get(dict, "anything"), "a b, c");
    assert_string_equal(dict_get(dict, ""), "a b, c");
    assert_int_equal(dict->error, DICT_ERR_NONE);
    assert_int_equal(dict_seq(dict, DICT_SEQ_FIRST, &key, &value), -1);
    assert_int_equal(dict->error, DICT_ERR_CONFIG);
    assert_int_equal(dict_del(dict, "x"), -1);
    dict_close(dict);

    dict = open_ok("static:OK", O_RDONLY);
    assert_string_equal(dict_get(dict, "Key"), "OK");
    dict_close(dict);
    assert_null(dict_open("static:", O_RDONLY, 0, fixture_why));
    assert_null(dict_open("static:{}", O_RDONLY, 0, fixture_why));
}

/* test_fail - lookups, walks and (when writable) writes fail with a
 * temporary error; a pattern table; a name is required */
static void
test_fail(void **state)
{
    DICT   *dict = open_ok("fail:label", O_RDONLY);
    const char *key;
    const char *value;

    assert_true(dict->flags & DICT_FLAG_PATTERN);
    assert_false(dict->flags & DICT_FLAG_FIXED);
    assert_null(dict_get(dict, "key"));
    assert_int_equal(dict->error, DICT_ERR_RETRY);
    assert_int_equal(dict_seq(dict, DICT_SEQ_FIRST, &key, &value), -1);
    assert_int_equal(dict->error, DICT_ERR_RETRY);
    assert_int_equal(dict_put(dict, "k", "v"), -1);
    assert_int_equal(dict->error, DICT_ERR_CONFIG);     /* read-only */
    dict_close(dict);

    dict = open_ok("fail:{x}", O_RDWR);
    assert_int_equal(dict_put(dict, "k", "v"), -1);
    assert_int_equal(dict->error, DICT_ERR_RETRY);
    assert_int_equal(dict_del(dict, "k"), -1);
    assert_int_equal(dict->error, DICT_ERR_RETRY);
    dict_close(dict);

    assert_null(dict_open("fail:", O_RDONLY, 0, fixture_why));
    assert_string_equal(buf_str(fixture_why),
                        "table fail: needs a name after \"fail:\"");
}

/* test_environ - getenv of the key, folded under FOLD_FIX */
static void
test_environ(void **state)
{
    DICT   *dict = open_ok("environ:x", O_RDONLY);

    assert_true(dict->flags & DICT_FLAG_FIXED);
    assert_int_equal(setenv("test_dict_lower", "low", 1), 0);
    assert_int_equal(setenv("TEST_DICT_UPPER", "up", 1), 0);
    assert_int_equal(setenv("test_dict_empty", "", 1), 0);
    assert_string_equal(dict_get(dict, "TEST_DICT_LOWER"), "low");
    assert_null(dict_get(dict, "TEST_DICT_UPPER"));     /* folded */
    assert_int_equal(dict->error, DICT_ERR_NONE);
    assert_string_equal(dict_get(dict, "test_dict_empty"), "");
    assert_null(dict_get(dict, "test_dict_unset"));
    assert_null(dict_get(dict, ""));
    assert_null(dict_get(dict, "a=b"));
    dict_close(dict);

    dict = dict_open("environ:x", O_RDONLY, DICT_FLAG_DUP_WARN, fixture_why);
    assert_string_equal(dict_get(dict, "TEST_DICT_UPPER"), "up");
    dict_close(dict);
    assert_null(dict_open("environ:", O_RDONLY, 0, fixture_why));
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_static),
        FIXTURE_TEST(test_fail),
        FIXTURE_TEST(test_environ),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
