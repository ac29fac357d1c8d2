/* local_conf - the local delivery agent's settings, parsed once.
 *
 * Run in post_init, as root when master starts us as root (master.cf
 * "local unix - n n - - local": not unprivileged), so that alias tables
 * are opened with root's rights; then the effective ids become
 * mail_owner's, as Postfix's local runs, and only each delivery step
 * switches to a user (set_eugid.h). Configuration mistakes are fatal,
 * in Postfix's words where it has words. Peers: local.c, everything
 * that reads local_conf. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "mail_conf.h"
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

/* local_conf_env_value - the value of an exported name, or NULL: what
 * import_environment sets it to, else the inherited value when
 * import_environment lets it in (other inherited values are not
 * trusted); MAIL_CONFIG is our configuration directory */
static const char *
local_conf_env_value(const char *name)
{
    ARGV   *imports = argv_split(var_import_environment, LIST_DELIM);
    const char *value = NULL;
    size_t  len = strlen(name);
    bool    imported = false;

    for (int i = 0; value == NULL && i < imports->argc; i++) {
        if (strncmp(imports->argv[i], name, len) != 0)
            continue;
        if (imports->argv[i][len] == '=')
            value = mystrdup(imports->argv[i] + len + 1);
        else if (imports->argv[i][len] == 0)
            imported = true;
    }
    argv_free(imports);
    if (value == NULL && imported)
        value = getenv(name);
    if (value == NULL && strcmp(name, "MAIL_CONFIG") == 0)
        value = mail_conf_dir();
    return value;
}

/* local_conf_env - export_environment: the NAME=value pairs to pass */
static void
local_conf_env(void)
{
    ARGV   *names = argv_split(var_export_environment, LIST_DELIM);
    BUF    *pair = buf_alloc(100);
    const char *value;

    local_conf.env = argv_alloc(names->argc + 1);
    for (int i = 0; i < names->argc; i++) {
        if (strchr(names->argv[i], '=')) {
            argv_add(local_conf.env, names->argv[i]);
        } else if ((value = local_conf_env_value(names->argv[i])) != NULL) {
            buf_sprintf(pair, "%s=%s", names->argv[i], value);
            argv_add(local_conf.env, buf_str(pair));
        }
    }
    buf_free(pair);
    argv_free(names);
}

/* local_conf_limits - mailbox_size_limit as the file size limit */
static void
local_conf_limits(void)
{
    struct rlimit rl;

    if (var_mailbox_size_limit == 0)
        return;
    if (var_mailbox_size_limit < var_message_size_limit)
        msg_fatal("configuration error: mailbox_size_limit is smaller "
                  "than message_size_limit");
    rl.rlim_cur = rl.rlim_max = (rlim_t) var_mailbox_size_limit;
    if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
        msg_fatal("setrlimit RLIMIT_FSIZE %ld: %m", var_mailbox_size_limit);
    signal(SIGXFSZ, SIG_IGN);
}

/* local_conf_unsupported - features that need another transport */
static void
local_conf_unsupported(void)
{
    static const struct {
        const char *name;
        const char *const *value;
    }       params[] = {
        {"mailbox_transport", (const char *const *) &var_mailbox_transport},
        {"mailbox_transport_maps",
        (const char *const *) &var_mailbox_transport_maps},
        {"fallback_transport", (const char *const *) &var_fallback_transport},
        {"fallback_transport_maps",
        (const char *const *) &var_fallback_transport_maps},
        {"mailbox_command_maps",
        (const char *const *) &var_mailbox_command_maps},
    };

    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
        if (**params[i].value)
            msg_fatal("%s = %s: not supported by this local(8); "
                      "leave %s empty (docs/local.md)", params[i].name,
                      *params[i].value, params[i].name);
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

    local_conf_unsupported();
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
    if (mbox_lock_parse(var_mailbox_delivery_lock, &local_conf.mbox.locks,
                        why) < 0)
        msg_fatal("mailbox_delivery_lock: %s", buf_str(why));
    local_conf.mbox.attempts = var_deliver_lock_attempts;
    local_conf.mbox.delay = var_deliver_lock_delay;
    local_conf.mbox.stale = var_stale_lock_time;
    local_conf.aliases = maps_create("alias_maps", var_alias_maps,
                                     DICT_FLAG_DEFAULT | DICT_FLAG_NO_REGSUB);
    buf_sprintf(path, "private/%s", var_rewrite_service_name);
    local_conf.rewrite = rewrite_clnt_create(buf_str(path), var_ipc_timeout);
    local_conf.resolve = resolve_clnt_create(buf_str(path), var_ipc_timeout);
    buf_sprintf(path, "public/%s", var_cleanup_service_name);
    local_conf.cleanup_path = mystrdup(buf_str(path));
    local_conf_env();
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
