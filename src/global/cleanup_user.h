/* cleanup_user - the cleanup service's protocol: request flags, status
 * bits and attribute names, as Postfix 3.7's cleanup speaks them, so that
 * Postfix's own clients work against Postern's cleanup and the other way
 * round (docs/protocols/cleanup.md).
 *
 *   cleanup -> client   protocol=cleanup_protocol  queue_id=ID
 *   client  -> cleanup  flags=N
 *   client  -> cleanup  queue file records (rec_stream.h) up to 'E'
 *   cleanup -> client   status=N  reason=TEXT
 *
 * Values were read from a live exchange between Postfix's pickup and
 * cleanup (pickup sends flags=627) and from Postfix's documentation. */
#ifndef CLEANUP_USER_H
#define CLEANUP_USER_H

#define CLEANUP_PROTOCOL        "cleanup_protocol"

/* Attribute names. */
#define CLEANUP_ATTR_PROTOCOL   "protocol"
#define CLEANUP_ATTR_QUEUE_ID   "queue_id"
#define CLEANUP_ATTR_FLAGS      "flags"
#define CLEANUP_ATTR_STATUS     "status"
#define CLEANUP_ATTR_REASON     "reason"

/* Request flags (client -> cleanup). */
#define CLEANUP_FLAG_NONE       0
#define CLEANUP_FLAG_BOUNCE     (1<<0)  /* bounce a rejected message */
#define CLEANUP_FLAG_FILTER     (1<<1)  /* apply header/body checks */
#define CLEANUP_FLAG_HOLD       (1<<2)  /* put the message on hold */
#define CLEANUP_FLAG_DISCARD    (1<<3)  /* discard the message */
#define CLEANUP_FLAG_BCC_OK     (1<<4)  /* always_bcc, *_bcc_maps allowed */
#define CLEANUP_FLAG_MAP_OK     (1<<5)  /* canonical, virtual, masquerade */
#define CLEANUP_FLAG_MILT       (1<<6)  /* apply non_smtpd_milters */
#define CLEANUP_FLAG_SMTP_REPLY (1<<7)  /* reason is a full SMTP reply */
#define CLEANUP_FLAG_SMTPUTF8   (1<<8)  /* SMTPUTF8 requested */
#define CLEANUP_FLAG_AUTOUTF8   (1<<9)  /* detect SMTPUTF8 need */

/* What receive_override_options may switch off. */
#define CLEANUP_FLAG_FILTER_ALL (CLEANUP_FLAG_FILTER | CLEANUP_FLAG_MILT)
#define CLEANUP_FLAG_MASK_EXTERNAL \
    (CLEANUP_FLAG_FILTER_ALL | CLEANUP_FLAG_BCC_OK | CLEANUP_FLAG_MAP_OK)

/* Status bits (cleanup -> client); 0 is success. */
#define CLEANUP_STAT_OK         0
#define CLEANUP_STAT_BAD        (1<<0)  /* internal protocol error */
#define CLEANUP_STAT_WRITE      (1<<1)  /* error writing the queue file */
#define CLEANUP_STAT_SIZE       (1<<2)  /* message too large */
#define CLEANUP_STAT_CONT       (1<<3)  /* content rejected */
#define CLEANUP_STAT_HOPS       (1<<4)  /* too many hops (mail loop) */
#define CLEANUP_STAT_RCPT       (1<<6)  /* no recipients */
#define CLEANUP_STAT_PROXY      (1<<7)  /* before-queue proxy error */
#define CLEANUP_STAT_DEFER      (1<<8)  /* temporary rejection */
#define CLEANUP_STAT_NOPERM     (1<<9)  /* denied by non-content policy */

/* Statuses that a client reports as permanent: everything else is a
 * temporary failure and the client keeps (or the sender retries) the
 * message. */
#define CLEANUP_STAT_PERMANENT  (CLEANUP_STAT_SIZE | CLEANUP_STAT_CONT \
        | CLEANUP_STAT_HOPS | CLEANUP_STAT_RCPT | CLEANUP_STAT_NOPERM)

#endif
