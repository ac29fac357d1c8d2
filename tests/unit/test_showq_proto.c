/* test_showq_proto - unit tests for showq_proto: the bytes Postfix 3.7's
 * showq sent (strace, docs/queue-tools.md) are what showq_send_*() write and
 * what showq_read_*() accept; malformed listings are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "showq_proto.h"
#include "stream.h"

/* Observed from Postfix's showq: the greeting, one message, the end. */
static const char observed[] =
    "protocol\0mail_queue_list_protocol\0\0"
    "queue_name\0hold\0queue_id\0BAC9FA76177\0time\0001796531161\0"
    "size\000269\0forced_expire\0000\0sender\0alice@example.org\0"
    "recipient\0x@closed.test\0reason\0connect to 127.0.0.1[127.0.0.1]:1: "
    "Connection refused\0recipient\0y@closed.test\0reason\0\0\0"
    "\0";

/* The test's two connected streams. */
typedef struct PAIR {
    STREAM *server;
    STREAM *client;
} PAIR;

static int
setup(void **state)
{
    static PAIR pair;
    int     fds[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    pair.server = stream_fdopen(fds[0]);
    pair.client = stream_fdopen(fds[1]);
    stream_set_timeout(pair.client, 5);
    *state = &pair;
    return 0;
}

static int
teardown(void **state)
{
    PAIR   *pair = *state;

    stream_close(pair->server);
    stream_close(pair->client);
    return 0;
}

/* observed_msg - the message of the observed listing */
static SHOWQ_MSG *
observed_msg(void)
{
    SHOWQ_MSG *msg = showq_msg_create();

    buf_strcpy(msg->queue, "hold");
    buf_strcpy(msg->id, "BAC9FA76177");
    buf_strcpy(msg->sender, "alice@example.org");
    msg->time = 1796531161;
    msg->size = 269;
    showq_msg_add_rcpt(msg, "x@closed.test",
                       "connect to 127.0.0.1[127.0.0.1]:1: Connection refused");
    showq_msg_add_rcpt(msg, "y@closed.test", "");
    return msg;
}

static void
test_writer_bytes(void **state)
{
    PAIR   *pair = *state;
    SHOWQ_MSG *msg = observed_msg();
    char    got[sizeof(observed)];

    assert_int_equal(showq_send_greeting(pair->server), 0);
    assert_int_equal(showq_send_msg(pair->server, msg), 0);
    assert_int_equal(showq_send_end(pair->server), 0);
    assert_int_equal(stream_read(pair->client, got, sizeof(observed) - 1),
                     sizeof(observed) - 1);
    assert_memory_equal(got, observed, sizeof(observed) - 1);
    showq_msg_free(msg);
}

static void
test_reader(void **state)
{
    PAIR   *pair = *state;
    SHOWQ_MSG *msg = showq_msg_create();
    BUF    *why = buf_alloc(10);

    assert_int_equal(stream_write(pair->server, observed,
                                  sizeof(observed) - 1), 0);
    assert_int_equal(stream_flush(pair->server), 0);
    assert_int_equal(showq_read_greeting(pair->client, why), 0);
    assert_int_equal(showq_read_msg(pair->client, msg, why), 1);
    assert_string_equal(buf_str(msg->queue), "hold");
    assert_string_equal(buf_str(msg->id), "BAC9FA76177");
    assert_int_equal(msg->time, 1796531161);
    assert_int_equal(msg->size, 269);
    assert_false(msg->forced_expire);
    assert_string_equal(buf_str(msg->sender), "alice@example.org");
    assert_int_equal(msg->rcpt_count, 2);
    assert_string_equal(msg->rcpt[0].address, "x@closed.test");
    assert_string_equal(msg->rcpt[1].reason, "");
    assert_int_equal(showq_read_msg(pair->client, msg, why), 0);
    assert_int_equal(msg->rcpt_count, 0);
    showq_msg_free(msg);
    buf_free(why);
}

/* expect_bad - the listing in bytes is refused */
static void
expect_bad(PAIR *pair, const char *bytes, size_t len, bool greeting)
{
    SHOWQ_MSG *msg = showq_msg_create();
    BUF    *why = buf_alloc(10);

    assert_int_equal(stream_write(pair->server, bytes, len), 0);
    assert_int_equal(stream_flush(pair->server), 0);
    shutdown(stream_fd(pair->server), SHUT_WR);
    if (greeting)
        assert_int_equal(showq_read_greeting(pair->client, why), -1);
    else
        assert_int_equal(showq_read_msg(pair->client, msg, why), -1);
    assert_true(buf_len(why) > 0);
    showq_msg_free(msg);
    buf_free(why);
}

static void
test_bad_greeting(void **state)
{
    static const char bytes[] = "protocol\0other_protocol\0\0";

    expect_bad(*state, bytes, sizeof(bytes) - 1, true);
}

static void
test_missing_reason(void **state)
{
    static const char bytes[] = "queue_name\0hold\0queue_id\0A\0time\0001\0"
        "size\0002\0forced_expire\0001\0sender\0s\0recipient\0r\0\0";

    expect_bad(*state, bytes, sizeof(bytes) - 1, false);
}

static void
test_short_head(void **state)
{
    static const char bytes[] = "queue_name\0hold\0queue_id\0A\0\0";

    expect_bad(*state, bytes, sizeof(bytes) - 1, false);
}

static void
test_lost_connection(void **state)
{
    static const char bytes[] = "queue_name\0hold\0queue_id\0A\0time\0001\0"
        "size\0002\0forced_expire\0001\0sender\0s\0recipient\0r\0reason\0";

    expect_bad(*state, bytes, sizeof(bytes) - 1, false);
}

static void
test_bad_number(void **state)
{
    static const char bytes[] = "queue_name\0hold\0queue_id\0A\0time\0x\0"
        "size\0002\0forced_expire\0001\0sender\0s\0\0";

    expect_bad(*state, bytes, sizeof(bytes) - 1, false);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writer_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_greeting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_connection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_number, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
