/* test_mail_trigger - unit tests for mail_trigger (FIFO and socket
 * endpoints, absent and idle daemons) and mail_submit (the
 * authorized_submit_users check and its wording). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "mail_submit.h"
#include "mail_trigger.h"

static char dir[] = "/tmp/test_mail_trigger.XXXXXX";
static BUF *why;

/* path_in - a name in the test directory */
static const char *
path_in(const char *name)
{
    static char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

static void
test_fifo(void **state)
{
    const char *path = path_in("fifo");
    char    got[4];
    int     fd;

    assert_int_equal(mkfifo(path, 0600), 0);
    /* Nobody reads: the request is dropped, nothing blocks. */
    assert_int_equal(mail_trigger(path, "W", 1, why), -1);
    assert_int_equal(errno, ENXIO);
    fd = open(path, O_RDONLY | O_NONBLOCK);
    assert_true(fd >= 0);
    assert_int_equal(mail_trigger(path, "W", 1, why), 0);
    assert_int_equal(read(fd, got, sizeof(got)), 1);
    assert_int_equal(got[0], 'W');
    close(fd);
    unlink(path);
}

static void
test_socket(void **state)
{
    const char *path = path_in("sock");
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    char    got[4];
    int     lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    int     cfd;

    assert_true(strlen(path) < sizeof(sun.sun_path));
    memcpy(sun.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(lfd, (struct sockaddr *) &sun, sizeof(sun)), 0);
    assert_int_equal(listen(lfd, 5), 0);
    assert_int_equal(mail_trigger(path, "W", 1, why), 0);
    cfd = accept(lfd, NULL, NULL);
    assert_true(cfd >= 0);
    assert_int_equal(read(cfd, got, sizeof(got)), 1);
    assert_int_equal(got[0], 'W');
    close(cfd);
    close(lfd);
    /* Nobody listens any more. */
    assert_int_equal(mail_trigger(path, "W", 1, why), -1);
    unlink(path);
}

static void
test_absent_and_wrong(void **state)
{
    const char *path = path_in("file");
    int     fd;

    assert_int_equal(mail_trigger(path_in("none"), "W", 1, why), -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(buf_str(why), "unable to look up"));
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    close(fd);
    assert_int_equal(mail_trigger(path, "W", 1, why), -1);
    assert_non_null(strstr(buf_str(why), "not a FIFO or socket"));
    unlink(path);
}

static void
test_submit_check(void **state)
{
    BUF    *login = buf_alloc(16);

    assert_int_equal(mail_submit_login(0, login, why), 0);
    assert_string_equal(buf_str(login), "root");
    assert_int_equal(mail_submit_check("static:anyone", "joe", 12, why), 0);
    assert_int_equal(mail_submit_check("alice, JOE", "joe", 12, why), 0);
    assert_int_equal(mail_submit_check("!joe, static:anyone", "joe", 12,
                                       why), -1);
    assert_string_equal(buf_str(why),
                        "User joe(12) is not allowed to submit mail");
    assert_int_equal(mail_submit_check("", "joe", 12, why), -1);
    assert_int_equal(mail_submit_check("!", "joe", 12, why), -1);
    assert_null(strstr(buf_str(why), "User joe"));
    buf_free(login);
}

/* setup - the test directory */
static int
setup(void **state)
{
    why = buf_alloc(64);
    return mkdtemp(dir) ? 0 : -1;
}

/* teardown - remove it */
static int
teardown(void **state)
{
    buf_free(why);
    return rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_socket),
        cmocka_unit_test(test_absent_and_wrong),
        cmocka_unit_test(test_submit_check),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
