/* mime_state - the message content parser that cleanup feeds every
 * content record through.
 *
 * Model: a state machine over records, either in a header block (of one
 * class) or in a body, plus an explicit stack of multipart boundaries.
 * In a header block each line is first classified (a new header, the
 * continuation of the pending header, or the line that ends the block);
 * the pieces of a line whose class is not known yet are kept, so a header
 * name or an empty line may come in several 'L' records, and given to the
 * body unchanged if the line turns out to be no header. In a body the
 * start of each line is kept (up to the longest boundary) and compared
 * with the boundaries when the line ends. What Postfix 3.7 does was
 * observed, not read from its code; see mime_state.h.
 * Peers: header_opts (header names), cleanup and smtp_8bit (the callers). */
#include <string.h>
#include <strings.h>

#include "mime_state.h"
#include "msg.h"
#include "mymalloc.h"
#include "rec_type.h"

/* Content types that matter here. */
enum {
    MIME_CTYPE_OTHER, MIME_CTYPE_MULTIPART, MIME_CTYPE_MESSAGE,
};

/* Message subtypes. */
enum {
    MIME_MSG_OTHER, MIME_MSG_RFC822, MIME_MSG_GLOBAL,
};

/* What the current line of a header block is. */
enum {
    MIME_LINE_UNDECIDED,                /* not enough bytes yet */
    MIME_LINE_HEADER,                   /* a new header */
    MIME_LINE_CONT,                     /* continues the pending header */
    MIME_LINE_BODY,                     /* ends the header block */
};

/* Tokens of a Content-Type or Content-Transfer-Encoding value; any other
 * value is a special character itself. */
#define MIME_TOK_END    (-1)
#define MIME_TOK_ATOM   (-2)
#define MIME_TOK_QSTR   (-3)

#define MIME_TSPECIALS  "()<>@,;:\\\"/[]?="

/* One multipart boundary. */
typedef struct MIME_BOUNDARY {
    char   *text;                       /* cut to the length limit */
    size_t  len;
    int     digest;                     /* parts default to message/rfc822 */
} MIME_BOUNDARY;

struct MIME_STATE {
    /* Settings. */
    int     options;                    /* MIME_OPT_* */
    size_t  head_limit;                 /* header_size_limit */
    size_t  bound_limit;                /* mime_boundary_length_limit */
    int     depth_limit;                /* boundaries on the stack, max */
    MIME_HEAD_OUT_FN head_out;
    MIME_HEAD_END_FN head_end;
    MIME_BODY_OUT_FN body_out;
    MIME_BODY_END_FN body_end;
    MIME_ERR_PRINT_FN err_print;
    MIME_PART_FN part_fn;
    void   *ctx;

    /* Progress. */
    int     errs;                       /* MIME_ERR_* reported */
    int     done;                       /* 'E' was seen */
    off_t   offset;                     /* where the next record starts */
    int     line_start;                 /* the next record starts a line */

    /* The header block being read. */
    int     in_head;
    int     head_class;                 /* MIME_HDR_* */
    int     primary_done;               /* head_end was called */
    int     ctype;                      /* MIME_CTYPE_* */
    int     msg_kind;                   /* MIME_MSG_* of a message type */
    int     encoding;                   /* MIME_ENC_* */
    BUF    *enc_text;                   /* its value as written */
    BUF    *type_text;                  /* content type, lower case */
    BUF    *subtype_text;               /* its subtype, lower case */
    MIME_PART part;                     /* for mime_state_part() */
    BUF    *header;                     /* the pending logical header */
    int     have_header;
    int     truncated;                  /* bytes of it were dropped */
    off_t   header_offset;

    /* The current line while its class is unknown. */
    int     line_kind;                  /* MIME_LINE_* */
    BUF    *line;                       /* its bytes so far */
    size_t *pieces;                     /* the lengths of its 'L' records */
    size_t  piece_count;
    size_t  piece_cap;
    off_t   line_offset;
    size_t  name_len;                   /* name characters seen */
    int     name_space;                 /* white space after the name */

    /* The body. */
    int     body_encoding;              /* MIME_ENC_* for the 8-bit check */
    int     nested_next;                /* after this empty line: headers */
    BUF    *prefix;                     /* the start of the current line */
    MIME_BOUNDARY *stack;
    int     depth;
};

