/* test_set_eugid - unit tests for switching effective ids back and forth
 * (runs as root; skipped otherwise). Each check runs in a child, so the
 * test process keeps its own ids. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "set_eugid.h"

/* child_check - in a child: switch to uid/gid and back; exit status 0
 * when every id read back was right */
static int
child_check(uid_t uid, gid_t gid)
{
    pid_t   pid = fork();
    int     status;

    assert_true(pid >= 0);
    if (pid == 0) {
        gid_t   groups[4];

        set_eugid(uid, gid);
        if (geteuid() != uid || getegid() != gid || getuid() != 0)
            _exit(1);
        if (getgroups(4, groups) != 1 || groups[0] != gid)
            _exit(2);
        set_eugid(0, 0);
        if (geteuid() != 0 || getegid() != 0)
            _exit(3);
        set_eugid(uid, gid);
        _exit(geteuid() == uid ? 0 : 4);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* test_switch - to nobody and back, twice */
static void
test_switch(void **state)
{
    struct passwd *pw = getpwnam("nobody");

    if (!set_eugid_capable())
        skip();
    assert_non_null(pw);
    assert_int_equal(child_check(pw->pw_uid, pw->pw_gid), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
