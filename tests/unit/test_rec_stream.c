/* test_rec_stream - unit tests for queue file record framing.
 *
 * Records go to a temporary file through a STREAM and are read back:
 * every type byte, lengths at each varint boundary (with the exact header
 * bytes Postfix writes), truncation, bad and too-large lengths, read
 * errors, offsets, and the in-place done marking. */
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
#include <unistd.h>

#include "buf.h"
#include "mymalloc.h"
#include "rec_stream.h"
#include "rec_type.h"
#include "stream.h"

static char tmpdir[64];
static char path[128];
static BUF *bp;
static BUF *why;

/* setup - a private directory and a file name in it */
static int
setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_rec_stream.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/file", tmpdir);
    bp = buf_alloc(10);
    why = buf_alloc(10);
    return 0;
}

/* teardown - remove the directory */
static int
teardown(void **state)
{
    unlink(path);
    rmdir(tmpdir);
    buf_free(bp);
    buf_free(why);
    return 0;
}

/* open_new - an empty file as a stream */
static STREAM *
open_new(void)
{
    int     fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    return stream_fdopen(fd);
}

/* rewind_stream - flush, then a fresh stream on the same fd at offset 0 */
static STREAM *
rewind_stream(STREAM *sp)
{
    int     fd = stream_fd(sp);

    assert_int_equal(stream_flush(sp), 0);
    stream_free(sp);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return stream_fdopen(fd);
}

/* write_raw - replace the file with raw bytes; a stream to read it */
static STREAM *
write_raw(const void *data, size_t len)
{
    int     fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t) len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return stream_fdopen(fd);
}

/* file_bytes - the whole file (caller frees); its size in *lenp */
static unsigned char *
file_bytes(size_t *lenp)
{
    struct stat st;
    unsigned char *data;
    int     fd = open(path, O_RDONLY);

    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    data = mymalloc(st.st_size + 1);
    assert_int_equal(read(fd, data, st.st_size), st.st_size);
    close(fd);
    *lenp = st.st_size;
    return data;
}

/* test_every_type - each byte value survives a round trip */
static void
test_every_type(void **state)
{
    STREAM *sp = open_new();
    char    data[16];
    size_t  len;

    for (int t = 0; t < 256; t++) {
        snprintf(data, sizeof(data), "data %d", t);
        assert_int_equal(rec_puts(sp, t, data), 0);
    }
    sp = rewind_stream(sp);
    for (int t = 0; t < 256; t++) {
        snprintf(data, sizeof(data), "data %d", t);
        assert_int_equal(rec_get(sp, bp, 0, &len, NULL), t);
        assert_int_equal(len, strlen(data));
        assert_string_equal(buf_str(bp), data);
    }
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_EOF);
    stream_close(sp);
}