/* mime_state_error - Postfix's text for one MIME_ERR_* code */
const char *
mime_state_error(int err_code)
{
    if (err_code & MIME_ERR_NESTING)
        return "MIME nesting exceeds safety limit";
    if (err_code & MIME_ERR_TRUNC_HEADER)
        return "message header length exceeds safety limit";
    if (err_code & MIME_ERR_8BIT_IN_HEADER)
        return "improper use of 8-bit data in message header";
    if (err_code & MIME_ERR_8BIT_IN_7BIT_BODY)
        return "improper use of 8-bit data in message body";
    if (err_code & MIME_ERR_ENCODING_DOMAIN)
        return "invalid message/* or multipart/* encoding domain";
    return "unknown MIME error";
}

/* mime_report_option - the option that asks for an error code */
static int
mime_report_option(int err_code)
{
    switch (err_code) {
    case MIME_ERR_NESTING:
        return MIME_OPT_REPORT_NESTING;
    case MIME_ERR_TRUNC_HEADER:
        return MIME_OPT_REPORT_TRUNC_HEADER;
    case MIME_ERR_8BIT_IN_HEADER:
        return MIME_OPT_REPORT_8BIT_IN_HEADER;
    case MIME_ERR_8BIT_IN_7BIT_BODY:
        return MIME_OPT_REPORT_8BIT_IN_7BIT_BODY;
    default:
        return MIME_OPT_REPORT_ENCODING_DOMAIN;
    }
}

/* mime_wants - whether an error is still to be reported */
static int
mime_wants(const MIME_STATE *ms, int err_code)
{
    if ((ms->options & MIME_OPT_DISABLE_MIME)
        && (err_code & (MIME_ERR_8BIT_IN_HEADER | MIME_ERR_8BIT_IN_7BIT_BODY)))
        return 0;
    return (ms->options & mime_report_option(err_code)) != 0
        && (ms->errs & err_code) == 0;
}

/* mime_report - report an error once, if the options ask for it */
static void
mime_report(MIME_STATE *ms, int err_code, const char *text, size_t len)
{
    if (!mime_wants(ms, err_code))
        return;
    ms->errs |= err_code;
    if (ms->err_print)
        ms->err_print(ms->ctx, err_code, text, len);
}

/* mime_has_8bit - whether text has a byte outside ASCII */
static int
mime_has_8bit(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) text[i] & 0x80)
            return 1;
    return 0;
}

/* mime_skip_space - skip white space and comments */
static const char *
mime_skip_space(const char *cp, const char *end)
{
    size_t  depth = 0;

    for (; cp < end; cp++) {
        if (depth > 0) {
            if (*cp == '\\' && cp + 1 < end)
                cp++;
            else if (*cp == '(')
                depth++;
            else if (*cp == ')')
                depth--;
        } else if (*cp == '(') {
            depth = 1;
        } else if ((unsigned char) *cp > ' ') {
            break;
        }
    }
    return cp;
}

/* mime_token - the next token of a MIME header value; its text (an atom
 * or the inside of a quoted string) goes into tok */
static int
mime_token(const char **cpp, const char *end, BUF *tok)
{
    const char *cp = mime_skip_space(*cpp, end);
    int     type;

    buf_reset(tok);
    if (cp >= end) {
        type = MIME_TOK_END;
    } else if (*cp == '"') {
        for (cp++; cp < end && *cp != '"'; cp++) {
            if (*cp == '\\' && cp + 1 < end)
                cp++;
            buf_addch(tok, *cp);
        }
        cp += (cp < end);
        type = MIME_TOK_QSTR;
    } else if (strchr(MIME_TSPECIALS, *cp) != NULL) {
        type = (unsigned char) *cp++;
    } else {
        for (; cp < end && (unsigned char) *cp > ' '
             && strchr(MIME_TSPECIALS, *cp) == NULL; cp++)
            buf_addch(tok, *cp);
        type = MIME_TOK_ATOM;
    }
    *cpp = cp;
    return type;
}

/* mime_push - push a boundary, unless the stack is full (the error
 * text is the Content-Type header) */
