/* test_bounce_compose - unit tests for the notices of the bounce daemon:
 * their layout (bounce_compose.c), the folding of long lines
 * (bounce_out.c) and the template words (bounce_template.c).
 *
 * Those parts live in src/bounce/ and are pure (they write to a
 * BOUNCE_OUT, read a log and call back for the original message), so
 * the test compiles them in directly. The expected machine-readable
 * lines are what Debian's Postfix 3.7 wrote for the same logs
 * (docs/bounce.md); the prose is Postern's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/bounce/bounce_compose.c"
#include "../../src/bounce/bounce_out.c"
#include "../../src/bounce/bounce_template.c"
#include "../../src/bounce/bounce_template_file.c"
#include "mail_conf.h"
#include "rec_type.h"

#define ARRIVAL         1796530795      /* Sun,  6 Dec 2026 04:19:55 UTC */
#define NOW             1796530800      /* five seconds later */

static BUF *text;                       /* what the notice wrote */
static BUF *logbuf;                     /* the log records */
static BOUNCE_CONF conf;
static BOUNCE_ORIG orig;
static const char original[] =
    "Received: by mx.example.test (Postern, from userid 0)\n"
    "\tid 79386A741D2; Sun,  6 Dec 2026 04:19:55 +0000 (UTC)\n"
    "Subject: t1\n"
    "\n"
    "hello\n"
    "world\n";

/* put - BOUNCE_OUT put(): records as text */
static int
put(void *ctx, int type, const char *data, size_t len)
{
    buf_append(text, data, len);
    if (type == REC_TYPE_NORM)
        buf_addch(text, '\n');
    return 0;
}

/* copy - BOUNCE_ORIG copy(): the original, or its header */
static int
copy(void *ctx, bool headers_only, BOUNCE_OUT *out)
{
    const char *end = headers_only ? strstr(original, "\n\n") + 1 :
        original + strlen(original);

    for (const char *cp = original; cp < end; cp = strchr(cp, '\n') + 1)
        if (out->put(out->ctx, REC_TYPE_NORM, cp, strchr(cp, '\n') - cp) < 0)
            return -1;
    return 0;
}

/* setup - settings like the observed Postfix instance */
static int
setup(void **state)
{
    setenv("TZ", "UTC0", 1);
    tzset();
    mail_conf_update("myhostname", "mx.example.test");
    text = buf_alloc(1000);
    logbuf = buf_alloc(1000);
    memset(&conf, 0, sizeof(conf));
    conf.myhostname = "mx.example.test";
    conf.mail_name = "Postern";
    conf.mail_daemon = "MAILER-DAEMON@mx.example.test";
    conf.delay_warning_time = 4 * 3600;
    conf.max_queue_lifetime = 5 * 86400;
    orig = (BOUNCE_ORIG) {"sender@example.org", {ARRIVAL, 806769}, 120,
        copy, NULL};
    return 0;
}

/* teardown - free the buffers */
static int
teardown(void **state)
{
    buf_free(text);
    buf_free(logbuf);
    return 0;
}

/* add - one log record */
static void
add(const char *orig_addr, const char *addr, int notify, const char *status,
    const char *action, const char *reason, const char *dtext)
{
    BUF    *orcpt = buf_alloc(50);
    RECIPIENT rcpt = {(char *) orig_addr, (char *) addr, 242, NULL, notify};
    DSN     dsn = {status, action, reason, dtext ? "smtp" : "",
        dtext ? dtext : "", dtext ? "dns" : "", dtext ? "127.0.0.1" : ""};

    buf_sprintf(orcpt, "rfc822;%s", addr);
    rcpt.dsn_orig = buf_str(orcpt);
    bounce_log_format(logbuf, &rcpt, &dsn, true);
    buf_free(orcpt);
}

/* notice - a sender notice of kind about the original */
static BOUNCE_NOTICE
notice(BOUNCE_NOTICE_KIND kind)
{
    return (BOUNCE_NOTICE) {
        .kind = kind, .queue_id = "79386A741D2", .notice_id = "C5085A74183",
        .to = "sender@example.org", .envid = "", .now = {NOW, 0},
        .body = BOUNCE_BODY_FULL, .orig = &orig,
    };
}

