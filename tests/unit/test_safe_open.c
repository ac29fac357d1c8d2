/* test_safe_open - unit tests for symlink- and hard-link-safe opens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "safe_open.h"

#define ANY_UID ((uid_t) -1)
#define ANY_GID ((gid_t) -1)

static char tmpdir[64];
static BUF *why;

/* setup_dir - a private temporary directory */
static int
setup_dir(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_safe_open.XXXXXX");
    why = buf_alloc(0);
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* teardown_dir - remove the directory and its content */
static int
teardown_dir(void **state)
{
    char    cmd[128];

    buf_free(why);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* path_of - a name in the temporary directory */
static const char *
path_of(const char *name)
{
    static char path[2][128];
    static int which;

    which = !which;
    snprintf(path[which], sizeof(path[which]), "%s/%s", tmpdir, name);
    return path[which];
}

/* write_file - create a file with some content */
static void
write_file(const char *path, const char *text)
{
    int     fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
}

/* file_size - size of a file, or -1 */
static long
file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) < 0 ? -1 : (long) st.st_size;
}

/* test_create_excl - O_CREAT|O_EXCL creates, then refuses to create again */
static void
test_create_excl(void **state)
{
    const char *path = path_of("new");
    struct stat st;
    int     fd;

    fd = safe_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600, &st,
                   ANY_UID, ANY_GID, why);
    assert_true(fd >= 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    close(fd);
    assert_int_equal(safe_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600, &st,
                               ANY_UID, ANY_GID, why), -1);
    assert_non_null(strstr(buf_str(why), "File exists"));
}

/* test_open_existing - a plain file opens; O_CREAT alone reuses it */
static void
test_open_existing(void **state)
{
    const char *path = path_of("plain");
    struct stat st;
    char    buf[16];
    int     fd;

    write_file(path, "content");
    fd = safe_open(path, O_RDONLY, 0, &st, getuid(), getgid(), why);
    assert_true(fd >= 0);
    assert_int_equal(st.st_size, 7);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    assert_int_equal(read(fd, buf, sizeof(buf)), 7);
    close(fd);

    fd = safe_open(path, O_WRONLY | O_CREAT | O_APPEND, 0600, NULL,
                   ANY_UID, ANY_GID, why);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "+", 1), 1);
    close(fd);
    assert_int_equal(file_size(path), 8);

    /* O_CREAT without a file creates it. */
    fd = safe_open(path_of("made"), O_WRONLY | O_CREAT, 0640, &st,
                   ANY_UID, ANY_GID, why);
    assert_true(fd >= 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    close(fd);

    /* Wrong owner. */
    assert_int_equal(safe_open(path, O_RDONLY, 0, NULL, getuid() + 1,
                               ANY_GID, why), -1);
    assert_non_null(strstr(buf_str(why), "owner"));
    assert_int_equal(safe_open(path_of("missing"), O_RDONLY, 0, NULL,
                               ANY_UID, ANY_GID, why), -1);
    assert_non_null(strstr(buf_str(why), "No such file"));
}

/* test_symlink - a symlink is refused, also with O_CREAT, and its target
 * is neither created nor truncated */
static void
test_symlink(void **state)
{
    const char *target = path_of("target");
    const char *link = path_of("link");

    write_file(target, "keep me");
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(safe_open(link, O_RDONLY, 0, NULL, ANY_UID, ANY_GID,
                               why), -1);
    assert_non_null(strstr(buf_str(why), "symbolic link"));
    assert_int_equal(safe_open(link, O_WRONLY | O_CREAT | O_TRUNC, 0600, NULL,
                               ANY_UID, ANY_GID, why), -1);
    assert_int_equal(safe_open(link, O_WRONLY | O_CREAT | O_EXCL, 0600, NULL,
                               ANY_UID, ANY_GID, why), -1);
    assert_int_equal(file_size(target), 7);

    /* A dangling symlink does not create its target. */
    assert_int_equal(symlink(path_of("nowhere"), path_of("dangling")), 0);
    assert_int_equal(safe_open(path_of("dangling"), O_WRONLY | O_CREAT, 0600,
                               NULL, ANY_UID, ANY_GID, why), -1);
    assert_int_equal(file_size(path_of("nowhere")), -1);
}

/* test_hard_link - a file with two links is refused and not truncated */
static void
test_hard_link(void **state)
{
    const char *orig = path_of("orig");
    const char *hard = path_of("hard");

    write_file(orig, "secret");
    assert_int_equal(link(orig, hard), 0);
    assert_int_equal(safe_open(hard, O_WRONLY | O_TRUNC, 0, NULL,
                               ANY_UID, ANY_GID, why), -1);
    assert_non_null(strstr(buf_str(why), "2 hard links"));
    assert_int_equal(file_size(orig), 6);
}

/* test_not_regular - directories and fifos are refused */
static void
test_not_regular(void **state)
{
    assert_int_equal(mkdir(path_of("dir"), 0700), 0);
    assert_int_equal(safe_open(path_of("dir"), O_RDONLY, 0, NULL,
                               ANY_UID, ANY_GID, why), -1);
    assert_non_null(strstr(buf_str(why), "not a regular file"));
    assert_int_equal(mkfifo(path_of("fifo"), 0600), 0);
    assert_int_equal(safe_open(path_of("fifo"), O_WRONLY | O_CREAT, 0600,
                               NULL, ANY_UID, ANY_GID, why), -1);
    assert_non_null(strstr(buf_str(why), "not a regular file"));
}

/* test_truncate - O_TRUNC happens (after the checks) */
static void
test_truncate(void **state)
{
    const char *path = path_of("trunc");
    int     fd;

    write_file(path, "old content");
    fd = safe_open(path, O_WRONLY | O_TRUNC, 0, NULL, ANY_UID, ANY_GID, why);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(file_size(path), 0);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_excl),
        cmocka_unit_test(test_open_existing),
        cmocka_unit_test(test_symlink),
        cmocka_unit_test(test_hard_link),
        cmocka_unit_test(test_not_regular),
        cmocka_unit_test(test_truncate),
    };

    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
