/* test_dict_mem - unit tests for the in-memory table behind texthash and
 * inline: loading with folding and duplicate handling, the update, delete
 * and sequence methods of a writable table, and the read-only check. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "dict_mem.h"

static const DICT_TYPE test_type = {.name = "memtest"};

/* test_enter_fold - keys are folded under FOLD_FIX only; the table is a
 * fixed-string one */
static void
test_enter_fold(void **state)
{
    DICT   *dict = dict_mem_create(&test_type, "t", O_RDONLY,
                                   DICT_FLAG_DEFAULT | DICT_FLAG_PATTERN);

    assert_true(dict->flags & DICT_FLAG_FIXED);
    assert_false(dict->flags & DICT_FLAG_PATTERN);
    assert_int_equal(dict_mem_enter(dict, "MiXed", "v", "f", 1), 0);
    assert_string_equal(dict_get(dict, "mixed"), "v");
    assert_string_equal(dict_get(dict, "MIXED"), "v");
    dict_close(dict);

    dict = dict_mem_create(&test_type, "t", O_RDONLY, DICT_FLAG_DUP_WARN);
    dict_mem_enter(dict, "MiXed", "v", "f", 1);
    assert_null(dict_get(dict, "mixed"));
    assert_int_equal(dict->error, DICT_ERR_NONE);
    assert_string_equal(dict_get(dict, "MiXed"), "v");
    dict_close(dict);
}

/* test_enter_dups - warn (as the input spelled the key) and keep the
 * first, ignore silently, or replace */
static void
test_enter_dups(void **state)
{
    DICT   *dict = dict_mem_create(&test_type, "t", O_RDONLY,
                                   DICT_FLAG_DEFAULT);

    dict_mem_enter(dict, "a", "1", "/etc/x", 3);
    assert_int_equal(dict_mem_enter(dict, "A", "2", "/etc/x", 7), 1);
    assert_string_equal(dict_get(dict, "a"), "1");
    assert_int_equal(dict_mem_enter(dict, "a", "3", NULL, 0), 1);
    assert_string_equal(buf_str(fixture_log),
                        "warning: /etc/x:7: duplicate entry: \"A\"\n"
                        "warning: table memtest:t: duplicate entry: \"a\"\n");
    dict_close(dict);

    buf_reset(fixture_log);
    dict = dict_mem_create(&test_type, "t", O_RDONLY, DICT_FLAG_DUP_IGNORE);
    dict_mem_enter(dict, "a", "1", "f", 1);
    assert_int_equal(dict_mem_enter(dict, "a", "2", "f", 2), 1);
    assert_string_equal(dict_get(dict, "a"), "1");
    dict_close(dict);

    dict = dict_mem_create(&test_type, "t", O_RDONLY, DICT_FLAG_DUP_REPLACE);
    dict_mem_enter(dict, "a", "1", "f", 1);
    assert_int_equal(dict_mem_enter(dict, "a", "2", "f", 2), 0);
    assert_string_equal(dict_get(dict, "a"), "2");
    dict_close(dict);

    /* No DUP flag at all: warn and keep the first. */
    dict = dict_mem_create(&test_type, "t", O_RDONLY, 0);
    dict_mem_enter(dict, "a", "1", "f", 1);
    assert_int_equal(dict_mem_enter(dict, "a", "2", "f", 2), 1);
    assert_string_equal(dict_get(dict, "a"), "1");
    dict_close(dict);
    assert_string_equal(buf_str(fixture_log),
                        "warning: f:2: duplicate entry: \"a\"\n");
}

