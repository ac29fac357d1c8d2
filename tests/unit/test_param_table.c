/* test_param_table - the parameter table (mail_params.def) must be sorted
 * by name without duplicates: param_info() searches it by halves, so one
 * line out of place makes parameters unknown. Names the first bad pair. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mail_params.h"

/* test_sorted - each name after the one before it */
static void
test_sorted(void **state)
{
    for (int i = 1; i < param_table_size; i++) {
        if (strcmp(param_table[i - 1].name, param_table[i].name) >= 0)
            fail_msg("mail_params.def: \"%s\" must come after \"%s\"",
                     param_table[i - 1].name, param_table[i].name);
    }
}

/* test_every_name_found - the search finds every entry */
static void
test_every_name_found(void **state)
{
    for (int i = 0; i < param_table_size; i++)
        assert_ptr_equal(param_info(param_table[i].name), &param_table[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted),
        cmocka_unit_test(test_every_name_found),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
