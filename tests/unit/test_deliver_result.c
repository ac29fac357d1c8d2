/* test_deliver_result - unit tests for what an agent does with each
 * recipient's outcome.
 *
 * A fake status service (status_fixture.h) records the appends; a file
 * with 'R' bytes at known offsets stands in for the queue file. The
 * expected appends, log lines, warnings and done marks are those of
 * Debian's Postfix 3.7 error(8) and discard(8) and of local(8)
 * (../notes/deliver-protocol.md 2, 3.1, 4.1, 5, and docs/protocols/
 * delivery.md): which service is told, in which order, with which
 * flags and action, what happens when a service is missing, and which
 * recipients are marked done. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "deliver_request.h"
#include "deliver_result.h"
#include "status_fixture.h"

#define QID     "CF590A746C7"

static const char *const all[] = {"bounce", "defer", "trace", NULL};

static DELIVER_REQUEST req;
static RECIPIENT rcpt[3];

/* setup - the fixture, a "queue file" and a request for it */
static int
setup(void **state)
{
    static const char file[] = "C01234567R0123456789R0123456789R0123";
    int     fd;

    if (fixture_setup(state) < 0
        || (fd = open("qfile", O_RDWR | O_CREAT, 0600)) < 0
        || write(fd, file, sizeof(file) - 1) != sizeof(file) - 1)
        return -1;
    var_delay_logging_resolution_limit = 2;
    memset(&req, 0, sizeof(req));
    req.flags = DEL_REQ_FLAG_DEFAULT;
    req.queue_name = "active";
    req.queue_id = QID;
    req.fd = fd;
    req.status = DELIVER_STAT_OK;
    gettimeofday(&req.times.arrival, NULL);
    req.times.active = req.times.agent = req.times.arrival;
    rcpt[0] = (RECIPIENT) {"pfuser", "pfuser@mx.example.test", 9,
                           "rfc822;pfuser@mx.example.test", 0};
    rcpt[1] = (RECIPIENT) {"x@err.test", "x@err.test", 20,
                           "rfc822;x@err.test", 0};
    rcpt[2] = (RECIPIENT) {"b@x.test", "b@x.test", 31, "rfc822;b@x.test", 0};
    req.rcpt = rcpt;
    req.rcpt_count = 3;
    return 0;
}

/* teardown - close the file, then the fixture */
static int
teardown(void **state)
{
    close(req.fd);
    return fixture_teardown(state);
}

/* marks - the type byte at each recipient offset, e.g. "DRR" */
static const char *
marks(void)
{
    static char out[4];

    for (int i = 0; i < 3; i++)
        if (pread(req.fd, out + i, 1, rcpt[i].offset) != 1)
            out[i] = '?';
    out[3] = 0;
    return out;
}

/* logged - the info lines without the time fields "delay=..., " and
 * "delays=.../.../.../..., " (they depend on the clock) */
static const char *
logged(void)
{
    static BUF *out;
    const char *cp = buf_str(fixture_infos);
    const char *delay;
    const char *dsn;

    if (out == NULL)
        out = buf_alloc(100);
    buf_reset(out);
    while ((delay = strstr(cp, "delay=")) != NULL
           && (dsn = strstr(delay, "dsn=")) != NULL) {
        buf_append(out, cp, (size_t) (delay - cp));
        cp = dsn;
    }
    buf_strcat(out, cp);
    return buf_str(out);
}

/* request - the nth recorded request as text, NULs shown as '|' */
static const char *
request(int n)
{
    static char text[1000];
    size_t  len = buf_len(fixture_got[n]);

    assert_true(len < sizeof(text));
    memcpy(text, buf_str(fixture_got[n]), len);
    for (size_t i = 0; i < len; i++)
        if (text[i] == 0)
            text[i] = '|';
    text[len] = 0;
    return text;
}

