/* master_avail - start children on demand, and throttle bad services.
 *
 * master watches a service's listeners only while the service has no idle
 * child and may start another (fewer than max_proc children, not
 * throttled, not stopping). A readable listener then means a client is
 * waiting that no child will take: master_spawn() starts one, which counts
 * as idle until it reports TAKEN, so master stops watching meanwhile.
 * A service whose child died before serving anyone is throttled: no new
 * children for $service_throttle_time. */
#include "event.h"
#include "mail_params.h"
#include "master.h"
#include "msg.h"

/* master_avail_wanted - should master watch the listeners now? */
static bool
master_avail_wanted(const MASTER_SERV *serv)
{
    if ((master_stopping && serv != master_stop_keep)
        || (serv->flags & MASTER_FLAG_THROTTLE))
        return false;
    if (serv->status_fd[0] < 0 || serv->listen_fd_count == 0)
        return false;
    if (serv->avail_proc > 0)
        return false;
    return serv->max_proc == 0 || serv->total_proc < serv->max_proc;
}

/* master_avail_event - a client waits and no child is idle: start one */
static void
master_avail_event(int event, void *ctx)
{
    MASTER_SERV *serv = ctx;

    if (master_avail_wanted(serv))
        master_spawn(serv);
    else
        master_avail_listen(serv);
}

/* master_avail_listen - watch or stop watching the listeners, as needed */
void
master_avail_listen(MASTER_SERV *serv)
{
    bool    wanted = master_avail_wanted(serv);

    if (wanted && !(serv->flags & MASTER_FLAG_LISTEN)) {
        for (int i = 0; i < serv->listen_fd_count; i++)
            event_enable_read(serv->listen_fd[i], master_avail_event, serv);
        serv->flags |= MASTER_FLAG_LISTEN;
    } else if (!wanted && (serv->flags & MASTER_FLAG_LISTEN)) {
        for (int i = 0; i < serv->listen_fd_count; i++)
            event_disable_readwrite(serv->listen_fd[i]);
        serv->flags &= ~MASTER_FLAG_LISTEN;
    }
}

/* master_avail_unthrottle_event - the throttle time is over */
static void
master_avail_unthrottle_event(int event, void *ctx)
{
    master_avail_unthrottle((MASTER_SERV *) ctx);
}

/* master_avail_throttle - start no children for a while */
void
master_avail_throttle(MASTER_SERV *serv)
{
    serv->flags |= MASTER_FLAG_THROTTLE;
    master_avail_listen(serv);
    event_request_timer(master_avail_unthrottle_event, serv,
                        var_service_throttle_time * 1000);
}

/* master_avail_unthrottle - allow children again */
void
master_avail_unthrottle(MASTER_SERV *serv)
{
    event_cancel_timer(master_avail_unthrottle_event, serv);
    serv->flags &= ~MASTER_FLAG_THROTTLE;
    master_avail_listen(serv);
}

/* master_avail_off - stop watching and forget a pending throttle */
void
master_avail_off(MASTER_SERV *serv)
{
    event_cancel_timer(master_avail_unthrottle_event, serv);
    serv->flags &= ~MASTER_FLAG_THROTTLE;
    for (int i = 0; (serv->flags & MASTER_FLAG_LISTEN)
         && i < serv->listen_fd_count; i++)
        event_disable_readwrite(serv->listen_fd[i]);
    serv->flags &= ~MASTER_FLAG_LISTEN;
}
