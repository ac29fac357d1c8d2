/* qmgr_deliver - hand one entry to its delivery agent and take the reply.
 *
 * As Postfix's qmgr: one connection to private/TRANSPORT per request
 * (src/global/deliver_request.h, docs/protocols/delivery.md). The agent
 * speaks first; qmgr waits for the greeting in the event loop (master
 * may still be starting the agent process), sends the request, and waits
 * for the reply the same way, so other deliveries go on meanwhile. The
 * agent records each recipient's result itself (status service, log
 * line, done mark); the reply only tells qmgr whether some recipient
 * must be retried (the message is then deferred) and whether the whole
 * destination failed (concurrency feedback, dead destination). A lost
 * connection defers every recipient of the request with a reason in
 * Postfix's words; an agent that cannot be reached makes its transport
 * dead for a while. */
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "sock.h"

/* qmgr_deliver_cache_flags - on-demand connection caching: while more
 * mail waits for this destination, or other deliveries to it are under
 * way (busy counts this one too), ask the agent to use and save cached
 * sessions (DEL_REQ_FLAG_CONN_*, deliver_request.h; smtp(8) honours them
 * with smtp_connection_cache_on_demand). Postfix's qmgr keeps the flags
 * on while deliveries are concurrent or back to back; here each request
 * decides from the queue's counts. */
static int
qmgr_deliver_cache_flags(const QMGR_QUEUE *queue)
{
    return queue->todo > 0 || queue->busy > 1 ? DEL_REQ_FLAG_CONN_MASK : 0;
}

/* qmgr_deliver_request - the request for an entry (strings borrowed) */
static void
qmgr_deliver_request(const QMGR_ENTRY *entry, DELIVER_REQUEST *req)
{
    const QMGR_MESSAGE *m = entry->message;

    memset(req, 0, sizeof(*req));
    req->flags = DEL_REQ_FLAG_DEFAULT | m->tflags
        | qmgr_deliver_cache_flags(entry->queue);
    req->queue_name = MAIL_QUEUE_ACTIVE;
    req->queue_id = m->queue_id;
    req->data_offset = m->data_offset;
    req->data_size = m->data_size;
    req->nexthop = entry->queue->name;
    req->encoding = m->encoding;
    req->smtputf8 = m->smtputf8;
    req->sender = m->sender;
    req->dsn_envid = m->dsn_envid;
    req->dsn_ret = m->dsn_ret;
    req->times.arrival = m->arrival;
    req->times.active = m->active;
    req->client_name = m->client_name;
    req->client_addr = m->client_addr;
    req->client_port = m->client_port;
    req->client_proto = m->client_proto;
    req->client_helo = m->client_helo;
    req->sasl_method = m->sasl_method;
    req->sasl_username = m->sasl_username;
    req->sasl_sender = m->sasl_sender;
    req->log_ident = m->log_ident;
    req->rewrite_context = m->rewrite_context;
    req->rcpt = entry->rcpt;
    req->rcpt_count = entry->rcpt_count;
    req->fd = -1;
}

/* qmgr_deliver_end - the entry is back: close, account, finish */
static void
qmgr_deliver_end(QMGR_ENTRY *entry, const char *hop_status,
                 const char *hop_reason)
{
    QMGR_QUEUE *queue = entry->queue;

    if (entry->agent) {
        event_disable_readwrite(stream_fd(entry->agent));
        (void) stream_close(entry->agent);
        entry->agent = NULL;
    }
    qmgr_entry_done(entry);
    qmgr_queue_done(queue, hop_status, hop_reason);
    qmgr_schedule_later();
}

/* qmgr_deliver_lost - the agent went away: defer the whole request */
static void
qmgr_deliver_lost(QMGR_ENTRY *entry, const char *why)
{
    msg_warn("%s: lost connection with %s service: %s",
             entry->message->queue_id, entry->queue->transport->name, why);
    qmgr_defer_rcpts(entry, "4.3.0", "unknown mail transport error");
    qmgr_deliver_end(entry, NULL, NULL);
}

/* qmgr_deliver_reply - the agent answered */
static void
qmgr_deliver_reply(int event, void *ctx)
{
    QMGR_ENTRY *entry = ctx;
    DELIVER_REPLY reply = {
        .status = buf_alloc(10), .reason = buf_alloc(100),
    };
    BUF    *why = buf_alloc(100);
    int     status;

    if (deliver_reply_read(entry->agent, &reply, &status, why) < 0) {
        qmgr_deliver_lost(entry, buf_str(why));
    } else {
        if (status != DELIVER_STAT_OK)
            entry->message->defer = true;
        qmgr_deliver_end(entry, buf_str(reply.status),
                         status != DELIVER_STAT_OK && *buf_str(reply.status)
                         ? buf_str(reply.reason) : NULL);
    }
    buf_free(reply.status);
    buf_free(reply.reason);
    buf_free(why);
}

/* qmgr_deliver_send - the agent greeted: send the request */
static void
qmgr_deliver_send(int event, void *ctx)
{
    QMGR_ENTRY *entry = ctx;
    DELIVER_REQUEST req;
    BUF    *why = buf_alloc(100);

    event_disable_readwrite(stream_fd(entry->agent));
    qmgr_deliver_request(entry, &req);
    if (deliver_request_send(entry->agent, &req, why) < 0)
        qmgr_deliver_lost(entry, buf_str(why));
    else
        event_enable_read(stream_fd(entry->agent), qmgr_deliver_reply, entry);
    buf_free(why);
}

/* qmgr_deliver - start delivering an entry (its queue counted it busy) */
void
qmgr_deliver(QMGR_ENTRY *entry)
{
    QMGR_QUEUE *queue = entry->queue;
    QMGR_TRANSPORT *transport = queue->transport;
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    int     fd;

    buf_sprintf(path, "private/%s", transport->name);
    if ((fd = unix_connect(buf_str(path), var_qmgr_ipc_timeout, why)) < 0) {
        msg_warn("connect to transport %s: %s", buf_str(path), buf_str(why));
        qmgr_defer_entry(entry, "4.3.0", "mail transport unavailable");
        qmgr_queue_release(queue);
        qmgr_transport_dead(transport, buf_str(why));
    } else {
        entry->agent = stream_fdopen(fd);
        stream_set_timeout(entry->agent, var_qmgr_ipc_timeout);
        event_enable_read(fd, qmgr_deliver_send, entry);
    }
    buf_free(path);
    buf_free(why);
}
