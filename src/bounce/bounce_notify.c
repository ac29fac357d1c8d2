/* bounce_notify - the notices that a flush, warn or trace request calls
 * for, and what happens to the log and the queue file afterwards.
 *
 *   request              log      notice              then
 *   flush  (bounce)      bounce/  non-delivery        remove the log
 *   flush  (defer, 2)    defer/   non-delivery        mark the logged
 *                                                     recipients done,
 *                                                     remove the log
 *   warn   (defer)       defer/   delay warning       keep the log
 *   trace  (trace)       trace/   delivery report     remove the log
 *                                 (verify: status report)
 *
 * The sender gets the notice, about the recipients whose DSN NOTIFY
 * asked for it (all of them when none asked anything). The null sender
 * gets nothing: a notice about a notice would loop. notify_classes adds
 * postmaster notices, from $double_bounce_sender: "2bounce" for a
 * non-delivery report that has nobody to go to, "bounce" and "delay" for
 * copies of the sender's. Mail from $double_bounce_sender (a postmaster
 * notice that failed) gets no notice at all.
 *
 * A non-delivery report goes out even when the log is gone (the text
 * says so) or the queue file is gone (the original is left out), so the
 * sender always hears about a returned message; warnings and reports
 * without a log are skipped. Every notice is queued (cleanup answered)
 * before the queue file is marked or a log removed; if the sender's
 * notice cannot be queued, nothing is changed and the request fails, so
 * that qmgr asks again. Log lines are Postfix's:
 *   ID: sender non-delivery notification: NEWID */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "bounce.h"
#include "bounce_clnt.h"
#include "msg.h"

/* What one request asks for. */
typedef struct BN_PLAN {
    BOUNCE_NOTICE_KIND kind;
    const char *words;                  /* in the log line */
    bool    remove_log;                 /* afterwards */
    bool    without_log;                /* send when the log is gone */
} BN_PLAN;

/* Who a notice is for. */
typedef enum {
    BN_SENDER,                          /* the sender */
    BN_2BOUNCE,                         /* the postmaster, instead */
    BN_COPY,                            /* the postmaster, a copy */
} BN_WHO;

/* State of one request. */
typedef struct BN_STATE {
    const BOUNCE_CONF *conf;
    const BOUNCE_REQ *req;
    BN_PLAN plan;
    BOUNCE_LOG_FILE *log;                    /* NULL: there is none */
    BOUNCE_QUEUE *qf;                   /* NULL: the queue file is gone */
    BUF    *new_id;
    BUF    *why;
} BN_STATE;

/* bn_plan - what the request asks of this service; false when it is
 * not one this service serves */
static bool
bn_plan(const BOUNCE_CONF *conf, const BOUNCE_REQ *req, BN_PLAN *plan)
{
    const char *log = conf->log_queue;

    if (req->cmd == BOUNCE_CMD_FLUSH && strcmp(log, MAIL_QUEUE_TRACE) != 0)
        *plan = (BN_PLAN) {BOUNCE_NOTICE_FAILURE, "non-delivery", true, true};
    else if (req->cmd == BOUNCE_CMD_WARN && strcmp(log, MAIL_QUEUE_DEFER) == 0)
        *plan = (BN_PLAN) {BOUNCE_NOTICE_DELAY, "delay", false, false};
    else if (req->cmd == BOUNCE_CMD_TRACE && strcmp(log, MAIL_QUEUE_TRACE) == 0)
        *plan = (BN_PLAN) {(req->flags & (DEL_REQ_FLAG_USR_VRFY
                                          | DEL_REQ_FLAG_RECORD)) ?
            BOUNCE_NOTICE_VERIFY : BOUNCE_NOTICE_SUCCESS,
        "delivery status", true, false};
    else
        return false;
    return true;
}

/* bn_count - how many logged recipients belong in the notice; -1 on a
 * read error */
static int
bn_count(BN_STATE *st, const BOUNCE_NOTICE *notice)
{
    const RECIPIENT *rcpt;
    const DSN *dsn;
    int     count = 0, status;

    if (st->log == NULL)
        return st->plan.without_log ? 1 : 0;
    if (bounce_log_rewind(st->log) < 0)
        return -1;
    while ((status = bounce_log_read(st->log, &rcpt, &dsn)) > 0)
        if (bounce_compose_wanted(notice, rcpt))
            count++;
    return status < 0 ? -1 : count;
}

/* bn_send - one notice, to the sender or to a postmaster address; 0
 * when it was queued or was not due, -1 when it failed. A non-delivery
 * report returns the whole original when it is not too large and the
 * sender did not ask for headers only; copies carry the headers only. */
