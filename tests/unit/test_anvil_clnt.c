/* test_anvil_clnt - unit tests for the anvil protocol's wire form and
 * smtpd's client of the service.
 *
 * The bytes are those observed between Debian's Postfix 3.7 smtpd and
 * anvil (docs/anvil.md): "name=value\n" lines ended by an empty line.
 * A fake service (a child process on a socket in a temporary directory)
 * greets, checks each request against a script and answers as told. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anvil_clnt.h"
#include "sock.h"

#define GREETING    "protocol=anvil_protocol\n\n"

static char dir[64];
static char olddir[4096];
static BUF *why;
static pid_t child;

/* One step of the fake service: the request it must read, and its
 * answer (NULL: hang up without one; the next step is on a new
 * connection). */
typedef struct STEP {
    const char *want;
    const char *answer;
} STEP;

/* setup - a temporary directory with private/ */
static int
setup(void **state)
{
    (void) state;
    snprintf(dir, sizeof(dir), "/tmp/test_anvil.XXXXXX");
    if (getcwd(olddir, sizeof(olddir)) == NULL || mkdtemp(dir) == NULL
        || chdir(dir) < 0 || mkdir("private", 0700) < 0)
        return -1;
    why = buf_alloc(100);
    return 0;
}

/* teardown - back, and remove the directory */
static int
teardown(void **state)
{
    (void) state;
    unlink(ANVIL_SERVICE);
    rmdir("private");
    if (chdir(olddir) < 0)
        return -1;
    rmdir(dir);
    buf_free(why);
    return 0;
}

/* read_message - read up to and including the empty line; 0 or -1 */
static int
read_message(int fd, char *buf, size_t len)
{
    size_t  got = 0;

    while (got + 1 < len) {
        if (read(fd, buf + got, 1) != 1)
            return -1;
        got++;
        buf[got] = 0;
        if (got == 1 && buf[0] == '\n')
            return 0;
        if (got >= 2 && buf[got - 1] == '\n' && buf[got - 2] == '\n')
            return 0;
    }
    return -1;
}

/* serve_steps - the child: serve the script; exit 0 when all went as
 * expected */
static void
serve_steps(int listen_fd, const STEP *steps)
{
    char    buf[1024];
    int     fd = -1;

    if (non_blocking(listen_fd, false) < 0)
        _exit(1);
    for (const STEP *s = steps; s->want != NULL; s++) {
        if (fd < 0) {
            if ((fd = accept(listen_fd, NULL, NULL)) < 0
                || write(fd, GREETING, strlen(GREETING)) < 0)
                _exit(2);
        }
        if (read_message(fd, buf, sizeof(buf)) < 0 || strcmp(buf, s->want))
            _exit(3);
        if (s->answer == NULL) {
            close(fd);
            fd = -1;
        } else if (write(fd, s->answer, strlen(s->answer)) < 0) {
            _exit(4);
        }
    }
    _exit(0);
}

/* serve - start the fake service */
static void
serve(const STEP *steps)
{
    int     fd = unix_listen(ANVIL_SERVICE, 10, 0600, why);

    assert_true(fd >= 0);
    if ((child = fork()) == 0)
        serve_steps(fd, steps);
    close(fd);
}

/* served - the child saw every request it expected */
static void
served(void)
{
    int     status;

    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    unlink(ANVIL_SERVICE);
}

/* ask_rate - a rate request for smtp:192.0.2.1: the rate, or -1 */
static int
ask_rate(ANVIL_CLNT *clnt, const char *request)
{
    int     rate = -1;

    if (anvil_clnt_rate(clnt, request, "smtp", "192.0.2.1", &rate, why)
        != ANVIL_STAT_OK)
        return -1;
    return rate;
}

