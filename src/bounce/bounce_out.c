/* bounce_out - write the lines of a notice, folding the long ones.
 *
 * A notice is written as content records through a BOUNCE_OUT (cleanup's
 * stream in the daemon, a buffer in the tests). Lines that carry text
 * from elsewhere (the per-recipient lines of the text part, the
 * Diagnostic-Code field) are folded the way Postfix 3.7's notices fold
 * them, observed with lines of every length from 77 to 81 characters
 * (docs/bounce.md): a line of up to 79 characters stays whole; a longer
 * one breaks at its last space that leaves at most 79 characters before
 * it; the spaces at the break go; each continuation line starts with
 * four spaces and follows the same rule; a word too long for a line gets
 * one of its own, unbroken. */
#include <stdarg.h>
#include <string.h>

#include "bounce.h"
#include "rec_type.h"

/* bounce_out_line - one line */
int
bounce_out_line(BOUNCE_OUT *out, const char *line)
{
    return out->put(out->ctx, REC_TYPE_NORM, line, strlen(line));
}

/* bounce_out_printf - one formatted line */
int
bounce_out_printf(BOUNCE_OUT *out, const char *fmt, ...)
{
    BUF    *line = buf_alloc(100);
    va_list ap;
    int     ret;

    va_start(ap, fmt);
    buf_vsprintf_append(line, fmt, ap);
    va_end(ap);
    ret = out->put(out->ctx, REC_TYPE_NORM, buf_str(line), buf_len(line));
    buf_free(line);
    return ret;
}

/* bounce_fold_break - where the line starting at text with room
 * characters ends: the space to break at, or NULL when the rest has no
 * space left */
static const char *
bounce_fold_break(const char *text, size_t room)
{
    for (size_t i = room; i > 0; i--)
        if (text[i] == ' ')
            return text + i;
    /* A word longer than the room: break right after it. */
    return strchr(text, ' ');
}

/* bounce_out_folded - text folded into lines */
int
bounce_out_folded(BOUNCE_OUT *out, const char *text)
{
    BUF    *line = buf_alloc(BOUNCE_FOLD_WIDTH + 1);
    const char *brk, *end;
    size_t  indent = 0;
    int     ret = 0;

    while (ret == 0 && *text) {
        buf_reset(line);
        buf_append(line, "        ", indent);
        if (strlen(text) <= BOUNCE_FOLD_WIDTH - indent
            || (brk = bounce_fold_break(text, BOUNCE_FOLD_WIDTH - indent))
            == NULL) {
            buf_strcat(line, text);
            ret = bounce_out_line(out, buf_str(line));
            break;
        }
        for (end = brk; end > text && end[-1] == ' '; end--)
             /* void */ ;
        buf_append(line, text, end - text);
        if (end > text)
            ret = bounce_out_line(out, buf_str(line));
        for (text = brk; *text == ' '; text++)
             /* void */ ;
        indent = BOUNCE_FOLD_INDENT;
    }
    buf_free(line);
    return ret;
}
