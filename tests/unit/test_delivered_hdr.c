/* test_delivered_hdr - unit tests for the Delivered-To: set of a queued
 * message: values trimmed and folded, any case found, long header lines
 * in pieces, the end of the headers, header_size_limit, and a file that
 * cannot be read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delivered_hdr.h"
#include "mail_params.h"
#include "rec_stream.h"
#include "rec_type.h"

static char qpath[64];

/* queue_file - records "TYPE:data" after an envelope record; fd of the
 * file, and in *offset where the content starts */
static int
queue_file(const char *const *recs, off_t *offset)
{
    int     fd;
    STREAM *sp;

    snprintf(qpath, sizeof(qpath), "/tmp/test_delivered_hdr.XXXXXX");
    fd = mkstemp(qpath);
    assert_true(fd >= 0);
    unlink(qpath);
    sp = stream_fdopen(dup(fd));
    assert_int_equal(rec_puts(sp, REC_TYPE_FROM, "sender@example.org"), 0);
    *offset = (off_t) rec_size(strlen("sender@example.org"));
    for (int i = 0; recs[i]; i++)
        assert_int_equal(rec_puts(sp, recs[i][0], recs[i] + 2), 0);
    assert_int_equal(rec_puts(sp, REC_TYPE_XTRA, ""), 0);
    assert_int_equal(stream_close(sp), 0);
    return fd;
}

/* test_found - values trimmed and folded; any case matches */
static void
test_found(void **state)
{
    static const char *const recs[] = {
        "N:Subject: x", "N:delivered-to:   A@Example.TEST  ",
        "N:Delivered-To: b@x.test", "N:X-Delivered-To: c@x.test", "N:",
        "N:Delivered-To: body@x.test", NULL,
    };
    off_t   offset;
    int     fd = queue_file(recs, &offset);
    DELIVERED_HDR *hdr = delivered_hdr_read(fd, offset);

    assert_true(delivered_hdr_find(hdr, "a@example.test"));
    assert_true(delivered_hdr_find(hdr, "A@EXAMPLE.test"));
    assert_true(delivered_hdr_find(hdr, "B@X.test"));
    assert_false(delivered_hdr_find(hdr, "c@x.test"));
    assert_false(delivered_hdr_find(hdr, "body@x.test"));
    assert_false(delivered_hdr_find(hdr, "a"));
    delivered_hdr_free(hdr);
    close(fd);
}

/* test_pieces - a header line in 'L' pieces is one line */
static void
test_pieces(void **state)
{
    static const char *const recs[] = {
        "L:Delivered-", "L:To: long", "N:@x.test", "N:", NULL,
    };
    off_t   offset;
    int     fd = queue_file(recs, &offset);
    DELIVERED_HDR *hdr = delivered_hdr_read(fd, offset);

    assert_true(delivered_hdr_find(hdr, "long@x.test"));
    delivered_hdr_free(hdr);
    close(fd);
}

/* test_limit - nothing after header_size_limit bytes */
static void
test_limit(void **state)
{
    static const char *const recs[] = {
        "N:Subject: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "N:Delivered-To: late@x.test", NULL,
    };
    off_t   offset;
    int     fd = queue_file(recs, &offset);
    DELIVERED_HDR *hdr;

    var_header_size_limit = 40;
    hdr = delivered_hdr_read(fd, offset);
    assert_false(delivered_hdr_find(hdr, "late@x.test"));
    delivered_hdr_free(hdr);
    var_header_size_limit = 102400;
    close(fd);
}

/* test_unreadable - a bad descriptor gives an empty set */
static void
test_unreadable(void **state)
{
    DELIVERED_HDR *hdr = delivered_hdr_read(-1, 0);

    assert_false(delivered_hdr_find(hdr, "a@x.test"));
    delivered_hdr_free(hdr);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_unreadable),
    };

    var_header_size_limit = 102400;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
