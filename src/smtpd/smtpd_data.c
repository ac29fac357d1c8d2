/* smtpd_data - the content of a message: DATA and BDAT (CHUNKING).
 *
 * DATA: the content is read line by line (at most line_length_limit
 * bytes per record; longer lines continue in the next record) and sent
 * to cleanup as it arrives. Only <CR><LF>.<CR><LF> ends it: a "." line
 * ends the data only when it and the line before it end in <CR><LF>, so
 * "\n.\n", "\n.\r\n" or "\r.\r" cannot smuggle a second message in. A
 * bare <LF> ends a content line (smtpd_forbid_bare_newline = normalize)
 * or, with "reject", draws "521 5.5.2 ... bare <LF> received" and the
 * end of the session. Leading dots are removed (RFC 5321 4.5.2).
 *
 * BDAT: exactly the announced number of bytes, taken literally (no dot
 * handling), lines split at <LF>; BDAT ... LAST ends the message. The
 * chunk of a BDAT that cannot be accepted is still read, so the session
 * stays in step with the client; after smtpd_data_restrictions refused
 * the first chunk, each further one up to LAST is "551 5.0.0 Discarded N
 * bytes after earlier error", as in Postfix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"

/* Bytes of a BDAT chunk read at a time. */
#define SMTPD_BDAT_BLOCK        65536

/* smtpd_data_ready - DATA/BDAT preconditions; 0 or -1 after a reply */
static int
smtpd_data_ready(SMTPD_STATE *state)
{
    if (state->rcpt_count == 0) {
        smtpd_reply(state, "503 5.5.1 Error: need RCPT command");
        return -1;
    }
    return 0;
}

/* smtpd_data_allowed - smtpd_data_restrictions; 0 or -1 after a reply */
static int
smtpd_data_allowed(SMTPD_STATE *state)
{
    const char *err;

    if ((err = smtpd_check_data(state)) == NULL)
        return 0;
    smtpd_check_refusal(state, err);
    return -1;
}

/* smtpd_data_end - the end of the message: smtpd_end_of_data_restrictions
 * (unless the message is already refused), then cleanup's verdict */
static int
smtpd_data_end(SMTPD_STATE *state)
{
    const char *err;

    state->where = "END-OF-MESSAGE";
    if (!state->too_big && (err = smtpd_check_eod(state)) != NULL) {
        smtpd_check_refusal(state, err);
        smtpd_state_reset(state);
        return -1;
    }
    return smtpd_queue_finish(state);
}

/* smtpd_data_bare_lf - a bare LF in DATA content: 0 to accept it as a
 * line end, -1 after the reply that ends the session */
static int
smtpd_data_bare_lf(SMTPD_STATE *state)
{
    if (state->settings->bare_newline != SMTPD_BARE_LF_REJECT
        || state->bare_lf_ok)
        return 0;
    smtpd_reply(state, "521 5.5.2 %s Error: bare <LF> received",
                state->settings->myhostname);
    state->quit = true;
    return -1;
}

/* smtpd_data_piece - one piece of DATA content in bp; 1 at the end of
 * the data, 0 to go on, -1 to stop (replied) */
static int
smtpd_data_piece(SMTPD_STATE *state, BUF *bp, bool *carry_cr)
{
    char   *data = buf_str(bp);
    size_t  len = buf_len(bp);
    bool    crlf = false, complete = false;

    *carry_cr = false;
    if (len > 0 && data[len - 1] == '\n') {
        complete = true;
        crlf = len > 1 && data[len - 2] == '\r';
        len -= crlf ? 2 : 1;
        if (!crlf && smtpd_data_bare_lf(state) < 0)
            return -1;
    } else if (len > 0 && data[len - 1] == '\r') {
        *carry_cr = true;                       /* maybe half a CRLF */
        len--;
    }
    if (state->line_start && complete && crlf && state->crlf_before
        && len == 1 && data[0] == '.')
        return 1;
    if (state->line_start && len > 1 && data[0] == '.') {
        data++;
        len--;
    }
    smtpd_queue_content(state, data, len, complete);
    state->line_start = complete;
    if (complete)
        state->crlf_before = crlf;
    return 0;
}

/* smtpd_data_read - read DATA content up to its end; 0 at the end, -1
 * when the connection broke or the session must end */
static int
smtpd_data_read(SMTPD_STATE *state)
{
    BUF    *bp = buf_alloc(state->settings->line_length_limit + 2);
    bool    carry_cr = false;
    int     status;

    for (;;) {
        buf_reset(bp);
        if (carry_cr)
            buf_addch(bp, '\r');
        if (stream_get_line(state->client, bp,
                            state->settings->line_length_limit) == EOF
            && buf_len(bp) == 0) {
            status = -1;
            break;
        }
        if (smtpd_reply_broken(state) && buf_last(bp) != '\n') {
            status = -1;
            break;
        }
        if ((status = smtpd_data_piece(state, bp, &carry_cr)) != 0)
            break;
    }
    buf_free(bp);
    return status > 0 ? 0 : -1;
}

