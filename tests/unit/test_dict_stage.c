/* test_dict_stage - unit tests for the in-memory entries of a table being
 * written: put (new, kept, replaced), get, delete and revive, the counts,
 * the two walk orders (LMDB's bytewise order with a prefix first) and a
 * table large enough to grow the hash table many times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "dict_stage.h"

/* put - add a string entry (without its NUL) */
static int
put(DICT_STAGE *stage, const char *key, const char *value, int replace)
{
    return dict_stage_put(stage, key, strlen(key), value, strlen(value),
                          replace);
}

/* get - the value of key as a string, or NULL */
static const char *
get(DICT_STAGE *stage, const char *key)
{
    static char text[256];
    const char *value;
    size_t  len;

    if ((value = dict_stage_get(stage, key, strlen(key), &len)) == NULL)
        return NULL;
    assert_true(len < sizeof(text));
    memcpy(text, value, len);
    text[len] = 0;
    return text;
}

/* expect_size - the live entries and their bytes (keys and values) */
static void
expect_size(DICT_STAGE *stage, size_t count, size_t bytes)
{
    assert_int_equal(dict_stage_count(stage), count);
    assert_int_equal(dict_stage_bytes(stage), bytes);
}

/* collect - walk callback: "key=value;" for each entry */
static int
collect(const DICT_STAGE_ENTRY *entry, void *ctx)
{
    BUF    *out = ctx;

    buf_append(out, entry->key, entry->klen);
    buf_addch(out, '=');
    buf_append(out, entry->value, entry->vlen);
    buf_addch(out, ';');
    return 0;
}

/* walk - all entries in the given order as "k=v;k=v;" */
static const char *
walk(DICT_STAGE *stage, int order)
{
    static BUF *out;

    if (out == NULL)
        out = buf_alloc(100);
    buf_reset(out);
    assert_int_equal(dict_stage_walk(stage, order, collect, out), 0);
    return buf_str(out);
}

/* test_put_get - new keys, duplicates kept or replaced */
static void
test_put_get(void **state)
{
    DICT_STAGE *stage = dict_stage_create();

    assert_int_equal(put(stage, "a", "1", 0), DICT_STAGE_ADDED);
    assert_int_equal(put(stage, "b", "2", 0), DICT_STAGE_ADDED);
    assert_int_equal(put(stage, "a", "3", 0), DICT_STAGE_EXISTS);
    assert_string_equal(get(stage, "a"), "1");
    assert_int_equal(put(stage, "a", "4", 1), DICT_STAGE_EXISTS);
    assert_string_equal(get(stage, "a"), "4");
    assert_null(get(stage, "c"));
    expect_size(stage, 2, 4);
    dict_stage_free(stage);
}

/* test_binary_keys - NUL bytes and the empty key are ordinary bytes */
static void
test_binary_keys(void **state)
{
    DICT_STAGE *stage = dict_stage_create();
    size_t  len;

    assert_int_equal(dict_stage_put(stage, "k\0", 2, "v\0", 2, 0), 0);
    assert_int_equal(dict_stage_put(stage, "k", 1, "w", 1, 0), 0);
    assert_int_equal(dict_stage_put(stage, "", 0, "", 0, 0), 0);
    assert_memory_equal(dict_stage_get(stage, "k\0", 2, &len), "v\0", 2);
    assert_int_equal(len, 2);
    assert_memory_equal(dict_stage_get(stage, "k", 1, &len), "w", 1);
    assert_non_null(dict_stage_get(stage, "", 0, &len));
    assert_int_equal(len, 0);
    assert_int_equal(dict_stage_count(stage), 3);
    dict_stage_free(stage);
}

/* test_delete - delete, delete again, revive with a new value */
static void
test_delete(void **state)
{
    DICT_STAGE *stage = dict_stage_create();

    put(stage, "a", "1", 0);
    put(stage, "b", "22", 0);
    assert_int_equal(dict_stage_del(stage, "a", 1), 0);
    assert_int_equal(dict_stage_del(stage, "a", 1), 1);
    assert_int_equal(dict_stage_del(stage, "zz", 2), 1);
    assert_null(get(stage, "a"));
    expect_size(stage, 1, 3);
    assert_string_equal(walk(stage, DICT_STAGE_INSERTED), "b=22;");
    /* A deleted key comes back as new, even without replace. */
    assert_int_equal(put(stage, "a", "333", 0), DICT_STAGE_ADDED);
    assert_string_equal(get(stage, "a"), "333");
    expect_size(stage, 2, 7);
    dict_stage_free(stage);
}