/* test_sent_plain - no status service, log line, mark */
static void
test_sent_plain(void **state)
{
    DSN     dsn = {.status = "2.0.0", .reason = "delivered to mailbox"};

    fixture_serve_ok(all);
    assert_int_equal(deliver_sent(&req, rcpt, "local", &dsn), 0);
    fixture_served();
    assert_int_equal(fixture_count, 0);
    assert_string_equal(logged(), QID ": to=<pfuser@mx.example.test>, "
                        "orig_to=<pfuser>, relay=local, dsn=2.0.0, "
                        "status=sent (delivered to mailbox)\n");
    assert_string_equal(marks(), "DRR");
    assert_true(req.marked);
    assert_int_equal(req.status, DELIVER_STAT_OK);
    assert_string_equal(buf_str(fixture_warnings), "");
}

/* test_sent_success_notice - NOTIFY=SUCCESS: the notes' trace append */
static void
test_sent_success_notice(void **state)
{
    DSN     dsn = {.status = "2.0.0", .reason = "delivered to mailbox"};

    rcpt[0].dsn_notify = DSN_NOTIFY_SUCCESS;
    fixture_serve_ok(all);
    assert_int_equal(deliver_sent(&req, rcpt, "local", &dsn), 0);
    fixture_served();
    assert_int_equal(fixture_count, 1);
    assert_string_equal(fixture_name[0], "trace");
    assert_string_equal(request(0), "nrequest|0|flags|0|queue_id|" QID
                        "|original_recipient|pfuser|recipient|"
                        "pfuser@mx.example.test|offset|9|dsn_orig_rcpt|"
                        "rfc822;pfuser@mx.example.test|notify_flags|2|"
                        "status|2.0.0|diag_type||diag_text||mta_type||"
                        "mta_mname||action|delivered|reason|delivery via "
                        "local: delivered to mailbox||");
    assert_string_equal(logged(), QID ": to=<pfuser@mx.example.test>, "
                        "orig_to=<pfuser>, relay=local, dsn=2.0.0, "
                        "status=sent (delivered to mailbox)\n");
    assert_string_equal(marks(), "DRR");
}

/* test_sent_unmarked - without DEL_REQ_FLAG_SUCCESS nothing is marked;
 * sendmail -v traces without the "delivery via" prefix for relay none;
 * a wrong class is replaced, with Postfix's warning */
static void
test_sent_unmarked(void **state)
{
    DSN     dsn = {.status = "5.1.1", .reason = "disc text",
                   .action = "relayed"};

    req.flags = DEL_REQ_FLAG_RECORD;
    fixture_serve_ok(all);
    assert_int_equal(deliver_sent(&req, rcpt + 1, "none", &dsn), 0);
    fixture_served();
    assert_string_equal(buf_str(fixture_warnings),
                        "sent: ignoring dsn code \"5.1.1\"\n");
    assert_int_equal(fixture_count, 1);
    assert_string_equal(request(0), "nrequest|0|flags|1024|queue_id|" QID
                        "|original_recipient|x@err.test|recipient|"
                        "x@err.test|offset|20|dsn_orig_rcpt|"
                        "rfc822;x@err.test|notify_flags|0|status|2.0.0|"
                        "diag_type||diag_text||mta_type||mta_mname||"
                        "action|relayed|reason|disc text||");
    assert_string_equal(marks(), "RRR");
    assert_false(req.marked);
}

/* test_sent_trace_failure - no trace service: deferred instead */
static void
test_sent_trace_failure(void **state)
{
    static const char *const defer_only[] = {"defer", NULL};
    DSN     dsn = {.status = "2.0.0", .reason = "disc"};

    rcpt[1].dsn_notify = DSN_NOTIFY_SUCCESS;
    fixture_serve_ok(defer_only);
    assert_int_equal(deliver_sent(&req, rcpt + 1, "none", &dsn), -1);
    fixture_served();
    assert_string_equal(buf_str(fixture_warnings),
                        "connect to private/trace: No such file or "
                        "directory\n" QID ": trace service failure\n");
    assert_int_equal(fixture_count, 1);
    assert_string_equal(fixture_name[0], "defer");
    assert_non_null(strstr(request(0), "|status|4.3.0|diag_type||diag_text"
                           "||mta_type||mta_mname||action|delayed|reason|"
                           QID ": trace service failed||"));
    assert_string_equal(logged(), QID ": to=<x@err.test>, relay=none, "
                        "dsn=4.3.0, status=deferred (" QID ": trace service "
                        "failed)\n");
    assert_string_equal(marks(), "RRR");
    assert_int_equal(req.status, DELIVER_STAT_DEFER);
}

