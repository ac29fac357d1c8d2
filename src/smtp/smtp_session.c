/* smtp_session - one connection to one server: connect, greeting,
 * EHLO/HELO (LHLO for LMTP), STARTTLS and EHLO again (smtp_tls.c), AUTH
 * (smtp_sasl.c), commands and replies, QUIT.
 *
 * Failures of the session are put into state->dsb in Postfix's words:
 *   connect to HOST[ADDR]:PORT: Connection refused          4.4.1
 *   host HOST[ADDR] refused to talk to me: 554 ...          (the reply's
 *                            code; 5xx becomes 4xx with skip_5xx_greeting)
 *   conversation with HOST[ADDR] timed out while WHAT       4.4.2
 *   lost connection with HOST[ADDR] while WHAT              4.4.2
 * Every read of a reply must be done within the stage's time limit in
 * all (a deadline, not just per read), so that a server that drips an
 * endless reply cannot hold the agent. */
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "deliver_log.h"
#include "mail_params.h"
#include "msg.h"
#include "smtp.h"
#include "sock.h"

/* smtp_session_names - "host[addr]" and the relay "host[addr]:port" */
static void
smtp_session_names(SMTP_STATE *state, const SMTP_ADDR *addr)
{
    if (addr->family == AF_UNIX) {
        buf_sprintf(state->namaddr, "%s[%s]", addr->name, addr->path);
        buf_strcpy(state->relay, buf_str(state->namaddr));
    } else {
        buf_sprintf(state->namaddr, "%s[%s]", addr->name, addr->text);
        buf_sprintf(state->relay, "%s:%u", buf_str(state->namaddr),
                    addr->port);
    }
}

/* smtp_session_adopt - fd is the session with addr (smtp.h) */
void
smtp_session_adopt(SMTP_STATE *state, const SMTP_ADDR *addr, int fd,
                   bool reused)
{
    smtp_session_names(state, addr);
    state->addr = addr;
    state->sp = stream_fdopen(fd);
    state->broken = false;
    state->features = 0;
    state->size_limit = 0;
    state->tls_active = false;
    state->tls = NULL;
    if (!reused) {
        state->reuse_count = 0;
        state->expire_time = time(NULL) + smtp_conf.reuse_time_limit;
        state->req->times.conn_use = 1;
    }
}

/* smtp_session_open - connect to addr (smtp.h) */
int
smtp_session_open(SMTP_STATE *state, const SMTP_ADDR *addr)
{
    BUF    *spec = buf_alloc(64);
    BUF    *why = buf_alloc(100);
    const char *err;
    int     fd;

    smtp_session_names(state, addr);
    state->addr = addr;
    if (addr->family == AF_UNIX) {
        fd = unix_connect(addr->path, smtp_conf.connect_timeout, why);
    } else {
        buf_sprintf(spec, addr->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
                    addr->text, addr->port);
        fd = inet_connect(buf_str(spec), smtp_conf.connect_timeout, why);
    }
    if (fd < 0) {
        err = strstr(buf_str(why), ": ");
        while (err && strstr(err + 2, ": "))
            err = strstr(err + 2, ": ");
        dsb_simple(state->dsb, "4.4.1", "connect to %s: %s",
                   buf_str(state->relay), err ? err + 2 : buf_str(why));
        buf_strcpy(state->fail_relay, "none");
        buf_strcpy(state->fail_mname, "");
    } else {
        smtp_session_adopt(state, addr, fd, false);
    }
    buf_free(spec);
    buf_free(why);
    return fd < 0 ? -1 : 0;
}

/* smtp_session_io_fail - a lost connection or a timeout (smtp.h) */
int
smtp_session_io_fail(SMTP_STATE *state, int how, const char *what)
{
    const char *who = buf_str(state->namaddr);

    state->broken = true;
    if (how == SMTP_REPLY_TIMEOUT)
        dsb_simple(state->dsb, "4.4.2", "conversation with %s timed out "
                   "while %s", who, what);
    else if (how == SMTP_REPLY_TOOLONG)
        dsb_simple(state->dsb, "4.4.2", "conversation with %s failed: "
                   "reply of more than %d lines while %s", who,
                   SMTP_REPLY_LINES_MAX, what);
    else
        dsb_simple(state->dsb, "4.4.2", "lost connection with %s while %s",
                   who, what);
    return -1;
}

/* smtp_chat - send cmd (if any), read one reply (smtp.h) */
int
smtp_chat(SMTP_STATE *state, const char *cmd, int timeout)
{
    stream_set_timeout(state->sp, timeout);
    stream_set_deadline(state->sp, timeout);
    if (cmd && (stream_printf(state->sp, "%s\r\n", cmd) < 0
                || stream_flush(state->sp) < 0))
        return stream_timedout(state->sp) ? SMTP_REPLY_TIMEOUT
            : SMTP_REPLY_LOST;
    state->reply->peer = buf_str(state->relay);
    return smtp_reply_read(state->sp, state->reply,
                           (size_t) var_line_length_limit,
                           (size_t) var_line_length_limit);
}

/* smtp_session_reply_fail - a failure reply to the session (smtp.h) */
int
smtp_session_reply_fail(SMTP_STATE *state, const char *fmt, ...)
{
    SMTP_REPLY *reply = state->reply;
    BUF    *reason = buf_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    buf_vsprintf_append(reason, fmt, ap);
    va_end(ap);
    dsb_simple(state->dsb, reply->status, "%s", buf_str(reason));
    buf_free(reason);
    if (reply->status[0] == '5')
        for (int i = 0; i < state->req->rcpt_count; i++)
            if (!state->rcpts[i].done)
                smtp_rcpt_reply(state, state->rcpts + i, reply,
                                buf_str(state->dsb->reason));
    return -1;
}

