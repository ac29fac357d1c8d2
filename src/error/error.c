/* error - the error/retry mail delivery agent, as Postfix's error(8).
 *
 * Model: a SINGLE server (mail_server.h), declared twice in master.cf:
 *   error     unix  -       -       n       -       -       error
 *   retry     unix  -       -       n       -       -       error
 * qmgr sends "error" the recipients whose transport is "error:TEXT",
 * and "retry" those of a destination it found dead (nexthop "4.4.1
 * delivery temporarily suspended: ..."). The next-hop is the reason,
 * optionally after an enhanced status code. Under the service name
 * "retry" every recipient is deferred (default code 4.0.0), under any
 * other name bounced (default 5.0.0); a code of the other class is
 * ignored with Postfix's warning ("bounce_append: ignoring dsn code").
 * relay=none. The status services, log lines and done marks are
 * deliver_result.h's. As Postfix 3.7 logs it (docs/protocols/
 * delivery.md):
 *   to=<x@err.test>, relay=none, delay=0.14, delays=0.03/0.05/0/0.06,
 *   dsn=5.7.1, status=bounced (nope from error transport)
 * Parameters: queue_directory, hash_queue_names, hash_queue_depth,
 * delay_logging_resolution_limit, bounce_service_name,
 * defer_service_name, trace_service_name, ipc_timeout, and the
 * skeleton's. */
#include <stdbool.h>
#include <string.h>

#include "deliver_request.h"
#include "deliver_result.h"
#include "mail_server.h"

#define ERROR_RETRY_SERVICE     "retry"

static MAIL_QUEUE_CONF error_queue;
static bool error_retry;                /* running as "retry" */

/* error_deliver - bounce or defer every recipient */
static const DSN *
error_deliver(DELIVER_REQUEST *req, void *ctx)
{
    char    status[DSN_STATUS_SIZE];
    DSN     dsn = {.status = status};

    dsn.reason = dsn_split(status, error_retry ? "4.0.0" : "5.0.0",
                           req->nexthop);
    for (int i = 0; i < req->rcpt_count; i++) {
        if (error_retry)
            (void) deliver_deferred(req, req->rcpt + i, "none", &dsn);
        else
            (void) deliver_bounced(req, req->rcpt + i, "none", &dsn);
    }
    return NULL;
}

/* error_service - one delivery request */
static void
error_service(STREAM *client, const char *service, char **argv)
{
    deliver_request_serve(client, &error_queue, error_deliver, NULL);
}

/* error_post_init - the queue settings; which of the two services */
static void
error_post_init(const char *service, char **argv)
{
    mail_queue_conf_params(&error_queue);
    error_retry = strcmp(service, ERROR_RETRY_SERVICE) == 0;
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = error_post_init,
        .service = error_service,
    };

    mail_server_main(argc, argv, &spec);
}
