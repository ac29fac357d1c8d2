/* test_deliver_request - unit tests for the delivery request protocol.
 *
 * The expected bytes are those Debian's Postfix 3.7 qmgr and local
 * exchanged (../notes/deliver-protocol.md 1.2, 1.5): qmgr's side must
 * write the 600-byte request exactly, the agent's side must read it and
 * answer the 77-byte reply, or the deferral with "4294967295". Each side
 * talks to the test over a socketpair; one test runs them against each
 * other in two processes. Malformed requests (truncated, out of order,
 * huge counts, bad values) give NULL with a reason, and nothing leaks
 * (run under ASan). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deliver_request.h"
#include "msg_output.h"
#include "mymalloc.h"

#define QID     "749D6A749B7"
#define TIME_B64 \
    "J80UawAAAADccQYAAAAAACfNFGsAAAAAtEsIAAAAAAAAAAAAAAAAAAAAAAAA" \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

static char tmpdir[64];
static char qfile[128];
static MAIL_QUEUE_CONF conf;
static BUF *why;
static int fds[2];                      /* [0] the code, [1] the test */

/* quiet - a msg channel that drops attr.c's protocol warnings */
static void
quiet(enum msg_level level, const char *text)
{
}

/* setup - a queue directory with active/QID, and a socketpair */
static int
setup(void **state)
{
    char    dir[128];
    int     fd;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_deliver_request.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(dir, sizeof(dir), "%s/active", tmpdir);
    snprintf(qfile, sizeof(qfile), "%s/active/%s", tmpdir, QID);
    if (mkdir(dir, 0700) < 0
        || (fd = open(qfile, O_WRONLY | O_CREAT, 0700)) < 0)
        return -1;
    if (write(fd, "C\0", 2) != 2)
        return -1;
    close(fd);
    conf.dir = tmpdir;
    conf.hash_names = "deferred, defer";
    conf.hash_depth = 1;
    conf.long_ids = false;
    why = buf_alloc(10);
    msg_output_reset();
    msg_output_add(quiet);
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
}

/* teardown - remove everything */
static int
teardown(void **state)
{
    char    dir[128];

    unlink(qfile);
    snprintf(dir, sizeof(dir), "%s/active", tmpdir);
    rmdir(dir);
    rmdir(tmpdir);
    buf_free(why);
    close(fds[1]);
    if (fds[0] >= 0)
        close(fds[0]);
    msg_output_reset();
    return 0;
}

/* pairs - append "name\0value\0" for each pair, then "\0" */
static void
pairs(BUF *bp, const char *const *nv)
{
    for (; *nv; nv += 2) {
        buf_append(bp, nv[0], strlen(nv[0]) + 1);
        buf_append(bp, nv[1], strlen(nv[1]) + 1);
    }
    buf_addch(bp, 0);
}

/* The message attributes of the notes' request, with a few variables. */
static void
notes_message(BUF *bp, const char *queue_id, const char *count,
              const char *nexthop)
{
    const char *const nv[] = {
        "flags", "3", "queue_name", "active", "queue_id", queue_id,
        "offset", "268", "size", "320", "nexthop", nexthop,
        "encoding", "", "smtputf8", "0", "sender", "sender@example.org",
        "envelope_id", "", "ret_flags", "0", "time", TIME_B64,
        "log_client_name", "", "log_client_address", "",
        "log_client_port", "", "log_protocol_name", "",
        "log_helo_name", "", "sasl_method", "", "sasl_username", "",
        "sasl_sender", "", "log_ident", "", "rewrite_context", "local",
        "recipient_count", count, NULL,
    };

    pairs(bp, nv);
}

/* notes_rcpt - the notes' recipient message */
static void
notes_rcpt(BUF *bp, const char *offset)
{
    const char *const nv[] = {
        "original_recipient", "pfuser", "recipient", "pfuser@mx.example.test",
        "offset", offset, "dsn_orig_rcpt", "rfc822;pfuser@mx.example.test",
        "notify_flags", "0", NULL,
    };

    pairs(bp, nv);
}

/* notes_request - the whole 600-byte request of the notes */
static BUF *
notes_request(void)
{
    BUF    *bp = buf_alloc(600);

    notes_message(bp, QID, "1", "mx.example.test");
    notes_rcpt(bp, "242");
    return bp;
}

