/* test_deliver_pass - unit tests for handing one recipient to another
 * transport's agent (src/global/deliver_pass.c).
 *
 * The test runs in a scratch queue directory with active/QID and a
 * private/ directory. An agent made of deliver_request_read() and
 * deliver_request_done() runs in a child process on private/NAME: it
 * checks what it was sent (the service's next-hop, one recipient whose
 * offset is DELIVER_OFFSET_NONE, the request's other attributes) and
 * answers done or deferred. Service names are split as Postfix's local
 * splits "transport:nexthop"; a name that could leave private/ is
 * refused; no agent, or an agent that hangs up, is "unknown" with a
 * reason. The "passing" log line is Postfix's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deliver_pass.h"
#include "mail_params.h"
#include "msg_output.h"
#include "sock.h"

#define QID     "749D6A749B7"

static char tmpdir[64];
static char olddir[1024];
static BUF *why;
#include "msg_capture.h"

/* setup - a queue directory (the current directory) with active/QID
 * and private/ */
static int
setup(void **state)
{
    int     fd;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_deliver_pass.XXXXXX");
    if (mkdtemp(tmpdir) == NULL || getcwd(olddir, sizeof(olddir)) == NULL
        || chdir(tmpdir) < 0 || mkdir("active", 0700) < 0
        || mkdir("private", 0700) < 0
        || (fd = open("active/" QID, O_WRONLY | O_CREAT, 0700)) < 0)
        return -1;
    close(fd);
    var_ipc_timeout = 5;
    var_daemon_timeout = 5;
    why = buf_alloc(10);
    logged = buf_alloc(100);
    msg_output_reset();
    msg_output_add(capture);
    return 0;
}

/* teardown - remove everything */
static int
teardown(void **state)
{
    unlink("active/" QID);
    unlink("private/fake");
    rmdir("active");
    rmdir("private");
    if (chdir(olddir) < 0)
        return -1;
    rmdir(tmpdir);
    buf_free(why);
    buf_free(logged);
    msg_output_reset();
    return 0;
}

/* The request that is passed on. */
static RECIPIENT top = {
    .orig_addr = "team", .address = "pfuser@mx.example.test", .offset = 242,
    .dsn_orig = "rfc822;team@mx.example.test", .dsn_notify = 1,
};
static DELIVER_REQUEST request = {
    .flags = DEL_REQ_FLAG_DEFAULT, .queue_name = "active", .queue_id = QID,
    .data_offset = 268, .data_size = 320, .nexthop = "mx.example.test",
    .encoding = "", .sender = "sender@example.org", .dsn_envid = "",
    .times = {.arrival = {1796525351, 422364},
              .active = {1796525351, 543668}},
    .rewrite_context = "local", .rcpt = &top, .rcpt_count = 1,
};

/* agent_check - what the agent must have been sent; 0 or 1 */
static int
agent_check(const DELIVER_REQUEST *req, const char *nexthop)
{
    const RECIPIENT *r = req->rcpt;

    return !(req->rcpt_count == 1 && r->offset == DELIVER_OFFSET_NONE
             && strcmp(r->address, top.address) == 0
             && strcmp(r->orig_addr, top.orig_addr) == 0
             && strcmp(r->dsn_orig, top.dsn_orig) == 0
             && r->dsn_notify == top.dsn_notify
             && strcmp(req->nexthop, nexthop) == 0
             && strcmp(req->sender, request.sender) == 0
             && req->flags == request.flags
             && req->data_offset == request.data_offset
             && req->times.arrival.tv_sec == request.times.arrival.tv_sec);
}

/* agent_child - serve one request on the listener; the exit status says
 * whether the request was the expected one. hangup: close after the
 * greeting instead. */
