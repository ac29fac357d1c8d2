/* master_service - the service table that master builds from master.cf.
 *
 * Each master.cf entry that master_service_disable does not name becomes
 * a MASTER_SERV: its listening endpoints (master_listen.c), the argv that
 * children are started with (master_spawn.c), a status socket
 * (master_status.c) and a wakeup timer (master_wakeup.c). master.c builds
 * the table at start-up, master_reload.c reconciles it on SIGHUP. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "argv.h"
#include "buf.h"
#include "mail_params.h"
#include "master.h"
#include "msg.h"
#include "mymalloc.h"

MASTER_SERV *master_head;

/* master_service_read_conf - read $config_directory/master.cf */
MASTER_CONF *
master_service_read_conf(bool fatal)
{
    BUF    *why = buf_alloc(100);
    MASTER_CONF *conf;

    if ((conf = master_conf_load(why)) == NULL) {
        if (fatal)
            msg_fatal("%s", buf_str(why));
        msg_warn("%s", buf_str(why));
    }
    buf_free(why);
    return conf;
}

/* master_service_disabled - is the entry named in master_service_disable? */
bool
master_service_disabled(const MASTER_ENT *ent)
{
    ARGV   *list = argv_split(var_master_service_disable, LIST_DELIM);
    const char *type = ent->field[MASTER_FIELD_TYPE];
    size_t  nlen = strlen(ent->name);
    bool    found = false;

    for (int i = 0; i < list->argc && !found; i++) {
        const char *item = list->argv[i];

        if (strcasecmp(item, type) == 0)
            found = true;
        else if (strncmp(item, ent->name, nlen) == 0 && item[nlen] == '/'
                 && strcasecmp(item + nlen + 1, type) == 0)
            found = true;
    }
    argv_free(list);
    return found;
}

/* master_service_inet_addrs - listen addresses of an inet service */
static ARGV *
master_service_inet_addrs(const char *name)
{
    ARGV   *addrs = argv_alloc(2);
    ARGV   *ifaces;
    BUF    *spec;

    /* "host:port" or "[addr]:port" names one address; else inet_interfaces. */
    if (strchr(name, ':') != NULL) {
        argv_add(addrs, name);
        return addrs;
    }
    ifaces = argv_split(var_inet_interfaces, LIST_DELIM);
    spec = buf_alloc(100);
    for (int i = 0; i < ifaces->argc; i++) {
        const char *host = ifaces->argv[i];
        size_t  len = strlen(host);

        if (strcasecmp(host, "all") == 0) {
            argv_add(addrs, name);
            continue;
        }
        if (strcasecmp(host, "loopback-only") == 0)
            host = "127.0.0.1";
        if (host[0] == '[' && len > 2 && host[len - 1] == ']')
            buf_sprintf(spec, "%s:%s", host, name);
        else if (strchr(host, ':') != NULL)
            buf_sprintf(spec, "[%s]:%s", host, name);
        else
            buf_sprintf(spec, "%s:%s", host, name);
        argv_add(addrs, buf_str(spec));
    }
    if (addrs->argc == 0)
        argv_add(addrs, name);
    buf_free(spec);
    argv_free(ifaces);
    return addrs;
}

/* master_service_lone - whether the service runs one process at most and
 * has no "?" wakeup: its child then need not report each client (-l),
 * as nothing master could do depends on it */
static bool
master_service_lone(const MASTER_ENT *ent)
{
    int     max_proc = ent->maxproc < 0 ? var_default_process_limit
        : ent->maxproc;

    return max_proc == 1 && !ent->wakeup_if_used;
}

/* master_service_args - the argv that children of a service run with */
static ARGV *
master_service_args(const MASTER_ENT *ent, int listen_count)
{
    ARGV   *args = argv_alloc(16);
    BUF    *text = buf_alloc(100);

    argv_add(args, ent->args->argv[0]);
    argv_add(args, "-n");
    argv_add(args, ent->name);
    argv_add(args, "-t");
    argv_add(args, ent->field[MASTER_FIELD_TYPE]);
    if (ent->unpriv)
        argv_add(args, "-u");
    if (ent->chroot)
        argv_add(args, "-c");
    if (master_service_lone(ent))
        argv_add(args, "-l");
    buf_sprintf(text, "%d", listen_count);
    argv_add(args, "-s");
    argv_add(args, buf_str(text));
    for (int i = 0; i < msg_verbose; i++)
        argv_add(args, "-v");
    for (int i = 0; i < ent->overrides->argc; i++) {
        argv_add(args, "-o");
        argv_add(args, ent->overrides->argv[i]);
    }
    /* Command arguments go to the program as written: Postfix's master
     * does not expand them (pipe(8) expands its own ${name} macros). */
    for (int i = 1; i < ent->args->argc; i++)
        argv_add(args, ent->args->argv[i]);
    buf_free(text);
    return args;
}

