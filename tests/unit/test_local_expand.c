/* test_local_expand - unit tests for local(8)'s $name expansion of
 * forward_path, luser_relay and command_execution_directory: the names,
 * the conditional forms, undefined values, and the character filter. The
 * module is a part of the local program, compiled in here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/local/local_expand.c"

#define FILTER  "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyz" \
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* expand - the expansion of pattern for the given attributes (static) */
static const char *
expand(const char *pattern, const char *user, const char *ext,
       const char *home)
{
    static BUF *result;
    BUF    *why = buf_alloc(10);
    LOCAL_STATE state;
    LOCAL_USER usr;

    memset(&state, 0, sizeof(state));
    memset(&usr, 0, sizeof(usr));
    state.user = user;
    state.extension = ext;
    state.delim = ext ? "+" : "";
    state.domain = "mx.example.test";
    state.local = "u+foo";
    state.rcpt.address = "u+foo@mx.example.test";
    usr.home = home;
    usr.shell = "/bin/sh";
    if (result == NULL)
        result = buf_alloc(10);
    buf_reset(result);
    assert_int_equal(local_expand(result, pattern, &state,
                                  home ? &usr : NULL, FILTER, why), 0);
    buf_free(why);
    return buf_str(result);
}

/* test_forward_path - Postfix's default, with and without extension */
static void
test_forward_path(void **state)
{
    const char *path = "$home/.forward${recipient_delimiter}${extension}";

    assert_string_equal(expand(path, "u", "foo", "/home/u"),
                        "/home/u/.forward+foo");
    assert_string_equal(expand(path, "u", NULL, "/home/u"),
                        "/home/u/.forward");
    assert_string_equal(expand("$(home)/x $user $shell", "u", NULL,
                               "/home/u"), "/home/u/x u /bin/sh");
}

/* test_names - every name; undefined ones are empty */
static void
test_names(void **state)
{
    assert_string_equal(expand("$recipient|$domain|$local|$extension|$home",
                               "u", "foo", NULL),
                        "u+foo@mx.example.test|mx.example.test|u+foo|foo|");
    assert_string_equal(expand("$nosuch.$user", "u", NULL, NULL), ".u");
}

/* test_conditional - ${name?text}, ${name:text}, ${name?{a}:{b}} */
static void
test_conditional(void **state)
{
    assert_string_equal(expand("a${extension?+$extension}", "u", "x", NULL),
                        "a+x");
    assert_string_equal(expand("a${extension?+$extension}", "u", NULL, NULL),
                        "a");
    assert_string_equal(expand("${extension:none}", "u", NULL, NULL),
                        "none");
    assert_string_equal(expand("${extension?{yes}:{no}}", "u", "", NULL),
                        "no");
}

/* test_filter - characters outside the filter become '_' */
static void
test_filter(void **state)
{
    assert_string_equal(expand("$home/.forward+$extension", "u",
                               "a;b`c$d e|f", "/home/u"),
                        "/home/u/.forward+a_b_c_d_e_f");
    assert_string_equal(expand("$user", "x$(id)", NULL, NULL), "x__id_");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_path),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_conditional),
        cmocka_unit_test(test_filter),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
