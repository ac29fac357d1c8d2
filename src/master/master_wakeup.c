/* master_wakeup - periodic wakeup requests to services.
 *
 * A service with a wakeup time (master.cf column 6) gets a one-byte
 * TRIGGER_REQ_WAKEUP request on its own endpoint at start-up and then
 * every so many seconds, as if another program had sent it: unix, pass
 * and fifo services through mail_trigger() (a connection or a write),
 * unix-dgram by a datagram.
 * inet services are not woken up. With a "?" suffix a service is only
 * woken up after one of its children has taken a client. Nothing here
 * waits: a full backlog or pipe just drops this wakeup. */
#include "buf.h"
#include "event.h"
#include "mail_trigger.h"
#include "master.h"
#include "master_proto.h"
#include "msg.h"
#include "sock.h"

/* master_wakeup_send - send one wakeup request to a service */
static void
master_wakeup_send(const MASTER_SERV *serv)
{
    static const char req[] = {TRIGGER_REQ_WAKEUP};
    static BUF *why;
    int     ret;

    if (why == NULL)
        why = buf_alloc(100);
    switch (serv->type) {
    case MASTER_TYPE_UNIX:
    case MASTER_TYPE_PASS:
    case MASTER_TYPE_FIFO:
        ret = mail_trigger(serv->endpoint, req, sizeof(req), why);
        break;
    case MASTER_TYPE_UNIX_DGRAM:
        ret = unix_dgram_send(serv->endpoint, req, sizeof(req));
        break;
    default:
        return;
    }
    if (ret < 0 && msg_verbose)
        msg_info("wakeup %s: %m", serv->endpoint);
    else if (msg_verbose)
        msg_info("wakeup %s", serv->endpoint);
}

/* master_wakeup_event - time for a wakeup; schedule the next one */
static void
master_wakeup_event(int event, void *ctx)
{
    MASTER_SERV *serv = ctx;

    if (!serv->wakeup_if_used || (serv->flags & MASTER_FLAG_USED))
        master_wakeup_send(serv);
    event_request_timer(master_wakeup_event, serv, serv->wakeup * 1000);
}

/* master_wakeup_init - start the wakeups of a service */
void
master_wakeup_init(MASTER_SERV *serv)
{
    if (serv->wakeup <= 0)
        return;
    if (serv->type == MASTER_TYPE_INET) {
        msg_warn("service %s/%s: wakeup is not supported for inet services",
                 serv->name, serv->type_name);
        return;
    }
    master_wakeup_event(0, serv);
}

/* master_wakeup_cleanup - stop the wakeups of a service */
void
master_wakeup_cleanup(MASTER_SERV *serv)
{
    event_cancel_timer(master_wakeup_event, serv);
}
