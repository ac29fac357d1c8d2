/* bounce_clnt - clients of the delivery status services: bounce, defer,
 * trace (one program, src/bounce/, under three master.cf names).
 *
 * Postfix's delivery_status_protocol (docs/protocols/delivery-status.md):
 * connect to private/$bounce_service_name (or defer_service_name,
 * trace_service_name), read the greeting
 * "protocol=delivery_status_protocol", send one request starting with
 * "nrequest", read "status". One connection per request.
 *
 * Agents append one recipient's result to the message's log
 * (bounce/ID, defer/H/ID or trace/ID; the service fsyncs it before it
 * answers). qmgr asks for the notices: a flush of the bounce log (the
 * non-delivery report), the defer log of an expired message (NDR, and
 * the service marks the recipients done), a delay warning, a trace
 * report (success notices, sendmail -bv/-v). Issue 6 builds the notices;
 * until then a flush may answer failure, and qmgr keeps the message.
 * Library code: nothing here exits. */
#ifndef BOUNCE_CLNT_H
#define BOUNCE_CLNT_H

#include "buf.h"
#include "deliver_request.h"
#include "dsn.h"

#define BOUNCE_PROTOCOL         "delivery_status_protocol"

/* The request number attribute; the others are deliver_request.h's
 * DEL_ATTR_* names. */
#define BOUNCE_ATTR_NREQUEST    "nrequest"

/* The nrequest values (Postfix's). */
#define BOUNCE_CMD_APPEND       0       /* append one recipient to a log */
#define BOUNCE_CMD_FLUSH        1       /* send the notice for a log */
#define BOUNCE_CMD_WARN         2       /* send a delay warning */
#define BOUNCE_CMD_VERP         3       /* flush, one notice per recipient */
#define BOUNCE_CMD_ONE          4       /* bounce one recipient, no log */
#define BOUNCE_CMD_TRACE        5       /* send a delivery report */

/* Flags of flush requests. */
#define BOUNCE_FLAG_NONE        0
#define BOUNCE_FLAG_CLEAN       (1<<0)  /* remove the log after failure */
#define BOUNCE_FLAG_DELRCPT     (1<<1)  /* mark the recipients done */

/* Which log: the service names come from main.cf. */
typedef enum {
    BOUNCE_LOG_BOUNCE, BOUNCE_LOG_DEFER, BOUNCE_LOG_TRACE,
} BOUNCE_LOG;

/* bounce_append - append rcpt's result to the message's log; flags are
 * the delivery request's flags, of which the service is told only
 * DEL_REQ_TRACE_FLAGS (a verification request is recorded as such: "512"
 * for sendmail -bv, "1024" for sendmail -v, "0" normally). 0 when the
 * service recorded it, -1 with the reason in why. */
int     bounce_append(BOUNCE_LOG log, int flags, const char *queue_id,
                      const RECIPIENT *rcpt, const DSN *dsn, BUF *why);

/* The message a notice is about (flush, warn, trace requests). */
typedef struct BOUNCE_MSG {
    const char *queue_name;             /* "active" */
    const char *queue_id;
    const char *encoding;
    int     smtputf8;
    const char *sender;                 /* "" for the null sender */
    const char *dsn_envid;
    int     dsn_ret;
} BOUNCE_MSG;

/* bounce_notify - ask the service for a notice: cmd BOUNCE_CMD_FLUSH,
 * _WARN or _TRACE, flags BOUNCE_FLAG_*. 0 when the service answered 0
 * (notice queued, or none was due), -1 with the reason in why. */
int     bounce_notify(BOUNCE_LOG log, int cmd, int flags,
                      const BOUNCE_MSG *msg, BUF *why);

#endif
