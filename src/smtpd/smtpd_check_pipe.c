/* smtpd_check_pipe - improper command pipelining: input the client sent
 * before it could have seen the reply it should have waited for.
 *
 * Model: Debian's Postfix 3.7 smtpd as observed. Before the greeting any
 * input is improper ("after CONNECT"); after a command, input is improper
 * when the command must end a pipelined group (HELO, EHLO, DATA, NOOP,
 * VRFY) or the client did not say EHLO (PIPELINING is an ESMTP
 * extension). The first time, smtpd logs (info, as Postfix; fail2ban's
 * aggressive mode reads it)
 *
 *   improper command pipelining after EHLO from NAME[ADDR]: MAIL FROM:<a@b>\r\n
 *
 * with the first 100 bytes of the pending input, C-escaped, and
 * reject_unauth_pipelining refuses from then on.
 *
 * Pending input is either in the stream's buffer or still in the socket.
 * STREAM has no way to show its buffer, so the client's input is read
 * through smtpd_pipe_read, which keeps the newest bytes received: what the
 * stream holds unread is always the end of what was received. (With
 * TLS, this read function has to wrap TLS's.) */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "smtpd_check.h"

#define SMTPD_PIPE_SHOW         100     /* bytes of input in the log */
#define SMTPD_PIPE_TAIL         16384   /* > STREAM's buffer */

/* The newest bytes received, oldest first. */
typedef struct SMTPD_PIPE {
    char    tail[SMTPD_PIPE_TAIL];
    size_t  len;
} SMTPD_PIPE;

/* smtpd_pipe_keep - remember what was just received */
static void
smtpd_pipe_keep(SMTPD_PIPE *pipe, const char *data, size_t len)
{
    size_t  keep;

    if (len >= SMTPD_PIPE_TAIL) {
        memcpy(pipe->tail, data + len - SMTPD_PIPE_TAIL, SMTPD_PIPE_TAIL);
        pipe->len = SMTPD_PIPE_TAIL;
        return;
    }
    keep = pipe->len + len > SMTPD_PIPE_TAIL ? SMTPD_PIPE_TAIL - len
        : pipe->len;
    memmove(pipe->tail, pipe->tail + pipe->len - keep, keep);
    memcpy(pipe->tail + keep, data, len);
    pipe->len = keep + len;
}

/* smtpd_pipe_read - the client's read function: poll, read, remember */
static ssize_t
smtpd_pipe_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    struct pollfd pfd = {.fd = fd,.events = POLLIN};
    int     ready = poll(&pfd, 1, timeout_ms);
    ssize_t n;

    if (ready == 0)
        errno = ETIMEDOUT;
    if (ready <= 0)
        return -1;
    if ((n = read(fd, buf, len)) > 0)
        smtpd_pipe_keep(ctx, buf, (size_t) n);
    return n;
}

/* smtpd_check_pipe_init - read a network client through smtpd_pipe_read
 * (stand-alone mode reads stdin with its own functions: no checks) */
void
smtpd_check_pipe_init(SMTPD_STATE *state)
{
    SMTPD_PIPE *pipe;

    if (stream_fd(state->client) == STDIN_FILENO
        || strcmp(state->port, "unknown") == 0)
        return;
    pipe = mycalloc(1, sizeof(*pipe));
    state->check->pipe = pipe;
    stream_set_io(state->client, smtpd_pipe_read, NULL, pipe);
}

/* smtpd_pipe_escape - bytes as C escapes, as Postfix logs them */
static void
smtpd_pipe_escape(BUF *out, const char *data, size_t len)
{
    static const char named[] = "\a\b\f\n\r\t\v";
    static const char letters[] = "abfnrtv";
    const char *np;

    for (size_t i = 0; i < len; i++) {
        unsigned char ch = data[i];

        if (ch == '\\')
            buf_strcat(out, "\\\\");
        else if (ch >= ' ' && ch < 0x7f)
            buf_addch(out, ch);
        else if (ch != 0 && (np = strchr(named, ch)) != NULL)
            buf_sprintf_append(out, "\\%c", letters[np - named]);
        else
            buf_sprintf_append(out, "\\%03o", ch);
    }
}

/* smtpd_pipe_pending - up to SMTPD_PIPE_SHOW bytes of input waiting to
 * be read, into text; whether there is any */
static bool
smtpd_pipe_pending(SMTPD_STATE *state, BUF *text)
{
    const SMTPD_PIPE *pipe = state->check->pipe;
    size_t  buffered = stream_buffered(state->client);
    size_t  show = buffered < SMTPD_PIPE_SHOW ? buffered : SMTPD_PIPE_SHOW;
    char    peek[SMTPD_PIPE_SHOW];
    ssize_t n = 0;

    if (buffered > pipe->len)
        show = 0;                       /* cannot happen: the tail is bigger */
    else
        smtpd_pipe_escape(text, pipe->tail + pipe->len - buffered, show);
    if (show < SMTPD_PIPE_SHOW) {
        n = recv(stream_fd(state->client), peek, SMTPD_PIPE_SHOW - show,
                 MSG_PEEK | MSG_DONTWAIT);
        if (n > 0)
            smtpd_pipe_escape(text, peek, (size_t) n);
    }
    return buffered > 0 || n > 0;
}

/* smtpd_check_pipelining - log and remember improper pipelining */
void
smtpd_check_pipelining(SMTPD_STATE *state, const char *after, bool last)
{
    BUF    *text;

    if (state->ill_pipelining || state->check->pipe == NULL
        || (!last && strcasecmp(state->protocol, "ESMTP") == 0))
        return;
    text = buf_alloc(SMTPD_PIPE_SHOW * 4);
    if (smtpd_pipe_pending(state, text)) {
        msg_info("improper command pipelining after %s from %s: %s", after,
                 state->namaddr, buf_str(text));
        state->ill_pipelining = true;
    }
    buf_free(text);
}
