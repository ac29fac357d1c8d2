/* msg_syslog - the syslog channel, with Postfix's tag "syslog_name/service". */
#include <stdio.h>
#include <syslog.h>

#include "msg_output.h"

static char msg_syslog_tag[256];

/* msg_syslog_write - send one message to syslog */
static void
msg_syslog_write(enum msg_level level, const char *text)
{
    static const int priority[] = {
        LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT, LOG_CRIT,
    };

    syslog(priority[level], "%s%s", msg_level_prefix(level), text);
}

/* msg_syslog_init - open syslog with the given tag and facility */
void
msg_syslog_init(const char *tag, int facility)
{
    snprintf(msg_syslog_tag, sizeof(msg_syslog_tag), "%s", tag);
    openlog(msg_syslog_tag, LOG_PID | LOG_NDELAY, facility);
    msg_output_add(msg_syslog_write);
}
