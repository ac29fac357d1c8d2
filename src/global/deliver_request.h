/* deliver_request - the delivery request protocol between qmgr and the
 * delivery agents (local, virtual, pipe, smtp, lmtp, error, discard).
 *
 * Postfix's delivery_request_protocol, byte for byte, so that Postern's
 * agents could serve Postfix's qmgr and the other way round
 * (docs/protocols/delivery.md): qmgr connects to private/<transport>,
 * one connection per request; the agent greets with
 * "protocol=delivery_request_protocol"; qmgr sends the message
 * attributes (ending with recipient_count) and one attribute message per
 * recipient; the agent delivers, reports each recipient (deliver_result.h:
 * log line, status service, done mark) and replies with a DSN and a
 * status: 0 when every recipient is finished, or "4294967295" (-1) when
 * at least one must be tried again. A non-empty DSN in a deferral reply
 * tells qmgr that the whole destination failed.
 *
 * Agent side:
 *   req = deliver_request_read(client, &queue_conf, why);   greet, read,
 *                                                            open the file
 *   ... for each req->rcpt[i]: deliver, then deliver_sent() etc. ...
 *   deliver_request_done(req, hop_dsn, why);                 reply, free
 * qmgr side:
 *   deliver_request_send(agent, req)  then  deliver_reply_read(...).
 * Library code: nothing here exits. */
#ifndef DELIVER_REQUEST_H
#define DELIVER_REQUEST_H

#include <stdbool.h>
#include <sys/time.h>
#include <sys/types.h>

#include "attr.h"
#include "buf.h"
#include "dsn.h"
#include "mail_queue.h"
#include "stream.h"

#define DELIVER_PROTOCOL        "delivery_request_protocol"

/* Attribute names (Postfix's), shared with the delivery status protocol
 * (bounce_clnt.h). */
#define DEL_ATTR_PROTOCOL       "protocol"
#define DEL_ATTR_FLAGS          "flags"
#define DEL_ATTR_QUEUE_NAME     "queue_name"
#define DEL_ATTR_QUEUE_ID       "queue_id"
#define DEL_ATTR_OFFSET         "offset"
#define DEL_ATTR_SIZE           "size"
#define DEL_ATTR_NEXTHOP        "nexthop"
#define DEL_ATTR_ENCODING       "encoding"
#define DEL_ATTR_SMTPUTF8       "smtputf8"
#define DEL_ATTR_SENDER         "sender"
#define DEL_ATTR_ENVID          "envelope_id"
#define DEL_ATTR_RET            "ret_flags"
#define DEL_ATTR_TIME           "time"
#define DEL_ATTR_CLIENT_NAME    "log_client_name"
#define DEL_ATTR_CLIENT_ADDR    "log_client_address"
#define DEL_ATTR_CLIENT_PORT    "log_client_port"
#define DEL_ATTR_CLIENT_PROTO   "log_protocol_name"
#define DEL_ATTR_CLIENT_HELO    "log_helo_name"
#define DEL_ATTR_SASL_METHOD    "sasl_method"
#define DEL_ATTR_SASL_USERNAME  "sasl_username"
#define DEL_ATTR_SASL_SENDER    "sasl_sender"
#define DEL_ATTR_LOG_IDENT      "log_ident"
#define DEL_ATTR_RWR_CONTEXT    "rewrite_context"
#define DEL_ATTR_RCPT_COUNT     "recipient_count"
#define DEL_ATTR_ORCPT          "original_recipient"
#define DEL_ATTR_RCPT           "recipient"
#define DEL_ATTR_DSN_ORCPT      "dsn_orig_rcpt"
#define DEL_ATTR_NOTIFY         "notify_flags"
#define DEL_ATTR_STATUS         "status"
#define DEL_ATTR_DIAG_TYPE      "diag_type"
#define DEL_ATTR_DIAG_TEXT      "diag_text"
#define DEL_ATTR_MTA_TYPE       "mta_type"
#define DEL_ATTR_MTA_NAME       "mta_mname"
#define DEL_ATTR_ACTION         "action"
#define DEL_ATTR_REASON         "reason"

/* The "status" of a reply as Postfix writes it: -1 as an unsigned
 * 32-bit number. Readers accept "-1" too. */
#define DELIVER_STAT_DEFER_TEXT "4294967295"

/* The offset of a recipient that is not a record of the request's queue
 * file: local(8) hands one of its expansions to another transport
 * (deliver_pass.h). The agent reports such a recipient like any other
 * but never marks it done (the agent that passed it does, for its own
 * recipient), and the status services log it without an offset. On the
 * wire it is -1 as an unsigned 64-bit number, as Postfix writes it; "-1"
 * is accepted too. */
#define DELIVER_OFFSET_NONE     (-1L)
#define DELIVER_OFFSET_NONE_TEXT "18446744073709551615"
#define DELIVER_OFFSET_SIZE     24      /* room for any offset as text */

/* The largest recipient_count accepted. */
#define DELIVER_RCPT_MAX        100000

