/* cleanup_out - write records to the new queue file; the error state.
 *
 * Every record goes through cleanup_out(), which stops writing after the
 * first error (the file will be removed anyway) or a discard, and turns
 * a write failure into CLEANUP_STAT_WRITE, or CLEANUP_STAT_SIZE when the
 * file system said the file is too big. Message text goes through
 * cleanup_out_text(), which counts it against message_size_limit and
 * splits lines longer than line_length_limit into 'L' pieces and a last
 * 'N' (nothing is truncated). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cleanup_strerror.h"
#include "cleanup_user.h"
#include "mail_params.h"
#include "rec_type.h"

/* cleanup_error - record a status bit; the first reason stays (fmt NULL:
 * the standard text for stat) */
void
cleanup_error(CLEANUP_STATE *state, int stat, const char *fmt, ...)
{
    va_list ap;

    if (state->errs == 0 || buf_len(state->reason) == 0) {
        buf_reset(state->reason);
        if (fmt == NULL) {
            buf_sprintf(state->reason, "%s %s", cleanup_stat_detail(stat)->dsn,
                        cleanup_stat_detail(stat)->text);
        } else {
            va_start(ap, fmt);
            buf_vsprintf_append(state->reason, fmt, ap);
            va_end(ap);
        }
    }
    state->errs |= stat;
}

/* cleanup_writing - whether records still go to the file */
bool
cleanup_writing(const CLEANUP_STATE *state)
{
    return state->errs == 0 && !state->discard && state->dst != NULL;
}

/* cleanup_out - append one record */
void
cleanup_out(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    if (!cleanup_writing(state))
        return;
    if (queue_file_out_rec(&state->out, type, data, len) < 0) {
        if (errno == EFBIG)
            cleanup_error(state, CLEANUP_STAT_SIZE, NULL);
        else
            cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
    }
}

/* cleanup_out_string - append a record holding a string */
void
cleanup_out_string(CLEANUP_STATE *state, int type, const char *str)
{
    cleanup_out(state, type, str, strlen(str));
}

/* cleanup_out_format - append a record of formatted text */
void
cleanup_out_format(CLEANUP_STATE *state, int type, const char *fmt, ...)
{
    va_list ap;

    buf_reset(state->temp2);
    va_start(ap, fmt);
    buf_vsprintf_append(state->temp2, fmt, ap);
    va_end(ap);
    cleanup_out(state, type, buf_str(state->temp2), buf_len(state->temp2));
}

/* cleanup_out_record - one content record: 'L' pieces of at most
 * line_length_limit bytes, then the rest as 'N' (type 'N'), or all as 'L'
 * pieces (type 'L': the line continues in the next record) */
void
cleanup_out_record(CLEANUP_STATE *state, int type, const char *text,
                   size_t len)
{
    size_t  limit = (size_t) var_line_length_limit;

    state->content_bytes += (long) len + (type == REC_TYPE_NORM);
    if (var_message_size_limit > 0
        && state->content_bytes > var_message_size_limit) {
        cleanup_error(state, CLEANUP_STAT_SIZE, NULL);
        return;
    }
    while (len > limit) {
        cleanup_out(state, REC_TYPE_CONT, text, limit);
        text += limit;
        len -= limit;
    }
    cleanup_out(state, type, text, len);
}

/* cleanup_out_text - message text that may hold several lines separated
 * by newlines (a folded header), each written as a line */
void
cleanup_out_text(CLEANUP_STATE *state, const char *text, size_t len)
{
    const char *nl;

    while ((nl = memchr(text, '\n', len)) != NULL) {
        cleanup_out_record(state, REC_TYPE_NORM, text, (size_t) (nl - text));
        len -= (size_t) (nl - text) + 1;
        text = nl + 1;
    }
    cleanup_out_record(state, REC_TYPE_NORM, text, len);
}
