/* test_rec_text - unit tests for rec_text: message text to content
 * records (line ends, long lines, lone dots, size limit, header lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "rec_stream.h"
#include "rec_text.h"

/* mem_stream - a STREAM on an anonymous file holding data */
static STREAM *
mem_stream(const char *data, size_t len)
{
    int     fd = memfd_create("rec_text", MFD_CLOEXEC);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t) len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return stream_fdopen(fd);
}

/* copy - run rec_text_copy on text; the records as "N:data|L:data|" */
static int
copy(const char *text, const REC_TEXT_OPTS *opts, BUF *result, long *size)
{
    STREAM *in = mem_stream(text, strlen(text));
    STREAM *out = mem_stream("", 0);
    BUF    *data = buf_alloc(16);
    size_t  len;
    int     status;
    int     type;

    status = rec_text_copy(in, out, opts, size);
    assert_int_equal(stream_flush(out), 0);
    assert_int_equal(lseek(stream_fd(out), 0, SEEK_SET), 0);
    buf_reset(result);
    while ((type = rec_get(out, data, 0, &len, NULL)) >= 0)
        buf_sprintf_append(result, "%c:%s|", type, buf_str(data));
    assert_int_equal(type, REC_GET_EOF);
    buf_free(data);
    stream_close(in);
    stream_close(out);
    return status;
}

static void
test_line_ends(void **state)
{
    REC_TEXT_OPTS opts = {.line_limit = 2048, .dot_ends = false};
    BUF    *r = buf_alloc(64);
    long    size;

    assert_int_equal(copy("a\r\nb\n\r\nc\rd\nlast", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "N:a|N:b|N:|N:c\rd|L:last|");
    assert_int_equal(size, 2 + 2 + 1 + 4 + 4);
    assert_int_equal(copy("", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "");
    assert_int_equal(size, 0);
    buf_free(r);
}

/* test_cr_runs_and_from_lines - every CR before LF goes (Postfix's
 * sendmail); leading mbox "From " lines go when asked */
static void
test_cr_runs_and_from_lines(void **state)
{
    REC_TEXT_OPTS opts = {.line_limit = 2048};
    BUF    *r = buf_alloc(64);
    long    size;

    assert_int_equal(copy("c\r\r\nd\r\n", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "N:c|N:d|");
    assert_int_equal(copy("From a b\nx\n", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "N:From a b|N:x|");
    opts.skip_from_lines = true;
    assert_int_equal(copy("From a b\n>>From c\nSubject: s\nFrom d\n", &opts,
                          r, &size), 0);
    assert_string_equal(buf_str(r), "N:Subject: s|N:From d|");
    assert_int_equal(copy("Fromx\n", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "N:Fromx|");
    buf_free(r);
}

static void
test_lone_dot(void **state)
{
    REC_TEXT_OPTS opts = {.line_limit = 2048, .dot_ends = true};
    BUF    *r = buf_alloc(64);
    long    size;

    assert_int_equal(copy("a\n..\n.x\n.\r\nafter\n", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "N:a|N:..|N:.x|");
    opts.dot_ends = false;
    assert_int_equal(copy("a\n.\nafter\n.", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "N:a|N:.|N:after|L:.|");
    buf_free(r);
}

static void
test_long_lines(void **state)
{
    REC_TEXT_OPTS opts = {.line_limit = 3, .dot_ends = true};
    BUF    *r = buf_alloc(64);
    long    size;

    assert_int_equal(copy("abcdefgh\nabc\nabcd\r\nab\r\r\n", &opts, r,
                          &size), 0);
    assert_string_equal(buf_str(r),
                        "L:abc|L:def|N:gh|N:abc|L:abc|N:d|L:ab|N:|");
    /* A CR at the split point waits: CRLF is still seen. */
    assert_int_equal(copy("ab\r\nabc\r\n", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "N:ab|L:abc|N:|");
    /* A dot after a split is not a lone dot. */
    assert_int_equal(copy("abc.\nx\n", &opts, r, &size), 0);
    assert_string_equal(buf_str(r), "L:abc|N:.|N:x|");
    buf_free(r);
}

static void
test_size_limit(void **state)
{
    REC_TEXT_OPTS opts = {.line_limit = 100, .size_limit = 6};
    BUF    *r = buf_alloc(64);
    long    size;

    assert_int_equal(copy("ab\ncd\n", &opts, r, &size), REC_TEXT_OK);
    assert_int_equal(size, 6);
    assert_int_equal(copy("ab\ncd\ne", &opts, r, &size), REC_TEXT_TOOBIG);
    assert_true(size > 6);
    buf_free(r);
}

/* hdr_collect - a header callback that records lines; stops at "Stop" */
static bool
hdr_collect(const char *line, size_t len, void *ctx)
{
    buf_append(ctx, line, len);
    buf_addch(ctx, '|');
    return !(len == 4 && memcmp(line, "Stop", 4) == 0);
}

static void
test_header_callback(void **state)
{
    BUF    *lines = buf_alloc(64);
    REC_TEXT_OPTS opts = {.line_limit = 4, .hdr_fn = hdr_collect,
                          .hdr_ctx = lines};
    BUF    *r = buf_alloc(64);
    long    size;

    assert_int_equal(copy("To: a@b\r\n c\n\nBody: x\n", &opts, r, &size), 0);
    assert_string_equal(buf_str(lines), "To: a@b| c|");
    assert_string_equal(buf_str(r), "L:To: |N:a@b|N: c|N:|L:Body|N:: x|");
    buf_reset(lines);
    assert_int_equal(copy("Stop\nMore: x\n", &opts, r, &size), 0);
    assert_string_equal(buf_str(lines), "Stop|");
    buf_reset(lines);
    assert_int_equal(copy("X: y", &opts, r, &size), 0);
    assert_string_equal(buf_str(lines), "X: y|");
    buf_free(lines);
    buf_free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_lone_dot),
        cmocka_unit_test(test_cr_runs_and_from_lines),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_header_callback),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
