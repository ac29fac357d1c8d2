/* local_resolve - an address found in an alias, .forward or :include:.
 *
 * Model (Postfix 3.7's local, observed): the address is made canonical
 * and resolved by trivial-rewrite ("rewrite" in the local context, then
 * "resolve" for the current sender). Then:
 *   - a member of an alias whose sender is unchanged, resolving to this
 *     transport, is delivered in this process, with that address as the
 *     new recipient (one log line per final delivery, orig_to=<alias>);
 *   - the user's own address in the user's .forward goes to the
 *     user's mailbox, also here;
 *   - everything else (other domains; the other addresses in a
 *     .forward or :include: file; members of an owner-ALIAS list, whose
 *     sender changed) is forwarded: a new message through cleanup
 *     (local_forward.c), "forwarded as ID".
 * A resolver failure defers (4.3.0 "address resolver failure"), a bad
 * address bounces (5.1.3 "bad recipient address syntax: ADDR").
 * Verification requests report "forwards to ADDR" instead of
 * forwarding. Peers: local_recipient, local_forward. */
#include <string.h>

#include "local.h"
#include "msg.h"

/* local_resolve_self - the .forward names its own user */
static bool
local_resolve_self(const LOCAL_STATE *state)
{
    LOCAL_STATE probe = *state;

    if (state->exp_type != LOCAL_EXP_FORWARD || state->exp_from == NULL)
        return false;
    local_split(&probe);
    return strcmp(probe.user, state->exp_from) == 0;
}

/* local_indirect - forward to the address (or report, when verifying) */
static int
local_indirect(LOCAL_STATE state)
{
    if (local_been_here(&state, "indirect %s", state.rcpt.address))
        return 0;
    if (DEL_REQ_TRACE_ONLY(state.lr->req->flags))
        return local_status(state, "2.0.0", "forwards to %s",
                            state.rcpt.address);
    if (local_forward_append(state) < 0)
        return local_status(state, "4.3.0", "unable to forward message");
    return 0;
}

/* local_resolve_query - rewrite and resolve addr; 0, or -1 (logged) */
static int
local_resolve_query(const char *sender, const char *addr,
                    RESOLVE_REPLY *reply)
{
    BUF    *canon = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    int     status;

    if ((status = rewrite_clnt_internal(local_conf.rewrite, REWRITE_LOCAL,
                                        addr, canon, why)) == 0)
        status = resolve_clnt_query(local_conf.resolve, sender,
                                    buf_str(canon), reply, why);
    if (status < 0)
        msg_warn("%s", buf_str(why));
    buf_free(canon);
    buf_free(why);
    return status;
}

/* local_resolve - deliver to an address */
int
local_resolve(LOCAL_STATE state, const LOCAL_USER *usr, const char *addr)
{
    RESOLVE_REPLY reply;
    int     status;

    resolve_reply_init(&reply);
    if (local_resolve_query(state.sender, addr, &reply) < 0
        || (reply.flags & RESOLVE_FLAG_FAIL)) {
        status = local_status(state, "4.3.0", "address resolver failure");
    } else if (reply.flags & RESOLVE_FLAG_ERROR) {
        status = local_status(state, "5.1.3",
                              "bad recipient address syntax: %s", addr);
    } else {
        state.rcpt.address = local_save(&state, buf_str(reply.recipient));
        if (strcmp(buf_str(reply.transport), local_conf.relay) != 0)
            status = local_indirect(state);
        else if ((state.exp_type == LOCAL_EXP_ALIAS
                  && strcmp(state.sender, state.lr->req->sender) == 0)
                 || local_resolve_self(&state))
            status = local_recipient(state);
        else
            status = local_indirect(state);
    }
    resolve_reply_free(&reply);
    return status;
}
