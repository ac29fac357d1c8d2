/* test_bounce_clnt - unit tests for the delivery status client.
 *
 * A fake service (status_fixture.h) greets, records the request bytes
 * and answers as told. The requests must be the bytes Debian's Postfix
 * 3.7 sent (../notes/deliver-protocol.md 3.1, 4.1, 4.2); every failure
 * of the service gives -1 with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bounce_clnt.h"
#include "status_fixture.h"

static const char *const bounce[] = {"bounce", NULL};

/* The recipient and DSN of the notes' deferral (3.1). */
static const RECIPIENT closed_rcpt = {
    .orig_addr = "x@closed.test", .address = "x@closed.test", .offset = 240,
    .dsn_orig = "rfc822;x@closed.test", .dsn_notify = 0,
};
static const DSN closed_dsn = {
    .status = "4.4.1", .action = "delayed",
    .reason = "connect to 127.0.0.1[127.0.0.1]:1: Connection refused",
    .dtype = "", .dtext = "", .mtype = "", .mname = "",
};

/* one_request - the fake service read exactly want from service name */
static void
one_request(const char *name, const char *want, size_t len)
{
    fixture_served();
    assert_int_equal(fixture_count, 1);
    assert_string_equal(fixture_name[0], name);
    assert_int_equal(buf_len(fixture_got[0]), len);
    assert_memory_equal(buf_str(fixture_got[0]), want, len);
}

/* test_defer_append - the notes' 291-byte request to private/defer */
static void
test_defer_append(void **state)
{
    static const char want[] = "nrequest\0" "0\0flags\0" "0\0queue_id\0"
        "B548BA744F8\0original_recipient\0x@closed.test\0recipient\0"
        "x@closed.test\0offset\0" "240\0dsn_orig_rcpt\0rfc822;x@closed.test"
        "\0notify_flags\0" "0\0status\0" "4.4.1\0diag_type\0\0diag_text\0\0"
        "mta_type\0\0mta_mname\0\0action\0delayed\0reason\0connect to "
        "127.0.0.1[127.0.0.1]:1: Connection refused\0";
    static const char *const defer[] = {"defer", NULL};

    fixture_serve_ok(defer);
    assert_int_equal(bounce_append(BOUNCE_LOG_DEFER, DEL_REQ_FLAG_DEFAULT,
                                   "B548BA744F8", &closed_rcpt, &closed_dsn,
                                   why), 0);
    assert_int_equal(sizeof(want), 291);
    one_request("defer", want, sizeof(want));
}

/* test_bounce_append - the error agent's 253 bytes; NULL DSN parts are
 * sent empty */
static void
test_bounce_append(void **state)
{
    static const char want[] = "nrequest\0" "0\0flags\0" "0\0queue_id\0"
        "A5DA3A74227\0original_recipient\0x@err.test\0recipient\0x@err.test"
        "\0offset\0" "234\0dsn_orig_rcpt\0rfc822;x@err.test\0notify_flags\0"
        "0\0status\0" "5.7.1\0diag_type\0\0diag_text\0\0mta_type\0\0"
        "mta_mname\0\0action\0failed\0reason\0nope from error transport\0";
    RECIPIENT rcpt = {
        .orig_addr = "x@err.test", .address = "x@err.test", .offset = 234,
        .dsn_orig = "rfc822;x@err.test",
    };
    DSN     dsn = {.status = "5.7.1", .action = "failed",
                   .reason = "nope from error transport"};

    fixture_serve_ok(bounce);
    assert_int_equal(bounce_append(BOUNCE_LOG_BOUNCE, 3, "A5DA3A74227",
                                   &rcpt, &dsn, why), 0);
    assert_int_equal(sizeof(want), 253);
    one_request("bounce", want, sizeof(want));
}

/* test_trace_flags - only the verification bits reach the service */
static void
test_trace_flags(void **state)
{
    static const int flags[][2] = {{515, 512}, {1027, 1024}, {1025, 1024},
                                   {3, 0}, {259, 256}};
    static const char *const trace[] = {"trace", NULL};
    char    want[40];
    int     len;

    fixture_serve_ok(trace);
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        assert_int_equal(bounce_append(BOUNCE_LOG_TRACE, flags[i][0], "ID",
                                       &closed_rcpt, &closed_dsn, why), 0);
    fixture_served();
    assert_int_equal(fixture_count, 5);
    for (int i = 0; i < fixture_count; i++) {
        len = snprintf(want, sizeof(want), "nrequest%c0%cflags%c%d%c", 0, 0,
                       0, flags[i][1], 0);
        assert_memory_equal(buf_str(fixture_got[i]), want, (size_t) len);
    }
}