static void
mime_push(MIME_STATE *ms, const BUF *value, int digest)
{
    MIME_BOUNDARY *bp;
    size_t  len = buf_len(value);

    if (ms->depth >= ms->depth_limit) {
        mime_report(ms, MIME_ERR_NESTING, buf_str(ms->header),
                    buf_len(ms->header));
        return;
    }
    if (ms->stack == NULL)
        ms->stack = mycalloc(ms->depth_limit, sizeof(*ms->stack));
    if (len > ms->bound_limit)
        len = ms->bound_limit;
    bp = ms->stack + ms->depth++;
    bp->text = mymemdup(buf_str(value), len);
    bp->len = len;
    bp->digest = digest;
}

/* mime_pop - pop boundaries until depth are left */
static void
mime_pop(MIME_STATE *ms, int depth)
{
    while (ms->depth > depth)
        myfree(ms->stack[--ms->depth].text);
}

/* Where mime_params is in a Content-Type parameter list. */
enum {
    MIME_PARAM_SEEK, MIME_PARAM_NAME, MIME_PARAM_EQUAL, MIME_PARAM_VALUE,
};

/* mime_params - push the value of every boundary parameter; type is
 * the first token after the type and subtype */
static void
mime_params(MIME_STATE *ms, const char *cp, const char *end, int type,
            BUF *tok, int digest)
{
    int     where = MIME_PARAM_SEEK;
    int     is_boundary = 0;

    for (; type != MIME_TOK_END; type = mime_token(&cp, end, tok)) {
        if (type == ';') {
            where = MIME_PARAM_NAME;
        } else if (where == MIME_PARAM_NAME && type == MIME_TOK_ATOM) {
            is_boundary = strcasecmp(buf_str(tok), "boundary") == 0;
            where = MIME_PARAM_EQUAL;
        } else if (where == MIME_PARAM_EQUAL && type == '=') {
            where = MIME_PARAM_VALUE;
        } else {
            if (where == MIME_PARAM_VALUE && is_boundary && buf_len(tok) > 0
                && (type == MIME_TOK_ATOM || type == MIME_TOK_QSTR))
                mime_push(ms, tok, digest);
            where = MIME_PARAM_SEEK;
        }
    }
}

/* mime_lower_copy - a token in lower case into bp */
static void
mime_lower_copy(BUF *bp, const BUF *tok)
{
    buf_strcpy(bp, buf_str(tok));
    buf_lowercase(bp);
}

/* mime_content_type - a Content-Type value */
static void
mime_content_type(MIME_STATE *ms, const char *cp, const char *end)
{
    BUF    *tok = buf_alloc(64);
    int     type = mime_token(&cp, end, tok);
    int     digest = 0;

    ms->ctype = MIME_CTYPE_OTHER;
    ms->msg_kind = MIME_MSG_OTHER;
    buf_reset(ms->type_text);
    buf_reset(ms->subtype_text);
    if (type != MIME_TOK_ATOM) {
        buf_free(tok);
        return;
    }
    mime_lower_copy(ms->type_text, tok);
    if (strcasecmp(buf_str(tok), "multipart") == 0)
        ms->ctype = MIME_CTYPE_MULTIPART;
    else if (strcasecmp(buf_str(tok), "message") == 0)
        ms->ctype = MIME_CTYPE_MESSAGE;
    if ((type = mime_token(&cp, end, tok)) == '/'
        && (type = mime_token(&cp, end, tok)) == MIME_TOK_ATOM) {
        mime_lower_copy(ms->subtype_text, tok);
        if (strcasecmp(buf_str(tok), "rfc822") == 0)
            ms->msg_kind = MIME_MSG_RFC822;
        else if (strcasecmp(buf_str(tok), "global") == 0)
            ms->msg_kind = MIME_MSG_GLOBAL;
        digest = strcasecmp(buf_str(tok), "digest") == 0;
        type = mime_token(&cp, end, tok);
    }
    if (ms->ctype == MIME_CTYPE_MULTIPART)
        mime_params(ms, cp, end, type, tok, digest);
    buf_free(tok);
}

/* mime_encoding - a Content-Transfer-Encoding value; other values than
 * the five known ones change nothing */
