/* master_spawn - start, reap and kill the children of master.
 *
 * A child runs the service's command with the inflow token pipe on
 * MASTER_FLOW_READ/MASTER_FLOW_WRITE (mail_flow.h; one pipe for all
 * children, made by master_spawn_init()), the status socket on
 * MASTER_STATUS_FD, the listeners on MASTER_LISTEN_FD and up, /dev/null
 * on stdin/stdout/stderr (kept with master -d) and nothing else open. Its
 * generation number is in the environment (GENERATION) so that a status
 * record can be matched to the process. A new child counts as idle until
 * it reports TAKEN. Reaping logs abnormal exits in Postfix's words and
 * throttles a service whose child died before it served anyone. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail_flow.h"
#include "master.h"
#include "master_proto.h"
#include "msg.h"
#include "mymalloc.h"

MASTER_PROC *master_procs;

static unsigned master_spawn_gen;
static int master_flow_pipe[2] = {-1, -1};

/* master_spawn_init - make the inflow token pipe: non-blocking, so that
 * no child ever stalls on it, and closed in master's own exec */
void
master_spawn_init(void)
{
    if (pipe2(master_flow_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
        msg_fatal("pipe: %m");
}

/* master_spawn_fds - move the flow pipe, status socket and listeners into
 * place */
static void
master_spawn_fds(const MASTER_SERV *serv)
{
    int     count = serv->listen_fd_count;
    int     high = MASTER_LISTEN_FD + count + 1;
    int     status_fd;
    int     flow[2];
    int     tmp[count > 0 ? count : 1];
    int     null_fd;

    /* Copy everything above the target range first: no dup2() clobbers. */
    if ((flow[0] = fcntl(master_flow_pipe[0], F_DUPFD, high)) < 0
        || (flow[1] = fcntl(master_flow_pipe[1], F_DUPFD, high)) < 0)
        msg_fatal("dup flow pipe: %m");
    if ((status_fd = fcntl(serv->status_fd[1], F_DUPFD, high)) < 0)
        msg_fatal("dup status socket: %m");
    for (int i = 0; i < count; i++)
        if ((tmp[i] = fcntl(serv->listen_fd[i], F_DUPFD, high)) < 0)
            msg_fatal("dup listener: %m");
    if (dup2(flow[0], MASTER_FLOW_READ) < 0
        || dup2(flow[1], MASTER_FLOW_WRITE) < 0)
        msg_fatal("dup2 flow pipe: %m");
    if (dup2(status_fd, MASTER_STATUS_FD) < 0)
        msg_fatal("dup2 status socket: %m");
    for (int i = 0; i < count; i++)
        if (dup2(tmp[i], MASTER_LISTEN_FD + i) < 0)
            msg_fatal("dup2 listener: %m");
    if (!master_debug) {
        if ((null_fd = open("/dev/null", O_RDWR)) < 0)
            msg_fatal("open /dev/null: %m");
        for (int fd = 0; fd < 3; fd++)
            if (null_fd != fd && dup2(null_fd, fd) < 0)
                msg_fatal("dup2 /dev/null: %m");
    }
    if (close_range(MASTER_LISTEN_FD + count, ~0U, 0) < 0)
        msg_fatal("close_range: %m");
}

/* master_spawn_child - in the new process: set up and exec the command */
static void __attribute__((noreturn))
master_spawn_child(const MASTER_SERV *serv, unsigned gen)
{
    static const int sigs[] = {
        SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGPIPE, SIGXFSZ,
    };
    char    text[32];
    sigset_t none;

    msg_cleanup(NULL);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    snprintf(text, sizeof(text), "%u", gen);
    if (setenv("GENERATION", text, 1) < 0)
        msg_fatal("setenv: %m");
    /* Report a missing command while logging still works. */
    if (access(serv->path, X_OK) < 0)
        msg_fatal("%s: %m", serv->path);
    master_spawn_fds(serv);
    execv(serv->path, serv->args->argv);
    msg_fatal("exec %s: %m", serv->path);
}

/* master_spawn - start one child for a service */
void
master_spawn(MASTER_SERV *serv)
{
    MASTER_PROC *proc;
    unsigned gen = ++master_spawn_gen;
    pid_t   pid;

    if (serv->max_proc > 0 && serv->total_proc >= serv->max_proc)
        msg_panic("master_spawn: service %s: process limit %d reached",
                  serv->name, serv->max_proc);
    switch (pid = fork()) {
    case -1:
        msg_warn("%s: fork: %m -- throttling", serv->path);
        master_avail_throttle(serv);
        return;
    case 0:
        master_spawn_child(serv, gen);
    default:
        break;
    }
    if (msg_verbose)
        msg_info("spawn %s pid %d for service %s/%s", serv->path, (int) pid,
                 serv->name, serv->type_name);
    proc = mycalloc(1, sizeof(*proc));
    proc->pid = pid;
    proc->gen = gen;
    proc->serv = serv;
    proc->path = mystrdup(serv->path);
    proc->avail = true;
    proc->next = master_procs;
    master_procs = proc;
    serv->total_proc++;
    serv->avail_proc++;
    master_avail_listen(serv);
}

/* master_spawn_find - the child with this process id, or NULL */
MASTER_PROC *
master_spawn_find(pid_t pid)
{
    for (MASTER_PROC *proc = master_procs; proc; proc = proc->next)
        if (proc->pid == pid)
            return proc;
    return NULL;
}

/* master_spawn_unlink - take a child out of the list and free it */
static void
master_spawn_unlink(MASTER_PROC *proc)
{
    MASTER_PROC **pp;

    for (pp = &master_procs; *pp; pp = &(*pp)->next) {
        if (*pp == proc) {
            *pp = proc->next;
            break;
        }
    }
    myfree(proc->path);
    myfree(proc);
}

/* master_spawn_log_exit - log an abnormal exit; true if it was one */
static bool
master_spawn_log_exit(const MASTER_PROC *proc, int status)
{
    if (WIFSIGNALED(status)) {
        /* master's own SIGTERM at stop is no news. */
        if (!(master_stopping && WTERMSIG(status) == SIGTERM))
            msg_warn("process %s pid %d killed by signal %d", proc->path,
                     (int) proc->pid, WTERMSIG(status));
        return true;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        msg_warn("process %s pid %d exit status %d", proc->path,
                 (int) proc->pid, WEXITSTATUS(status));
        return true;
    }
    return false;
}

/* master_spawn_reap - collect every child that has exited */
void
master_spawn_reap(void)
{
    MASTER_PROC *proc;
    MASTER_SERV *serv;
    pid_t   pid;
    int     status;
    bool    bad;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if ((proc = master_spawn_find(pid)) == NULL) {
            msg_warn("master_spawn_reap: unknown pid %d", (int) pid);
            continue;
        }
        if (msg_verbose)
            msg_info("reap pid %d status 0x%x", (int) pid, status);
        bad = master_spawn_log_exit(proc, status);
        if ((serv = proc->serv) != NULL) {
            if (proc->avail)
                serv->avail_proc--;
            serv->total_proc--;
            if (bad && proc->use_count == 0 && !master_stopping
                && !(serv->flags & MASTER_FLAG_THROTTLE)) {
                msg_warn("%s: bad command startup -- throttling", serv->path);
                master_avail_throttle(serv);
            }
            master_avail_listen(serv);
        }
        master_spawn_unlink(proc);
    }
    if (pid < 0 && errno != ECHILD)
        msg_warn("waitpid: %m");
}

/* master_spawn_detach - retired children no longer count for a service */
void
master_spawn_detach(MASTER_SERV *serv)
{
    for (MASTER_PROC *proc = master_procs; proc; proc = proc->next)
        if (proc->serv == serv)
            proc->serv = NULL;
    serv->total_proc = 0;
    serv->avail_proc = 0;
}

/* master_spawn_kill - send a signal to every child not of service except */
void
master_spawn_kill(int sig, const MASTER_SERV *except)
{
    for (MASTER_PROC *proc = master_procs; proc; proc = proc->next)
        if (except == NULL || proc->serv != except)
            if (kill(proc->pid, sig) < 0 && errno != ESRCH)
                msg_warn("kill pid %d: %m", (int) proc->pid);
}

/* master_spawn_count - how many children are not of service except */
int
master_spawn_count(const MASTER_SERV *except)
{
    int     count = 0;

    for (MASTER_PROC *proc = master_procs; proc; proc = proc->next)
        if (except == NULL || proc->serv != except)
            count++;
    return count;
}
