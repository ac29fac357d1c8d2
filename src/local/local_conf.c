/* local_conf - the local delivery agent's settings, parsed once.
 *
 * Run in post_init, as root when master starts us as root (master.cf
 * "local unix - n n - - local": not unprivileged), so that alias tables
 * are opened with root's rights; then the effective ids become
 * mail_owner's, as Postfix's local runs, and only each delivery step
 * switches to a user (set_eugid.h). Configuration mistakes are fatal,
 * in Postfix's words where it has words. Peers: local.c, everything
 * that reads local_conf. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_limit.h"
#include "local.h"
#include "mail_env.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "priv.h"
#include "set_eugid.h"

LOCAL_CONF local_conf;

/* local_conf_words - a list of known words to bits; unknown is fatal */
static int
local_conf_words(const char *param, const char *text,
                 const char *const *names)
{
    ARGV   *words = argv_split(text, LIST_DELIM);
    int     mask = 0;
    int     i, n;

    for (i = 0; i < words->argc; i++) {
        for (n = 0; names[n] && strcasecmp(names[n], words->argv[i]); n++)
             /* search */ ;
        if (names[n] == NULL)
            msg_fatal("unknown %s value \"%s\" in \"%s\"", param,
                      words->argv[i], text);
        mask |= 1 << n;
    }
    argv_free(words);
    return mask;
}

/* local_conf_ids - the ids of mail_owner and default_privs */
static void
local_conf_ids(void)
{
    if (!set_eugid_capable()) {
        local_conf.owner_uid = local_conf.default_uid = geteuid();
        local_conf.owner_gid = local_conf.default_gid = getegid();
        return;
    }
    if (priv_lookup_user(var_mail_owner, &local_conf.owner_uid,
                         &local_conf.owner_gid) < 0)
        msg_fatal("unknown mail_owner user: %s", var_mail_owner);
    if (priv_lookup_user(var_default_privs, &local_conf.default_uid,
                         &local_conf.default_gid) < 0)
        msg_fatal("unknown default_privs user: %s", var_default_privs);
    if (local_conf.default_uid == 0)
        msg_fatal("default_privs must not be a privileged user: %s",
                  var_default_privs);
}

/* local_conf_limits - mailbox_size_limit as the file size limit */
static void
local_conf_limits(void)
{
    BUF    *why = buf_alloc(100);

    if (file_limit_set("mailbox_size_limit", var_mailbox_size_limit,
                       why) < 0)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
}

/* local_conf_maps - a per-user table parameter, opened as root with $n
 * substitution refused; NULL when it is empty */
static MAPS *
local_conf_maps(const char *name, const char *value)
{
    if (*value == 0)
        return NULL;
    return maps_create(name, value, DICT_FLAG_DEFAULT | DICT_FLAG_NO_REGSUB);
}

/* local_conf_init - parse everything, open the tables, become owner */
void
local_conf_init(const char *service)
{
    static const char *const exp_names[] = {"alias", "forward", "include",
    NULL};
    static const char *const hdr_names[] = {"command", "file", "forward",
    NULL};
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);

    local_conf.relay = service;
    mail_queue_conf_params(&local_conf.queue);
    local_conf_ids();
    local_conf.cmd_mask = local_conf_words("allow_mail_to_commands",
                                           var_allow_mail_to_commands,
                                           exp_names);
    local_conf.file_mask = local_conf_words("allow_mail_to_files",
                                            var_allow_mail_to_files,
                                            exp_names);
    local_conf.hdr_mask = local_conf_words("prepend_delivered_header",
                                           var_prepend_delivered_header,
                                           hdr_names);
    if (mbox_conf_init(&local_conf.mbox, "mailbox_delivery_lock",
                       var_mailbox_delivery_lock, why) < 0)
        msg_fatal("%s", buf_str(why));
    local_conf.aliases = maps_create("alias_maps", var_alias_maps,
                                     DICT_FLAG_DEFAULT | DICT_FLAG_NO_REGSUB);
    local_conf.mailbox_transport_maps =
        local_conf_maps("mailbox_transport_maps", var_mailbox_transport_maps);
    local_conf.fallback_transport_maps =
        local_conf_maps("fallback_transport_maps",
                        var_fallback_transport_maps);
    local_conf.mailbox_command_maps =
        local_conf_maps("mailbox_command_maps", var_mailbox_command_maps);
    buf_sprintf(path, "private/%s", var_rewrite_service_name);
    local_conf.rewrite = rewrite_clnt_create(buf_str(path), var_ipc_timeout);
    local_conf.resolve = resolve_clnt_create(buf_str(path), var_ipc_timeout);
    buf_sprintf(path, "public/%s", var_cleanup_service_name);
    local_conf.cleanup_path = mystrdup(buf_str(path));
    local_conf.env = mail_env_export();
    local_conf_limits();
    umask(077);
    local_as_owner();
    buf_free(path);
    buf_free(why);
}

/* local_as_owner - back to mail_owner's effective ids */
void
local_as_owner(void)
{
    set_eugid(local_conf.owner_uid, local_conf.owner_gid);
}

/* local_unprivileged - rights for a file or command delivery: root and
 * mail_owner (who owns the queue) become default_privs */
void
local_unprivileged(uid_t *uid, gid_t *gid)
{
    if (*uid == 0 || (*uid == local_conf.owner_uid && set_eugid_capable())) {
        *uid = local_conf.default_uid;
        *gid = local_conf.default_gid;
    }
}
