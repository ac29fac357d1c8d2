/* cleanup_final - commit or remove the queue file, wake qmgr.
 *
 * A message is kept only when nothing went wrong and it has a recipient:
 * then the file is made complete (fchmod 0700, fsync: mail_queue_commit)
 * before the client hears status 0. A message put on hold is moved to
 * hold/ while it is still incomplete, so qmgr never sees it in incoming.
 * Anything else (an error, a rejection, a discard) removes the file.
 *
 * A client that cannot report a rejection (pickup: the submitting user
 * is gone) sets CLEANUP_FLAG_BOUNCE: a permanent rejection then returns
 * the message to its sender (cleanup_bounce.c) and the client hears
 * success; when that fails, the rejection becomes a temporary error, the
 * client keeps the message and tries again later. Nothing is lost. */
#include <errno.h>
#include <stdio.h>

#include "cleanup.h"
#include "cleanup_user.h"
#include "mail_params.h"
#include "mail_trigger.h"
#include "msg.h"

/* What Postfix 3.7's cleanup writes to public/qmgr (strace): a wakeup,
 * which makes qmgr scan the incoming queue. */
#define CLEANUP_QMGR_WAKEUP     "W"

/* cleanup_remove - close and delete the file */
static void
cleanup_remove(CLEANUP_STATE *state)
{
    BUF    *why = state->temp1;

    (void) stream_close(state->dst);
    state->dst = NULL;
    if (mail_queue_remove(&state->qconf, MAIL_QUEUE_INCOMING,
                          buf_str(state->queue_id), why) < 0)
        msg_warn("%s", buf_str(why));
}

/* cleanup_commit - make the file complete, in incoming or hold */
static void
cleanup_commit(CLEANUP_STATE *state)
{
    const char *queue = MAIL_QUEUE_INCOMING;
    BUF    *why = state->temp1;
    BUF    *path = state->temp2;

    if (state->hold) {
        if (mail_queue_rename(&state->qconf, buf_str(state->queue_id),
                              MAIL_QUEUE_INCOMING, MAIL_QUEUE_HOLD,
                              why) < 0) {
            msg_warn("%s: %s", buf_str(state->queue_id), buf_str(why));
            cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
            cleanup_remove(state);
            return;
        }
        queue = MAIL_QUEUE_HOLD;
    }
    if (mail_queue_commit(state->dst, why) < 0) {
        state->dst = NULL;
        msg_warn("%s: %s", buf_str(state->queue_id), buf_str(why));
        cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
        if (mail_queue_remove(&state->qconf, queue, buf_str(state->queue_id),
                              why) < 0)
            msg_warn("%s", buf_str(why));
        return;
    }
    state->dst = NULL;
    if (!state->hold) {
        buf_sprintf(path, "public/%s", var_queue_service_name);
        /* EAGAIN: qmgr's backlog of wakeups is full, so it will scan
         * incoming anyway; only other failures are worth a warning. */
        if (mail_trigger(buf_str(path), CLEANUP_QMGR_WAKEUP, 1,
                         why) < 0 && errno != EAGAIN)
            msg_warn("%s", buf_str(why));
    }
}

/* cleanup_final - keep or drop the message; state->errs and
 * state->reason then hold the reply */
void
cleanup_final(CLEANUP_STATE *state)
{
    if (state->dst == NULL)
        return;
    if (state->errs == 0 && !state->discard && state->rcpt_count == 0)
        cleanup_error(state, CLEANUP_STAT_RCPT, NULL);
    if ((state->errs & CLEANUP_STAT_PERMANENT)
        && (state->flags & CLEANUP_FLAG_BOUNCE)) {
        state->errs = 0;
        if (cleanup_bounce(state) == 0)
            state->discard = true;      /* returned: remove the file */
        else
            cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
    }
    if (state->errs == 0 && !state->discard) {
        cleanup_commit(state);
    } else {
        cleanup_remove(state);
    }
    if (state->errs == 0)
        buf_strcpy(state->reason, "");
}
