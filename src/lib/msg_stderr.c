/* msg_stderr - the stderr channel: "progname: warning: text". */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msg_output.h"

static char msg_stderr_name[256];

/* msg_stderr_write - write one line to stderr in one system call */
static void
msg_stderr_write(enum msg_level level, const char *text)
{
    char    line[4400];
    int     len;

    len = snprintf(line, sizeof(line), "%s: %s%s\n", msg_stderr_name,
                   msg_level_prefix(level), text);
    if (len < 0)
        return;
    if ((size_t) len >= sizeof(line))
        len = sizeof(line) - 1;
    if (write(STDERR_FILENO, line, len) < 0) {
        /* Nowhere left to report the failure. */
    }
}

/* msg_stderr_init - send messages to stderr, prefixed with progname */
void
msg_stderr_init(const char *progname)
{
    const char *slash = strrchr(progname, '/');

    snprintf(msg_stderr_name, sizeof(msg_stderr_name), "%s",
             slash ? slash + 1 : progname);
    msg_output_add(msg_stderr_write);
}
