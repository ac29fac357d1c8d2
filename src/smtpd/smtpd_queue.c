/* smtpd_queue - the message on its way to cleanup.
 *
 * Model: the records Debian's Postfix 3.7 smtpd sends (strace): at the
 * first accepted recipient it connects to cleanup and sends T, the
 * log_ident and rewrite_context attributes, S, the client attributes;
 * for each recipient dsn_orig_rcpt (and notify_flags), O, R; at DATA or
 * BDAT 'f' (HOLD/DISCARD actions), M, the PREPEND actions' headers and
 * the Received: header; then the content as it arrives, X, 'f' again,
 * the FILTER, REDIRECT and BCC actions, E. Only when cleanup answers 0
 * is the message ours: then, and only then, the client hears
 * "250 2.0.0 Ok: queued as ID".
 *
 * Stand-alone (sendmail -bs, not as mail_owner) the records go to
 * "postdrop -r" instead (mail_submit.h), as Debian's Postfix 3.7 smtpd
 * sends them (strace): S; for each recipient dsn_orig_rcpt (and
 * notify_flags) and R, without O; M, the Received: header, the content,
 * X, E; the id is postdrop's maildrop queue id, and "250 ... queued as
 * ID" comes after postdrop reported the file complete. Peers:
 * cleanup_clnt, mail_submit, rec_stream, mail_date. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "cleanup_strerror.h"
#include "mail_date.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "rec_stream.h"
#include "rec_type.h"
#include "smtpd.h"
#include "smtpd_tls.h"

/* smtpd_queue_stream - where the records go */
static STREAM *
smtpd_queue_stream(SMTPD_STATE *state)
{
    return state->submit ? mail_submit_stream(state->submit) :
        cleanup_stream(state->cleanup);
}

/* smtpd_queue_attr - one "name=value" record */
static void
smtpd_queue_attr(SMTPD_STATE *state, const char *name, const char *value)
{
    if (!state->write_error
        && rec_printf(smtpd_queue_stream(state), REC_TYPE_ATTR,
                      "%s=%s", name, value) < 0)
        state->write_error = true;
}

/* smtpd_queue_record - one record of another type */
static void
smtpd_queue_record(SMTPD_STATE *state, int type, const char *data,
                   size_t len)
{
    if (!state->write_error
        && rec_put(smtpd_queue_stream(state), type, data, len) < 0)
        state->write_error = true;
}

/* smtpd_queue_client - the attributes that describe the client (log_*:
 * the one XFORWARD named, if any) */
static void
smtpd_queue_client(SMTPD_STATE *state, const SMTPD_LOG_CLIENT *log)
{
    const char *helo = state->helo_name;

    smtpd_queue_attr(state, "log_client_name", log->name);
    smtpd_queue_attr(state, "log_client_address", log->addr);
    smtpd_queue_attr(state, "log_client_port", log->port);
    smtpd_queue_attr(state, "log_message_origin", log->namaddr);
    if (log->helo_name != NULL)
        smtpd_queue_attr(state, "log_helo_name", log->helo_name);
    smtpd_queue_attr(state, "log_protocol_name", log->protocol);
    smtpd_queue_attr(state, "client_name", state->name);
    smtpd_queue_attr(state, "reverse_client_name", state->reverse_name);
    smtpd_queue_attr(state, "client_address", state->addr);
    smtpd_queue_attr(state, "client_port", state->port);
    smtpd_queue_attr(state, "server_address", state->server_addr);
    smtpd_queue_attr(state, "server_port", state->server_port);
    if (helo != NULL)
        smtpd_queue_attr(state, "helo_name", helo);
    smtpd_queue_attr(state, "protocol_name", state->protocol);
    smtpd_queue_attr(state, "client_address_type",
                     strchr(state->addr, ':') ? "10" : "2");
}

