/* test_buf - unit tests for the growable byte buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "mymalloc.h"

/* test_append_grow - appends past the initial size keep every byte */
static void
test_append_grow(void **state)
{
    BUF    *bp = buf_alloc(1);

    for (int i = 0; i < 1000; i++)
        buf_addch(bp, 'a' + i % 26);
    assert_int_equal(buf_len(bp), 1000);
    assert_true(bp->cap >= 1000);
    assert_int_equal(buf_str(bp)[1000], 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_str(bp)[i], 'a' + i % 26);
    assert_int_equal(buf_last(bp), 'a' + 999 % 26);
    buf_free(bp);
}

/* test_binary - embedded NUL bytes count in the length */
static void
test_binary(void **state)
{
    BUF    *bp = buf_alloc(0);

    buf_append(bp, "a\0b", 3);
    assert_int_equal(buf_len(bp), 3);
    assert_memory_equal(buf_str(bp), "a\0b", 4);   /* plus the NUL */
    buf_strcat(bp, "cd");
    assert_int_equal(buf_len(bp), 5);
    assert_memory_equal(buf_str(bp), "a\0bcd", 6);
    buf_free(bp);
}

/* test_strings - strcpy, strcat, reset, truncate, last */
static void
test_strings(void **state)
{
    BUF    *bp = buf_alloc(4);

    buf_strcpy(bp, "hello");
    buf_strcat(bp, ", world");
    assert_string_equal(buf_str(bp), "hello, world");
    buf_truncate(bp, 5);
    assert_string_equal(buf_str(bp), "hello");
    buf_truncate(bp, 50);                       /* never lengthens */
    assert_int_equal(buf_len(bp), 5);
    buf_strcpy(bp, "x");
    assert_string_equal(buf_str(bp), "x");
    buf_reset(bp);
    assert_int_equal(buf_len(bp), 0);
    assert_string_equal(buf_str(bp), "");
    assert_int_equal(buf_last(bp), 0);
    buf_free(bp);
}

/* test_sprintf - formatting replaces or appends; long output grows */
static void
test_sprintf(void **state)
{
    BUF    *bp = buf_alloc(2);
    char    big[3000];

    buf_sprintf(bp, "%d-%s", 42, "x");
    assert_string_equal(buf_str(bp), "42-x");
    buf_sprintf_append(bp, "/%05d", 7);
    assert_string_equal(buf_str(bp), "42-x/00007");
    memset(big, 'B', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    buf_sprintf(bp, "[%s]", big);
    assert_int_equal(buf_len(bp), sizeof(big) + 1);
    assert_int_equal(buf_str(bp)[0], '[');
    assert_int_equal(buf_last(bp), ']');
    assert_int_equal(strlen(buf_str(bp)), buf_len(bp));
    buf_free(bp);
}

/* test_trim_lower - trailing white space, ASCII lower case */
static void
test_trim_lower(void **state)
{
    BUF    *bp = buf_alloc(0);

    buf_strcpy(bp, "  MiXeD Case \t\r\n ");
    buf_trim_right(bp);
    assert_string_equal(buf_str(bp), "  MiXeD Case");
    buf_lowercase(bp);
    assert_string_equal(buf_str(bp), "  mixed case");
    buf_strcpy(bp, " \t ");
    buf_trim_right(bp);
    assert_int_equal(buf_len(bp), 0);
    buf_free(bp);
}

/* test_export - the string outlives the BUF */
static void
test_export(void **state)
{
    BUF    *bp = buf_alloc(0);
    char   *str;

    buf_strcpy(bp, "kept");
    str = buf_export(bp);
    assert_string_equal(str, "kept");
    myfree(str);
    buf_free(NULL);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_grow),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_sprintf),
        cmocka_unit_test(test_trim_lower),
        cmocka_unit_test(test_export),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
