/* pipe - delivery to external commands, as Postfix's pipe(8).
 *
 * Model: a SINGLE server (mail_server.h) on private/SERVICE, declared in
 * master.cf with its command attributes, e.g.
 *   uucp unix - n n - - pipe
 *     flags=Fqhu user=uucp argv=uux -r -n -z -a$sender - $nexthop!rmail
 *       ($recipient)
 * It is not unprivileged: it runs as root to start the command as user=
 * (pipe_command.h gives up root for good in the child); otherwise it
 * works with mail_owner's effective ids. The attributes are parsed once
 * here (pipe_attr.c; every problem is fatal, in Postfix's words); each
 * connection from qmgr carries one delivery request (deliver_request.h)
 * that pipe_deliver() turns into one command run. The service name
 * (master.cf's first column) is the log's relay= and the prefix of the
 * per-service parameters: SERVICE_time_limit here, and in qmgr
 * SERVICE_destination_recipient_limit and friends. Behaviour and
 * differences from Postfix: docs/pipe.md. */
#include <limits.h>
#include <unistd.h>

#include "conv.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "pipe.h"
#include "priv.h"
#include "set_eugid.h"

static PIPE_SERVICE pipe_service_conf;

/* pipe_time_limit - SERVICE_time_limit, else command_time_limit */
static int
pipe_time_limit(const char *service)
{
    BUF    *name = buf_alloc(100);
    const char *text;
    long    value = var_command_time_limit;

    buf_sprintf(name, "%s_time_limit", service);
    if (mail_conf_lookup(buf_str(name)) != NULL
        && ((text = mail_conf_eval(buf_str(name))) == NULL
            || conv_time(text, 's', &value) < 0 || value <= 0
            || value > INT_MAX))
        msg_fatal("bad numerical configuration: %s = %s", buf_str(name),
                  mail_conf_lookup(buf_str(name)));
    buf_free(name);
    return (int) value;
}

/* pipe_service - one delivery request */
static void
pipe_service(STREAM *client, const char *service, char **argv)
{
    deliver_request_serve(client, &pipe_service_conf.queue, pipe_deliver,
                          &pipe_service_conf);
}

/* pipe_post_init - the attributes and settings, then mail_owner's ids */
static void
pipe_post_init(const char *service, char **argv)
{
    BUF    *why = buf_alloc(100);
    uid_t   owner_uid = geteuid();
    gid_t   owner_gid = getegid();

    if (set_eugid_capable()
        && priv_lookup_user(var_mail_owner, &owner_uid, &owner_gid) < 0)
        msg_fatal("unknown mail_owner user: %s", var_mail_owner);
    if (pipe_attr_parse(argv, owner_uid, var_mail_owner,
                        &pipe_service_conf.attr, why) < 0)
        msg_fatal("%s", buf_str(why));
    pipe_service_conf.name = service;
    pipe_service_conf.time_limit = pipe_time_limit(service);
    mail_queue_conf_params(&pipe_service_conf.queue);
    set_eugid(owner_uid, owner_gid);
    buf_free(why);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = pipe_post_init,
        .service = pipe_service,
    };

    mail_server_main(argc, argv, &spec);
}
