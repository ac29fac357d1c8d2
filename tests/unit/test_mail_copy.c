/* test_mail_copy - unit tests for copying a queued message out: the
 * envelope lines, quoting, the trailing empty line, pointers, damage and
 * write errors. The expected bytes are those Postfix 3.7's local wrote
 * (docs/local.md). */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail_copy.h"
#include "rec_stream.h"
#include "rec_type.h"

static char qpath[64];
static char opath[64];

/* setup - a queue file and an output file */
static int
setup(void **state)
{
    int     fd;

    setenv("TZ", "UTC", 1);
    tzset();
    snprintf(qpath, sizeof(qpath), "/tmp/test_mail_copy.q.XXXXXX");
    snprintf(opath, sizeof(opath), "/tmp/test_mail_copy.o.XXXXXX");
    if ((fd = mkstemp(qpath)) < 0)
        return -1;
    close(fd);
    if ((fd = mkstemp(opath)) < 0)
        return -1;
    close(fd);
    return 0;
}

/* teardown - remove both */
static int
teardown(void **state)
{
    unlink(qpath);
    unlink(opath);
    return 0;
}

/* queue_file - write records "TYPE:data" to the queue file (a pointer
 * record's data "@N" is record number N's offset); the content offset */
static off_t
queue_file(const char *const *recs)
{
    int     fd = open(qpath, O_RDWR | O_TRUNC);
    STREAM *sp;
    off_t   where[32];
    off_t   pos = 0;
    off_t   content = 0;
    int     i;

    assert_true(fd >= 0);
    sp = stream_fdopen(fd);
    for (i = 0; recs[i]; i++) {
        where[i] = pos;
        pos += rec_size(strlen(recs[i] + 2));
    }
    for (i = 0; recs[i]; i++) {
        const char *data = recs[i] + 2;
        char    ptr[32];

        if (recs[i][0] == 'p' && data[0] == '@') {
            snprintf(ptr, sizeof(ptr), "%*lld", (int) strlen(data),
                     (long long) where[atoi(data + 1)]);
            data = ptr;
        }
        if (recs[i][0] == 'M')
            content = where[i] + rec_size(0);
        assert_int_equal(rec_put(sp, recs[i][0], data, strlen(data)), 0);
    }
    assert_int_equal(stream_close(sp), 0);
    return content;
}

/* copy - run mail_copy into the output file (after its old text) */
static int
copy(off_t offset, const char *sender, int flags, const char *eol,
     DSN_BUF *why)
{
    MAIL_COPY_SRC src;
    int     qfd = open(qpath, O_RDONLY);
    int     ofd = open(opath, O_WRONLY | O_APPEND);
    STREAM *dst;
    int     status;

    assert_true(qfd >= 0 && ofd >= 0);
    src.fd = qfd;
    src.offset = offset;
    src.sender = sender;
    src.orig_rcpt = "pfuser";
    src.delivered = "pfuser@mx.example.test";
    dst = stream_fdopen(ofd);
    status = mail_copy(&src, dst, flags, eol, why);
    stream_close(dst);
    close(qfd);
    return status;
}

/* output - the output file's text (static) */
static const char *
output(void)
{
    static char text[4096];
    int     fd = open(opath, O_RDONLY);
    ssize_t n = read(fd, text, sizeof(text) - 1);

    close(fd);
    text[n < 0 ? 0 : n] = 0;
    return text;
}

static const char *const message[] = {
    "T:1 0", "S:sender@example.org", "R:pfuser@mx.example.test", "M:",
    "N:Subject: t1", "N:From: Sender <sender@example.org>", "N:",
    "N:hello", "N:From the start", "N:>From quoted", "L:From a long ",
    "N:line From here", "N:.dot line", "X:", "E:", NULL,
};

/* test_mbox - From line, headers, quoting, trailing empty line */
static void
test_mbox(void **state)
{
    DSN_BUF *why = dsb_create();
    off_t   offset = queue_file(message);
    BUF    *from = buf_alloc(100);
    BUF    *want = buf_alloc(500);
    time_t  before = time(NULL);

    assert_int_equal(copy(offset, "sender@example.org", MAIL_COPY_MBOX,
                          NULL, why), 0);
    /* The date is now: accept the second before and after. */
    for (time_t t = before; t <= time(NULL); t++) {
        mail_copy_from_line(from, "sender@example.org", t);
        if (strncmp(output(), buf_str(from), buf_len(from)) == 0)
            break;
    }
    buf_strcpy(want, buf_str(from));
    buf_strcat(want, "\nReturn-Path: <sender@example.org>\n"
               "X-Original-To: pfuser\n"
               "Delivered-To: pfuser@mx.example.test\n"
               "Subject: t1\nFrom: Sender <sender@example.org>\n\n"
               "hello\n>From the start\n>From quoted\n"
               ">From a long line From here\n.dot line\n\n");
    assert_string_equal(output(), buf_str(want));
    buf_free(from);
    buf_free(want);
    dsb_free(why);
}

/* test_maildir_flags - no From line, no quoting, no empty line */
static void
test_maildir_flags(void **state)
{
    DSN_BUF *why = dsb_create();
    off_t   offset = queue_file(message);

    assert_int_equal(copy(offset, "sender@example.org", MAIL_COPY_RETURN
                          | MAIL_COPY_ORIG_RCPT | MAIL_COPY_DELIVERED
                          | MAIL_COPY_TOFILE, NULL, why), 0);
    assert_string_equal(output(),
                        "Return-Path: <sender@example.org>\n"
                        "X-Original-To: pfuser\n"
                        "Delivered-To: pfuser@mx.example.test\n"
                        "Subject: t1\nFrom: Sender <sender@example.org>\n\n"
                        "hello\nFrom the start\n>From quoted\n"
                        "From a long line From here\n.dot line\n");
    dsb_free(why);
}

