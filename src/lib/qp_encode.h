/* qp_encode - quoted-printable encoding (RFC 2045 section 6.7) of text
 * that arrives line by line, possibly in pieces, as Postfix 3.7's smtp(8)
 * writes it when it converts 8-bit mail for a server without 8BITMIME.
 *
 * Each byte other than printable ASCII (33..126 without '=', and the
 * space) and the tab becomes "=XX" (upper-case hex, also CR and every
 * other control byte). Before a byte is added to an output line that
 * already holds more than 72 bytes, the line ends with a soft break
 * ("=") and a new one starts, so no output line is longer than 76 bytes
 * (72 bytes, "=XX", then the "="). A space or tab that ends an input line
 * becomes "=20" / "=09". Nothing else is changed: a "." at the start of
 * an output line is left for the SMTP layer to double, and an 8-bit
 * multi-byte character may be split by a soft break (as Postfix does;
 * the decoder joins the bytes again).
 *
 * The output goes to a callback, one line at a time, without a line end.
 * Library code: nothing here exits. */
#ifndef QP_ENCODE_H
#define QP_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define QP_ENCODE_SOFT_LIMIT    72      /* break when a line holds more */

typedef void (*QP_ENCODE_OUT_FN) (void *ctx, const char *line, size_t len);

typedef struct QP_ENCODER {
    BUF    *line;                       /* the output line being built */
    QP_ENCODE_OUT_FN out;
    void   *ctx;
} QP_ENCODER;

/* qp_encoder_create - an encoder that hands each output line to out */
QP_ENCODER *qp_encoder_create(QP_ENCODE_OUT_FN out, void *ctx);

/* qp_encode - encode len bytes of an input line; line_end: they end
 * the line (its line end not included), else the line continues in the
 * next call */
void    qp_encode(QP_ENCODER *qp, const char *text, size_t len,
                  bool line_end);

/* qp_encoder_free - release an encoder (an unfinished line is dropped) */
void    qp_encoder_free(QP_ENCODER *qp);

#endif