static void
mime_encoding(MIME_STATE *ms, const char *cp, const char *end)
{
    static const char *const names[] = {
        [MIME_ENC_7BIT] = "7bit", [MIME_ENC_8BIT] = "8bit",
        [MIME_ENC_BINARY] = "binary", [MIME_ENC_QP] = "quoted-printable",
        [MIME_ENC_BASE64] = "base64",
    };
    BUF    *tok = buf_alloc(32);

    if (mime_token(&cp, end, tok) == MIME_TOK_ATOM) {
        for (int i = 0; i < (int) (sizeof(names) / sizeof(names[0])); i++) {
            if (strcasecmp(buf_str(tok), names[i]) == 0) {
                ms->encoding = i;
                buf_strcpy(ms->enc_text, buf_str(tok));
            }
        }
    }
    buf_free(tok);
}

/* mime_normalize - remove white space between a header name and ':';
 * the length of the name, or 0 when the text starts no header (a header
 * cut before its ':') */
static size_t
mime_normalize(BUF *header)
{
    size_t  name_len = header_name_len(buf_str(header), buf_len(header));
    size_t  colon = name_len;

    if (name_len == 0)
        return 0;
    while (buf_str(header)[colon] != ':')
        colon++;
    if (colon > name_len) {
        memmove(buf_str(header) + name_len, buf_str(header) + colon,
                buf_len(header) - colon);
        buf_truncate(header, buf_len(header) - (colon - name_len));
    }
    return name_len;
}

/* mime_header_flush - hand out the pending header */
static void
mime_header_flush(MIME_STATE *ms)
{
    const HEADER_OPTS *opts = NULL;
    BUF    *hp = ms->header;
    size_t  name_len;

    if (!ms->have_header)
        return;
    ms->have_header = 0;
    if ((name_len = mime_normalize(hp)) > 0)
        opts = header_opts_find(buf_str(hp));
    if (ms->truncated)
        mime_report(ms, MIME_ERR_TRUNC_HEADER, buf_str(hp), buf_len(hp));
    if (mime_wants(ms, MIME_ERR_8BIT_IN_HEADER)
        && mime_has_8bit(buf_str(hp), buf_len(hp)))
        mime_report(ms, MIME_ERR_8BIT_IN_HEADER, buf_str(hp), buf_len(hp));
    if (opts != NULL && (ms->options & MIME_OPT_DISABLE_MIME) == 0) {
        if (opts->type == HDR_CONTENT_TYPE)
            mime_content_type(ms, buf_str(hp) + name_len + 1,
                              buf_str(hp) + buf_len(hp));
        else if (opts->type == HDR_CONTENT_TRANSFER_ENCODING)
            mime_encoding(ms, buf_str(hp) + name_len + 1,
                          buf_str(hp) + buf_len(hp));
    }
    if (ms->head_out)
        ms->head_out(ms->ctx, ms->head_class, opts, hp, ms->header_offset);
}

/* mime_header_add - append bytes of the pending header, up to the limit */
static void
mime_header_add(MIME_STATE *ms, const char *text, size_t len)
{
    size_t  room = ms->head_limit - buf_len(ms->header);

    if (ms->truncated || len == 0)
        return;
    if (len > room) {
        len = room;
        ms->truncated = 1;
    }
    buf_append(ms->header, text, len);
}

/* mime_header_start - the line in ms->line starts a new header or
 * continues the pending one */
static void
mime_header_start(MIME_STATE *ms, int kind)
{
    if (kind == MIME_LINE_HEADER) {
        mime_header_flush(ms);
        buf_reset(ms->header);
        ms->have_header = 1;
        ms->truncated = 0;
        ms->header_offset = ms->line_offset;
    } else if (!ms->truncated) {
        /* A line break only when some of the line fits after it. */
        if (buf_len(ms->header) + 2 > ms->head_limit)
            ms->truncated = 1;
        else
            buf_addch(ms->header, '\n');
    }
    mime_header_add(ms, buf_str(ms->line), buf_len(ms->line));
}