/* smtp_session_refused - "host X refused to talk to me: REPLY"; a
 * permanent refusal bounces every pending recipient, unless it is a
 * greeting and smtp_skip_5xx_greeting says to try the next server */
static int
smtp_session_refused(SMTP_STATE *state, bool greeting)
{
    SMTP_REPLY *reply = state->reply;

    if (greeting && smtp_conf.skip_5xx_greeting && reply->status[0] == '5')
        reply->status[0] = '4';
    return smtp_session_reply_fail(state, "host %s refused to talk to me: %s",
                                   buf_str(state->namaddr),
                                   buf_str(reply->text));
}

/* smtp_session_features - the ESMTP keywords of the EHLO/LHLO reply */
static void
smtp_session_features(SMTP_STATE *state)
{
    char   *lines = buf_str(state->reply->lines);
    char   *line;

    state->features = SMTP_FEAT_ESMTP;
    buf_reset(state->auth_mechs);
    strtok(lines, "\n");                        /* the greeting line */
    while ((line = strtok(NULL, "\n")) != NULL) {
        line += strlen(line) > 4 ? 4 : strlen(line);
        if (strncasecmp(line, "AUTH", 4) == 0
            && (line[4] == ' ' || line[4] == '=')) {
            /* "AUTH=..." is the old syntax of some servers. */
            state->features |= SMTP_FEAT_AUTH;
            buf_sprintf_append(state->auth_mechs, " %s", line + 5);
        } else if (strcasecmp(line, "PIPELINING") == 0)
            state->features |= SMTP_FEAT_PIPELINING;
        else if (strcasecmp(line, "STARTTLS") == 0)
            state->features |= SMTP_FEAT_STARTTLS;
        else if (strcasecmp(line, "8BITMIME") == 0)
            state->features |= SMTP_FEAT_8BITMIME;
        else if (strcasecmp(line, "DSN") == 0)
            state->features |= SMTP_FEAT_DSN;
        else if (strcasecmp(line, "SMTPUTF8") == 0)
            state->features |= SMTP_FEAT_SMTPUTF8;
        else if (strncasecmp(line, "SIZE", 4) == 0
                 && (line[4] == 0 || line[4] == ' ')) {
            state->features |= SMTP_FEAT_SIZE;
            state->size_limit = line[4] ? strtol(line + 5, NULL, 10) : 0;
            if (state->size_limit < 0)
                state->size_limit = 0;
        }
    }
}

/* smtp_session_hello - EHLO/LHLO, HELO when EHLO is refused */
static int
smtp_session_hello(SMTP_STATE *state)
{
    const char *verb = smtp_conf.lmtp ? "LHLO" :
        smtp_conf.never_send_ehlo ? "HELO" : "EHLO";
    const char *what = smtp_conf.lmtp ? "performing the LHLO handshake" :
        "performing the EHLO handshake";
    int     status;

    buf_sprintf(state->cmd, "%s %s", verb, smtp_conf.helo_name);
    if ((status = smtp_chat(state, buf_str(state->cmd),
                            smtp_conf.helo_timeout)) != SMTP_REPLY_OK)
        return smtp_session_io_fail(state, status, what);
    if (state->reply->code / 100 == 2) {
        if (strcmp(verb, "HELO") != 0)
            smtp_session_features(state);
        return 0;
    }
    if (strcmp(verb, "EHLO") != 0)
        return smtp_session_refused(state, false);
    buf_sprintf(state->cmd, "HELO %s", smtp_conf.helo_name);
    if ((status = smtp_chat(state, buf_str(state->cmd),
                            smtp_conf.helo_timeout)) != SMTP_REPLY_OK)
        return smtp_session_io_fail(state, status,
                                    "performing the HELO handshake");
    if (state->reply->code / 100 != 2)
        return smtp_session_refused(state, false);
    return 0;
}

/* smtp_session_greeting - the greeting, then the handshake */
static int
smtp_session_greeting(SMTP_STATE *state)
{
    int     status;

    if ((status = smtp_chat(state, NULL, smtp_conf.helo_timeout))
        != SMTP_REPLY_OK)
        return smtp_session_io_fail(state, status,
                                    "receiving the initial server greeting");
    if (state->reply->code / 100 != 2)
        return smtp_session_refused(state, true);
    if (smtp_session_hello(state) < 0)
        return -1;
    if ((status = smtp_tls_start(state)) < 0)
        return -1;
    if (status > 0 && smtp_session_hello(state) < 0)
        return -1;
    return smtp_sasl_auth(state);
}

/* smtp_session_helo - greeting and handshake; the connection set-up
 * time is taken when they end, well or not, as Postfix does (a greeting
 * that times out counts in the log's delays as set-up time) */
int
smtp_session_helo(SMTP_STATE *state)
{
    int     status = smtp_session_greeting(state);

    gettimeofday(&state->req->times.conn_setup, NULL);
    return status;
}

/* smtp_session_close - to the connection cache when it may be reused
 * (smtp_reuse.c); else QUIT without waiting for its reply (Postfix's
 * smtp_skip_quit_response), then close */
void
smtp_session_close(SMTP_STATE *state)
{
    if (state->sp == NULL || smtp_reuse_save(state))
        return;
    if (!state->broken) {
        stream_set_timeout(state->sp, smtp_conf.quit_timeout);
        stream_set_deadline(state->sp, smtp_conf.quit_timeout);
        (void) stream_puts(state->sp, "QUIT\r\n");
        (void) stream_flush(state->sp);
    }
    smtp_tls_stop(state);
    (void) stream_close(state->sp);
    state->sp = NULL;
}
