/* test_lock_file - unit tests for fcntl and flock style locks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock_file.h"

static char path[64];

/* setup_file - a temporary file to lock */
static int
setup_file(void **state)
{
    int     fd;

    snprintf(path, sizeof(path), "/tmp/test_lock_file.XXXXXX");
    if ((fd = mkstemp(path)) < 0)
        return -1;
    close(fd);
    return 0;
}

/* teardown_file - remove the file */
static int
teardown_file(void **state)
{
    return unlink(path);
}

/* child_try - in a child, open the file and try a lock; exit status:
 * 0 locked, 1 EAGAIN, 2 other error */
static int
child_try(int style, int op)
{
    int     status;
    pid_t   pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        int     fd = open(path, O_RDWR | O_CLOEXEC);

        if (fd < 0)
            _exit(2);
        if (lock_file(fd, style, op | LOCK_OP_NOWAIT) == 0)
            _exit(0);
        _exit(errno == EAGAIN ? 1 : 2);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* check_style - exclusive blocks others, shared admits shared, unlock */
static void
check_style(int style)
{
    int     fd = open(path, O_RDWR | O_CLOEXEC);

    assert_true(fd >= 0);
    assert_int_equal(child_try(style, LOCK_OP_EXCLUSIVE), 0);   /* free */
    assert_int_equal(lock_file(fd, style, LOCK_OP_EXCLUSIVE), 0);
    assert_int_equal(child_try(style, LOCK_OP_EXCLUSIVE), 1);
    assert_int_equal(child_try(style, LOCK_OP_SHARED), 1);
    assert_int_equal(lock_file(fd, style, LOCK_OP_SHARED), 0);  /* downgrade */
    assert_int_equal(child_try(style, LOCK_OP_SHARED), 0);
    assert_int_equal(child_try(style, LOCK_OP_EXCLUSIVE), 1);
    assert_int_equal(lock_file(fd, style, LOCK_OP_NONE), 0);
    assert_int_equal(child_try(style, LOCK_OP_EXCLUSIVE), 0);
    close(fd);
}

/* test_fcntl - fcntl style */
static void
test_fcntl(void **state)
{
    check_style(LOCK_STYLE_FCNTL);
}

/* test_flock - flock style */
static void
test_flock(void **state)
{
    check_style(LOCK_STYLE_FLOCK);
}

/* test_bad_args - unknown style or operation */
static void
test_bad_args(void **state)
{
    int     fd = open(path, O_RDWR | O_CLOEXEC);

    assert_int_equal(lock_file(fd, 99, LOCK_OP_EXCLUSIVE), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(lock_file(fd, LOCK_STYLE_FLOCK, 3), -1);
    assert_int_equal(errno, EINVAL);
    close(fd);
    assert_int_equal(lock_file(fd, LOCK_STYLE_FCNTL, LOCK_OP_SHARED), -1);
    assert_int_equal(errno, EBADF);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcntl),
        cmocka_unit_test(test_flock),
        cmocka_unit_test(test_bad_args),
    };

    return cmocka_run_group_tests(tests, setup_file, teardown_file);
}