/* put - write bytes to the test's end */
static void
put(const void *data, size_t len)
{
    assert_int_equal(write(fds[1], data, len), (ssize_t) len);
}

/* drain - everything the code wrote (after it closed its end) */
static BUF *
drain(void)
{
    BUF    *bp = buf_alloc(100);
    char    chunk[4096];
    ssize_t n;

    while ((n = read(fds[1], chunk, sizeof(chunk))) > 0)
        buf_append(bp, chunk, (size_t) n);
    return bp;
}

#define GREETING        "protocol\0delivery_request_protocol\0"
#define GREETING_LEN    (sizeof(GREETING))          /* with the end NUL */
#define REPLY_OK        "status\0\0diag_type\0\0diag_text\0\0mta_type\0\0" \
    "mta_mname\0\0action\0\0reason\0\0status\0" "0\0"
#define REPLY_OK_LEN    (sizeof(REPLY_OK))
#define REPLY_DEFER     "status\0\0diag_type\0\0diag_text\0\0mta_type\0\0" \
    "mta_mname\0\0action\0\0reason\0\0status\0" "4294967295\0"
#define REPLY_DEFER_LEN (sizeof(REPLY_DEFER))

/* code_stream - the code's end as a STREAM (the test keeps fds[1]) */
static STREAM *
code_stream(void)
{
    STREAM *sp = stream_fdopen(fds[0]);

    fds[0] = -1;
    stream_set_timeout(sp, 5);
    return sp;
}

/* test_qmgr_side_bytes - deliver_request_send writes the notes' bytes */
static void
test_qmgr_side_bytes(void **state)
{
    RECIPIENT rcpt = {
        .orig_addr = "pfuser", .address = "pfuser@mx.example.test",
        .offset = 242, .dsn_orig = "rfc822;pfuser@mx.example.test",
    };
    DELIVER_REQUEST req = {
        .flags = DEL_REQ_FLAG_DEFAULT, .queue_name = "active",
        .queue_id = QID, .data_offset = 268, .data_size = 320,
        .nexthop = "mx.example.test", .encoding = "",
        .sender = "sender@example.org", .dsn_envid = "",
        .times = {.arrival = {1796525351, 422364},
                  .active = {1796525351, 543668}},
        .rewrite_context = "local", .rcpt = &rcpt, .rcpt_count = 1,
    };
    BUF    *want = notes_request();
    STREAM *sp = code_stream();
    BUF    *got;

    assert_int_equal(buf_len(want), 600);
    put(GREETING, GREETING_LEN);
    assert_int_equal(deliver_request_send(sp, &req, why), 0);
    stream_close(sp);
    got = drain();
    assert_int_equal(buf_len(got), buf_len(want));
    assert_memory_equal(buf_str(got), buf_str(want), buf_len(want));
    buf_free(want);
    buf_free(got);
}

/* test_qmgr_side_bad_greeting - another protocol is refused */
static void
test_qmgr_side_bad_greeting(void **state)
{
    DELIVER_REQUEST req = {.queue_id = QID};
    STREAM *sp = code_stream();

    put("protocol\0cleanup_protocol\0\0", 27);
    assert_int_equal(deliver_request_send(sp, &req, why), -1);
    assert_string_equal(buf_str(why),
                        "unexpected protocol \"cleanup_protocol\"");
    stream_close(sp);
}

/* test_agent_side_bytes - deliver_request_read takes the notes' request,
 * deliver_request_done answers the notes' reply */
