/* test_attr - unit tests for the attribute codec over a socket pair. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "buf.h"
#include "htable.h"
#include "mymalloc.h"
#include "stream.h"

typedef struct PAIR {
    STREAM *out;                        /* we print here */
    STREAM *in;                         /* and scan here */
    int     raw;                        /* the fd behind out, for raw bytes */
} PAIR;

/* setup - a connected pair of streams with a short timeout */
static int
setup(void **state)
{
    PAIR   *pp = mymalloc(sizeof(*pp));
    int     fds[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        return -1;
    pp->out = stream_fdopen(fds[0]);
    pp->in = stream_fdopen(fds[1]);
    pp->raw = fds[0];
    stream_set_timeout(pp->in, 1);
    stream_set_timeout(pp->out, 1);
    *state = pp;
    return 0;
}

/* teardown - close both streams */
static int
teardown(void **state)
{
    PAIR   *pp = *state;

    stream_close(pp->out);
    stream_close(pp->in);
    myfree(pp);
    return 0;
}

/* send_raw - put bytes on the wire as they are */
static void
send_raw(PAIR *pp, const char *data, size_t len)
{
    assert_int_equal(write(pp->raw, data, len), (ssize_t) len);
}

/* test_round_trip - every type, extreme values, binary data */
static void
test_round_trip(void **state)
{
    PAIR   *pp = *state;
    BUF    *str = buf_alloc(0), *data = buf_alloc(0), *empty = buf_alloc(0);
    static const char bin[] = "\0\1\2\377binary\0\n";
    int     i1 = 0, i2 = 0;
    long    l1 = 0, l2 = 0;

    assert_int_equal(attr_print(pp->out, ATTR_FLAG_NONE,
                                SEND_ATTR_INT("imin", INT_MIN),
                                SEND_ATTR_INT("imax", INT_MAX),
                                SEND_ATTR_LONG("lmin", LONG_MIN),
                                SEND_ATTR_LONG("lmax", LONG_MAX),
                                SEND_ATTR_STR("text", "hello, world\t!"),
                                SEND_ATTR_DATA("blob", sizeof(bin), bin),
                                SEND_ATTR_STR("empty", ""),
                                ATTR_TYPE_END), 0);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_STRICT,
                               RECV_ATTR_INT("imin", &i1),
                               RECV_ATTR_INT("imax", &i2),
                               RECV_ATTR_LONG("lmin", &l1),
                               RECV_ATTR_LONG("lmax", &l2),
                               RECV_ATTR_STR("text", str),
                               RECV_ATTR_DATA("blob", data),
                               RECV_ATTR_STR("empty", empty),
                               ATTR_TYPE_END), 7);
    assert_int_equal(i1, INT_MIN);
    assert_int_equal(i2, INT_MAX);
    assert_true(l1 == LONG_MIN);
    assert_true(l2 == LONG_MAX);
    assert_string_equal(buf_str(str), "hello, world\t!");
    assert_int_equal(buf_len(data), sizeof(bin));
    assert_memory_equal(buf_str(data), bin, sizeof(bin));
    assert_int_equal(buf_len(empty), 0);
    assert_int_equal(stream_buffered(pp->in), 0);       /* end was consumed */
    buf_free(str);
    buf_free(data);
    buf_free(empty);
}

/* test_wire_form - the exact bytes of a message */
static void
test_wire_form(void **state)
{
    PAIR   *pp = *state;
    static const char want[] = "n\0-5\0s\0ab\0d\0AAE=\0";   /* + final NUL */
    char    got[sizeof(want)];

    assert_int_equal(attr_print(pp->out, ATTR_FLAG_NONE,
                                SEND_ATTR_INT("n", -5),
                                SEND_ATTR_STR("s", "ab"),
                                SEND_ATTR_DATA("d", 2, "\0\1"),
                                ATTR_TYPE_END), 0);
    assert_int_equal(stream_read(pp->in, got, sizeof(got)), sizeof(got));
    assert_memory_equal(got, want, sizeof(want));
}

