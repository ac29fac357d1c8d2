/* smtp_trans - one mail transaction: MAIL FROM, RCPT TO, DATA, the
 * message, the end of data.
 *
 * With PIPELINING offered, MAIL, every RCPT and DATA go out in one write
 * and their replies are read in order (RFC 2920); else each command
 * waits for its reply. As Postfix:
 *   - a message that needs SMTPUTF8 (the sender asked for it) bounces
 *     with 5.6.7 when the server does not offer it; one larger than the
 *     server's SIZE bounces with 5.3.4 before MAIL FROM;
 *   - MAIL FROM carries SIZE, BODY=8BITMIME, SMTPUTF8, RET and ENVID,
 *     each only when the server offers the extension; RCPT TO carries
 *     ORCPT and NOTIFY (in that order, as Postfix) when it offers DSN;
 *   - a failure reply to MAIL FROM, or to DATA or the end of data,
 *     applies to every recipient concerned; one to RCPT TO to that
 *     recipient: "host X[a] said: REPLY (in reply to RCPT TO command)";
 *   - LMTP reads one reply per accepted recipient after the data.
 * A broken session returns -1 with state->dsb set (pending recipients
 * are then tried at the next address). */
#include <string.h>

#include "mail_copy.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "smtp.h"

#define SMTPUTF8_FLAG_REQUESTED (1<<0)  /* Postfix's value */

/* smtp_trans_fail_all - an outcome of our own for each pending one */
static void
smtp_trans_fail_all(SMTP_STATE *state, const char *status, const char *text)
{
    for (int i = 0; i < state->req->rcpt_count; i++)
        if (!state->rcpts[i].done)
            smtp_rcpt_fail(state, state->rcpts + i, status, text);
}

/* smtp_trans_reply_all - a reply for each recipient in the set */
static void
smtp_trans_reply_all(SMTP_STATE *state, bool accepted_only, const char *what)
{
    smtp_reply_reason(state->cmd, state, state->reply, what);
    for (int i = 0; i < state->req->rcpt_count; i++)
        if (!state->rcpts[i].done
            && (!accepted_only || state->rcpts[i].accepted))
            smtp_rcpt_reply(state, state->rcpts + i, state->reply,
                            state->reply->code / 100 == 2 ?
                            buf_str(state->reply->text) : buf_str(state->cmd));
}

/* smtp_trans_mail - the MAIL FROM command */
static void
smtp_trans_mail(SMTP_STATE *state)
{
    DELIVER_REQUEST *req = state->req;
    BUF    *cmd = state->cmd;

    buf_strcpy(cmd, "MAIL FROM:<");
    if (*req->sender)                   /* the null sender stays "<>" */
        quote_822_local_flags(cmd, req->sender, QUOTE_822_FLAG_APPEND);
    buf_addch(cmd, '>');
    if (state->features & SMTP_FEAT_SIZE)
        buf_sprintf_append(cmd, " SIZE=%ld", req->data_size);
    if ((state->features & SMTP_FEAT_8BITMIME)
        && strcmp(req->encoding, "8bit") == 0)
        buf_strcat(cmd, " BODY=8BITMIME");
    if ((state->features & SMTP_FEAT_SMTPUTF8)
        && (req->smtputf8 & SMTPUTF8_FLAG_REQUESTED))
        buf_strcat(cmd, " SMTPUTF8");
    if (state->features & SMTP_FEAT_DSN) {
        if (req->dsn_ret)
            buf_strcat(cmd, req->dsn_ret == DSN_RET_FULL ? " RET=FULL"
                       : " RET=HDRS");
        if (req->dsn_envid && *req->dsn_envid) {  /* xtext: no CR LF */
            buf_strcat(cmd, " ENVID=");
            smtp_xtext(cmd, req->dsn_envid);
        }
    }
    (void) stream_printf(state->sp, "%s\r\n", buf_str(cmd));
}

/* smtp_trans_notify - the NOTIFY= list of a recipient */
static void
smtp_trans_notify(BUF *cmd, int notify)
{
    static const struct {
        int     bit;
        const char *word;
    } words[] = {
        {DSN_NOTIFY_SUCCESS, "SUCCESS"}, {DSN_NOTIFY_FAILURE, "FAILURE"},
        {DSN_NOTIFY_DELAY, "DELAY"},
    };
    const char *sep = " NOTIFY=";

    if (notify & DSN_NOTIFY_NEVER) {
        buf_strcat(cmd, " NOTIFY=NEVER");
        return;
    }
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (notify & words[i].bit) {
            buf_sprintf_append(cmd, "%s%s", sep, words[i].word);
            sep = ",";
        }
    }
}

