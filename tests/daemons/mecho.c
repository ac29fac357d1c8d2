/* mecho - a MULTI-model test daemon: line echo, many clients per process.
 *
 * Like echo.c ("pid" returns the process id), but one process serves all
 * its clients in the event loop. For tests/system/test_master.py. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mail_server.h"
#include "msg.h"
#include "stream.h"

#define MECHO_LINE_MAX  4096

/* mecho_service - one line from a client */
static void
mecho_service(STREAM *client, const char *service, char **argv)
{
    BUF    *line = buf_alloc(100);

    if (stream_get_line(client, line, MECHO_LINE_MAX) == EOF) {
        msg_info("mecho: disconnect");
        mail_server_disconnect(client);
    } else {
        buf_trim_right(line);
        if (strcmp(buf_str(line), "pid") == 0)
            stream_printf(client, "%d\n", (int) getpid());
        else
            stream_printf(client, "%s\n", buf_str(line));
        if (stream_flush(client) < 0)
            mail_server_disconnect(client);
    }
    buf_free(line);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_MULTI,
        .service = mecho_service,
    };

    mail_server_main(argc, argv, &spec);
}
