/* echo - a SINGLE-model test daemon: a line-echo service.
 *
 * Each line a client sends comes back unchanged, except for commands:
 * "pid" (reply: the process id), "uid" (reply: real and effective uid),
 * "quit" (reply "bye", disconnect), "lookup KEY" (reply: the value of KEY
 * in the tables named by the first service argument, "-" when not found,
 * "?" on a lookup error). Logs "echo: connect from ADDR" and
 * "echo: disconnect from ADDR". For tests/system/test_master.py. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mail_server.h"
#include "maps.h"
#include "msg.h"
#include "sock.h"
#include "stream.h"

#define ECHO_LINE_MAX   4096

/* echo_lookup - answer "lookup KEY" from the tables in argv[0] */
static void
echo_lookup(STREAM *client, const char *key, char **argv)
{
    static MAPS *maps;
    const char *value;

    if (argv[0] == NULL) {
        stream_puts(client, "no tables\n");
        return;
    }
    if (maps == NULL)
        maps = maps_create("echo_maps", argv[0], DICT_FLAG_DEFAULT);
    value = maps_find(maps, key, 0);
    stream_printf(client, "%s\n", value ? value : maps->error ? "?" : "-");
}

/* echo_service - serve one client */
static void
echo_service(STREAM *client, const char *service, char **argv)
{
    BUF    *line = buf_alloc(100);
    BUF    *addr = buf_alloc(50);

    sock_peer_addr(stream_fd(client), addr, NULL);
    msg_info("echo: connect from %s", buf_str(addr));
    for (;;) {
        buf_reset(line);
        if (stream_get_line(client, line, ECHO_LINE_MAX) == EOF)
            break;
        buf_trim_right(line);
        if (strcmp(buf_str(line), "pid") == 0)
            stream_printf(client, "%d\n", (int) getpid());
        else if (strcmp(buf_str(line), "uid") == 0)
            stream_printf(client, "%d %d\n", (int) getuid(), (int) geteuid());
        else if (strncmp(buf_str(line), "lookup ", 7) == 0)
            echo_lookup(client, buf_str(line) + 7, argv);
        else if (strcmp(buf_str(line), "quit") == 0) {
            stream_puts(client, "bye\n");
            stream_flush(client);
            break;
        } else
            stream_printf(client, "%s\n", buf_str(line));
        if (stream_flush(client) < 0)
            break;
    }
    msg_info("echo: disconnect from %s", buf_str(addr));
    buf_free(line);
    buf_free(addr);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .service = echo_service,
    };

    mail_server_main(argc, argv, &spec);
}
