/* qp_encode - quoted-printable encoding, line by line, as Postfix 3.7's
 * smtp(8) does it (qp_encode.h: what was observed). Model: one output
 * line is built in a BUF; a soft break flushes it when it grows past the
 * limit, the end of an input line flushes it after the trailing white
 * space is encoded. Peers: smtp_8bit (the downgrade of 8-bit mail). */
#include "mymalloc.h"
#include "qp_encode.h"

/* qp_encode_byte - append one byte, encoded if it must be */
static void
qp_encode_byte(BUF *line, unsigned char ch)
{
    static const char hex[] = "0123456789ABCDEF";

    if ((ch < 32 && ch != '\t') || ch == '=' || ch > 126) {
        buf_addch(line, '=');
        buf_addch(line, hex[ch >> 4]);
        buf_addch(line, hex[ch & 0xf]);
    } else {
        buf_addch(line, ch);
    }
}

/* qp_encode_flush - hand out the line and start a new one */
static void
qp_encode_flush(QP_ENCODER *qp)
{
    qp->out(qp->ctx, buf_str(qp->line), buf_len(qp->line));
    buf_reset(qp->line);
}

/* qp_encode - encode a piece of an input line */
void
qp_encode(QP_ENCODER *qp, const char *text, size_t len, bool line_end)
{
    const unsigned char *cp = (const unsigned char *) text;
    int     last;

    for (size_t i = 0; i < len; i++) {
        if (buf_len(qp->line) > QP_ENCODE_SOFT_LIMIT) {
            buf_addch(qp->line, '=');
            qp_encode_flush(qp);
        }
        qp_encode_byte(qp->line, cp[i]);
    }
    if (!line_end)
        return;
    /* White space at the end of a line would be lost in transport. */
    if ((last = buf_last(qp->line)) == ' ' || last == '\t') {
        buf_truncate(qp->line, buf_len(qp->line) - 1);
        buf_addch(qp->line, '=');
        buf_addch(qp->line, last == ' ' ? '2' : '0');
        buf_addch(qp->line, last == ' ' ? '0' : '9');
    }
    qp_encode_flush(qp);
}

/* qp_encoder_create - an encoder with its output callback */
QP_ENCODER *
qp_encoder_create(QP_ENCODE_OUT_FN out, void *ctx)
{
    QP_ENCODER *qp = mymalloc(sizeof(*qp));

    qp->line = buf_alloc(80);
    qp->out = out;
    qp->ctx = ctx;
    return qp;
}

/* qp_encoder_free - release an encoder */
void
qp_encoder_free(QP_ENCODER *qp)
{
    buf_free(qp->line);
    myfree(qp);
}