/* test_bad_put - a type outside a byte or a giant length is refused */
static void
test_bad_put(void **state)
{
    STREAM *sp = open_new();

    errno = 0;
    assert_int_equal(rec_put(sp, 256, "x", 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(rec_put(sp, -1, "x", 1), -1);
    assert_int_equal(rec_put(sp, 'N', "x", (size_t) REC_LEN_MAX + 1), -1);
    assert_int_equal(errno, EINVAL);
    stream_close(sp);
}

/* check_header - a record of len bytes starts with these length bytes */
static void
check_header(size_t len, const unsigned char *want, size_t want_len)
{
    STREAM *sp = open_new();
    char   *data = mymalloc(len + 1);
    unsigned char *raw;
    size_t  raw_len, got_len;

    memset(data, 'x', len);
    assert_int_equal(rec_put(sp, 'N', data, len), 0);
    assert_int_equal(rec_size(len), 1 + want_len + len);
    sp = rewind_stream(sp);
    assert_int_equal(rec_get(sp, bp, 0, &got_len, NULL), 'N');
    assert_int_equal(got_len, len);
    assert_int_equal(buf_len(bp), len);
    assert_memory_equal(buf_str(bp), data, len);
    assert_int_equal(buf_str(bp)[len], 0);
    stream_close(sp);
    raw = file_bytes(&raw_len);
    assert_int_equal(raw_len, 1 + want_len + len);
    assert_int_equal(raw[0], 'N');
    assert_memory_equal(raw + 1, want, want_len);
    myfree(raw);
    myfree(data);
}

/* test_varint_boundaries - 7 bits per byte, low bits first */
static void
test_varint_boundaries(void **state)
{
    check_header(0, (const unsigned char *) "\x00", 1);
    check_header(1, (const unsigned char *) "\x01", 1);
    check_header(127, (const unsigned char *) "\x7f", 1);
    check_header(128, (const unsigned char *) "\x80\x01", 2);
    check_header(307, (const unsigned char *) "\xb3\x02", 2);   /* Postfix */
    check_header(16383, (const unsigned char *) "\xff\x7f", 2);
    check_header(16384, (const unsigned char *) "\x80\x80\x01", 3);
    check_header(2097151, (const unsigned char *) "\xff\xff\x7f", 3);
    check_header(2097152, (const unsigned char *) "\x80\x80\x80\x01", 4);
    assert_int_equal(rec_size(REC_LEN_MAX), 1 + 5 + (size_t) REC_LEN_MAX);
}

/* test_truncated - end of file inside the length or the data */
static void
test_truncated(void **state)
{
    STREAM *sp;
    size_t  len;

    sp = write_raw("", 0);
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_EOF);
    stream_close(sp);

    sp = write_raw("N", 1);
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_TRUNC);
    stream_close(sp);

    sp = write_raw("N\x80", 2);
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_TRUNC);
    stream_close(sp);

    sp = write_raw("N\x0a" "abc", 5);
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_TRUNC);
    assert_int_equal(len, 10);
    assert_string_equal(buf_str(bp), "abc");
    stream_close(sp);

    /* A length of a billion with three bytes behind it. */
    sp = write_raw("N\x80\x94\xeb\xdc\x03" "abc", 9);
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_TRUNC);
    assert_int_equal(len, 1000000000);
    assert_int_equal(buf_len(bp), 3);
    stream_close(sp);
}

/* test_bad_length - too many length bytes, overflow, above the limit */
static void
test_bad_length(void **state)
{
    STREAM *sp;
    size_t  len;

    sp = write_raw("N\x80\x80\x80\x80\x80\x01", 7);
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_BADLEN);
    stream_close(sp);

    /* Five bytes, but more than REC_LEN_MAX (as Postfix's "-1"). */
    sp = write_raw("N\xff\xff\xff\xff\x7f", 6);
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_BADLEN);
    stream_close(sp);

    /* Exactly REC_LEN_MAX is a length, if the caller allows it. */
    sp = write_raw("N\xff\xff\xff\xff\x07", 6);
    assert_int_equal(rec_get(sp, bp, 1000, &len, NULL), REC_GET_TOOLONG);
    assert_int_equal(len, REC_LEN_MAX);
    stream_close(sp);

    sp = write_raw("N\x05" "hello" "N\x06" "hello!", 15);
    assert_int_equal(rec_get(sp, bp, 5, &len, NULL), 'N');
    assert_string_equal(buf_str(bp), "hello");
    assert_int_equal(rec_get(sp, bp, 5, &len, NULL), REC_GET_TOOLONG);
    assert_int_equal(len, 6);
    stream_close(sp);
}

/* test_read_error - a descriptor that cannot be read */
static void
test_read_error(void **state)
{
    int     fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
    STREAM *sp;
    size_t  len;

    assert_true(fd >= 0);
    sp = stream_fdopen(fd);
    assert_int_equal(rec_get(sp, bp, 0, &len, NULL), REC_GET_ERROR);
    stream_close(sp);
    assert_string_equal(rec_get_strerror(REC_GET_ERROR), "read error");
    assert_string_equal(rec_get_strerror(REC_GET_TRUNC),
                        "unexpected end of file inside a record");
    assert_string_equal(rec_get_strerror(REC_GET_BADLEN),
                        "illegal record length");
    assert_string_equal(rec_get_strerror(REC_GET_TOOLONG), "record too long");
    assert_string_equal(rec_get_strerror(REC_GET_EOF), "end of file");
}

