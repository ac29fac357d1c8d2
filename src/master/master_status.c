/* master_status - the status socket between master and the children of a
 * service.
 *
 * One SOCK_SEQPACKET socket pair per service: master reads end [0], every
 * child has end [1] on MASTER_STATUS_FD and writes one MASTER_STATUS
 * record per state change (master_proto.c). master closes its end to
 * retire the children at once (reload, removed service): each sees EOF,
 * finishes its current client and exits. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event.h"
#include "master.h"
#include "master_proto.h"
#include "msg.h"

/* master_status_update - apply one status record */
static void
master_status_update(MASTER_SERV *serv, const MASTER_STATUS *stat)
{
    MASTER_PROC *proc = master_spawn_find(stat->pid);

    /* A child that was reaped or retired before its record was read. */
    if (proc == NULL || proc->gen != stat->gen || proc->serv != serv) {
        if (msg_verbose)
            msg_info("service %s: status from unknown pid %d gen %u",
                     serv->name, (int) stat->pid, stat->gen);
        return;
    }
    switch (stat->avail) {
    case MASTER_STAT_TAKEN:
        if (proc->avail) {
            proc->avail = false;
            serv->avail_proc--;
        }
        proc->use_count++;
        serv->flags |= MASTER_FLAG_USED;
        break;
    case MASTER_STAT_AVAIL:
        if (!proc->avail) {
            proc->avail = true;
            serv->avail_proc++;
        }
        break;
    default:
        msg_warn("service %s: pid %d: bad status %d", serv->name,
                 (int) stat->pid, stat->avail);
        break;
    }
}

/* master_status_event - read the records that children wrote */
static void
master_status_event(int event, void *ctx)
{
    MASTER_SERV *serv = ctx;
    MASTER_STATUS stat;
    ssize_t len;

    for (;;) {
        len = recv(serv->status_fd[0], &stat, sizeof(stat), MSG_DONTWAIT);
        if (len < 0) {
            if (errno != EAGAIN && errno != EINTR)
                msg_warn("service %s: read status: %m", serv->name);
            break;
        }
        if (len == 0)
            break;
        if (len != (ssize_t) sizeof(stat)) {
            msg_warn("service %s: status record of %zd bytes", serv->name, len);
            continue;
        }
        master_status_update(serv, &stat);
    }
    master_avail_listen(serv);
}

/* master_status_init - create the status socket of a service; 0 or -1 */
int
master_status_init(MASTER_SERV *serv, BUF *why)
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
                   serv->status_fd) < 0) {
        buf_sprintf(why, "socketpair: %m");
        return -1;
    }
    event_enable_read(serv->status_fd[0], master_status_event, serv);
    return 0;
}

/* master_status_cleanup - close the status socket: retire the children */
void
master_status_cleanup(MASTER_SERV *serv)
{
    if (serv->status_fd[0] >= 0) {
        event_disable_readwrite(serv->status_fd[0]);
        (void) close(serv->status_fd[0]);
        (void) close(serv->status_fd[1]);
        serv->status_fd[0] = serv->status_fd[1] = -1;
    }
    master_spawn_detach(serv);
}
