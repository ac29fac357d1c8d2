/* smtp_rcpt - the outcome of each recipient, and its report.
 *
 * A 2xx reply delivers (status=sent, the reply as the reason), a 5xx
 * bounces, a 4xx defers: at once at the last server to try, else the
 * recipient is kept, with this failure, for the next server, as
 * Postfix's smtp does. Each report goes through deliver_result.h with
 * the relay "host[addr]:port", the diagnostic "smtp; REPLY" and the
 * remote MTA "dns; host". The DSN action of a delivery is "relayed"
 * when the server did not offer DSN (SMTP), else "delivered". */
#include <string.h>

#include "deliver_result.h"
#include "smtp.h"

/* smtp_rcpt_action - the DSN action for a status class */
static const char *
smtp_rcpt_action(const SMTP_STATE *state, int class)
{
    if (class == '2')
        return (smtp_conf.lmtp || (state->features & SMTP_FEAT_DSN))
            ? "delivered" : "relayed";
    return class == '5' ? "failed" : "delayed";
}

/* smtp_rcpt_report - report one recipient as dsn says. A delivery to
 * an SMTP server that offers DSN passed NOTIFY=SUCCESS on: that server
 * now owns the success notice, so none is sent from here (as Postfix) */
static void
smtp_rcpt_report(SMTP_STATE *state, SMTP_RCPT *sr, const char *relay,
                 const DSN *dsn)
{
    RECIPIENT rcpt = *sr->rcpt;

    if (DSN_CLASS(dsn->status) == '2' && !smtp_conf.lmtp
        && (state->features & SMTP_FEAT_DSN))
        rcpt.dsn_notify &= ~DSN_NOTIFY_SUCCESS;
    (void) deliver_result(state->req, &rcpt, relay, dsn);
    sr->done = true;
    state->pending--;
}

/* smtp_rcpt_outcome - report now, or keep a soft failure for later */
static void
smtp_rcpt_outcome(SMTP_STATE *state, SMTP_RCPT *sr, DSN *dsn)
{
    int     class = DSN_CLASS(dsn->status);

    dsn->action = smtp_rcpt_action(state, class);
    if (class == '2' || class == '5' || state->final) {
        smtp_rcpt_report(state, sr, buf_str(state->relay), dsn);
        return;
    }
    dsb_simple(sr->dsb, dsn->status, "%s", dsn->reason);
    buf_strcpy(sr->dsb->dtype, dsn->dtype);
    buf_strcpy(sr->dsb->dtext, dsn->dtext);
    buf_strcpy(sr->relay, buf_str(state->relay));
    buf_strcpy(sr->mname, dsn->mname);
}

/* smtp_rcpt_reply - the outcome of a server reply (smtp.h) */
void
smtp_rcpt_reply(SMTP_STATE *state, SMTP_RCPT *sr, const SMTP_REPLY *reply,
                const char *reason)
{
    DSN     dsn = {
        .status = reply->status, .reason = reason, .dtype = "smtp",
        .dtext = buf_str(reply->text), .mtype = "dns",
        .mname = state->addr->name,
    };

    smtp_rcpt_outcome(state, sr, &dsn);
}

/* smtp_rcpt_fail - an outcome of our own (smtp.h) */
void
smtp_rcpt_fail(SMTP_STATE *state, SMTP_RCPT *sr, const char *status,
               const char *reason)
{
    DSN     dsn = {
        .status = status, .reason = reason, .dtype = "", .dtext = "",
        .mtype = "", .mname = "",
    };

    smtp_rcpt_outcome(state, sr, &dsn);
}

/* smtp_rcpt_finish - report what is still pending (smtp.h) */
void
smtp_rcpt_finish(SMTP_STATE *state, const DSN_BUF *dsb)
{
    DSN     dsn;
    const char *relay;
    const char *mname;

    for (int i = 0; i < state->req->rcpt_count; i++) {
        SMTP_RCPT *sr = state->rcpts + i;

        if (sr->done)
            continue;
        if (buf_len(sr->dsb->status) > 0) {
            dsb_dsn(sr->dsb, &dsn, NULL);
            relay = buf_str(sr->relay);
            mname = buf_str(sr->mname);
        } else {
            dsb_dsn(dsb, &dsn, NULL);
            relay = buf_str(state->fail_relay);
            mname = buf_str(state->fail_mname);
        }
        dsn.mname = mname;
        dsn.mtype = *mname ? "dns" : "";
        dsn.action = smtp_rcpt_action(state, DSN_CLASS(dsn.status) == '5'
                                      ? '5' : '4');
        smtp_rcpt_report(state, sr, relay, &dsn);
    }
}

/* smtp_reply_reason - "host X said: REPLY (in reply to WHAT command)" */
void
smtp_reply_reason(BUF *bp, const SMTP_STATE *state, const SMTP_REPLY *reply,
                  const char *what)
{
    buf_sprintf(bp, "host %s said: %s (in reply to %s command)",
                buf_str(state->namaddr), buf_str(reply->text), what);
}
