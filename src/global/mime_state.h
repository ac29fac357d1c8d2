/* mime_state - the message content parser that cleanup feeds every
 * content record through.
 *
 * The caller feeds the content records of one message in order with
 * mime_state_update(): REC_TYPE_NORM ('N', a line without its newline)
 * or REC_TYPE_CONT ('L', part of a longer line that the next record
 * continues), then REC_TYPE_END ("", 0) once at the end. The parser
 * calls back:
 *
 *   head_out   one logical header: its lines (a header and its folded
 *              continuation lines) joined with "\n" as they came, no
 *              final newline, 'L' pieces joined. header_class says whose
 *              header it is: MIME_HDR_PRIMARY (the message's own),
 *              MIME_HDR_MULTIPART (a body part of a multipart),
 *              MIME_HDR_NESTED (an attached message/rfc822 or
 *              message/global). opts is header_opts_find() of it, or NULL.
 *              White space between the name and ':' is removed ("Name :
 *              x" becomes "Name: x", as Postfix writes it). The callee
 *              may change the BUF; the parser has already read it.
 *   head_end   the primary headers ended: exactly once per message, before
 *              the first body record, even with no body or no content.
 *   body_out   every other record, unchanged, with the type it came with
 *              ('L' pieces stay pieces): body lines, the empty line that
 *              ends a header block, boundary lines, preamble, epilogue.
 *   body_end   the end of the content (REC_TYPE_END), after the rest.
 *   part_fn    (optional, mime_state_set_part_fn()) the structure as it
 *              is found: MIME_PART_HEAD_END at the end of each header
 *              block (before the head_end of the primary headers, and
 *              before the record that ends the block goes to body_out),
 *              with the part's class, content type and subtype and
 *              transfer encoding; MIME_PART_BOUNDARY right after a body
 *              line that body_out got turned out to be a boundary line
 *              ("--b" or "--b--"). mime_state_part() tells the same
 *              about the block being read at any time (e.g. in head_out,
 *              where the encoding already reflects the header given).
 *   err_print  a MIME error that the options ask to report, with the text
 *              it is about (the header, the body record or the
 *              Content-Transfer-Encoding value), before that text goes
 *              to head_out or body_out. Each error code is reported once
 *              per message, and only when its MIME_OPT_REPORT_* option is
 *              set; mime_state_update() returns the OR of the codes
 *              reported so far. (Postfix 3.7's cleanup logs each one as
 *              "QUEUEID: reject: mime-error TEXT: DETAIL from ..." and
 *              answers "5.6.0 " mime_state_error() of all of them.)
 *
 * offset, passed to head_out and body_out, is where that header or record
 * starts in the content as fed: 0 for the first record, and each record
 * adds its length, plus one for the newline of an 'N' record. A caller
 * that wants queue file positions notes them as it writes in the
 * callbacks.
 *
 * The header section ends at an empty line or at the first line that is
 * neither a header nor the continuation of one (a line starting with
 * white space before any header, a name with 8-bit or control bytes, no
 * ':'); that line is the first body line. For the primary headers
 * Postfix 3.7's cleanup then writes an empty line after its own added
 * headers when the first body line is not empty, and none when there is
 * no body at all; that is the caller's job (see the first body_out after
 * head_end). A header whose name and ':' come in several 'L' records is
 * still recognized (Postfix looks at the first record only; with pieces of
 * line_length_limit, 2048 bytes, that differs only for names that long).
 *
 * MIME (observed from Postfix 3.7's cleanup with header_checks, and
 * RFC 2045/2046):
 *   - Content-Type with a multipart type and a boundary parameter (quoted
 *     or not; parameter names ignore case; comments are skipped) pushes
 *     that boundary at once, one push per boundary parameter, even when a
 *     later Content-Type says otherwise. Boundaries are cut to
 *     mime_boundary_length_limit bytes. A push beyond nesting depth
 *     mime_nesting_limit + 2 (what Postfix 3.7 accepts) is refused:
 *     MIME_ERR_NESTING, and that part is plain body. An attached message
 *     costs no depth.
 *   - A body line that starts with "--" and a boundary on the stack (the
 *     innermost match wins; anything may follow, as RFC 2046 says) starts
 *     a new body part, whose headers are MIME_HDR_MULTIPART; deeper
 *     boundaries are popped. "--boundary--" ends that multipart: its
 *     boundary is popped and what follows is body. The line may come in
 *     several 'L' records (Postfix looks at the first record only).
 *   - The body of message/rfc822 and message/global (every message type with
 *     MIME_OPT_RECURSE_ALL_MESSAGE) starts with MIME_HDR_NESTED headers,
 *     after the empty line that ends the headers of the part. Parts of
 *     multipart/digest are message/rfc822 unless they say otherwise.
 *   - Content-Transfer-Encoding: 7bit, 8bit, binary, quoted-printable,
 *     base64 (other values are ignored); the default is 7bit.
 *     MIME_ERR_8BIT_IN_7BIT_BODY: a body record with a byte >= 0x80 where
 *     the encoding is 7bit (base64 and quoted-printable are not checked);
 *     preamble and epilogue of a multipart always count as 7bit.
 *     MIME_ERR_ENCODING_DOMAIN: a multipart or message/rfc822 (not
 *     message/global) whose encoding is not 7bit, 8bit or binary.
 *   - MIME_ERR_8BIT_IN_HEADER: a header of any class with a byte >= 0x80.
 *   - MIME_ERR_TRUNC_HEADER: a logical header longer than
 *     header_size_limit is cut to that many bytes; its remaining lines
 *     are dropped (neither header nor body), as Postfix does. Postfix's
 *     cleanup logs nothing for it.
 *   - With MIME_OPT_DISABLE_MIME everything after the primary headers is
 *     body, and no 8-bit checks are made (as Postfix 3.7 does even with
 *     strict_8bitmime).
 *
 * Memory: one logical header and one header line whose class is not
 * known yet (each at most header_size_limit bytes), the boundary stack
 * (at most mime_nesting_limit + 2 boundaries of at most
 * mime_boundary_length_limit bytes) and the start of the current body
 * line. Nothing recurses on the input.
 * Library code: nothing here exits; a record type other than 'N', 'L' or
 * 'E' is a caller bug (panic). */