/* test_more_and_short - MORE splits a message; a short message counts */
static void
test_more_and_short(void **state)
{
    PAIR   *pp = *state;
    int     a = 0, b = 0, c = 0;

    assert_int_equal(attr_print(pp->out, ATTR_FLAG_MORE,
                                SEND_ATTR_INT("a", 1), ATTR_TYPE_END), 0);
    assert_int_equal(attr_print(pp->out, ATTR_FLAG_NONE,
                                SEND_ATTR_INT("b", 2), ATTR_TYPE_END), 0);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_MORE,
                               RECV_ATTR_INT("a", &a), ATTR_TYPE_END), 1);
    /* Asking for more than was sent: the message ends after b. */
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_INT("b", &b),
                               RECV_ATTR_INT("c", &c), ATTR_TYPE_END), 1);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(c, 0);
}

/* test_extra_attributes - skipped unless STRICT */
static void
test_extra_attributes(void **state)
{
    PAIR   *pp = *state;
    int     a = 0;

    send_raw(pp, "a\0" "7\0" "x\0" "y\0" "\0", 9);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_INT("a", &a), ATTR_TYPE_END), 1);
    assert_int_equal(a, 7);
    assert_int_equal(stream_buffered(pp->in), 0);
    send_raw(pp, "a\0" "7\0" "x\0" "y\0" "\0", 9);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_STRICT,
                               RECV_ATTR_INT("a", &a), ATTR_TYPE_END), -1);
}

/* test_wrong_order - a name other than the next one asked for */
static void
test_wrong_order(void **state)
{
    PAIR   *pp = *state;
    int     a = 0, b = 0;

    assert_int_equal(attr_print(pp->out, ATTR_FLAG_NONE,
                                SEND_ATTR_INT("b", 2),
                                SEND_ATTR_INT("a", 1), ATTR_TYPE_END), 0);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_INT("a", &a),
                               RECV_ATTR_INT("b", &b), ATTR_TYPE_END), -1);
    assert_int_equal(a, 0);
}

/* scan_int - scan one int attribute "n" after sending raw bytes */
static int
scan_int(PAIR *pp, const char *raw, size_t len, int *val)
{
    send_raw(pp, raw, len);
    return attr_scan(pp->in, ATTR_FLAG_NONE, RECV_ATTR_INT("n", val),
                     ATTR_TYPE_END);
}

/* test_bad_numbers - only plain, in-range decimal numbers */
static void
test_bad_numbers(void **state)
{
    PAIR   *pp = *state;
    int     v = 0;

    assert_int_equal(scan_int(pp, "n\0" "42\0" "\0", 6, &v), 1);
    assert_int_equal(v, 42);
    assert_int_equal(scan_int(pp, "n\0" "4x\0" "\0", 6, &v), -1);
    assert_int_equal(v, 42);
}

/* test_bad_long - a long one past LONG_MAX */
static void
test_bad_long(void **state)
{
    PAIR   *pp = *state;
    static const char msg[] = "l\0" "9223372036854775808\0";
    long    l = 0;

    send_raw(pp, msg, sizeof(msg));
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE, RECV_ATTR_LONG("l", &l),
                               ATTR_TYPE_END), -1);
    assert_true(l == 0);
}

/* test_bad_number_forms - each bad form on a fresh connection */
static void
test_bad_number_forms(void **state)
{
    static const char *const bad[] = {
        "abc", "", "+1", " 1", "1 ", "-", "0x10", "2147483648",
        "-2147483649", "99999999999999999999999",
    };
    char    msg[64];
    size_t  len;
    int     v;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        PAIR   *pp;

        assert_int_equal(setup((void **) &pp), 0);
        len = strlen(bad[i]);
        memcpy(msg, "n\0", 2);
        memcpy(msg + 2, bad[i], len);
        memcpy(msg + 2 + len, "\0\0", 2);
        assert_int_equal(scan_int(pp, msg, len + 4, &v), -1);
        teardown((void **) &pp);
    }
}

/* test_missing_nul - a value cut off by EOF, and EOF mid-message */
static void
test_missing_nul(void **state)
{
    PAIR   *pp = *state;
    BUF    *str = buf_alloc(0);

    send_raw(pp, "s\0value", 7);
    shutdown(pp->raw, SHUT_WR);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_STR("s", str), ATTR_TYPE_END), -1);
    buf_free(str);
}

