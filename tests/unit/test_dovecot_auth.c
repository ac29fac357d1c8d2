/* test_dovecot_auth - unit tests for the client of Dovecot's
 * authentication protocol (src/global/dovecot_auth.c).
 *
 * The server is the other end of a socketpair: each test writes what
 * Dovecot 2.3 would send (the handshake bytes are those Dovecot 2.3.19
 * sent to Postfix) before the client reads, then checks what the client
 * wrote, byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dovecot_auth.h"

#define HANDSHAKE "VERSION\t1\t2\nMECH\tPLAIN\tplaintext\n" \
    "MECH\tLOGIN\tplaintext\nMECH\tANONYMOUS\tanonymous\tprivate\n" \
    "SPID\t14085\nCUID\t1\nFUTURE\tthing\n" \
    "COOKIE\t0519b95313f7262a4a9e965b511f41f6\nDONE\n"

static int peer = -1;                   /* the server's end */
static BUF *why;

/* serve - queue bytes for the client to read */
static void
serve(const char *text, size_t len)
{
    assert_int_equal(write(peer, text, len), (ssize_t) len);
}

/* heard - what the client wrote so far */
static char *
heard(void)
{
    static char buf[4096];
    ssize_t n = recv(peer, buf, sizeof(buf) - 1, MSG_DONTWAIT);

    buf[n > 0 ? n : 0] = 0;
    return buf;
}