#ifndef MIME_STATE_H
#define MIME_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "header_opts.h"

typedef struct MIME_STATE MIME_STATE;

/* Header classes. */
#define MIME_HDR_PRIMARY    1           /* the message's own headers */
#define MIME_HDR_MULTIPART  2           /* headers of a body part */
#define MIME_HDR_NESTED     3           /* headers of an attached message */

/* Content transfer encodings (MIME_PART.encoding). Other values than
 * these five leave the encoding as it was. */
#define MIME_ENC_7BIT       0           /* also the default */
#define MIME_ENC_8BIT       1
#define MIME_ENC_BINARY     2
#define MIME_ENC_QP         3
#define MIME_ENC_BASE64     4

/* What mime_state_part() and the part_fn report about one header block. */
typedef struct MIME_PART {
    int     header_class;               /* MIME_HDR_* */
    const char *type;                   /* "text", lower case; "" if none */
    const char *subtype;                /* "plain", lower case; "" */
    int     encoding;                   /* MIME_ENC_* */
    int     nested;                     /* its body is an attached message
                                         * that is parsed */
} MIME_PART;

/* part_fn events. */
#define MIME_PART_HEAD_END  1           /* a header block ended */
#define MIME_PART_BOUNDARY  2           /* the last body line was one */

/* Options. */
#define MIME_OPT_NONE                       0
#define MIME_OPT_DISABLE_MIME               (1<<0)
#define MIME_OPT_REPORT_8BIT_IN_HEADER      (1<<1)
#define MIME_OPT_REPORT_8BIT_IN_7BIT_BODY   (1<<2)
#define MIME_OPT_REPORT_ENCODING_DOMAIN     (1<<3)
#define MIME_OPT_REPORT_NESTING             (1<<4)
#define MIME_OPT_REPORT_TRUNC_HEADER        (1<<5)
#define MIME_OPT_RECURSE_ALL_MESSAGE        (1<<6)

/* Error codes (bits). */
#define MIME_ERR_NESTING            (1<<0)
#define MIME_ERR_TRUNC_HEADER       (1<<1)
#define MIME_ERR_8BIT_IN_HEADER     (1<<2)
#define MIME_ERR_8BIT_IN_7BIT_BODY  (1<<3)
#define MIME_ERR_ENCODING_DOMAIN    (1<<4)

/* Limits, from main.cf (values below 1 count as 1). */
typedef struct MIME_LIMITS {
    long    header_size_limit;          /* 102400 */
    int     mime_nesting_limit;         /* 100 */
    int     mime_boundary_length_limit; /* 2048 */
} MIME_LIMITS;

typedef void (*MIME_HEAD_OUT_FN) (void *ctx, int header_class,
                                  const HEADER_OPTS *opts, BUF *header,
                                  off_t offset);
typedef void (*MIME_HEAD_END_FN) (void *ctx);
typedef void (*MIME_BODY_OUT_FN) (void *ctx, int rec_type, const char *text,
                                  size_t len, off_t offset);
typedef void (*MIME_BODY_END_FN) (void *ctx);
typedef void (*MIME_PART_FN) (void *ctx, int event, const MIME_PART *part);
typedef void (*MIME_ERR_PRINT_FN) (void *ctx, int err_code, const char *text,
                                   size_t len);

/* mime_state_alloc - a parser for one message; callbacks may be NULL */
MIME_STATE *mime_state_alloc(int options, const MIME_LIMITS *limits,
                             MIME_HEAD_OUT_FN head_out,
                             MIME_HEAD_END_FN head_end,
                             MIME_BODY_OUT_FN body_out,
                             MIME_BODY_END_FN body_end,
                             MIME_ERR_PRINT_FN err_print, void *ctx);

/* mime_state_set_part_fn - also report the structure to fn (with the
 * ctx of mime_state_alloc) */
void    mime_state_set_part_fn(MIME_STATE *ms, MIME_PART_FN fn);

/* mime_state_part - the header block being read, or the last one */
const MIME_PART *mime_state_part(MIME_STATE *ms);

/* mime_state_update - feed one record ('N', 'L', or 'E' with "", 0);
 * returns the OR of the MIME_ERR_* codes reported so far. Records after
 * 'E' are ignored. */
int     mime_state_update(MIME_STATE *ms, int rec_type, const char *text,
                          size_t len);

/* mime_state_free - release a parser */
void    mime_state_free(MIME_STATE *ms);

/* mime_state_error - Postfix's text for a MIME_ERR_* code, e.g. "MIME
 * nesting exceeds safety limit"; for several, the one of the lowest bit,
 * which is the one Postfix 3.7's cleanup answers with */
const char *mime_state_error(int err_code);

#endif
