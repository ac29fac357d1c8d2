/* test_dict_unix - unit tests for unix:passwd.byname, unix:group.byname
 * and proxy: (which opens the table behind it directly).
 *
 * The expected values come from getpwnam/getgrnam on the test machine,
 * in the format Postfix's dict_unix gives: "name:passwd:uid:gid:gecos:
 * dir:shell" and "name:passwd:gid:members". */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>

#include "table_fixture.h"

/* test_passwd - root is found, folded, in passwd format; others not */
static void
test_passwd(void **state)
{
    DICT   *dict = fixture_open_spec("unix:passwd.byname", O_RDONLY,
                                     DICT_FLAG_DEFAULT);
    struct passwd *pw = getpwnam("root");
    char    want[1024];

    snprintf(want, sizeof(want), "root:%s:%ld:%ld:%s:%s:%s", pw->pw_passwd,
             (long) pw->pw_uid, (long) pw->pw_gid, pw->pw_gecos, pw->pw_dir,
             pw->pw_shell);
    assert_true(dict->flags & DICT_FLAG_FIXED);
    assert_string_equal(dict_get(dict, "root"), want);
    assert_string_equal(dict_get(dict, "ROOT"), want);
    assert_null(dict_get(dict, "no-such-user-here"));
    assert_int_equal(dict->error, DICT_ERR_NONE);
    assert_int_equal(dict_put(dict, "x", "y"), -1);
    dict_close(dict);
}

/* test_group - a group line ends with its members */
static void
test_group(void **state)
{
    DICT   *dict = fixture_open_spec("unix:group.byname", O_RDONLY,
                                     DICT_FLAG_DEFAULT);
    struct group *gr = getgrnam("root");
    char    want[1024];

    snprintf(want, sizeof(want), "root:%s:%ld:", gr->gr_passwd,
             (long) gr->gr_gid);
    assert_non_null(dict_get(dict, "root"));
    assert_memory_equal(dict_get(dict, "root"), want, strlen(want));
    assert_null(dict_get(dict, "no-such-group-here"));
    dict_close(dict);
}

/* test_unknown - only the two tables exist */
static void
test_unknown(void **state)
{
    assert_null(dict_open("unix:shadow.byname", O_RDONLY, 0, fixture_why));
    assert_string_equal(buf_str(fixture_why),
                        "unknown table: unix:shadow.byname");
}

/* test_proxy - proxy:type:name is the table itself; no proxy in proxy */
static void
test_proxy(void **state)
{
    DICT   *dict = fixture_open_spec("proxy:unix:passwd.byname", O_RDONLY,
                                     DICT_FLAG_DEFAULT);

    assert_string_equal(dict->type->name, "unix");
    assert_non_null(dict_get(dict, "Root"));
    dict_close(dict);
    dict = fixture_open_spec("proxy:inline:{ a=b }", O_RDONLY,
                             DICT_FLAG_DEFAULT);
    assert_string_equal(dict_get(dict, "a"), "b");
    dict_close(dict);
    assert_null(dict_open("proxy:proxy:unix:passwd.byname", O_RDONLY, 0,
                          fixture_why));
    assert_string_equal(buf_str(fixture_why),
                        "table proxy:proxy:unix:passwd.byname: proxy inside "
                        "proxy");
    assert_null(dict_open("proxy:nosuch:x", O_RDONLY, 0, fixture_why));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_passwd),
        FIXTURE_TEST(test_group),
        FIXTURE_TEST(test_unknown),
        FIXTURE_TEST(test_proxy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
