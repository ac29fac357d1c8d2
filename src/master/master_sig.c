/* master_sig - signals, delivered through a self-pipe into the event loop.
 *
 * The handlers only write the signal number into a pipe; the event loop
 * reads it and does the work outside signal context:
 *   SIGHUP            reload (master_reload.c)
 *   SIGTERM, SIGINT   stop: children get SIGTERM (master_stop.c)
 *   SIGQUIT           abort: children get SIGKILL (master_stop.c)
 *   SIGCHLD           reap children (master_spawn.c)
 * SIGPIPE and SIGXFSZ are ignored. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "master.h"
#include "msg.h"

static int master_sig_pipe[2] = {-1, -1};

/* master_sig_handler - async-signal-safe: note the signal in the pipe */
static void
master_sig_handler(int sig)
{
    int     saved_errno = errno;
    unsigned char ch = (unsigned char) sig;

    if (write(master_sig_pipe[1], &ch, 1) < 0) {
        /* Pipe full: enough signals are pending already. */
    }
    errno = saved_errno;
}

/* master_sig_event - handle the signals that arrived */
static void
master_sig_event(int event, void *ctx)
{
    unsigned char sigs[64];
    ssize_t len;
    bool    reap = false;

    while ((len = read(master_sig_pipe[0], sigs, sizeof(sigs))) > 0) {
        for (ssize_t i = 0; i < len; i++) {
            switch (sigs[i]) {
            case SIGCHLD:
                reap = true;
                break;
            case SIGHUP:
                master_spawn_reap();
                master_reload();
                break;
            case SIGTERM:
            case SIGINT:
                master_stop_terminate(sigs[i]);
                break;
            case SIGQUIT:
                master_stop_abort(sigs[i]);
                break;
            default:
                msg_warn("master_sig_event: unexpected signal %d", sigs[i]);
                break;
            }
        }
    }
    if (reap)
        master_spawn_reap();
}

/* master_sig_init - install the handlers and watch the pipe */
void
master_sig_init(void)
{
    static const int sigs[] = {SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGCHLD};
    struct sigaction action;

    if (pipe2(master_sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
        msg_fatal("pipe: %m");
    event_enable_read(master_sig_pipe[0], master_sig_event, NULL);

    memset(&action, 0, sizeof(action));
    sigemptyset(&action.sa_mask);
    action.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &action, NULL);
    sigaction(SIGXFSZ, &action, NULL);

    action.sa_handler = master_sig_handler;
    action.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        action.sa_flags = SA_RESTART | (sigs[i] == SIGCHLD ? SA_NOCLDSTOP : 0);
        if (sigaction(sigs[i], &action, NULL) < 0)
            msg_fatal("sigaction %d: %m", sigs[i]);
    }
}
