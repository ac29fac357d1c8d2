/* local_pass - settings chosen per user, and mail that another
 * transport delivers.
 *
 * Model (Postfix 3.7's local, observed; man 8 local, postconf(5)): the
 * tables mailbox_transport_maps, fallback_transport_maps and
 * mailbox_command_maps are searched with the user name (the local part
 * folded to lower case, without its extension: "PFC1+Other" finds
 * "pfc1", never "pfc1+ext" or the whole address); a table that fails
 * defers, 4.3.0 "table lookup failure". A transport found there, or
 * else in mailbox_transport (fallback_transport), is handed the address
 * (deliver_pass.h): "TRANSPORT" or "TRANSPORT:NEXTHOP", the next-hop of
 * the request when none is given. The other agent logs and records the
 * result; local marks its own recipient done when nothing was deferred.
 *   - mailbox_transport(_maps) takes the mailbox of every user, in the
 *     passwd file or not, before mailbox_command(_maps), home_mailbox and
 *     mail_spool_directory (the aliases and .forward files come first);
 *   - fallback_transport(_maps) takes names that are neither aliases nor
 *     passwd users, before luser_relay;
 *   - one hand-off per user and recipient (the "mailbox USER" duplicate
 *     key, as the mailbox).
 * Where Postern differs (docs/local.md): a transport that cannot be
 * reached defers the address at once, 4.3.0 "mail transport
 * unavailable", with a warning (Postfix's local retries for 100 seconds
 * and exits); a transport that is this local service itself (a mail
 * loop through ever more local processes) or a malformed transport name
 * defers with 4.3.5 "mail system configuration error" and a warning.
 * Peers: local_mailbox, local_recipient, local_unknown, deliver_pass. */
#include <string.h>

#include "deliver_pass.h"
#include "local.h"
#include "mail_params.h"
#include "msg.h"

/* local_per_user - the user's value in maps, else fixed; NULL when
 * neither has one; *failed when a table failed */
const char *
local_per_user(LOCAL_STATE *state, MAPS *maps, const char *fixed,
               bool *failed)
{
    const char *value;

    *failed = false;
    if (maps != NULL) {
        if ((value = maps_find(maps, state->user, 0)) != NULL)
            return local_save(state, value);
        if (maps->error != DICT_ERR_NONE) {
            *failed = true;
            return NULL;
        }
    }
    return *fixed ? fixed : NULL;
}

/* local_pass_check - a service we may hand mail to; 0, or -1 after the
 * warning */
static int
local_pass_check(const LOCAL_STATE *state, const char *service)
{
    BUF    *transport = buf_alloc(20);
    BUF    *nexthop = buf_alloc(50);
    BUF    *why = buf_alloc(100);
    int     ret = -1;

    if (deliver_pass_split(service, state->lr->req->nexthop, transport,
                           nexthop, why) < 0)
        msg_warn("%s: %s", state->lr->req->queue_id, buf_str(why));
    else if (strcmp(buf_str(transport), local_conf.relay) == 0)
        msg_warn("%s: transport %s for <%s> is this delivery agent: "
                 "mail would loop", state->lr->req->queue_id,
                 buf_str(transport), state->rcpt.address);
    else
        ret = 0;
    buf_free(transport);
    buf_free(nexthop);
    buf_free(why);
    return ret;
}

/* local_pass - hand the current address to another transport */
static int
local_pass(LOCAL_STATE state, const char *service)
{
    BUF    *why;
    int     status;

    if (local_been_here(&state, "mailbox %s", state.user))
        return 0;
    if (local_pass_check(&state, service) < 0)
        return local_status(state, "4.3.5", "mail system configuration "
                            "error");
    why = buf_alloc(100);
    switch (deliver_pass(service, state.lr->req, &state.rcpt, why)) {
    case DELIVER_PASS_OK:
        status = 0;
        break;
    case DELIVER_PASS_DEFER:                   /* logged by the other */
        state.lr->deferred = true;
        state.lr->req->status = DELIVER_STAT_DEFER;
        status = -1;
        break;
    default:
        msg_warn("%s: %s", state.lr->req->queue_id, buf_str(why));
        status = local_status(state, "4.3.0", "mail transport unavailable");
        break;
    }
    buf_free(why);
    return status;
}

/* local_pass_to - maps, else fixed: hand the address over; true when
 * that (or a table failure) decided its fate, in *status */
static bool
local_pass_to(LOCAL_STATE state, MAPS *maps, const char *fixed,
              int *status)
{
    bool    failed;
    const char *service = local_per_user(&state, maps, fixed, &failed);

    if (failed)
        *status = local_status(state, "4.3.0", "table lookup failure");
    else if (service != NULL)
        *status = local_pass(state, service);
    return failed || service != NULL;
}

/* local_pass_mailbox - mailbox_transport_maps, mailbox_transport */
bool
local_pass_mailbox(LOCAL_STATE state, int *status)
{
    return local_pass_to(state, local_conf.mailbox_transport_maps,
                         var_mailbox_transport, status);
}

/* local_pass_fallback - fallback_transport_maps, fallback_transport */
bool
local_pass_fallback(LOCAL_STATE state, int *status)
{
    return local_pass_to(state, local_conf.fallback_transport_maps,
                         var_fallback_transport, status);
}
