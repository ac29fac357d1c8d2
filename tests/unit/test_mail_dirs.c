/* test_mail_dirs - unit tests for the queue directory tree: modes, owners,
 * repair, refusing symlinks, and the check. Works as root (owners nobody
 * and nogroup) and as any other user (everything owned by that user). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "mail_dirs.h"
#include "mail_params.h"
#include "msg_output.h"

static char tmpdir[64];
static char queue_dir[128];
static char data_dir[128];
static uid_t owner_uid;
static gid_t setgid_gid;
static int warnings;

/* count_warnings - msg channel that counts warnings */
static void
count_warnings(enum msg_level level, const char *text)
{
    if (level == MSG_WARN)
        warnings++;
}

/* setup - temporary tree and parameters */
static int
setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_mail_dirs.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(queue_dir, sizeof(queue_dir), "%s/queue", tmpdir);
    snprintf(data_dir, sizeof(data_dir), "%s/data", tmpdir);
    var_queue_directory = queue_dir;
    var_data_directory = data_dir;
    if (geteuid() == 0) {
        var_mail_owner = "nobody";
        var_setgid_group = "nogroup";
        owner_uid = getpwnam("nobody")->pw_uid;
        setgid_gid = getgrnam("nogroup")->gr_gid;
    } else {
        var_mail_owner = "postfix";
        var_setgid_group = "postdrop";
        owner_uid = geteuid();
        setgid_gid = getegid();
    }
    msg_output_reset();
    msg_output_add(count_warnings);
    warnings = 0;
    return 0;
}

/* teardown - remove the temporary tree */
static int
teardown(void **state)
{
    char    cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* stat_of - lstat a path under the queue directory ("" = itself) */
static struct stat
stat_of(const char *name)
{
    char    path[256];
    struct stat st;

    snprintf(path, sizeof(path), "%s%s%s", queue_dir, *name ? "/" : "", name);
    assert_int_equal(lstat(path, &st), 0);
    return st;
}

/* test_create - every directory with Postfix's mode and owner */
static void
test_create(void **state)
{
    static const struct {
        const char *name;
        mode_t  mode;
        int     root_owned;
    } want[] = {
        {"active", 0700, 0}, {"bounce", 0700, 0}, {"corrupt", 0700, 0},
        {"defer", 0700, 0}, {"deferred", 0700, 0}, {"flush", 0700, 0},
        {"hold", 0700, 0}, {"incoming", 0700, 0}, {"private", 0700, 0},
        {"saved", 0700, 0}, {"trace", 0700, 0}, {"maildrop", 0730, 0},
        {"public", 0710, 0}, {"pid", 0755, 1}, {"", 0755, 1},
    };
    BUF    *why = buf_alloc(100);
    struct stat st;

    assert_int_equal(mail_dirs_create(why), 0);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        st = stat_of(want[i].name);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, want[i].mode);
        assert_int_equal(st.st_uid, want[i].root_owned ? geteuid() : owner_uid);
    }
    st = stat_of("maildrop");
    assert_int_equal(st.st_gid, setgid_gid);
    st = stat_of("public");
    assert_int_equal(st.st_gid, setgid_gid);
    assert_int_equal(lstat(data_dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_int_equal(st.st_uid, owner_uid);
    /* A correct tree has nothing to report. */
    assert_int_equal(mail_dirs_check(), 0);
    assert_int_equal(warnings, 0);
    buf_free(why);
}

/* test_repair - a second run fixes modes; the check reports them first */
static void
test_repair(void **state)
{
    BUF    *why = buf_alloc(100);
    char    path[256];

    assert_int_equal(mail_dirs_create(why), 0);
    snprintf(path, sizeof(path), "%s/active", queue_dir);
    assert_int_equal(chmod(path, 0777), 0);
    snprintf(path, sizeof(path), "%s/hold", queue_dir);
    assert_int_equal(rmdir(path), 0);
    assert_true(mail_dirs_check() >= 3);    /* writable, mode, missing */
    assert_true(warnings >= 3);
    assert_int_equal(mail_dirs_create(why), 0);
    assert_int_equal(stat_of("active").st_mode & 07777, 0700);
    assert_true(S_ISDIR(stat_of("hold").st_mode));
    assert_int_equal(mail_dirs_check(), 0);
    buf_free(why);
}

/* test_symlink - a symlink in place of a directory is refused */
static void
test_symlink(void **state)
{
    BUF    *why = buf_alloc(100);
    char    path[256];
    char    target[256];
    struct stat st;

    assert_int_equal(mail_dirs_create(why), 0);
    snprintf(path, sizeof(path), "%s/defer", queue_dir);
    snprintf(target, sizeof(target), "%s/elsewhere", tmpdir);
    assert_int_equal(mkdir(target, 0777), 0);
    assert_int_equal(chmod(target, 0777), 0);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(mail_dirs_create(why), -1);
    assert_non_null(strstr(buf_str(why), "symbolic link"));
    /* The target was not touched. */
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0777);
    assert_true(mail_dirs_check() >= 1);
    buf_free(why);
}

/* test_not_dir - a file in place of a directory is an error */
static void
test_not_dir(void **state)
{
    BUF    *why = buf_alloc(100);
    char    path[256];
    FILE   *fp;

    assert_int_equal(mkdir(queue_dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/incoming", queue_dir);
    assert_non_null(fp = fopen(path, "w"));
    fclose(fp);
    assert_int_equal(mail_dirs_create(why), -1);
    assert_non_null(strstr(buf_str(why), "not a directory"));
    buf_free(why);
}

/* test_unknown_owner - as root, an unknown mail_owner is an error */
static void
test_unknown_owner(void **state)
{
    BUF    *why = buf_alloc(100);

    if (geteuid() != 0) {
        buf_free(why);
        skip();
    }
    var_mail_owner = "no-such-user-postern";
    assert_int_equal(mail_dirs_create(why), -1);
    assert_non_null(strstr(buf_str(why), "no-such-user-postern"));
    buf_free(why);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_owner, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