/* test_null_sender - MAILER-DAEMON and <> */
static void
test_null_sender(void **state)
{
    DSN_BUF *why = dsb_create();
    off_t   offset = queue_file(message);

    assert_int_equal(copy(offset, "", MAIL_COPY_FROM | MAIL_COPY_RETURN,
                          NULL, why), 0);
    assert_memory_equal(output(), "From MAILER-DAEMON  ", 20);
    assert_non_null(strstr(output(), "\nReturn-Path: <>\nSubject: t1\n"));
    dsb_free(why);
}

/* test_quoted_sender - addresses in external form */
static void
test_quoted_sender(void **state)
{
    DSN_BUF *why = dsb_create();
    off_t   offset = queue_file(message);

    assert_int_equal(copy(offset, "a b@example.org", MAIL_COPY_RETURN,
                          NULL, why), 0);
    assert_string_equal(output(), "Return-Path: <\"a b\"@example.org>\n"
                        "Subject: t1\nFrom: Sender <sender@example.org>\n\n"
                        "hello\nFrom the start\n>From quoted\n"
                        "From a long line From here\n.dot line\n");
    dsb_free(why);
}

/* test_dot_eol - dot escaping and another line ending (pipe flags) */
static void
test_dot_eol(void **state)
{
    DSN_BUF *why = dsb_create();
    off_t   offset = queue_file(message);

    assert_int_equal(copy(offset, "s@x", MAIL_COPY_DOT, "\r\n", why), 0);
    assert_string_equal(output(), "Subject: t1\r\n"
                        "From: Sender <sender@example.org>\r\n\r\n"
                        "hello\r\nFrom the start\r\n>From quoted\r\n"
                        "From a long line From here\r\n..dot line\r\n");
    dsb_free(why);
}

/* test_pointer - a pointer record is followed */
static void
test_pointer(void **state)
{
    static const char *const recs[] = {
        "M:", "N:one", "p:@4", "N:skipped", "N:two", "p:0", "N:three",
        "X:", "E:", NULL,
    };
    DSN_BUF *why = dsb_create();
    off_t   offset = queue_file(recs);

    assert_int_equal(copy(offset, "s@x", MAIL_COPY_NONE, NULL, why), 0);
    assert_string_equal(output(), "one\ntwo\nthree\n");
    dsb_free(why);
}

/* test_corrupt - no X record: nothing stays in the file */
static void
test_corrupt(void **state)
{
    static const char *const recs[] = {"M:", "N:one", "R:bad", NULL};
    static const char *const loop[] = {"M:", "N:one", "p:@1", NULL};
    DSN_BUF *why = dsb_create();
    off_t   offset = queue_file(recs);
    int     fd = open(opath, O_WRONLY);

    assert_int_equal(write(fd, "old\n", 4), 4);
    close(fd);
    assert_int_equal(copy(offset, "s@x", MAIL_COPY_MBOX, NULL, why),
                     MAIL_COPY_STAT_CORRUPT);
    assert_string_equal(buf_str(why->status), "4.3.0");
    assert_string_equal(buf_str(why->reason), "queue file format error");
    assert_string_equal(output(), "old\n");
    offset = queue_file(loop);
    assert_int_equal(copy(offset, "s@x", MAIL_COPY_NONE, NULL, why),
                     MAIL_COPY_STAT_CORRUPT);
    dsb_free(why);
}

/* test_write_error - a full destination (RLIMIT-like EFBIG via /dev/full
 * gives ENOSPC) */
static void
test_write_error(void **state)
{
    MAIL_COPY_SRC src;
    DSN_BUF *why = dsb_create();
    off_t   offset = queue_file(message);
    int     qfd = open(qpath, O_RDONLY);
    int     ofd = open("/dev/full", O_WRONLY);
    STREAM *dst;

    assert_true(qfd >= 0 && ofd >= 0);
    src.fd = qfd;
    src.offset = offset;
    src.sender = "s@x";
    src.orig_rcpt = src.delivered = "";
    dst = stream_fdopen(ofd);
    assert_int_equal(mail_copy(&src, dst, MAIL_COPY_MBOX, NULL, why),
                     MAIL_COPY_STAT_WRITE);
    assert_string_equal(buf_str(why->status), "4.3.0");
    assert_string_equal(buf_str(why->reason),
                        "error writing message: No space left on device");
    stream_close(dst);
    close(qfd);
    dsb_free(why);
}

/* test_from_line - the date form, two spaces, day padded */
static void
test_from_line(void **state)
{
    BUF    *bp = buf_alloc(10);

    mail_copy_from_line(bp, "sender@example.org", 1796525351);
    assert_string_equal(buf_str(bp),
                        "From sender@example.org  Sun Dec  6 02:49:11 2026");
    mail_copy_from_line(bp, "", 1796525351 + 8 * 86400);
    assert_string_equal(buf_str(bp),
                        "From MAILER-DAEMON  Mon Dec 14 02:49:11 2026");
    buf_free(bp);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maildir_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_sender, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoted_sender, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dot_eol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pointer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
        cmocka_unit_test(test_from_line),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
