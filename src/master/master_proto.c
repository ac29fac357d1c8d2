/* master_proto - the child side of the master status protocol.
 *
 * A child reports to master through the status socket on MASTER_STATUS_FD
 * (one record per write; see master_proto.h and docs/protocols/master.md).
 * Linked into every daemon through libpostern_server.a; master reads the
 * records in master_status.c. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "master_proto.h"

/* master_notify - child: report TAKEN or AVAIL to master; 0 or -1 */
int
master_notify(pid_t pid, unsigned gen, int avail)
{
    MASTER_STATUS stat;
    ssize_t ret;

    memset(&stat, 0, sizeof(stat));
    stat.pid = pid;
    stat.gen = gen;
    stat.avail = avail;
    do {
        ret = write(MASTER_STATUS_FD, &stat, sizeof(stat));
    } while (ret < 0 && errno == EINTR);
    return ret == (ssize_t) sizeof(stat) ? 0 : -1;
}
