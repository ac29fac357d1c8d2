/* smtpd_log - the log lines of smtpd that tools parse (pflogsumm,
 * fail2ban), in Postfix's words:
 *
 *   NOQUEUE: reject: RCPT from NAME[ADDR]: REPLY; from=<S> to=<R>
 *           proto=ESMTP helo=<H>     (also warn:, hold:, filter:, ...)
 *   disconnect from NAME[ADDR] ehlo=1 mail=1 rcpt=0/1 ... commands=3/4
 *   lost connection after DATA (0 bytes) from NAME[ADDR]
 *   timeout after RCPT from NAME[ADDR]
 *
 * Text from the client goes through msg_*, which replaces control
 * characters. */
#include <string.h>

#include "msg.h"
#include "quote_822_local.h"
#include "smtpd.h"

static const char *const smtpd_log_names[SMTPD_CMD_COUNT] = {
    "helo", "ehlo", "xclient", "xforward", "starttls", "auth", "mail",
    "rcpt", "data", "bdat", "rset", "noop", "vrfy", "etrn", "quit", "unknown",
};

/* smtpd_log_whatsup - an event of a command ("reject", "warn", "hold",
 * ...): the text and the envelope so far */
void
smtpd_log_whatsup(SMTPD_STATE *state, const char *what, const char *text,
                  const char *sender, const char *recipient, const char *helo)
{
    BUF    *line = buf_alloc(200);
    BUF    *ext = buf_alloc(100);

    buf_sprintf(line, "%s: %s: %s from %s: %s;",
                state->queue_id ? state->queue_id : "NOQUEUE", what,
                state->where, state->namaddr, text);
    if (sender != NULL) {
        quote_822_local(ext, sender);
        buf_sprintf_append(line, " from=<%s>", *sender ? buf_str(ext) : "");
    }
    if (recipient != NULL) {
        quote_822_local(ext, recipient);
        buf_sprintf_append(line, " to=<%s>", buf_str(ext));
    }
    buf_sprintf_append(line, " proto=%s", state->protocol);
    if (helo != NULL)
        buf_sprintf_append(line, " helo=<%s>", helo);
    msg_info("%s", buf_str(line));
    buf_free(line);
    buf_free(ext);
}

/* smtpd_log_count - one "name=ok" or "name=ok/total" field (as Postfix:
 * "commands=0/0" for a client refused before its first command) */
static void
smtpd_log_count(BUF *line, const char *name, int ok, int total)
{
    if (ok == total && total > 0)
        buf_sprintf_append(line, " %s=%d", name, ok);
    else
        buf_sprintf_append(line, " %s=%d/%d", name, ok, total);
}

/* smtpd_log_disconnect - the end of the session, with command counts */
void
smtpd_log_disconnect(SMTPD_STATE *state)
{
    BUF    *line = buf_alloc(200);
    int     ok = 0, total = 0;

    buf_sprintf(line, "disconnect from %s", state->namaddr);
    for (int i = 0; i < SMTPD_CMD_COUNT; i++) {
        if (state->cmd_total[i] == 0)
            continue;
        smtpd_log_count(line, smtpd_log_names[i], state->cmd_ok[i],
                        state->cmd_total[i]);
        ok += state->cmd_ok[i];
        total += state->cmd_total[i];
    }
    smtpd_log_count(line, "commands", ok, total);
    msg_info("%s", buf_str(line));
    buf_free(line);
}

/* smtpd_log_where - the stage for "lost connection"/"timeout" lines */
static BUF *
smtpd_log_where(const SMTPD_STATE *state)
{
    BUF    *where = buf_alloc(50);

    buf_strcpy(where, state->where);
    if (strcmp(state->where, "DATA") == 0)
        buf_sprintf_append(where, " (%ld bytes)", state->data_size);
    return where;
}

/* smtpd_log_timeout - tell the client and log that it was silent too long;
 * the session ends */
void
smtpd_log_timeout(SMTPD_STATE *state)
{
    BUF    *where = smtpd_log_where(state);

    smtpd_reply(state, "421 4.4.2 %s Error: timeout exceeded",
                state->settings->myhostname);
    smtpd_reply_flush(state);
    msg_info("timeout after %s from %s", buf_str(where), state->namaddr);
    buf_free(where);
    state->quit = true;
}

/* smtpd_log_lost - the client went away or timed out */
void
smtpd_log_lost(SMTPD_STATE *state)
{
    BUF    *where;

    if (stream_timedout(state->client)) {
        stream_clearerr(state->client);
        smtpd_log_timeout(state);
        return;
    }
    where = smtpd_log_where(state);
    msg_info("lost connection after %s from %s", buf_str(where),
             state->namaddr);
    buf_free(where);
}