/* compose - the notice for the log so far into text; its status */
static int
compose(const BOUNCE_NOTICE *n, bool with_log)
{
    BOUNCE_OUT out = {put, NULL};
    BUF    *why = buf_alloc(10);
    BOUNCE_LOG_FILE *log = NULL;
    char    path[] = "/tmp/test_bounce_compose.XXXXXX";
    int     fd, ret;

    if (with_log) {
        assert_true((fd = mkstemp(path)) >= 0);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(write(fd, buf_str(logbuf), buf_len(logbuf)),
                         (ssize_t) buf_len(logbuf));
        log = bounce_log_fdopen(fd, "bounce/79386A741D2");
    }
    buf_reset(text);
    ret = bounce_compose(&out, &conf, n, log, why);
    if (log)
        bounce_log_close(log);
    buf_free(why);
    return ret;
}

/* part - the text between two markers of the notice */
static char *
part(const char *from, const char *to)
{
    const char *start = strstr(buf_str(text), from);
    const char *end;

    assert_non_null(start);
    end = to ? strstr(start, to) : start + strlen(start);
    assert_non_null(end);
    return strndup(start, end - start);
}

/* assert_part - the text from from up to to is want */
static void
assert_part(const char *from, const char *to, const char *want)
{
    char   *got = part(from, to);

    assert_string_equal(got, want);
    free(got);
}

#define BOUNDARY        "79386A741D2.1796530800/mx.example.test"
#define Z70     "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"

static void
test_ndr_as_postfix(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_FAILURE);

    add("nosuch", "nosuch@mx.example.test", 0, "5.1.1", "failed",
        "unknown user: \"nosuch\"", NULL);
    add("hard@rej.test", "hard@rej.test", 0, "5.1.1", "failed",
        "host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <user> no such user here "
        "(in reply to RCPT TO command)", "550 5.1.1 <user> no such user here");
    assert_int_equal(compose(&n, true), 0);
    assert_part("Received:", "\nThis is a delivery",
                "Received: by mx.example.test (Postern)\n"
                "\tid C5085A74183; Sun,  6 Dec 2026 04:20:00 +0000 (UTC)\n"
                "Date: Sun,  6 Dec 2026 04:20:00 +0000 (UTC)\n"
                "From: Mail Delivery System <MAILER-DAEMON>\n"
                "Subject: Undelivered Mail Returned to Sender\n"
                "To: sender@example.org\n"
                "Auto-Submitted: auto-replied\n"
                "MIME-Version: 1.0\n"
                "Content-Type: multipart/report; report-type=delivery-status;\n"
                "\tboundary=\"" BOUNDARY "\"\n"
                "Content-Transfer-Encoding: 8bit\n");
    assert_part("--" BOUNDARY "\n", "This message was generated",
                "--" BOUNDARY "\n"
                "Content-Description: Notification\n"
                "Content-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: 8bit\n\n");
    assert_part("this report.\n", "--" BOUNDARY "\nContent-Description: D",
                "this report.\n\n"
                "<nosuch@mx.example.test> (expanded from <nosuch>): unknown "
                "user: \"nosuch\"\n\n"
                "<hard@rej.test>: host 127.0.0.1[127.0.0.1] said: 550 5.1.1 "
                "<user> no such user\n"
                "    here (in reply to RCPT TO command)\n\n");
    assert_part("Content-Description: Delivery report", NULL,
                "Content-Description: Delivery report\n"
                "Content-Type: message/delivery-status\n\n"
                "Reporting-MTA: dns; mx.example.test\n"
                "X-Postfix-Queue-ID: 79386A741D2\n"
                "X-Postfix-Sender: rfc822; sender@example.org\n"
                "Arrival-Date: Sun,  6 Dec 2026 04:19:55 +0000 (UTC)\n\n"
                "Final-Recipient: rfc822; nosuch@mx.example.test\n"
                "Original-Recipient: rfc822;nosuch@mx.example.test\n"
                "Action: failed\n"
                "Status: 5.1.1\n"
                "Diagnostic-Code: X-Postfix; unknown user: \"nosuch\"\n\n"
                "Final-Recipient: rfc822; hard@rej.test\n"
                "Original-Recipient: rfc822;hard@rej.test\n"
                "Action: failed\n"
                "Status: 5.1.1\n"
                "Remote-MTA: dns; 127.0.0.1\n"
                "Diagnostic-Code: smtp; 550 5.1.1 <user> no such user here\n\n"
                "--" BOUNDARY "\n"
                "Content-Description: Undelivered Message\n"
                "Content-Type: message/rfc822\n"
                "Content-Transfer-Encoding: 8bit\n\n"
                "Return-Path: <sender@example.org>\n"
                "Received: by mx.example.test (Postern, from userid 0)\n"
                "\tid 79386A741D2; Sun,  6 Dec 2026 04:19:55 +0000 (UTC)\n"
                "Subject: t1\n\n"
                "hello\nworld\n\n"
                "--" BOUNDARY "--\n");
}

