/* local_copy - the message of this request, as a delivery writes it.
 *
 * Model: mail_copy() with the envelope of the current expansion level:
 * its sender (an owner-ALIAS may have changed it), the request's
 * original recipient for X-Original-To: (the recipient itself when
 * there is none) and the level's Delivered-To: address. Peers:
 * local_mailbox, local_file, local_command. */
#include "local.h"
#include "mail_copy.h"

/* local_copy - write the message to dst; MAIL_COPY_STAT_* */
int
local_copy(const LOCAL_STATE *state, STREAM *dst, int flags, DSN_BUF *why)
{
    MAIL_COPY_SRC src;
    const RECIPIENT *top = state->lr->top;

    src.fd = state->lr->req->fd;
    src.offset = state->lr->req->data_offset;
    src.sender = state->sender;
    src.orig_rcpt = top->orig_addr && *top->orig_addr ?
        top->orig_addr : top->address;
    src.delivered = state->delivered;
    return mail_copy(&src, dst, flags, "\n", why);
}

/* local_copy_fn - the MAILDIR_WRITE_FN and PIPE_COMMAND_WRITE_FN form:
 * ctx is a LOCAL_COPY */
int
local_copy_fn(STREAM *dst, void *ctx, DSN_BUF *why)
{
    const LOCAL_COPY *copy = ctx;

    return local_copy(copy->state, dst, copy->flags, why);
}
