/* test_deliver_log - unit tests for the delivery log line.
 *
 * The delay numbers are the ones Debian's Postfix 3.7 discard(8) logged
 * for requests whose "time" attribute put the message exactly that many
 * microseconds between arrival and entering the active queue (the "a"
 * of delays=a/b/c/d), with delay_logging_resolution_limit 2 (the
 * default), 0, 3 and 6. The lines are Postfix's, from
 * ../notes/deliver-protocol.md and the same observation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "deliver_log.h"
#include "mail_params.h"
#include "msg_output.h"
#include "mymalloc.h"

/* One observed delay: microseconds and the text Postfix logged. */
typedef struct {
    long long usec;
    const char *text;
} DELAY_CASE;

/* Resolution 2 (the default). */
static const DELAY_CASE delays_2[] = {
    {0, "0"}, {49, "0"}, {999, "0"}, {1000, "0"}, {4999, "0"},
    {5000, "0.01"}, {9999, "0.01"}, {10000, "0.01"}, {14999, "0.01"},
    {15000, "0.02"}, {19999, "0.02"}, {94999, "0.09"}, {95000, "0.1"},
    {99000, "0.1"}, {99999, "0.1"}, {100000, "0.1"}, {149000, "0.15"},
    {155000, "0.16"}, {199999, "0.2"}, {264900, "0.26"}, {264999, "0.26"},
    {265000, "0.27"}, {994999, "0.99"}, {995000, "1"}, {999999, "1"},
    {1000000, "1"}, {1049999, "1"}, {1050000, "1.1"}, {1090000, "1.1"},
    {1990000, "2"}, {9200000, "9.2"}, {9249999, "9.2"}, {9250000, "9.3"},
    {9949999, "9.9"}, {9950000, "10"}, {10000000, "10"},
    {10499999, "10"}, {10500000, "11"}, {47500000, "48"},
    {99499999, "99"}, {99500000, "100"}, {100499999, "100"},
    {100500000, "101"}, {140000000, "140"}, {1234500000, "1235"},
};

/* Resolution 0. */
static const DELAY_CASE delays_0[] = {
    {0, "0"}, {123456, "0"}, {499999, "0"}, {500000, "1"},
    {1234567, "1"}, {1500000, "2"}, {12345678, "12"},
};

/* Resolution 3. */
static const DELAY_CASE delays_3[] = {
    {123, "0"}, {1234, "0.001"}, {12345, "0.012"}, {123456, "0.12"},
    {499999, "0.5"}, {1234567, "1.2"}, {12345678, "12"},
};

/* Resolution 6. */
static const DELAY_CASE delays_6[] = {
    {0, "0"}, {1, "0.000001"}, {5, "0.000005"}, {49, "0.000049"},
    {50, "0.00005"}, {123, "0.00012"}, {1234, "0.0012"},
    {12345, "0.012"}, {499999, "0.5"}, {600000, "0.6"},
    {1500000, "1.5"}, {12345678, "12"},
};

static BUF *line;
static char *logged;

/* capture - a msg channel that keeps the last line */
static void
capture(enum msg_level level, const char *text)
{
    myfree(logged);
    logged = mystrdup(text);
}

/* setup - buffers and the default resolution */
static int
setup(void **state)
{
    line = buf_alloc(10);
    var_delay_logging_resolution_limit = 2;
    return 0;
}

/* teardown - free */
static int
teardown(void **state)
{
    buf_free(line);
    myfree(logged);
    logged = NULL;
    return 0;
}

/* times_for - time stamps with "a" = usec and the rest zero */
static void
times_for(DELIVER_TIMES *t, struct timeval *now, long long usec)
{
    memset(t, 0, sizeof(*t));
    t->arrival.tv_sec = 1796525351;
    t->arrival.tv_usec = 0;
    t->active.tv_sec = t->arrival.tv_sec + usec / 1000000;
    t->active.tv_usec = usec % 1000000;
    t->agent = t->active;
    *now = t->active;
}

