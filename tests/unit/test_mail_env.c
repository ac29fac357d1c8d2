/* test_mail_env - unit tests for the environment that delivery agents give
 * to commands: PATH first, export_environment names with the values that
 * import_environment allows, MAIL_CONFIG from the configuration
 * directory, NAME=value words as they are, nothing inherited otherwise. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mail_conf.h"
#include "mail_env.h"
#include "mail_params.h"

/* joined - the environment as one string, entries joined with '|' */
static const char *
joined(void)
{
    static char text[1000];
    ARGV   *env = mail_env_export();

    text[0] = 0;
    for (int i = 0; i < env->argc; i++) {
        if (i)
            strcat(text, "|");
        strcat(text, env->argv[i]);
    }
    argv_free(env);
    return text;
}

/* test_defaults - Postfix 3.7's defaults */
static void
test_defaults(void **state)
{
    mail_conf_set_dir("/etc/test-postern");
    setenv("TZ", "Europe/Paris", 1);
    setenv("LANG", "de_DE.UTF-8", 1);
    var_export_environment = "TZ MAIL_CONFIG LANG";
    var_import_environment = "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ "
        "XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME";
    assert_string_equal(joined(), "PATH=/usr/bin:/bin|TZ=Europe/Paris|"
                        "MAIL_CONFIG=/etc/test-postern|LANG=C");
    unsetenv("TZ");
    assert_string_equal(joined(), "PATH=/usr/bin:/bin|"
                        "MAIL_CONFIG=/etc/test-postern|LANG=C");
}

/* test_not_imported - an exported name that is not imported is empty;
 * NAME=value is passed as it is */
static void
test_not_imported(void **state)
{
    setenv("SECRET", "x", 1);
    var_export_environment = "SECRET, FOO=bar";
    var_import_environment = "LANG=C";
    assert_string_equal(joined(), "PATH=/usr/bin:/bin|FOO=bar");
    var_import_environment = "SECRET";
    assert_string_equal(joined(), "PATH=/usr/bin:/bin|SECRET=x|FOO=bar");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_not_imported),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