/* mime_block_start - a header block of a class begins */
static void
mime_block_start(MIME_STATE *ms, int head_class, int digest)
{
    ms->in_head = 1;
    ms->head_class = head_class;
    ms->ctype = digest ? MIME_CTYPE_MESSAGE : MIME_CTYPE_OTHER;
    ms->msg_kind = digest ? MIME_MSG_RFC822 : MIME_MSG_OTHER;
    ms->encoding = MIME_ENC_7BIT;
    buf_reset(ms->enc_text);
    buf_strcpy(ms->type_text, digest ? "message" : "");
    buf_strcpy(ms->subtype_text, digest ? "rfc822" : "");
    ms->have_header = 0;
}

/* mime_recurse - whether the body of this block is a message */
static int
mime_recurse(const MIME_STATE *ms)
{
    return ms->ctype == MIME_CTYPE_MESSAGE
        && (ms->msg_kind != MIME_MSG_OTHER
            || (ms->options & MIME_OPT_RECURSE_ALL_MESSAGE));
}

/* mime_state_part - the header block being read, or the last one */
const MIME_PART *
mime_state_part(MIME_STATE *ms)
{
    ms->part = (MIME_PART) {
        .header_class = ms->head_class,
        .type = buf_str(ms->type_text),
        .subtype = buf_str(ms->subtype_text),
        .encoding = ms->encoding,
        .nested = mime_recurse(ms)
            && (ms->options & MIME_OPT_DISABLE_MIME) == 0,
    };
    return &ms->part;
}

/* mime_part_event - tell the part_fn, if any */
static void
mime_part_event(MIME_STATE *ms, int event)
{
    if (ms->part_fn)
        ms->part_fn(ms->ctx, event, mime_state_part(ms));
}

/* mime_check_domain - multipart and message types take no encoding
 * (message/global may, RFC 6532) */
static void
mime_check_domain(MIME_STATE *ms)
{
    if (ms->encoding == MIME_ENC_7BIT || ms->encoding == MIME_ENC_8BIT
        || ms->encoding == MIME_ENC_BINARY)
        return;
    if (ms->ctype == MIME_CTYPE_MULTIPART
        || (mime_recurse(ms) && ms->msg_kind != MIME_MSG_GLOBAL))
        mime_report(ms, MIME_ERR_ENCODING_DOMAIN, buf_str(ms->enc_text),
                    buf_len(ms->enc_text));
}

/* mime_block_end - the header block ends; empty_line: with an empty line
 * (otherwise with a line that is no header) */
static void
mime_block_end(MIME_STATE *ms, int empty_line)
{
    mime_header_flush(ms);
    ms->in_head = 0;
    if ((ms->options & MIME_OPT_DISABLE_MIME) == 0)
        mime_check_domain(ms);
    mime_part_event(ms, MIME_PART_HEAD_END);
    if (ms->head_class == MIME_HDR_PRIMARY) {
        ms->primary_done = 1;
        if (ms->head_end)
            ms->head_end(ms->ctx);
    }
    if (ms->options & MIME_OPT_DISABLE_MIME)
        return;
    ms->body_encoding = ms->ctype == MIME_CTYPE_MULTIPART ?
        MIME_ENC_7BIT : ms->encoding;
    if (mime_recurse(ms)) {
        if (empty_line) {
            ms->nested_next = 1;
        } else {
            /* The attached message starts with no header. */
            mime_block_start(ms, MIME_HDR_NESTED, 0);
            ms->in_head = 0;
            ms->body_encoding = MIME_ENC_7BIT;
        }
    }
}

/* mime_boundary - the line that just ended, in ms->prefix, is a boundary:
 * start a body part or end a multipart */
static void
mime_boundary(MIME_STATE *ms)
{
    const char *text = buf_str(ms->prefix);
    size_t  len = buf_len(ms->prefix);
    MIME_BOUNDARY *bp;

    if (len < 2 || text[0] != '-' || text[1] != '-')
        return;
    for (int i = ms->depth - 1; i >= 0; i--) {
        bp = ms->stack + i;
        if (len < 2 + bp->len || memcmp(text + 2, bp->text, bp->len) != 0)
            continue;
        if (len >= 4 + bp->len && text[2 + bp->len] == '-'
            && text[3 + bp->len] == '-') {
            mime_pop(ms, i);
            ms->body_encoding = MIME_ENC_7BIT;
            mime_part_event(ms, MIME_PART_BOUNDARY);
        } else {
            mime_pop(ms, i + 1);
            mime_part_event(ms, MIME_PART_BOUNDARY);
            mime_block_start(ms, MIME_HDR_MULTIPART, bp->digest);
        }
        return;
    }
}

