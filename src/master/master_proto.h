/* master_proto - how master and its children talk.
 *
 * master starts a child with its listening sockets on descriptors
 * MASTER_LISTEN_FD, MASTER_LISTEN_FD + 1, ... and a status pipe on
 * MASTER_STATUS_FD. The child writes a MASTER_STATUS record to the pipe
 * when it becomes busy (MASTER_STAT_TAKEN: it took a client) and when it
 * becomes idle again (MASTER_STAT_AVAIL). master closes its end of the
 * pipe to tell a child to finish its current client and exit (reload,
 * stop); a child that sees EOF on the pipe does so. Documented in
 * docs/protocols/master.md. */
#ifndef MASTER_PROTO_H
#define MASTER_PROTO_H

#include <sys/types.h>

#define MASTER_STATUS_FD        5
#define MASTER_LISTEN_FD        6

#define MASTER_STAT_TAKEN       0
#define MASTER_STAT_AVAIL       1

typedef struct MASTER_STATUS {
    pid_t   pid;
    unsigned gen;                       /* master's generation of the child */
    int     avail;                      /* MASTER_STAT_* */
} MASTER_STATUS;

/* master_notify - child: report status; 0 or -1 */
int     master_notify(pid_t pid, unsigned gen, int avail);

/* Trigger requests written by master (wakeup) and by other programs. */
#define TRIGGER_REQ_WAKEUP      'W'

#endif
