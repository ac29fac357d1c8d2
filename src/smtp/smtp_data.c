/* smtp_data - the message content as SMTP DATA.
 *
 * The content records of the queue file as they are (Postfix's smtp
 * adds nothing: no Return-Path, no Delivered-To), each line ended with
 * CR LF, a leading "." doubled, and, as Postfix, a line longer than
 * smtp_line_length_limit (998; 0: no limit) broken by inserting
 * CR LF SPACE, which keeps a header a (folded) header. A last line
 * without a line end gets one, so the final "." stands alone. */
#include "mail_copy.h"
#include "rec_type.h"
#include "smtp.h"

typedef struct SMTP_DATA {
    STREAM *sp;
    size_t  limit;                      /* 0: no limit */
    size_t  column;                     /* bytes on the current line */
} SMTP_DATA;

/* smtp_data_piece - one record: dot-stuffed, broken, CR LF at the end
 * of a line ('N') */
static int
smtp_data_piece(int type, const char *data, size_t len, void *ctx)
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

/* smtp_data_send - the content of the request's message (smtp.h) */
int
smtp_data_send(SMTP_STATE *state, DSN_BUF *why)
{
    SMTP_DATA out = {
        .sp = state->sp, .limit = (size_t) smtp_conf.line_limit,
    };
    int     status;

    status = mail_copy_walk(state->req->fd, state->req->data_offset,
                            smtp_data_piece, &out, why);
    if (status == 0 && out.column > 0)
        (void) stream_puts(state->sp, "\r\n");
    if (status == 0 && stream_error(state->sp))
        status = MAIL_COPY_STAT_WRITE;
    return status;
}