static void
agent_child(int listener, const char *nexthop, int status, int hangup)
{
    MAIL_QUEUE_CONF conf = {.dir = ".", .hash_names = "", .hash_depth = 1};
    BUF    *reason = buf_alloc(10);
    DELIVER_REQUEST *req;
    STREAM *sp;
    int     fd;

    msg_output_reset();
    if ((fd = sock_accept(listener)) < 0)
        _exit(2);
    sp = stream_fdopen(fd);
    stream_set_timeout(sp, 5);
    if (hangup) {
        (void) stream_puts(sp, "protocol");
        (void) stream_close(sp);
        _exit(0);
    }
    if ((req = deliver_request_read(sp, &conf, reason)) == NULL)
        _exit(3);
    if (agent_check(req, nexthop) != 0)
        _exit(4);
    req->status = status;
    if (deliver_request_done(sp, req, NULL, reason) < 0)
        _exit(5);
    (void) stream_close(sp);
    _exit(0);
}

/* pass_with_agent - deliver_pass() to service, an agent on private/fake
 * answering status; returns the result, asserts the agent was content */
static int
pass_with_agent(const char *service, const char *nexthop, int status,
                int hangup)
{
    int     listener = unix_listen("private/fake", 5, 0600, why);
    pid_t   pid;
    int     wstat;
    int     result;

    assert_true(listener >= 0);
    assert_int_equal(non_blocking(listener, false), 0);
    if ((pid = fork()) == 0)
        agent_child(listener, nexthop, status, hangup);
    assert_true(pid > 0);
    close(listener);
    result = deliver_pass(service, &request, &top, why);
    assert_int_equal(waitpid(pid, &wstat, 0), pid);
    assert_true(WIFEXITED(wstat));
    assert_int_equal(WEXITSTATUS(wstat), 0);
    unlink("private/fake");
    return result;
}

/* test_split - "transport[:nexthop]", names that stay in private/ */
static void
test_split(void **state)
{
    static const struct {
        const char *service;
        const char *transport;
        const char *nexthop;
    } good[] = {
        {"discard", "discard", "def.test"},
        {"error:", "error", "def.test"},
        {"error:5.7.1 text: more", "error", "5.7.1 text: more"},
        {"lmtp:unix:private/dovecot-lmtp", "lmtp", "unix:private/dovecot-lmtp"},
    };
    static const char *const bad[] = {
        "", ":nexthop", "../x", "a/b:c", ".hidden", "..:x",
    };
    BUF    *transport = buf_alloc(10);
    BUF    *nexthop = buf_alloc(10);

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(deliver_pass_split(good[i].service, "def.test",
                                            transport, nexthop, why), 0);
        assert_string_equal(buf_str(transport), good[i].transport);
        assert_string_equal(buf_str(nexthop), good[i].nexthop);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        buf_reset(why);
        assert_int_equal(deliver_pass_split(bad[i], "def.test", transport,
                                            nexthop, why), -1);
        assert_non_null(strstr(buf_str(why), "malformed transport name"));
    }
    buf_free(transport);
    buf_free(nexthop);
}

/* test_done_and_deferred - the agent's reply is the result */
static void
test_done_and_deferred(void **state)
{
    assert_int_equal(pass_with_agent("fake:unix:private/x", "unix:private/x",
                                     DELIVER_STAT_OK, 0), DELIVER_PASS_OK);
    assert_string_equal(buf_str(logged), QID ": passing "
                        "<pfuser@mx.example.test> to transport=fake\n");
    assert_int_equal(pass_with_agent("fake", "mx.example.test",
                                     DELIVER_STAT_DEFER, 0),
                     DELIVER_PASS_DEFER);
    /* The caller's recipient is left as it was. */
    assert_int_equal(top.offset, 242);
}

/* test_unknown - no agent, an agent that hangs up, a bad name */
static void
test_unknown(void **state)
{
    assert_int_equal(deliver_pass("nosuch:x", &request, &top, why),
                     DELIVER_PASS_UNKNOWN);
    assert_string_equal(buf_str(why), "connect to private/nosuch: "
                        "No such file or directory");
    assert_int_equal(pass_with_agent("fake", "", 0, 1),
                     DELIVER_PASS_UNKNOWN);
    assert_non_null(strstr(buf_str(why), "(private/fake)"));
    buf_reset(logged);
    assert_int_equal(deliver_pass("../../x", &request, &top, why),
                     DELIVER_PASS_UNKNOWN);
    assert_string_equal(buf_str(why),
                        "malformed transport name in \"../../x\"");
    assert_string_equal(buf_str(logged), "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_done_and_deferred, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
