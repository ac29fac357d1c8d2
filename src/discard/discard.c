/* discard - the discard mail delivery agent, as Postfix's discard(8).
 *
 * Model: a SINGLE server (mail_server.h) on private/discard, declared in
 * master.cf as "discard unix - - n - - discard". qmgr sends it the
 * recipients whose transport is "discard:TEXT"; the next-hop is the
 * reason, optionally after an enhanced status code ("discard:2.7.0
 * spam"). Every recipient is reported sent with relay=none and that
 * reason, status 2.0.0 unless a 2.X.Y code was given (another class is
 * ignored with Postfix's warning "sent: ignoring dsn code"); the trace
 * service is told when the sender asked for success notices or the
 * request is a verification, and the recipient is marked done (see
 * deliver_result.h). Nothing is delivered anywhere. As Postfix 3.7
 * logs it (docs/protocols/delivery.md):
 *   to=<x@disc.test>, relay=none, delay=0.12, delays=0.06/0.06/0/0,
 *   dsn=2.0.0, status=sent (discard reason text)
 * Parameters: queue_directory, hash_queue_names, hash_queue_depth,
 * delay_logging_resolution_limit, trace_service_name,
 * defer_service_name, ipc_timeout, and the skeleton's. */
#include "deliver_request.h"
#include "deliver_result.h"
#include "mail_server.h"

static MAIL_QUEUE_CONF discard_queue;

/* discard_deliver - report every recipient sent */
static const DSN *
discard_deliver(DELIVER_REQUEST *req, void *ctx)
{
    char    status[DSN_STATUS_SIZE];
    DSN     dsn = {.status = status};

    dsn.reason = dsn_split(status, "2.0.0", req->nexthop);
    for (int i = 0; i < req->rcpt_count; i++)
        (void) deliver_sent(req, req->rcpt + i, "none", &dsn);
    return NULL;
}

/* discard_service - one delivery request */
static void
discard_service(STREAM *client, const char *service, char **argv)
{
    deliver_request_serve(client, &discard_queue, discard_deliver, NULL);
}

/* discard_post_init - the queue settings */
static void
discard_post_init(const char *service, char **argv)
{
    mail_queue_conf_params(&discard_queue);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = discard_post_init,
        .service = discard_service,
    };

    mail_server_main(argc, argv, &spec);
}
