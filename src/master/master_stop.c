/* master_stop - shut down: SIGTERM (stop) and SIGQUIT (abort).
 *
 * Stop: log "terminating on signal N", close the listeners, send SIGTERM
 * to the children and wait for them (a few seconds, then SIGKILL), remove
 * master.pid and exit 0. The postlog service goes last, after the
 * messages still queued on its socket were read, so that the final log
 * lines of master and its children reach the log. Abort: SIGKILL every
 * child at once. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "event.h"
#include "mail_params.h"
#include "master.h"
#include "mono_time.h"
#include "msg.h"

#define MASTER_STOP_WAIT_MS     5000    /* children to exit after SIGTERM */
#define MASTER_STOP_DRAIN_MS    2000    /* postlogd to read its socket */

int     master_stopping;
MASTER_SERV *master_stop_keep;

/* master_stop_wait - run the event loop until the children are gone */
static void
master_stop_wait(const MASTER_SERV *except, int limit_ms)
{
    long long deadline = mono_ms() + limit_ms;

    while (master_spawn_count(except) > 0
           && mono_ms() < deadline) {
        event_loop(50);
        master_spawn_reap();
    }
}

/* master_stop_drain - wait until postlogd has read its socket queue */
static void
master_stop_drain(const MASTER_SERV *serv)
{
    long long deadline = mono_ms() + MASTER_STOP_DRAIN_MS;
    int     pending;

    while (serv->listen_fd_count > 0 && mono_ms() < deadline
           && ioctl(serv->listen_fd[0], SIOCINQ, &pending) == 0
           && pending > 0) {
        event_loop(20);
        master_spawn_reap();
    }
}

/* master_stop_postlog - the postlog service of this instance, or NULL */
static MASTER_SERV *
master_stop_postlog(void)
{
    for (MASTER_SERV *serv = master_head; serv; serv = serv->next)
        if (serv->type == MASTER_TYPE_UNIX_DGRAM
            && strcmp(serv->name, var_postlog_service_name) == 0)
            return serv;
    return NULL;
}

/* master_stop_finish - SIGKILL what is left, remove master.pid, exit */
static void __attribute__((noreturn))
master_stop_finish(void)
{
    master_spawn_kill(SIGKILL, NULL);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
         /* void */ ;
    master_lock_remove_pid();
    exit(0);
}

/* master_stop_terminate - stop gracefully (SIGTERM, SIGINT) */
void
master_stop_terminate(int sig)
{
    MASTER_SERV *postlog = master_stop_postlog();

    if (master_stopping)
        return;
    msg_info("terminating on signal %d", sig);
    master_stopping = 1;
    master_stop_keep = postlog;
    for (MASTER_SERV *serv = master_head; serv; serv = serv->next) {
        master_wakeup_cleanup(serv);
        if (serv != postlog) {
            master_avail_off(serv);
            master_listen_close(serv);
        }
    }
    master_spawn_kill(SIGTERM, postlog);
    master_stop_wait(postlog, MASTER_STOP_WAIT_MS);
    if (postlog) {
        master_stop_drain(postlog);
        master_stop_keep = NULL;
        master_avail_off(postlog);
        master_listen_close(postlog);
        master_spawn_kill(SIGTERM, NULL);
        master_stop_wait(NULL, MASTER_STOP_WAIT_MS);
    }
    master_stop_finish();
}

/* master_stop_abort - stop at once (SIGQUIT) */
void
master_stop_abort(int sig)
{
    msg_info("terminating on signal %d", sig);
    master_stopping = 1;
    master_stop_finish();
}
