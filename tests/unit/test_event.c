/* test_event - unit tests for the epoll event loop and its timers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "event.h"

static char order[16];
static int order_len;
static int calls;
static int last_event;
static void *last_ctx;
static int peer_fd[2];

/* record_timer - timer callback that remembers which timer ran */
static void
record_timer(int event, void *ctx)
{
    assert_int_equal(event, EVENT_TIME);
    order[order_len++] = *(const char *) ctx;
}

/* reset - forget what earlier callbacks recorded */
static void
reset(void)
{
    memset(order, 0, sizeof(order));
    order_len = 0;
    calls = 0;
    last_event = 0;
    last_ctx = NULL;
}

/* run_until - run the loop until count callbacks ran or 2 s passed */
static void
run_until(int *counter, int count)
{
    time_t  start = time(NULL);

    while (*counter < count && time(NULL) - start < 3)
        event_loop(100);
}

/* test_timer_order - timers run by due time, not request order */
static void
test_timer_order(void **state)
{
    static const char a = 'a', b = 'b', c = 'c';

    reset();
    event_request_timer(record_timer, (void *) &a, 30);
    event_request_timer(record_timer, (void *) &b, 5);
    event_request_timer(record_timer, (void *) &c, 15);
    run_until(&order_len, 3);
    assert_string_equal(order, "bca");
    assert_true(event_time() >= time(NULL) - 1);
}

/* test_timer_same_due - equal delays run in request order */
static void
test_timer_same_due(void **state)
{
    static const char x = 'x', y = 'y', z = 'z';

    reset();
    event_request_timer(record_timer, (void *) &x, 0);
    event_request_timer(record_timer, (void *) &y, 0);
    event_request_timer(record_timer, (void *) &z, 0);
    assert_int_equal(event_loop(0), 3);
    assert_string_equal(order, "xyz");
}

/* test_timer_move_cancel - requesting again moves a timer; cancel works */
static void
test_timer_move_cancel(void **state)
{
    static const char a = 'a', b = 'b';

    reset();
    event_request_timer(record_timer, (void *) &a, 0);
    event_request_timer(record_timer, (void *) &b, 10);
    event_request_timer(record_timer, (void *) &a, 40);  /* moved after b */
    run_until(&order_len, 2);
    assert_string_equal(order, "ba");

    reset();
    event_request_timer(record_timer, (void *) &a, 0);
    assert_int_equal(event_cancel_timer(record_timer, (void *) &a), 1);
    assert_int_equal(event_cancel_timer(record_timer, (void *) &a), 0);
    assert_int_equal(event_loop(20), 0);
    assert_int_equal(order_len, 0);
}

/* rearm_timer - timer callback that requests itself again at once */
static void
rearm_timer(int event, void *ctx)
{
    calls++;
    if (calls < 5)
        event_request_timer(rearm_timer, ctx, 0);
}

/* test_timer_rearm - a zero-delay rearm runs in the next round only */
static void
test_timer_rearm(void **state)
{
    reset();
    event_request_timer(rearm_timer, NULL, 0);
    assert_int_equal(event_loop(0), 1);
    assert_int_equal(calls, 1);
    assert_int_equal(event_loop(0), 1);
    assert_int_equal(calls, 2);
    run_until(&calls, 5);
    assert_int_equal(calls, 5);
    assert_int_equal(event_cancel_timer(rearm_timer, NULL), 0);
}

/* read_pipe - read callback that consumes the pipe and remembers things */
static void
read_pipe(int event, void *ctx)
{
    char    buf[64];

    calls++;
    last_event = event;
    last_ctx = ctx;
    if (event == EVENT_READ)
        assert_true(read(peer_fd[0], buf, sizeof(buf)) > 0);
}

/* test_read_event - a readable pipe runs its callback with its context */
static void
test_read_event(void **state)
{
    int     ctx_value;

    reset();
    assert_int_equal(pipe(peer_fd), 0);
    event_enable_read(peer_fd[0], read_pipe, &ctx_value);
    assert_int_equal(event_loop(0), 0);         /* nothing to read yet */
    assert_int_equal(write(peer_fd[1], "hello", 5), 5);
    assert_int_equal(event_loop(1000), 1);
    assert_int_equal(last_event, EVENT_READ);
    assert_ptr_equal(last_ctx, &ctx_value);
    assert_int_equal(event_loop(0), 0);         /* consumed */

    /* Hang-up without data is reported as EVENT_XCPT. */
    close(peer_fd[1]);
    assert_int_equal(event_loop(1000), 1);
    assert_int_equal(last_event, EVENT_XCPT);
    event_disable_readwrite(peer_fd[0]);
    close(peer_fd[0]);
    assert_int_equal(event_loop(0), 0);
}