/* test_proto_send - the plain form, flushed */
static void
test_proto_send(void **state)
{
    int     sv[2];
    char    buf[200];
    STREAM *sp;
    ssize_t n;

    (void) state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    sp = stream_fdopen(sv[0]);
    assert_int_equal(anvil_proto_send(sp, "request", "connect", "ident",
                                      "smtp:192.0.2.1", (char *) NULL), 0);
    n = read(sv[1], buf, sizeof(buf) - 1);
    assert_true(n > 0);
    buf[n] = 0;
    assert_string_equal(buf, "request=connect\nident=smtp:192.0.2.1\n\n");
    stream_close(sp);
    close(sv[1]);
}

/* read_text - what anvil_proto_read makes of text (then EOF) */
static int
read_text(const char *text, ARGV *pairs)
{
    int     sv[2], ret;
    STREAM *sp;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(write(sv[1], text, strlen(text)), (ssize_t) strlen(text));
    close(sv[1]);
    sp = stream_fdopen(sv[0]);
    stream_set_timeout(sp, 5);
    ret = anvil_proto_read(sp, pairs);
    stream_close(sp);
    return ret;
}

/* test_proto_read - attributes and values, '=' in values */
static void
test_proto_read(void **state)
{
    ARGV   *pairs = argv_alloc(4);

    (void) state;
    assert_int_equal(read_text("status=0\ncount=3\nrate=a=b\n\n", pairs), 3);
    assert_string_equal(anvil_proto_find(pairs, "count"), "3");
    assert_string_equal(anvil_proto_find(pairs, "rate"), "a=b");
    assert_null(anvil_proto_find(pairs, "mail"));
    assert_int_equal(read_text("\n", pairs), 0);
    argv_free(pairs);
}

/* test_proto_read_bad - malformed input fails */
static void
test_proto_read_bad(void **state)
{
    ARGV   *pairs = argv_alloc(4);
    BUF    *big = buf_alloc(2000);

    (void) state;
    assert_int_equal(read_text("status\n\n", pairs), -1);
    assert_int_equal(read_text("status=0\n", pairs), -1);         /* EOF */
    assert_int_equal(read_text("", pairs), -1);
    for (int i = 0; i < ANVIL_LINE_MAX; i++)
        buf_addch(big, 'x');
    buf_strcat(big, "=1\n\n");
    assert_int_equal(read_text(buf_str(big), pairs), -1);
    buf_reset(big);
    for (int i = 0; i <= ANVIL_ATTR_COUNT_MAX; i++)
        buf_sprintf_append(big, "a%d=1\n", i);
    buf_strcat(big, "\n");
    assert_int_equal(read_text(buf_str(big), pairs), -1);
    buf_free(big);
    argv_free(pairs);
}

/* test_requests - each request's bytes and answer, on one connection */
static void
test_requests(void **state)
{
    static const STEP steps[] = {
        {"request=connect\nident=smtp:192.0.2.1\n\n",
        "status=0\ncount=51\nrate=7\n\n"},
        {"request=message\nident=smtp:192.0.2.1\n\n", "status=0\nrate=2\n\n"},
        {"request=recipient\nident=smtp:192.0.2.1\n\n", "status=0\nrate=3\n\n"},
        {"request=newtls\nident=smtp:192.0.2.1\n\n", "status=0\nrate=4\n\n"},
        {"request=newtls_status\nident=smtp:192.0.2.1\n\n",
        "status=0\nrate=4\n\n"},
        {"request=auth\nident=smtp:192.0.2.1\n\n", "status=0\nrate=5\n\n"},
        {"request=lookup\nident=smtp:192.0.2.1\n\n",
            "status=0\ncount=51\nrate=7\nmail=2\nrcpt=3\nnewtls=4\nauth=5\n\n"},
        {"request=disconnect\nident=smtp:192.0.2.1\n\n", "status=0\n\n"},
        {NULL, NULL},
    };
    ANVIL_CLNT *clnt;
    ANVIL_COUNTS c;
    int     count = 0, rate = 0;

    (void) state;
    serve(steps);
    clnt = anvil_clnt_create(ANVIL_SERVICE, 5);
    assert_int_equal(anvil_clnt_connect(clnt, "smtp", "192.0.2.1", &count,
                                        &rate, why), ANVIL_STAT_OK);
    assert_int_equal(count, 51);
    assert_int_equal(rate, 7);
    assert_int_equal(ask_rate(clnt, ANVIL_REQ_MAIL), 2);
    assert_int_equal(ask_rate(clnt, ANVIL_REQ_RCPT), 3);
    assert_int_equal(ask_rate(clnt, ANVIL_REQ_NTLS), 4);
    assert_int_equal(ask_rate(clnt, ANVIL_REQ_NTLS_STAT), 4);
    assert_int_equal(ask_rate(clnt, ANVIL_REQ_AUTH), 5);
    assert_int_equal(anvil_clnt_lookup(clnt, "smtp", "192.0.2.1", &c, why),
                     ANVIL_STAT_OK);
    assert_int_equal(c.count, 51);
    assert_int_equal(c.rate, 7);
    assert_int_equal(c.mail, 2);
    assert_int_equal(c.rcpt, 3);
    assert_int_equal(c.newtls, 4);
    assert_int_equal(c.auth, 5);
    assert_int_equal(anvil_clnt_disconnect(clnt, "smtp", "192.0.2.1", why),
                     ANVIL_STAT_OK);
    anvil_clnt_free(clnt);
    served();
}

