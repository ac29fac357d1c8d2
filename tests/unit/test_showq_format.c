/* test_showq_format - unit tests for showq_format: the mailq text and
 * JSON listings, against lines Debian's Postfix 3.7 postqueue printed
 * (docs/queue-tools.md). Dates are printed in UTC here (TZ is set). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "buf.h"
#include "showq_format.h"

#define ARRIVAL 1796531161L             /* Sun Dec  6 04:26:01 2026 UTC */

/* msg_make - a listed message */
static SHOWQ_MSG *
msg_make(const char *queue, const char *id, long size, bool expire,
         const char *sender)
{
    SHOWQ_MSG *msg = showq_msg_create();

    buf_strcpy(msg->queue, queue);
    buf_strcpy(msg->id, id);
    buf_strcpy(msg->sender, sender);
    msg->time = ARRIVAL;
    msg->size = size;
    msg->forced_expire = expire;
    return msg;
}

/* text_of - the text listing of one message */
static char *
text_of(const SHOWQ_MSG *msg, bool long_ids, bool first)
{
    BUF    *out = buf_alloc(100);

    showq_format_text(out, msg, long_ids, first);
    return buf_export(out);
}

static void
test_head(void **state)
{
    BUF    *out = buf_alloc(100);

    showq_format_head(out, false);
    assert_string_equal(buf_str(out), "-Queue ID-  --Size-- ----Arrival "
                        "Time---- -Sender/Recipient-------\n");
    buf_reset(out);
    showq_format_head(out, true);
    assert_string_equal(buf_str(out), "----Queue ID----- --Size-- ---Arrival "
                        "Time---- --Sender/Recipient------\n");
    buf_free(out);
}

static void
test_deferred_with_reason(void **state)
{
    SHOWQ_MSG *msg = msg_make("deferred", "DFBFBA7616F", 268, false,
                              "bob2@example.org");
    char   *text;

    showq_msg_add_rcpt(msg, "r2@closed.test",
                       "connect to 127.0.0.1[127.0.0.1]:1: Connection refused");
    showq_msg_add_rcpt(msg, "v@other.test",
                       "connect to 127.0.0.1[127.0.0.1]:1: Connection refused");
    text = text_of(msg, false, false);
    assert_string_equal(text,
        "\nDFBFBA7616F     268 Sun Dec  6 04:26:01  bob2@example.org\n"
        "                       (connect to 127.0.0.1[127.0.0.1]:1: "
        "Connection refused)\n"
        "                                         r2@closed.test\n"
        "                                         v@other.test\n");
    free(text);
    showq_msg_free(msg);
}

static void
test_status_characters(void **state)
{
    SHOWQ_MSG *msg = msg_make("active", "3D5EFA761C0", 273, false,
                              "dave@example.org");
    char   *text;

    text = text_of(msg, false, true);
    assert_string_equal(text, "3D5EFA761C0*     273 Sun Dec  6 04:26:01  "
                        "dave@example.org\n");
    free(text);
    buf_strcpy(msg->queue, "hold");
    buf_strcpy(msg->id, "D1234A761B9");
    msg->size = 100;
    msg->forced_expire = true;
    text = text_of(msg, false, true);
    assert_string_equal(text, "D1234A761B9!#     100 Sun Dec  6 04:26:01  "
                        "dave@example.org\n");
    free(text);
    buf_strcpy(msg->id, "ABCDE");
    msg->forced_expire = false;
    text = text_of(msg, false, true);
    assert_string_equal(text, "ABCDE!          100 Sun Dec  6 04:26:01  "
                        "dave@example.org\n");
    free(text);
    showq_msg_free(msg);
}

static void
test_wide_fields(void **state)
{
    SHOWQ_MSG *msg = msg_make("hold", "4jhlxz3VH0z1bcTg", 12345678, false,
                              "s@x");
    char   *text;

    /* Short layout: a long id and a wide size push the line right. */
    text = text_of(msg, false, true);
    assert_string_equal(text, "4jhlxz3VH0z1bcTg! 12345678 Sun Dec  6 "
                        "04:26:01  s@x\n");
    free(text);
    /* Long layout. */
    buf_strcpy(msg->id, "AB");
    msg->size = 5;
    showq_msg_add_rcpt(msg, "r@x", "short");
    text = text_of(msg, true, true);
    assert_string_equal(text,
        "AB!                      5 Sun Dec  6 04:26:01 s@x\n"
        "                                                                "
        "       (short)\n"
        "                                               r@x\n");
    free(text);
    showq_msg_free(msg);
}

