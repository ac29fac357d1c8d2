/* test_stream - unit tests for buffered streams with time limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mymalloc.h"
#include "stream.h"

#define BIG_SIZE        (3 * 1024 * 1024 + 17)

/* now_ms - monotonic milliseconds */
static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* pair - a connected socket pair */
static void
pair(int fds[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
                     0);
}

/* test_get_line_limit - long lines come in limit-sized pieces */
static void
test_get_line_limit(void **state)
{
    BUF    *bp = buf_alloc(0);
    STREAM *sp;
    int     fds[2];
    static const char text[] = "abcdefghij\nxyz\n\nno newline";

    pair(fds);
    assert_int_equal(write(fds[1], text, sizeof(text) - 1), sizeof(text) - 1);
    close(fds[1]);
    sp = stream_fdopen(fds[0]);
    assert_int_equal(stream_get_line(sp, bp, 4), 'd');
    assert_string_equal(buf_str(bp), "abcd");
    assert_int_equal(stream_buffered(sp), sizeof(text) - 1 - 4);
    buf_reset(bp);
    assert_int_equal(stream_get_line(sp, bp, 4), 'h');
    assert_string_equal(buf_str(bp), "efgh");
    buf_reset(bp);
    assert_int_equal(stream_get_line(sp, bp, 4), '\n');
    assert_string_equal(buf_str(bp), "ij\n");
    buf_reset(bp);
    assert_int_equal(stream_get_line(sp, bp, 4), '\n');
    assert_string_equal(buf_str(bp), "xyz\n");      /* exactly the limit */
    buf_reset(bp);
    assert_int_equal(stream_get_line(sp, bp, 100), '\n');
    assert_string_equal(buf_str(bp), "\n");
    buf_reset(bp);
    /* Appends; limit 0 means no limit; the last line has no newline. */
    buf_strcpy(bp, ">");
    assert_int_equal(stream_get_line(sp, bp, 0), 'e');
    assert_string_equal(buf_str(bp), ">no newline");
    assert_true(stream_eof(sp));
    buf_reset(bp);
    assert_int_equal(stream_get_line(sp, bp, 100), EOF);
    assert_int_equal(buf_len(bp), 0);
    assert_false(stream_error(sp));
    assert_int_equal(stream_close(sp), 0);
    buf_free(bp);
}

/* test_get_delim - NUL as the delimiter, across buffer refills */
static void
test_get_delim(void **state)
{
    BUF    *bp = buf_alloc(0);
    STREAM *sp;
    char   *big = mymalloc(20000);
    int     fds[2];
    pid_t   pid;
    int     status;

    memset(big, 'q', 20000);
    big[19999] = 0;
    pair(fds);
    if ((pid = fork()) == 0) {
        close(fds[0]);
        _exit(write(fds[1], big, 20000) == 20000
              && write(fds[1], "a\0b", 3) == 3 ? 0 : 1);
    }
    close(fds[1]);
    sp = stream_fdopen(fds[0]);
    assert_int_equal(stream_get_delim(sp, bp, 0, 0), 0);
    assert_int_equal(buf_len(bp), 20000);
    assert_memory_equal(buf_str(bp), big, 20000);
    buf_reset(bp);
    assert_int_equal(stream_get_delim(sp, bp, 0, 10), 0);
    assert_int_equal(buf_len(bp), 2);
    buf_reset(bp);
    assert_int_equal(stream_get_delim(sp, bp, 0, 10), 'b');
    assert_true(stream_eof(sp));
    stream_close(sp);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(status, 0);
    myfree(big);
    buf_free(bp);
}

/* test_timeout - a silent peer times out after the per-call timeout */
static void
test_timeout(void **state)
{
    BUF    *bp = buf_alloc(0);
    STREAM *sp;
    long    start, elapsed;
    int     fds[2];

    pair(fds);
    sp = stream_fdopen(fds[0]);
    stream_set_timeout(sp, 1);
    start = now_ms();
    assert_int_equal(stream_getc(sp), EOF);
    elapsed = now_ms() - start;
    assert_true(elapsed >= 900 && elapsed < 1900);
    assert_true(stream_timedout(sp));
    assert_true(stream_error(sp));
    assert_false(stream_eof(sp));
    /* Sticky: no more waiting, even though data is there now. */
    assert_int_equal(write(fds[1], "late\n", 5), 5);
    start = now_ms();
    assert_int_equal(stream_get_line(sp, bp, 100), EOF);
    assert_int_equal(stream_write(sp, "x", 1), -1);
    assert_true(now_ms() - start < 100);
    stream_clearerr(sp);
    assert_false(stream_timedout(sp));
    assert_int_equal(stream_get_line(sp, bp, 100), '\n');
    assert_string_equal(buf_str(bp), "late\n");
    stream_close(sp);
    close(fds[1]);
    buf_free(bp);
}

