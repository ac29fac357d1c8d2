/* showq.h - the showq daemon's parts.
 *
 *   showq.c          main(): the skeleton; one client = one listing of
 *                    maildrop, active, incoming, deferred and hold
 *   showq_file.c     one queue file: open it safely, read its envelope
 *                    into a listed message, or skip it with a warning
 *   showq_reasons.c  the delay reasons from the message's defer log
 *
 * A file that vanishes while the queue is listed is skipped; a damaged
 * one is skipped with a warning and left where it is (qmgr decides what
 * becomes of it). Nothing a queue file or log holds reaches the client
 * without being made printable. */
#ifndef SHOWQ_H
#define SHOWQ_H

#include <stdbool.h>
#include <sys/stat.h>

#include "buf.h"
#include "htable.h"
#include "mail_queue.h"
#include "showq_proto.h"

/* The settings, from main.cf once at start-up (showq.c). */
typedef struct SHOWQ {
    MAIL_QUEUE_CONF queue;              /* the working directory's queues */
    const char *empty_addr;             /* $empty_address_recipient */
} SHOWQ;

/* Results of showq_file(). */
#define SHOWQ_FILE_OK       0           /* msg holds the listing */
#define SHOWQ_FILE_SKIP     1           /* vanished, incomplete or damaged */

/* showq_file - read the queue file id, found at path in queue, into msg */
int     showq_file(const SHOWQ *sq, const char *queue, const char *id,
                   const char *path, SHOWQ_MSG *msg);

/* showq_reasons - add the recipients of the defer log of message id to
 * msg, each with its reason, and enter each address into seen; nothing
 * when there is no log */
void    showq_reasons(const SHOWQ *sq, const char *id, SHOWQ_MSG *msg,
                      HTABLE *seen);

/* showq_address - the external, printable form of a queue file address
 * ($empty_address_recipient for the null address) */
void    showq_address(const SHOWQ *sq, BUF *out, const char *addr);

#endif
