/* qmqpd - the QMQP server (Postfix's qmqpd).
 *
 * One message per connection. A client that qmqpd_authorized_clients
 * does not list gets "DError: NAME[ADDR] is not authorized to use this
 * service" at once. Otherwise the cleanup connection is opened first (the
 * queue id is logged as "ID: client=NAME[ADDR]"), the request is read and
 * passed on (qmqpd_read.c, qmqpd_queue.c), and the one reply is a
 * netstring: "KOk: queued as ID" only after cleanup committed the
 * message; "DError: ..." (permanent) or "ZError: ..." (temporary)
 * otherwise, after $qmqpd_error_delay. A malformed request or a part
 * over its limit is answered "Dnetstring format error while receiving
 * STAGE" at once, and the partial message is dropped. Log lines are
 * Postfix's. */
#include <stdarg.h>
#include <unistd.h>

#include "cleanup_strerror.h"
#include "mail_params.h"
#include "mail_server.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "netstring.h"
#include "qmqpd.h"

static MATCH_LIST *qmqpd_clients;       /* qmqpd_authorized_clients */
static char *qmqpd_cleanup_path;
static int qmqpd_cleanup_flags;

/* qmqpd_reply - send a reply netstring, after the error delay if asked */
void
qmqpd_reply(QMQPD_STATE *state, bool delay, const char *fmt, ...)
{
    BUF    *text = buf_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    buf_vsprintf_append(text, fmt, ap);
    va_end(ap);
    if (delay && var_qmqpd_error_delay > 0)
        sleep((unsigned) var_qmqpd_error_delay);
    (void) netstring_put(state->client, buf_str(text), buf_len(text));
    (void) stream_flush(state->client);
    buf_free(text);
}

/* qmqpd_authorized - whether the client may use the service */
static bool
qmqpd_authorized(QMQPD_STATE *state)
{
    BUF    *why = buf_alloc(100);
    int     found = match_list_match(qmqpd_clients, state->peer.name,
                                     state->peer.addr, why);

    if (found < 0)
        msg_warn("%s", buf_str(why));
    buf_free(why);
    return found > 0;
}

/* qmqpd_read_failed - log and answer a request that could not be read */
static void
qmqpd_read_failed(QMQPD_STATE *state, int err)
{
    const char *id = state->queue_id;
    const char *who = state->peer.namaddr;

    cleanup_abort(state->cleanup);
    state->cleanup = NULL;
    if (err == NETSTRING_ERR_EOF) {
        msg_info("%s: %s: lost connection while receiving %s", id, who,
                 state->where);
    } else if (err == NETSTRING_ERR_TIME) {
        msg_info("%s: %s: timeout while receiving %s", id, who,
                 state->where);
    } else {
        msg_info("%s: %s: netstring %s while receiving %s", id, who,
                 netstring_strerror(err), state->where);
        qmqpd_reply(state, false, "Dnetstring %s while receiving %s",
                    netstring_strerror(err), state->where);
    }
}

/* qmqpd_verdict - answer with cleanup's verdict */
static void
qmqpd_verdict(QMQPD_STATE *state, int status, BUF *reason)
{
    const CLEANUP_STAT_DETAIL *detail = cleanup_stat_detail(status);

    if (status == 0)
        qmqpd_reply(state, false, "KOk: queued as %s", state->queue_id);
    else
        qmqpd_reply(state, true, "%cError: %s", detail->smtp >= 500 ?
                    'D' : 'Z', buf_len(reason) ? buf_str(reason)
                    : detail->text);
}

/* qmqpd_transaction - the message of an authorized client */
static void
qmqpd_transaction(QMQPD_STATE *state)
{
    BUF    *why = buf_alloc(100);
    int     err;

    state->cleanup = cleanup_open(qmqpd_cleanup_path, var_ipc_timeout,
                                  qmqpd_cleanup_flags, why);
    if (state->cleanup == NULL) {
        msg_warn("%s", buf_str(why));
        qmqpd_reply(state, true, "ZError: %s",
                    cleanup_strerror(CLEANUP_STAT_WRITE));
    } else {
        state->queue_id = mystrdup(cleanup_queue_id(state->cleanup));
        msg_info("%s: client=%s", state->queue_id, state->peer.namaddr);
        gettimeofday(&state->arrival, NULL);
        if ((err = qmqpd_read_request(state)) != 0) {
            qmqpd_read_failed(state, err);
        } else if (state->rcpt_count == 0) {
            msg_warn("%s: %s: Error: no recipients specified",
                     state->queue_id, state->peer.namaddr);
            cleanup_abort(state->cleanup);
            state->cleanup = NULL;
            qmqpd_reply(state, true, "DError: no recipients specified");
        } else {
            err = qmqpd_queue_finish(state, why);
            qmqpd_verdict(state, err, why);
        }
    }
    buf_free(why);
}

/* qmqpd_service - one client, one message */
static void
qmqpd_service(STREAM *client, const char *service, char **argv)
{
    QMQPD_STATE state = {.client = client};

    (void) service;
    (void) argv;
    stream_set_timeout(client, var_qmqpd_timeout);
    client_peer_init(&state.peer, stream_fd(client));
    state.message = buf_alloc(4096);
    state.sender = buf_alloc(100);
    state.rcpt = buf_alloc(100);
    msg_info("connect from %s", state.peer.namaddr);
    if (qmqpd_authorized(&state))
        qmqpd_transaction(&state);
    else
        qmqpd_reply(&state, true, "DError: %s is not authorized to use "
                    "this service", state.peer.namaddr);
    msg_info("disconnect from %s", state.peer.namaddr);
    buf_free(state.message);
    buf_free(state.sender);
    buf_free(state.rcpt);
    myfree(state.first_rcpt);
    myfree(state.queue_id);
    client_peer_free(&state.peer);
}

/* qmqpd_post_init - the settings from main.cf */
static void
qmqpd_post_init(const char *service, char **argv)
{
    BUF    *why = buf_alloc(100);

    (void) service;
    (void) argv;
    qmqpd_clients = match_list_create("qmqpd_authorized_clients",
                                      MATCH_NAMADR,
                                      var_qmqpd_authorized_clients,
                                      MATCH_FLAG_PARENT_STYLE, why);
    if (qmqpd_clients == NULL)
        msg_fatal("%s", buf_str(why));
    if ((qmqpd_cleanup_flags = cleanup_override(CLEANUP_FLAG_MASK_EXTERNAL,
                                                var_receive_override_options,
                                                why)) < 0)
        msg_fatal("%s", buf_str(why));
    buf_sprintf(why, "public/%s", var_cleanup_service_name);
    qmqpd_cleanup_path = buf_export(why);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = qmqpd_post_init,
        .service = qmqpd_service,
    };

    mail_server_main(argc, argv, &spec);
}
