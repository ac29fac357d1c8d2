/* local_alias - system-wide aliases (alias_maps, aliases(5)).
 *
 * Model (Postfix 3.7's local, observed; man 8 local, man 5 aliases):
 *   - the key is the folded local part with its extension, then without
 *     it (allist+xyz finds "allist");
 *   - an alias that names itself is delivered to the user instead (the
 *     lookup is skipped while expanding that same alias);
 *   - nesting deeper than LOCAL_LEVEL_MAX is an alias loop: warning
 *     "alias database loop for NAME" and a 5.4.6 bounce;
 *   - a table that fails defers: 4.3.0 "alias database unavailable";
 *   - the expansion runs with the rights of the table's owner:
 *     default_privs when it belongs to root (or is not a file);
 *   - with owner_request_special, an "owner-NAME" entry makes the
 *     sender of the expansion owner-NAME@$myorigin (or, with
 *     expand_owner_alias, what owner-NAME expands to), so that bounces
 *     go to the list owner; such an expansion is forwarded as a new
 *     message (local_resolve.c).
 * Tables are opened by local_conf.c, as root, with $n substitution
 * refused (DICT_FLAG_NO_REGSUB), as Postfix's local does. */
#include <pwd.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "local.h"
#include "mail_params.h"
#include "msg.h"

#define LOCAL_OWNER_PREFIX      "owner-"

/* local_alias_find - key in the tables: the value (copied), NULL when
 * not found; *dict gets the table, *failed a table failure */
static const char *
local_alias_find(LOCAL_STATE *state, const char *key, DICT **dict,
                 bool *failed)
{
    MAPS   *maps = local_conf.aliases;
    const char *value;

    for (int i = 0; i < maps->count; i++) {
        value = dict_get(maps->dicts[i], key);
        if (value != NULL) {
            *dict = maps->dicts[i];
            return local_save(state, value);
        }
        if (maps->dicts[i]->error != DICT_ERR_NONE) {
            *failed = true;
            return NULL;
        }
    }
    return NULL;
}

/* local_alias_owner - the rights of the table's owner (default_privs
 * for root and mail_owner) */
static LOCAL_USER
local_alias_owner(const DICT *dict)
{
    LOCAL_USER usr;
    struct passwd *pw;
    struct stat st;

    memset(&usr, 0, sizeof(usr));
    usr.uid = local_conf.default_uid;
    usr.gid = local_conf.default_gid;
    if (dict->watch_path && stat(dict->watch_path, &st) == 0
        && st.st_uid != 0) {
        usr.uid = st.st_uid;
        usr.gid = (pw = getpwuid(st.st_uid)) ? pw->pw_gid : st.st_gid;
        local_unprivileged(&usr.uid, &usr.gid);
    }
    return usr;
}

/* local_alias_sender - the envelope sender of an owner-NAME list */
static void
local_alias_sender(LOCAL_STATE *state, const char *name, bool *failed)
{
    BUF    *owner = buf_alloc(100);
    BUF    *canon = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    const char *value;
    DICT   *dict;

    buf_sprintf(owner, "%s%s", LOCAL_OWNER_PREFIX, name);
    value = local_alias_find(state, buf_str(owner), &dict, failed);
    if (value != NULL) {
        if (rewrite_clnt_internal(local_conf.rewrite, REWRITE_LOCAL,
                                  var_expand_owner_alias ? value :
                                  buf_str(owner), canon, why) < 0) {
            msg_warn("%s", buf_str(why));
            *failed = true;
        } else {
            state->sender = local_save(state, buf_str(canon));
        }
    }
    buf_free(owner);
    buf_free(canon);
    buf_free(why);
}

/* local_alias_expand - expand the value with the owner's rights */
static int
local_alias_expand(LOCAL_STATE state, const char *name, const char *value,
                   const DICT *dict)
{
    LOCAL_USER owner = local_alias_owner(dict);
    bool    failed = false;

    if (var_owner_request_special
        && strncasecmp(name, LOCAL_OWNER_PREFIX,
                       sizeof(LOCAL_OWNER_PREFIX) - 1) != 0)
        local_alias_sender(&state, name, &failed);
    if (failed)
        return local_status(state, "4.3.0", "alias database unavailable");
    state.exp_type = LOCAL_EXP_ALIAS;
    state.exp_from = name;
    state.level++;
    return local_token_string(state, &owner, value, NULL);
}

/* local_alias - expand an alias; false when the name is none */
bool
local_alias(LOCAL_STATE state, int *status)
{
    const char *name = state.local;
    const char *value;
    bool    failed = false;
    DICT   *dict = NULL;

    if (state.exp_from && (strcasecmp(state.exp_from, state.local) == 0
                           || strcasecmp(state.exp_from, state.user) == 0))
        return false;
    if ((value = local_alias_find(&state, name, &dict, &failed)) == NULL
        && !failed && state.extension)
        value = local_alias_find(&state, name = state.user, &dict, &failed);
    if (failed) {
        *status = local_status(state, "4.3.0", "alias database unavailable");
    } else if (value == NULL) {
        return false;
    } else if (state.level > LOCAL_LEVEL_MAX) {
        msg_warn("alias database loop for %s", name);
        *status = local_status(state, "5.4.6", "alias database loop for %s",
                               name);
    } else {
        *status = local_alias_expand(state, name, value, dict);
    }
    return true;
}
