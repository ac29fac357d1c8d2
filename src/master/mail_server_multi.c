/* mail_server_multi - the MULTI model: many clients in one event loop.
 *
 * Accepted clients are watched for input; service() runs each time a
 * client has input (again while input remains buffered) and must not
 * block for long. A client ends with mail_server_disconnect(). The
 * process reports TAKEN when it gets its first client and AVAIL when the
 * last one is gone; each client counts as one use for max_use. With -S
 * the one client is stdin/stdout. See mail_server.c. */
#include <stdint.h>

#include "event.h"
#include "mail_params.h"
#include "mail_server_int.h"
#include "msg.h"

static int mail_server_multi_clients;           /* connected now */
static STREAM *mail_server_multi_current;       /* in service() */
static bool mail_server_multi_gone;             /* ... and disconnected */

/* mail_server_multi_client_event - a client has input (or hung up) */
static void
mail_server_multi_client_event(int event, void *ctx)
{
    STREAM *client = ctx;
    const SERVER_SPEC *spec = mail_server.spec;

    mail_server_multi_current = client;
    mail_server_multi_gone = false;
    do {
        spec->service(client, mail_server.service, mail_server.argv);
    } while (!mail_server_multi_gone && stream_buffered(client) > 0);
    mail_server_multi_current = NULL;
}

/* mail_server_multi_add - start watching a new client */
static void
mail_server_multi_add(STREAM *client)
{
    if (mail_server_multi_clients++ == 0)
        mail_server_taken();
    event_enable_read(stream_fd(client), mail_server_multi_client_event,
                      client);
    if (mail_server.spec->post_accept)
        mail_server.spec->post_accept(client, mail_server.service,
                                      mail_server.argv);
}

/* mail_server_multi_accept_event - a listener is readable */
static void
mail_server_multi_accept_event(int event, void *ctx)
{
    int     fd;
    STREAM *client;

    if ((fd = mail_server_accept((int) (intptr_t) ctx)) < 0)
        return;
    client = stream_fdopen(fd);
    stream_set_timeout(client, var_ipc_timeout);
    mail_server_multi_add(client);
    mail_server_used();
}

/* mail_server_disconnect - MULTI: close a client and stop watching it */
void
mail_server_disconnect(STREAM *client)
{
    if (client == mail_server_multi_current)
        mail_server_multi_gone = true;
    event_disable_readwrite(stream_fd(client));
    (void) stream_close(client);
    if (--mail_server_multi_clients == 0)
        mail_server_idle();
}

/* mail_server_multi_main - the MULTI loop; never returns */
void
mail_server_multi_main(void)
{
    if (mail_server.spec->service == NULL)
        msg_panic("mail_server_multi: no service function");
    if (mail_server.standalone) {
        mail_server_multi_add(mail_server_stdio());
    } else {
        if (mail_server.type == MASTER_TYPE_UNIX_DGRAM
            || mail_server.type == MASTER_TYPE_FIFO)
            msg_fatal("service %s: type %s needs the trigger model",
                      mail_server.service, mail_server.type_name);
        mail_server_watch(mail_server_multi_accept_event);
    }
    for (;;)
        event_loop(-1);
}
