/* test_is_header - unit tests for is_header, the "name:" test of PREPEND
 * and REPLACE texts (Postfix 3.7's is_header: a space before the colon is
 * allowed, inside the name it is not). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "is_header.h"

/* test_is_header - headers and non-headers */
static void
test_is_header(void **state)
{
    assert_true(is_header("X-Seen: yes"));
    assert_true(is_header("X-Seen:yes"));
    assert_true(is_header("X-Seen :yes"));
    assert_true(is_header("X-Seen\t: yes"));
    assert_true(is_header("Subject:"));
    assert_false(is_header("X Seen: yes"));
    assert_false(is_header(": yes"));
    assert_false(is_header("X-Seen"));
    assert_false(is_header(""));
    assert_false(is_header(" X: y"));
    assert_false(is_header("X\001: y"));
    assert_false(is_header("X\xc3\xa4: y"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_header),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
