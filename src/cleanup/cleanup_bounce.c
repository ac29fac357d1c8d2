/* cleanup_bounce - return a rejected local submission to its sender.
 *
 * pickup cannot tell a user that header_checks, body_checks or
 * message_size_limit refused the message: the user is gone. It sets
 * CLEANUP_FLAG_BOUNCE, and a permanent rejection then becomes a
 * non-delivery notice, as in Postfix 3.7 (observed): one log line per
 * recipient,
 *
 *   ID: to=<RCPT>, relay=none, delay=D, delays=D/0/0/0, dsn=5.7.1,
 *       status=bounced (TEXT)
 *
 * the bounce service's "sender non-delivery notification", and status 0
 * to pickup, which removes the maildrop file.
 *
 * How: the records written so far (envelope, and the content up to the
 * rejection) are ended with 'X' and 'E' so that the file is a readable
 * queue file, but it is never made complete (mode 0600, so qmgr never
 * takes it). Each recipient goes to the bounce log with the rejection as
 * its reason; the bounce service then builds the notice from the log and
 * the file in incoming/ (the returned part holds what was written: the
 * headers up to the rejected one). cleanup_final() removes the file.
 * When the bounce service fails, the message stays with pickup, which
 * tries again later: nothing is lost.
 *
 * Postern differs from Postfix in the returned headers: Postfix goes on
 * through the headers after a rejection and returns them all, with the
 * Message-Id: and Date: it adds; Postern returns those before it. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "bounce_clnt.h"
#include "cleanup.h"
#include "cleanup_user.h"
#include "deliver_log.h"
#include "dsn.h"
#include "mail_queue.h"
#include "msg.h"
#include "mymalloc.h"
#include "rec_type.h"

/* The DSN attributes of the envelope (queue file names, as Postfix's). */
#define CLEANUP_ATTR_ENVID      "envelope_id"
#define CLEANUP_ATTR_RET        "ret_flags"

/* The recipients and DSN attributes of a message that may be returned. */
struct CLEANUP_BOUNCE {
    RECIPIENT *rcpt;
    size_t  count;
    size_t  alloc;
    char   *envid;                      /* "envelope_id", or NULL */
    int     ret;                        /* "ret_flags" attribute */
};

/* cleanup_bounce_state - the state of a client that wants bounces */
static struct CLEANUP_BOUNCE *
cleanup_bounce_state(CLEANUP_STATE *state)
{
    if (!(state->flags & CLEANUP_FLAG_BOUNCE))
        return NULL;
    if (state->bounce == NULL)
        state->bounce = mycalloc(1, sizeof(*state->bounce));
    return state->bounce;
}

/* cleanup_bounce_rcpt - a recipient written to the file */
void
cleanup_bounce_rcpt(CLEANUP_STATE *state, const char *orcpt, int notify,
                    const char *orig, const char *rcpt)
{
    struct CLEANUP_BOUNCE *bounce = cleanup_bounce_state(state);
    RECIPIENT *entry;

    if (bounce == NULL)
        return;
    if (bounce->count == bounce->alloc) {
        bounce->alloc = bounce->alloc ? 2 * bounce->alloc : 8;
        bounce->rcpt = myreallocarray(bounce->rcpt, bounce->alloc,
                                      sizeof(*bounce->rcpt));
    }
    entry = bounce->rcpt + bounce->count++;
    *entry = (RECIPIENT) {
        .orig_addr = mystrdup(orig),
        .address = mystrdup(rcpt),
        .offset = DELIVER_OFFSET_NONE,
        .dsn_orig = mystrdup(orcpt),
        .dsn_notify = notify,
    };
}

/* cleanup_bounce_attr - an envelope attribute: keep the DSN ones */
void
cleanup_bounce_attr(CLEANUP_STATE *state, const char *name,
                    const char *value)
{
    struct CLEANUP_BOUNCE *bounce;

    if (strcmp(name, CLEANUP_ATTR_ENVID) != 0
        && strcmp(name, CLEANUP_ATTR_RET) != 0)
        return;
    if ((bounce = cleanup_bounce_state(state)) == NULL)
        return;
    if (strcmp(name, CLEANUP_ATTR_RET) == 0) {
        bounce->ret = atoi(value);
    } else {
        myfree(bounce->envid);
        bounce->envid = mystrdup(value);
    }
}