/* smtpd_queue_envelope - the records that precede the recipients */
static void
smtpd_queue_envelope(SMTPD_STATE *state)
{
    struct timeval tv;
    char    num[20];
    SMTPD_LOG_CLIENT log;

    gettimeofday(&tv, NULL);
    buf_sprintf(state->buf, "%ld %ld", (long) state->arrival,
                (long) tv.tv_usec);
    smtpd_queue_record(state, REC_TYPE_TIME, buf_str(state->buf),
                       buf_len(state->buf));
    smtpd_xforward_client(state, &log);
    smtpd_queue_attr(state, "log_ident", log.ident);
    smtpd_queue_attr(state, "rewrite_context", log.context);
    if (smtpd_sasl_method(state) != NULL) {
        smtpd_queue_attr(state, "sasl_method", smtpd_sasl_method(state));
        smtpd_queue_attr(state, "sasl_username", smtpd_sasl_username(state));
    }
    if (state->sasl_sender != NULL && *state->sasl_sender)
        smtpd_queue_attr(state, "sasl_sender", state->sasl_sender);
    smtpd_queue_record(state, REC_TYPE_FROM, state->sender,
                       strlen(state->sender));
    smtpd_queue_client(state, &log);
    if (state->encoding != NULL)
        smtpd_queue_attr(state, "encoding", state->encoding);
    if (state->envid != NULL)
        smtpd_queue_attr(state, "envelope_id", state->envid);
    if (state->ret_flags != 0) {
        snprintf(num, sizeof(num), "%d", state->ret_flags);
        smtpd_queue_attr(state, "ret_flags", num);
    }
}

/* smtpd_queue_connect - connect to cleanup (or run postdrop); the
 * queue id, or NULL after a warning */
static const char *
smtpd_queue_connect(SMTPD_STATE *state)
{
    int     flags = state->settings->cleanup_flags;

    if (state->standalone) {
        state->submit = mail_submit_open(state->settings->postdrop_path,
                                         state->why);
        if (state->submit != NULL)
            return mail_submit_queue_id(state->submit);
    } else {
        if (state->smtputf8)
            flags |= CLEANUP_FLAG_SMTPUTF8;
        state->cleanup = cleanup_open(state->settings->cleanup_path,
                                      state->settings->ipc_timeout, flags,
                                      state->why);
        if (state->cleanup != NULL)
            return cleanup_queue_id(state->cleanup);
    }
    msg_warn("%s", buf_str(state->why));
    return NULL;
}

/* smtpd_queue_open - connect to cleanup and send the envelope; 0 or -1 */
int
smtpd_queue_open(SMTPD_STATE *state)
{
    const char *id;

    if ((id = smtpd_queue_connect(state)) == NULL)
        return -1;
    state->queue_id = mystrdup(id);
    smtpd_xforward_log_queued(state);
    if (state->standalone)
        smtpd_queue_record(state, REC_TYPE_FROM, state->sender,
                           strlen(state->sender));
    else
        smtpd_queue_envelope(state);
    return state->write_error ? -1 : 0;
}

/* smtpd_queue_rcpt - one accepted recipient (internal form); orcpt is
 * the ORCPT= value or NULL; 0 or -1 */
int
smtpd_queue_rcpt(SMTPD_STATE *state, const char *rcpt, const char *orcpt,
                 int notify)
{
    char    num[20];
    BUF    *ext = buf_alloc(100);

    if (orcpt == NULL) {
        quote_822_local(ext, rcpt);
        buf_sprintf(state->buf, "rfc822;%s", buf_str(ext));
    } else {
        buf_strcpy(state->buf, orcpt);
    }
    buf_free(ext);
    smtpd_queue_attr(state, "dsn_orig_rcpt", buf_str(state->buf));
    if (notify != 0) {
        snprintf(num, sizeof(num), "%d", notify);
        smtpd_queue_attr(state, "notify_flags", num);
    }
    if (!state->standalone)
        smtpd_queue_record(state, REC_TYPE_ORCP, rcpt, strlen(rcpt));
    smtpd_queue_record(state, REC_TYPE_RCPT, rcpt, strlen(rcpt));
    if (state->write_error)
        return -1;
    if (state->rcpt_count++ == 0)
        state->first_rcpt = mystrdup(rcpt);
    return 0;
}

