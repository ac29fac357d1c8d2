/* local_result - each delivery result of an expansion, and the end of a
 * request recipient.
 *
 * One request recipient can expand into many deliveries (an alias list,
 * a .forward with a file and a command). Each is reported on its own,
 * as Postfix does (a status service append and a log line with to=<the
 * address reached> and orig_to=<the original recipient>,
 * deliver_result.h), but the recipient's done mark must wait until all
 * of them are finished, because a deferred recipient is never marked:
 *   - sent: reported at once, without the mark;
 *   - deferred: reported at once; the recipient will be tried again;
 *   - bounced: held until the end (deliver_bounced() marks the
 *     recipient done): when nothing was deferred they are reported as
 *     bounces; when something was, as deferrals with the same text and a
 *     4.X.Y status, so the recipient is retried whole and the failure is
 *     reported once, when it is finished (Postfix would send a bounce for
 *     it on every attempt; docs/local.md).
 * Then the recipient is marked done when nothing was deferred and the
 * request asks for it (DEL_REQ_FLAG_SUCCESS or _BOUNCE). Peers: deliver_result,
 * rec_stream, every delivery module. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "deliver_result.h"
#include "local.h"
#include "mail_copy.h"
#include "msg.h"
#include "mymalloc.h"
#include "rec_stream.h"

/* A bounce held until the recipient is finished. */
struct LOCAL_HELD {
    LOCAL_HELD *next;
    RECIPIENT rcpt;                     /* strings in the pool */
    DSN_BUF *why;
};

/* local_sent - a delivery was made */
int
local_sent(LOCAL_STATE state, DSN_BUF *why)
{
    DELIVER_REQUEST *req = state.lr->req;
    int     flags = req->flags;
    DSN     dsn;
    int     ret;

    req->flags &= ~DEL_REQ_FLAG_SUCCESS;        /* marked at the end */
    ret = deliver_sent(req, &state.rcpt, local_conf.relay,
                       dsb_dsn(why, &dsn, NULL));
    req->flags = flags;
    if (ret < 0)
        state.lr->deferred = true;
    return ret;
}

/* local_deferred - a delivery must be tried again */
int
local_deferred(LOCAL_STATE state, DSN_BUF *why)
{
    DSN     dsn;

    (void) deliver_deferred(state.lr->req, &state.rcpt, local_conf.relay,
                            dsb_dsn(why, &dsn, NULL));
    state.lr->deferred = true;
    return -1;
}

/* local_bounced - a delivery failed for good: held (see above) */
int
local_bounced(LOCAL_STATE state, DSN_BUF *why)
{
    LOCAL_HELD *held = mymalloc(sizeof(*held));
    LOCAL_HELD **tail = &state.lr->held;

    held->next = NULL;
    held->rcpt = state.rcpt;
    held->rcpt.address = local_save(&state, state.rcpt.address);
    held->why = dsb_create();
    dsb_simple(held->why, buf_str(why->status), "%s", buf_str(why->reason));
    buf_strcpy(held->why->dtype, buf_str(why->dtype));
    buf_strcpy(held->why->dtext, buf_str(why->dtext));
    while (*tail)
        tail = &(*tail)->next;
    *tail = held;
    return 0;
}

/* local_result - by the class of the status */
int
local_result(LOCAL_STATE state, DSN_BUF *why)
{
    switch (dsb_status_class(why)) {
    case '2':
        return local_sent(state, why);
    case '5':
        return local_bounced(state, why);
    default:
        return local_deferred(state, why);
    }
}

/* local_status - report a result made of a status and a text */
int
local_status(LOCAL_STATE state, const char *status, const char *fmt, ...)
{
    int     err = errno;                /* for %m */
    DSN_BUF *why = dsb_create();
    va_list ap;
    int     ret;

    buf_strcpy(why->status, status);
    errno = err;
    va_start(ap, fmt);
    buf_vsprintf_append(why->reason, fmt, ap);
    va_end(ap);
    ret = local_result(state, why);
    dsb_free(why);
    return ret;
}

/* local_written - report a write (mail_copy status): sent with the
 * formatted text, deferred for a damaged queue file, else by the class
 * of why's status */
int
local_written(LOCAL_STATE state, int copy_status, DSN_BUF *why,
              const char *fmt, ...)
{
    va_list ap;

    if (copy_status & (MAIL_COPY_STAT_CORRUPT | MAIL_COPY_STAT_READ))
        return local_deferred(state, why);
    if (copy_status != 0)
        return local_result(state, why);
    buf_strcpy(why->status, "2.0.0");
    buf_reset(why->reason);
    buf_reset(why->dtype);
    buf_reset(why->dtext);
    va_start(ap, fmt);
    buf_vsprintf_append(why->reason, fmt, ap);
    va_end(ap);
    return local_sent(state, why);
}

/* local_release - report the held bounces; the recipient is marked by
 * local_finish() only, so that a later bounce that cannot be recorded
 * still leaves it to be tried again */
static void
local_release(LOCAL_RCPT *lr)
{
    LOCAL_HELD *held;
    DSN     dsn;
    int     flags = lr->req->flags;

    lr->req->flags &= ~DEL_REQ_FLAG_BOUNCE;
    while ((held = lr->held) != NULL) {
        lr->held = held->next;
        if (!lr->deferred) {
            if (deliver_bounced(lr->req, &held->rcpt, local_conf.relay,
                                dsb_dsn(held->why, &dsn, NULL)) < 0)
                lr->deferred = true;
        } else {
            held->why->status->data[0] = '4';
            (void) deliver_deferred(lr->req, &held->rcpt, local_conf.relay,
                                    dsb_dsn(held->why, &dsn, NULL));
        }
        dsb_free(held->why);
        myfree(held);
    }
    lr->req->flags = flags;
}

/* local_finish - the end of a request recipient: bounces, the mark */
void
local_finish(LOCAL_RCPT *lr)
{
    DELIVER_REQUEST *req = lr->req;
    BUF    *why;

    local_release(lr);
    if (lr->deferred
        || !(req->flags & (DEL_REQ_FLAG_SUCCESS | DEL_REQ_FLAG_BOUNCE)))
        return;
    why = buf_alloc(100);
    if (rec_mark_done_nosync(req->fd, lr->top->offset, why) < 0)
        msg_warn("%s: %s", req->queue_id, buf_str(why));
    else
        req->marked = true;
    buf_free(why);
}