static void
test_agent_side_bytes(void **state)
{
    BUF    *request = notes_request();
    STREAM *sp = code_stream();
    DELIVER_REQUEST *req;
    BUF    *got;

    put(buf_str(request), buf_len(request));
    req = deliver_request_read(sp, &conf, why);
    assert_non_null(req);
    assert_int_equal(req->flags, 3);
    assert_string_equal(req->queue_name, "active");
    assert_string_equal(req->queue_id, QID);
    assert_int_equal(req->data_offset, 268);
    assert_int_equal(req->data_size, 320);
    assert_string_equal(req->nexthop, "mx.example.test");
    assert_string_equal(req->sender, "sender@example.org");
    assert_string_equal(req->rewrite_context, "local");
    assert_int_equal(req->times.arrival.tv_sec, 1796525351);
    assert_int_equal(req->times.arrival.tv_usec, 422364);
    assert_int_equal(req->times.active.tv_sec, 1796525351);
    assert_int_equal(req->times.active.tv_usec, 543668);
    assert_true(req->times.agent.tv_sec > 1700000000);
    assert_int_equal(req->rcpt_count, 1);
    assert_string_equal(req->rcpt[0].orig_addr, "pfuser");
    assert_string_equal(req->rcpt[0].address, "pfuser@mx.example.test");
    assert_int_equal(req->rcpt[0].offset, 242);
    assert_string_equal(req->rcpt[0].dsn_orig,
                        "rfc822;pfuser@mx.example.test");
    assert_int_equal(req->rcpt[0].dsn_notify, 0);
    assert_true(req->fd >= 0);
    assert_int_equal(req->status, DELIVER_STAT_OK);
    req->marked = true;                 /* fsync'd before the reply */
    assert_int_equal(deliver_request_done(sp, req, NULL, why), 0);
    stream_close(sp);
    got = drain();
    assert_int_equal(buf_len(got), GREETING_LEN + REPLY_OK_LEN);
    assert_memory_equal(buf_str(got), GREETING, GREETING_LEN);
    assert_int_equal(REPLY_OK_LEN, 77);
    assert_memory_equal(buf_str(got) + GREETING_LEN, REPLY_OK, REPLY_OK_LEN);
    buf_free(got);
    buf_free(request);
}

/* test_agent_deferral_with_dsn - the 144-byte "whole destination" reply */
static void
test_agent_deferral_with_dsn(void **state)
{
    static const char want[] = "status\0" "4.4.1\0diag_type\0\0diag_text\0\0"
        "mta_type\0\0mta_mname\0\0action\0\0reason\0connect to 127.0.0.1"
        "[127.0.0.1]:1: Connection refused\0status\0" "4294967295\0";
    DSN     hop = {.status = "4.4.1", .reason = "connect to 127.0.0.1"
                   "[127.0.0.1]:1: Connection refused"};
    BUF    *request = notes_request();
    STREAM *sp = code_stream();
    DELIVER_REQUEST *req;
    BUF    *got;

    put(buf_str(request), buf_len(request));
    assert_non_null(req = deliver_request_read(sp, &conf, why));
    req->status = DELIVER_STAT_DEFER;
    assert_int_equal(deliver_request_done(sp, req, &hop, why), 0);
    stream_close(sp);
    got = drain();
    assert_int_equal(sizeof(want), 144);
    assert_int_equal(buf_len(got), GREETING_LEN + sizeof(want));
    assert_memory_equal(buf_str(got) + GREETING_LEN, want, sizeof(want));
    buf_free(got);
    buf_free(request);
}

/* agent_rejects - the agent side refuses request bytes: NULL, a reason
 * starting with want_why, and what it wrote after the greeting */
static void
agent_rejects(const BUF *request, const char *want_why, const char *reply,
              size_t reply_len)
{
    STREAM *sp;
    BUF    *got;

    close(fds[1]);
    if (fds[0] >= 0)
        close(fds[0]);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
                     0);
    sp = code_stream();
    put(buf_str(request), buf_len(request));
    shutdown(fds[1], SHUT_WR);
    buf_reset(why);
    assert_null(deliver_request_read(sp, &conf, why));
    assert_memory_equal(buf_str(why), want_why, strlen(want_why));
    stream_close(sp);
    got = drain();
    assert_int_equal(buf_len(got), GREETING_LEN + reply_len);
    if (reply_len)
        assert_memory_equal(buf_str(got) + GREETING_LEN, reply, reply_len);
    buf_free(got);
}

/* test_agent_truncated - every cut of the request fails cleanly */
static void
test_agent_truncated(void **state)
{
    BUF    *request = notes_request();
    BUF    *cut = buf_alloc(600);

    for (size_t len = 0; len < buf_len(request); len += 7) {
        buf_reset(cut);
        buf_append(cut, buf_str(request), len);
        agent_rejects(cut, "error receiving the ", "", 0);
    }
    buf_free(cut);
    buf_free(request);
}