/* test_bounced - the notes' error agent append, and the mark */
static void
test_bounced(void **state)
{
    DSN     dsn = {.status = "5.7.1", .reason = "nope from error transport"};

    fixture_serve_ok(all);
    assert_int_equal(deliver_bounced(&req, rcpt + 1, "none", &dsn), 0);
    fixture_served();
    assert_int_equal(fixture_count, 1);
    assert_string_equal(fixture_name[0], "bounce");
    assert_string_equal(request(0), "nrequest|0|flags|0|queue_id|" QID
                        "|original_recipient|x@err.test|recipient|"
                        "x@err.test|offset|20|dsn_orig_rcpt|"
                        "rfc822;x@err.test|notify_flags|0|status|5.7.1|"
                        "diag_type||diag_text||mta_type||mta_mname||"
                        "action|failed|reason|nope from error transport||");
    assert_string_equal(logged(), QID ": to=<x@err.test>, relay=none, "
                        "dsn=5.7.1, status=bounced (nope from error "
                        "transport)\n");
    assert_string_equal(marks(), "RDR");
    assert_int_equal(req.status, DELIVER_STAT_OK);
}

/* test_bounced_unmarked - without DEL_REQ_FLAG_BOUNCE (an agent that
 * marks later) the bounce is reported, not marked */
static void
test_bounced_unmarked(void **state)
{
    DSN     dsn = {.status = "5.1.1", .reason = "unknown user"};

    req.flags = DEL_REQ_FLAG_SUCCESS;
    fixture_serve_ok(all);
    assert_int_equal(deliver_bounced(&req, rcpt, "local", &dsn), 0);
    fixture_served();
    assert_int_equal(fixture_count, 1);
    assert_string_equal(marks(), "RRR");
    assert_false(req.marked);
    assert_int_equal(req.status, DELIVER_STAT_OK);
}

/* test_bounced_recorded - sendmail -v: bounce, then trace */
static void
test_bounced_recorded(void **state)
{
    DSN     dsn = {.status = "4.7.1", .reason = "err text"};

    req.flags = 1027;
    fixture_serve_ok(all);
    assert_int_equal(deliver_bounced(&req, rcpt + 1, "none", &dsn), 0);
    fixture_served();
    assert_string_equal(buf_str(fixture_warnings),
                        "bounce_append: ignoring dsn code \"4.7.1\"\n");
    assert_int_equal(fixture_count, 2);
    assert_string_equal(fixture_name[0], "bounce");
    assert_string_equal(fixture_name[1], "trace");
    assert_string_equal(request(0), request(1));
    assert_non_null(strstr(request(0), "|flags|1024|"));
    assert_non_null(strstr(request(0), "|status|5.0.0|"));
    assert_string_equal(marks(), "RDR");
}

/* test_bounce_failure - no bounce service: deferred instead */
static void
test_bounce_failure(void **state)
{
    static const char *const defer_only[] = {"defer", NULL};
    DSN     dsn = {.status = "5.7.1", .reason = "err text"};

    fixture_serve_ok(defer_only);
    assert_int_equal(deliver_bounced(&req, rcpt + 1, "none", &dsn), -1);
    fixture_served();
    assert_string_equal(buf_str(fixture_warnings),
                        "connect to private/bounce: No such file or "
                        "directory\n");
    assert_int_equal(fixture_count, 1);
    assert_string_equal(fixture_name[0], "defer");
    assert_string_equal(logged(), QID ": to=<x@err.test>, relay=none, "
                        "dsn=4.3.0, status=deferred (bounce or trace service "
                        "failure)\n");
    assert_string_equal(marks(), "RRR");
    assert_int_equal(req.status, DELIVER_STAT_DEFER);
}

/* test_deferred - a defer append, never a mark; a missing defer service
 * is only logged */
