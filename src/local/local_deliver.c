/* local_deliver - one delivery request: each recipient in turn.
 *
 * Model: the Delivered-To: headers are read once per request (loop
 * detection, delivered_hdr.h); each recipient gets a fresh LOCAL_RCPT
 * (duplicate filter, forwarded messages, held bounces, a string pool)
 * and is expanded from level 0 with the request's sender. After the
 * expansion the forwarded messages are sent (or dropped when something
 * must be tried again), then the recipient is finished: marked done only
 * when nothing was deferred (local_result.c). Peers: local_recipient,
 * local_forward, local_result. */
#include <string.h>

#include "local.h"
#include "mymalloc.h"

/* local_save - a copy of text that lives as long as the recipient */
char   *
local_save(LOCAL_STATE *state, const char *text)
{
    ARGV   *pool = state->lr->pool;

    argv_add(pool, text);
    return pool->argv[pool->argc - 1];
}

/* local_one - expand and deliver one request recipient */
static void
local_one(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
          const DELIVERED_HDR *loop)
{
    LOCAL_RCPT lr;
    LOCAL_STATE state;

    memset(&lr, 0, sizeof(lr));
    lr.req = req;
    lr.top = rcpt;
    lr.loop = loop;
    lr.dup = htable_create(16);
    lr.pool = argv_alloc(16);
    memset(&state, 0, sizeof(state));
    state.lr = &lr;
    state.rcpt = *rcpt;
    state.rcpt.orig_addr = DEL_TEXT(rcpt->orig_addr);
    state.rcpt.dsn_orig = DEL_TEXT(rcpt->dsn_orig);
    state.delivered = rcpt->address;
    state.sender = req->sender;
    (void) local_recipient(state);
    local_forward_finish(&lr, lr.deferred);
    local_finish(&lr);
    local_forward_free(&lr);
    htable_free(lr.dup, NULL);
    argv_free(lr.pool);
}

/* local_deliver - the DELIVER_FN of deliver_request_serve() */
const DSN *
local_deliver(DELIVER_REQUEST *req, void *ctx)
{
    DELIVERED_HDR *loop = delivered_hdr_read(req->fd, req->data_offset);

    for (int i = 0; i < req->rcpt_count; i++)
        local_one(req, req->rcpt + i, loop);
    delivered_hdr_free(loop);
    return NULL;
}
