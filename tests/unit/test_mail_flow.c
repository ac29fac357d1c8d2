/* test_mail_flow - unit tests for the inflow tokens: nothing happens
 * unless descriptors 3 and 4 are a pipe; with the pipe, tokens put are
 * counted and taken, a get of more than there are fails, and a wait for
 * a token that never comes gives up after its timeout. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "mail_flow.h"

/* test_no_pipe - descriptors 3 and 4 are a regular file: ignored */
static void
test_no_pipe(void **state)
{
    int     fd = open("/dev/null", O_RDWR);

    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, MASTER_FLOW_READ), MASTER_FLOW_READ);
    assert_int_equal(dup2(fd, MASTER_FLOW_WRITE), MASTER_FLOW_WRITE);
    assert_false(mail_flow_init());
    assert_int_equal(mail_flow_put(3), -1);
    assert_int_equal(mail_flow_get(1), -1);
    assert_int_equal(mail_flow_count(), -1);
    assert_true(mail_flow_wait(10));
    close(MASTER_FLOW_READ);
    close(MASTER_FLOW_WRITE);
    if (fd > MASTER_FLOW_WRITE)
        close(fd);
}

/* flow_pipe - a non-blocking pipe on descriptors 3 and 4, as master
 * makes it */
static void
flow_pipe(void)
{
    int     p[2];

    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    assert_true(p[0] < p[1]);
    assert_int_equal(dup2(p[0], MASTER_FLOW_READ), MASTER_FLOW_READ);
    assert_int_equal(dup2(p[1], MASTER_FLOW_WRITE), MASTER_FLOW_WRITE);
    for (int i = 0; i < 2; i++)
        if (p[i] > MASTER_FLOW_WRITE)
            close(p[i]);
    assert_true(mail_flow_init());
    assert_int_equal(fcntl(MASTER_FLOW_READ, F_GETFD), FD_CLOEXEC);
}

/* test_tokens - put, count, get */
static void
test_tokens(void **state)
{
    flow_pipe();
    assert_int_equal(mail_flow_count(), 0);
    assert_int_equal(mail_flow_put(1000), 1000);
    assert_int_equal(mail_flow_count(), 1000);
    assert_int_equal(mail_flow_get(999), 999);
    assert_true(mail_flow_wait(0));
    assert_int_equal(mail_flow_count(), 0);
    assert_int_equal(mail_flow_get(1), -1);
    assert_int_equal(mail_flow_put(2), 2);
    assert_int_equal(mail_flow_get(5), -1);        /* both are gone */
    assert_int_equal(mail_flow_count(), 0);
}

/* test_wait_times_out - no token comes */
static void
test_wait_times_out(void **state)
{
    flow_pipe();
    assert_false(mail_flow_wait(20));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_pipe),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_wait_times_out),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
