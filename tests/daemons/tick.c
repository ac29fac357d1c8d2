/* tick - a TRIGGER-model test daemon that logs each wakeup.
 *
 * Logs "tick: wakeup N: C" for the Nth request, C being the first byte
 * ('W' for master's wakeup). For tests/system/test_master.py. */
#include <stddef.h>
#include <unistd.h>

#include "mail_server.h"
#include "msg.h"

static int tick_count;

/* tick_trigger - log one request */
static void
tick_trigger(const char *buf, size_t len, const char *service, char **argv)
{
    tick_count++;
    msg_info("tick: wakeup %d: %c (%zu bytes, pid %d)", tick_count,
             len > 0 ? buf[0] : '-', len, (int) getpid());
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_TRIGGER,
        .trigger = tick_trigger,
    };

    mail_server_main(argc, argv, &spec);
}
