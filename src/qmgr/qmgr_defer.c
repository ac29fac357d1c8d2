/* qmgr_defer - recipients that qmgr settles itself, without an agent.
 *
 * When a recipient cannot be resolved, its transport is listed in
 * $defer_transports, its agent cannot be reached, or its destination is
 * dead, qmgr defers it the way an agent would: a record in the defer log
 * (so mailq shows the reason and the delay notice can cite it) and
 * Postfix's log line with relay=none. A bad address bounces: a bounce
 * log record, the log line, and the recipient is marked done. When the
 * bounce service cannot record it, the recipient is deferred instead:
 * nothing is lost. A verification request (sendmail -bv, an address
 * probe) is reported to the trace or verify service instead, as the
 * agents do (deliver_result.h), and the recipient is then done. */
#include <fcntl.h>
#include <unistd.h>

#include "bounce_clnt.h"
#include "deliver_log.h"
#include "deliver_result.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "rec_stream.h"
#include "verify_clnt.h"

/* qmgr_defer_times - the log line's time stamps */
static void
qmgr_defer_times(const QMGR_MESSAGE *message, DELIVER_TIMES *times)
{
    *times = (DELIVER_TIMES) {
        .arrival = message->arrival, .active = message->active,
    };
    gettimeofday(&times->agent, NULL);
}

/* qmgr_mark_done - mark a recipient done in the queue file */
static int
qmgr_mark_done(const QMGR_MESSAGE *message, const RECIPIENT *rcpt,
               BUF *why)
{
    int     fd;
    int     status;

    if ((fd = mail_queue_open(&qmgr.queue, MAIL_QUEUE_ACTIVE,
                              message->queue_id, O_RDWR, NULL, why)) < 0)
        return -1;
    status = rec_mark_done(fd, rcpt->offset, why);
    close(fd);
    return status;
}

/* qmgr_verify_rcpt - a verification request's recipient: report, mark
 * done; false when the report failed (the recipient is deferred) */
static bool
qmgr_verify_rcpt(QMGR_MESSAGE *message, const RECIPIENT *rcpt, DSN *dsn,
                 int addr_status)
{
    DELIVER_TIMES times;
    BUF    *why;

    qmgr_defer_times(message, &times);
    if (deliver_verify_report(message->tflags, message->queue_id, rcpt,
                              "none", &times, dsn, addr_status) < 0)
        return false;
    why = buf_alloc(100);
    if (qmgr_mark_done(message, rcpt, why) < 0)
        msg_warn("%s: %s", message->queue_id, buf_str(why));
    buf_free(why);
    return true;
}

/* qmgr_defer_rcpt - defer one recipient with a reason */
void
qmgr_defer_rcpt(QMGR_MESSAGE *message, const RECIPIENT *rcpt,
                const char *status, const char *reason)
{
    DSN     dsn = {
        .status = status, .action = "delayed", .reason = reason,
        .dtype = "", .dtext = "", .mtype = "", .mname = "",
    };
    DELIVER_TIMES times;
    BUF    *why;

    if (DEL_REQ_TRACE_ONLY(message->tflags)
        && qmgr_verify_rcpt(message, rcpt, &dsn, VRFY_ADDR_DEFER))
        return;
    dsn.action = "delayed";
    why = buf_alloc(100);
    message->defer = true;
    if (bounce_append(BOUNCE_LOG_DEFER, message->tflags, message->queue_id,
                      rcpt, &dsn, why) < 0)
        msg_warn("%s: %s", message->queue_id, buf_str(why));
    qmgr_defer_times(message, &times);
    deliver_log(message->queue_id, rcpt, "none", &times, "deferred", &dsn);
    buf_free(why);
}

/* qmgr_defer_rcpts - defer every recipient of an entry */
void
qmgr_defer_rcpts(QMGR_ENTRY *entry, const char *status, const char *reason)
{
    for (int i = 0; i < entry->rcpt_count; i++)
        qmgr_defer_rcpt(entry->message, entry->rcpt + i, status, reason);
}

/* qmgr_defer_entry - defer an entry that never went out, and drop it */
void
qmgr_defer_entry(QMGR_ENTRY *entry, const char *status, const char *reason)
{
    qmgr_defer_rcpts(entry, status, reason);
    qmgr_entry_done(entry);
}

/* qmgr_bounce_rcpt - bounce one recipient with a reason */
void
qmgr_bounce_rcpt(QMGR_MESSAGE *message, const RECIPIENT *rcpt,
                 const char *status, const char *reason)
{
    DSN     dsn = {
        .status = status, .action = "failed", .reason = reason,
        .dtype = "", .dtext = "", .mtype = "", .mname = "",
    };
    DELIVER_TIMES times;
    BUF    *why;

    if (DEL_REQ_TRACE_ONLY(message->tflags)) {
        if (!qmgr_verify_rcpt(message, rcpt, &dsn, VRFY_ADDR_BOUNCE))
            qmgr_defer_rcpt(message, rcpt, "4.3.0",
                            "bounce or trace service failure");
        return;
    }
    why = buf_alloc(100);
    if (bounce_append(BOUNCE_LOG_BOUNCE, message->tflags, message->queue_id,
                      rcpt, &dsn, why) < 0) {
        msg_warn("%s: %s", message->queue_id, buf_str(why));
        qmgr_defer_rcpt(message, rcpt, "4.3.0",
                        "bounce or trace service failure");
    } else {
        qmgr_defer_times(message, &times);
        deliver_log(message->queue_id, rcpt, "none", &times, "bounced",
                    &dsn);
        if (qmgr_mark_done(message, rcpt, why) < 0)
            msg_warn("%s: %s", message->queue_id, buf_str(why));
    }
    buf_free(why);
}
