/* test_bounce_log - unit tests for bounce_log (the per-message status
 * logs of the bounce, defer and trace services).
 *
 * The expected bytes are what Debian's Postfix 3.7 wrote to its
 * bounce/ and defer/ logs for the same requests (docs/bounce.md): field
 * order, fields left out, "<>" for an empty address, control characters
 * shown as '?', UTF-8 kept. The reader is fed damaged files: it must
 * skip what it cannot use, say so, and keep the good records. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounce_log.h"
#include "buf.h"
#include "msg_output.h"

static BUF *bp;
#include "msg_capture.h"

/* setup - buffers and the warning capture */
static int
setup(void **state)
{
    bp = buf_alloc(100);
    logged = buf_alloc(100);
    msg_output_reset();
    msg_output_add(capture);
    return 0;
}

/* teardown - free them */
static int
teardown(void **state)
{
    msg_output_reset();
    buf_free(bp);
    buf_free(logged);
    return 0;
}

/* reader - a log reader over text, through a temporary file */
static BOUNCE_LOG_FILE *
reader(const char *text, size_t len)
{
    char    path[] = "/tmp/test_bounce_log.XXXXXX";
    int     fd = mkstemp(path);

    assert_true(fd >= 0);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(write(fd, text, len), (ssize_t) len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return bounce_log_fdopen(fd, "bounce/ID");
}

static void
test_format_as_postfix_defer(void **state)
{
    RECIPIENT rcpt = {"x@closed.test", "x@closed.test", 240,
                      "rfc822;x@closed.test", 0};
    DSN     dsn = {"4.4.1", "delayed",
        "connect to 127.0.0.1[127.0.0.1]:1: Connection refused",
        "", "", "", ""};

    bounce_log_format(bp, &rcpt, &dsn, true);
    assert_string_equal(buf_str(bp),
                        "\n<x@closed.test>: connect to 127.0.0.1[127.0.0.1]:1: "
                        "Connection refused\n"
                        "recipient=x@closed.test\n"
                        "offset=240\n"
                        "dsn_orig_rcpt=rfc822;x@closed.test\n"
                        "status=4.4.1\n"
                        "action=delayed\n"
                        "reason=connect to 127.0.0.1[127.0.0.1]:1: Connection "
                        "refused\n\n");
}

static void
test_format_every_field(void **state)
{
    RECIPIENT rcpt = {"nosuch", "hard@rej.test", 259,
                      "rfc822;hard@rej.test", 2};
    DSN     dsn = {"5.1.1", "failed", "host said: 550 no", "smtp",
        "550 5.1.1 <user> no such user here", "dns", "127.0.0.1"};

    bounce_log_format(bp, &rcpt, &dsn, false);
    assert_string_equal(buf_str(bp),
                        "\nrecipient=hard@rej.test\n"
                        "original_recipient=nosuch\n"
                        "offset=259\n"
                        "dsn_orig_rcpt=rfc822;hard@rej.test\n"
                        "notify_flags=2\n"
                        "status=5.1.1\n"
                        "action=failed\n"
                        "diag_type=smtp\n"
                        "diag_text=550 5.1.1 <user> no such user here\n"
                        "mta_type=dns\n"
                        "mta_mname=127.0.0.1\n"
                        "reason=host said: 550 no\n\n");
}

static void
test_format_hostile_text(void **state)
{
    RECIPIENT rcpt = {"", "r\xc3\xa9@x.test", 0, "", 0};
    DSN     dsn = {"", "", "tab\there\nstatus=2.0.0\r\x1b", "", "", "", ""};
    RECIPIENT empty = {"", "", 0, "rfc822;", 0};
    DSN     nothing = {"5.0.0", "failed", "", "", "", "", ""};

    bounce_log_format(bp, &rcpt, &dsn, true);
    assert_string_equal(buf_str(bp),
                        "\n<r\xc3\xa9@x.test>: tab?here?status=2.0.0??\n"
                        "recipient=r\xc3\xa9@x.test\n"
                        "reason=tab?here?status=2.0.0??\n\n");
    buf_reset(bp);
    bounce_log_format(bp, &empty, &nothing, true);
    assert_string_equal(buf_str(bp),
                        "\n<>: \nrecipient=<>\ndsn_orig_rcpt=rfc822;\n"
                        "status=5.0.0\naction=failed\n\n");
}

/* The end of each record of test_format_external_form. */
#define TAIL "status=2.0.0\naction=delivered\nreason=line?break\n\n"

static void
test_format_external_form(void **state)
{
    RECIPIENT sp = {"o\"ld@x.test", "sp ace@x.test", 270,
                    "rfc822;sp ace@x.test", 0};
    RECIPIENT tab = {"a\tb@x.test", "a\tb@x.test", 260,
                     "rfc822;a\tb@x.test", 0};
    RECIPIENT bs = {"", "a\"b\\c@x.test", 290, "rfc822;a\"b\\c@x.test", 0};
    DSN     dsn = {"2.0.0", "delivered", "line\nbreak", "", "", "", ""};
    const RECIPIENT *rcpt;
    const DSN *got;
    BOUNCE_LOG_FILE *bl;

    /* Bytes of Postfix 3.7's trace service for the same appends: made
     * printable first, then quoted; dsn_orig_rcpt as it came. */
    bounce_log_format(bp, &sp, &dsn, true);
    bounce_log_format(bp, &tab, &dsn, true);
    bounce_log_format(bp, &bs, &dsn, true);
    assert_string_equal(buf_str(bp),
                        "\n<\"sp ace\"@x.test>: line?break\n"
                        "recipient=\"sp ace\"@x.test\n"
                        "original_recipient=\"o\\\"ld\"@x.test\n"
                        "offset=270\n"
                        "dsn_orig_rcpt=rfc822;sp ace@x.test\n"
                        TAIL
                        "\n<a?b@x.test>: line?break\n"
                        "recipient=a?b@x.test\n"
                        "offset=260\n"
                        "dsn_orig_rcpt=rfc822;a?b@x.test\n"
                        TAIL
                        "\n<\"a\\\"b\\\\c\"@x.test>: line?break\n"
                        "recipient=\"a\\\"b\\\\c\"@x.test\n"
                        "offset=290\n"
                        "dsn_orig_rcpt=rfc822;a\"b\\c@x.test\n"
                        TAIL);
    /* The reader gives them back as written: in external form. */
    bl = reader(buf_str(bp), buf_len(bp));
    assert_int_equal(bounce_log_read(bl, &rcpt, &got), 1);
    assert_string_equal(rcpt->address, "\"sp ace\"@x.test");
    assert_string_equal(rcpt->orig_addr, "\"o\\\"ld\"@x.test");
    assert_int_equal(bounce_log_read(bl, &rcpt, &got), 1);
    assert_string_equal(rcpt->address, "a?b@x.test");
    assert_int_equal(bounce_log_read(bl, &rcpt, &got), 1);
    assert_string_equal(rcpt->address, "\"a\\\"b\\\\c\"@x.test");
    assert_int_equal(bounce_log_read(bl, &rcpt, &got), 0);
    bounce_log_close(bl);
}

static void
test_round_trip(void **state)
{
    RECIPIENT r1 = {"alias", "a@x.test", 242, "rfc822;a@x.test", 12};
    DSN     d1 = {"5.1.1", "failed", "unknown user: \"a\"", "", "", "", ""};
    RECIPIENT r2 = {"b@x.test", "b@x.test", 317, "", 0};
    DSN     d2 = {"4.3.0", "delayed", "try later", "smtp", "451 later",
        "dns", "mx.x.test"};
    const RECIPIENT *rcpt;
    const DSN *dsn;
    BOUNCE_LOG_FILE *bl;

    bounce_log_format(bp, &r1, &d1, true);
    bounce_log_format(bp, &r2, &d2, false);
    bl = reader(buf_str(bp), buf_len(bp));
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 1);
        assert_string_equal(rcpt->address, "a@x.test");
        assert_string_equal(rcpt->orig_addr, "alias");
        assert_int_equal(rcpt->offset, 242);
        assert_string_equal(rcpt->dsn_orig, "rfc822;a@x.test");
        assert_int_equal(rcpt->dsn_notify, 12);
        assert_string_equal(dsn->status, "5.1.1");
        assert_string_equal(dsn->action, "failed");
        assert_string_equal(dsn->reason, "unknown user: \"a\"");
        assert_string_equal(dsn->dtype, "");
        assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 1);
        assert_string_equal(rcpt->address, "b@x.test");
        assert_string_equal(rcpt->orig_addr, "");
        assert_int_equal(rcpt->offset, 317);
        assert_int_equal(rcpt->dsn_notify, 0);
        assert_string_equal(dsn->dtype, "smtp");
        assert_string_equal(dsn->dtext, "451 later");
        assert_string_equal(dsn->mtype, "dns");
        assert_string_equal(dsn->mname, "mx.x.test");
        assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 0);
        assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 0);
        assert_int_equal(bounce_log_rewind(bl), 0);
    }
    bounce_log_close(bl);
    assert_string_equal(buf_str(logged), "");
}