/* test_deadline - a trickling peer cannot stretch an exchange past the
 * deadline, although each read finishes well within the timeout */
static void
test_deadline(void **state)
{
    STREAM *sp;
    char    buf[64];
    long    start, elapsed;
    ssize_t n;
    int     fds[2];
    pid_t   pid;

    pair(fds);
    if ((pid = fork()) == 0) {
        close(fds[0]);
        for (int i = 0; i < 20; i++) {
            if (write(fds[1], "t", 1) != 1)
                _exit(0);
            usleep(150 * 1000);
        }
        _exit(0);
    }
    close(fds[1]);
    sp = stream_fdopen(fds[0]);
    stream_set_timeout(sp, 5);
    stream_set_deadline(sp, 1);
    start = now_ms();
    n = stream_read(sp, buf, sizeof(buf));
    elapsed = now_ms() - start;
    assert_true(n > 0 && n < 20);                /* short: some bytes came */
    assert_true(stream_timedout(sp));
    assert_true(elapsed >= 900 && elapsed < 1500);
    stream_close(sp);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* pattern - the byte at offset i of the test data */
static int
pattern(size_t i)
{
    return (int) ((i * 7 + i / 251) & 0xff);
}

/* test_big_round_trip - megabytes both ways in odd-sized pieces */
static void
test_big_round_trip(void **state)
{
    unsigned char *data = mymalloc(BIG_SIZE);
    unsigned char *got = mymalloc(BIG_SIZE);
    STREAM *sp;
    int     fds[2], status;
    size_t  off, n;
    pid_t   pid;

    for (size_t i = 0; i < BIG_SIZE; i++)
        data[i] = (unsigned char) pattern(i);
    pair(fds);
    if ((pid = fork()) == 0) {
        /* Child: send the data in odd pieces, then check what comes back. */
        close(fds[0]);
        sp = stream_fdopen(fds[1]);
        stream_set_timeout(sp, 5);
        for (off = 0, n = 1; off < BIG_SIZE; off += n) {
            n = n > 100000 ? 1 : n * 3 + 1;     /* 4, 13, 40, ..., 1, 4 */
            if (n > BIG_SIZE - off)
                n = BIG_SIZE - off;
            if (n % 2 && stream_write(sp, data + off, n) < 0)
                _exit(1);
            if (n % 2 == 0)
                for (size_t i = 0; i < n; i++)
                    if (stream_putc(sp, data[off + i]) < 0)
                        _exit(1);
        }
        if (stream_flush(sp) < 0)
            _exit(2);
        if (stream_read(sp, got, BIG_SIZE) != BIG_SIZE
            || memcmp(got, data, BIG_SIZE) != 0 || stream_getc(sp) != EOF)
            _exit(3);
        _exit(stream_eof(sp) ? 0 : 4);
    }
    close(fds[1]);
    sp = stream_fdopen(fds[0]);
    stream_set_timeout(sp, 5);
    /* Mix getc, small and large reads. */
    off = 0;
    got[off++] = (unsigned char) stream_getc(sp);
    assert_int_equal(stream_read(sp, got + off, 10), 10);
    off += 10;
    assert_int_equal(stream_read(sp, got + off, 100000), 100000);
    off += 100000;
    assert_int_equal(stream_read(sp, got + off, BIG_SIZE - off),
                     BIG_SIZE - off);
    assert_memory_equal(got, data, BIG_SIZE);
    /* Send it back in one big write. */
    assert_int_equal(stream_write(sp, data, BIG_SIZE), 0);
    assert_int_equal(stream_flush(sp), 0);
    shutdown(fds[0], SHUT_WR);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    stream_close(sp);
    myfree(data);
    myfree(got);
}

/* test_output - puts, putc, printf (short and long); flush before read */
static void
test_output(void **state)
{
    BUF    *bp = buf_alloc(0);
    STREAM *sp, *peer;
    char    longstr[2000];
    int     fds[2];

    pair(fds);
    sp = stream_fdopen(fds[0]);
    peer = stream_fdopen(fds[1]);
    stream_set_timeout(sp, 2);
    stream_set_timeout(peer, 2);
    memset(longstr, 'L', sizeof(longstr) - 1);
    longstr[sizeof(longstr) - 1] = 0;
    assert_int_equal(stream_puts(sp, "one "), 0);
    assert_int_equal(stream_putc(sp, '2'), 0);
    assert_int_equal(stream_printf(sp, " %d %s\n", 3, "four"), 0);
    assert_int_equal(stream_printf(sp, "%s\n", longstr), 0);
    assert_int_equal(stream_flush(sp), 0);
    assert_int_equal(stream_get_line(peer, bp, 0), '\n');
    assert_string_equal(buf_str(bp), "one 2 3 four\n");
    buf_reset(bp);
    assert_int_equal(stream_get_line(peer, bp, 0), '\n');
    assert_int_equal(buf_len(bp), sizeof(longstr));

    /* Unflushed output goes out before a read that needs the kernel. */
    assert_int_equal(stream_puts(sp, "ping\n"), 0);
    assert_int_equal(write(fds[1], "pong\n", 5), 5);
    buf_reset(bp);
    assert_int_equal(stream_get_line(sp, bp, 0), '\n');
    assert_string_equal(buf_str(bp), "pong\n");
    buf_reset(bp);
    assert_int_equal(stream_buffered(peer), 0);
    assert_int_equal(stream_get_line(peer, bp, 0), '\n');
    assert_string_equal(buf_str(bp), "ping\n");
    assert_int_equal(stream_fd(sp), fds[0]);
    stream_free(sp);                            /* fd stays open */
    assert_int_equal(write(fds[0], "x", 1), 1);
    close(fds[0]);
    stream_close(peer);
    buf_free(bp);
}

/* test_write_error - writing to a closed peer fails without SIGPIPE */
static void
test_write_error(void **state)
{
    STREAM *sp;
    char    buf[4096];
    int     fds[2];

    pair(fds);
    close(fds[1]);
    sp = stream_fdopen(fds[0]);
    memset(buf, 'e', sizeof(buf));
    assert_int_equal(stream_write(sp, buf, sizeof(buf)), 0);   /* buffered */
    assert_int_equal(stream_flush(sp), -1);
    assert_true(stream_error(sp));
    assert_false(stream_timedout(sp));
    assert_int_equal(stream_close(sp), -1);
}

static int seen_timeout_ms;

/* upcase_read - replacement read function: reads and upper-cases */
static ssize_t
upcase_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    ssize_t n = read(fd, buf, len);

    seen_timeout_ms = timeout_ms;
    (*(int *) ctx)++;
    for (ssize_t i = 0; i < n; i++)
        if (((char *) buf)[i] >= 'a' && ((char *) buf)[i] <= 'z')
            ((char *) buf)[i] -= 32;
    return n;
}

