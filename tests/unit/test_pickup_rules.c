/* test_pickup_rules - unit tests for the rules that decide which records
 * of a maildrop file pickup passes to cleanup (src/pickup/pickup_rules.c).
 *
 * A user's file must hold what postdrop writes, and only sendmail's
 * attributes pass. A file that "postsuper -r" put back passes as it is,
 * but for what Debian's Postfix 3.7 pickup was seen leaving out (strace of
 * its pickup): content filter and redirect records, and in the extracted
 * section Return-Receipt-To, Errors-To and attributes other than the
 * per-recipient and DSN ones. The rules are pure, so the test compiles
 * them in directly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/pickup/pickup_rules.c"
#include "msg_output.h"

static BUF *why;
#include "msg_capture.h"
static PICKUP_RULES rules;

/* setup - fresh rules state and the warning capture */
static int
setup(void **state)
{
    why = buf_alloc(100);
    logged = buf_alloc(100);
    rules = (PICKUP_RULES) {.queue_id = "NEWID", .uid = 1000, .why = why};
    msg_output_reset();
    msg_output_add(capture);
    return 0;
}

/* teardown - free the buffers */
static int
teardown(void **state)
{
    msg_output_reset();
    buf_free(why);
    buf_free(logged);
    return 0;
}

/* One record and what the rules must say about it. */
typedef struct CASE {
    int     type;
    const char *data;
    REC_SECTION section;
    int     want;                       /* PICKUP_RULE_*, PICKUP_COPY_BAD */
} CASE;

#define ENV     REC_SECT_ENVELOPE
#define CONT    REC_SECT_CONTENT
#define XTRA    REC_SECT_EXTRACTED
#define SEND    PICKUP_RULE_SEND
#define DROP    PICKUP_RULE_DROP
#define BAD     PICKUP_COPY_BAD

/* check - the records in order through fn; each verdict as wanted */
static void
check(PICKUP_RULE_FN fn, const CASE *cases, size_t count)
{
    for (size_t i = 0; i < count; i++)
        assert_int_equal(fn(&rules, cases[i].type, cases[i].data,
                            strlen(cases[i].data), 42, cases[i].section),
                         cases[i].want);
}

#define CHECK(fn, cases) check((fn), (cases), sizeof(cases) / sizeof(cases[0]))

static void
test_user_file_as_postdrop_writes_it(void **state)
{
    static const CASE cases[] = {
        {'T', "1796521220 665434", ENV, SEND},
        {'A', "rewrite_context=local", ENV, SEND},
        {'S', "a@x.test", ENV, SEND},
        {'R', "b@x.test", ENV, SEND},
        {'M', "", ENV, SEND},
        {'L', "part", CONT, SEND},
        {'N', "line", CONT, SEND},
        {'X', "", CONT, SEND},
        {'A', "notify_flags=2", XTRA, SEND},
        {'E', "", XTRA, SEND},
    };

    CHECK(pickup_rules_postdrop, cases);
    assert_string_equal(buf_str(logged), "");
}

static void
test_user_file_forged_attribute(void **state)
{
    static const CASE cases[] = {
        {'T', "1 0", ENV, SEND},
        {'A', "client_address=192.0.2.1", ENV, DROP},
    };

    CHECK(pickup_rules_postdrop, cases);
    assert_string_equal(buf_str(logged), "warning: NEWID: uid=1000: "
                        "ignoring attribute record: client_address\n");
}

/* test_user_file_trace_flags - sendmail -bv's "trace_flags=512" passes;
 * an address probe's 256 (or anything else) is a forged attribute */
static void
test_user_file_trace_flags(void **state)
{
    static const CASE cases[] = {
        {'T', "1 0", ENV, SEND},
        {'A', "trace_flags=512", ENV, SEND},
        {'A', "trace_flags=256", ENV, DROP},
        {'A', "trace_flags=5120", ENV, DROP},
    };

    CHECK(pickup_rules_postdrop, cases);
    assert_string_equal(buf_str(logged), "warning: NEWID: uid=1000: "
                        "ignoring attribute record: trace_flags\n"
                        "warning: NEWID: uid=1000: "
                        "ignoring attribute record: trace_flags\n");
}

/* bad - a record of a user's file that must make it damaged, and why */
static void
bad(int type, const char *data, size_t len, const char *reason)
{
    assert_int_equal(pickup_rules_postdrop(&rules, type, data, len, 42, ENV),
                     BAD);
    assert_string_equal(buf_str(why), reason);
}