/* test_agent_malformed - wrong order, bad values, huge counts */
static void
test_agent_malformed(void **state)
{
    static const char swapped[] = "flags\0" "3\0queue_id\0" QID
        "\0queue_name\0active\0\0";
    static const struct {
        const char *queue_id;
        const char *count;
        const char *nexthop;
        const char *offsets[3];         /* one recipient each */
        const char *why;
    } cases[] = {
        {QID, "2000000000", "h", {"242"},
         QID ": bad recipient count 2000000000"},
        {QID, "0", "h", {NULL}, QID ": bad recipient count 0"},
        /* More recipients announced than sent. */
        {QID, "5", "h", {"242", "300"},
         "error receiving the recipient attributes"},
        {"../../etc/passwd", "1", "h", {"242"},
         "malformed queue id \"../../etc/passwd\""},
        {QID, "1", "", {"242"}, QID ": empty nexthop hostname"},
        {QID, "1", "h", {"-5"}, "bad offset -5"},
        {QID, "1", "h", {"99999999999999999999999"},
         "bad offset 99999999999999999999999"},
        {QID, "1", "h", {"0"}, "bad offset 0"},
        {QID, "1", "h", {"+5"}, "bad offset +5"},
    };
    BUF    *bp = buf_alloc(600);

    buf_append(bp, swapped, sizeof(swapped) - 1);
    agent_rejects(bp, "error receiving the message attributes", "", 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_reset(bp);
        notes_message(bp, cases[i].queue_id, cases[i].count,
                      cases[i].nexthop);
        for (int r = 0; cases[i].offsets[r]; r++)
            notes_rcpt(bp, cases[i].offsets[r]);
        agent_rejects(bp, cases[i].why, "", 0);
    }
    buf_free(bp);
}

/* test_agent_bad_time - the time blob must be 88 bytes of valid times */
static void
test_agent_bad_time(void **state)
{
    BUF    *request = notes_request();
    BUF    *bp = buf_alloc(600);
    char   *at = memmem(buf_str(request), buf_len(request), "J80U", 4);
    size_t  head = (size_t) (at - buf_str(request));

    /* 87 bytes. */
    buf_append(bp, buf_str(request), head);
    buf_strcat(bp, "J80UawAAAADccQYAAAAAACfNFGsAAAAAtEsIAAAAAAAAAAAAAAAAAAAA"
               "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    buf_append(bp, at + strlen(TIME_B64), buf_len(request) - head
               - strlen(TIME_B64));
    agent_rejects(bp, QID ": malformed time attribute (87 bytes)", "", 0);

    /* Microseconds of 1000000. */
    buf_reset(bp);
    buf_append(bp, buf_str(request), head);
    buf_strcat(bp, "J80UawAAAABAQg8AAAAAA");
    buf_strcat(bp, &TIME_B64[strlen("J80UawAAAABAQg8AAAAAA")]);
    buf_append(bp, at + strlen(TIME_B64), buf_len(request) - head
               - strlen(TIME_B64));
    agent_rejects(bp, QID ": malformed time attribute", "", 0);
    buf_free(bp);
    buf_free(request);
}

/* test_agent_file_problems - a missing or locked queue file: the agent
 * replies "deferred" itself, as Postfix's do */
static void
test_agent_file_problems(void **state)
{
    BUF    *bp = buf_alloc(600);
    int     fd;

    notes_message(bp, "ABCDE12345", "1", "mx.example.test");
    notes_rcpt(bp, "242");
    agent_rejects(bp, "open active ABCDE12345: No such file or directory",
                  REPLY_DEFER, REPLY_DEFER_LEN);

    assert_true((fd = open(qfile, O_RDONLY)) >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    buf_free(bp);
    bp = notes_request();
    agent_rejects(bp, "shared lock active/" QID ": Resource temporarily "
                  "unavailable", REPLY_DEFER, REPLY_DEFER_LEN);
    close(fd);

    /* A symlink is never followed. */
    assert_int_equal(unlink(qfile), 0);
    assert_int_equal(symlink("/etc/passwd", qfile), 0);
    agent_rejects(bp, "open active " QID ": ", REPLY_DEFER, REPLY_DEFER_LEN);
    buf_free(bp);
}

/* reply_reads - deliver_reply_read of bytes: its result and status */
static int
reply_reads(const char *bytes, size_t len, DELIVER_REPLY *reply, int *status)
{
    STREAM *sp = code_stream();
    int     ret;

    put(bytes, len);
    shutdown(fds[1], SHUT_WR);
    ret = deliver_reply_read(sp, reply, status, why);
    stream_close(sp);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
                                fds), 0);
    return ret;
}