/* Request flags (the "flags" attribute; Postfix's values). */
#define DEL_REQ_FLAG_SUCCESS    (1<<0)  /* mark done when delivered */
#define DEL_REQ_FLAG_BOUNCE     (1<<1)  /* mark done when bounced */
#define DEL_REQ_FLAG_MTA_VRFY   (1<<8)  /* address probe (verify service) */
#define DEL_REQ_FLAG_USR_VRFY   (1<<9)  /* sendmail -bv: report, no delivery */
#define DEL_REQ_FLAG_RECORD     (1<<10) /* sendmail -v: deliver and report */
#define DEL_REQ_FLAG_DEFAULT    (DEL_REQ_FLAG_SUCCESS | DEL_REQ_FLAG_BOUNCE)
/* Connection cache (scache): use cached sessions, and save sessions for
 * later. qmgr sets both while a destination has a backlog ("on demand"
 * caching); smtp(8) honours them. */
#define DEL_REQ_FLAG_CONN_LOAD  (1<<11)
#define DEL_REQ_FLAG_CONN_STORE (1<<12)
#define DEL_REQ_FLAG_CONN_MASK  (DEL_REQ_FLAG_CONN_LOAD | DEL_REQ_FLAG_CONN_STORE)
/* What the status services are told of a request (the rest is qmgr's). */
#define DEL_REQ_TRACE_FLAGS     (DEL_REQ_FLAG_MTA_VRFY | DEL_REQ_FLAG_USR_VRFY \
                                 | DEL_REQ_FLAG_RECORD)
/* Verification: the agent says what it would do and delivers nothing. */
#define DEL_REQ_TRACE_ONLY(f)   ((f) & (DEL_REQ_FLAG_MTA_VRFY | DEL_REQ_FLAG_USR_VRFY))

/* The reply status. */
#define DELIVER_STAT_OK         0       /* every recipient finished */
#define DELIVER_STAT_DEFER      (-1)    /* some recipient must be retried */

/* One recipient of a request. */
typedef struct RECIPIENT {
    char   *orig_addr;                  /* original_recipient (may be "") */
    char   *address;                    /* recipient */
    long    offset;                     /* its 'R' record in the queue file,
                                         * or DELIVER_OFFSET_NONE */
    char   *dsn_orig;                   /* dsn_orig_rcpt: "rfc822;addr" */
    int     dsn_notify;                 /* DSN_NOTIFY_* bits, 0: not given */
} RECIPIENT;

/* Time stamps for the log line's delay=D, delays=a/b/c/d. */
typedef struct DELIVER_TIMES {
    struct timeval arrival;             /* the message arrived (T record) */
    struct timeval active;              /* qmgr moved it into active */
    struct timeval agent;               /* the agent received the request */
    struct timeval conn_setup;          /* the agent had its connection
                                         * (smtp; zero: no connection) */
    int     conn_use;                   /* the transaction count of that
                                         * connection (cached sessions);
                                         * the log says conn_use=N when
                                         * N > 1 */
} DELIVER_TIMES;

/* A recipient and a DSN as attribute lists (attr.h SEND_ATTR_*), in
 * wire order; NULL strings are sent as "". */
#define DEL_TEXT(s)             ((s) ? (s) : "")
#define DEL_SEND_RCPT(r) \
    SEND_ATTR_STR(DEL_ATTR_ORCPT, DEL_TEXT((r)->orig_addr)), \
    SEND_ATTR_STR(DEL_ATTR_RCPT, DEL_TEXT((r)->address)), \
    SEND_ATTR_STR(DEL_ATTR_OFFSET, deliver_offset_text( \
        (char[DELIVER_OFFSET_SIZE]) {0}, (r)->offset)), \
    SEND_ATTR_STR(DEL_ATTR_DSN_ORCPT, DEL_TEXT((r)->dsn_orig)), \
    SEND_ATTR_INT(DEL_ATTR_NOTIFY, (r)->dsn_notify)
#define DEL_SEND_DSN(d) \
    SEND_ATTR_STR(DEL_ATTR_STATUS, DEL_TEXT((d)->status)), \
    SEND_ATTR_STR(DEL_ATTR_DIAG_TYPE, DEL_TEXT((d)->dtype)), \
    SEND_ATTR_STR(DEL_ATTR_DIAG_TEXT, DEL_TEXT((d)->dtext)), \
    SEND_ATTR_STR(DEL_ATTR_MTA_TYPE, DEL_TEXT((d)->mtype)), \
    SEND_ATTR_STR(DEL_ATTR_MTA_NAME, DEL_TEXT((d)->mname)), \
    SEND_ATTR_STR(DEL_ATTR_ACTION, DEL_TEXT((d)->action)), \
    SEND_ATTR_STR(DEL_ATTR_REASON, DEL_TEXT((d)->reason))

