/* rec_text - copy message text from a stream into content records.
 *
 * One pass over the input, one byte at a time from the stream buffer.
 * The current line (or the part of it not yet written) is kept in a BUF
 * of at most line_limit bytes; the header lines for the callback are
 * kept whole (up to REC_TEXT_HDR_MAX) in another. See rec_text.h. */
#include <stdio.h>

#include <string.h>

#include "rec_stream.h"
#include "rec_text.h"
#include "rec_type.h"

/* Copy state. */
typedef struct REC_TEXT {
    const REC_TEXT_OPTS *opts;
    STREAM *out;
    BUF    *line;                       /* unwritten part of this line */
    BUF    *hdr;                        /* whole header line, or NULL */
    bool    continued;                  /* 'L' written for this line */
    bool    started;                    /* a record was written */
    long   *size;
} REC_TEXT;

/* rec_text_emit - write one record and count it; 0 or an error code */
static int
rec_text_emit(REC_TEXT *rt, int type, const char *data, size_t len)
{
    if (rec_put(rt->out, type, data, len) < 0)
        return REC_TEXT_WRITE_ERR;
    rt->started = true;
    *rt->size += (long) len + (type == REC_TYPE_NORM);
    if (rt->opts->size_limit > 0 && *rt->size > rt->opts->size_limit)
        return REC_TEXT_TOOBIG;
    return REC_TEXT_OK;
}

/* rec_text_split - the line is full: write it as an 'L' record, keeping
 * a last CR back (it may be the first half of CRLF) */
static int
rec_text_split(REC_TEXT *rt)
{
    size_t  len = buf_len(rt->line);
    bool    hold_cr = len > 1 && buf_last(rt->line) == '\r';
    int     status;

    if (hold_cr)
        len--;
    status = rec_text_emit(rt, REC_TYPE_CONT, buf_str(rt->line), len);
    buf_truncate(rt->line, 0);
    if (hold_cr)
        buf_addch(rt->line, '\r');
    rt->continued = true;
    return status;
}

/* rec_text_header - pass a complete header line to the callback; an
 * empty line ends the header */
static void
rec_text_header(REC_TEXT *rt)
{
    const REC_TEXT_OPTS *opts = rt->opts;

    if (buf_last(rt->hdr) == '\r')
        buf_truncate(rt->hdr, buf_len(rt->hdr) - 1);
    if (buf_len(rt->hdr) == 0
        || !opts->hdr_fn(buf_str(rt->hdr), buf_len(rt->hdr), opts->hdr_ctx)) {
        buf_free(rt->hdr);
        rt->hdr = NULL;
    } else {
        buf_truncate(rt->hdr, 0);
    }
}

/* rec_text_from_line - an mbox "From " line, maybe quoted with '>' */
static bool
rec_text_from_line(const BUF *line)
{
    const char *cp = buf_str(line);

    while (*cp == '>')
        cp++;
    return strncmp(cp, "From ", 5) == 0;
}

/* rec_text_eol - a newline: write the line as an 'N' record; *done is
 * set for a lone dot that ends the input */
static int
rec_text_eol(REC_TEXT *rt, bool *done)
{
    BUF    *line = rt->line;
    int     status;

    while (buf_len(line) > 0 && buf_last(line) == '\r')
        buf_truncate(line, buf_len(line) - 1);
    if (rt->opts->dot_ends && !rt->continued && buf_len(line) == 1
        && buf_str(line)[0] == '.') {
        *done = true;
        return REC_TEXT_OK;
    }
    if (rt->opts->skip_from_lines && !rt->started && !rt->continued
        && rec_text_from_line(line)) {
        buf_truncate(line, 0);
        return REC_TEXT_OK;
    }
    if (rt->hdr)
        rec_text_header(rt);
    status = rec_text_emit(rt, REC_TYPE_NORM, buf_str(line), buf_len(line));
    buf_truncate(line, 0);
    rt->continued = false;
    return status;
}

/* rec_text_byte - one byte of a line (not a newline) */
static int
rec_text_byte(REC_TEXT *rt, int ch)
{
    int     status = REC_TEXT_OK;

    if (buf_len(rt->line) >= rt->opts->line_limit)
        status = rec_text_split(rt);
    buf_addch(rt->line, ch);
    if (rt->hdr && buf_len(rt->hdr) < REC_TEXT_HDR_MAX)
        buf_addch(rt->hdr, ch);
    return status;
}

/* rec_text_eof - the end of the input: a last line without a newline
 * goes out as an 'L' record */
static int
rec_text_eof(REC_TEXT *rt)
{
    if (rt->hdr && buf_len(rt->hdr) > 0)
        rec_text_header(rt);
    if (buf_len(rt->line) == 0)
        return REC_TEXT_OK;
    return rec_text_emit(rt, REC_TYPE_CONT, buf_str(rt->line),
                         buf_len(rt->line));
}

/* rec_text_copy - read the text, write the content records */
int
rec_text_copy(STREAM *in, STREAM *out, const REC_TEXT_OPTS *opts,
              long *size)
{
    REC_TEXT rt = {.opts = opts, .out = out, .size = size};
    bool    done = false;
    int     status = REC_TEXT_OK;
    int     ch;

    *size = 0;
    rt.line = buf_alloc(opts->line_limit + 1);
    rt.hdr = opts->hdr_fn ? buf_alloc(256) : NULL;
    while (status == REC_TEXT_OK && !done) {
        if ((ch = stream_getc(in)) == EOF) {
            status = stream_error(in) ? REC_TEXT_READ_ERR : rec_text_eof(&rt);
            break;
        }
        if (ch == '\n')
            status = rec_text_eol(&rt, &done);
        else
            status = rec_text_byte(&rt, ch);
    }
    buf_free(rt.line);
    if (rt.hdr)
        buf_free(rt.hdr);
    return status;
}