static void
test_ndr_headers_envid_expired(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_FAILURE);

    n.body = BOUNCE_BODY_HEADERS;
    n.envid = "envid123";
    add("r1@x.test", "r1@x.test", 0, "4.4.1", "delayed",
        "connect to 127.0.0.1[127.0.0.1]:1: Connection refused", NULL);
    assert_int_equal(compose(&n, true), 0);
    assert_part("Reporting-MTA", "X-Postfix-Sender",
                "Reporting-MTA: dns; mx.example.test\n"
                "Original-Envelope-Id: envid123\n"
                "X-Postfix-Queue-ID: 79386A741D2\n");
    /* An expired message: failed, with the last temporary status. */
    assert_part("Final-Recipient", NULL,
                "Final-Recipient: rfc822; r1@x.test\n"
                "Original-Recipient: rfc822;r1@x.test\n"
                "Action: failed\n"
                "Status: 4.4.1\n"
                "Diagnostic-Code: X-Postfix; connect to 127.0.0.1[127.0.0.1]:1: "
                "Connection\n"
                "    refused\n\n"
                "--" BOUNDARY "\n"
                "Content-Description: Undelivered Message Headers\n"
                "Content-Type: text/rfc822-headers\n"
                "Content-Transfer-Encoding: 8bit\n\n"
                "Return-Path: <sender@example.org>\n"
                "Received: by mx.example.test (Postern, from userid 0)\n"
                "\tid 79386A741D2; Sun,  6 Dec 2026 04:19:55 +0000 (UTC)\n"
                "Subject: t1\n\n"
                "--" BOUNDARY "--\n");
}

static void
test_delay_warning(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_DELAY);

    n.body = BOUNCE_BODY_HEADERS;
    add("r1@x.test", "r1@x.test", 0, "4.4.1", "delayed", "later",
        "451 4.4.1 later");
    assert_int_equal(compose(&n, true), 0);
    assert_non_null(strstr(buf_str(text),
                           "Subject: Delayed Mail (still being retried)\n"));
    assert_non_null(strstr(buf_str(text), "for more than 4 hours.\n"));
    assert_non_null(strstr(buf_str(text), "message is\n5 days old,"));
    assert_part("Final-Recipient", "--" BOUNDARY "\n",
                "Final-Recipient: rfc822; r1@x.test\n"
                "Original-Recipient: rfc822;r1@x.test\n"
                "Action: delayed\n"
                "Status: 4.4.1\n"
                "Remote-MTA: dns; 127.0.0.1\n"
                "Diagnostic-Code: smtp; 451 4.4.1 later\n"
                "Will-Retry-Until: Fri, 11 Dec 2026 04:19:55 +0000 (UTC)\n\n");
    assert_non_null(strstr(buf_str(text),
                           "Content-Description: Undelivered Message Headers\n"
                           "Content-Type: text/rfc822-headers\n"));
}

