/* test_verify_clnt - unit tests for the address verification client.
 *
 * A fake verify service (status_fixture.h) greets as Postfix 3.7's does
 * ("address_verification_prrotocol", its spelling), records the request
 * and answers as told. The request and answer bytes are those observed
 * between Debian's Postfix 3.7 smtpd, local and verify (docs/verify.md);
 * every failure of the service is VRFY_STAT_FAIL or _BAD with a
 * reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "status_fixture.h"
#include "verify_clnt.h"

#define VGREETING   "protocol\0address_verification_prrotocol\0"

static const char *const verify[] = {"verify", NULL};

/* setup - the fixture and the service name */
static int
setup(void **state)
{
    var_address_verify_service_name = "verify";
    return fixture_setup(state);
}

/* serve - the fake service with this answer (NULL: hang up) */
static void
serve(const char *greeting, size_t greeting_len, const char *answer,
      size_t answer_len)
{
    fixture_serve(verify, greeting, greeting_len, answer, answer_len);
}

/* one_request - the fake service read exactly want */
static void
one_request(const char *want, size_t len)
{
    fixture_served();
    assert_int_equal(fixture_count, 1);
    assert_string_equal(fixture_name[0], "verify");
    assert_int_equal(buf_len(fixture_got[0]), len);
    assert_memory_equal(buf_str(fixture_got[0]), want, len);
}

/* test_query_in_progress - smtpd's first query: to do */
static void
test_query_in_progress(void **state)
{
    static const char answer[] = "status\0" "0\0recipient_status\0" "3\0"
        "reason\0Address verification in progress\0";
    static const char want[] = "request\0query\0address\0"
        "nobody@mx.example.test\0";
    int     addr_status = -1;

    serve(VGREETING, sizeof(VGREETING), answer, sizeof(answer));
    assert_int_equal(verify_clnt_query("nobody@mx.example.test", &addr_status,
                                       why), VRFY_STAT_OK);
    assert_int_equal(addr_status, VRFY_ADDR_TODO);
    assert_string_equal(buf_str(why), VRFY_TEXT_IN_PROGRESS);
    one_request(want, sizeof(want));
}

/* test_query_bounced - a cached failure with its text */
static void
test_query_bounced(void **state)
{
    static const char answer[] = "status\0" "0\0recipient_status\0" "2\0"
        "reason\0unknown user: \"nosuch\"\0";
    int     addr_status = -1;

    serve(VGREETING, sizeof(VGREETING), answer, sizeof(answer));
    assert_int_equal(verify_clnt_query("nosuch@mx.example.test", &addr_status,
                                       why), VRFY_STAT_OK);
    assert_int_equal(addr_status, VRFY_ADDR_BOUNCE);
    assert_string_equal(buf_str(why), "unknown user: \"nosuch\"");
}

/* test_update - local's update for a probe */
static void
test_update(void **state)
{
    static const char want[] = "request\0update\0address\0"
        "nosuch@mx.example.test\0recipient_status\0" "2\0"
        "reason\0unknown user: \"nosuch\"\0";

    serve(VGREETING, sizeof(VGREETING), STATUS_OK, sizeof(STATUS_OK));
    assert_int_equal(verify_clnt_update("nosuch@mx.example.test",
                                        VRFY_ADDR_BOUNCE,
                                        "unknown user: \"nosuch\"", why),
                     VRFY_STAT_OK);
    one_request(want, sizeof(want));
}

/* test_update_refused - the service answers status -2 */
static void
test_update_refused(void **state)
{
    static const char answer[] = "status\0-2\0";

    serve(VGREETING, sizeof(VGREETING), answer, sizeof(answer));
    assert_int_equal(verify_clnt_update("a@b", 7, "x", why), VRFY_STAT_BAD);
    assert_string_equal(buf_str(why), "private/verify answered status -2");
}

/* test_no_service - nothing listens */
static void
test_no_service(void **state)
{
    int     addr_status;

    assert_int_equal(verify_clnt_query("a@b", &addr_status, why),
                     VRFY_STAT_FAIL);
    assert_string_equal(buf_str(why), "connect to private/verify: No such "
                        "file or directory");
}

/* test_wrong_greeting - another service on the socket */
static void
test_wrong_greeting(void **state)
{
    serve(GREETING, sizeof(GREETING), STATUS_OK, sizeof(STATUS_OK));
    assert_int_equal(verify_clnt_update("a@b", 0, "x", why), VRFY_STAT_FAIL);
    assert_string_equal(buf_str(why), "unexpected protocol "
                        "\"delivery_status_protocol\" from private/verify");
}

/* test_hang_up - the service reads the request and hangs up */
static void
test_hang_up(void **state)
{
    int     addr_status;

    serve(VGREETING, sizeof(VGREETING), NULL, 0);
    assert_int_equal(verify_clnt_query("a@b", &addr_status, why),
                     VRFY_STAT_FAIL);
    assert_string_equal(buf_str(why), "lost connection with private/verify "
                        "while reading the answer");
}

/* test_short_answer - an answer without the address status */
static void
test_short_answer(void **state)
{
    int     addr_status;

    serve(VGREETING, sizeof(VGREETING), STATUS_OK, sizeof(STATUS_OK));
    assert_int_equal(verify_clnt_query("a@b", &addr_status, why),
                     VRFY_STAT_FAIL);
    assert_string_equal(buf_str(why), "malformed reply from private/verify "
                        "while reading the answer");
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, setup, fixture_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_query_in_progress), TEST(test_query_bounced),
        TEST(test_update), TEST(test_update_refused), TEST(test_no_service),
        TEST(test_wrong_greeting), TEST(test_hang_up),
        TEST(test_short_answer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