static void
test_reason_groups(void **state)
{
    SHOWQ_MSG *msg = msg_make("hold", "E0000A76261", 100, false, "s@x");
    char    long_reason[90];
    char   *text;

    memset(long_reason, 'x', 77);
    long_reason[77] = 0;
    showq_msg_add_rcpt(msg, "a1@t", "A");
    showq_msg_add_rcpt(msg, "b1@t", "B");
    showq_msg_add_rcpt(msg, "a2@t", "A");
    showq_msg_add_rcpt(msg, "a3@t", "A");
    showq_msg_add_rcpt(msg, "n@t", "");
    showq_msg_add_rcpt(msg, "m@t", "");
    showq_msg_add_rcpt(msg, "l@t", long_reason);
    text = text_of(msg, false, true);
    assert_string_equal(text,
        "E0000A76261!     100 Sun Dec  6 04:26:01  s@x\n"
        "                                                                "
        "           (A)\n"
        "                                         a1@t\n"
        "                                                                "
        "           (B)\n"
        "                                         b1@t\n"
        "                                                                "
        "           (A)\n"
        "                                         a2@t\n"
        "                                         a3@t\n"
        "                                                          "
        "(reason unavailable)\n"
        "                                         n@t\n"
        "                                         m@t\n"
        "(xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxx)\n"
        "                                         l@t\n");
    free(text);
    showq_msg_free(msg);
}

static void
test_tail(void **state)
{
    BUF    *out = buf_alloc(100);

    showq_format_tail(out, 0, 0);
    assert_string_equal(buf_str(out), "Mail queue is empty\n");
    buf_reset(out);
    showq_format_tail(out, 1023, 1);
    assert_string_equal(buf_str(out), "\n-- 0 Kbytes in 1 Request.\n");
    buf_reset(out);
    showq_format_tail(out, 2048, 2);
    assert_string_equal(buf_str(out), "\n-- 2 Kbytes in 2 Requests.\n");
    buf_reset(out);
    showq_format_tail(out, 123456789013LL, 2);
    assert_string_equal(buf_str(out), "\n-- 120563270 Kbytes in 2 Requests.\n");
    buf_free(out);
}

static void
test_json(void **state)
{
    SHOWQ_MSG *msg = msg_make("hold", "E0000A761C0", 100, true,
                              "\"q\\\"uo\"@x");
    BUF    *out = buf_alloc(100);

    showq_msg_add_rcpt(msg, "r\"1@x", "internal");
    showq_msg_add_rcpt(msg, "\"r\\\"1\"@x", "");
    showq_format_json(out, msg);
    assert_string_equal(buf_str(out),
        "{\"queue_name\": \"hold\", \"queue_id\": \"E0000A761C0\", "
        "\"arrival_time\": 1796531161, \"message_size\": 100, "
        "\"forced_expire\": true, \"sender\": \"\\\"q\\\\\\\"uo\\\"@x\", "
        "\"recipients\": [{\"address\": \"r\\\"1@x\", \"delay_reason\": "
        "\"internal\"}, {\"address\": \"\\\"r\\\\\\\"1\\\"@x\"}]}\n");
    buf_reset(out);
    showq_msg_reset(msg);
    buf_strcpy(msg->queue, "hold");
    buf_strcpy(msg->id, "B00002");
    buf_strcpy(msg->sender, "s@x");
    msg->time = ARRIVAL;
    showq_format_json(out, msg);
    assert_string_equal(buf_str(out),
        "{\"queue_name\": \"hold\", \"queue_id\": \"B00002\", "
        "\"arrival_time\": 1796531161, \"message_size\": 0, "
        "\"forced_expire\": false, \"sender\": \"s@x\", "
        "\"recipients\": []}\n");
    buf_free(out);
    showq_msg_free(msg);
}

static void
test_json_string(void **state)
{
    BUF    *out = buf_alloc(100);

    showq_format_json_string(out, "a\tb\nc\001d\x7f\xc3\xbc");
    assert_string_equal(buf_str(out), "\"a\\tb\\nc\\u0001d\\u007f\xc3\xbc\"");
    buf_free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_deferred_with_reason),
        cmocka_unit_test(test_status_characters),
        cmocka_unit_test(test_wide_fields),
        cmocka_unit_test(test_reason_groups),
        cmocka_unit_test(test_tail),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_string),
    };

    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
