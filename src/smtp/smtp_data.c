/* smtp_data - the message content as SMTP DATA.
 *
 * The content records of the queue file as they are (Postfix's smtp
 * adds nothing: no Return-Path, no Delivered-To), each line ended with
 * CR LF, a leading "." doubled, and, as Postfix, a line longer than
 * smtp_line_length_limit (998; 0: no limit) broken by inserting
 * CR LF SPACE, which keeps a header a (folded) header. A last line
 * without a line end gets one, so the final "." stands alone. For a
 * server without 8BITMIME the records go through smtp_8bit.c first,
 * which converts 8-bit parts to quoted-printable and writes its output
 * lines through smtp_data_write(). */
#include <string.h>

#include "mail_copy.h"
#include "mail_params.h"
#include "rec_type.h"
#include "smtp.h"

/* smtp_data_write - one record: dot-stuffed, broken, CR LF at the end
 * of a line ('N') (smtp.h) */
int
smtp_data_write(int type, const char *data, size_t len, void *ctx)
{
    SMTP_DATA *out = ctx;
    size_t  room;

    if (out->column == 0 && len > 0 && *data == '.') {
        (void) stream_putc(out->sp, '.');
        out->column++;
    }
    while (out->limit > 0 && out->column + len > out->limit) {
        room = out->limit > out->column ? out->limit - out->column : 0;
        (void) stream_write(out->sp, data, room);
        (void) stream_puts(out->sp, "\r\n ");
        data += room;
        len -= room;
        out->column = 1;
    }
    (void) stream_write(out->sp, data, len);
    out->column += len;
    if (type == REC_TYPE_NORM) {
        (void) stream_puts(out->sp, "\r\n");
        out->column = 0;
    }
    return stream_error(out->sp) ? MAIL_COPY_STAT_WRITE : 0;
}

/* smtp_data_downgrade - whether 8-bit content must be converted: the
 * server lacks 8BITMIME, the message is not known to be 7bit, and
 * disable_mime_output_conversion does not forbid it (as Postfix) */
static bool
smtp_data_downgrade(const SMTP_STATE *state)
{
    return !(state->features & SMTP_FEAT_8BITMIME)
        && !var_disable_mime_output_conversion
        && strcmp(state->req->encoding, "7bit") != 0;
}

/* smtp_data_send - the content of the request's message (smtp.h) */
int
smtp_data_send(SMTP_STATE *state, DSN_BUF *why)
{
    SMTP_DATA out = {
        .sp = state->sp, .limit = (size_t) smtp_conf.line_limit,
    };
    int     status;

    if (smtp_data_downgrade(state))
        status = smtp_8bit_send(state->req, &out, why);
    else
        status = mail_copy_walk(state->req->fd, state->req->data_offset,
                                smtp_data_write, &out, why);
    if (status == 0 && out.column > 0)
        (void) stream_puts(state->sp, "\r\n");
    if (status == 0 && stream_error(state->sp))
        status = MAIL_COPY_STAT_WRITE;
    return status;
}