/* test_orders - insertion order, and LMDB's key order */
static void
test_orders(void **state)
{
    DICT_STAGE *stage = dict_stage_create();

    put(stage, "b", "1", 0);
    put(stage, "ab", "2", 0);
    put(stage, "a", "3", 0);
    put(stage, "B", "4", 0);
    put(stage, "\xe9t\xe9", "5", 0);
    assert_string_equal(walk(stage, DICT_STAGE_INSERTED),
                        "b=1;ab=2;a=3;B=4;\xe9t\xe9=5;");
    /* Bytes compare unsigned; a prefix sorts before its extensions. */
    assert_string_equal(walk(stage, DICT_STAGE_SORTED),
                        "B=4;a=3;ab=2;b=1;\xe9t\xe9=5;");
    dict_stage_free(stage);
}

/* test_sorted_input - keys that arrive sorted stay in order */
static void
test_sorted_input(void **state)
{
    DICT_STAGE *stage = dict_stage_create();

    put(stage, "a", "1", 0);
    put(stage, "b", "2", 0);
    put(stage, "c", "3", 0);
    dict_stage_del(stage, "b", 1);
    assert_string_equal(walk(stage, DICT_STAGE_SORTED), "a=1;c=3;");
    dict_stage_free(stage);
}

/* test_sorted_lookups - keys that arrive in order are found without a
 * hash table, and still after the first key out of order */
static void
test_sorted_lookups(void **state)
{
    DICT_STAGE *stage = dict_stage_create();
    char    key[32];

    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%04d", i);
        assert_int_equal(put(stage, key, key, 0), DICT_STAGE_ADDED);
    }
    assert_int_equal(put(stage, "k0999", "x", 0), DICT_STAGE_EXISTS);
    assert_string_equal(get(stage, "k0500"), "k0500");
    assert_null(get(stage, "k05"));
    assert_int_equal(dict_stage_del(stage, "k0001", 5), 0);
    assert_int_equal(put(stage, "k0001", "back", 0), DICT_STAGE_ADDED);
    assert_int_equal(put(stage, "a", "first", 0), DICT_STAGE_ADDED);
    for (int i = 0; i < 1000; i += 37) {
        snprintf(key, sizeof(key), "k%04d", i);
        assert_int_equal(put(stage, key, "x", 0), DICT_STAGE_EXISTS);
    }
    assert_string_equal(get(stage, "k0001"), "back");
    assert_string_equal(get(stage, "a"), "first");
    assert_int_equal(dict_stage_count(stage), 1001);
    assert_true(strncmp(walk(stage, DICT_STAGE_SORTED), "a=first;k0000=", 14)
                == 0);
    dict_stage_free(stage);
}

/* stop_at_two - walk callback that stops at the second entry */
static int
stop_at_two(const DICT_STAGE_ENTRY *entry, void *ctx)
{
    int    *seen = ctx;

    return ++*seen == 2 ? 42 : 0;
}

/* test_walk_stops - the callback's non-zero result ends the walk */
static void
test_walk_stops(void **state)
{
    DICT_STAGE *stage = dict_stage_create();
    int     seen = 0;

    put(stage, "x", "1", 0);
    put(stage, "y", "2", 0);
    put(stage, "z", "3", 0);
    assert_int_equal(dict_stage_walk(stage, DICT_STAGE_INSERTED, stop_at_two,
                                     &seen), 42);
    assert_int_equal(seen, 2);
    dict_stage_free(stage);
}

/* test_many - 100000 keys in reverse order, large values */
static void
test_many(void **state)
{
    DICT_STAGE *stage = dict_stage_create();
    char    key[32];
    char    value[3000];
    size_t  len;
    const char *got;

    memset(value, 'v', sizeof(value));
    for (int i = 99999; i >= 0; i--) {
        snprintf(key, sizeof(key), "key%06d", i);
        assert_int_equal(dict_stage_put(stage, key, strlen(key), value,
                                        i % 7 == 0 ? sizeof(value) : 5, 0),
                         DICT_STAGE_ADDED);
    }
    assert_int_equal(dict_stage_count(stage), 100000);
    for (int i = 0; i < 100000; i += 999) {
        snprintf(key, sizeof(key), "key%06d", i);
        assert_non_null(got = dict_stage_get(stage, key, strlen(key), &len));
        assert_int_equal(len, i % 7 == 0 ? sizeof(value) : 5);
    }
    assert_int_equal(put(stage, "key000123", "x", 0), DICT_STAGE_EXISTS);
    assert_true(strncmp(walk(stage, DICT_STAGE_SORTED), "key000000=", 10) == 0);
    dict_stage_free(stage);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get),
        cmocka_unit_test(test_binary_keys),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_orders),
        cmocka_unit_test(test_sorted_input),
        cmocka_unit_test(test_sorted_lookups),
        cmocka_unit_test(test_walk_stops),
        cmocka_unit_test(test_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