static void
test_deferred(void **state)
{
    DSN     dsn = {.status = "4.4.1", .reason = "retry text"};

    fixture_serve_ok(all);
    assert_int_equal(deliver_deferred(&req, rcpt + 2, "none", &dsn), -1);
    fixture_served();
    assert_int_equal(fixture_count, 1);
    assert_string_equal(fixture_name[0], "defer");
    assert_non_null(strstr(request(0), "|action|delayed|reason|retry text"));
    assert_string_equal(marks(), "RRR");
    assert_int_equal(req.status, DELIVER_STAT_DEFER);

    /* The socket is still there, as in Postfix's observed case. */
    buf_reset(fixture_infos);
    assert_int_equal(deliver_deferred(&req, rcpt + 2, "none", &dsn), -1);
    assert_string_equal(buf_str(fixture_warnings),
                        "connect to private/defer: Connection refused\n"
                        QID ": defer service failure\n");
    assert_string_equal(logged(), QID ": to=<b@x.test>, relay=none, "
                        "dsn=4.4.1, status=deferred (retry text)\n");
}

/* test_verify - sendmail -bv: trace only, deliverable/undeliverable,
 * finished and marked (as Postfix), even a temporary failure */
static void
test_verify(void **state)
{
    DSN     sent = {.status = "2.0.0", .reason = "delivers to maildir"};
    DSN     bounced = {.status = "5.7.1", .reason = "err text"};
    DSN     deferred = {.status = "4.4.1", .reason = "retry text"};

    req.flags = 515;
    fixture_serve_ok(all);
    assert_int_equal(deliver_sent(&req, rcpt, "local", &sent), 0);
    assert_int_equal(deliver_bounced(&req, rcpt + 1, "none", &bounced), 0);
    assert_int_equal(deliver_deferred(&req, rcpt + 2, "none", &deferred), 0);
    fixture_served();
    assert_int_equal(fixture_count, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(fixture_name[i], "trace");
        assert_non_null(strstr(request(i), "|flags|512|"));
    }
    assert_non_null(strstr(request(0), "|action|deliverable|reason|"
                           "delivery via local: delivers to maildir||"));
    assert_non_null(strstr(request(1), "|action|undeliverable|reason|"
                           "err text||"));
    assert_non_null(strstr(request(2), "|status|4.4.1|"));
    assert_string_equal(logged(),
                        QID ": to=<pfuser@mx.example.test>, orig_to=<pfuser>,"
                        " relay=local, dsn=2.0.0, status=deliverable "
                        "(delivers to maildir)\n"
                        QID ": to=<x@err.test>, relay=none, dsn=5.7.1, "
                        "status=undeliverable (err text)\n"
                        QID ": to=<b@x.test>, relay=none, dsn=4.4.1, "
                        "status=undeliverable (retry text)\n");
    assert_string_equal(marks(), "DDD");
    assert_int_equal(req.status, DELIVER_STAT_OK);
}

/* test_verify_failure - no trace service: no log line, deferred */
static void
test_verify_failure(void **state)
{
    DSN     sent = {.status = "2.0.0", .reason = "disc"};

    req.flags = 515;
    assert_int_equal(deliver_sent(&req, rcpt + 1, "none", &sent), -1);
    assert_string_equal(buf_str(fixture_warnings),
                        "connect to private/trace: No such file or "
                        "directory\n" QID ": trace service failure\n");
    assert_string_equal(logged(), "");
    assert_string_equal(marks(), "RRR");
    assert_int_equal(req.status, DELIVER_STAT_DEFER);
}

#define VRFY_GREETING   "protocol\0address_verification_prrotocol\0"

/* test_probe - an address probe: the verify service gets the original
 * recipient and the recipient with their status and reason (Postfix's
 * verify_append()), then the log line and the mark */