static void
test_success_and_verify(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_SUCCESS);

    n.body = BOUNCE_BODY_HEADERS;
    add("r1", "r1@x.test", DSN_NOTIFY_SUCCESS, "2.0.0", "delivered",
        "delivery via local: delivered to mailbox", NULL);
    assert_int_equal(compose(&n, true), 0);
    assert_non_null(strstr(buf_str(text),
                           "Subject: Successful Mail Delivery Report\n"));
    assert_non_null(strstr(buf_str(text),
                           "<r1@x.test> (expanded from <r1>): delivery via "
                           "local: delivered to mailbox\n"));
    assert_non_null(strstr(buf_str(text), "Action: delivered\nStatus: 2.0.0\n"
                           "Diagnostic-Code: X-Postfix; delivery via local: "
                           "delivered to mailbox\n"));
    assert_non_null(strstr(buf_str(text), "Content-Description: Message "
                           "Headers\nContent-Type: text/rfc822-headers\n"));
    n.kind = BOUNCE_NOTICE_VERIFY;
    buf_reset(logbuf);
    add("r1@x.test", "r1@x.test", 0, "2.0.0", "deliverable",
        "delivery via local: delivers to maildir", NULL);
    add("r2@x.test", "r2@x.test", 0, "5.1.1", "undeliverable",
        "unknown user", NULL);
    assert_int_equal(compose(&n, true), 0);
    assert_non_null(strstr(buf_str(text),
                           "Subject: Mail Delivery Status Report\n"));
    assert_non_null(strstr(buf_str(text), "Action: deliverable\n"
                           "Status: 2.0.0\n"));
    assert_non_null(strstr(buf_str(text), "Action: undeliverable\n"
                           "Status: 5.1.1\n"));
}

static void
test_dsn_notify_chooses_recipients(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_FAILURE);

    add("a@x.test", "a@x.test", DSN_NOTIFY_NEVER, "5.1.1", "failed", "a",
        NULL);
    add("b@x.test", "b@x.test", DSN_NOTIFY_SUCCESS, "5.1.1", "failed", "b",
        NULL);
    add("c@x.test", "c@x.test", DSN_NOTIFY_FAILURE | DSN_NOTIFY_DELAY,
        "5.1.1", "failed", "c", NULL);
    add("d@x.test", "d@x.test", 0, "5.1.1", "failed", "d", NULL);
    assert_int_equal(compose(&n, true), 0);
    assert_null(strstr(buf_str(text), "a@x.test"));
    assert_null(strstr(buf_str(text), "b@x.test"));
    assert_non_null(strstr(buf_str(text), "<c@x.test>: c\n"));
    assert_non_null(strstr(buf_str(text), "<d@x.test>: d\n"));
    /* The postmaster hears about all of them. */
    n.postmaster = true;
    assert_int_equal(compose(&n, true), 0);
    assert_non_null(strstr(buf_str(text), "<a@x.test>: a\n"));
    assert_non_null(strstr(buf_str(text), "<b@x.test>: b\n"));
    n.kind = BOUNCE_NOTICE_DELAY;
    n.postmaster = false;
    assert_true(bounce_compose_wanted(&n, &(RECIPIENT) {.dsn_notify = 0}));
    assert_true(bounce_compose_wanted(&n, &(RECIPIENT) {.dsn_notify = 8}));
    assert_false(bounce_compose_wanted(&n, &(RECIPIENT) {.dsn_notify = 4}));
}