/* smtpd_queue_line - one header line as a record */
static void
smtpd_queue_line(SMTPD_STATE *state, const char *line)
{
    smtpd_queue_record(state, REC_TYPE_NORM, line, strlen(line));
}

/* smtpd_queue_flags - the HOLD/DISCARD actions, as an 'f' record */
static void
smtpd_queue_flags(SMTPD_STATE *state)
{
    char    num[20];

    if (state->saved.flags != 0) {
        snprintf(num, sizeof(num), "%d", state->saved.flags);
        smtpd_queue_record(state, REC_TYPE_FLGS, num, strlen(num));
    }
}

/* smtpd_queue_prepend - the PREPEND actions' header lines */
static void
smtpd_queue_prepend(SMTPD_STATE *state)
{
    const ARGV *lines = state->saved.prepend;

    for (int i = 0; lines != NULL && i < lines->argc; i++)
        smtpd_queue_line(state, lines->argv[i]);
}

/* smtpd_queue_actions - after the content: the actions of the access
 * maps that cleanup carries out ('f', FILTER 'L', REDIRECT '>', each BCC
 * as 'R' with notify_flags=NEVER), as Postfix 3.7's smtpd sends them */
static void
smtpd_queue_actions(SMTPD_STATE *state)
{
    const SMTPD_SAVED *saved = &state->saved;

    smtpd_queue_flags(state);
    if (saved->filter != NULL)
        smtpd_queue_record(state, REC_TYPE_FILT, saved->filter,
                           strlen(saved->filter));
    if (saved->redirect != NULL)
        smtpd_queue_record(state, REC_TYPE_RDR, saved->redirect,
                           strlen(saved->redirect));
    for (int i = 0; saved->bcc != NULL && i < saved->bcc->argc; i++) {
        smtpd_queue_record(state, REC_TYPE_RCPT, saved->bcc->argv[i],
                           strlen(saved->bcc->argv[i]));
        smtpd_queue_attr(state, "notify_flags", "1");
    }
}

/* smtpd_queue_received_extra - the TLS and SASL lines of Received: */
static void
smtpd_queue_received_extra(SMTPD_STATE *state)
{
    ARGV   *lines = argv_alloc(4);

    smtpd_tls_received(state, lines);
    smtpd_sasl_received(state, lines);
    for (int i = 0; i < lines->argc; i++)
        smtpd_queue_line(state, lines->argv[i]);
    argv_free(lines);
}

/* smtpd_queue_start - the start of the content: 'M', the PREPEND
 * headers, Received: */
int
smtpd_queue_start(SMTPD_STATE *state)
{
    BUF    *date = buf_alloc(40);
    BUF    *line = buf_alloc(200);
    const char *proto = state->smtputf8 ? "UTF8SMTP" : state->protocol;

    smtpd_queue_flags(state);
    smtpd_queue_record(state, REC_TYPE_MESG, "", 0);
    smtpd_queue_prepend(state);
    buf_sprintf(line, "Received: from %s (%s [%s%s])",
                state->helo_name ? state->helo_name : state->name,
                state->name, strchr(state->addr, ':') ? "IPv6:" : "",
                state->addr);
    smtpd_queue_line(state, buf_str(line));
    smtpd_queue_received_extra(state);
    buf_sprintf(line, "\tby %s (%s) with %s%s%s id %s%s",
                state->settings->myhostname, state->settings->mail_name,
                proto, smtpd_tls_proto_suffix(state),
                smtpd_sasl_proto_suffix(state), state->queue_id,
                state->rcpt_count == 1 ? "" : ";");
    smtpd_queue_line(state, buf_str(line));
    mail_date(date, state->arrival);
    if (state->rcpt_count == 1) {
        quote_822_local(line, state->first_rcpt);
        buf_sprintf(state->buf, "\tfor <%s>; %s", buf_str(line),
                    buf_str(date));
    } else {
        buf_sprintf(state->buf, "\t%s", buf_str(date));
    }
    smtpd_queue_line(state, buf_str(state->buf));
    buf_free(date);
    buf_free(line);
    state->line_start = true;
    state->crlf_before = true;
    return state->write_error ? -1 : 0;
}