/* test_read_only - no update or delete unless opened for writing */
static void
test_read_only(void **state)
{
    DICT   *dict = dict_mem_create(&test_type, "t", O_RDONLY,
                                   DICT_FLAG_DEFAULT);

    assert_int_equal(dict_put(dict, "k", "v"), -1);
    assert_int_equal(dict->error, DICT_ERR_CONFIG);
    assert_int_equal(dict_del(dict, "k"), -1);
    dict_close(dict);

    assert_int_equal(dict_mem_need_rdonly(&test_type, "n", O_RDONLY,
                                          fixture_why), 0);
    assert_int_equal(dict_mem_need_rdonly(&test_type, "n", O_RDWR,
                                          fixture_why), -1);
    assert_string_equal(buf_str(fixture_why),
                        "memtest:n map requires O_RDONLY access mode");
    buf_reset(fixture_why);
    assert_int_equal(dict_mem_need_rdonly(&test_type, "n",
                                          O_RDONLY | O_CREAT, fixture_why),
                     -1);
    assert_int_equal(dict_mem_need_rdonly(&test_type, "n", O_WRONLY,
                                          fixture_why), -1);
}

/* test_update_delete - a writable table through the dict.c wrappers */
static void
test_update_delete(void **state)
{
    DICT   *dict = dict_mem_create(&test_type, "t", O_RDWR | O_CREAT,
                                   DICT_FLAG_DEFAULT);
    char    key[20];

    assert_int_equal(dict_put(dict, "Key", "one"), 0);
    assert_string_equal(dict_get(dict, "KEY"), "one");
    assert_int_equal(dict_put(dict, "key", "two"), 1);
    assert_string_equal(dict_get(dict, "key"), "one");
    assert_string_equal(buf_str(fixture_log),
                        "warning: table memtest:t: duplicate entry: \"key\"\n");
    assert_int_equal(dict_del(dict, "KEY"), 0);
    assert_null(dict_get(dict, "key"));
    assert_int_equal(dict_del(dict, "key"), 1);
    assert_int_equal(dict->error, DICT_ERR_NONE);

    /* Growth keeps every entry. */
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(dict_put(dict, key, key), 0);
    }
    assert_string_equal(dict_get(dict, "k0"), "k0");
    assert_string_equal(dict_get(dict, "k999"), "k999");
    dict_close(dict);
}

/* test_sequence - sorted walk; a delete ends it; NEXT without FIRST is
 * the end; a new FIRST starts over */
static void
test_sequence(void **state)
{
    DICT   *dict = dict_mem_create(&test_type, "t", O_RDWR, 0);
    const char *key;
    const char *value;

    assert_int_equal(dict_seq(dict, DICT_SEQ_NEXT, &key, &value), 1);
    assert_int_equal(dict_seq(dict, DICT_SEQ_FIRST, &key, &value), 1);
    dict_put(dict, "zz", "1");
    dict_put(dict, "aa", "2");
    dict_put(dict, "mm", "3");
    assert_int_equal(dict_seq(dict, DICT_SEQ_FIRST, &key, &value), 0);
    assert_string_equal(key, "aa");
    assert_string_equal(value, "2");
    assert_int_equal(dict_seq(dict, DICT_SEQ_NEXT, &key, &value), 0);
    assert_string_equal(key, "mm");
    assert_int_equal(dict_seq(dict, DICT_SEQ_NEXT, &key, &value), 0);
    assert_string_equal(key, "zz");
    assert_string_equal(value, "1");
    assert_int_equal(dict_seq(dict, DICT_SEQ_NEXT, &key, &value), 1);
    assert_int_equal(dict_seq(dict, DICT_SEQ_NEXT, &key, &value), 1);

    assert_int_equal(dict_seq(dict, DICT_SEQ_FIRST, &key, &value), 0);
    assert_int_equal(dict_del(dict, "mm"), 0);
    assert_int_equal(dict_seq(dict, DICT_SEQ_NEXT, &key, &value), 1);
    assert_int_equal(dict_seq(dict, DICT_SEQ_FIRST, &key, &value), 0);
    assert_string_equal(key, "aa");
    assert_int_equal(dict_seq(dict, DICT_SEQ_NEXT, &key, &value), 0);
    assert_string_equal(key, "zz");
    dict_close(dict);                   /* with a walk in progress */
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_enter_fold),
        FIXTURE_TEST(test_enter_dups),
        FIXTURE_TEST(test_read_only),
        FIXTURE_TEST(test_update_delete),
        FIXTURE_TEST(test_sequence),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