static void
test_probe(void **state)
{
    static const char *const verify[] = {"verify", NULL};
    DSN     sent = {.status = "2.0.0", .reason = "delivers to mailbox"};
    DSN     deferred = {.status = "4.4.1", .reason = "later"};

    var_address_verify_service_name = "verify";
    req.flags = DEL_REQ_FLAG_DEFAULT | DEL_REQ_FLAG_MTA_VRFY;
    fixture_serve(verify, VRFY_GREETING, sizeof(VRFY_GREETING), STATUS_OK,
                  sizeof(STATUS_OK));
    assert_int_equal(deliver_sent(&req, rcpt, "local", &sent), 0);
    assert_int_equal(deliver_deferred(&req, rcpt + 1, "none", &deferred), 0);
    fixture_served();
    assert_int_equal(fixture_count, 3);
    assert_string_equal(request(0), "request|update|address|pfuser|"
                        "recipient_status|0|reason|delivers to mailbox||");
    assert_string_equal(request(1), "request|update|address|"
                        "pfuser@mx.example.test|recipient_status|0|reason|"
                        "delivers to mailbox||");
    assert_string_equal(request(2), "request|update|address|x@err.test|"
                        "recipient_status|1|reason|later||");
    assert_string_equal(buf_str(fixture_warnings), "");
    assert_string_equal(logged(),
                        QID ": to=<pfuser@mx.example.test>, orig_to=<pfuser>,"
                        " relay=local, dsn=2.0.0, status=deliverable "
                        "(delivers to mailbox)\n"
                        QID ": to=<x@err.test>, relay=none, dsn=4.4.1, "
                        "status=undeliverable (later)\n");
    assert_string_equal(marks(), "DDR");
    assert_int_equal(req.status, DELIVER_STAT_OK);
}

/* test_probe_failure - no verify service: a warning, no log line,
 * deferred, not marked */
static void
test_probe_failure(void **state)
{
    DSN     bounced = {.status = "5.1.1", .reason = "unknown user"};

    var_address_verify_service_name = "verify";
    req.flags = DEL_REQ_FLAG_DEFAULT | DEL_REQ_FLAG_MTA_VRFY;
    assert_int_equal(deliver_bounced(&req, rcpt + 2, "local", &bounced), -1);
    assert_string_equal(buf_str(fixture_warnings),
                        "connect to private/verify: No such file or "
                        "directory\n" QID ": verify service failure\n");
    assert_string_equal(logged(), "");
    assert_string_equal(marks(), "RRR");
    assert_int_equal(req.status, DELIVER_STAT_DEFER);
}

/* test_by_class - deliver_result picks by the status class */
static void
test_by_class(void **state)
{
    DSN     dsn[] = {
        {.status = "2.1.5", .reason = "ok"},
        {.status = "5.1.1", .reason = "no"},
        {.status = "4.2.2", .reason = "later"},
        {.status = "junk", .reason = "what"},
    };

    fixture_serve_ok(all);
    assert_int_equal(deliver_result(&req, rcpt, "local", dsn), 0);
    assert_int_equal(deliver_result(&req, rcpt + 1, "local", dsn + 1), 0);
    assert_int_equal(deliver_result(&req, rcpt + 2, "local", dsn + 2), -1);
    assert_int_equal(deliver_result(&req, rcpt + 2, "local", dsn + 3), -1);
    fixture_served();
    assert_string_equal(marks(), "DDR");
    assert_int_equal(fixture_count, 3);
    assert_string_equal(fixture_name[0], "bounce");
    assert_string_equal(fixture_name[1], "defer");
    assert_string_equal(fixture_name[2], "defer");
    assert_non_null(strstr(request(2), "|status|4.0.0|"));
    assert_string_equal(buf_str(fixture_warnings),
                        "defer_append: ignoring dsn code \"junk\"\n");
    assert_int_equal(req.status, DELIVER_STAT_DEFER);
}

/* test_mark_problem - a bad offset is a warning, not a crash */
static void
test_mark_problem(void **state)
{
    DSN     dsn = {.status = "2.0.0", .reason = "ok"};

    rcpt[0].offset = 3;
    assert_int_equal(deliver_sent(&req, rcpt, "local", &dsn), 0);
    assert_string_equal(buf_str(fixture_warnings), QID ": record at offset "
                        "3 has type '2', expected 'R'\n");
    assert_false(req.marked);
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_sent_plain), TEST(test_sent_success_notice),
        TEST(test_sent_unmarked), TEST(test_sent_trace_failure),
        TEST(test_bounced), TEST(test_bounced_unmarked),
        TEST(test_bounced_recorded),
        TEST(test_bounce_failure), TEST(test_deferred), TEST(test_verify),
        TEST(test_verify_failure), TEST(test_probe),
        TEST(test_probe_failure), TEST(test_by_class),
        TEST(test_mark_problem),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