/* test_notify_flush - the notes' 131-byte flush request (4.2) */
static void
test_notify_flush(void **state)
{
    static const char want[] = "nrequest\0" "1\0flags\0" "0\0queue_name\0"
        "active\0queue_id\0A5DA3A74227\0encoding\0\0smtputf8\0" "0\0sender\0"
        "sender@example.org\0envelope_id\0\0ret_flags\0" "0\0";
    BOUNCE_MSG msg = {
        .queue_name = "active", .queue_id = "A5DA3A74227", .encoding = "",
        .sender = "sender@example.org", .dsn_envid = "",
    };

    fixture_serve_ok(bounce);
    assert_int_equal(bounce_notify(BOUNCE_LOG_BOUNCE, BOUNCE_CMD_FLUSH,
                                   BOUNCE_FLAG_NONE, &msg, why), 0);
    assert_int_equal(sizeof(want), 131);
    one_request("bounce", want, sizeof(want));
}

/* test_notify_expired - the defer flush of an expired message, and the
 * service name from main.cf */
static void
test_notify_expired(void **state)
{
    static const char want[] = "nrequest\0" "1\0flags\0" "2\0queue_name\0"
        "active\0queue_id\0B548BA744F8\0encoding\0" "8bit\0smtputf8\0" "0\0"
        "sender\0\0envelope_id\0envid123\0ret_flags\0" "2\0";
    static const char *const defer2[] = {"defer2", NULL};
    BOUNCE_MSG msg = {
        .queue_name = "active", .queue_id = "B548BA744F8",
        .encoding = "8bit", .sender = "", .dsn_envid = "envid123",
        .dsn_ret = DSN_RET_HDRS,
    };

    var_defer_service_name = "defer2";
    fixture_serve_ok(defer2);
    assert_int_equal(bounce_notify(BOUNCE_LOG_DEFER, BOUNCE_CMD_FLUSH,
                                   BOUNCE_FLAG_DELRCPT, &msg, why), 0);
    one_request("defer2", want, sizeof(want));
}

/* append_fails - bounce_append to private/bounce fails with reason */
static void
append_fails(const char *reason)
{
    assert_int_equal(bounce_append(BOUNCE_LOG_BOUNCE, 3, "ID", &closed_rcpt,
                                   &closed_dsn, why), -1);
    if (fixture_pid > 0)
        fixture_served();
    assert_string_equal(buf_str(why), reason);
}

/* test_failures - every way the service can fail */
static void
test_failures(void **state)
{
    static const char bad_status[] = "status\0" "4294967295\0";
    static const char other[] = "protocol\0cleanup_protocol\0";

    append_fails("connect to private/bounce: No such file or directory");

    fixture_serve(bounce, other, sizeof(other), NULL, 0);
    append_fails("unexpected protocol \"cleanup_protocol\" from "
                 "private/bounce");

    fixture_serve(bounce, GREETING, sizeof(GREETING), NULL, 0);
    append_fails("lost connection with private/bounce while reading the "
                 "status");

    fixture_serve(bounce, GREETING, sizeof(GREETING), bad_status,
                  sizeof(bad_status));
    append_fails("private/bounce answered status 4294967295");

    fixture_serve(bounce, NULL, 0, NULL, 0);
    append_fails("lost connection with private/bounce while reading the "
                 "greeting");
}

/* test_timeout - a service that never finishes its greeting */
static void
test_timeout(void **state)
{
    static const char slow[] = "protocol\0";

    var_ipc_timeout = 1;
    fixture_hang = 3;
    fixture_serve(bounce, slow, sizeof(slow) - 1, NULL, 0);
    append_fails("timeout on private/bounce while reading the greeting");
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, fixture_setup, \
                                                fixture_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_defer_append), TEST(test_bounce_append),
        TEST(test_trace_flags), TEST(test_notify_flush),
        TEST(test_notify_expired), TEST(test_failures), TEST(test_timeout),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
