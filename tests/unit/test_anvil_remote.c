/* test_anvil_remote - unit tests for anvil's table of remote clients
 * (src/anvil/anvil_remote.c): the counters, the time unit, the expiry of
 * entries without connections, and the statistics lines, whose words
 * are those Debian's Postfix 3.7 anvil logged (docs/anvil.md). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

#include "../../src/anvil/anvil_remote.c"
#include "msg_capture.h"

/* setup - a fresh table, a one-second time unit, the log capture */
static int
setup(void **state)
{
    (void) state;
    var_anvil_rate_time_unit = 1;
    anvil_remote_init();
    logged = buf_alloc(100);
    msg_output_add(capture);
    return 0;
}

/* test_counters - connections, rates and open connections */
static void
test_counters(void **state)
{
    ANVIL_REMOTE *r;

    (void) state;
    r = anvil_remote_event("smtp:192.0.2.1", ANVIL_EV_CONN);
    assert_int_equal(r->count, 1);
    assert_int_equal(r->rate, 1);
    assert_ptr_equal(anvil_remote_event("smtp:192.0.2.1", ANVIL_EV_CONN), r);
    assert_int_equal(r->count, 2);
    assert_int_equal(r->rate, 2);
    anvil_remote_event("smtp:192.0.2.1", ANVIL_EV_MAIL);
    anvil_remote_event("smtp:192.0.2.1", ANVIL_EV_RCPT);
    anvil_remote_event("smtp:192.0.2.1", ANVIL_EV_RCPT);
    anvil_remote_event("smtp:192.0.2.1", ANVIL_EV_NTLS);
    anvil_remote_event("smtp:192.0.2.1", ANVIL_EV_AUTH);
    assert_int_equal(anvil_remote_event_rate(r, ANVIL_EV_MAIL), 1);
    assert_int_equal(anvil_remote_event_rate(r, ANVIL_EV_RCPT), 2);
    assert_int_equal(r->ntls, 1);
    assert_int_equal(r->auth, 1);
    anvil_remote_drop(r);
    anvil_remote_drop(r);
    assert_int_equal(r->count, 0);
    anvil_remote_drop(r);                       /* never below zero */
    assert_int_equal(r->count, 0);
    assert_null(anvil_remote_find("smtp:192.0.2.2"));
}

/* test_time_unit_and_expiry - rates restart after a time unit; an
 * entry without connections goes after one */
static void
test_time_unit_and_expiry(void **state)
{
    ANVIL_REMOTE *kept, *gone;

    (void) state;
    kept = anvil_remote_event("smtp:198.51.100.1", ANVIL_EV_CONN);
    gone = anvil_remote_event("smtp:198.51.100.2", ANVIL_EV_MAIL);
    assert_int_equal(gone->count, 0);
    sleep(2);
    event_loop(0);                              /* the clock, the timers */
    assert_null(anvil_remote_find("smtp:198.51.100.2"));
    assert_ptr_equal(anvil_remote_find("smtp:198.51.100.1"), kept);
    anvil_remote_event("smtp:198.51.100.1", ANVIL_EV_CONN);
    assert_int_equal(kept->rate, 1);            /* a new time unit */
    assert_int_equal(kept->count, 2);
    kept->mail = 5;
    sleep(2);
    event_loop(0);
    anvil_remote_fresh(kept);
    assert_int_equal(kept->mail, 0);
}

/* test_statistics - the peaks, logged once */
static void
test_statistics(void **state)
{
    (void) state;
    anvil_remote_stats();                       /* forget earlier tests */
    buf_reset(logged);
    anvil_remote_max_count(anvil_remote_event("smtp:203.0.113.1",
                                              ANVIL_EV_CONN));
    anvil_remote_event("smtp:203.0.113.1", ANVIL_EV_CONN);
    anvil_remote_event("smtp:203.0.113.9", ANVIL_EV_RCPT);
    anvil_remote_stats();
    assert_non_null(strstr(buf_str(logged), "statistics: max connection "
                           "rate 2/1s for (smtp:203.0.113.1) at "));
    assert_non_null(strstr(buf_str(logged), "statistics: max connection "
                           "count 1 for (smtp:203.0.113.1) at "));
    assert_non_null(strstr(buf_str(logged), "statistics: max recipient "
                           "rate 1/1s for (smtp:203.0.113.9) at "));
    assert_non_null(strstr(buf_str(logged), "statistics: max cache size "));
    assert_null(strstr(buf_str(logged), "message rate"));
    buf_reset(logged);
    anvil_remote_stats();
    assert_int_equal(buf_len(logged), 0);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_time_unit_and_expiry),
        cmocka_unit_test(test_statistics),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