/* cleanup_bounce_free - forget it all */
void
cleanup_bounce_free(CLEANUP_STATE *state)
{
    struct CLEANUP_BOUNCE *bounce = state->bounce;

    if (bounce == NULL)
        return;
    for (size_t i = 0; i < bounce->count; i++) {
        myfree(bounce->rcpt[i].orig_addr);
        myfree(bounce->rcpt[i].address);
        myfree(bounce->rcpt[i].dsn_orig);
    }
    myfree(bounce->rcpt);
    myfree(bounce->envid);
    myfree(bounce);
    state->bounce = NULL;
}

/* cleanup_bounce_end_file - end the records written so far; 0 or -1 */
static int
cleanup_bounce_end_file(CLEANUP_STATE *state)
{
    if (state->out.section == REC_SECT_ENVELOPE
        && queue_file_out_rec(&state->out, REC_TYPE_MESG, "", 0) < 0)
        return -1;
    return queue_file_out_end(&state->out, state->qmgr_flags,
                              (state->flags & CLEANUP_FLAG_SMTPUTF8) ?
                              1 : 0);
}

/* cleanup_bounce_log - each recipient into the bounce log, and its line
 * in the mail log; 0, or -1 (warned) */
static int
cleanup_bounce_log(CLEANUP_STATE *state, const DSN *dsn)
{
    const struct CLEANUP_BOUNCE *bounce = state->bounce;
    DELIVER_TIMES times = {.arrival = state->arrival};
    BUF    *why = state->temp1;

    for (size_t i = 0; i < bounce->count; i++) {
        if (bounce_append(BOUNCE_LOG_BOUNCE, 0, buf_str(state->queue_id),
                          bounce->rcpt + i, dsn, why) < 0) {
            msg_warn("%s: %s", buf_str(state->queue_id), buf_str(why));
            return -1;
        }
        /* As Postfix: all of the delay is before the "queue". */
        gettimeofday(&times.active, NULL);
        times.agent = times.conn_setup = times.active;
        deliver_log(buf_str(state->queue_id), bounce->rcpt + i, "none",
                    &times, "bounced", dsn);
    }
    return 0;
}

/* cleanup_bounce - return the rejected message; 0, or -1 (warned) */
int
cleanup_bounce(CLEANUP_STATE *state)
{
    const struct CLEANUP_BOUNCE *bounce = state->bounce;
    char    status[DSN_STATUS_SIZE];
    const char *text = dsn_split(status, "5.0.0", buf_str(state->reason));
    DSN     dsn = {
        .status = status, .action = "failed", .reason = text,
        .dtype = "", .dtext = "", .mtype = "", .mname = "",
    };
    BOUNCE_MSG msg = {
        .queue_name = MAIL_QUEUE_INCOMING,
        .queue_id = buf_str(state->queue_id),
        .encoding = state->encoding ? state->encoding : "",
        .smtputf8 = (state->flags & CLEANUP_FLAG_SMTPUTF8) ? 1 : 0,
        .sender = state->sender ? state->sender : "",
        .dsn_envid = bounce && bounce->envid ? bounce->envid : "",
        .dsn_ret = bounce ? bounce->ret : 0,
    };
    BUF    *why = state->temp1;

    if (bounce == NULL || bounce->count == 0 || state->sender == NULL) {
        msg_warn("%s: cannot return the rejected message to its sender: "
                 "no %s", buf_str(state->queue_id),
                 state->sender == NULL ? "sender" : "recipient");
        return -1;
    }
    if (cleanup_bounce_end_file(state) < 0) {
        msg_warn("%s: cannot end the queue file of a returned message: %m",
                 buf_str(state->queue_id));
        return -1;
    }
    if (cleanup_bounce_log(state, &dsn) < 0)
        return -1;
    if (bounce_notify(BOUNCE_LOG_BOUNCE, BOUNCE_CMD_FLUSH, BOUNCE_FLAG_CLEAN,
                      &msg, why) < 0) {
        msg_warn("%s: %s", buf_str(state->queue_id), buf_str(why));
        return -1;
    }
    return 0;
}
