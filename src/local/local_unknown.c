/* local_unknown - a name that is neither an alias nor a passwd user.
 *
 * Model (man 8 local, postconf(5) luser_relay): fallback_transport_maps
 * and fallback_transport come first (local_pass.c). With luser_relay set,
 * its value, expanded by local_expand() ($user, $local, $extension, ...
 * with forward_expansion_filter), is a destination list delivered like
 * an alias (luser_relay = pflu2+relay delivers here, to=<pflu2+relay@...>,
 * orig_to=<the unknown name>); otherwise, and when the relay loops back
 * deeper than LOCAL_LEVEL_MAX, the recipient bounces:
 * 5.1.1 unknown user: "NAME" (the folded name without its extension).
 * Peers: local_pass, local_expand, local_token. */
#include <string.h>

#include "local.h"
#include "mail_params.h"
#include "msg.h"

/* local_unknown - deliver to luser_relay, or bounce */
int
local_unknown(LOCAL_STATE state)
{
    DSN_BUF *why;
    LOCAL_USER usr;
    BUF    *relay;
    int     status;

    if (local_pass_fallback(state, &status))
        return status;
    why = dsb_create();
    if (*var_luser_relay && state.level <= LOCAL_LEVEL_MAX) {
        relay = buf_alloc(100);
        if (local_expand(relay, var_luser_relay, &state, NULL,
                         var_forward_expansion_filter, why->reason) < 0) {
            msg_warn("luser_relay: %s", buf_str(why->reason));
            dsb_simple(why, "4.3.5", "mail system configuration error");
            status = local_deferred(state, why);
        } else {
            memset(&usr, 0, sizeof(usr));
            usr.uid = local_conf.default_uid;
            usr.gid = local_conf.default_gid;
            state.exp_type = LOCAL_EXP_ALIAS;
            state.exp_from = NULL;
            state.level++;
            status = local_token_string(state, &usr, buf_str(relay), NULL);
        }
        buf_free(relay);
    } else {
        dsb_simple(why, "5.1.1", "unknown user: \"%s\"", state.user);
        status = local_bounced(state, why);
    }
    dsb_free(why);
    return status;
}
