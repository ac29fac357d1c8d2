/* test_conv - unit tests for conv: integers, times, sizes, booleans. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conv.h"

/* test_long - decimal integers, signs, junk and overflow */
static void
test_long(void **state)
{
    long    val;

    assert_int_equal(conv_long("42", &val), 0);
    assert_int_equal(val, 42);
    assert_int_equal(conv_long("-7", &val), 0);
    assert_int_equal(val, -7);
    assert_int_equal(conv_long("0", &val), 0);
    assert_int_equal(val, 0);
    assert_int_equal(conv_long("", &val), -1);
    assert_int_equal(conv_long("12x", &val), -1);
    assert_int_equal(conv_long(" 12", &val), -1);
    assert_int_equal(conv_long("x", &val), -1);
    assert_int_equal(conv_long("99999999999999999999999", &val), -1);
}

/* test_time_units - every unit letter */
static void
test_time_units(void **state)
{
    long    val;

    assert_int_equal(conv_time("30s", 's', &val), 0);
    assert_int_equal(val, 30);
    assert_int_equal(conv_time("5m", 's', &val), 0);
    assert_int_equal(val, 300);
    assert_int_equal(conv_time("2h", 's', &val), 0);
    assert_int_equal(val, 7200);
    assert_int_equal(conv_time("1d", 's', &val), 0);
    assert_int_equal(val, 86400);
    assert_int_equal(conv_time("1w", 's', &val), 0);
    assert_int_equal(val, 604800);
    assert_int_equal(conv_time("0s", 's', &val), 0);
    assert_int_equal(val, 0);
}

/* test_time_default_unit - a bare number takes the default unit */
static void
test_time_default_unit(void **state)
{
    long    val;

    assert_int_equal(conv_time("30", 's', &val), 0);
    assert_int_equal(val, 30);
    assert_int_equal(conv_time("3", 'm', &val), 0);
    assert_int_equal(val, 180);
    assert_int_equal(conv_time("2", 'h', &val), 0);
    assert_int_equal(val, 7200);
    assert_int_equal(conv_time("1", 'd', &val), 0);
    assert_int_equal(val, 86400);
    assert_int_equal(conv_time("1", 'w', &val), 0);
    assert_int_equal(val, 604800);
    assert_int_equal(conv_time("1", 'x', &val), -1);
}

/* test_time_bad - junk, empty, signs, unknown units, overflow */
static void
test_time_bad(void **state)
{
    long    val;

    assert_int_equal(conv_time("", 's', &val), -1);
    assert_int_equal(conv_time("s", 's', &val), -1);
    assert_int_equal(conv_time("10x", 's', &val), -1);
    assert_int_equal(conv_time("10ss", 's', &val), -1);
    assert_int_equal(conv_time("-5s", 's', &val), -1);
    assert_int_equal(conv_time(" 5s", 's', &val), -1);
    assert_int_equal(conv_time("5 s", 's', &val), -1);
    assert_int_equal(conv_time("99999999999999999999s", 's', &val), -1);
    assert_int_equal(conv_time("9223372036854775807w", 's', &val), -1);
}

/* test_size - bytes and the k, m, g extension */
static void
test_size(void **state)
{
    long    val;

    assert_int_equal(conv_size("10240000", &val), 0);
    assert_int_equal(val, 10240000);
    assert_int_equal(conv_size("10k", &val), 0);
    assert_int_equal(val, 10240);
    assert_int_equal(conv_size("5m", &val), 0);
    assert_int_equal(val, 5L * 1024 * 1024);
    assert_int_equal(conv_size("1g", &val), 0);
    assert_int_equal(val, 1024L * 1024 * 1024);
    assert_int_equal(conv_size("1G", &val), 0);
    assert_int_equal(conv_size("", &val), -1);
    assert_int_equal(conv_size("1t", &val), -1);
    assert_int_equal(conv_size("1kb", &val), -1);
    assert_int_equal(conv_size("-1", &val), -1);
    assert_int_equal(conv_size("9223372036854775807k", &val), -1);
}

/* test_bool - every spelling, any case, and junk */
static void
test_bool(void **state)
{
    bool    val;
    const char *yes[] = {"yes", "YES", "true", "on", "1", "Yes"};
    const char *no[] = {"no", "NO", "false", "off", "0", "No"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        val = false;
        assert_int_equal(conv_bool(yes[i], &val), 0);
        assert_true(val);
        val = true;
        assert_int_equal(conv_bool(no[i], &val), 0);
        assert_false(val);
    }
    assert_int_equal(conv_bool("", &val), -1);
    assert_int_equal(conv_bool("y", &val), -1);
    assert_int_equal(conv_bool("yes ", &val), -1);
    assert_int_equal(conv_bool("2", &val), -1);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_time_units),
        cmocka_unit_test(test_time_default_unit),
        cmocka_unit_test(test_time_bad),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_bool),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