static void
test_postmaster_copy_of_a_bounce(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_FAILURE);

    orig.sender = "";
    n.postmaster = true;
    n.to = "postmaster";
    n.body = BOUNCE_BODY_HEADERS;
    add("r1@x.test", "r1@x.test", 0, "5.1.1", "failed", "nope", NULL);
    assert_int_equal(compose(&n, true), 0);
    assert_non_null(strstr(buf_str(text),
                           "Subject: Postmaster Copy: Undelivered Mail\n"
                           "To: postmaster\n"
                           "Auto-Submitted: auto-generated\n"));
    /* No template text; the recipients right after the part header. */
    assert_non_null(strstr(buf_str(text), "Content-Transfer-Encoding: 8bit\n"
                           "\n\n<r1@x.test>: nope\n\n--"));
    assert_non_null(strstr(buf_str(text), "X-Postfix-Sender: rfc822; "
                           "MAILER-DAEMON@mx.example.test\n"));
    assert_non_null(strstr(buf_str(text), "\n\nReturn-Path: "
                           "<MAILER-DAEMON@mx.example.test>\n"));
}

static void
test_log_and_message_gone(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_FAILURE);

    n.orig = NULL;
    assert_int_equal(compose(&n, false), 0);
    assert_non_null(strstr(buf_str(text), "this report.\n\n" BOUNCE_NO_LOG
                           "\n\n--" BOUNDARY "\n"));
    assert_part("Reporting-MTA", NULL,
                "Reporting-MTA: dns; mx.example.test\n"
                "X-Postfix-Queue-ID: 79386A741D2\n\n"
                "--" BOUNDARY "--\n");
}

static void
test_status_and_action_defaults(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_FAILURE);

    add("a@x.test", "a@x.test", 0, "bogus", "weird", "", NULL);
    add("b@x.test", "b@x.test", 0, "2.0.0", "delivered", "odd", NULL);
    add("c@x.test", "c@x.test", 0, "5.1234.1", "", "odd", NULL);
    assert_int_equal(compose(&n, true), 0);
    /* No reason and no diagnostic: no Diagnostic-Code. */
    assert_non_null(strstr(buf_str(text), "Final-Recipient: rfc822; "
                           "a@x.test\nOriginal-Recipient: rfc822;a@x.test\n"
                           "Action: failed\nStatus: 5.0.0\n\n"));
    assert_non_null(strstr(buf_str(text), "b@x.test\nAction: failed\n"
                           "Status: 5.0.0\n"));
    assert_non_null(strstr(buf_str(text), "c@x.test\nAction: failed\n"
                           "Status: 5.0.0\n"));
    assert_true(bounce_status_ok("5.1.1"));
    assert_true(bounce_status_ok("4.123.999"));
    assert_false(bounce_status_ok("3.1.1"));
    assert_false(bounce_status_ok("5.1."));
    assert_false(bounce_status_ok("5..1"));
    assert_false(bounce_status_ok("5.1.1 "));
    assert_false(bounce_status_ok(""));
}

static void
test_quoted_addresses(void **state)
{
    BOUNCE_NOTICE n = notice(BOUNCE_NOTICE_FAILURE);

    orig.sender = "john doe@example.org";
    n.to = "john doe@example.org";
    add("", "a b@x.test", 0, "5.1.1", "failed", "nope", NULL);
    add("o ld@x.test", "n ew@x.test", 0, "5.1.1", "failed", "nope", NULL);
    assert_int_equal(compose(&n, true), 0);
    assert_non_null(strstr(buf_str(text), "To: \"john doe\"@example.org\n"));
    assert_non_null(strstr(buf_str(text), "<\"a b\"@x.test>: nope\n"));
    assert_non_null(strstr(buf_str(text), "<\"n ew\"@x.test> (expanded from "
                           "<\"o ld\"@x.test>): nope\n"));
    assert_non_null(strstr(buf_str(text),
                           "Final-Recipient: rfc822; \"a b\"@x.test\n"));
    assert_non_null(strstr(buf_str(text),
                           "Return-Path: <\"john doe\"@example.org>\n"));
}

/* folded - bounce_out_folded() of line into text */
static const char *
folded(const char *line)
{
    BOUNCE_OUT out = {put, NULL};

    buf_reset(text);
    assert_int_equal(bounce_out_folded(&out, line), 0);
    return buf_str(text);
}