/* mime_body_record - one record of a body */
static void
mime_body_record(MIME_STATE *ms, int rec_type, const char *text, size_t len,
                 off_t offset)
{
    size_t  room;

    if (ms->line_start)
        buf_reset(ms->prefix);
    room = ms->bound_limit + 4 - buf_len(ms->prefix);
    if (ms->depth > 0 && len > 0 && room > 0)
        buf_append(ms->prefix, text, len < room ? len : room);
    if (ms->body_encoding == MIME_ENC_7BIT
        && mime_wants(ms, MIME_ERR_8BIT_IN_7BIT_BODY)
        && mime_has_8bit(text, len))
        mime_report(ms, MIME_ERR_8BIT_IN_7BIT_BODY, text, len);
    if (ms->body_out)
        ms->body_out(ms->ctx, rec_type, text, len, offset);
    ms->line_start = (rec_type == REC_TYPE_NORM);
    if (!ms->line_start)
        return;
    if (ms->nested_next) {
        ms->nested_next = 0;
        mime_block_start(ms, MIME_HDR_NESTED, 0);
    } else if (ms->depth > 0) {
        mime_boundary(ms);
    }
}

/* mime_line_classify - what the current line of a header block is, now
 * that text came after the bytes kept in ms->line; complete: the line
 * ends with it */
static int
mime_line_classify(MIME_STATE *ms, const char *text, size_t len,
                   int complete)
{
    size_t  kept = buf_len(ms->line);

    if (kept == 0 && len > 0 && (text[0] == ' ' || text[0] == '\t'))
        return ms->have_header ? MIME_LINE_CONT : MIME_LINE_BODY;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ':' && ms->name_len > 0)
            return MIME_LINE_HEADER;
        if ((text[i] == ' ' || text[i] == '\t') && ms->name_len > 0)
            ms->name_space = 1;
        else if (HEADER_NAME_CHAR(text[i]) && !ms->name_space)
            ms->name_len++;
        else
            return MIME_LINE_BODY;
    }
    /* Bounded memory: a name longer than a header cannot be one. */
    if (complete || kept + len >= ms->head_limit
        || ms->piece_count >= ms->head_limit)
        return MIME_LINE_BODY;
    return MIME_LINE_UNDECIDED;
}

/* mime_line_replay - the line is a body line: end the header block and
 * give the body the pieces kept in ms->line, then this record (none at
 * the end of the content) */
static void
mime_line_replay(MIME_STATE *ms, int rec_type, const char *text, size_t len)
{
    const char *kept = buf_str(ms->line);
    off_t   offset = ms->line_offset;

    mime_block_end(ms, rec_type == REC_TYPE_NORM
                   && buf_len(ms->line) == 0 && len == 0);
    ms->line_start = 1;
    for (size_t i = 0; i < ms->piece_count; i++) {
        mime_body_record(ms, REC_TYPE_CONT, kept, ms->pieces[i], offset);
        kept += ms->pieces[i];
        offset += ms->pieces[i];
    }
    if (rec_type != REC_TYPE_END)
        mime_body_record(ms, rec_type, text, len, offset);
}

/* mime_line_keep - keep one record of a line whose class is unknown */
static void
mime_line_keep(MIME_STATE *ms, const char *text, size_t len)
{
    if (ms->piece_count >= ms->piece_cap) {
        ms->piece_cap = ms->piece_cap ? 2 * ms->piece_cap : 8;
        ms->pieces = myreallocarray(ms->pieces, ms->piece_cap,
                                    sizeof(*ms->pieces));
    }
    ms->pieces[ms->piece_count++] = len;
    if (len > 0)
        buf_append(ms->line, text, len);
}