/* master_service_create - a service from a master.cf entry (not started) */
MASTER_SERV *
master_service_create(const MASTER_ENT *ent)
{
    MASTER_SERV *serv = mycalloc(1, sizeof(*serv));
    const char *cmd = ent->args->argv[0];
    BUF    *path = buf_alloc(100);

    serv->name = mystrdup(ent->name);
    serv->type_name = mystrdup(ent->field[MASTER_FIELD_TYPE]);
    serv->type = ent->type;
    serv->private_ = ent->private_;
    serv->unpriv = ent->unpriv;
    serv->chroot = ent->chroot;
    serv->wakeup = ent->wakeup;
    serv->wakeup_if_used = ent->wakeup_if_used;
    serv->max_proc = ent->maxproc < 0 ? var_default_process_limit : ent->maxproc;
    if (cmd[0] == '/')
        buf_strcpy(path, cmd);
    else
        buf_sprintf(path, "%s/%s", var_daemon_directory, cmd);
    serv->path = buf_export(path);
    if (ent->type == MASTER_TYPE_INET) {
        serv->addrs = master_service_inet_addrs(ent->name);
    } else {
        path = buf_alloc(100);
        buf_sprintf(path, "%s/%s", ent->private_ ? "private" : "public",
                    ent->name);
        serv->endpoint = buf_export(path);
    }
    serv->args = master_service_args(ent,
                                     serv->addrs ? serv->addrs->argc : 1);
    serv->status_fd[0] = serv->status_fd[1] = -1;
    return serv;
}

/* master_service_free - release a stopped service */
void
master_service_free(MASTER_SERV *serv)
{
    myfree(serv->name);
    myfree(serv->type_name);
    myfree(serv->path);
    argv_free(serv->args);
    if (serv->endpoint)
        myfree(serv->endpoint);
    if (serv->addrs)
        argv_free(serv->addrs);
    if (serv->listen_fd)
        myfree(serv->listen_fd);
    myfree(serv);
}

/* master_service_same_listener - do two services listen on the same thing? */
bool
master_service_same_listener(const MASTER_SERV *a, const MASTER_SERV *b)
{
    if (a->type != b->type || strcmp(a->name, b->name) != 0)
        return false;
    if (a->endpoint || b->endpoint)
        return a->endpoint && b->endpoint
            && strcmp(a->endpoint, b->endpoint) == 0;
    if (a->addrs->argc != b->addrs->argc)
        return false;
    for (int i = 0; i < a->addrs->argc; i++)
        if (strcmp(a->addrs->argv[i], b->addrs->argv[i]) != 0)
            return false;
    return true;
}

/* master_service_start - open listeners and begin service; 0 or -1 */
int
master_service_start(MASTER_SERV *serv, BUF *why)
{
    if (master_listen_open(serv, why) < 0)
        return -1;
    if (master_status_init(serv, why) < 0) {
        master_listen_close(serv);
        return -1;
    }
    master_wakeup_init(serv);
    master_avail_listen(serv);
    return 0;
}

/* master_service_stop - close listeners, retire children, stop timers */
void
master_service_stop(MASTER_SERV *serv)
{
    master_wakeup_cleanup(serv);
    master_avail_off(serv);
    master_listen_close(serv);
    master_status_cleanup(serv);
}

/* master_service_restart - keep the listeners, retire the children */
void
master_service_restart(MASTER_SERV *serv)
{
    BUF    *why = buf_alloc(100);

    master_wakeup_cleanup(serv);
    master_avail_off(serv);
    master_status_cleanup(serv);
    if (master_status_init(serv, why) < 0)
        msg_fatal("service %s/%s: %s", serv->name, serv->type_name,
                  buf_str(why));
    serv->flags &= ~MASTER_FLAG_USED;
    master_wakeup_init(serv);
    master_avail_listen(serv);
    buf_free(why);
}

/* master_service_init - build and start the table at start-up */
void
master_service_init(const MASTER_CONF *conf)
{
    BUF    *why = buf_alloc(100);
    MASTER_SERV **tail = &master_head;

    for (int i = 0; i < conf->count; i++) {
        const MASTER_ENT *ent = conf->ents[i];
        MASTER_SERV *serv;

        if (master_service_disabled(ent))
            continue;
        serv = master_service_create(ent);
        if (master_service_start(serv, why) < 0)
            msg_fatal("service %s/%s: %s", serv->name, serv->type_name,
                      buf_str(why));
        *tail = serv;
        tail = &serv->next;
    }
    buf_free(why);
}
