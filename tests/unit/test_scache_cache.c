/* test_scache_cache - the connection cache's store (src/scache/
 * scache_cache.c): sessions by endpoint, destinations pointing to
 * endpoints, time to live, and sessions closed when their server hangs
 * up while they wait. Sessions are socketpair ends; the test holds the
 * other ends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/scache/scache_cache.c"
#include "mono_time.h"

/* session - a socketpair: *fd goes to the cache, the peer is returned */
static int
session(int *fd)
{
    int     sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    *fd = sv[0];
    return sv[1];
}

/* is_open - whether fd is still a descriptor */
static bool
is_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

/* wait_closed - run the event loop until scache closed fd, for at most
 * 10 s of wall time (not a count of loops: a loaded machine, or valgrind,
 * may return from a loop early or late) */
static void
wait_closed(int fd)
{
    long long deadline = mono_ms() + 10000;

    while (is_open(fd) && mono_ms() < deadline)
        (void) event_loop(100);
}

/* test_endp - the newest session of an endpoint comes out, once */
static void
test_endp(void **state)
{
    BUF    *prop = buf_alloc(10);
    int     a, b;
    int     pa = session(&a), pb = session(&b);
    SCACHE_SIZE size;

    (void) state;
    scache_save_endp(10, "smtp\n192.0.2.1\n25\n0\n", "reuse_count=0\n", a);
    scache_save_endp(10, "smtp\n192.0.2.1\n25\n0\n", "reuse_count=3\n", b);
    scache_size(&size);
    assert_int_equal(size.sess_count, 2);
    assert_int_equal(size.endp_count, 1);
    assert_int_equal(scache_find_endp("smtp\n192.0.2.1\n25\n0\n", prop), b);
    assert_string_equal(buf_str(prop), "reuse_count=3\n");
    assert_int_equal(scache_find_endp("smtp\n192.0.2.1\n25\n0\n", prop), a);
    assert_int_equal(scache_find_endp("smtp\n192.0.2.1\n25\n0\n", prop), -1);
    assert_int_equal(scache_find_endp("smtp\n192.0.2.9\n25\n0\n", prop), -1);
    (void) close(a);
    (void) close(b);
    (void) close(pa);
    (void) close(pb);
    buf_free(prop);
}

/* test_dest - a destination leads to its endpoint's session; without
 * one it is a miss */
static void
test_dest(void **state)
{
    BUF    *dprop = buf_alloc(10);
    BUF    *eprop = buf_alloc(10);
    int     a;
    int     pa = session(&a);
    SCACHE_SIZE size;

    (void) state;
    scache_save_dest(1, "smtp\nexample.com\n", "host_name=mx\n",
                     "smtp\n192.0.2.1\n25\n0\n");
    assert_int_equal(scache_find_dest("smtp\nexample.com\n", dprop, eprop), -1);
    scache_save_endp(10, "smtp\n192.0.2.1\n25\n0\n", "reuse_count=1\n", a);
    scache_size(&size);
    assert_int_equal(size.dest_count, 1);
    assert_int_equal(scache_find_dest("smtp\nexample.com\n", dprop, eprop), a);
    assert_string_equal(buf_str(dprop), "host_name=mx\n");
    assert_string_equal(buf_str(eprop), "reuse_count=1\n");
    assert_int_equal(scache_find_dest("smtp\nother.com\n", dprop, eprop), -1);
    (void) close(a);
    (void) close(pa);
    buf_free(dprop);
    buf_free(eprop);
}

/* test_expiry - a session is closed when its time is up */
static void
test_expiry(void **state)
{
    BUF    *prop = buf_alloc(10);
    int     a;
    int     pa = session(&a);
    SCACHE_SIZE size;

    (void) state;
    scache_save_endp(1, "smtp\n192.0.2.2\n25\n0\n", "", a);
    scache_save_dest(1, "smtp\nexpire.test\n", "", "smtp\n192.0.2.2\n25\n0\n");
    wait_closed(a);
    assert_false(is_open(a));
    scache_size(&size);
    assert_int_equal(size.sess_count, 0);
    assert_int_equal(size.dest_count, 0);
    assert_int_equal(scache_find_endp("smtp\n192.0.2.2\n25\n0\n", prop), -1);
    (void) close(pa);
    buf_free(prop);
}

/* test_hangup - a server that hangs up on a waiting session: closed at
 * once, never handed out */
static void
test_hangup(void **state)
{
    BUF    *prop = buf_alloc(10);
    int     a, b;
    int     pa = session(&a), pb = session(&b);

    (void) state;
    scache_save_endp(100, "smtp\n192.0.2.3\n25\n0\n", "", a);
    scache_save_endp(100, "smtp\n192.0.2.3\n25\n0\n", "", b);
    (void) close(pb);
    wait_closed(b);
    assert_false(is_open(b));
    assert_int_equal(scache_find_endp("smtp\n192.0.2.3\n25\n0\n", prop), a);
    (void) close(a);
    (void) close(pa);
    buf_free(prop);
}

/* test_close_all - every session goes at exit */
static void
test_close_all(void **state)
{
    int     a;
    int     pa = session(&a);
    SCACHE_SIZE size;

    (void) state;
    scache_save_endp(100, "smtp\n192.0.2.4\n25\n0\n", "", a);
    scache_close_all();
    assert_false(is_open(a));
    scache_size(&size);
    assert_int_equal(size.sess_count, 0);
    (void) close(pa);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endp),
        cmocka_unit_test(test_dest),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_hangup),
        cmocka_unit_test(test_close_all),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
