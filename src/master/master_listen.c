/* master_listen - open and close the listening endpoints of a service.
 *
 * inet: one socket per address (master_service.c works out the addresses
 * from the service name and inet_interfaces). unix, pass: a stream socket
 * private/NAME or public/NAME, mode 0666 (the directory controls access).
 * unix-dgram: a datagram socket, same places. fifo: a named pipe, mode
 * 0622. Paths are relative to the queue directory, master's working
 * directory. Descriptors are close-on-exec; master_spawn.c moves them to
 * MASTER_LISTEN_FD and up in a child. */
#include <unistd.h>

#include "event.h"
#include "mail_params.h"
#include "master.h"
#include "msg.h"
#include "mymalloc.h"
#include "sock.h"

#define MASTER_LISTEN_BACKLOG_MAX       1024
#define MASTER_INET_BACKLOG             4096    /* the kernel caps it at
                                                 * net.core.somaxconn */

/* master_listen_backlog - how many connections may wait for a child. A
 * network client that finds the queue full has its SYN dropped and tries
 * again only after 1, 3, 7 ... seconds, so inet listeners get a deep
 * queue (a waiting connection costs only kernel memory); a burst of
 * thousands of clients then waits for greeter's accept() instead. */
static int
master_listen_backlog(const MASTER_SERV *serv)
{
    int     backlog = var_default_process_limit;

    if (serv->type == MASTER_TYPE_INET)
        return MASTER_INET_BACKLOG;
    if (serv->max_proc > backlog)
        backlog = serv->max_proc;
    if (backlog < 16)
        backlog = 16;
    return backlog > MASTER_LISTEN_BACKLOG_MAX ?
        MASTER_LISTEN_BACKLOG_MAX : backlog;
}

/* master_listen_one - open listener number i of a service; fd or -1 */
static int
master_listen_one(const MASTER_SERV *serv, int i, BUF *why)
{
    int     backlog = master_listen_backlog(serv);

    switch (serv->type) {
    case MASTER_TYPE_INET:
        return inet_listen(serv->addrs->argv[i], backlog, why);
    case MASTER_TYPE_UNIX:
    case MASTER_TYPE_PASS:
        return unix_listen(serv->endpoint, backlog, 0666, why);
    case MASTER_TYPE_UNIX_DGRAM:
        return unix_dgram_listen(serv->endpoint, 0666, why);
    case MASTER_TYPE_FIFO:
        return fifo_listen(serv->endpoint, 0622, why);
    }
    msg_panic("master_listen_one: unknown type %d", (int) serv->type);
}

/* master_listen_open - open every listener of a service; 0 or -1 */
int
master_listen_open(MASTER_SERV *serv, BUF *why)
{
    int     count = serv->addrs ? serv->addrs->argc : 1;

    serv->listen_fd = mycalloc(count, sizeof(int));
    serv->listen_fd_count = 0;
    for (int i = 0; i < count; i++) {
        int     fd = master_listen_one(serv, i, why);

        if (fd < 0) {
            master_listen_close(serv);
            return -1;
        }
        serv->listen_fd[serv->listen_fd_count++] = fd;
        if (msg_verbose)
            msg_info("service %s/%s: listening on fd %d", serv->name,
                     serv->type_name, fd);
    }
    return 0;
}

/* master_listen_close - close every listener of a service */
void
master_listen_close(MASTER_SERV *serv)
{
    for (int i = 0; i < serv->listen_fd_count; i++) {
        event_disable_readwrite(serv->listen_fd[i]);
        if (close(serv->listen_fd[i]) < 0)
            msg_warn("service %s/%s: close listener: %m", serv->name,
                     serv->type_name);
    }
    serv->listen_fd_count = 0;
    serv->flags &= ~MASTER_FLAG_LISTEN;
    if (serv->listen_fd) {
        myfree(serv->listen_fd);
        serv->listen_fd = NULL;
    }
}
