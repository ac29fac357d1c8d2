/* test_flush_clnt - unit tests for flush_clnt: the request bytes Postfix
 * 3.7's postqueue -s and -i and its agents' deferrals sent (strace,
 * docs/flush.md), refresh and purge, the
 * status answered, and an unreachable or misbehaving service. A child
 * process plays the flush service on a socket in a temporary directory. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "flush_clnt.h"
#include "sock.h"

static char dir[] = "/tmp/test_flush_clnt.XXXXXX";
static char path[256];
static BUF *why;

/* serve_one - a child: accept one client, greet it (or not), expect
 * exactly want, answer reply; exit 0 when the request was right */
static pid_t
serve_one(const char *greeting, size_t glen, const char *want, size_t wlen,
          const char *reply, size_t rlen)
{
    BUF    *err = buf_alloc(100);
    int     lfd = unix_listen(path, 5, 0600, err);
    pid_t   pid;

    assert_true(lfd >= 0);
    if ((pid = fork()) == 0) {
        char    got[256];
        size_t  have = 0;
        ssize_t n;
        int     fd;

        signal(SIGPIPE, SIG_IGN);
        non_blocking(lfd, false);
        if ((fd = accept(lfd, NULL, NULL)) < 0)
            _exit(2);
        if (write(fd, greeting, glen) != (ssize_t) glen)
            _exit(3);
        while (have < wlen && (n = read(fd, got + have, sizeof(got) - have)) > 0)
            have += (size_t) n;
        if (rlen > 0 && write(fd, reply, rlen) != (ssize_t) rlen)
            _exit(4);
        _exit(have == wlen && memcmp(got, want, wlen) == 0 ? 0 : 1);
    }
    close(lfd);
    buf_free(err);
    return pid;
}

/* child_ok - the child saw the expected request */
static void
child_ok(pid_t pid)
{
    int     status;

    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    unlink(path);
}

#define GREETING    "protocol\0queue_flush_protocol\0\0"
#define S(str)      str, sizeof(str) - 1

static void
test_send_site(void **state)
{
    pid_t   pid = serve_one(S(GREETING),
                            S("request\0send_site\0site\0example.com\0\0"),
                            S("status\0000\0\0"));

    assert_int_equal(flush_send_site(path, "example.com", 5, why),
                     FLUSH_STAT_OK);
    child_ok(pid);
}

static void
test_send_file_denied(void **state)
{
    pid_t   pid = serve_one(S(GREETING),
                            S("request\0send_file\0queue_id\0ABC123\0\0"),
                            S("status\0004\0\0"));

    assert_int_equal(flush_send_file(path, "ABC123", 5, why),
                     FLUSH_STAT_DENY);
    child_ok(pid);
}

static void
test_add(void **state)
{
    pid_t   pid = serve_one(S(GREETING),
                            S("request\0add\0site\0example.org\0"
                              "queue_id\00065086A7C033\0\0"),
                            S("status\0000\0\0"));

    assert_int_equal(flush_add(path, "example.org", "65086A7C033", 5, why),
                     FLUSH_STAT_OK);
    child_ok(pid);
}

static void
test_refresh(void **state)
{
    pid_t   pid = serve_one(S(GREETING), S("request\0refresh\0\0"),
                            S("status\0000\0\0"));

    assert_int_equal(flush_refresh(path, 5, why), FLUSH_STAT_OK);
    child_ok(pid);
}

static void
test_purge_bad(void **state)
{
    pid_t   pid = serve_one(S(GREETING), S("request\0purge\0\0"),
                            S("status\0003\0\0"));

    assert_int_equal(flush_purge(path, 5, why), FLUSH_STAT_BAD);
    child_ok(pid);
}

static void
test_wrong_protocol(void **state)
{
    pid_t   pid = serve_one(S("protocol\0other\0\0"), "", 0, "", 0);

    buf_reset(why);
    assert_int_equal(flush_send_site(path, "example.com", 5, why),
                     FLUSH_STAT_FAIL);
    assert_true(buf_len(why) > 0);
    child_ok(pid);
}

static void
test_no_service(void **state)
{
    buf_reset(why);
    assert_int_equal(flush_send_site(path, "example.com", 5, why),
                     FLUSH_STAT_FAIL);
    assert_non_null(strstr(buf_str(why), "connect to"));
}

static int
setup(void **state)
{
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/flush", dir);
    why = buf_alloc(100);
    return 0;
}

static int
teardown(void **state)
{
    buf_free(why);
    rmdir(dir);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_site),
        cmocka_unit_test(test_send_file_denied),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_refresh),
        cmocka_unit_test(test_purge_bad),
        cmocka_unit_test(test_wrong_protocol),
        cmocka_unit_test(test_no_service),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
