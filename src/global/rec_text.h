/* rec_text - copy message text from a stream into content records.
 *
 * Used by sendmail to turn the message on its standard input into the
 * content records of a queue file ('N' for a line, 'L' for part of a
 * line that continues in the next record), as Postfix's sendmail sends
 * them to postdrop (docs/queue-format.md):
 *
 *   - a line ends with LF; the CRs right before the LF are dropped (CRLF
 *     and CRCRLF become LF, as Postfix's sendmail); any other CR stays;
 *   - with skip_from_lines, lines at the very start that begin with
 *     "From " after any number of '>' (mbox separators) are dropped, as
 *     Postfix's sendmail does;
 *   - a line longer than line_limit bytes goes out as 'L' records of
 *     line_limit bytes and a last 'N' record with the rest (a CR that
 *     would end an 'L' record waits for the next one, so CRLF split at the
 *     boundary is still recognised);
 *   - a last line without a newline goes out as an 'L' record;
 *   - unless dots are ignored (sendmail -i), a line that is exactly "."
 *     ends the input; nothing after it is read;
 *   - the content size (record data plus one byte per 'N' record, that is
 *     the text with LF line ends) may not pass size_limit.
 *
 * A caller that wants the header lines (sendmail -t) gets each physical
 * line of the text until the first empty line, through a callback.
 * Library code: nothing here exits. */
#ifndef REC_TEXT_H
#define REC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "stream.h"

/* Called with each line of the header (without its line end, CR
 * removed), up to and excluding the first empty line; lines longer than
 * REC_TEXT_HDR_MAX are cut there. Return false to stop the calls. */
typedef bool (*REC_TEXT_HDR_FN) (const char *line, size_t len, void *ctx);

#define REC_TEXT_HDR_MAX    (100 * 1024)

typedef struct REC_TEXT_OPTS {
    size_t  line_limit;                 /* $line_length_limit, > 0 */
    bool    dot_ends;                   /* a lone "." ends the input */
    bool    skip_from_lines;            /* drop leading mbox From_ lines */
    long    size_limit;                 /* $message_size_limit; 0: none */
    REC_TEXT_HDR_FN hdr_fn;             /* may be NULL */
    void   *hdr_ctx;
} REC_TEXT_OPTS;

/* rec_text_copy results. */
#define REC_TEXT_OK         0
#define REC_TEXT_TOOBIG     (-1)        /* above size_limit */
#define REC_TEXT_READ_ERR   (-2)        /* errno from the read */
#define REC_TEXT_WRITE_ERR  (-3)        /* errno from the write */

/* rec_text_copy - read text from in until EOF (or a lone dot), write
 * content records to out; *size gets the content size so far. Returns
 * REC_TEXT_OK or one of the errors above. */
int     rec_text_copy(STREAM *in, STREAM *out, const REC_TEXT_OPTS *opts,
                      long *size);

#endif
