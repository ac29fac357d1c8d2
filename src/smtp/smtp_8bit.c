/* smtp_8bit - 8-bit mail for a server that does not offer 8BITMIME, as
 * Postfix 3.7's smtp(8) converts it (observed; docs/smtp.md):
 *
 *   - each part whose Content-Transfer-Encoding is 8bit or binary (the
 *     message itself, a body part, an attached message) loses its
 *     Content-Transfer-Encoding headers, and at the end of its header
 *     block gets "Content-Transfer-Encoding: quoted-printable" and a
 *     quoted-printable body (qp_encode.h), whatever its content type;
 *   - a multipart or message/... part declared 8bit or binary gets
 *     "Content-Transfer-Encoding: 7bit" instead and its body is left as
 *     it is: its parts are converted by their own declarations, and a
 *     part without one (7bit by default) goes out unchanged, 8-bit bytes
 *     and all, as does a message without any MIME headers;
 *   - everything else (7bit, quoted-printable, base64 parts, unknown
 *     encodings) goes out unchanged.
 *
 * Model: the content records feed mime_state (the parser cleanup uses);
 * its callbacks write headers and body records through smtp_data_write().
 * A line of a converted body that starts with "-" is held until the
 * parser says whether it was a boundary (MIME_PART_BOUNDARY comes right
 * after the line's body_out), which then goes out as it is.
 * Peers: smtp_data.c (the caller), mime_state, qp_encode. */
#include <string.h>

#include "header_opts.h"
#include "mail_copy.h"
#include "mail_params.h"
#include "mime_state.h"
#include "qp_encode.h"
#include "rec_type.h"
#include "smtp.h"

typedef struct SMTP_8BIT {
    SMTP_DATA *out;
    MIME_STATE *mime;
    QP_ENCODER *qp;
    int     status;                     /* the first write error */
    bool    encode;                     /* this body is converted */
    bool    line_start;                 /* the next record starts a line */
    bool    holding;                    /* the line is being held */
    bool    held_done;                  /* ... and complete */
    BUF    *held;
} SMTP_8BIT;

/* smtp_8bit_write - one record out; the first error is kept */
static void
smtp_8bit_write(SMTP_8BIT *conv, int type, const char *data, size_t len)
{
    int     status = smtp_data_write(type, data, len, conv->out);

    if (conv->status == 0)
        conv->status = status;
}

/* smtp_8bit_text - one line of our own */
static void
smtp_8bit_text(SMTP_8BIT *conv, const char *line)
{
    smtp_8bit_write(conv, REC_TYPE_NORM, line, strlen(line));
}

/* smtp_8bit_qp_out - qp_encode: one output line */
static void
smtp_8bit_qp_out(void *ctx, const char *line, size_t len)
{
    smtp_8bit_write(ctx, REC_TYPE_NORM, line, len);
}

/* smtp_8bit_converted - whether a part is declared 8-bit */
static bool
smtp_8bit_converted(const MIME_PART *part)
{
    return part->encoding == MIME_ENC_8BIT
        || part->encoding == MIME_ENC_BINARY;
}

/* smtp_8bit_composite - whether a part only contains other parts */
static bool
smtp_8bit_composite(const MIME_PART *part)
{
    return strcmp(part->type, "multipart") == 0
        || strcmp(part->type, "message") == 0;
}

/* smtp_8bit_release - the held line: as it is (a boundary), or encoded */
static void
smtp_8bit_release(SMTP_8BIT *conv, bool boundary)
{
    if (!conv->holding)
        return;
    if (boundary)
        smtp_8bit_write(conv, REC_TYPE_NORM, buf_str(conv->held),
                        buf_len(conv->held));
    else
        qp_encode(conv->qp, buf_str(conv->held), buf_len(conv->held),
                  conv->held_done);
    conv->holding = conv->held_done = false;
    buf_reset(conv->held);
}

/* smtp_8bit_head_out - mime_state: one header, its lines '\n' apart;
 * the Content-Transfer-Encoding of a converted part is dropped */