/* smtp_trans_rcpt - one RCPT TO command */
static void
smtp_trans_rcpt(SMTP_STATE *state, const RECIPIENT *rcpt)
{
    BUF    *cmd = state->cmd;
    const char *semi;

    buf_strcpy(cmd, "RCPT TO:<");
    quote_822_local_flags(cmd, rcpt->address, QUOTE_822_FLAG_APPEND);
    buf_addch(cmd, '>');
    if (state->features & SMTP_FEAT_DSN) {
        if (rcpt->dsn_orig && (semi = strchr(rcpt->dsn_orig, ';')) != NULL) {
            char   *type = mystrndup(rcpt->dsn_orig,
                                     (size_t) (semi - rcpt->dsn_orig));

            buf_strcat(cmd, " ORCPT=");
            smtp_xtext(cmd, type);
            buf_addch(cmd, ';');
            smtp_xtext(cmd, semi + 1);
            myfree(type);
        }
        if (rcpt->dsn_notify)
            smtp_trans_notify(cmd, rcpt->dsn_notify);
    }
    (void) stream_printf(state->sp, "%s\r\n", buf_str(cmd));
}

/* smtp_trans_read - read one reply, flushing what is pending first */
static int
smtp_trans_read(SMTP_STATE *state, int timeout, const char *what)
{
    int     status = smtp_chat(state, NULL, timeout);

    return status == SMTP_REPLY_OK ? 0
        : smtp_session_io_fail(state, status, what);
}

/* smtp_trans_answer - the RCPT reply of one recipient; 1 if accepted
 * for the data. An address verification (sendmail -bv, verify(8))
 * ends here: RCPT's reply is the answer and no data is sent. */
static int
smtp_trans_answer(SMTP_STATE *state, SMTP_RCPT *sr)
{
    if (state->reply->code / 100 == 2
        && !DEL_REQ_TRACE_ONLY(state->req->flags)) {
        sr->accepted = true;
        dsb_reset(sr->dsb);
        return 1;
    }
    if (state->reply->code / 100 == 2)
        buf_strcpy(state->cmd, buf_str(state->reply->text));
    else
        smtp_reply_reason(state->cmd, state, state->reply, "RCPT TO");
    smtp_rcpt_reply(state, sr, state->reply, buf_str(state->cmd));
    return 0;
}

/* smtp_trans_mail_ok - the MAIL FROM reply; false when it failed */
static bool
smtp_trans_mail_ok(SMTP_STATE *state)
{
    if (state->reply->code / 100 == 2)
        return true;
    smtp_trans_reply_all(state, false, "MAIL FROM");
    return false;
}

/* smtp_trans_rcpts - send RCPT for each pending recipient; without
 * pipelining read each reply too. The number accepted, or -1. */
static int
smtp_trans_rcpts(SMTP_STATE *state, bool pipelined)
{
    int     accepted = 0;

    for (int i = 0; i < state->req->rcpt_count; i++) {
        SMTP_RCPT *sr = state->rcpts + i;

        sr->accepted = false;
        if (!(sr->sent = !sr->done))
            continue;
        if (strpbrk(sr->rcpt->address, "\r\n")) {
            smtp_rcpt_fail(state, sr, "5.1.3", "bad recipient address syntax");
            sr->sent = false;
            continue;
        }
        smtp_trans_rcpt(state, sr->rcpt);
        if (!pipelined) {
            if (smtp_trans_read(state, smtp_conf.rcpt_timeout,
                                "sending RCPT TO") < 0)
                return -1;
            accepted += smtp_trans_answer(state, sr);
        }
    }
    return accepted;
}

/* smtp_trans_pipelined - the replies to MAIL and RCPT sent in one
 * batch; the number accepted, 0 when MAIL failed, or -1 */
static int
smtp_trans_pipelined(SMTP_STATE *state)
{
    int     accepted = 0;

    if (smtp_trans_read(state, smtp_conf.mail_timeout, "sending MAIL FROM") < 0)
        return -1;
    if (!smtp_trans_mail_ok(state))
        return 0;
    for (int i = 0; i < state->req->rcpt_count; i++) {
        if (!state->rcpts[i].sent)
            continue;
        if (smtp_trans_read(state, smtp_conf.rcpt_timeout,
                            "sending RCPT TO") < 0)
            return -1;
        accepted += smtp_trans_answer(state, state->rcpts + i);
    }
    return accepted;
}

/* smtp_trans_envelope - MAIL, RCPT and DATA; the number of recipients
 * accepted (0: nothing to send, or DATA refused), or -1. With
 * pipelining DATA goes out with the rest, unless this is an address
 * verification. */