/* disable_self - read callback that removes its own event */
static void
disable_self(int event, void *ctx)
{
    calls++;
    event_disable_readwrite(*(int *) ctx);
}

/* test_remove_own_event - a callback may remove its own event */
static void
test_remove_own_event(void **state)
{
    int     fds[2];

    reset();
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "x", 1), 1);
    event_enable_read(fds[0], disable_self, &fds[0]);
    assert_int_equal(event_loop(1000), 1);
    assert_int_equal(event_loop(20), 0);        /* still readable, but gone */
    assert_int_equal(calls, 1);
    /* Enabling again works. */
    event_enable_read(fds[0], disable_self, &fds[0]);
    assert_int_equal(event_loop(1000), 1);
    assert_int_equal(calls, 2);
    close(fds[0]);
    close(fds[1]);
}

static int pair_a[2], pair_b[2];

/* disable_other - callback that removes and closes the other pipe */
static void
disable_other(int event, void *ctx)
{
    int     other = (ctx == pair_a) ? pair_b[0] : pair_a[0];

    calls++;
    event_disable_readwrite(other);
    close(other);
    event_disable_readwrite(*(int *) ctx);
}

/* test_remove_other_event - an event removed earlier in a round never runs */
static void
test_remove_other_event(void **state)
{
    reset();
    assert_int_equal(pipe(pair_a), 0);
    assert_int_equal(pipe(pair_b), 0);
    assert_int_equal(write(pair_a[1], "a", 1), 1);
    assert_int_equal(write(pair_b[1], "b", 1), 1);
    event_enable_read(pair_a[0], disable_other, pair_a);
    event_enable_read(pair_b[0], disable_other, pair_b);
    assert_int_equal(event_loop(1000), 1);
    assert_int_equal(calls, 1);
    assert_int_equal(event_loop(20), 0);
    close(pair_a[1]);
    close(pair_b[1]);
    if (calls == 1) {
        /* Exactly one read end is still open; close whichever it is. */
        if (close(pair_a[0]) < 0)
            close(pair_b[0]);
    }
}

/* write_ready - write callback */
static void
write_ready(int event, void *ctx)
{
    calls++;
    last_event = event;
    event_disable_readwrite(*(int *) ctx);
}

/* test_write_event - a pipe with room is writable; read and write coexist */
static void
test_write_event(void **state)
{
    int     fds[2];

    reset();
    assert_int_equal(pipe(fds), 0);
    event_enable_write(fds[1], write_ready, &fds[1]);
    assert_int_equal(event_loop(1000), 1);
    assert_int_equal(last_event, EVENT_WRITE);
    assert_int_equal(event_loop(0), 0);
    close(fds[0]);
    close(fds[1]);
}

