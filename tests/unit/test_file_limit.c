/* test_file_limit - unit tests for a mailbox size limit as the process's
 * file size limit: 0 is none, a limit below message_size_limit is
 * refused in Postfix's words, and a limit makes a write past it fail
 * with EFBIG instead of killing the process (in a child, so that this
 * process keeps its own limit). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file_limit.h"
#include "mail_params.h"

/* test_refused - below message_size_limit */
static void
test_refused(void **state)
{
    BUF    *why = buf_alloc(10);
    struct rlimit before, after;

    var_message_size_limit = 10240000;
    getrlimit(RLIMIT_FSIZE, &before);
    assert_int_equal(file_limit_set("virtual_mailbox_limit", 0, why), 0);
    assert_int_equal(file_limit_set("virtual_mailbox_limit", 1000, why), -1);
    assert_string_equal(buf_str(why), "configuration error: "
                        "virtual_mailbox_limit is smaller than "
                        "message_size_limit");
    getrlimit(RLIMIT_FSIZE, &after);
    assert_int_equal(before.rlim_cur, after.rlim_cur);
    buf_free(why);
}

/* test_efbig - a write past the limit fails with EFBIG */
static void
test_efbig(void **state)
{
    char    path[] = "/tmp/test_file_limit.XXXXXX";
    int     fd = mkstemp(path);
    pid_t   pid;
    int     status;

    assert_true(fd >= 0);
    unlink(path);
    if ((pid = fork()) == 0) {
        BUF    *why = buf_alloc(10);
        char    data[200] = {0};

        var_message_size_limit = 100;
        if (file_limit_set("mailbox_size_limit", 150, why) < 0
            || write(fd, data, 100) != 100)
            _exit(1);
        _exit(write(fd, data, 100) == 50 && write(fd, data, 1) < 0
              && errno == EFBIG ? 0 : 2);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(fd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_efbig),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
