/* mail_server_trigger - the TRIGGER model: wake-up requests.
 *
 * A request is a few bytes: what one read() gets from a fifo, what a
 * unix (or inet, or pass) stream client sends before its first pause,
 * or one datagram. trigger() gets the bytes. The process reports TAKEN
 * while it handles the requests of one event and AVAIL after; each event
 * counts as one use. With -S the request is stdin, read to its end. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event.h"
#include "mail_params.h"
#include "mail_server_int.h"
#include "msg.h"

#define MAIL_SERVER_TRIGGER_BUF         65536
#define MAIL_SERVER_TRIGGER_BATCH       100     /* datagrams per event */

static char mail_server_trigger_buf[MAIL_SERVER_TRIGGER_BUF];

/* mail_server_trigger_call - hand one request to the daemon */
static void
mail_server_trigger_call(const char *buf, size_t len)
{
    mail_server.spec->trigger(buf, len, mail_server.service,
                              mail_server.argv);
}

/* mail_server_trigger_stream - one request from a stream client */
static void
mail_server_trigger_stream(int listen_fd)
{
    struct pollfd pfd;
    ssize_t len;
    int     fd;

    if ((fd = mail_server_accept(listen_fd)) < 0)
        return;
    mail_server_taken();
    pfd.fd = fd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, var_ipc_timeout * 1000) == 1
        && (len = read(fd, mail_server_trigger_buf,
                       sizeof(mail_server_trigger_buf))) > 0)
        mail_server_trigger_call(mail_server_trigger_buf, len);
    (void) close(fd);
}

/* mail_server_trigger_fifo - one read from the fifo */
static void
mail_server_trigger_fifo(int fd)
{
    ssize_t len;

    len = read(fd, mail_server_trigger_buf, sizeof(mail_server_trigger_buf));
    if (len <= 0) {
        if (len < 0 && errno != EAGAIN && errno != EINTR)
            msg_warn("read fifo: %m");
        return;
    }
    mail_server_taken();
    mail_server_trigger_call(mail_server_trigger_buf, len);
}

/* mail_server_trigger_dgram - the datagrams that are waiting; SIGTERM
 * waits until the batch is handled, so that a datagram taken off the
 * socket (postlogd: a log line) is never lost half-way */
static void
mail_server_trigger_dgram(int fd)
{
    ssize_t len;
    sigset_t term, saved;

    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &saved);
    for (int i = 0; i < MAIL_SERVER_TRIGGER_BATCH; i++) {
        len = recv(fd, mail_server_trigger_buf,
                   sizeof(mail_server_trigger_buf), MSG_DONTWAIT);
        if (len < 0) {
            if (errno != EAGAIN && errno != EINTR)
                msg_warn("receive datagram: %m");
            break;
        }
        mail_server_taken();
        mail_server_trigger_call(mail_server_trigger_buf, len);
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
}

/* mail_server_trigger_event - a listener is readable */
static void
mail_server_trigger_event(int event, void *ctx)
{
    int     fd = (int) (intptr_t) ctx;

    switch (mail_server.type) {
    case MASTER_TYPE_FIFO:
        mail_server_trigger_fifo(fd);
        break;
    case MASTER_TYPE_UNIX_DGRAM:
        mail_server_trigger_dgram(fd);
        break;
    default:
        mail_server_trigger_stream(fd);
        break;
    }
    if (mail_server.busy) {
        mail_server_used();
        mail_server_idle();
    }
}

/* mail_server_trigger_stdin - -S: the whole of stdin is one request */
static void
mail_server_trigger_stdin(void)
{
    size_t  len = 0;
    ssize_t got;

    while (len < sizeof(mail_server_trigger_buf)
           && ((got = read(STDIN_FILENO, mail_server_trigger_buf + len,
                           sizeof(mail_server_trigger_buf) - len)) > 0
               || (got < 0 && errno == EINTR)))
        if (got > 0)
            len += got;
    mail_server_trigger_call(mail_server_trigger_buf, len);
}

/* mail_server_trigger_main - the TRIGGER loop; never returns */
void
mail_server_trigger_main(void)
{
    if (mail_server.spec->trigger == NULL)
        msg_panic("mail_server_trigger: no trigger function");
    if (mail_server.standalone) {
        mail_server_trigger_stdin();
        mail_server_exit();
    }
    mail_server_watch(mail_server_trigger_event);
    for (;;)
        event_loop(-1);
}