/* test_reply_read - "0" is done; "4294967295", "-1" and any other
 * number (Postfix's local sends 1) mean retry; text is bad */
static void
test_reply_read(void **state)
{
    static const char minus_one[] = "status\0\0diag_type\0\0diag_text\0\0"
        "mta_type\0\0mta_mname\0\0action\0\0reason\0\0status\0-1\0";
    static const char seven[] = "status\0\0diag_type\0\0diag_text\0\0"
        "mta_type\0\0mta_mname\0\0action\0\0reason\0\0status\0" "7\0";
    static const char junk[] = "status\0\0diag_type\0\0diag_text\0\0"
        "mta_type\0\0mta_mname\0\0action\0\0reason\0\0status\0" "7x\0";
    static const char dsn[] = "status\0" "4.4.1\0diag_type\0\0diag_text\0\0"
        "mta_type\0\0mta_mname\0\0action\0\0reason\0connect to x: refused\0"
        "status\0" "4294967295\0";
    DELIVER_REPLY reply = {.status = buf_alloc(10), .reason = buf_alloc(10)};
    DELIVER_REPLY none = {0};
    int     status = 99;

    assert_int_equal(reply_reads(REPLY_OK, REPLY_OK_LEN, &none, &status), 0);
    assert_int_equal(status, DELIVER_STAT_OK);
    assert_int_equal(reply_reads(REPLY_DEFER, REPLY_DEFER_LEN, &none,
                                 &status), 0);
    assert_int_equal(status, DELIVER_STAT_DEFER);
    status = 99;
    assert_int_equal(reply_reads(minus_one, sizeof(minus_one), &none,
                                 &status), 0);
    assert_int_equal(status, DELIVER_STAT_DEFER);
    status = 99;
    assert_int_equal(reply_reads(seven, sizeof(seven), &none, &status), 0);
    assert_int_equal(status, DELIVER_STAT_DEFER);
    assert_int_equal(reply_reads(junk, sizeof(junk), &none, &status), -1);
    assert_string_equal(buf_str(why), "malformed delivery status \"7x\"");
    assert_int_equal(reply_reads(dsn, sizeof(dsn), &reply, &status), 0);
    assert_int_equal(status, DELIVER_STAT_DEFER);
    assert_string_equal(buf_str(reply.status), "4.4.1");
    assert_string_equal(buf_str(reply.reason), "connect to x: refused");
    assert_int_equal(reply_reads(dsn, 40, &reply, &status), -1);
    assert_string_equal(buf_str(why),
                        "error receiving the delivery status reply");
    buf_free(reply.status);
    buf_free(reply.reason);
}

/* round_trip_agent - the child: serve one request, 0 when it was right */
static int
round_trip_agent(int fd)
{
    STREAM *sp = stream_fdopen(fd);
    DELIVER_REQUEST *req;
    DSN     hop = {.status = "4.4.1", .reason = "hop down"};
    int     ok;

    if ((req = deliver_request_read(sp, &conf, why)) == NULL)
        return 1;
    ok = req->rcpt_count == 3 && strcmp(req->rcpt[2].address, "c@x") == 0
        && req->rcpt[1].dsn_notify == (DSN_NOTIFY_SUCCESS
                                       | DSN_NOTIFY_FAILURE)
        && req->times.active.tv_usec == 7 && req->flags == 515
        && strcmp(req->client_addr, "127.0.0.1") == 0;
    req->status = DELIVER_STAT_DEFER;
    if (deliver_request_done(sp, req, &hop, why) < 0)
        return 1;
    stream_close(sp);
    return ok ? 0 : 2;
}

/* test_offset_none - a recipient passed on by local: the offset -1 as
 * Postfix's local writes it (observed: "offset\018446744073709551615\0"
 * in its request to private/discard), read and written the same way */
