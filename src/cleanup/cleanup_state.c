/* cleanup_state - create and destroy the per-message state. */
#include "cleanup.h"
#include "mime_state.h"
#include "mymalloc.h"

/* cleanup_state_alloc - a fresh state for one client */
CLEANUP_STATE *
cleanup_state_alloc(STREAM *src)
{
    CLEANUP_STATE *state = mymalloc(sizeof(*state));

    *state = (CLEANUP_STATE) {
        .src = src,
        .queue_id = buf_alloc(40),
        .reason = buf_alloc(100),
        .dups = htable_create(13),
        .why = buf_alloc(100),
        .temp1 = buf_alloc(100),
        .temp2 = buf_alloc(100),
    };
    mail_queue_conf_params(&state->qconf);
    return state;
}

/* cleanup_state_free - everything but the client stream */
void
cleanup_state_free(CLEANUP_STATE *state)
{
    buf_free(state->queue_id);
    buf_free(state->reason);
    if (state->dst != NULL)
        (void) stream_close(state->dst);
    myfree(state->sender);
    myfree(state->fullname);
    myfree(state->encoding);
    myfree(state->log_origin);
    myfree(state->log_proto);
    myfree(state->log_helo);
    myfree(state->pend_orcpt);
    myfree(state->pend_orig);
    myfree(state->last_rcpt);
    htable_free(state->dups, NULL);
    if (state->mime != NULL)
        mime_state_free(state->mime);
    myfree(state->message_id);
    myfree(state->redirect);
    myfree(state->filter);
    if (state->bcc != NULL)
        argv_free(state->bcc);
    cleanup_bounce_free(state);
    buf_free(state->why);
    buf_free(state->temp1);
    buf_free(state->temp2);
    myfree(state);
}
