/* local - the local delivery agent, as Postfix's local(8).
 *
 * Model: a SINGLE server (mail_server.h) on private/local, declared in
 * master.cf as "local unix - n n - - local": not unprivileged, because
 * it delivers as each recipient (set_eugid.h); between steps it works
 * with mail_owner's effective ids. Each connection from qmgr carries one
 * delivery request (delivery_request_protocol, deliver_request.h);
 * local_deliver() expands and delivers its recipients and reports each
 * result (deliver_result.h). The parts are listed in local.h; what is
 * Postfix's behaviour and where Postern differs is in docs/local.md.
 * Parameters: see local_conf.c and docs/local.md. */
#include "local.h"
#include "mail_server.h"

/* local_service - one delivery request */
static void
local_service(STREAM *client, const char *service, char **argv)
{
    deliver_request_serve(client, &local_conf.queue, local_deliver, NULL);
}

/* local_post_init - the settings, the tables, then mail_owner's ids */
static void
local_post_init(const char *service, char **argv)
{
    local_conf_init(service);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = local_post_init,
        .service = local_service,
    };

    mail_server_main(argc, argv, &spec);
}