static void
test_damaged_records_skipped(void **state)
{
    static const char text[] =
        "garbage\nmore garbage\n\n"
        "recipient=r9@x.test\nstatus=5.0.0\nreason=no text line\n\n"
        "nonsense=1\n\n\n"
        "<r1@x.test>: x\nrecipient=r1@x.test\noffset=12x\n\n"
        "recipient=r2@x.test\nnotify_flags=99\n\n"
        "recipient=r3@x.test\noffset=99999999999999999999\n\n"
        "recipient=<>\nfuture=ok\nreason=kept\n\n"
        "<r4@x.test>: cut\nrecipient=r4@x.test\nreason=cut sho";
    const RECIPIENT *rcpt;
    const DSN *dsn;
    BOUNCE_LOG_FILE *bl = reader(text, sizeof(text) - 1);
    size_t  logged_len;

    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 1);
    assert_string_equal(rcpt->address, "r9@x.test");
    assert_string_equal(dsn->reason, "no text line");
    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 1);
    assert_string_equal(rcpt->address, "");
    assert_string_equal(dsn->reason, "kept");
    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 0);
    /* Read again (a notice reads its log twice): no more warnings. */
    logged_len = buf_len(logged);
    assert_int_equal(bounce_log_rewind(bl), 0);
    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 1);
    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 1);
    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 0);
    assert_int_equal(buf_len(logged), logged_len);
    bounce_log_close(bl);
    assert_string_equal(buf_str(logged),
                        "warning: bounce/ID: damaged record, skipped\n"
                        "warning: bounce/ID: unknown attribute name: "
                        "nonsense, ignored\n"
                        "warning: bounce/ID: record without a recipient, "
                        "skipped\n"
                        "warning: bounce/ID: record for r1@x.test has a "
                        "malformed number, skipped\n"
                        "warning: bounce/ID: record for r2@x.test has a "
                        "malformed number, skipped\n"
                        "warning: bounce/ID: record for r3@x.test has a "
                        "malformed number, skipped\n"
                        "warning: bounce/ID: unknown attribute name: "
                        "future, ignored\n"
                        "warning: bounce/ID: damaged record, skipped\n");
}

