/* test_netstring - unit tests for netstrings on a stream: well-formed
 * input, lengths over the caller's limit, too many digits, a missing
 * comma, input that ends early, and the writer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "netstring.h"

/* input - a stream that reads text (then EOF) */
static STREAM *
input(const char *text)
{
    int     p[2];

    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], text, strlen(text)), (ssize_t) strlen(text));
    close(p[1]);
    return stream_fdopen(p[0]);
}

/* get - netstring_get on text; the result, the data in bp */
static int
get(const char *text, BUF *bp, size_t limit, size_t *used)
{
    STREAM *sp = input(text);
    int     err = netstring_get(sp, bp, limit, used);

    stream_close(sp);
    return err;
}

/* test_good - two netstrings, one empty */
static void
test_good(void **state)
{
    BUF    *bp = buf_alloc(10);
    STREAM *sp = input("5:hello,0:,");
    size_t  used;

    assert_int_equal(netstring_get(sp, bp, 100, &used), 0);
    assert_string_equal(buf_str(bp), "hello");
    assert_int_equal(used, 8);
    assert_int_equal(netstring_get(sp, bp, 100, &used), 0);
    assert_int_equal(buf_len(bp), 0);
    assert_int_equal(used, 3);
    assert_int_equal(netstring_get(sp, bp, 100, NULL), NETSTRING_ERR_EOF);
    stream_close(sp);
    buf_free(bp);
}

/* test_errors - every way a netstring goes wrong */
static void
test_errors(void **state)
{
    BUF    *bp = buf_alloc(10);

    assert_int_equal(get("6:hello,", bp, 5, NULL), NETSTRING_ERR_SIZE);
    assert_int_equal(get("12345678901:x", bp, 100, NULL),
                     NETSTRING_ERR_FORMAT);
    assert_int_equal(get(":x,", bp, 100, NULL), NETSTRING_ERR_FORMAT);
    assert_int_equal(get("x:", bp, 100, NULL), NETSTRING_ERR_FORMAT);
    assert_int_equal(get("5:helloX", bp, 100, NULL), NETSTRING_ERR_FORMAT);
    assert_int_equal(get("5:hel", bp, 100, NULL), NETSTRING_ERR_EOF);
    assert_int_equal(get("5:hello", bp, 100, NULL), NETSTRING_ERR_EOF);
    assert_int_equal(get("12", bp, 100, NULL), NETSTRING_ERR_EOF);
    assert_string_equal(netstring_strerror(NETSTRING_ERR_SIZE),
                        "length exceeds storage limit");
    assert_string_equal(netstring_strerror(NETSTRING_ERR_FORMAT),
                        "format error");
    buf_free(bp);
}

/* test_put - the writer's bytes */
static void
test_put(void **state)
{
    int     p[2];
    char    got[32] = "";
    STREAM *sp;

    assert_int_equal(pipe(p), 0);
    sp = stream_fdopen(p[1]);
    assert_int_equal(netstring_put(sp, "a\0b", 3), 0);
    assert_int_equal(netstring_put(sp, "", 0), 0);
    assert_int_equal(stream_close(sp), 0);
    assert_int_equal(read(p[0], got, sizeof(got)), 9);
    assert_memory_equal(got, "3:a\0b,0:,", 9);
    close(p[0]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_put),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