/* test_offsets - the offset argument follows every byte read */
static void
test_offsets(void **state)
{
    STREAM *sp = open_new();
    char   *big = mymalloc(200);
    off_t   pos = 0, at[4];
    size_t  len;

    memset(big, 'b', 200);
    assert_int_equal(rec_puts(sp, 'S', "sender@example.test"), 0);
    assert_int_equal(rec_put(sp, 'N', big, 200), 0);
    assert_int_equal(rec_printf(sp, 'T', "%d %d", 1796515093, 749647), 0);
    assert_int_equal(rec_put(sp, 'E', "", 0), 0);
    sp = rewind_stream(sp);
    for (int i = 0; i < 4; i++) {
        at[i] = pos;
        assert_true(rec_get(sp, bp, 0, &len, &pos) > 0);
    }
    assert_string_equal(buf_str(bp), "");
    assert_int_equal(at[1], 2 + 19);
    assert_int_equal(at[2], at[1] + 3 + 200);
    assert_int_equal(at[3], at[2] + 2 + 17);
    assert_int_equal(pos, at[3] + 2);
    assert_int_equal(rec_get(sp, bp, 0, &len, &pos), REC_GET_EOF);
    stream_close(sp);
    myfree(big);
}

/* test_mark_done - 'R' becomes 'D' in place, one byte changes */
static void
test_mark_done(void **state)
{
    STREAM *sp = open_new();
    unsigned char *before, *after;
    size_t  blen, alen, diff = 0;
    off_t   rcpt_at;
    int     fd;

    assert_int_equal(rec_puts(sp, 'S', "a@example.test"), 0);
    rcpt_at = rec_size(strlen("a@example.test"));
    assert_int_equal(rec_puts(sp, 'R', "b@example.test"), 0);
    assert_int_equal(rec_puts(sp, 'R', "c@example.test"), 0);
    fd = stream_fd(sp);
    assert_int_equal(stream_flush(sp), 0);
    before = file_bytes(&blen);

    assert_int_equal(rec_mark_done(fd, rcpt_at, why), 0);
    after = file_bytes(&alen);
    assert_int_equal(alen, blen);
    for (size_t i = 0; i < blen; i++)
        diff += before[i] != after[i];
    assert_int_equal(diff, 1);
    assert_int_equal(after[rcpt_at], 'D');

    /* Again: already done, nothing to do. */
    assert_int_equal(rec_mark_done(fd, rcpt_at, why), 0);
    /* The sender record is not a recipient. */
    assert_int_equal(rec_mark_done(fd, 0, why), -1);
    assert_string_equal(buf_str(why),
                        "record at offset 0 has type 'S', expected 'R'");
    assert_int_equal(rec_mark_done(fd, 100000, why), -1);
    assert_non_null(strstr(buf_str(why), "past end of file"));
    /* Canceling uses the same operation. */
    assert_int_equal(rec_retype(fd, rcpt_at + rec_size(14), REC_TYPE_RCPT,
                                REC_TYPE_DRCP, why), 0);
    sp = rewind_stream(sp);
    assert_int_equal(rec_get(sp, bp, 0, NULL, NULL), 'S');
    assert_int_equal(rec_get(sp, bp, 0, NULL, NULL), 'D');
    assert_string_equal(buf_str(bp), "b@example.test");
    assert_int_equal(rec_get(sp, bp, 0, NULL, NULL), '/');
    stream_close(sp);
    myfree(before);
    myfree(after);
}

/* test_mark_done_beside_stream - marking while a stream reads the file */
static void
test_mark_done_beside_stream(void **state)
{
    STREAM *sp = open_new();
    off_t   pos = 0, at;

    assert_int_equal(rec_puts(sp, 'R', "x@example.test"), 0);
    assert_int_equal(rec_puts(sp, 'R', "y@example.test"), 0);
    sp = rewind_stream(sp);
    at = pos;
    assert_int_equal(rec_get(sp, bp, 0, NULL, &pos), 'R');
    assert_int_equal(rec_mark_done(stream_fd(sp), at, why), 0);
    /* The stream goes on where it was. */
    assert_int_equal(rec_get(sp, bp, 0, NULL, &pos), 'R');
    assert_string_equal(buf_str(bp), "y@example.test");
    stream_close(sp);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_put, setup, teardown),
        cmocka_unit_test_setup_teardown(test_varint_boundaries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_done_beside_stream, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
