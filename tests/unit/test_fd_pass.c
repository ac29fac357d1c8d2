/* test_fd_pass - unit tests for passing descriptors with a tag byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd_pass.h"

/* same_file - whether two descriptors refer to the same open object */
static bool
same_file(int a, int b)
{
    struct stat sa, sb;

    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0
        && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* test_tag_round_trip - the descriptor arrives with the sender's tag */
static void
test_tag_round_trip(void **state)
{
    int     pair[2], pipe_fds[2];
    int     got, tag = -1;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    assert_int_equal(pipe(pipe_fds), 0);
    assert_int_equal(fd_pass_send(pair[0], pipe_fds[0], 'G'), 0);
    got = fd_pass_recv(pair[1], 5, &tag);
    assert_true(got >= 0);
    assert_int_equal(tag, 'G');
    assert_true(same_file(got, pipe_fds[0]));
    /* A byte above 127 comes back as sent, not sign-extended. */
    assert_int_equal(fd_pass_send(pair[0], pipe_fds[1], 0xC8), 0);
    (void) close(got);
    got = fd_pass_recv(pair[1], 5, &tag);
    assert_int_equal(tag, 0xC8);
    (void) close(got);
    /* A null tag pointer is allowed. */
    assert_int_equal(fd_pass_send(pair[0], pipe_fds[1], 0), 0);
    got = fd_pass_recv(pair[1], 5, NULL);
    assert_true(same_file(got, pipe_fds[1]));
    (void) close(got);
    for (int i = 0; i < 2; i++) {
        (void) close(pair[i]);
        (void) close(pipe_fds[i]);
    }
}

/* test_no_descriptor - a plain byte, or nothing in time, is -1 and the
 * tag is left alone */
static void
test_no_descriptor(void **state)
{
    int     pair[2];
    int     tag = 7;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    assert_int_equal(fd_pass_recv(pair[1], 1, &tag), -1);
    assert_int_equal(write(pair[0], "G", 1), 1);
    assert_int_equal(fd_pass_recv(pair[1], 1, &tag), -1);
    assert_int_equal(tag, 7);
    (void) close(pair[0]);
    (void) close(pair[1]);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tag_round_trip),
        cmocka_unit_test(test_no_descriptor),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
