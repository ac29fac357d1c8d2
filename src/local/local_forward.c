/* local_forward - forwarding: the message again, as a new message,
 * to addresses that are not delivered in this process.
 *
 * Model (observed from Postfix 3.7's local and its cleanup traffic):
 * addresses with the same sender and Delivered-To: address share one
 * new message, so an owner-ALIAS list becomes one message with many
 * recipients. At the first address a cleanup session is opened (flags
 * BOUNCE and MAP_OK) and the envelope is written:
 *   T now | S sender | A rewrite_context=local
 * then per address, while the sender is the original one,
 *   A dsn_orig_rcpt=... | A notify_flags=N | O original | R address
 * (only R for a list with an owner: its DSN requests were the sender's).
 * When the recipient is finished and nothing was deferred, each message
 * gets its content:
 *   M | N Received: by $myhostname ($mail_name) | N <tab>id NEWID; DATE
 *   | N Delivered-To: ADDR (prepend_delivered_header "forward") | the
 *   original content records | X | E
 * and the request recipient is logged "forwarded as NEWID". Otherwise
 * the sessions are dropped, and cleanup discards the half messages: the
 * whole recipient is tried again later. Peers: cleanup_clnt,
 * mail_copy_walk, local_resolve. */
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "cleanup_clnt.h"
#include "local.h"
#include "mail_copy.h"
#include "mail_date.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "rec_stream.h"
#include "rec_type.h"

struct LOCAL_FORWARD {
    LOCAL_FORWARD *next;
    char   *sender;
    char   *delivered;
    CLEANUP_CLNT *cc;
};

/* local_forward_open - a new message for this sender and Delivered-To */
static LOCAL_FORWARD *
local_forward_open(LOCAL_RCPT *lr, const char *sender, const char *delivered)
{
    LOCAL_FORWARD *fw;
    CLEANUP_CLNT *cc;
    BUF    *why = buf_alloc(100);
    struct timeval tv;
    STREAM *sp;

    cc = cleanup_open(local_conf.cleanup_path, var_ipc_timeout,
                      CLEANUP_FLAG_BOUNCE | CLEANUP_FLAG_MAP_OK, why);
    if (cc == NULL) {
        msg_warn("%s: %s", lr->req->queue_id, buf_str(why));
        buf_free(why);
        return NULL;
    }
    buf_free(why);
    sp = cleanup_stream(cc);
    gettimeofday(&tv, NULL);
    rec_printf(sp, REC_TYPE_TIME, "%ld %ld", (long) tv.tv_sec,
               (long) tv.tv_usec);
    rec_puts(sp, REC_TYPE_FROM, sender);
    rec_puts(sp, REC_TYPE_ATTR, "rewrite_context=local");
    fw = mymalloc(sizeof(*fw));
    fw->sender = mystrdup(sender);
    fw->delivered = mystrdup(delivered);
    fw->cc = cc;
    fw->next = lr->forward;
    lr->forward = fw;
    return fw;
}

/* local_forward_append - add the current address; 0, or -1 */
int
local_forward_append(LOCAL_STATE state)
{
    LOCAL_RCPT *lr = state.lr;
    LOCAL_FORWARD *fw;
    STREAM *sp;

    for (fw = lr->forward; fw; fw = fw->next)
        if (strcmp(fw->sender, state.sender) == 0
            && strcmp(fw->delivered, state.delivered) == 0)
            break;
    if (fw == NULL
        && (fw = local_forward_open(lr, state.sender, state.delivered)) == NULL)
        return -1;
    sp = cleanup_stream(fw->cc);
    if (strcmp(state.sender, lr->req->sender) == 0) {
        if (*state.rcpt.dsn_orig)
            rec_printf(sp, REC_TYPE_ATTR, "dsn_orig_rcpt=%s",
                       state.rcpt.dsn_orig);
        if (state.rcpt.dsn_notify)
            rec_printf(sp, REC_TYPE_ATTR, "notify_flags=%d",
                       state.rcpt.dsn_notify);
        if (*state.rcpt.orig_addr)
            rec_puts(sp, REC_TYPE_ORCP, state.rcpt.orig_addr);
    }
    rec_puts(sp, REC_TYPE_RCPT, state.rcpt.address);
    return stream_error(sp) ? -1 : 0;
}

