/* mail_server_single - the SINGLE model: one client at a time.
 *
 * The process waits in the event loop for any of its listeners; when one
 * is readable it accepts (another process may have been faster), reports
 * TAKEN, calls service() with the client stream (timeout $ipc_timeout),
 * closes the stream, counts the use and reports AVAIL (or exits at
 * max_use, or because master is gone). With -S the one client is
 * stdin/stdout; with -z there are no listeners. See mail_server.c. */
#include <stdint.h>

#include "event.h"
#include "mail_params.h"
#include "mail_server_int.h"
#include "msg.h"

/* mail_server_single_serve - serve one client stream and close it */
static void
mail_server_single_serve(STREAM *client)
{
    const SERVER_SPEC *spec = mail_server.spec;

    if (spec->service == NULL)
        msg_panic("mail_server_single: no service function");
    spec->service(client, mail_server.service, mail_server.argv);
    (void) stream_close(client);
}

/* mail_server_single_event - a listener is readable: take the client */
static void
mail_server_single_event(int event, void *ctx)
{
    int     fd;
    STREAM *client;

    if ((fd = mail_server_accept((int) (intptr_t) ctx)) < 0)
        return;
    mail_server_taken();
    client = stream_fdopen(fd);
    stream_set_timeout(client, var_ipc_timeout);
    mail_server_single_serve(client);
    mail_server_used();
    mail_server_idle();
}

/* mail_server_single_main - the SINGLE loop; never returns */
void
mail_server_single_main(void)
{
    if (mail_server.standalone) {
        mail_server_single_serve(mail_server_stdio());
        mail_server_exit();
    }
    if (mail_server.type == MASTER_TYPE_UNIX_DGRAM
        || mail_server.type == MASTER_TYPE_FIFO)
        msg_fatal("service %s: type %s needs the trigger model",
                  mail_server.service, mail_server.type_name);
    mail_server_watch(mail_server_single_event);
    for (;;)
        event_loop(-1);
}