/* open_with - a client after the server sent text first */
static DOVECOT_AUTH *
open_with(const char *text)
{
    int     fds[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    peer = fds[1];
    serve(text, strlen(text));
    return dovecot_auth_open(stream_fdopen(fds[0]), 5, why);
}

/* teardown - close the server's end */
static int
teardown(void **state)
{
    (void) state;
    if (peer >= 0)
        close(peer);
    peer = -1;
    buf_reset(why);
    return 0;
}

/* test_handshake - mechanisms and flags; unknown lines are skipped */
static void
test_handshake(void **state)
{
    DOVECOT_AUTH *auth = open_with(HANDSHAKE);
    char    want[64];

    (void) state;
    assert_non_null(auth);
    snprintf(want, sizeof(want), "VERSION\t1\t2\nCPID\t%ld\n", (long) getpid());
    assert_string_equal(heard(), want);
    assert_int_equal(dovecot_auth_mech_count(auth), 3);
    assert_string_equal(dovecot_auth_mech(auth, 0)->name, "PLAIN");
    assert_int_equal(dovecot_auth_mech(auth, 1)->flags,
                     DOVECOT_MECH_PLAINTEXT);
    assert_int_equal(dovecot_auth_mech(auth, 2)->flags,
                     DOVECOT_MECH_ANONYMOUS | DOVECOT_MECH_PRIVATE);
    dovecot_auth_close(auth);
}

/* expect_open_error - the handshake fails with why */
static void
expect_open_error(const char *text, const char *reason)
{
    assert_null(open_with(text));
    assert_string_equal(buf_str(why), reason);
}

/* test_bad_handshakes - version, order, EOF, bad MECH lines */
static void
test_bad_handshakes(void **state)
{
    (void) state;
    expect_open_error("VERSION\t2\t0\nDONE\n", "authentication server "
                      "speaks an incompatible protocol version");
    teardown(NULL);
    expect_open_error("MECH\tPLAIN\nDONE\n",
                      "authentication server did not send VERSION");
    teardown(NULL);
    expect_open_error("VERSION\t1\t2\nMECH\tPL AIN\nDONE\n",
                      "authentication server sent a bad mechanism name");
    teardown(NULL);
    expect_open_error("VERSION\t1\t2\nMECH\nDONE\n",
                      "authentication server sent a bad MECH line");
    teardown(NULL);
    expect_open_error("VERSION\t1\t2\nMECH\tPLAIN\x01x\nDONE\n",
                      "authentication server sent a bad escape");
}

/* test_eof - the server hangs up in the middle of a line */
static void
test_eof(void **state)
{
    int     fds[2];

    (void) state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    peer = fds[1];
    serve("VERSION\t1\t2\nMECH\tPLAIN", 23);
    shutdown(peer, SHUT_WR);
    assert_null(dovecot_auth_open(stream_fdopen(fds[0]), 5, why));
    assert_string_equal(buf_str(why),
                        "Connection lost to authentication server");
}

/* test_huge_line - a line over the limit is refused */
static void
test_huge_line(void **state)
{
    size_t  len = DOVECOT_AUTH_LINE_MAX + 100;
    char   *text = malloc(len + 1);

    (void) state;
    memcpy(text, "VERSION\t1\t2\nSPID\t", 17);
    memset(text + 17, 'x', len - 18);
    text[len - 1] = '\n';
    text[len] = 0;
    expect_open_error(text, "authentication server sent a line that is "
                      "too long");
    free(text);
}

/* ready - a client after the handshake, its greeting read */
static DOVECOT_AUTH *
ready(void)
{
    DOVECOT_AUTH *auth = open_with(HANDSHAKE);

    assert_non_null(auth);
    (void) heard();
    return auth;
}

/* test_auth_ok - the request's bytes; OK with the user */
static void
test_auth_ok(void **state)
{
    DOVECOT_AUTH *auth = ready();
    DOVECOT_AUTH_REPLY reply;
    DOVECOT_AUTH_REQ req = {.mech = "PLAIN", .service = "smtp",
        .local_ip = "127.0.0.1", .remote_ip = "192.0.2.1", .secured = true,
    .resp = "AGJvYgBib2Itc2VjcmV0"};

    (void) state;
    dovecot_auth_reply_init(&reply);
    serve("OK\t1\tuser=bob\n", 14);
    assert_int_equal(dovecot_auth_start(auth, &req, &reply, why),
                     DOVECOT_AUTH_OK);
    assert_string_equal(heard(), "AUTH\t1\tPLAIN\tservice=smtp\tnologin\t"
                        "lip=127.0.0.1\trip=192.0.2.1\tsecured\t"
                        "resp=AGJvYgBib2Itc2VjcmV0\n");
    assert_string_equal(buf_str(reply.user), "bob");
    dovecot_auth_reply_free(&reply);
    dovecot_auth_close(auth);
}

/* test_cont_fail - CONT, the client's answer, FAIL with reason, temp */
static void
test_cont_fail(void **state)
{
    DOVECOT_AUTH *auth = ready();
    DOVECOT_AUTH_REPLY reply;
    DOVECOT_AUTH_REQ req = {.mech = "LOGIN", .service = "smtp"};

    (void) state;
    dovecot_auth_reply_init(&reply);
    serve("CONT\t1\tVXNlcm5hbWU6\n", 20);
    assert_int_equal(dovecot_auth_start(auth, &req, &reply, why),
                     DOVECOT_AUTH_CONT);
    assert_string_equal(buf_str(reply.data), "VXNlcm5hbWU6");
    assert_string_equal(heard(), "AUTH\t1\tLOGIN\tservice=smtp\tnologin\n");
    serve("FAIL\t1\tuser=bob\treason=Go away\n", 31);
    assert_int_equal(dovecot_auth_continue(auth, "Ym9i", &reply, why),
                     DOVECOT_AUTH_FAIL);
    assert_string_equal(heard(), "CONT\t1\tYm9i\n");
    assert_string_equal(buf_str(reply.user), "bob");
    assert_string_equal(buf_str(reply.reason), "Go away");
    serve("FAIL\t2\ttemp\n", 12);
    assert_int_equal(dovecot_auth_start(auth, &req, &reply, why),
                     DOVECOT_AUTH_TEMP);
    assert_string_equal(buf_str(reply.user), "");
    dovecot_auth_reply_free(&reply);
    dovecot_auth_close(auth);
}

/* expect_reply_error - one bad answer to a request */
static void
expect_reply_error(const char *answer, const char *reason)
{
    DOVECOT_AUTH *auth = ready();
    DOVECOT_AUTH_REPLY reply;
    DOVECOT_AUTH_REQ req = {.mech = "PLAIN", .service = "smtp"};

    dovecot_auth_reply_init(&reply);
    serve(answer, strlen(answer));
    assert_int_equal(dovecot_auth_start(auth, &req, &reply, why),
                     DOVECOT_AUTH_ERROR);
    assert_string_equal(buf_str(why), reason);
    dovecot_auth_reply_free(&reply);
    dovecot_auth_close(auth);
    teardown(NULL);
}

/* test_bad_replies - unknown ids, bad challenges, names, commands */
static void
test_bad_replies(void **state)
{
    (void) state;
    expect_reply_error("OK\t2\tuser=bob\n",
                       "authentication server sent a reply for an unknown "
                       "request");
    expect_reply_error("OK\t+1\tuser=bob\n",
                       "authentication server sent a reply for an unknown "
                       "request");
    expect_reply_error("OK\n", "authentication server sent a reply for an "
                       "unknown request");
    expect_reply_error("OK\t1\n",
                       "authentication server sent OK without a user name");
    expect_reply_error("OK\t1\tuser=bob\x01nX-Evil: 1\n",
                       "authentication server sent a bad user name");
    expect_reply_error("CONT\t1\tnot base64!\n",
                       "authentication server sent a bad challenge");
    expect_reply_error("HELLO\t1\n",
                       "authentication server sent an unknown reply");
}

/* test_bad_request - control characters never reach the server */
static void
test_bad_request(void **state)
{
    DOVECOT_AUTH *auth = ready();
    DOVECOT_AUTH_REPLY reply;
    DOVECOT_AUTH_REQ req = {.mech = "PLAIN\tx", .service = "smtp"};

    (void) state;
    dovecot_auth_reply_init(&reply);
    assert_int_equal(dovecot_auth_start(auth, &req, &reply, why),
                     DOVECOT_AUTH_ERROR);
    assert_int_equal(dovecot_auth_continue(auth, "a\nb", &reply, why),
                     DOVECOT_AUTH_ERROR);
    assert_string_equal(heard(), "");
    dovecot_auth_reply_free(&reply);
    dovecot_auth_close(auth);
}

/* test_connect_error - Postfix's words for an unreachable socket */
static void
test_connect_error(void **state)
{
    (void) state;
    assert_null(dovecot_auth_connect("/nonexistent/auth", 1, why));
    assert_string_equal(buf_str(why), "Connect to Dovecot auth socket "
                        "'/nonexistent/auth' failed: No such file or "
                        "directory");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_handshake, teardown),
        cmocka_unit_test_teardown(test_bad_handshakes, teardown),
        cmocka_unit_test_teardown(test_eof, teardown),
        cmocka_unit_test_teardown(test_huge_line, teardown),
        cmocka_unit_test_teardown(test_auth_ok, teardown),
        cmocka_unit_test_teardown(test_cont_fail, teardown),
        cmocka_unit_test_teardown(test_bad_replies, teardown),
        cmocka_unit_test_teardown(test_bad_request, teardown),
        cmocka_unit_test_teardown(test_connect_error, teardown),
    };

    why = buf_alloc(100);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