static void
test_long_line_and_binary(void **state)
{
    BUF    *text = buf_alloc(BOUNCE_LOG_LINE_MAX * 2);
    const RECIPIENT *rcpt;
    const DSN *dsn;
    BOUNCE_LOG_FILE *bl;

    buf_strcat(text, "recipient=long@x.test\nreason=");
    for (int i = 0; i < BOUNCE_LOG_LINE_MAX + 10; i++)
        buf_addch(text, 'x');
    buf_strcat(text, "\n\nrecipient=ok@x.test\n\n");
    buf_append(text, "\0\0\n\xff\xfe\n\n", 7);
    buf_strcat(text, "recipient=last@x.test\n\n");
    bl = reader(buf_str(text), buf_len(text));
    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 1);
    assert_string_equal(rcpt->address, "ok@x.test");
    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 1);
    assert_string_equal(rcpt->address, "last@x.test");
    assert_int_equal(bounce_log_read(bl, &rcpt, &dsn), 0);
    bounce_log_close(bl);
    assert_string_equal(buf_str(logged),
                        "warning: bounce/ID: damaged record, skipped\n"
                        "warning: bounce/ID: damaged record, skipped\n");
    buf_free(text);
}

static void
test_open_missing(void **state)
{
    MAIL_QUEUE_CONF conf = {"/nonexistent-dir", "deferred, defer", 1, false};
    BUF    *why = buf_alloc(10);

    assert_null(bounce_log_open(&conf, "defer", "ABCDE12345", why));
    assert_int_equal(errno, ENOENT);
    assert_null(bounce_log_open(&conf, "bounce", "../etc", why));
    buf_free(why);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_format_as_postfix_defer),
        T(test_format_every_field),
        T(test_format_hostile_text),
        T(test_format_external_form),
        T(test_round_trip),
        T(test_damaged_records_skipped),
        T(test_long_line_and_binary),
        T(test_open_missing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
