/* master_wakeup - periodic wakeup requests to services.
 *
 * A service with a wakeup time (master.cf column 6) gets a one-byte
 * TRIGGER_REQ_WAKEUP request on its own endpoint at start-up and then
 * every so many seconds, as if another program had sent it: unix and pass
 * services by a connection, unix-dgram by a datagram, fifo by a write.
 * inet services are not woken up. With a "?" suffix a service is only
 * woken up after one of its children has taken a client. Nothing here
 * waits: a full backlog or pipe just drops this wakeup. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "event.h"
#include "master.h"
#include "master_proto.h"
#include "msg.h"
#include "sock.h"

/* master_wakeup_unix - connect to a unix socket and send the request */
static int
master_wakeup_unix(const char *path, const char *req, size_t len)
{
    struct sockaddr_un sun;
    int     fd;
    int     ret = -1;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                     0)) < 0)
        return -1;
    if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) == 0
        && write(fd, req, len) == (ssize_t) len)
        ret = 0;
    (void) close(fd);
    return ret;
}

/* master_wakeup_fifo - write the request into a fifo */
static int
master_wakeup_fifo(const char *path, const char *req, size_t len)
{
    int     fd;
    int     ret = -1;

    if ((fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return -1;
    if (write(fd, req, len) == (ssize_t) len)
        ret = 0;
    (void) close(fd);
    return ret;
}

/* master_wakeup_send - send one wakeup request to a service */
static void
master_wakeup_send(const MASTER_SERV *serv)
{
    static const char req[] = {TRIGGER_REQ_WAKEUP};
    int     ret;

    switch (serv->type) {
    case MASTER_TYPE_UNIX:
    case MASTER_TYPE_PASS:
        ret = master_wakeup_unix(serv->endpoint, req, sizeof(req));
        break;
    case MASTER_TYPE_UNIX_DGRAM:
        ret = unix_dgram_send(serv->endpoint, req, sizeof(req));
        break;
    case MASTER_TYPE_FIFO:
        ret = master_wakeup_fifo(serv->endpoint, req, sizeof(req));
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
