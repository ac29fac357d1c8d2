/* deliver_result - what an agent does with each recipient's outcome
 * (see deliver_result.h and docs/protocols/delivery.md).
 *
 * Model: Debian's Postfix 3.7 error(8) and discard(8), observed with
 * every combination of request flags, DSN NOTIFY and missing status
 * services:
 *   - the status must be of the outcome's class: otherwise a warning
 *     ("bounce_append: ignoring dsn code \"4.7.1\"") and X.0.0;
 *   - sent: a trace append when the recipient asked NOTIFY=SUCCESS or
 *     the request is recorded (sendmail -v), with the reason prefixed by
 *     "delivery via RELAY: " (not for relay "none"); if that fails,
 *     "QID: trace service failure" and the recipient is deferred with
 *     4.3.0 "QID: trace service failed"; marked done when the request
 *     has DEL_REQ_FLAG_SUCCESS;
 *   - bounced: a bounce append (and for sendmail -v a trace append); if
 *     either fails, deferred with 4.3.0 "bounce or trace service
 *     failure"; marked done when the request has DEL_REQ_FLAG_BOUNCE
 *     (qmgr always sets it; Postfix's agents mark without looking, and
 *     an agent that reports several results for one queue file
 *     recipient, like local, needs a say);
 *   - a recipient passed on by another agent (offset
 *     DELIVER_OFFSET_NONE) is never marked: it is not a record of the
 *     queue file, and the agent that passed it marks its own recipient;
 *   - deferred: a defer append (and for sendmail -v a trace append);
 *     a failure is only logged ("QID: defer service failure"), the
 *     recipient stays deferred either way; never marked;
 *   - verification (DEL_REQ_TRACE_ONLY): only a trace append, action
 *     and log word "deliverable" or "undeliverable"; the recipient is
 *     then finished (even a temporary failure) and marked like a sent
 *     one ("deliverable") or a bounced one ("undeliverable"); if the trace
 *     append fails, nothing is logged and the recipient is deferred;
 *   - an address probe of the verify service (DEL_REQ_FLAG_MTA_VRFY,
 *     Postfix's verify_append()): instead of the trace append, an update
 *     of the verify service (verify_clnt.h) with the address status
 *     (deliverable, deferred, bounced) and the reason, for the original
 *     recipient (when there is one) and, when it differs, for the
 *     recipient; if that fails, "QID: verify service failure" and the
 *     recipient is deferred.
 * The status service answers only after its log is on disk, so the log
 * line and the done mark always come after the result is durable; the
 * marks are fsync'd by deliver_request_done(). */
#include <string.h>

#include "bounce_clnt.h"
#include "deliver_log.h"
#include "deliver_result.h"
#include "mail_params.h"
#include "msg.h"
#include "rec_stream.h"
#include "verify_clnt.h"

#define DELIVER_RELAY_NONE      "none"

/* deliver_result_dsn - dsn with NULL parts as "", the action, and a
 * status of the class, else (with a warning, as Postfix) def */
static DSN
deliver_result_dsn(const DSN *dsn, const char *who, const char *def,
                   const char *action)
{
    DSN     d = {
        .status = DEL_TEXT(dsn->status), .action = action,
        .reason = DEL_TEXT(dsn->reason), .dtype = DEL_TEXT(dsn->dtype),
        .dtext = DEL_TEXT(dsn->dtext), .mtype = DEL_TEXT(dsn->mtype),
        .mname = DEL_TEXT(dsn->mname),
    };

    if (dsn_valid(d.status) != strlen(d.status)
        || DSN_CLASS(d.status) != def[0]) {
        if (*d.status)
            msg_warn("%s: ignoring dsn code \"%s\"", who, d.status);
        d.status = def;
    }
    return d;
}

/* deliver_result_append - one append to a status service; 0, or -1
 * after a warning with the reason */
static int
deliver_result_append(BOUNCE_LOG log, int flags, const char *queue_id,
                      const RECIPIENT *rcpt, const DSN *dsn)
{
    BUF    *why = buf_alloc(100);
    int     ret;

    if ((ret = bounce_append(log, flags, queue_id, rcpt, dsn, why)) < 0)
        msg_warn("%s", buf_str(why));
    buf_free(why);
    return ret;
}

