/* virtual - the virtual mailbox delivery agent, as Postfix's virtual(8).
 *
 * Model: a SINGLE server (mail_server.h) on private/virtual, declared in
 * master.cf as "virtual unix - n n - - virtual": not unprivileged,
 * because it writes each mailbox with the ids that virtual_uid_maps and
 * virtual_gid_maps give (set_eugid.h); between deliveries it works with
 * mail_owner's effective ids. Each connection from qmgr carries one
 * delivery request (delivery_request_protocol, deliver_request.h) for
 * recipients in virtual_mailbox_domains; virtual_deliver() delivers each
 * one to $virtual_mailbox_base/$virtual_mailbox_maps(recipient) and
 * reports it (deliver_result.h). The parts are listed in virtual.h;
 * behaviour and differences from Postfix are in docs/virtual.md. */
#include "mail_server.h"
#include "virtual.h"

/* virtual_service - one delivery request */
static void
virtual_service(STREAM *client, const char *service, char **argv)
{
    deliver_request_serve(client, &virtual_conf.queue, virtual_deliver,
                          NULL);
}

/* virtual_post_init - the settings, mail_owner's ids, the tables */
static void
virtual_post_init(const char *service, char **argv)
{
    virtual_conf_init(service);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = virtual_post_init,
        .service = virtual_service,
    };

    mail_server_main(argc, argv, &spec);
}
