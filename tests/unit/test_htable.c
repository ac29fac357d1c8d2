/* test_htable - unit tests for the string-keyed hash table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "htable.h"
#include "mymalloc.h"

/* test_enter_find - values by key; keys are copied */
static void
test_enter_find(void **state)
{
    HTABLE *table = htable_create(0);
    char    key[8] = "alpha";
    int     a = 1, b = 2;
    HTABLE_INFO *ht;

    ht = htable_enter(table, key, &a);
    assert_string_equal(ht->key, "alpha");
    strcpy(key, "XXXXX");                       /* our copy is unaffected */
    htable_enter(table, "beta", &b);
    assert_ptr_equal(htable_find(table, "alpha"), &a);
    assert_ptr_equal(htable_find(table, "beta"), &b);
    assert_null(htable_find(table, "gamma"));
    assert_null(htable_find(table, "XXXXX"));
    assert_null(htable_locate(table, "Alpha"));  /* case matters */
    assert_ptr_equal(htable_locate(table, "beta")->value, &b);
    assert_int_equal(table->used, 2);
    htable_free(table, NULL);
}

/* test_growth - thousands of entries: table grows, all stay findable */
static void
test_growth(void **state)
{
    HTABLE *table = htable_create(1);
    size_t  initial = table->size;
    char    key[32];

    for (long i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "key%ld", i);
        htable_enter(table, key, (void *) (i + 1));
    }
    assert_int_equal(table->used, 5000);
    assert_true(table->size > initial);
    assert_true(table->size >= 5000 / 2);
    for (long i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "key%ld", i);
        assert_true(htable_find(table, key) == (void *) (i + 1));
    }
    htable_free(table, NULL);
}

static int freed;

/* count_free - free function that counts its calls */
static void
count_free(void *value)
{
    freed++;
    myfree(value);
}

/* test_delete - delete frees the value, others stay; missing is a no-op */
static void
test_delete(void **state)
{
    HTABLE *table = htable_create(3);
    char    key[16];

    freed = 0;
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        htable_enter(table, key, mystrdup(key));
    }
    for (int i = 0; i < 50; i += 2) {
        snprintf(key, sizeof(key), "k%d", i);
        htable_delete(table, key, count_free);
    }
    assert_int_equal(freed, 25);
    assert_int_equal(table->used, 25);
    htable_delete(table, "k0", count_free);     /* already gone */
    htable_delete(table, "nothing", count_free);
    assert_int_equal(freed, 25);
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        if (i % 2)
            assert_string_equal(htable_find(table, key), key);
        else
            assert_null(htable_find(table, key));
    }
    htable_free(table, count_free);
    assert_int_equal(freed, 50);
}

/* test_list - every entry, sorted by key, NULL-terminated */
static void
test_list(void **state)
{
    static const char *const keys[] = {"pear", "apple", "fig", "banana", "a"};
    static const char *const sorted[] = {"a", "apple", "banana", "fig", "pear"};
    HTABLE *table = htable_create(0);
    HTABLE_INFO **list;

    list = htable_list(table);
    assert_null(list[0]);
    myfree(list);
    for (size_t i = 0; i < 5; i++)
        htable_enter(table, keys[i], (void *) keys[i]);
    list = htable_list(table);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(list[i]->key, sorted[i]);
        assert_string_equal(list[i]->value, sorted[i]);
    }
    assert_null(list[5]);
    myfree(list);
    htable_free(table, NULL);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enter_find),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_list),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