/* test_truncated - EOF after a complete attribute but before the end */
static void
test_truncated(void **state)
{
    PAIR   *pp = *state;
    BUF    *str = buf_alloc(0);
    int     n;

    send_raw(pp, "s\0v\0", 4);
    shutdown(pp->raw, SHUT_WR);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_STR("s", str),
                               RECV_ATTR_INT("n", &n), ATTR_TYPE_END), -1);
    /* A clean EOF between messages is also -1. */
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_STR("s", str), ATTR_TYPE_END), -1);
    buf_free(str);
}

/* test_timeout - a peer that stops mid-message times out */
static void
test_timeout(void **state)
{
    PAIR   *pp = *state;
    BUF    *str = buf_alloc(0);

    send_raw(pp, "s\0", 2);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_STR("s", str), ATTR_TYPE_END), -1);
    assert_true(stream_timedout(pp->in));
    buf_free(str);
}

/* test_oversized - over-long names and values are refused */
static void
test_oversized(void **state)
{
    PAIR   *pp = *state;
    BUF    *str = buf_alloc(0);
    size_t  big = ATTR_VALUE_MAX + 10;
    char   *junk = mymalloc(big);
    pid_t   pid;
    int     status;

    /* A name one byte too long. */
    memset(junk, 'n', ATTR_NAME_MAX + 1);
    junk[ATTR_NAME_MAX + 1] = 0;
    send_raw(pp, junk, ATTR_NAME_MAX + 2);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_STR(junk, str), ATTR_TYPE_END), -1);
    teardown(state);
    assert_int_equal(setup(state), 0);
    pp = *state;

    /* A value one byte too long; a child writes it (it exceeds the
     * socket buffer). */
    memset(junk, 'v', big);
    junk[ATTR_VALUE_MAX + 1] = 0;
    if ((pid = fork()) == 0) {
        _exit(write(pp->raw, "s\0", 2) == 2
              && write(pp->raw, junk, ATTR_VALUE_MAX + 2) > 0 ? 0 : 1);
    }
    assert_true(pid > 0);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_STR("s", str), ATTR_TYPE_END), -1);
    assert_false(stream_timedout(pp->in));
    assert_true(buf_len(str) == 0);
    teardown(state);                    /* the child sees EPIPE and exits */
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_int_equal(setup(state), 0);

    /* Exactly the limit is fine. */
    pp = *state;
    junk[ATTR_VALUE_MAX] = 0;
    if ((pid = fork()) == 0)
        _exit(attr_print(pp->out, ATTR_FLAG_NONE,
                         SEND_ATTR_STR("s", junk), ATTR_TYPE_END) == 0 ? 0 : 1);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_STR("s", str), ATTR_TYPE_END), 1);
    assert_int_equal(buf_len(str), ATTR_VALUE_MAX);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(status, 0);
    myfree(junk);
    buf_free(str);
}

/* test_bad_base64 - DATA must be canonical base64 */
static void
test_bad_base64(void **state)
{
    PAIR   *pp = *state;
    BUF    *data = buf_alloc(0);

    send_raw(pp, "d\0AAE\0\0", 7);
    assert_int_equal(attr_scan(pp->in, ATTR_FLAG_NONE,
                               RECV_ATTR_DATA("d", data), ATTR_TYPE_END), -1);
    buf_free(data);
}

/* test_scan_table - any attributes into a table; duplicates refused */
static void
test_scan_table(void **state)
{
    PAIR   *pp = *state;
    HTABLE *table = htable_create(0);

    assert_int_equal(attr_print(pp->out, ATTR_FLAG_NONE,
                                SEND_ATTR_STR("request", "lookup"),
                                SEND_ATTR_INT("flags", 3),
                                SEND_ATTR_DATA("blob", 1, "\377"),
                                ATTR_TYPE_END), 0);
    assert_int_equal(attr_scan_table(pp->in, table), 3);
    assert_string_equal(htable_find(table, "request"), "lookup");
    assert_string_equal(htable_find(table, "flags"), "3");
    assert_string_equal(htable_find(table, "blob"), "/w==");
    htable_free(table, myfree);

    table = htable_create(0);
    send_raw(pp, "a\0" "1\0" "a\0" "2\0" "\0", 9);
    assert_int_equal(attr_scan_table(pp->in, table), -1);
    htable_free(table, myfree);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wire_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_more_and_short, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extra_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_long, setup, teardown),
        cmocka_unit_test(test_bad_number_forms),
        cmocka_unit_test_setup_teardown(test_missing_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_table, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
