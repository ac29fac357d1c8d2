/* smtp_reply - read one SMTP/LMTP reply from a server, safely.
 *
 * A reply is one or more lines "NNN-text" ending with "NNN text" (or a
 * bare "NNN"). Whatever the server sends, memory stays bounded, as in
 * Postfix's smtp_chat.c: each line is read at most line_limit bytes
 * (line_length_limit) and the rest of a longer line is read and dropped
 * with Postfix's warning "HOST[ADDR]:PORT: response longer than 2048:
 * xxx..."; the text kept for logs and notices stops growing at
 * text_limit bytes ("multi-line response longer than 2048 ..."). A
 * line without a three-digit code is kept in the text and skipped, as
 * Postfix does; control characters become '?'. Postern adds a bound on
 * the number of lines, SMTP_REPLY_LINES_MAX, where Postfix reads on
 * until the server stops or a read times out. The enhanced status code
 * is taken from the first line when its class agrees with the reply
 * code, else it is the class digit and ".0.0". Unit tested by
 * test_smtp_reply.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "mymalloc.h"
#include "smtp.h"

#define SMTP_REPLY_SHOW 30              /* text shown in warnings */

/* smtp_reply_alloc - an empty reply */
SMTP_REPLY *
smtp_reply_alloc(void)
{
    SMTP_REPLY *reply = mycalloc(1, sizeof(*reply));

    reply->text = buf_alloc(100);
    reply->line = buf_alloc(100);
    reply->lines = buf_alloc(100);
    reply->peer = "unknown";
    return reply;
}

/* smtp_reply_free - release a reply */
void
smtp_reply_free(SMTP_REPLY *reply)
{
    buf_free(reply->text);
    buf_free(reply->line);
    buf_free(reply->lines);
    myfree(reply);
}

/* smtp_reply_skip - read and drop the rest of an overlong line; the
 * last byte read */
static int
smtp_reply_skip(STREAM *sp, size_t line_limit)
{
    BUF    *skip = buf_alloc(line_limit);
    int     last;

    do {
        buf_reset(skip);
        last = stream_get_line(sp, skip, line_limit);
    } while (last != '\n' && last != EOF && !stream_error(sp));
    buf_free(skip);
    return last;
}

/* smtp_reply_line - one line into reply->line without CR LF, control
 * characters made '?'; the rest of an overlong line is dropped.
 * SMTP_REPLY_OK or LOST/TIMEOUT. */
static int
smtp_reply_line(STREAM *sp, SMTP_REPLY *reply, size_t line_limit)
{
    int     last;

    buf_reset(reply->line);
    last = stream_get_line(sp, reply->line, line_limit);
    if (last == EOF || (last != '\n' && stream_error(sp)))
        return stream_timedout(sp) ? SMTP_REPLY_TIMEOUT : SMTP_REPLY_LOST;
    if (last != '\n' && buf_len(reply->line) < line_limit)
        return SMTP_REPLY_LOST;                 /* end of file */
    if (last != '\n') {
        msg_warn("%s: response longer than %zu: %.*s...", reply->peer,
                 line_limit, SMTP_REPLY_SHOW, buf_str(reply->line));
        if (smtp_reply_skip(sp, line_limit) != '\n')
            return stream_timedout(sp) ? SMTP_REPLY_TIMEOUT : SMTP_REPLY_LOST;
    }
    while (buf_len(reply->line) > 0 && (buf_last(reply->line) == '\n'
                                        || buf_last(reply->line) == '\r'))
        buf_truncate(reply->line, buf_len(reply->line) - 1);
    for (size_t i = 0; i < buf_len(reply->line); i++)
        if ((unsigned char) reply->line->data[i] < ' '
            || reply->line->data[i] == 0x7f)
            reply->line->data[i] = '?';
    return SMTP_REPLY_OK;
}

/* smtp_reply_keep - add a line to the stored text, up to text_limit */
static void
smtp_reply_keep(SMTP_REPLY *reply, size_t text_limit, bool *warned)
{
    size_t  room;

    if (buf_len(reply->text) >= text_limit) {
        if (!*warned)
            msg_warn("%s: multi-line response longer than %zu %.*s...",
                     reply->peer, text_limit, SMTP_REPLY_SHOW,
                     buf_str(reply->text));
        *warned = true;
        return;
    }
    if (buf_len(reply->text) > 0) {
        buf_addch(reply->text, ' ');
        buf_addch(reply->lines, '\n');
    }
    room = text_limit - buf_len(reply->text);
    if (room > buf_len(reply->line))
        room = buf_len(reply->line);
    buf_append(reply->text, buf_str(reply->line), room);
    buf_append(reply->lines, buf_str(reply->line), room);
}

/* smtp_reply_status - the enhanced status code of the reply */
void
smtp_reply_status(SMTP_REPLY *reply)
{
    const char *text = buf_str(reply->text);
    int     class = reply->code / 100;
    size_t  len;

    if (class != 2 && class != 4 && class != 5)
        class = 4;
    if (reply->code > 0 && strlen(text) > 4
        && (len = dsn_valid(text + 4)) > 0 && text[4] - '0' == class
        && len < DSN_STATUS_SIZE) {
        memcpy(reply->status, text + 4, len);
        reply->status[len] = 0;
        return;
    }
    reply->status[0] = (char) ('0' + class);
    strcpy(reply->status + 1, ".0.0");
}

/* smtp_reply_code - the code of a last line, 0 for a continuation
 * line, -1 for a line without a code */
static int
smtp_reply_code(const char *cp)
{
    if (!(isdigit((unsigned char) cp[0]) && isdigit((unsigned char) cp[1])
          && isdigit((unsigned char) cp[2])))
        return -1;
    if (cp[3] == '-')
        return 0;
    if (cp[3] == ' ' || cp[3] == 0)
        return atoi(cp);
    return -1;
}

/* smtp_reply_read - read one reply (see smtp.h) */
int
smtp_reply_read(STREAM *sp, SMTP_REPLY *reply, size_t line_limit,
                size_t text_limit)
{
    bool    warned = false;
    int     status;

    buf_reset(reply->text);
    buf_reset(reply->lines);
    reply->code = 0;
    for (int count = 1; reply->code <= 0; count++) {
        if (count > SMTP_REPLY_LINES_MAX)
            return SMTP_REPLY_TOOLONG;
        if ((status = smtp_reply_line(sp, reply, line_limit)) != SMTP_REPLY_OK)
            return status;
        smtp_reply_keep(reply, text_limit, &warned);
        reply->code = smtp_reply_code(buf_str(reply->line));
    }
    smtp_reply_status(reply);
    return SMTP_REPLY_OK;
}