/* smtpd_queue_content - content bytes (without line end); complete
 * means the line ended; counts the size against message_size_limit */
void
smtpd_queue_content(SMTPD_STATE *state, const char *data, size_t len,
                    bool complete)
{
    long    limit = state->settings->message_size_limit;

    state->data_size += (long) len + (complete ? 2 : 0);
    if (limit > 0 && state->data_size > limit)
        state->too_big = true;
    if (state->too_big)
        return;
    smtpd_queue_record(state, complete ? REC_TYPE_NORM : REC_TYPE_CONT,
                       data, len);
}

/* smtpd_queue_reply - the reply for cleanup's verdict */
static void
smtpd_queue_reply(SMTPD_STATE *state, int status, BUF *reason)
{
    const CLEANUP_STAT_DETAIL *detail = cleanup_stat_detail(status);
    const char *text = buf_str(reason);

    if (status == 0)
        smtpd_reply(state, "250 2.0.0 Ok: queued as %s", state->queue_id);
    else if ((text[0] == '4' || text[0] == '5')
             && isdigit((unsigned char) text[1])
             && isdigit((unsigned char) text[2]) && text[3] == ' ')
        smtpd_reply(state, "%s", text);
    else
        smtpd_reply(state, "%d %s Error: %s", detail->smtp, detail->dsn,
                    *text ? text : detail->text);
}

/* smtpd_queue_close - cleanup's (or postdrop's) verdict */
static int
smtpd_queue_close(SMTPD_STATE *state, BUF *reason)
{
    int     status;

    if (state->submit == NULL) {
        status = cleanup_close(state->cleanup, reason);
        state->cleanup = NULL;
        return status;
    }
    status = state->write_error ? -1 :
        mail_submit_close(state->submit, reason);
    if (state->write_error)
        mail_submit_abort(state->submit);
    state->submit = NULL;
    if (status == 0)
        return 0;
    msg_warn("%s: postdrop: %s", state->queue_id,
             *buf_str(reason) ? buf_str(reason) : "write error");
    buf_reset(reason);
    return CLEANUP_STAT_WRITE;
}

/* smtpd_queue_finish - the end of the content: let cleanup decide, and
 * reply; 0 when queued, -1 otherwise. Ends the transaction. */
int
smtpd_queue_finish(SMTPD_STATE *state)
{
    BUF    *reason = buf_alloc(100);
    int     status;

    if (state->too_big) {
        smtpd_reply(state, "552 5.3.4 Message size exceeds fixed limit");
        status = CLEANUP_STAT_SIZE;
    } else {
        smtpd_queue_record(state, REC_TYPE_XTRA, "", 0);
        smtpd_queue_actions(state);
        smtpd_queue_record(state, REC_TYPE_END, "", 0);
        status = smtpd_queue_close(state, reason);
        smtpd_queue_reply(state, status, reason);
    }
    buf_free(reason);
    smtpd_state_reset(state);
    return status == 0 ? 0 : -1;
}

/* smtpd_queue_abort - drop an unfinished message */
void
smtpd_queue_abort(SMTPD_STATE *state)
{
    if (state->cleanup != NULL)
        cleanup_abort(state->cleanup);
    if (state->submit != NULL)
        mail_submit_abort(state->submit);
    state->cleanup = NULL;
    state->submit = NULL;
}