/* smtpd_data - DATA */
int
smtpd_data(SMTPD_STATE *state, char *args)
{
    if (*args != 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: DATA");
        return -1;
    }
    if (smtpd_data_ready(state) < 0)
        return -1;
    if (state->bdat_seen) {
        smtpd_reply(state, "503 5.5.1 Error: DATA after BDAT");
        return -1;
    }
    if (smtpd_data_allowed(state) < 0)
        return -1;
    if (smtpd_queue_start(state) < 0) {
        smtpd_state_reset(state);
        smtpd_reply(state, "451 4.3.0 Error: queue file write error");
        return -1;
    }
    smtpd_reply(state, "354 End data with <CR><LF>.<CR><LF>");
    smtpd_reply_flush(state);
    if (smtpd_data_read(state) < 0)
        return -1;
    return smtpd_data_end(state);
}

/* smtpd_bdat_lines - pass the complete lines of the BDAT buffer on;
 * with last, the rest too */
static void
smtpd_bdat_lines(SMTPD_STATE *state, bool last)
{
    BUF    *chunk = state->chunk;
    size_t  limit = state->settings->line_length_limit;
    char   *start = buf_str(chunk), *nl;
    size_t  left = buf_len(chunk), len;

    while ((nl = memchr(start, '\n', left)) != NULL
           || left > limit || (last && left > 0)) {
        bool    complete = nl != NULL && (size_t) (nl - start) < limit;

        len = complete ? (size_t) (nl - start) : (left > limit ? limit : left);
        if (complete && len > 0 && start[len - 1] == '\r')
            smtpd_queue_content(state, start, len - 1, true);
        else
            smtpd_queue_content(state, start, len, complete || last);
        start += len + (complete ? 1 : 0);
        left -= len + (complete ? 1 : 0);
    }
    memmove(buf_str(chunk), start, left);
    buf_truncate(chunk, left);
}

/* smtpd_bdat_chunk - read size bytes; queue them when keep; 0 or -1 */
static int
smtpd_bdat_chunk(SMTPD_STATE *state, long size, bool keep)
{
    char   *block = mymalloc(SMTPD_BDAT_BLOCK);
    long    left = size;
    size_t  want;

    while (left > 0) {
        want = left > SMTPD_BDAT_BLOCK ? SMTPD_BDAT_BLOCK : (size_t) left;
        if (stream_read(state->client, block, want) != (ssize_t) want)
            break;
        left -= (long) want;
        if (keep) {
            buf_append(state->chunk, block, want);
            smtpd_bdat_lines(state, false);
        }
    }
    myfree(block);
    return left > 0 ? -1 : 0;
}

/* smtpd_bdat_args - "count [LAST]"; 0, or -1 for bad syntax */
static int
smtpd_bdat_args(char *args, long *size, bool *last)
{
    char   *end;

    errno = 0;
    *size = strtol(args, &end, 10);
    if (end == args || *args < '0' || *args > '9' || errno != 0)
        return -1;
    while (*end == ' ')
        end++;
    *last = strcasecmp(end, "LAST") == 0;
    return *last || *end == 0 ? 0 : -1;
}

/* smtpd_bdat_discard - a chunk of a message that smtpd_data_restrictions
 * refused: read, dropped, "551"; -1 */
static int
smtpd_bdat_discard(SMTPD_STATE *state, long size, bool last)
{
    if (smtpd_bdat_chunk(state, size, false) < 0)
        return -1;
    smtpd_reply(state, "551 5.0.0 Discarded %ld bytes after earlier error",
                size);
    if (last)
        smtpd_state_reset(state);
    return -1;
}

/* smtpd_bdat - BDAT count [LAST] */
int
smtpd_bdat(SMTPD_STATE *state, char *args)
{
    long    size;
    bool    last, ok;

    if (smtpd_bdat_args(args, &size, &last) < 0) {
        msg_warn("%s: malformed BDAT command syntax from %s: BDAT %.100s",
                 state->queue_id ? state->queue_id : "NOQUEUE",
                 state->namaddr, args);
        smtpd_reply(state, "521 5.5.4 Syntax: BDAT count [LAST]");
        state->quit = true;                 /* cannot find the next command */
        return -1;
    }
    if (state->bdat_refused)
        return smtpd_bdat_discard(state, size, last);
    ok = smtpd_data_ready(state) == 0;
    if (ok && !state->bdat_seen && smtpd_data_allowed(state) < 0) {
        state->bdat_refused = true;
        ok = false;
    }
    if (ok && !state->bdat_seen && smtpd_queue_start(state) < 0) {
        smtpd_state_reset(state);
        smtpd_reply(state, "451 4.3.0 Error: queue file write error");
        ok = false;
    }
    if (ok)
        state->bdat_seen = true;
    if (smtpd_bdat_chunk(state, size, ok) < 0)
        return -1;
    if (!ok)
        return -1;
    if (!last) {
        smtpd_reply(state, "250 2.0.0 Ok: %ld bytes", size);
        return 0;
    }
    smtpd_bdat_lines(state, true);
    return smtpd_data_end(state);
}