static void
test_offset_none(void **state)
{
    static const char want[] = "offset\0" DELIVER_OFFSET_NONE_TEXT "\0";
    char    buf[DELIVER_OFFSET_SIZE];
    long    offset = 0;
    RECIPIENT rcpt = {.address = "pfuser@mx.example.test",
                      .offset = DELIVER_OFFSET_NONE};
    DELIVER_REQUEST req = {
        .queue_name = "active", .queue_id = QID, .nexthop = "mbox text",
        .rcpt = &rcpt, .rcpt_count = 1,
    };
    BUF    *request = buf_alloc(600);
    DELIVER_REQUEST *got_req;
    STREAM *sp = code_stream();
    BUF    *got;

    assert_string_equal(deliver_offset_text(buf, 242), "242");
    assert_string_equal(deliver_offset_text(buf, DELIVER_OFFSET_NONE),
                        "18446744073709551615");
    assert_int_equal(deliver_offset_parse("18446744073709551615", &offset), 0);
    assert_true(offset == DELIVER_OFFSET_NONE);
    offset = 0;
    assert_int_equal(deliver_offset_parse("-1", &offset), 0);
    assert_true(offset == DELIVER_OFFSET_NONE);
    assert_int_equal(deliver_offset_parse("242", &offset), 0);
    assert_int_equal(offset, 242);
    assert_int_equal(deliver_offset_parse("18446744073709551614", &offset),
                     -1);
    assert_int_equal(deliver_offset_parse("-2", &offset), -1);
    assert_int_equal(deliver_offset_parse("", &offset), -1);
    assert_int_equal(deliver_offset_parse("1x", &offset), -1);
    /* qmgr side (and local passing a recipient on): Postfix's bytes. */
    put(GREETING, GREETING_LEN);
    assert_int_equal(deliver_request_send(sp, &req, why), 0);
    stream_close(sp);
    got = drain();
    assert_non_null(memmem(buf_str(got), buf_len(got), want, sizeof(want) - 1));
    buf_free(got);
    /* Agent side: Postfix's request is read. */
    notes_message(request, QID, "1", "mbox text");
    notes_rcpt(request, DELIVER_OFFSET_NONE_TEXT);
    close(fds[1]);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
                     0);
    sp = code_stream();
    put(buf_str(request), buf_len(request));
    assert_non_null(got_req = deliver_request_read(sp, &conf, why));
    assert_true(got_req->rcpt[0].offset == DELIVER_OFFSET_NONE);
    assert_int_equal(deliver_request_done(sp, got_req, NULL, why), 0);
    stream_close(sp);
    buf_free(request);
}

/* test_round_trip - qmgr side and agent side in two processes */
static void
test_round_trip(void **state)
{
    RECIPIENT rcpt[3] = {
        {"a", "a@x", 10, "rfc822;a@x", 0},
        {"", "b@x", 20, "", DSN_NOTIFY_SUCCESS | DSN_NOTIFY_FAILURE},
        {"c", "c@x", 30, "rfc822;c@x", DSN_NOTIFY_NEVER},
    };
    DELIVER_REQUEST req = {
        .flags = 515, .queue_name = "active", .queue_id = QID,
        .data_offset = 100, .data_size = 5, .nexthop = "x",
        .times = {.arrival = {1, 2}, .active = {3, 7}},
        .client_addr = "127.0.0.1", .rcpt = rcpt, .rcpt_count = 3,
    };
    DELIVER_REPLY reply = {.status = buf_alloc(10), .reason = buf_alloc(10)};
    STREAM *sp;
    pid_t   pid;
    int     status;
    int     wstat;

    if ((pid = fork()) == 0) {
        close(fds[0]);
        _exit(round_trip_agent(fds[1]));
    }
    assert_true(pid > 0);
    sp = code_stream();
    assert_int_equal(deliver_request_send(sp, &req, why), 0);
    assert_int_equal(deliver_reply_read(sp, &reply, &status, why), 0);
    assert_int_equal(status, DELIVER_STAT_DEFER);
    assert_string_equal(buf_str(reply.status), "4.4.1");
    assert_string_equal(buf_str(reply.reason), "hop down");
    stream_close(sp);
    assert_int_equal(waitpid(pid, &wstat, 0), pid);
    assert_true(WIFEXITED(wstat));
    assert_int_equal(WEXITSTATUS(wstat), 0);
    buf_free(reply.status);
    buf_free(reply.reason);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_qmgr_side_bytes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_qmgr_side_bad_greeting, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_agent_side_bytes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_agent_deferral_with_dsn, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_agent_truncated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_agent_malformed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_agent_bad_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_file_problems, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reply_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offset_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
