/* showq_proto - the mail queue listing protocol of the showq service.
 *
 * showq (src/showq/) lists the queue for postqueue -p/-j, mailq and
 * "sendmail -bp" over public/$showq_service_name, because the queue is
 * readable by mail_owner only. The protocol is Postfix 3.7's, observed
 * byte for byte (docs/queue-tools.md); the client sends nothing:
 *
 *   showq:  protocol=mail_queue_list_protocol                (one message)
 *   then per queue file one message:
 *           queue_name, queue_id, time, size, forced_expire, sender,
 *           then per recipient: recipient, reason  ("" when none)
 *   and an empty message (a lone NUL) ends the listing.
 *
 * Addresses arrive in external (quoted) form, already made printable;
 * the empty sender is $empty_address_recipient. Peers: showq (writer),
 * postqueue (reader), showq_format (the text and JSON listings).
 * Library code: nothing here exits. */
#ifndef SHOWQ_PROTO_H
#define SHOWQ_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "stream.h"

#define SHOWQ_PROTOCOL          "mail_queue_list_protocol"

#define SHOWQ_ATTR_PROTOCOL     "protocol"
#define SHOWQ_ATTR_QUEUE        "queue_name"
#define SHOWQ_ATTR_ID           "queue_id"
#define SHOWQ_ATTR_TIME         "time"
#define SHOWQ_ATTR_SIZE         "size"
#define SHOWQ_ATTR_EXPIRE       "forced_expire"
#define SHOWQ_ATTR_SENDER       "sender"
#define SHOWQ_ATTR_RCPT         "recipient"
#define SHOWQ_ATTR_REASON       "reason"

/* One recipient of a listed message. */
typedef struct SHOWQ_RCPT {
    char   *address;
    char   *reason;                     /* "" when there is none */
} SHOWQ_RCPT;

/* One listed queue file. */
typedef struct SHOWQ_MSG {
    BUF    *queue;                      /* "deferred" */
    BUF    *id;
    long    time;                       /* arrival, seconds */
    long    size;                       /* message_size */
    bool    forced_expire;
    BUF    *sender;
    SHOWQ_RCPT *rcpt;
    size_t  rcpt_count;
    size_t  rcpt_alloc;
} SHOWQ_MSG;

/* showq_msg_create - an empty message */
SHOWQ_MSG *showq_msg_create(void);

/* showq_msg_reset - forget the previous message's contents */
void    showq_msg_reset(SHOWQ_MSG *msg);

/* showq_msg_add_rcpt - append a recipient (both strings are copied) */
void    showq_msg_add_rcpt(SHOWQ_MSG *msg, const char *address,
                           const char *reason);

/* showq_msg_free - release a message */
void    showq_msg_free(SHOWQ_MSG *msg);

/* showq_send_greeting - the server's first message; 0 or -1 */
int     showq_send_greeting(STREAM *sp);

/* showq_send_msg - one queue file; 0 or -1 (the client went away) */
int     showq_send_msg(STREAM *sp, const SHOWQ_MSG *msg);

/* showq_send_end - the empty message that ends the listing; 0 or -1 */
int     showq_send_end(STREAM *sp);

/* showq_read_greeting - check the server's greeting; 0, or -1 with the
 * reason in why */
int     showq_read_greeting(STREAM *sp, BUF *why);

/* showq_read_msg - the next listed message into msg: 1, 0 at the end of
 * the listing, -1 on a malformed or lost listing (reason in why) */
int     showq_read_msg(STREAM *sp, SHOWQ_MSG *msg, BUF *why);

#endif