typedef struct DELIVER_REQUEST {
    /* Message attributes, in wire order. */
    int     flags;                      /* DEL_REQ_FLAG_* */
    char   *queue_name;                 /* "active" */
    char   *queue_id;
    long    data_offset;                /* content start: 'C' field 2 */
    long    data_size;                  /* content size: 'C' field 1 */
    char   *nexthop;                    /* resolver's nexthop (or the
                                         * error/discard text) */
    char   *encoding;                   /* "", "7bit" or "8bit" */
    int     smtputf8;
    char   *sender;                     /* "" for the null sender */
    char   *dsn_envid;                  /* "" when none */
    int     dsn_ret;                    /* DSN_RET_*, 0: not given */
    DELIVER_TIMES times;                /* arrival and active from "time" */
    char   *client_name;                /* log_client_name */
    char   *client_addr;                /* log_client_address */
    char   *client_port;                /* log_client_port */
    char   *client_proto;               /* log_protocol_name */
    char   *client_helo;                /* log_helo_name */
    char   *sasl_method;
    char   *sasl_username;
    char   *sasl_sender;
    char   *log_ident;
    char   *rewrite_context;            /* "local" or "remote" */
    RECIPIENT *rcpt;                    /* recipient_count entries */
    int     rcpt_count;
    /* Agent side state. */
    int     fd;                         /* the queue file, O_RDWR, shared
                                         * lock; -1 on the qmgr side */
    int     status;                     /* DELIVER_STAT_*, kept up to date
                                         * by deliver_result.h */
    bool    marked;                     /* a done mark awaits fsync */
} DELIVER_REQUEST;

/* deliver_request_read - agent side: send the greeting, read one request
 * from qmgr, check it (attributes in order, sane numbers, 1 to
 * DELIVER_RCPT_MAX recipients, a valid queue name and id, a non-empty
 * nexthop), note the agent time, and open its queue file read-write with
 * a shared non-blocking lock (through mail_queue_open(); a file that is
 * gone, not a regular file, or locked by qmgr is an error). NULL, with
 * the reason in why, when the client sent nothing or junk (the caller
 * logs why as a warning and drops the client, which makes qmgr defer the
 * recipients), or when the file cannot be opened or locked (then, as
 * Postfix's agents do, the "deferred" reply has already been sent; the
 * caller only logs why). */
DELIVER_REQUEST *deliver_request_read(STREAM *client,
                                      const MAIL_QUEUE_CONF *conf, BUF *why);

/* deliver_request_done - agent side: fsync the queue file if a
 * recipient was marked done, reply (hop_dsn, or an empty DSN when it is
 * NULL, and req->status), close the file and free req. 0, or -1 with the
 * reason in why when the reply could not be sent. */
int     deliver_request_done(STREAM *client, DELIVER_REQUEST *req,
                             const DSN *hop_dsn, BUF *why);

/* deliver_request_serve - agent side, the whole exchange for a
 * SERVER_SINGLE service() function: deliver_request_read(), then
 * deliver(req, ctx), which reports each recipient (deliver_result.h)
 * and returns the DSN for the reply (NULL, or the DSN of a failure of
 * the whole destination), then deliver_request_done(). Problems with
 * the client or the queue file are logged as warnings. */
typedef const DSN *(*DELIVER_FN) (DELIVER_REQUEST *req, void *ctx);

void    deliver_request_serve(STREAM *client, const MAIL_QUEUE_CONF *conf,
                              DELIVER_FN deliver, void *ctx);

/* deliver_request_send - qmgr side: read the agent's greeting, then send
 * req (fd, status and marked are ignored). 0, or -1 with the reason in
 * why. */
int     deliver_request_send(STREAM *agent, const DELIVER_REQUEST *req,
                             BUF *why);

/* deliver_reply_read - qmgr side: read the reply: the DSN parts into the
 * BUFs of reply (any of them may be NULL to skip) and the status
 * (DELIVER_STAT_OK or DELIVER_STAT_DEFER; "4294967295" and "-1" both
 * mean defer). 0, or -1 with the reason in why (the caller then treats
 * every recipient of the request as deferred). */
typedef struct DELIVER_REPLY {
    BUF    *status;
    BUF    *dtype;
    BUF    *dtext;
    BUF    *mtype;
    BUF    *mname;
    BUF    *action;
    BUF    *reason;
} DELIVER_REPLY;

int     deliver_reply_read(STREAM *agent, DELIVER_REPLY *reply,
                           int *status, BUF *why);

/* deliver_offset_text - a recipient offset as the wire has it: the
 * number, or DELIVER_OFFSET_NONE_TEXT; buf has DELIVER_OFFSET_SIZE bytes */
const char *deliver_offset_text(char *buf, long offset);

/* deliver_offset_parse - a recipient offset from the wire: a positive
 * decimal number, or DELIVER_OFFSET_NONE for DELIVER_OFFSET_NONE_TEXT or
 * "-1"; 0, or -1 for anything else */
int     deliver_offset_parse(const char *text, long *offset);

/* deliver_request_free - free a request built by deliver_request_read()
 * without replying (the connection was lost); closes the file */
void    deliver_request_free(DELIVER_REQUEST *req);

#endif
