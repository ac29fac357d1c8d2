/* test_smtp_reply - unit tests for reading an SMTP reply safely: one
 * line, several lines, enhanced status codes taken or derived, a line
 * without a code, an overlong line cut (and its rest skipped), the text
 * cap, an endless multi-line reply, a lost connection and a timeout.
 * The server side is a child process writing into a socket pair. The
 * module is a part of the smtp program, compiled in here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/smtp/smtp_reply.c"

#define LINE_LIMIT      998
#define TEXT_LIMIT      2048

/* server - a child that writes text, then repeat times fill (a line of
 * fill_len 'x' bytes when fill is NULL), then tail, then holds or
 * closes */
typedef struct SERVER {
    const char *text;
    const char *fill;
    size_t  fill_len;
    long    repeat;
    const char *tail;                   /* written last, when not NULL */
    bool    hold;
} SERVER;

/* serve - run the server in a child; the client end as a STREAM */
static STREAM *
serve(const SERVER *srv, pid_t *pid)
{
    int     fds[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    if ((*pid = fork()) == 0) {
        close(fds[0]);
        signal(SIGPIPE, SIG_IGN);
        if (write(fds[1], srv->text, strlen(srv->text)) < 0)
            _exit(1);
        for (long i = 0; i < srv->repeat; i++) {
            if (srv->fill) {
                if (write(fds[1], srv->fill, strlen(srv->fill)) < 0)
                    _exit(0);
            } else {
                char   *big = malloc(srv->fill_len + 2);

                memset(big, 'x', srv->fill_len);
                memcpy(big + srv->fill_len, "\r\n", 2);
                if (write(fds[1], big, srv->fill_len + 2) < 0)
                    _exit(0);
                free(big);
            }
        }
        if (srv->tail && write(fds[1], srv->tail, strlen(srv->tail)) < 0)
            _exit(0);
        if (srv->hold)
            pause();
        _exit(0);
    }
    close(fds[1]);
    return stream_fdopen(fds[0]);
}

/* finish - close the client end, reap the child */
static void
finish(STREAM *sp, pid_t pid)
{
    stream_close(sp);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* read_one - serve srv and read one reply into reply */
static int
read_one(const SERVER *srv, SMTP_REPLY *reply)
{
    pid_t   pid;
    STREAM *sp = serve(srv, &pid);
    int     status;

    stream_set_timeout(sp, 1);
    reply->peer = "peer.test[192.0.2.1]:25";
    status = smtp_reply_read(sp, reply, LINE_LIMIT, TEXT_LIMIT);
    finish(sp, pid);
    return status;
}

/* test_single_line - code, enhanced status, text */
static void
test_single_line(void **unused)
{
    SMTP_REPLY *reply = smtp_reply_alloc();
    SERVER  srv = {.text = "250 2.1.5 Ok\r\n"};

    assert_int_equal(read_one(&srv, reply), SMTP_REPLY_OK);
    assert_int_equal(reply->code, 250);
    assert_string_equal(reply->status, "2.1.5");
    assert_string_equal(buf_str(reply->text), "250 2.1.5 Ok");
    smtp_reply_free(reply);
}

/* test_multi_line - lines joined by a space; the lines kept apart */
static void
test_multi_line(void **unused)
{
    SMTP_REPLY *reply = smtp_reply_alloc();
    SERVER  srv = {.text = "250-mx.test\r\n250-PIPELINING\r\n250 SIZE 100\r\n"};

    assert_int_equal(read_one(&srv, reply), SMTP_REPLY_OK);
    assert_int_equal(reply->code, 250);
    assert_string_equal(reply->status, "2.0.0");
    assert_string_equal(buf_str(reply->text),
                        "250-mx.test 250-PIPELINING 250 SIZE 100");
    assert_string_equal(buf_str(reply->lines),
                        "250-mx.test\n250-PIPELINING\n250 SIZE 100");
    smtp_reply_free(reply);
}

/* test_status_derived - no code, or a code of the wrong class */
static void
test_status_derived(void **unused)
{
    SMTP_REPLY *reply = smtp_reply_alloc();
    SERVER  none = {.text = "550 no such user\r\n"};
    SERVER  wrong = {.text = "450 5.1.1 confused\r\n"};
    SERVER  bare = {.text = "354\n"};

    assert_int_equal(read_one(&none, reply), SMTP_REPLY_OK);
    assert_string_equal(reply->status, "5.0.0");
    assert_int_equal(read_one(&wrong, reply), SMTP_REPLY_OK);
    assert_string_equal(reply->status, "4.0.0");
    assert_int_equal(read_one(&bare, reply), SMTP_REPLY_OK);
    assert_int_equal(reply->code, 354);
    assert_string_equal(buf_str(reply->text), "354");
    smtp_reply_free(reply);
}

/* test_garbage - a line without a reply code is kept in the text and
 * skipped, as Postfix does; control characters become '?' */
static void
test_garbage(void **unused)
{
    SMTP_REPLY *reply = smtp_reply_alloc();
    SERVER  srv = {.text = "hello\x01there\r\n220 ready\r\n"};

    assert_int_equal(read_one(&srv, reply), SMTP_REPLY_OK);
    assert_int_equal(reply->code, 220);
    assert_string_equal(reply->status, "2.0.0");
    assert_string_equal(buf_str(reply->text), "hello?there 220 ready");
    smtp_reply_free(reply);
}

/* test_huge_line - a megabyte line is cut at the line limit, its rest
 * skipped: the next reply is read correctly */
static void
test_huge_line(void **unused)
{
    SMTP_REPLY *reply = smtp_reply_alloc();
    SERVER  srv = {.text = "250 ", .fill_len = 1 << 20, .repeat = 1,
                   .tail = "220 next\r\n", .hold = true};
    pid_t   pid;
    STREAM *sp = serve(&srv, &pid);

    stream_set_timeout(sp, 1);
    assert_int_equal(smtp_reply_read(sp, reply, LINE_LIMIT, TEXT_LIMIT),
                     SMTP_REPLY_OK);
    assert_int_equal(reply->code, 250);
    assert_int_equal(buf_len(reply->text), LINE_LIMIT);
    assert_true(buf_len(reply->line) <= LINE_LIMIT);
    assert_int_equal(smtp_reply_read(sp, reply, LINE_LIMIT, TEXT_LIMIT),
                     SMTP_REPLY_OK);
    assert_int_equal(reply->code, 220);
    assert_string_equal(buf_str(reply->text), "220 next");
    finish(sp, pid);
    smtp_reply_free(reply);
}

/* test_text_cap - many lines: the stored text stops at the cap */
static void
test_text_cap(void **unused)
{
    SMTP_REPLY *reply = smtp_reply_alloc();
    SERVER  srv = {.text = "", .fill = "250-0123456789012345678901234567\r\n",
                   .repeat = 500, .hold = true};
    pid_t   pid;
    STREAM *sp = serve(&srv, &pid);

    stream_set_timeout(sp, 1);
    /* 500 continuation lines and no last line: a timeout, text capped */
    assert_int_equal(smtp_reply_read(sp, reply, LINE_LIMIT, TEXT_LIMIT),
                     SMTP_REPLY_TIMEOUT);
    assert_true(buf_len(reply->text) <= TEXT_LIMIT);
    assert_true(buf_len(reply->text) > TEXT_LIMIT - 40);
    finish(sp, pid);
    smtp_reply_free(reply);
}

/* test_endless - more than SMTP_REPLY_LINES_MAX lines is an error */
static void
test_endless(void **unused)
{
    SMTP_REPLY *reply = smtp_reply_alloc();
    SERVER  srv = {.text = "", .fill = "220-x\r\n", .repeat = 100000};

    assert_int_equal(read_one(&srv, reply), SMTP_REPLY_TOOLONG);
    smtp_reply_free(reply);
}

/* test_lost_and_timeout - EOF mid-reply; silence */
static void
test_lost_and_timeout(void **unused)
{
    SMTP_REPLY *reply = smtp_reply_alloc();
    SERVER  lost = {.text = "250-first\r\n250 sec"};
    SERVER  none = {.text = ""};
    SERVER  silent = {.text = "", .hold = true};

    assert_int_equal(read_one(&lost, reply), SMTP_REPLY_LOST);
    assert_int_equal(read_one(&none, reply), SMTP_REPLY_LOST);
    assert_int_equal(read_one(&silent, reply), SMTP_REPLY_TIMEOUT);
    smtp_reply_free(reply);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_line),
        cmocka_unit_test(test_multi_line),
        cmocka_unit_test(test_status_derived),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_text_cap),
        cmocka_unit_test(test_endless),
        cmocka_unit_test(test_lost_and_timeout),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