static int
bn_send(BN_STATE *st, BN_WHO who, const char *to)
{
    const BOUNCE_CONF *conf = st->conf;
    const BOUNCE_REQ *req = st->req;
    bool    postmaster = (who != BN_SENDER);
    const char *whom = postmaster ? "postmaster" : "sender";
    BOUNCE_NOTICE notice = {
        .kind = st->plan.kind, .postmaster = postmaster,
        .queue_id = buf_str(req->queue_id), .to = to,
        .envid = buf_str(req->envid), .body = BOUNCE_BODY_HEADERS,
        .orig = st->qf ? bounce_queue_orig(st->qf) : NULL,
    };
    int     count;

    if ((count = bn_count(st, &notice)) <= 0) {
        if (count < 0)
            msg_warn("%s: read %s log: %m", notice.queue_id, conf->log_queue);
        return count;
    }
    if (notice.kind == BOUNCE_NOTICE_FAILURE && who != BN_COPY && notice.orig
        && req->ret != DSN_RET_HDRS
        && notice.orig->msg_size <= conf->size_limit)
        notice.body = BOUNCE_BODY_FULL;
    gettimeofday(&notice.now, NULL);
    if (bounce_send(conf, postmaster ? conf->double_bounce : "", &notice,
                    st->log, st->new_id, st->why) < 0) {
        msg_warn("%s: %s %s notification not sent: %s", notice.queue_id,
                 whom, st->plan.words, buf_str(st->why));
        return -1;
    }
    msg_info("%s: %s %s notification: %s", notice.queue_id, whom,
             st->plan.words, buf_str(st->new_id));
    return 0;
}

/* bn_notices - the sender's notice and the postmaster's; 0, or -1 when
 * the one that matters could not be sent */
static int
bn_notices(BN_STATE *st)
{
    const BOUNCE_CONF *conf = st->conf;
    const char *sender = buf_str(st->req->sender);

    if (strcasecmp(sender, conf->double_bounce) == 0)
        return 0;
    if (*sender == 0)
        return st->plan.kind == BOUNCE_NOTICE_FAILURE
            && (conf->notify_classes & BOUNCE_CLASS_2BOUNCE) ?
            bn_send(st, BN_2BOUNCE, conf->bounce2_rcpt) : 0;
    if (bn_send(st, BN_SENDER, sender) < 0)
        return -1;
    /* A copy that fails is not worth a second notice to the sender. */
    if (st->plan.kind == BOUNCE_NOTICE_FAILURE
        && (conf->notify_classes & BOUNCE_CLASS_BOUNCE))
        (void) bn_send(st, BN_COPY, conf->bounce_rcpt);
    if (st->plan.kind == BOUNCE_NOTICE_DELAY
        && (conf->notify_classes & BOUNCE_CLASS_DELAY))
        (void) bn_send(st, BN_COPY, conf->delay_rcpt);
    return 0;
}

/* bn_mark_done - mark every logged recipient done in the queue file */
static void
bn_mark_done(BN_STATE *st)
{
    const char *id = buf_str(st->req->queue_id);
    const RECIPIENT *rcpt;
    const DSN *dsn;
    int     status;

    if (st->log == NULL || st->qf == NULL || bounce_log_rewind(st->log) < 0)
        return;
    /* A recipient logged without an offset was passed on by local(8);
     * it is not a record of this file. */
    while ((status = bounce_log_read(st->log, &rcpt, &dsn)) > 0)
        if (rcpt->offset > 0
            && bounce_queue_mark_done(st->qf, rcpt->offset, st->why) < 0)
            msg_warn("%s: recipient %s not marked done: %s", id,
                     rcpt->address, buf_str(st->why));
    if (status < 0)
        msg_warn("%s: read %s log: %m", id, st->conf->log_queue);
}

/* bn_open - the log and the queue file; 0, or -1 when either exists
 * but cannot be used */
static int
bn_open(BN_STATE *st)
{
    const BOUNCE_CONF *conf = st->conf;
    const char *id = buf_str(st->req->queue_id);

    st->log = bounce_log_open(&conf->queue, conf->log_queue, id, st->why);
    if (st->log == NULL && errno != ENOENT) {
        msg_warn("%s: %s", id, buf_str(st->why));
        return -1;
    }
    if (st->log == NULL && !st->plan.without_log)
        return 0;
    st->qf = bounce_queue_open(conf, buf_str(st->req->queue_name), id,
                               st->why);
    if (st->qf == NULL && errno != ENOENT) {
        msg_warn("%s: %s", id, buf_str(st->why));
        return -1;
    }
    return 0;
}

/* bounce_notify_service - serve a flush, warn or trace request */
int
bounce_notify_service(const BOUNCE_CONF *conf, const BOUNCE_REQ *req)
{
    BN_STATE st = {conf, req, {0}, NULL, NULL, buf_alloc(20), buf_alloc(100)};
    const char *id = buf_str(req->queue_id);
    int     ret;

    if (!bn_plan(conf, req, &st.plan)) {
        msg_warn("%s: request %d is not served by the %s service", id,
                 req->cmd, conf->log_queue);
        ret = -1;
    } else if ((ret = bn_open(&st)) == 0
               && (st.log || st.plan.without_log)
               && (ret = bn_notices(&st)) == 0) {
        if (req->cmd == BOUNCE_CMD_FLUSH && (req->flags & BOUNCE_FLAG_DELRCPT))
            bn_mark_done(&st);
        if (st.log && st.plan.remove_log
            && mail_queue_remove(&conf->queue, conf->log_queue, id,
                                 st.why) < 0 && errno != ENOENT)
            msg_warn("%s: %s", id, buf_str(st.why));
    }
    if (st.log)
        bounce_log_close(st.log);
    if (st.qf)
        bounce_queue_close(st.qf);
    buf_free(st.new_id);
    buf_free(st.why);
    return ret;
}
