/* postlogd - append the log lines of every Postern program to maillog_file.
 *
 * Model: a TRIGGER server on the unix-dgram socket that master opens for
 * "postlog unix-dgram n - n - 1 postlogd". Every datagram is one complete
 * log line, already formatted by the sender (maillog.c); postlogd cleans
 * it (control characters and NUL become '?', over-long lines are cut,
 * exactly one newline is added) and appends it with one write(), so lines
 * from many processes never interleave. The file is opened in pre_init,
 * before the privilege drop, and only if it starts with one of
 * $maillog_file_prefixes; "/dev/stdout" writes to the descriptor master
 * passed as standard output (containers, make run). postlogd's own
 * messages go straight to the file; a start-up failure (no file) is
 * reported to stderr and syslog. It never exits on idle (unlimited).
 * Peers: maillog (clients), mail_server (skeleton), master. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "mail_params.h"
#include "mail_server.h"
#include "maillog.h"
#include "msg.h"
#include "msg_output.h"

static int postlogd_fd = -1;
static BUF *postlogd_line;
static int postlogd_write_failed;

/* postlogd_clean - the record as one safe line, newline-terminated */
static void
postlogd_clean(BUF *line, const char *data, size_t len)
{
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (len > MAILLOG_LINE_MAX)
        len = MAILLOG_LINE_MAX;
    buf_reset(line);
    buf_reserve(line, len + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char) data[i];

        buf_addch(line, (ch < ' ' && ch != '\t') || ch == 0x7f ? '?' : ch);
    }
    buf_addch(line, '\n');
}

/* postlogd_trigger - one datagram: append it as one line */
static void
postlogd_trigger(const char *data, size_t len, const char *service,
                 char **argv)
{
    ssize_t n;

    if (len == 0 || postlogd_fd < 0)
        return;
    postlogd_clean(postlogd_line, data, len);
    do {
        n = write(postlogd_fd, buf_str(postlogd_line),
                  buf_len(postlogd_line));
    } while (n < 0 && errno == EINTR);
    if (n == (ssize_t) buf_len(postlogd_line)) {
        postlogd_write_failed = 0;
    } else if (!postlogd_write_failed) {
        /* Report once per failure streak; stderr is all that is left. */
        postlogd_write_failed = 1;
        dprintf(STDERR_FILENO, "postlogd: warning: write %s: %s\n",
                var_maillog_file, n < 0 ? strerror(errno) : "short write");
    }
}

/* postlogd_refuse - a fatal start-up error: there is no log file to
 * report it in, and datagrams to ourselves would never be read */
static void
postlogd_refuse(const char *what, const char *text)
{
    msg_output_reset();
    msg_stderr_init("postlogd");
    msg_syslog_init(maillog_tag(), LOG_MAIL);
    msg_fatal("%s%s", what, text);
}

/* postlogd_pre_init - open maillog_file while still privileged */
static void
postlogd_pre_init(const char *service, char **argv)
{
    BUF    *why = buf_alloc(100);

    postlogd_line = buf_alloc(MAILLOG_LINE_MAX + 2);
    if (*var_maillog_file == 0) {
        msg_warn("maillog_file is empty; discarding the records sent to "
                 "the %s service", service);
        buf_free(why);
        return;
    }
    if (maillog_file_allowed(var_maillog_file, var_maillog_file_prefixes,
                             why) < 0)
        postlogd_refuse("", buf_str(why));
    if ((postlogd_fd = maillog_file_open(var_maillog_file, why)) < 0)
        postlogd_refuse("open maillog_file: ", buf_str(why));
    maillog_set_fd(postlogd_fd);
    if (msg_verbose)
        msg_info("appending the records of service %s to %s", service,
                 var_maillog_file);
    buf_free(why);
}

/* main - hand over to the server skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_TRIGGER,
        .pre_init = postlogd_pre_init,
        .trigger = postlogd_trigger,
        .unlimited = 1,
    };

    mail_server_main(argc, argv, &spec);
}
