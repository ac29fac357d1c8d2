/* virtual_conf - the virtual delivery agent's settings, parsed once.
 *
 * Run in post_init, as root when master starts us as root (master.cf
 * "virtual unix - n n - - virtual"). The effective ids become
 * mail_owner's first and the tables are opened with those rights, as
 * Postfix's virtual does (observed: setresuid(-1, postfix, -1) before
 * the tables are read), with $n substitution refused (man 8 virtual).
 * virtual_mailbox_limit becomes the process's file size limit
 * (file_limit.h). Configuration mistakes are fatal, in Postfix's words
 * where it has words. Peers: virtual.c, everything that reads
 * virtual_conf. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "file_limit.h"
#include "mail_params.h"
#include "msg.h"
#include "priv.h"
#include "set_eugid.h"
#include "virtual.h"

VIRTUAL_CONF virtual_conf;

/* virtual_conf_maps - a table parameter, or NULL when it is empty */
static MAPS *
virtual_conf_maps(const char *name, const char *value)
{
    if (value[strspn(value, LIST_DELIM)] == 0)
        return NULL;
    return maps_create(name, value, DICT_FLAG_DEFAULT | DICT_FLAG_NO_REGSUB);
}

/* virtual_conf_ids - mail_owner's ids (our own when not root) */
static void
virtual_conf_ids(void)
{
    if (!set_eugid_capable()) {
        virtual_conf.owner_uid = geteuid();
        virtual_conf.owner_gid = getegid();
    } else if (priv_lookup_user(var_mail_owner, &virtual_conf.owner_uid,
                                &virtual_conf.owner_gid) < 0) {
        msg_fatal("unknown mail_owner user: %s", var_mail_owner);
    }
}

/* virtual_conf_init - parse everything, become owner, open the tables */
void
virtual_conf_init(const char *service)
{
    BUF    *why = buf_alloc(100);

    virtual_conf.relay = service;
    mail_queue_conf_params(&virtual_conf.queue);
    virtual_conf_ids();
    if (mbox_conf_init(&virtual_conf.mbox, "virtual_mailbox_lock",
                       var_virtual_mailbox_lock, why) < 0
        || file_limit_set("virtual_mailbox_limit", var_virtual_mailbox_limit,
                          why) < 0)
        msg_fatal("%s", buf_str(why));
    umask(077);
    virtual_as_owner();
    virtual_conf.mailbox_maps = virtual_conf_maps("virtual_mailbox_maps",
                                                  var_virtual_mailbox_maps);
    virtual_conf.uid_maps = virtual_conf_maps("virtual_uid_maps",
                                              var_virtual_uid_maps);
    virtual_conf.gid_maps = virtual_conf_maps("virtual_gid_maps",
                                              var_virtual_gid_maps);
    buf_free(why);
}

/* virtual_as_owner - back to mail_owner's effective ids */
void
virtual_as_owner(void)
{
    set_eugid(virtual_conf.owner_uid, virtual_conf.owner_gid);
}