static int
smtp_trans_envelope(SMTP_STATE *state)
{
    bool    pipelined = (state->features & SMTP_FEAT_PIPELINING) != 0;
    bool    verify = DEL_REQ_TRACE_ONLY(state->req->flags) != 0;
    bool    data_sent;
    int     accepted;

    smtp_trans_mail(state);
    if (!pipelined) {
        if (smtp_trans_read(state, smtp_conf.mail_timeout,
                            "sending MAIL FROM") < 0)
            return -1;
        if (!smtp_trans_mail_ok(state))
            return 0;
    }
    if ((accepted = smtp_trans_rcpts(state, pipelined)) < 0)
        return -1;
    if ((data_sent = !verify && (pipelined || accepted > 0)) != 0)
        (void) stream_puts(state->sp, "DATA\r\n");
    if (pipelined && (accepted = smtp_trans_pipelined(state)) <= 0)
        return accepted;                /* broken, MAIL refused, no RCPT */
    if (!data_sent || accepted == 0)
        return 0;
    if (smtp_trans_read(state, smtp_conf.data_init_timeout,
                        "sending DATA command") < 0)
        return -1;
    if (state->reply->code / 100 != 3) {
        smtp_trans_reply_all(state, true, "DATA");
        return 0;
    }
    return accepted;
}

/* smtp_trans_content - the message and the final dot; 0, or -1 (the
 * session is not usable after that) */
static int
smtp_trans_content(SMTP_STATE *state)
{
    DSN_BUF *why = dsb_create();
    int     status;

    stream_set_timeout(state->sp, smtp_conf.data_xfer_timeout);
    stream_set_deadline(state->sp, 0);
    status = smtp_data_send(state, why);
    if (status == MAIL_COPY_STAT_WRITE) {
        (void) smtp_session_io_fail(state, stream_timedout(state->sp) ?
                                    SMTP_REPLY_TIMEOUT : SMTP_REPLY_LOST,
                                    "sending message body");
    } else if (status) {
        state->broken = true;                   /* mid-message */
        msg_warn("%s: %s", state->req->queue_id, buf_str(why->reason));
        dsb_simple(state->dsb, buf_str(why->status), "%s",
                   buf_str(why->reason));
    }
    dsb_free(why);
    if (status)
        return -1;
    (void) stream_puts(state->sp, ".\r\n");
    return 0;
}

/* smtp_trans_done - the reply (SMTP) or replies (LMTP) to the end of
 * data */
static int
smtp_trans_done(SMTP_STATE *state)
{
    const char *what = "sending end of data -- message may be sent more "
        "than once";

    if (!smtp_conf.lmtp) {
        if (smtp_trans_read(state, smtp_conf.data_done_timeout, what) < 0)
            return -1;
        smtp_trans_reply_all(state, true, "end of DATA");
        return 0;
    }
    for (int i = 0; i < state->req->rcpt_count; i++) {
        SMTP_RCPT *sr = state->rcpts + i;

        if (!sr->accepted || sr->done)
            continue;
        if (smtp_trans_read(state, smtp_conf.data_done_timeout, what) < 0)
            return -1;
        smtp_reply_reason(state->cmd, state, state->reply, "end of DATA");
        smtp_rcpt_reply(state, sr, state->reply,
                        state->reply->code / 100 == 2 ?
                        buf_str(state->reply->text) : buf_str(state->cmd));
    }
    return 0;
}

/* smtp_trans_precheck - what the server cannot take at all; true when
 * the transaction may go ahead */
static bool
smtp_trans_precheck(SMTP_STATE *state)
{
    DELIVER_REQUEST *req = state->req;

    if (strpbrk(req->sender, "\r\n")) {       /* never split a command */
        smtp_trans_fail_all(state, "5.1.7", "bad sender address syntax");
        return false;
    }
    if ((req->smtputf8 & SMTPUTF8_FLAG_REQUESTED)
        && !(state->features & SMTP_FEAT_SMTPUTF8)) {
        buf_sprintf(state->cmd, "SMTPUTF8 is required, but was not offered "
                    "by host %s", buf_str(state->namaddr));
        smtp_trans_fail_all(state, "5.6.7", buf_str(state->cmd));
        return false;
    }
    if ((state->features & SMTP_FEAT_SIZE) && state->size_limit > 0
        && req->data_size > state->size_limit) {
        buf_sprintf(state->cmd, "message size %ld exceeds size limit %ld of "
                    "server %s", req->data_size, state->size_limit,
                    buf_str(state->namaddr));
        smtp_trans_fail_all(state, "5.3.4", buf_str(state->cmd));
        return false;
    }
    return true;
}

/* smtp_trans - one mail transaction (smtp.h). Only a transaction that
 * ran to its end-of-data reply(ies) leaves the session reusable: after
 * a refused MAIL, or a pipelined DATA that had no recipient, replies
 * may still be on their way, and such a session must not serve another
 * transaction (the connection cache, smtp_reuse.c). */
int
smtp_trans(SMTP_STATE *state)
{
    int     accepted;
    int     status;

    state->reusable = false;
    if (!smtp_trans_precheck(state))
        return 0;
    if ((accepted = smtp_trans_envelope(state)) <= 0)
        return accepted;
    if (smtp_trans_content(state) < 0)
        return -1;
    status = smtp_trans_done(state);
    state->reusable = status == 0;
    return status;
}