/* count_write - replacement write function: writes and counts calls */
static ssize_t
count_write(int fd, const void *buf, size_t len, int timeout_ms, void *ctx)
{
    (*(int *) ctx)++;
    return write(fd, buf, len);
}

/* test_replace_io - replacement functions are used and get the limit */
static void
test_replace_io(void **state)
{
    BUF    *bp = buf_alloc(0);
    STREAM *sp;
    int     fds[2], calls = 0;
    char    buf[16];

    pair(fds);
    sp = stream_fdopen(fds[0]);
    stream_set_io(sp, upcase_read, count_write, &calls);
    stream_set_timeout(sp, 3);
    assert_int_equal(write(fds[1], "hello\n", 6), 6);
    assert_int_equal(stream_get_line(sp, bp, 0), '\n');
    assert_string_equal(buf_str(bp), "HELLO\n");
    assert_int_equal(seen_timeout_ms, 3000);
    assert_int_equal(calls, 1);
    stream_puts(sp, "out");
    assert_int_equal(stream_flush(sp), 0);
    assert_int_equal(calls, 2);
    assert_int_equal(read(fds[1], buf, sizeof(buf)), 3);
    /* Back to the defaults. */
    stream_set_io(sp, NULL, NULL, NULL);
    assert_int_equal(write(fds[1], "low\n", 4), 4);
    buf_reset(bp);
    assert_int_equal(stream_get_line(sp, bp, 0), '\n');
    assert_string_equal(buf_str(bp), "low\n");
    stream_close(sp);
    close(fds[1]);
    buf_free(bp);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_line_limit),
        cmocka_unit_test(test_get_delim),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_big_round_trip),
        cmocka_unit_test(test_output),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_replace_io),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
