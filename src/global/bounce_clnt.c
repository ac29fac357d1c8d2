/* bounce_clnt - the client of the delivery status services (see
 * bounce_clnt.h and docs/protocols/delivery-status.md).
 *
 * Model: the exchanges Debian's Postfix 3.7 agents and qmgr have with
 * bounce, defer and trace (../notes/deliver-protocol.md 3.1, 4.1, 4.2,
 * 5), one connection per request:
 *
 *   service -> client   protocol=delivery_status_protocol
 *   client  -> service  nrequest=N flags=F ... (the request)
 *   service -> client   status=0
 *
 * The service path is private/$NAME_service_name relative to the
 * current directory (daemons run in the queue directory); the connect
 * and every read or write wait at most $ipc_timeout. Anything but
 * "status 0" is a failure with the reason in why, in the words of
 * cleanup_clnt ("lost connection with private/bounce while reading the
 * status"). Peers: deliver_result.c (appends), qmgr (appends, notices),
 * the bounce program (the server). */
#include <stdarg.h>
#include <string.h>

#include "attr.h"
#include "bounce_clnt.h"
#include "mail_params.h"
#include "sock.h"

/* bounce_clnt_path - "private/NAME" of a log's service */
static void
bounce_clnt_path(BUF *path, BOUNCE_LOG log)
{
    const char *name;

    switch (log) {
    case BOUNCE_LOG_BOUNCE:
        name = var_bounce_service_name;
        break;
    case BOUNCE_LOG_DEFER:
        name = var_defer_service_name;
        break;
    default:
        name = var_trace_service_name;
        break;
    }
    buf_sprintf(path, "private/%s", name);
}

/* bounce_clnt_io_error - why an exchange failed: "HOW PATH while DOING" */
static void
bounce_clnt_io_error(STREAM *sp, const BUF *path, const char *doing,
                     BUF *why)
{
    const char *how;

    if (stream_timedout(sp))
        how = "timeout on";
    else if (stream_error(sp) || stream_eof(sp))
        how = "lost connection with";
    else
        how = "malformed reply from";
    buf_sprintf(why, "%s %s while %s", how, buf_str(path), doing);
}

/* bounce_clnt_open - connect to the service and check its greeting;
 * NULL with the reason in why */
static STREAM *
bounce_clnt_open(const BUF *path, BUF *why)
{
    BUF    *proto = buf_alloc(30);
    STREAM *sp;
    int     fd;

    if ((fd = unix_connect(buf_str(path), var_ipc_timeout, why)) < 0) {
        buf_free(proto);
        return NULL;
    }
    sp = stream_fdopen(fd);
    stream_set_timeout(sp, var_ipc_timeout);
    if (attr_scan(sp, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(DEL_ATTR_PROTOCOL, proto),
                  ATTR_TYPE_END) != 1) {
        bounce_clnt_io_error(sp, path, "reading the greeting", why);
    } else if (strcmp(buf_str(proto), BOUNCE_PROTOCOL) != 0) {
        buf_sprintf(why, "unexpected protocol \"%.100s\" from %s",
                    buf_str(proto), buf_str(path));
    } else {
        buf_free(proto);
        return sp;
    }
    buf_free(proto);
    (void) stream_close(sp);
    return NULL;
}

/* bounce_clnt_finish - after the request: read the status and close;
 * sent is the result of sending the request. The status is read as
 * text: a failure is -1 written as "4294967295", too big for an int. */
static int
bounce_clnt_finish(STREAM *sp, const BUF *path, int sent, BUF *why)
{
    BUF    *status = buf_alloc(20);
    int     ret = -1;

    if (sent < 0)
        bounce_clnt_io_error(sp, path, "sending the request", why);
    else if (attr_scan(sp, ATTR_FLAG_STRICT,
                       RECV_ATTR_STR(DEL_ATTR_STATUS, status),
                       ATTR_TYPE_END) != 1)
        bounce_clnt_io_error(sp, path, "reading the status", why);
    else if (strcmp(buf_str(status), "0") != 0)
        buf_sprintf(why, "%s answered status %.30s", buf_str(path),
                    buf_str(status));
    else
        ret = 0;
    buf_free(status);
    (void) stream_close(sp);
    return ret;
}

/* bounce_clnt_request - one request (attr_print() arguments) to a
 * log's service, and its answer; 0, or -1 with the reason in why */
static int
bounce_clnt_request(BOUNCE_LOG log, BUF *why, ...)
{
    BUF    *path = buf_alloc(30);
    STREAM *sp;
    va_list ap;
    int     sent;
    int     ret = -1;

    bounce_clnt_path(path, log);
    if ((sp = bounce_clnt_open(path, why)) != NULL) {
        va_start(ap, why);
        sent = attr_vprint(sp, ATTR_FLAG_NONE, ap);
        va_end(ap);
        ret = bounce_clnt_finish(sp, path, sent, why);
    }
    buf_free(path);
    return ret;
}

/* bounce_append - append one recipient's result to a log */
int
bounce_append(BOUNCE_LOG log, int flags, const char *queue_id,
              const RECIPIENT *rcpt, const DSN *dsn, BUF *why)
{
    return bounce_clnt_request(log, why,
                               SEND_ATTR_INT(BOUNCE_ATTR_NREQUEST,
                                             BOUNCE_CMD_APPEND),
                               SEND_ATTR_INT(DEL_ATTR_FLAGS,
                                             flags & DEL_REQ_TRACE_FLAGS),
                               SEND_ATTR_STR(DEL_ATTR_QUEUE_ID, queue_id),
                               DEL_SEND_RCPT(rcpt), DEL_SEND_DSN(dsn),
                               ATTR_TYPE_END);
}

/* bounce_notify - ask for a notice about a message */
int
bounce_notify(BOUNCE_LOG log, int cmd, int flags, const BOUNCE_MSG *msg,
              BUF *why)
{
    return bounce_clnt_request(log, why,
                               SEND_ATTR_INT(BOUNCE_ATTR_NREQUEST, cmd),
                               SEND_ATTR_INT(DEL_ATTR_FLAGS, flags),
                               SEND_ATTR_STR(DEL_ATTR_QUEUE_NAME,
                                             msg->queue_name),
                               SEND_ATTR_STR(DEL_ATTR_QUEUE_ID,
                                             msg->queue_id),
                               SEND_ATTR_STR(DEL_ATTR_ENCODING,
                                             DEL_TEXT(msg->encoding)),
                               SEND_ATTR_INT(DEL_ATTR_SMTPUTF8,
                                             msg->smtputf8),
                               SEND_ATTR_STR(DEL_ATTR_SENDER,
                                             DEL_TEXT(msg->sender)),
                               SEND_ATTR_STR(DEL_ATTR_ENVID,
                                             DEL_TEXT(msg->dsn_envid)),
                               SEND_ATTR_INT(DEL_ATTR_RET, msg->dsn_ret),
                               ATTR_TYPE_END);
}
