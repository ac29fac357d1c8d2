/* smtpd_reply - talking to the client: replies and command lines.
 *
 * Replies are buffered, so the answers to pipelined commands leave in
 * one packet; the stream sends them before it waits for more input
 * (stream.h), and smtpd_reply_flush() sends them at once. After
 * smtpd_soft_error_limit errors each error reply waits
 * smtpd_error_sleep_time first, as in Postfix.
 *
 * A command line is read up to line_length_limit bytes; the rest of a
 * longer line is read and thrown away. Bare LF ends a command line
 * (normalize), unless smtpd_forbid_bare_newline = reject applies to the
 * client. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smtpd.h"

/* smtpd_reply - send one reply line (fmt without CRLF) */
void
smtpd_reply(SMTPD_STATE *state, const char *fmt, ...)
{
    va_list ap;

    buf_reset(state->buf);
    va_start(ap, fmt);
    buf_vsprintf_append(state->buf, fmt, ap);
    va_end(ap);
    if ((buf_str(state->buf)[0] == '4' || buf_str(state->buf)[0] == '5')
        && state->error_count >= state->settings->soft_error_limit
        && state->settings->error_sleep > 0) {
        smtpd_reply_flush(state);
        sleep((unsigned) state->settings->error_sleep);
    }
    buf_strcat(state->buf, "\r\n");
    (void) stream_write(state->client, buf_str(state->buf),
                        buf_len(state->buf));
}

/* smtpd_reply_flush - send buffered replies now */
void
smtpd_reply_flush(SMTPD_STATE *state)
{
    (void) stream_flush(state->client);
}

/* smtpd_reply_broken - whether the connection failed (EOF, timeout) */
bool
smtpd_reply_broken(SMTPD_STATE *state)
{
    return stream_error(state->client) || stream_eof(state->client);
}

/* smtpd_reply_skip - read and drop the rest of an over-long line */
static int
smtpd_reply_skip(SMTPD_STATE *state)
{
    int     last;

    do {
        buf_reset(state->buf);
        last = stream_get_line(state->client, state->buf,
                               state->settings->line_length_limit);
    } while (last != EOF && last != '\n');
    return last;
}

/* smtpd_reply_get - read one command line into line, without its line
 * end; 0, -1 (EOF, error, timeout) or -2 (bare LF refused: replied) */
int
smtpd_reply_get(SMTPD_STATE *state, BUF *line)
{
    int     last;

    buf_reset(line);
    last = stream_get_line(state->client, line,
                           state->settings->line_length_limit);
    if (last == EOF || (last != '\n' && smtpd_reply_skip(state) == EOF))
        return -1;
    if (buf_last(line) == '\n') {
        buf_truncate(line, buf_len(line) - 1);
        if (buf_last(line) == '\r')
            buf_truncate(line, buf_len(line) - 1);
        else if (state->settings->bare_newline == SMTPD_BARE_LF_REJECT
                 && !state->bare_lf_ok) {
            smtpd_reply(state, "521 5.5.2 %s Error: bare <LF> received",
                        state->settings->myhostname);
            return -2;
        }
    }
    return 0;
}