/* local_forward_record - the walker callback: one content record */
static int
local_forward_record(int type, const char *data, size_t len, void *ctx)
{
    return rec_put(ctx, type, data, len) < 0 ? MAIL_COPY_STAT_WRITE : 0;
}

/* local_forward_content - the headers we add, the content, the end */
static int
local_forward_content(LOCAL_RCPT *lr, LOCAL_FORWARD *fw, DSN_BUF *why)
{
    STREAM *sp = cleanup_stream(fw->cc);
    BUF    *bp = buf_alloc(100);
    int     status;

    rec_put(sp, REC_TYPE_MESG, "", 0);
    rec_printf(sp, REC_TYPE_NORM, "Received: by %s (%s)", var_myhostname,
               var_mail_name);
    rec_printf(sp, REC_TYPE_NORM, "\tid %s; %s", cleanup_queue_id(fw->cc),
               mail_date(bp, time(NULL)));
    if (local_conf.hdr_mask & LOCAL_HDR_FORWARD) {
        buf_strcpy(bp, "Delivered-To: ");
        quote_822_local_flags(bp, fw->delivered, QUOTE_822_FLAG_APPEND);
        rec_puts(sp, REC_TYPE_NORM, buf_str(bp));
    }
    status = mail_copy_walk(lr->req->fd, lr->req->data_offset,
                            local_forward_record, sp, why);
    rec_put(sp, REC_TYPE_XTRA, "", 0);
    rec_put(sp, REC_TYPE_END, "", 0);
    buf_free(bp);
    return status;
}

/* local_forward_send - finish one message; report the recipient */
static void
local_forward_send(LOCAL_RCPT *lr, LOCAL_FORWARD *fw, LOCAL_STATE state)
{
    DSN_BUF *why = dsb_create();
    BUF    *reason = buf_alloc(100);
    char   *id = mystrdup(cleanup_queue_id(fw->cc));
    int     status;

    if (local_forward_content(lr, fw, why) & (MAIL_COPY_STAT_CORRUPT
                                              | MAIL_COPY_STAT_READ)) {
        cleanup_abort(fw->cc);
        (void) local_deferred(state, why);
    } else if ((status = cleanup_close(fw->cc, reason)) != 0) {
        dsb_simple(why, (status & CLEANUP_STAT_PERMANENT) ? "5.3.0" :
                   "4.3.0", "unable to forward message: %s", buf_str(reason));
        (void) local_result(state, why);
    } else {
        dsb_simple(why, "2.0.0", "forwarded as %s", id);
        (void) local_sent(state, why);
    }
    fw->cc = NULL;
    myfree(id);
    buf_free(reason);
    dsb_free(why);
}

/* local_forward_finish - send the messages, or drop them (cancel) */
void
local_forward_finish(LOCAL_RCPT *lr, bool cancel)
{
    LOCAL_STATE state;
    LOCAL_FORWARD *fw;

    memset(&state, 0, sizeof(state));
    state.lr = lr;
    state.rcpt = *lr->top;
    state.rcpt.orig_addr = DEL_TEXT(lr->top->orig_addr);
    state.rcpt.dsn_orig = DEL_TEXT(lr->top->dsn_orig);
    state.sender = lr->req->sender;
    state.delivered = lr->top->address;
    for (fw = lr->forward; fw; fw = fw->next) {
        if (cancel) {
            cleanup_abort(fw->cc);
            fw->cc = NULL;
        } else {
            local_forward_send(lr, fw, state);
        }
    }
}

/* local_forward_free - release the list */
void
local_forward_free(LOCAL_RCPT *lr)
{
    LOCAL_FORWARD *fw;

    while ((fw = lr->forward) != NULL) {
        lr->forward = fw->next;
        if (fw->cc)
            cleanup_abort(fw->cc);
        myfree(fw->sender);
        myfree(fw->delivered);
        myfree(fw);
    }
}