/* deliver_result_trace - the trace append, with "delivery via RELAY: "
 * before the reason; 0 or -1 */
static int
deliver_result_trace(int flags, const char *queue_id, const RECIPIENT *rcpt,
                     const char *relay, const DSN *dsn)
{
    BUF    *reason = buf_alloc(100);
    DSN     d = *dsn;
    int     ret;

    if (strcmp(relay, DELIVER_RELAY_NONE) != 0)
        buf_sprintf(reason, "delivery via %s: ", relay);
    buf_strcat(reason, dsn->reason);
    d.reason = buf_str(reason);
    ret = deliver_result_append(BOUNCE_LOG_TRACE, flags, queue_id, rcpt, &d);
    buf_free(reason);
    return ret;
}

/* deliver_result_mark - the done mark if asked; the recipient is
 * finished */
static int
deliver_result_mark(DELIVER_REQUEST *req, const RECIPIENT *rcpt, bool mark)
{
    BUF    *why;

    if (mark && rcpt->offset != DELIVER_OFFSET_NONE) {
        why = buf_alloc(100);
        if (rec_mark_done_nosync(req->fd, rcpt->offset, why) < 0)
            msg_warn("%s: %s", req->queue_id, buf_str(why));
        else
            req->marked = true;
        buf_free(why);
    }
    return 0;
}

/* deliver_result_done - the log line, then the done mark if asked */
static int
deliver_result_done(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                    const char *relay, const DSN *dsn, const char *word,
                    bool mark)
{
    deliver_log(req->queue_id, rcpt, relay, &req->times, word, dsn);
    return deliver_result_mark(req, rcpt, mark);
}

/* deliver_result_probe - a probe's result to the verify service: the
 * original recipient and, when it differs, the recipient; 0 or -1 */
static int
deliver_result_probe(const RECIPIENT *rcpt, int addr_status,
                     const DSN *dsn)
{
    BUF    *why = buf_alloc(100);
    const char *orig = DEL_TEXT(rcpt->orig_addr);
    int     ret = VRFY_STAT_OK;

    if (*orig)
        ret = verify_clnt_update(orig, addr_status, dsn->reason, why);
    if (ret == VRFY_STAT_OK && strcmp(rcpt->address, orig) != 0)
        ret = verify_clnt_update(rcpt->address, addr_status, dsn->reason,
                                 why);
    if (ret != VRFY_STAT_OK)
        msg_warn("%s", buf_str(why));
    buf_free(why);
    return ret == VRFY_STAT_OK ? 0 : -1;
}

/* deliver_verify_report - a verification request's result */
int
deliver_verify_report(int flags, const char *queue_id, const RECIPIENT *rcpt,
                      const char *relay, const DELIVER_TIMES *times,
                      DSN *dsn, int addr_status)
{
    const char *word = addr_status == VRFY_ADDR_OK ? "deliverable" :
        "undeliverable";

    dsn->action = word;
    if ((flags & DEL_REQ_FLAG_USR_VRFY)
        && deliver_result_trace(flags, queue_id, rcpt, relay, dsn) < 0) {
        msg_warn("%s: trace service failure", queue_id);
        return -1;
    }
    if ((flags & DEL_REQ_FLAG_MTA_VRFY)
        && deliver_result_probe(rcpt, addr_status, dsn) < 0) {
        msg_warn("%s: %s service failure", queue_id,
                 var_address_verify_service_name);
        return -1;
    }
    deliver_log(queue_id, rcpt, relay, times, word, dsn);
    return 0;
}

/* deliver_result_verify - a verification request: report (trace for
 * sendmail -bv, the verify service for a probe), log, mark */
static int
deliver_result_verify(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                      const char *relay, DSN *dsn, int addr_status,
                      bool mark)
{
    if (deliver_verify_report(req->flags, req->queue_id, rcpt, relay,
                              &req->times, dsn, addr_status) < 0) {
        req->status = DELIVER_STAT_DEFER;
        return -1;
    }
    return deliver_result_mark(req, rcpt, mark);
}