static void
smtp_8bit_head_out(void *ctx, int header_class, const HEADER_OPTS *opts,
                   BUF *header, off_t offset)
{
    SMTP_8BIT *conv = ctx;
    const char *cp = buf_str(header);
    const char *end = cp + buf_len(header);
    const char *nl;

    (void) header_class;
    (void) offset;
    if (opts && opts->type == HDR_CONTENT_TRANSFER_ENCODING
        && smtp_8bit_converted(mime_state_part(conv->mime)))
        return;
    for (;;) {
        nl = memchr(cp, '\n', (size_t) (end - cp));
        smtp_8bit_write(conv, REC_TYPE_NORM, cp,
                        (size_t) ((nl ? nl : end) - cp));
        if (nl == NULL)
            break;
        cp = nl + 1;
    }
}

/* smtp_8bit_part - mime_state: a header block ended (add the new
 * encoding of a converted part), or a held line was a boundary */
static void
smtp_8bit_part(void *ctx, int event, const MIME_PART *part)
{
    SMTP_8BIT *conv = ctx;
    bool    converted = smtp_8bit_converted(part);
    bool    composite = smtp_8bit_composite(part);

    if (event == MIME_PART_BOUNDARY) {
        smtp_8bit_release(conv, true);
        conv->encode = false;
        return;
    }
    if (converted)
        smtp_8bit_text(conv, composite ? "Content-Transfer-Encoding: 7bit" :
                       "Content-Transfer-Encoding: quoted-printable");
    conv->encode = converted && !composite;
}

/* smtp_8bit_body_out - mime_state: one body record */
static void
smtp_8bit_body_out(void *ctx, int type, const char *text, size_t len,
                   off_t offset)
{
    SMTP_8BIT *conv = ctx;
    bool    line_start = conv->line_start;

    (void) offset;
    conv->line_start = (type == REC_TYPE_NORM);
    if (!conv->encode) {
        smtp_8bit_write(conv, type, text, len);
    } else if (conv->holding || (line_start && len > 0 && *text == '-')) {
        conv->holding = true;
        buf_append(conv->held, text, len);
        conv->held_done = (type == REC_TYPE_NORM);
        /* Only "--..." can be a boundary. */
        if (buf_len(conv->held) >= 2 && strncmp(buf_str(conv->held), "--", 2))
            smtp_8bit_release(conv, false);
    } else {
        qp_encode(conv->qp, text, len, type == REC_TYPE_NORM);
    }
}

/* smtp_8bit_record - mail_copy_walk: one content record into the parser;
 * a held line that the parser did not call a boundary is encoded */
static int
smtp_8bit_record(int type, const char *data, size_t len, void *ctx)
{
    SMTP_8BIT *conv = ctx;

    (void) mime_state_update(conv->mime, type, data, len);
    if (conv->held_done)
        smtp_8bit_release(conv, false);
    return conv->status;
}

/* smtp_8bit_send - the converted content (smtp.h) */
int
smtp_8bit_send(DELIVER_REQUEST *req, SMTP_DATA *out, DSN_BUF *why)
{
    MIME_LIMITS limits = {
        .header_size_limit = var_header_size_limit,
        .mime_nesting_limit = var_mime_nesting_limit,
        .mime_boundary_length_limit = var_mime_boundary_length_limit,
    };
    SMTP_8BIT conv = {.out = out, .line_start = true};
    int     status;

    conv.mime = mime_state_alloc(MIME_OPT_NONE, &limits, smtp_8bit_head_out,
                                 NULL, smtp_8bit_body_out, NULL, NULL, &conv);
    mime_state_set_part_fn(conv.mime, smtp_8bit_part);
    conv.qp = qp_encoder_create(smtp_8bit_qp_out, &conv);
    conv.held = buf_alloc(100);
    status = mail_copy_walk(req->fd, req->data_offset, smtp_8bit_record,
                            &conv, why);
    if (status == 0) {
        (void) mime_state_update(conv.mime, REC_TYPE_END, "", 0);
        smtp_8bit_release(&conv, false);
        if (buf_len(conv.qp->line) > 0)         /* no line end at the end */
            qp_encode(conv.qp, "", 0, true);
        status = conv.status;
    }
    buf_free(conv.held);
    qp_encoder_free(conv.qp);
    mime_state_free(conv.mime);
    return status;
}
