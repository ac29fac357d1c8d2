/* qmqpd_read - the QMQP request: a netstring of netstrings.
 *
 *   LEN:  MSGLEN:message,  SENDERLEN:sender,  RCPTLEN:recipient, ...  ,
 *
 * The message is at most $message_size_limit bytes and is kept in
 * memory until the envelope has gone to cleanup (cleanup wants the
 * envelope first; QMQP sends it last); the recipients go to cleanup as
 * they arrive, so nothing else grows with the request. Sender and
 * recipients are at most $line_length_limit bytes each and may not hold
 * a NUL byte (it would cut the address short). Recipients are read until
 * the request length is used up; its closing "," is read as part of the
 * last stage, so errors name the stages as Postfix does ("message
 * content", "sender address", "recipient address"). */
#include <stdio.h>
#include <string.h>

#include "mail_params.h"
#include "netstring.h"
#include "qmqpd.h"

/* qmqpd_read_part - one inner netstring into bp, counting *left down */
static int
qmqpd_read_part(QMQPD_STATE *state, BUF *bp, size_t limit, size_t *left,
                const char *where)
{
    size_t  used;
    int     err;

    state->where = where;
    if ((err = netstring_get(state->client, bp, limit, &used)) != 0)
        return err;
    if (used > *left)
        return NETSTRING_ERR_FORMAT;
    *left -= used;
    return 0;
}

/* qmqpd_read_address - a sender or recipient: no NUL inside */
static int
qmqpd_read_address(QMQPD_STATE *state, BUF *bp, size_t *left,
                   const char *where)
{
    int     err = qmqpd_read_part(state, bp, (size_t) var_line_length_limit,
                                  left, where);

    if (err == 0 && memchr(buf_str(bp), 0, buf_len(bp)) != NULL)
        err = NETSTRING_ERR_FORMAT;
    return err;
}

/* qmqpd_read_end - the "," that closes the request */
static int
qmqpd_read_end(QMQPD_STATE *state)
{
    int     ch = stream_getc(state->client);

    if (ch == ',')
        return 0;
    if (ch != EOF)
        return NETSTRING_ERR_FORMAT;
    return stream_timedout(state->client) ? NETSTRING_ERR_TIME
        : NETSTRING_ERR_EOF;
}

/* qmqpd_read_request - read the request, sending the envelope to
 * cleanup; 0 or a NETSTRING_ERR_* value with state->where naming the
 * stage */
int
qmqpd_read_request(QMQPD_STATE *state)
{
    size_t  left;
    int     err;

    state->where = "QMQP packet header";
    if ((err = netstring_get_length(state->client, &left)) != 0
        || (err = qmqpd_read_part(state, state->message,
                                  (size_t) var_message_size_limit, &left,
                                  "message content")) != 0
        || (err = qmqpd_read_address(state, state->sender, &left,
                                     "sender address")) != 0)
        return err;
    qmqpd_queue_envelope(state);
    while (left > 0) {
        if ((err = qmqpd_read_address(state, state->rcpt, &left,
                                      "recipient address")) != 0)
            return err;
        qmqpd_queue_rcpt(state);
    }
    state->where = "recipient address";
    return qmqpd_read_end(state);
}