/* check_cases - each case as the "a" delay of a whole line */
static void
check_cases(int limit, const DELAY_CASE *cases, size_t count)
{
    RECIPIENT rcpt = {.orig_addr = "", .address = "a@x.test"};
    DSN     dsn = {.status = "2.0.0", .reason = "disc"};
    DELIVER_TIMES t;
    struct timeval now;
    char    want[300];

    var_delay_logging_resolution_limit = limit;
    for (size_t i = 0; i < count; i++) {
        times_for(&t, &now, cases[i].usec);
        deliver_log_format(line, &rcpt, "none", &t, &now, "sent", &dsn);
        snprintf(want, sizeof(want), "to=<a@x.test>, relay=none, "
                 "delay=%s, delays=%s/0/0/0, dsn=2.0.0, status=sent (disc)",
                 cases[i].text, cases[i].text);
        assert_string_equal(buf_str(line), want);
    }
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* test_delays_default - Postfix's numbers at resolution 2 */
static void
test_delays_default(void **state)
{
    check_cases(2, delays_2, COUNT(delays_2));
}

/* test_delays_other_limits - resolution 0, 3 and 6 */
static void
test_delays_other_limits(void **state)
{
    check_cases(0, delays_0, COUNT(delays_0));
    check_cases(3, delays_3, COUNT(delays_3));
    check_cases(6, delays_6, COUNT(delays_6));
}

/* test_delay_format - the seconds form used by callers */
static void
test_delay_format(void **state)
{
    static const struct {
        double  seconds;
        const char *text;
    } cases[] = {
        {0, "0"}, {0.01, "0.01"}, {0.2, "0.2"}, {0.26, "0.26"},
        {9.2, "9.2"}, {47, "47"}, {140, "140"}, {1234, "1234"},
        {0.004, "0"}, {-3, "0"},
    };

    for (size_t i = 0; i < COUNT(cases); i++) {
        buf_reset(line);
        deliver_delay_format(line, cases[i].seconds);
        assert_string_equal(buf_str(line), cases[i].text);
    }
}

/* test_notes_lines - whole lines as Postfix's agents wrote them */
static void
test_notes_lines(void **state)
{
    RECIPIENT rcpt = {.orig_addr = "pfuser",
                      .address = "pfuser@mx.example.test"};
    DSN     dsn = {.status = "2.0.0", .reason = "delivered to mailbox"};
    DELIVER_TIMES t = {
        .arrival = {1796525351, 422364},
        .active = {1796525351, 543668},
        .agent = {1796525351, 617000},
    };
    struct timeval now = {1796525351, 627000};

    deliver_log_format(line, &rcpt, "local", &t, &now, "sent", &dsn);
    assert_string_equal(buf_str(line),
                        "to=<pfuser@mx.example.test>, orig_to=<pfuser>, "
                        "relay=local, delay=0.2, delays=0.12/0.07/0/0.01, "
                        "dsn=2.0.0, status=sent (delivered to mailbox)");

    /* An smtp line, with connection set-up time. */
    rcpt.orig_addr = "temp@rej.test";
    rcpt.address = "temp@rej.test";
    dsn.status = "4.3.0";
    dsn.reason = "host 127.0.0.1[127.0.0.1] said: 451 4.3.0 try later";
    t.conn_setup = (struct timeval) {1796525352, 0};
    now = (struct timeval) {1796525361, 200000};
    deliver_log_format(line, &rcpt, "127.0.0.1[127.0.0.1]:10926", &t, &now,
                       "deferred", &dsn);
    assert_string_equal(buf_str(line),
                        "to=<temp@rej.test>, relay=127.0.0.1[127.0.0.1]:10926,"
                        " delay=9.8, delays=0.12/0.07/0.38/9.2, dsn=4.3.0, "
                        "status=deferred (host 127.0.0.1[127.0.0.1] said: "
                        "451 4.3.0 try later)");
}

/* test_orig_to_rules - shown only when set and different ignoring case */
static void
test_orig_to_rules(void **state)
{
    static const struct {
        const char *orig;
        const char *rcpt;
        const char *want;
    } cases[] = {
        {"A@X.TEST", "a@x.test", "to=<a@x.test>, relay"},
        {"", "a@x.test", "to=<a@x.test>, relay"},
        {NULL, "a@x.test", "to=<a@x.test>, relay"},
        {"x", "a@x.test", "to=<a@x.test>, orig_to=<x>, relay"},
        /* External form, as Postfix logs them. */
        {"a b@x.test", "a b@x.test", "to=<\"a b\"@x.test>, relay"},
        {"o\"q@x", "\"quoted\"@x.test",
         "to=<\"\\\"quoted\\\"\"@x.test>, orig_to=<\"o\\\"q\"@x>, relay"},
        {"x", "", "to=<>, orig_to=<x>, relay"},
    };
    DSN     dsn = {.status = "2.0.0", .reason = "r"};
    DELIVER_TIMES t;
    struct timeval now;

    times_for(&t, &now, 0);
    for (size_t i = 0; i < COUNT(cases); i++) {
        RECIPIENT rcpt = {.orig_addr = (char *) cases[i].orig,
                          .address = (char *) cases[i].rcpt};

        deliver_log_format(line, &rcpt, "none", &t, &now, "sent", &dsn);
        assert_memory_equal(buf_str(line), cases[i].want,
                            strlen(cases[i].want));
    }
}

/* test_deliver_log - the logged line has the queue id and goes through
 * msg (which shows control characters as '?') */
static void
test_deliver_log(void **state)
{
    RECIPIENT rcpt = {.orig_addr = "x", .address = "a@x.test"};
    DSN     dsn = {.status = "2.0.0", .reason = "t6 \001 ctl"};
    const char *want = "42DC7A74011: to=<a@x.test>, orig_to=<x>, "
        "relay=none, delay=0, delays=0/0/0/0, dsn=2.0.0, ";
    DELIVER_TIMES t = {0};

    /* An hour ahead: the delays are 0 however slow this machine is
     * (a clock that went back logs 0, test_negative_and_missing). */
    gettimeofday(&t.arrival, NULL);
    t.arrival.tv_sec += 3600;
    t.active = t.agent = t.arrival;
    msg_output_reset();
    msg_output_add(capture);
    deliver_log("42DC7A74011", &rcpt, "none", &t, "sent", &dsn);
    msg_output_reset();
    assert_non_null(logged);
    assert_memory_equal(logged, want, strlen(want));
    assert_string_equal(logged + strlen(want), "status=sent (t6 ? ctl)");
}

/* test_negative_and_missing - clocks going back log 0, not garbage */
static void
test_negative_and_missing(void **state)
{
    RECIPIENT rcpt = {.orig_addr = "", .address = "a@x.test"};
    DSN     dsn = {.status = "4.0.0", .reason = NULL};
    DELIVER_TIMES t;
    struct timeval now;

    times_for(&t, &now, 5000000);
    t.active.tv_sec -= 10;
    deliver_log_format(line, &rcpt, "none", &t, &now, "deferred", &dsn);
    assert_string_equal(buf_str(line), "to=<a@x.test>, relay=none, "
                        "delay=5, delays=0/10/0/0, dsn=4.0.0, "
                        "status=deferred ()");
}

/* test_conn_use - a reused connection's count after the relay, as
 * Postfix 3.7's smtp logged it (observed); 0 and 1 show nothing */
static void
test_conn_use(void **state)
{
    RECIPIENT rcpt = {.orig_addr = "b@remote.test", .address = "b@remote.test"};
    DSN     dsn = {.status = "2.0.0", .reason = "250 2.0.0 Ok"};
    DELIVER_TIMES t;
    struct timeval now;
    const char *tail = "delay=0, delays=0/0/0/0, dsn=2.0.0, status=sent "
        "(250 2.0.0 Ok)";
    char    want[300];

    times_for(&t, &now, 0);
    t.conn_use = 2;
    deliver_log_format(line, &rcpt, "127.0.0.1[127.0.0.1]:27125", &t, &now,
                       "sent", &dsn);
    snprintf(want, sizeof(want), "to=<b@remote.test>, "
             "relay=127.0.0.1[127.0.0.1]:27125, conn_use=2, %s", tail);
    assert_string_equal(buf_str(line), want);
    for (int count = 0; count < 2; count++) {
        t.conn_use = count;
        deliver_log_format(line, &rcpt, "127.0.0.1[127.0.0.1]:27125", &t,
                           &now, "sent", &dsn);
        snprintf(want, sizeof(want), "to=<b@remote.test>, "
                 "relay=127.0.0.1[127.0.0.1]:27125, %s", tail);
        assert_string_equal(buf_str(line), want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_delays_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delays_other_limits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_delay_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notes_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orig_to_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deliver_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negative_and_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_conn_use, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
