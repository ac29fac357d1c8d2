/* smtpd_state - the session and transaction state of one SMTP client.
 *
 * smtpd_state_init() sets up a session, smtpd_state_reset() ends a mail
 * transaction (RSET, after DATA, a new HELO), dropping an open cleanup
 * connection (or postdrop) so that the unfinished message is discarded,
 * and what the restrictions asked cleanup to do with it. */
#include <string.h>

#include "mymalloc.h"
#include "smtpd.h"

/* smtpd_state_init - a new session on client */
void
smtpd_state_init(SMTPD_STATE *state, STREAM *client,
                 const SMTPD_SETTINGS *settings)
{
    memset(state, 0, sizeof(*state));
    state->client = client;
    state->settings = settings;
    state->protocol = "SMTP";
    state->where = "CONNECT";
    state->line = buf_alloc(100);
    state->buf = buf_alloc(100);
    state->why = buf_alloc(100);
    state->chunk = buf_alloc(100);
    state->instance = buf_alloc(40);
}

/* smtpd_state_free_str - free and clear one string field */
static void
smtpd_state_free_str(char **field)
{
    if (*field != NULL) {
        myfree(*field);
        *field = NULL;
    }
}

/* smtpd_state_reset - forget the mail transaction */
void
smtpd_state_reset(SMTPD_STATE *state)
{
    smtpd_queue_abort(state);
    smtpd_state_free_str(&state->sender);
    smtpd_state_free_str(&state->envid);
    smtpd_state_free_str(&state->sasl_sender);
    smtpd_state_free_str(&state->first_rcpt);
    smtpd_state_free_str(&state->queue_id);
    smtpd_check_reset(state);
    smtpd_xforward_reset(state);
    state->encoding = NULL;
    state->msg_size = 0;
    state->ret_flags = 0;
    state->smtputf8 = false;
    state->rcpt_count = 0;
    state->bdat_seen = false;
    state->bdat_refused = false;
    state->data_size = 0;
    state->too_big = false;
    state->write_error = false;
    buf_reset(state->chunk);
}

/* smtpd_state_free - end the session */
void
smtpd_state_free(SMTPD_STATE *state)
{
    smtpd_state_reset(state);
    smtpd_state_free_str(&state->name);
    smtpd_state_free_str(&state->reverse_name);
    smtpd_state_free_str(&state->addr);
    smtpd_state_free_str(&state->port);
    smtpd_state_free_str(&state->namaddr);
    smtpd_state_free_str(&state->server_addr);
    smtpd_state_free_str(&state->server_port);
    smtpd_state_free_str(&state->helo_name);
    smtpd_state_free_str(&state->access_denied);
    smtpd_state_free_str(&state->login);
    buf_free(state->line);
    buf_free(state->buf);
    buf_free(state->why);
    buf_free(state->chunk);
    buf_free(state->instance);
}