/* test_fork - after event_fork a child has working events of its own */
static void
test_fork(void **state)
{
    int     fds[2];
    int     status;
    pid_t   pid;

    reset();
    assert_int_equal(pipe(fds), 0);
    peer_fd[0] = fds[0];
    peer_fd[1] = fds[1];
    event_enable_read(fds[0], read_pipe, NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        event_fork();
        /* Removing in the child must not affect the parent. */
        event_disable_readwrite(fds[0]);
        if (event_loop(0) != 0)
            _exit(1);
        event_enable_read(fds[0], read_pipe, NULL);
        if (write(fds[1], "c", 1) != 1 || event_loop(1000) != 1)
            _exit(2);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* The parent's registration survived. */
    assert_int_equal(write(fds[1], "p", 1), 1);
    assert_int_equal(event_loop(1000), 1);
    event_disable_readwrite(fds[0]);
    close(fds[0]);
    close(fds[1]);
}

#define HERD      4                     /* processes on one listener */

static char herd_result = 'L';          /* A: accepted, E: too late */

/* herd_accept - a woken listener tries to take the connection */
static void
herd_accept(int event, void *ctx)
{
    int     fd = accept4(*(int *) ctx, NULL, NULL, SOCK_NONBLOCK);

    herd_result = fd >= 0 ? 'A' : 'E';
    event_disable_readwrite(*(int *) ctx);
}

/* voluntary_switches - how often this process went to sleep so far */
static long
voluntary_switches(void)
{
    char    line[256];
    long    count = -1;
    FILE   *fp = fopen("/proc/self/status", "r");

    while (fp && fgets(line, sizeof(line), fp))
        if (sscanf(line, "voluntary_ctxt_switches: %ld", &count) == 1)
            break;
    if (fp)
        fclose(fp);
    return count;
}

/* wait_in_epoll - until process pid sleeps in epoll_wait (at most 5 s;
 * a child that is not waiting there yet would not be woken, and would
 * then find the connection on its own) */
static void
wait_in_epoll(pid_t pid)
{
    char    path[64], wchan[64];

    snprintf(path, sizeof(path), "/proc/%d/wchan", (int) pid);
    for (int tries = 0; tries < 500; tries++) {
        FILE   *fp = fopen(path, "r");
        size_t  n = fp ? fread(wchan, 1, sizeof(wchan) - 1, fp) : 0;

        if (fp)
            fclose(fp);
        wchan[n] = 0;
        if (strstr(wchan, "epoll") != NULL)
            return;
        usleep(10000);
    }
}

/* herd_member - a child on the listener: 'A' (took the connection), 'E'
 * (woken, someone else took it) or 'L' (not woken), then how often it
 * slept in its event loop */
static void
herd_member(int listener, int ready, int report)
{
    char    record[2];
    long    before;

    event_fork();
    event_enable_read_exclusive(listener, herd_accept, &listener);
    if (write(ready, "r", 1) != 1)
        _exit(2);
    before = voluntary_switches();
    (void) event_loop(1000);
    record[0] = herd_result;
    record[1] = (char) ('0' + (voluntary_switches() - before > 9 ? 9
                               : voluntary_switches() - before));
    _exit(write(report, record, 2) == 2 ? 0 : 3);
}

/* test_exclusive_listener - a connection to a listener that HERD
 * processes watch exclusively wakes one of them: the others sleep once,
 * until their timeout; without EPOLLEXCLUSIVE they are woken too, and
 * either find the connection gone ('E') or sleep again */
static void
test_exclusive_listener(void **state)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int     listener, client, report[2], ready[2];
    char    buf[HERD * 2];
    pid_t   kids[HERD];
    ssize_t n;
    int     accepted = 0, disturbed = 0;

    snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "test_event.%d",
             (int) getpid());
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_int_equal(bind(listener, (struct sockaddr *) &sun, sizeof(sun)), 0);
    assert_int_equal(listen(listener, 16), 0);
    assert_int_equal(pipe(report), 0);
    assert_int_equal(pipe(ready), 0);
    for (int i = 0; i < HERD; i++) {
        assert_true((kids[i] = fork()) >= 0);
        if (kids[i] == 0)
            herd_member(listener, ready[1], report[1]);
    }
    close(report[1]);
    close(ready[1]);
    for (int got = 0; got < HERD; got += (int) n)
        assert_true((n = read(ready[0], buf, sizeof(buf))) > 0);
    for (int i = 0; i < HERD; i++)
        wait_in_epoll(kids[i]);
    client = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(connect(client, (struct sockaddr *) &sun, sizeof(sun)),
                     0);
    for (int i = 0; i < HERD; i++)
        assert_int_equal(waitpid(kids[i], NULL, 0), kids[i]);
    assert_int_equal(read(report[0], buf, sizeof(buf)), HERD * 2);
    for (int i = 0; i < HERD; i++) {
        accepted += buf[2 * i] == 'A';
        disturbed += buf[2 * i] == 'E'
            || (buf[2 * i] == 'L' && buf[2 * i + 1] > '1');
    }
    assert_int_equal(accepted, 1);
    assert_true(disturbed < HERD - 1);  /* "one or more" are woken */
    close(client);
    close(listener);
    close(report[0]);
    close(ready[0]);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_order),
        cmocka_unit_test(test_timer_same_due),
        cmocka_unit_test(test_timer_move_cancel),
        cmocka_unit_test(test_timer_rearm),
        cmocka_unit_test(test_read_event),
        cmocka_unit_test(test_remove_own_event),
        cmocka_unit_test(test_remove_other_event),
        cmocka_unit_test(test_write_event),
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_exclusive_listener),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
