/* test_mbox_open - unit tests for opening a mailbox: the lock file, the
 * kernel lock, creation mode, refusing symbolic links, the statuses of
 * busy mailboxes, and mailbox_delivery_lock parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dot_lock.h"
#include "lock_file.h"
#include "mbox_open.h"

static char root[64];
static char mbox[128];
static char lock[140];

/* setup - a scratch directory */
static int
setup(void **state)
{
    snprintf(root, sizeof(root), "/tmp/test_mbox_open.XXXXXX");
    if (mkdtemp(root) == NULL)
        return -1;
    snprintf(mbox, sizeof(mbox), "%s/user", root);
    snprintf(lock, sizeof(lock), "%s/user.lock", root);
    return 0;
}

/* teardown - remove it */
static int
teardown(void **state)
{
    char    cmd[100];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    return system(cmd);
}

static const MBOX_CONF conf = {
    MBOX_LOCK_FCNTL | MBOX_LOCK_DOT, 1, 0, 500,
};

/* test_open - created 0600, locked both ways, released */
static void
test_open(void **state)
{
    DSN_BUF *why = dsb_create();
    struct stat st;
    MBOX   *mp;

    mp = mbox_open(mbox, 0600, (uid_t) -1, (gid_t) -1, &conf, &st, "5.2.0",
                   why);
    assert_non_null(mp);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(mp->locked, MBOX_LOCK_FCNTL | MBOX_LOCK_DOT);
    assert_int_equal(stat(lock, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0);
    assert_int_equal(write(mp->fd, "x", 1), 1);
    /* Busy: the lock file is there. */
    assert_null(mbox_open(mbox, 0600, (uid_t) -1, (gid_t) -1, &conf, NULL,
                          "5.2.0", why));
    assert_string_equal(buf_str(why->status), "4.2.0");
    assert_non_null(strstr(buf_str(why->reason),
                           "unable to create lock file "));
    mbox_release(mp);
    assert_int_equal(stat(lock, &st), -1);
    /* Appends at the end. */
    mp = mbox_open(mbox, 0600, (uid_t) -1, (gid_t) -1, &conf, &st, "5.2.0",
                   why);
    assert_non_null(mp);
    assert_int_equal(lseek(mp->fd, 0, SEEK_CUR), 1);
    mbox_release(mp);
    dsb_free(why);
}

/* test_stale - an old lock file is removed */
static void
test_stale(void **state)
{
    DSN_BUF *why = dsb_create();
    int     fd = open(lock, O_CREAT | O_WRONLY, 0);
    MBOX   *mp;

    /* Younger than the stale time: busy. Older: removed and taken. */
    close(fd);
    assert_int_equal(dot_lock_create(mbox, 1, 0, 500, why->reason), -1);
    assert_int_equal(errno, EEXIST);
    sleep(2);
    assert_int_equal(dot_lock_create(mbox, 1, 0, 1, why->reason), 0);
    dot_lock_remove(mbox);
    mp = mbox_open(mbox, 0600, (uid_t) -1, (gid_t) -1, &conf, NULL, "5.2.0",
                   why);
    assert_non_null(mp);
    mbox_release(mp);
    dsb_free(why);
}

/* test_kernel_lock - another process holds the fcntl lock */
static void
test_kernel_lock(void **state)
{
    DSN_BUF *why = dsb_create();
    MBOX_CONF kernel = {MBOX_LOCK_FCNTL, 1, 0, 500};
    int     ready[2];
    char    ch;
    pid_t   pid;
    int     status;

    close(open(mbox, O_CREAT | O_WRONLY, 0600));
    assert_int_equal(pipe(ready), 0);
    if ((pid = fork()) == 0) {
        int     fd = open(mbox, O_WRONLY);

        lock_file(fd, LOCK_STYLE_FCNTL, LOCK_OP_EXCLUSIVE);
        (void) write(ready[1], "x", 1);
        pause();
        _exit(0);
    }
    assert_int_equal(read(ready[0], &ch, 1), 1);
    assert_null(mbox_open(mbox, 0600, (uid_t) -1, (gid_t) -1, &kernel, NULL,
                          "5.2.0", why));
    assert_string_equal(buf_str(why->status), "4.2.0");
    assert_string_equal(buf_str(why->reason),
                        "unable to lock for exclusive access: "
                        "Resource temporarily unavailable");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    close(ready[0]);
    close(ready[1]);
    dsb_free(why);
}

/* test_refuse - a symbolic link is never followed; a missing directory
 * fails; the lock file may fail for files */
static void
test_refuse(void **state)
{
    DSN_BUF *why = dsb_create();
    MBOX_CONF may_fail = conf;
    char    target[140], missing[400];
    MBOX   *mp;

    snprintf(target, sizeof(target), "%s/target", root);
    assert_int_equal(symlink(target, mbox), 0);
    assert_null(mbox_open(mbox, 0600, (uid_t) -1, (gid_t) -1, &conf, NULL,
                          "5.2.0", why));
    assert_string_equal(buf_str(why->status), "5.2.0");
    assert_non_null(strstr(buf_str(why->reason), "is a symbolic link"));
    assert_int_equal(access(target, F_OK), -1);
    snprintf(missing, sizeof(missing), "%s/nodir/file", root);
    assert_null(mbox_open(missing, 0600, (uid_t) -1, (gid_t) -1, &conf,
                          NULL, "5.2.0", why));
    assert_string_equal(buf_str(why->status), "5.2.0");
    assert_non_null(strstr(buf_str(why->reason), "/nodir/file.lock: "
                           "No such file or directory"));
    /* A lock file that cannot be made (here: its name is too long) fails
     * the delivery, or with MAY_FAIL leaves a warning for the caller. */
    snprintf(missing, sizeof(missing), "%s/%0252d", root, 0);
    assert_null(mbox_open(missing, 0600, (uid_t) -1, (gid_t) -1, &conf,
                          NULL, "5.2.0", why));
    may_fail.locks |= MBOX_LOCK_DOT_MAY_FAIL;
    mp = mbox_open(missing, 0600, (uid_t) -1, (gid_t) -1, &may_fail, NULL,
                   "5.2.0", why);
    assert_non_null(mp);
    assert_non_null(mp->warning);
    assert_non_null(strstr(mp->warning, ": File name too long"));
    assert_int_equal(mp->locked, MBOX_LOCK_FCNTL);
    mbox_release(mp);
    dsb_free(why);
}

/* test_parse - mailbox_delivery_lock */
static void
test_parse(void **state)
{
    BUF    *why = buf_alloc(10);
    int     locks;

    assert_int_equal(mbox_lock_parse("fcntl, dotlock", &locks, why), 0);
    assert_int_equal(locks, MBOX_LOCK_FCNTL | MBOX_LOCK_DOT);
    assert_int_equal(mbox_lock_parse("flock", &locks, why), 0);
    assert_int_equal(locks, MBOX_LOCK_FLOCK);
    assert_int_equal(mbox_lock_parse("fcntl, lockf", &locks, why), -1);
    assert_string_equal(buf_str(why), "unknown mailbox lock style: lockf");
    assert_int_equal(mbox_lock_parse("", &locks, why), -1);
    buf_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kernel_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse, setup, teardown),
        cmocka_unit_test(test_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
