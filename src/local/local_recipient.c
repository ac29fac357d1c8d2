/* local_recipient - one recipient address at one level of expansion.
 *
 * Model (Postfix 3.7's local, observed; man 8 local):
 *   - the local part is folded to lower case and split at the first
 *     recipient_delimiter into user and extension (never in owner-X or
 *     X-request when the delimiter is '-', split_addr_ext());
 *   - an address already named in a Delivered-To: header bounces:
 *     5.4.6 "mail forwarding loop for ADDR";
 *   - then, in Postfix's order: the aliases, the user's .forward, the
 *     user's mailbox, and for a name that is neither an alias nor a
 *     passwd user, mailbox_transport (which takes every user's
 *     mailbox), then fallback_transport, luser_relay or "unknown user";
 *   - a local(8) that does not run as root ("make run" as an ordinary
 *     user) cannot act as another user: mail for any user but its own
 *     is deferred, 4.3.0 "cannot deliver as user NAME without root
 *     privileges", before anything is touched.
 * Peers: local_alias, local_dotforward, local_mailbox, local_pass,
 * local_unknown. */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

#include "local.h"
#include "mail_params.h"
#include "maps_addr.h"
#include "set_eugid.h"

/* local_split - user, extension, domain of the current address */
void
local_split(LOCAL_STATE *state)
{
    const char *addr = state->rcpt.address;
    const char *at = strrchr(addr, '@');
    size_t  len = at ? (size_t) (at - addr) : strlen(addr);
    BUF    *bp = buf_alloc(100);
    size_t  ext;

    buf_append(bp, addr, len);
    buf_lowercase(bp);
    state->local = local_save(state, buf_str(bp));
    state->domain = local_save(state, at ? at + 1 : "");
    ext = split_addr_ext(buf_str(bp), len, var_recipient_delimiter);
    if (ext > 0) {
        state->delim = local_save(state, (char[]) {bp->data[ext], 0});
        state->extension = local_save(state, buf_str(bp) + ext + 1);
        buf_truncate(bp, ext);
    } else {
        state->delim = "";
        state->extension = NULL;
    }
    state->user = local_save(state, buf_str(bp));
    buf_free(bp);
}

/* local_passwd - the user's rights from the password database; false
 * when there is no such user */
static bool
local_passwd(LOCAL_STATE *state, LOCAL_USER *usr)
{
    struct passwd *pw;

    if (*state->user == 0 || strchr(state->user, '/') != NULL
        || (pw = getpwnam(state->user)) == NULL)
        return false;
    usr->uid = pw->pw_uid;
    usr->gid = pw->pw_gid;
    usr->home = local_save(state, pw->pw_dir);
    usr->shell = local_save(state, pw->pw_shell);
    return true;
}

/* local_user - deliver to a passwd user: .forward, then the mailbox */
static int
local_user(LOCAL_STATE state, const LOCAL_USER *usr)
{
    struct stat st;
    int     status;

    if (!set_eugid_capable() && usr->uid != local_conf.owner_uid)
        return local_status(state, "4.3.0", "cannot deliver as user %s "
                            "without root privileges", state.user);
    if (var_require_home_directory && stat(usr->home, &st) < 0)
        return local_status(state, "4.3.0",
                            "cannot access home directory %s: %m",
                            usr->home);
    if (local_dotforward(state, usr, &status))
        return status;
    return local_mailbox(state, usr);
}

/* local_recipient - deliver to the current address */
int
local_recipient(LOCAL_STATE state)
{
    LOCAL_USER pw_usr;
    int     status;

    local_split(&state);
    if (delivered_hdr_find(state.lr->loop, state.rcpt.address))
        return local_status(state, "5.4.6", "mail forwarding loop for %s",
                            state.rcpt.address);
    if (local_alias(state, &status))
        return status;
    if (local_passwd(&state, &pw_usr))
        return local_user(state, &pw_usr);
    if (local_pass_mailbox(state, &status))
        return status;
    return local_unknown(state);
}