/* mime_head_record - one record of a header block */
static void
mime_head_record(MIME_STATE *ms, int rec_type, const char *text, size_t len)
{
    if (ms->line_start) {
        ms->line_kind = MIME_LINE_UNDECIDED;
        buf_reset(ms->line);
        ms->piece_count = 0;
        ms->line_offset = ms->offset;
        ms->name_len = 0;
        ms->name_space = 0;
    }
    if (ms->line_kind != MIME_LINE_UNDECIDED) {
        mime_header_add(ms, text, len);
    } else {
        ms->line_kind = mime_line_classify(ms, text, len,
                                           rec_type == REC_TYPE_NORM);
        if (ms->line_kind == MIME_LINE_BODY) {
            mime_line_replay(ms, rec_type, text, len);
            return;
        }
        if (ms->line_kind == MIME_LINE_UNDECIDED) {
            mime_line_keep(ms, text, len);
        } else {
            mime_header_start(ms, ms->line_kind);
            mime_header_add(ms, text, len);
        }
    }
    ms->line_start = (rec_type == REC_TYPE_NORM);
}

/* mime_state_end - the end of the content */
static void
mime_state_end(MIME_STATE *ms)
{
    /* A last line without its end that may still have been a header name
     * is a body line. */
    if (ms->in_head && !ms->line_start
        && ms->line_kind == MIME_LINE_UNDECIDED)
        mime_line_replay(ms, REC_TYPE_END, "", 0);
    if (ms->in_head)
        mime_block_end(ms, 0);
    ms->done = 1;
    if (ms->body_end)
        ms->body_end(ms->ctx);
}

/* mime_state_update - feed one record */
int
mime_state_update(MIME_STATE *ms, int rec_type, const char *text,
                  size_t len)
{
    if (ms->done)
        return ms->errs;
    switch (rec_type) {
    case REC_TYPE_END:
        mime_state_end(ms);
        return ms->errs;
    case REC_TYPE_NORM:
    case REC_TYPE_CONT:
        break;
    default:
        msg_panic("mime_state_update: bad record type %d", rec_type);
    }
    if (ms->in_head)
        mime_head_record(ms, rec_type, text, len);
    else
        mime_body_record(ms, rec_type, text, len, ms->offset);
    ms->offset += len + (rec_type == REC_TYPE_NORM);
    return ms->errs;
}

/* mime_state_alloc - a parser for one message */
MIME_STATE *
mime_state_alloc(int options, const MIME_LIMITS *limits,
                 MIME_HEAD_OUT_FN head_out, MIME_HEAD_END_FN head_end,
                 MIME_BODY_OUT_FN body_out, MIME_BODY_END_FN body_end,
                 MIME_ERR_PRINT_FN err_print, void *ctx)
{
    MIME_STATE *ms = mycalloc(1, sizeof(*ms));

    ms->options = options;
    ms->head_limit = limits->header_size_limit > 0 ?
        (size_t) limits->header_size_limit : 1;
    ms->bound_limit = limits->mime_boundary_length_limit > 0 ?
        (size_t) limits->mime_boundary_length_limit : 1;
    /* Postfix 3.7 accepts two more nested multiparts than the limit. */
    ms->depth_limit = (limits->mime_nesting_limit > 0 ?
                       limits->mime_nesting_limit : 1) + 2;
    ms->head_out = head_out;
    ms->head_end = head_end;
    ms->body_out = body_out;
    ms->body_end = body_end;
    ms->err_print = err_print;
    ms->ctx = ctx;
    ms->line_start = 1;
    ms->enc_text = buf_alloc(16);
    ms->type_text = buf_alloc(16);
    ms->subtype_text = buf_alloc(16);
    ms->header = buf_alloc(256);
    ms->line = buf_alloc(256);
    ms->prefix = buf_alloc(64);
    mime_block_start(ms, MIME_HDR_PRIMARY, 0);
    return ms;
}

/* mime_state_set_part_fn - also report the structure */
void
mime_state_set_part_fn(MIME_STATE *ms, MIME_PART_FN fn)
{
    ms->part_fn = fn;
}

/* mime_state_free - release a parser */
void
mime_state_free(MIME_STATE *ms)
{
    mime_pop(ms, 0);
    myfree(ms->stack);
    myfree(ms->pieces);
    buf_free(ms->enc_text);
    buf_free(ms->type_text);
    buf_free(ms->subtype_text);
    buf_free(ms->header);
    buf_free(ms->line);
    buf_free(ms->prefix);
    myfree(ms);
}