/* deliver_result_defer - defer with a status and reason of our own */
static int
deliver_result_defer(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                     const char *relay, const char *status,
                     const char *reason)
{
    DSN     dsn = {.status = status, .reason = reason};

    return deliver_deferred(req, rcpt, relay, &dsn);
}

/* deliver_sent - delivered */
int
deliver_sent(DELIVER_REQUEST *req, const RECIPIENT *rcpt, const char *relay,
             const DSN *dsn)
{
    DSN     d = deliver_result_dsn(dsn, "sent", "2.0.0",
                                   dsn->action && *dsn->action ?
                                   dsn->action : "delivered");
    bool    mark = (req->flags & DEL_REQ_FLAG_SUCCESS) != 0;
    BUF    *reason;
    int     ret;

    if (DEL_REQ_TRACE_ONLY(req->flags))
        return deliver_result_verify(req, rcpt, relay, &d, VRFY_ADDR_OK,
                                     mark);
    if (((rcpt->dsn_notify & DSN_NOTIFY_SUCCESS)
         || (req->flags & DEL_REQ_FLAG_RECORD))
        && deliver_result_trace(req->flags, req->queue_id, rcpt, relay,
                                &d) < 0) {
        msg_warn("%s: trace service failure", req->queue_id);
        reason = buf_alloc(100);
        buf_sprintf(reason, "%s: trace service failed", req->queue_id);
        ret = deliver_result_defer(req, rcpt, relay, "4.3.0",
                                   buf_str(reason));
        buf_free(reason);
        return ret;
    }
    return deliver_result_done(req, rcpt, relay, &d, "sent", mark);
}

/* deliver_bounced - failed for good */
int
deliver_bounced(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                const char *relay, const DSN *dsn)
{
    DSN     d = deliver_result_dsn(dsn, "bounce_append", "5.0.0", "failed");

    bool    mark = (req->flags & DEL_REQ_FLAG_BOUNCE) != 0;

    if (DEL_REQ_TRACE_ONLY(req->flags))
        return deliver_result_verify(req, rcpt, relay, &d, VRFY_ADDR_BOUNCE,
                                     mark);
    if (deliver_result_append(BOUNCE_LOG_BOUNCE, req->flags, req->queue_id,
                              rcpt, &d) < 0
        || ((req->flags & DEL_REQ_FLAG_RECORD)
            && deliver_result_trace(req->flags, req->queue_id, rcpt, relay,
                                    &d) < 0))
        return deliver_result_defer(req, rcpt, relay, "4.3.0",
                                    "bounce or trace service failure");
    return deliver_result_done(req, rcpt, relay, &d, "bounced", mark);
}

/* deliver_deferred - try again later */
int
deliver_deferred(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                 const char *relay, const DSN *dsn)
{
    DSN     d = deliver_result_dsn(dsn, "defer_append", "4.0.0", "delayed");

    if (DEL_REQ_TRACE_ONLY(req->flags))
        return deliver_result_verify(req, rcpt, relay, &d, VRFY_ADDR_DEFER,
                                     (req->flags & DEL_REQ_FLAG_BOUNCE) != 0);
    if (deliver_result_append(BOUNCE_LOG_DEFER, req->flags, req->queue_id,
                              rcpt, &d) < 0)
        msg_warn("%s: defer service failure", req->queue_id);
    if ((req->flags & DEL_REQ_FLAG_RECORD)
        && deliver_result_trace(req->flags, req->queue_id, rcpt, relay,
                                &d) < 0)
        msg_warn("%s: trace service failure", req->queue_id);
    deliver_log(req->queue_id, rcpt, relay, &req->times, "deferred", &d);
    req->status = DELIVER_STAT_DEFER;
    return -1;
}

/* deliver_result - by the class of the status */
int
deliver_result(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
               const char *relay, const DSN *dsn)
{
    switch (dsn->status ? DSN_CLASS(dsn->status) : 0) {
    case '2':
        return deliver_sent(req, rcpt, relay, dsn);
    case '5':
        return deliver_bounced(req, rcpt, relay, dsn);
    default:
        return deliver_deferred(req, rcpt, relay, dsn);
    }
}
