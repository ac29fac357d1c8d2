/* master_reload - SIGHUP: re-read main.cf and master.cf.
 *
 * A service that is still in master.cf and listens on the same endpoint
 * keeps its listening descriptors, so no connection is refused or lost;
 * it takes the new settings, and its children are retired (their status
 * socket is closed: each finishes its current client, then exits). New
 * children start on demand with the new configuration. A service whose
 * endpoint changed is closed and opened again; removed services are
 * closed; added ones are opened. A master.cf that does not parse leaves
 * the service table as it was (with a warning). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "maillog.h"
#include "master.h"
#include "msg.h"
#include "mymalloc.h"

/* master_reload_take - remove the service name/type from list, or NULL */
static MASTER_SERV *
master_reload_take(MASTER_SERV **list, const MASTER_SERV *like)
{
    for (MASTER_SERV **pp = list; *pp; pp = &(*pp)->next) {
        MASTER_SERV *serv = *pp;

        if (strcmp(serv->name, like->name) == 0
            && strcmp(serv->type_name, like->type_name) == 0) {
            *pp = serv->next;
            serv->next = NULL;
            return serv;
        }
    }
    return NULL;
}

/* master_reload_update - give a kept service the settings of its new entry */
static void
master_reload_update(MASTER_SERV *old, MASTER_SERV *fresh)
{
#define SWAP(type, a, b) do { type _t = (a); (a) = (b); (b) = _t; } while (0)
    SWAP(char *, old->path, fresh->path);
    SWAP(ARGV *, old->args, fresh->args);
    old->unpriv = fresh->unpriv;
    old->chroot = fresh->chroot;
    old->wakeup = fresh->wakeup;
    old->wakeup_if_used = fresh->wakeup_if_used;
    old->max_proc = fresh->max_proc;
    master_service_free(fresh);
}

/* master_reload_config - re-read main.cf, set up logging again */
static void
master_reload_config(void)
{
    char   *dir = mystrdup(mail_conf_dir());

    mail_conf_reset();
    mail_conf_set_dir(dir);
    mail_conf_read();
    mail_params_init();
    maillog_init("master", master_debug);
    myfree(dir);
}

/* master_reload_services - reconcile the service table with master.cf */
static void
master_reload_services(const MASTER_CONF *conf)
{
    MASTER_SERV *old = master_head;
    MASTER_SERV *result = NULL;
    MASTER_SERV **tail = &result;
    BUF    *why = buf_alloc(100);

    master_head = NULL;
    /* First pass: keep or queue. Nothing is opened yet. */
    for (int i = 0; i < conf->count; i++) {
        MASTER_SERV *fresh;
        MASTER_SERV *kept;

        if (master_service_disabled(conf->ents[i]))
            continue;
        fresh = master_service_create(conf->ents[i]);
        kept = master_reload_take(&old, fresh);
        if (kept && master_service_same_listener(kept, fresh)) {
            master_reload_update(kept, fresh);
            kept->flags |= MASTER_FLAG_MARK;
            *tail = kept;
        } else {
            if (kept) {
                master_service_stop(kept);
                master_service_free(kept);
            }
            *tail = fresh;
        }
        tail = &(*tail)->next;
    }
    /* Whatever is left in the old table is gone from master.cf. */
    while (old) {
        MASTER_SERV *next = old->next;

        master_service_stop(old);
        master_service_free(old);
        old = next;
    }
    /* Second pass: restart the kept services, open the new ones. */
    for (MASTER_SERV **pp = &result; *pp;) {
        MASTER_SERV *serv = *pp;

        if (serv->flags & MASTER_FLAG_MARK) {
            serv->flags &= ~MASTER_FLAG_MARK;
            master_service_restart(serv);
        } else if (master_service_start(serv, why) < 0) {
            msg_warn("service %s/%s: %s -- service disabled", serv->name,
                     serv->type_name, buf_str(why));
            *pp = serv->next;
            master_service_free(serv);
            continue;
        }
        pp = &serv->next;
    }
    master_head = result;
    buf_free(why);
}

/* master_reload - the SIGHUP handler */
void
master_reload(void)
{
    MASTER_CONF *conf;

    if (master_stopping)
        return;
    master_reload_config();
    msg_info("reload -- version %s, configuration %s", var_mail_version,
             var_config_directory);
    if ((conf = master_service_read_conf(false)) == NULL) {
        msg_warn("%s/%s not reloaded: keeping the old services",
                 mail_conf_dir(), MASTER_CF);
        return;
    }
    master_reload_services(conf);
    master_conf_free(conf);
}
