/* qmqpd_queue - the message on its way to cleanup.
 *
 * Model: the records Debian's Postfix 3.7 qmqpd sends (strace): T, S,
 * the client attributes (log_client_*, client_*, protocol QMQP), one R
 * per recipient as it arrives, then M, the Received: header, the content
 * lines, X and E. The Received: header names the recipient when there is
 * exactly one:
 *
 *   Received: from NAME (NAME [ADDR])
 *           by HOST (MAIL_NAME) with QMQP id ID
 *           for <RCPT>; DATE
 *
 * and otherwise ends "with QMQP", "id ID; DATE". Content lines longer
 * than $line_length_limit go out in pieces (CONT records), as everywhere.
 * A failure to write sets write_error; cleanup_close() then reports it. */
#include <string.h>

#include "cleanup_strerror.h"
#include "mail_date.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "qmqpd.h"
#include "quote_822_local.h"
#include "rec_stream.h"
#include "rec_type.h"

/* qmqpd_queue_record - one record */
static void
qmqpd_queue_record(QMQPD_STATE *state, int type, const char *data,
                   size_t len)
{
    if (!state->write_error
        && rec_put(cleanup_stream(state->cleanup), type, data, len) < 0)
        state->write_error = true;
}

/* qmqpd_queue_attr - one "name=value" record */
static void
qmqpd_queue_attr(QMQPD_STATE *state, const char *name, const char *value)
{
    if (!state->write_error
        && rec_printf(cleanup_stream(state->cleanup), REC_TYPE_ATTR,
                      "%s=%s", name, value) < 0)
        state->write_error = true;
}

/* qmqpd_queue_envelope - T, S and the client attributes */
void
qmqpd_queue_envelope(QMQPD_STATE *state)
{
    const CLIENT_PEER *peer = &state->peer;
    BUF    *time_text = buf_alloc(40);

    buf_sprintf(time_text, "%ld %ld", (long) state->arrival.tv_sec,
                (long) state->arrival.tv_usec);
    qmqpd_queue_record(state, REC_TYPE_TIME, buf_str(time_text),
                       buf_len(time_text));
    buf_free(time_text);
    qmqpd_queue_record(state, REC_TYPE_FROM, buf_str(state->sender),
                       buf_len(state->sender));
    qmqpd_queue_attr(state, "log_client_name", peer->name);
    qmqpd_queue_attr(state, "log_client_address", peer->addr);
    qmqpd_queue_attr(state, "log_client_port", peer->port);
    qmqpd_queue_attr(state, "log_message_origin", peer->namaddr);
    qmqpd_queue_attr(state, "log_protocol_name", "QMQP");
    qmqpd_queue_attr(state, "client_name", peer->name);
    qmqpd_queue_attr(state, "client_address", peer->addr);
    qmqpd_queue_attr(state, "client_port", peer->port);
    qmqpd_queue_attr(state, "client_address_type",
                     strchr(peer->addr, ':') ? "10" : "2");
    qmqpd_queue_attr(state, "protocol_name", "QMQP");
}

/* qmqpd_queue_rcpt - the recipient just read */
void
qmqpd_queue_rcpt(QMQPD_STATE *state)
{
    qmqpd_queue_record(state, REC_TYPE_RCPT, buf_str(state->rcpt),
                       buf_len(state->rcpt));
    if (state->rcpt_count++ == 0)
        state->first_rcpt = mystrdup(buf_str(state->rcpt));
}

/* qmqpd_queue_line - one header line */
static void
qmqpd_queue_line(QMQPD_STATE *state, const BUF *line)
{
    qmqpd_queue_record(state, REC_TYPE_NORM, buf_str(line), buf_len(line));
}

/* qmqpd_queue_received - the Received: header */
static void
qmqpd_queue_received(QMQPD_STATE *state)
{
    const CLIENT_PEER *peer = &state->peer;
    BUF    *line = buf_alloc(200);
    BUF    *date = buf_alloc(40);
    BUF    *rcpt = buf_alloc(100);

    mail_date(date, state->arrival.tv_sec);
    buf_sprintf(line, "Received: from %s (%s [%s%s])", peer->name,
                peer->name, strchr(peer->addr, ':') ? "IPv6:" : "",
                peer->addr);
    qmqpd_queue_line(state, line);
    if (state->rcpt_count == 1) {
        buf_sprintf(line, "\tby %s (%s) with QMQP id %s", var_myhostname,
                    var_mail_name, state->queue_id);
        qmqpd_queue_line(state, line);
        quote_822_local(rcpt, state->first_rcpt);
        buf_sprintf(line, "\tfor <%s>; %s", buf_str(rcpt), buf_str(date));
    } else {
        buf_sprintf(line, "\tby %s (%s) with QMQP", var_myhostname,
                    var_mail_name);
        qmqpd_queue_line(state, line);
        buf_sprintf(line, "\tid %s; %s", state->queue_id, buf_str(date));
    }
    qmqpd_queue_line(state, line);
    buf_free(rcpt);
    buf_free(date);
    buf_free(line);
}

/* qmqpd_queue_content - the message lines, long ones in pieces */
static void
qmqpd_queue_content(QMQPD_STATE *state)
{
    const char *cp = buf_str(state->message);
    const char *end = cp + buf_len(state->message);
    size_t  limit = (size_t) var_line_length_limit;
    const char *nl;
    size_t  len;

    while (cp < end && !state->write_error) {
        nl = memchr(cp, '\n', (size_t) (end - cp));
        len = (size_t) ((nl ? nl : end) - cp);
        while (len > limit) {
            qmqpd_queue_record(state, REC_TYPE_CONT, cp, limit);
            cp += limit;
            len -= limit;
        }
        qmqpd_queue_record(state, REC_TYPE_NORM, cp, len);
        cp += len + (nl != NULL);
    }
}

/* qmqpd_queue_finish - M, Received:, content, X, E; cleanup's verdict:
 * 0 (queued) or CLEANUP_STAT_* bits with the reason */
int
qmqpd_queue_finish(QMQPD_STATE *state, BUF *reason)
{
    int     status;

    qmqpd_queue_record(state, REC_TYPE_MESG, "", 0);
    qmqpd_queue_received(state);
    qmqpd_queue_content(state);
    qmqpd_queue_record(state, REC_TYPE_XTRA, "", 0);
    qmqpd_queue_record(state, REC_TYPE_END, "", 0);
    status = cleanup_close(state->cleanup, reason);
    state->cleanup = NULL;
    return status;
}