static void
test_user_file_damaged(void **state)
{
    /* A size record first: what a requeued file has, not a user's. */
    bad('C', "0 0 0", 5, "first record is not the arrival time: record "
        "type 67 at offset 42");
    bad('T', "1 0", 3, "second arrival time record at offset 42");
    bad('D', "a@x.test", 8, "unexpected record type 68 at offset 42");
    bad('W', "1", 1, "unexpected record type 87 at offset 42");
    bad('M', "x", 1, "record type 77 is not empty at offset 42");
    bad('R', "a\0b", 3, "null byte in record type 82 at offset 42");
    assert_int_equal(pickup_rules_postdrop(&rules, 'S', "a", 1, 42, ENV),
                     SEND);
    bad('S', "b", 1, "second sender record at offset 42");
}

static void
test_requeued_file_as_it_is(void **state)
{
    static const CASE cases[] = {
        {'C', "  1  2  3", ENV, SEND},
        {'T', "1796521220 665434", ENV, SEND},
        {'A', "create_time=1796521220", ENV, SEND},
        {'A', "log_client_address=192.0.2.1", ENV, SEND},
        {'F', "Full Name", ENV, SEND},
        {'S', "a@x.test", ENV, SEND},
        {'W', "             -1", ENV, SEND},
        {'V', "+=", ENV, SEND},
        {'I', "inspector", ENV, SEND},
        {'O', "b@x.test", ENV, SEND},
        {'D', "b@x.test", ENV, SEND},
        {'/', "c@x.test", ENV, SEND},
        {'R', "d@x.test", ENV, SEND},
        {'M', "", ENV, SEND},
        {'N', "line", CONT, SEND},
        {'L', "part of a line", CONT, SEND},
        {'X', "", CONT, SEND},
        {'A', "dsn_orig_rcpt=rfc822;e@x.test", XTRA, SEND},
        {'A', "notify_flags=2", XTRA, SEND},
        {'A', "envelope_id=E", XTRA, SEND},
        {'A', "ret_flags=1", XTRA, SEND},
        {'A', "create_time=1", XTRA, SEND},
        {'O', "e@x.test", XTRA, SEND},
        {'D', "e@x.test", XTRA, SEND},
        {'R', "f@x.test", XTRA, SEND},
        {'E', "", XTRA, SEND},
    };

    CHECK(pickup_rules_requeued, cases);
    assert_string_equal(buf_str(logged), "");
}

static void
test_requeued_file_left_out(void **state)
{
    static const CASE cases[] = {
        {'L', "smtp:[127.0.0.1]:10025", ENV, DROP},
        {'>', "r@x.test", ENV, DROP},
        {'L', "smtp:[127.0.0.1]:10025", XTRA, DROP},
        {'>', "r@x.test", XTRA, DROP},
        {'r', "receipt@x.test", XTRA, DROP},
        {'e', "errors@x.test", XTRA, DROP},
        {'A', "rewrite_context=local", XTRA, DROP},
        {'p', "0", ENV, DROP}, {'p', "0", CONT, DROP}, {'p', "0", XTRA, DROP},
        {'w', "", ENV, DROP}, {'w', "", CONT, DROP}, {'w', "", XTRA, DROP},
    };

    CHECK(pickup_rules_requeued, cases);
    assert_string_equal(buf_str(logged), "");
}

static void
test_requeued_file_damaged(void **state)
{
    /* Types that Postern's cleanup never writes, or misplaced ones. */
    static const CASE cases[] = {
        {'K', "", ENV, BAD},
        {'f', "1", ENV, BAD},
        {'F', "Name", XTRA, BAD},
        {'W', "1", XTRA, BAD},
        {'S', "a@x.test", CONT, BAD},
        {0, "", ENV, BAD},
        {'P', "5", ENV, BAD},
    };

    CHECK(pickup_rules_requeued, cases);
    assert_string_equal(buf_str(why), "unexpected record type 80 at "
                        "offset 42");
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_user_file_as_postdrop_writes_it),
        T(test_user_file_forged_attribute),
        T(test_user_file_trace_flags),
        T(test_user_file_damaged),
        T(test_requeued_file_as_it_is),
        T(test_requeued_file_left_out),
        T(test_requeued_file_damaged),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