/* repeat - n copies of ch */
static char *
repeat(int ch, size_t n)
{
    char   *s = malloc(n + 1);

    memset(s, ch, n);
    s[n] = 0;
    return s;
}

static void
test_folding_as_postfix(void **state)
{
    char   *a;
    BUF    *line = buf_alloc(200), *want = buf_alloc(200);

    /* 79 characters stay on one line, 80 do not. */
    for (size_t len = 77; len <= 81; len++) {
        a = repeat('a', len - 15);
        buf_sprintf(line, "<r1@x.test>: %s c", a);
        if (len <= 79)
            buf_sprintf(want, "%s\n", buf_str(line));
        else
            buf_sprintf(want, "<r1@x.test>: %s\n    c\n", a);
        assert_string_equal(folded(buf_str(line)), buf_str(want));
        /* The same on a continuation line, indent included. */
        free(a);
        a = repeat('b', len - 6);
        buf_sprintf(line, "<r1@x.test>: %s %s c", Z70, a);
        buf_sprintf(want, "<r1@x.test>:\n    %s\n", Z70);
        if (len <= 79)
            buf_sprintf_append(want, "    %s c\n", a);
        else
            buf_sprintf_append(want, "    %s\n    c\n", a);
        assert_string_equal(folded(buf_str(line)), buf_str(want));
        free(a);
    }
    /* A long word gets a line of its own; spaces at a break go. */
    a = repeat('A', 100);
    buf_sprintf(line, "Diagnostic-Code: smtp; 550 %s tail end", a);
    buf_sprintf(want, "Diagnostic-Code: smtp; 550\n    %s\n    tail end\n", a);
    assert_string_equal(folded(buf_str(line)), buf_str(want));
    free(a);
    a = repeat('w', 65);
    buf_sprintf(line, "<r1@x.test>: %s  tail", a);
    buf_sprintf(want, "<r1@x.test>: %s\n    tail\n", a);
    assert_string_equal(folded(buf_str(line)), buf_str(want));
    free(a);
    a = repeat(',', 128);
    buf_sprintf(line, "<r1@x.test>: %s", a);
    buf_sprintf(want, "<r1@x.test>:\n    %s\n", a);
    assert_string_equal(folded(buf_str(line)), buf_str(want));
    free(a);
    assert_string_equal(folded("short"), "short\n");
    assert_string_equal(folded(""), "");
    buf_free(line);
    buf_free(want);
}

static void
test_template_times(void **state)
{
    BUF    *out = buf_alloc(100), *why = buf_alloc(10);
    static const struct {
        long    seconds;
        const char *text;
    } cases[] = {
        {4 * 3600, "4 hours"}, {90 * 60, "90 minutes"}, {86400, "1 day"},
        {14 * 86400, "2 weeks"}, {30, "30 seconds"}, {1, "1 second"},
        {0, "0 seconds"}, {3 * 86400 + 1, "259201 seconds"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conf.delay_warning_time = cases[i].seconds;
        buf_reset(out);
        assert_int_equal(bounce_template_expand(out, &conf,
                                                "$delay_warning_time_text",
                                                why), 0);
        assert_string_equal(buf_str(out), cases[i].text);
    }
    conf.delay_warning_time = 5400;
    buf_reset(out);
    assert_int_equal(bounce_template_expand(out, &conf,
                     "$delay_warning_time_hours/$delay_warning_time_minutes/"
                     "$maximal_queue_lifetime_days/"
                     "${maximal_queue_lifetime_weeks} at $myhostname $$",
                     why), 0);
    assert_string_equal(buf_str(out), "1/90/5/0 at mx.example.test $");
    buf_free(out);
    buf_free(why);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_ndr_as_postfix),
        T(test_ndr_headers_envid_expired),
        T(test_delay_warning),
        T(test_success_and_verify),
        T(test_dsn_notify_chooses_recipients),
        T(test_postmaster_copy_of_a_bounce),
        T(test_log_and_message_gone),
        T(test_status_and_action_defaults),
        T(test_quoted_addresses),
        T(test_folding_as_postfix),
        T(test_template_times),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
