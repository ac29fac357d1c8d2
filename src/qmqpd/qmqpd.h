/* qmqpd - internal interfaces of the QMQP server.
 *
 * One client per process, one message per connection (QMQP, as Postfix's
 * qmqpd): qmqpd.c accepts the client, checks qmqpd_authorized_clients and
 * opens the cleanup connection; qmqpd_read.c reads the request (a
 * netstring holding the message, the sender and the recipients as
 * netstrings); qmqpd_queue.c writes the envelope to cleanup as it
 * arrives, then the message, and gets cleanup's verdict. docs/qmqpd.md has the protocol and the texts. */
#ifndef QMQPD_H
#define QMQPD_H

#include <stdbool.h>
#include <sys/time.h>

#include "buf.h"
#include "cleanup_clnt.h"
#include "client_peer.h"
#include "stream.h"

typedef struct QMQPD_STATE {
    STREAM *client;
    CLIENT_PEER peer;
    CLEANUP_CLNT *cleanup;              /* open during a transaction */
    char   *queue_id;
    struct timeval arrival;
    BUF    *message;                    /* the content, as received */
    BUF    *sender;
    BUF    *rcpt;                       /* the recipient being read */
    char   *first_rcpt;                 /* for the Received: header */
    int     rcpt_count;
    const char *where;                  /* what is being read */
    bool    write_error;                /* talking to cleanup failed */
} QMQPD_STATE;

/* qmqpd_read.c */
int     qmqpd_read_request(QMQPD_STATE *state);

/* qmqpd_queue.c */
void    qmqpd_queue_envelope(QMQPD_STATE *state);
void    qmqpd_queue_rcpt(QMQPD_STATE *state);
int     qmqpd_queue_finish(QMQPD_STATE *state, BUF *reason);

/* qmqpd.c */
void    qmqpd_reply(QMQPD_STATE *state, bool delay, const char *fmt, ...)
            MSG_PRINTF(3, 4);

#endif
