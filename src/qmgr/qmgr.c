/* qmgr - the queue manager, as Postfix's qmgr(8).
 *
 * Model: a TRIGGER server (mail_server.h) on public/qmgr, declared in
 * master.cf as "qmgr unix n - n 300 1 qmgr"; one process, never retired
 * by max_idle or max_use. cleanup wakes it with "W" after each new
 * message, postqueue -f with "FADI". Trigger bytes (docs/qmgr.md):
 *   W, I  scan the incoming queue
 *   D     scan the deferred queue
 *   A     ignore the retry times on the next deferred scan
 *   F     forget dead transports and destinations
 * The deferred queue is also scanned every $queue_run_delay.
 *
 * At start-up every file left in active/ by a crash goes back to
 * incoming/ (recipients already marked done stay done), as Postfix does.
 * Parameters: the queue's (queue_directory, hash_queue_names, ...),
 * qmgr_message_active_limit, qmgr_message_recipient_limit,
 * queue_run_delay, the backoff and lifetime times, the per-transport
 * limits (qmgr_queue.c), and the skeleton's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "event.h"
#include "mail_params.h"
#include "mail_server.h"
#include "master_conf.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "queue_scan.h"

QMGR    qmgr;

/* qmgr_trigger - a wake-up request: bytes as listed above */
static void
qmgr_trigger(const char *buf, size_t len, const char *service, char **argv)
{
    int     scans = 0;

    for (size_t i = 0; i < len; i++) {
        switch (buf[i]) {
        case 'A':
            scans |= QMGR_SCAN_ALL_DEFERRED;
            break;
        case 'F':
            qmgr_forget_dead();
            break;
        case 'D':
            scans |= QMGR_SCAN_DEFERRED;
            break;
        case 'I':
        case 'W':
            scans |= QMGR_SCAN_INCOMING;
            break;
        default:
            break;                      /* NUL terminators, junk */
        }
    }
    if (scans & QMGR_SCAN_ALL_DEFERRED)
        scans |= QMGR_SCAN_DEFERRED;
    if (scans)
        qmgr_scan_request(scans);
    qmgr_feed();
}

/* qmgr_deferred_timer - the periodic deferred queue run */
static void
qmgr_deferred_timer(int event, void *ctx)
{
    qmgr_scan_request(QMGR_SCAN_DEFERRED);
    qmgr_feed();
    event_request_timer(qmgr_deferred_timer, ctx, var_queue_run_delay * 1000);
}

/* qmgr_recover - move what a crash left in active/ back to incoming/ */
static void
qmgr_recover(void)
{
    QUEUE_SCAN *scan;
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    const char *id;

    if ((scan = queue_scan_open(&qmgr.queue, MAIL_QUEUE_ACTIVE, why)) == NULL)
        msg_fatal("%s", buf_str(why));
    while ((id = queue_scan_next(scan, path)) != NULL) {
        (void) utimensat(AT_FDCWD, buf_str(path), NULL, 0);
        if (mail_queue_rename(&qmgr.queue, id, MAIL_QUEUE_ACTIVE,
                              MAIL_QUEUE_INCOMING, why) < 0)
            msg_warn("%s: %s", id, buf_str(why));
    }
    queue_scan_close(scan);
    buf_free(path);
    buf_free(why);
}

/* qmgr_proc_limits - maxproc of each master.cf service, for transports */
static void
qmgr_proc_limits(void)
{
    BUF    *why = buf_alloc(100);
    MASTER_CONF *conf;
    char    num[32];

    qmgr.proc_limits = htable_create(50);
    if ((conf = master_conf_load(why)) == NULL) {
        msg_warn("%s; using default_process_limit for every transport",
                 buf_str(why));
        buf_free(why);
        return;
    }
    for (int i = 0; i < conf->count; i++) {
        const MASTER_ENT *ent = conf->ents[i];

        if (ent->type != MASTER_TYPE_UNIX)
            continue;
        snprintf(num, sizeof(num), "%d", ent->maxproc < 0 ?
                 var_default_process_limit : ent->maxproc);
        if (htable_find(qmgr.proc_limits, ent->field[MASTER_FIELD_SERVICE]) == NULL)
            htable_enter(qmgr.proc_limits, ent->field[MASTER_FIELD_SERVICE],
                         mystrdup(num));
    }
    master_conf_free(conf);
    buf_free(why);
}

/* qmgr_pre_init - before the privilege drop: master.cf, which need not
 * be readable by mail_owner (nor reachable after a chroot) */
static void
qmgr_pre_init(const char *service, char **argv)
{
    qmgr_proc_limits();
}

/* qmgr_post_init - settings, recovery, the first scans */
static void
qmgr_post_init(const char *service, char **argv)
{
    BUF    *path = buf_alloc(100);

    mail_queue_conf_params(&qmgr.queue);
    if (var_bounce_queue_lifetime > var_maximal_queue_lifetime) {
        msg_warn("bounce_queue_lifetime is larger than maximal_queue_lifetime"
                 " - adjusting bounce_queue_lifetime");
        var_bounce_queue_lifetime = var_maximal_queue_lifetime;
    }
    if (var_maximal_backoff_time < var_minimal_backoff_time) {
        msg_warn("maximal_backoff_time is smaller than minimal_backoff_time"
                 " - adjusting maximal_backoff_time");
        var_maximal_backoff_time = var_minimal_backoff_time;
    }
    buf_sprintf(path, "private/%s", var_rewrite_service_name);
    qmgr.resolver = resolve_clnt_create(buf_str(path), var_ipc_timeout);
    qmgr.transport_byname = htable_create(20);
    qmgr_recover();
    qmgr_scan_request(QMGR_SCAN_INCOMING | QMGR_SCAN_DEFERRED);
    qmgr_feed();
    event_request_timer(qmgr_deferred_timer, NULL, var_queue_run_delay * 1000);
    buf_free(path);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_TRIGGER,
        .pre_init = qmgr_pre_init,
        .post_init = qmgr_post_init,
        .trigger = qmgr_trigger,
        .unlimited = 1,
    };

    mail_server_main(argc, argv, &spec);
}