/* test_failed_status - Postfix's -1 is a failure with a reason */
static void
test_failed_status(void **state)
{
    static const STEP steps[] = {
        {"request=message\nident=smtp:192.0.2.1\n\n",
        "status=4294967295\n\n"},
        {"request=recipient\nident=smtp:192.0.2.1\n\n", "status=0\n\n"},
        {NULL, NULL},
    };
    ANVIL_CLNT *clnt;

    (void) state;
    serve(steps);
    clnt = anvil_clnt_create(ANVIL_SERVICE, 5);
    assert_int_equal(ask_rate(clnt, ANVIL_REQ_MAIL), -1);
    assert_non_null(strstr(buf_str(why), "request message failed"));
    assert_int_equal(ask_rate(clnt, ANVIL_REQ_RCPT), -1);
    assert_non_null(strstr(buf_str(why), "no rate"));
    anvil_clnt_free(clnt);
    served();
}

/* test_retry_on_new_connection - a dropped connection is tried again */
static void
test_retry_on_new_connection(void **state)
{
    static const STEP steps[] = {
        {"request=connect\nident=smtp:192.0.2.1\n\n",
        "status=0\ncount=1\nrate=1\n\n"},
        {"request=message\nident=smtp:192.0.2.1\n\n", NULL},
        {"request=message\nident=smtp:192.0.2.1\n\n", "status=0\nrate=9\n\n"},
        {NULL, NULL},
    };
    ANVIL_CLNT *clnt;
    int     count, rate;

    (void) state;
    serve(steps);
    clnt = anvil_clnt_create(ANVIL_SERVICE, 5);
    assert_int_equal(anvil_clnt_connect(clnt, "smtp", "192.0.2.1", &count,
                                        &rate, why), ANVIL_STAT_OK);
    assert_int_equal(ask_rate(clnt, ANVIL_REQ_MAIL), 9);
    anvil_clnt_free(clnt);
    served();
}

/* test_no_service - nobody listens */
static void
test_no_service(void **state)
{
    ANVIL_CLNT *clnt = anvil_clnt_create(ANVIL_SERVICE, 5);
    int     count, rate;

    (void) state;
    assert_int_equal(anvil_clnt_connect(clnt, "smtp", "192.0.2.1", &count,
                                        &rate, why), ANVIL_STAT_FAIL);
    assert_true(buf_len(why) > 0);
    anvil_clnt_free(clnt);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proto_send),
        cmocka_unit_test(test_proto_read),
        cmocka_unit_test(test_proto_read_bad),
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_failed_status),
        cmocka_unit_test(test_retry_on_new_connection),
        cmocka_unit_test(test_no_service),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
