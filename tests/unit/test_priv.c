/* test_priv - unit tests for privilege drop, chroot and id lookups. The
 * drop and chroot tests run in forked children and need root; as another
 * user they are skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "priv.h"

#define TEST_UID        ((uid_t) 65534)
#define TEST_GID        ((gid_t) 65533)

/* run_child - run fn in a child; its exit status (128+sig if killed) */
static int
run_child(int (*fn) (void))
{
    int     status;
    pid_t   pid = fork();

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn());
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* drop_and_check - child: drop, then check every id; 0 when all is well */
static int
drop_and_check(void)
{
    uid_t   r, e, s;
    gid_t   rg, eg, sg, groups[4];
    int     n;

    priv_drop(TEST_UID, TEST_GID);
    if (getresuid(&r, &e, &s) < 0 || r != TEST_UID || e != TEST_UID
        || s != TEST_UID)
        return 10;
    if (getresgid(&rg, &eg, &sg) < 0 || rg != TEST_GID || eg != TEST_GID
        || sg != TEST_GID)
        return 11;
    n = getgroups(4, groups);
    if (n != 1 || groups[0] != TEST_GID)
        return 12;
    if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
        return 13;
    return 0;
}

/* test_drop - all ids change, root cannot be regained */
static void
test_drop(void **state)
{
    if (geteuid() != 0)
        skip();
    assert_int_equal(run_child(drop_and_check), 0);
}

/* regain_root - child: drop, then try priv_drop back to root (fatal) */
static int
regain_root(void)
{
    priv_drop(TEST_UID, TEST_GID);
    priv_drop(0, 0);
    return 0;                           /* not reached: exit 1 above */
}

/* test_drop_failure_is_fatal - a failed drop ends the process with 1 */
static void
test_drop_failure_is_fatal(void **state)
{
    if (geteuid() != 0)
        skip();
    assert_int_equal(run_child(regain_root), 1);
}

static char tmpdir[64];

/* chroot_and_check - child: chroot, the marker file is at the root now */
static int
chroot_and_check(void)
{
    struct stat st;
    char    cwd[64];

    priv_chroot(tmpdir);
    if (stat("/marker", &st) < 0)
        return 10;
    if (getcwd(cwd, sizeof(cwd)) == NULL || cwd[0] != '/' || cwd[1] != 0)
        return 11;
    return 0;
}

/* chroot_missing - child: chroot into a directory that does not exist */
static int
chroot_missing(void)
{
    priv_chroot("/nonexistent/postern-test");
    return 0;
}

/* test_chroot - chroot works; a bad directory is fatal */
static void
test_chroot(void **state)
{
    char    path[128];
    int     fd;

    if (geteuid() != 0)
        skip();
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_priv.XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(path, sizeof(path), "%s/marker", tmpdir);
    fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(run_child(chroot_and_check), 0);
    assert_int_equal(run_child(chroot_missing), 1);
    unlink(path);
    rmdir(tmpdir);
}

/* test_lookup - names to ids */
static void
test_lookup(void **state)
{
    uid_t   uid = 99;
    gid_t   gid = 99;

    assert_int_equal(priv_lookup_user("root", &uid, &gid), 0);
    assert_int_equal(uid, 0);
    assert_int_equal(gid, 0);
    assert_int_equal(priv_lookup_group("root", &gid), 0);
    assert_int_equal(gid, 0);
    assert_int_equal(priv_lookup_user("no-such-user-postern", &uid, &gid), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(priv_lookup_group("no-such-group-postern", &gid), -1);
    assert_int_equal(errno, ENOENT);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drop),
        cmocka_unit_test(test_drop_failure_is_fatal),
        cmocka_unit_test(test_chroot),
        cmocka_unit_test(test_lookup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
