/* pipe_command_io - the parent's side of a command run: write the
 * message while draining the output, then wait, all before a deadline.
 *
 * Model: poll() on both pipes at once. A command that writes a lot
 * before it reads its input would otherwise fill the output pipe and
 * block while we block writing its input. Output beyond
 * PIPE_COMMAND_OUTPUT_MAX is read and dropped. At the deadline the
 * whole process group (the child called setsid) is killed with SIGKILL.
 * Peers: pipe_command.c, pipe_command_status.c, set_eugid. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mono_time.h"
#include "pipe_command_int.h"
#include "set_eugid.h"

#define PIPE_WAIT_STEP_MS       10      /* reap polling interval */

/* pipe_command_left_ms - milliseconds to the deadline (0: passed) */
static int
pipe_command_left_ms(const PIPE_COMMAND_RUN *run)
{
    long long left = run->deadline_ms - mono_ms();

    return left <= 0 ? 0 : left > 86400000 ? 86400000 : (int) left;
}

/* pipe_command_read - one read of the output */
static void
pipe_command_read(PIPE_COMMAND_RUN *run)
{
    char    buf[4096];
    ssize_t n = read(run->out_fd, buf, sizeof(buf));
    size_t  room;

    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        run->out_eof = true;
    } else if (n > 0) {
        room = PIPE_COMMAND_OUTPUT_MAX - buf_len(run->output);
        buf_append(run->output, buf, (size_t) n < room ? (size_t) n : room);
    }
}

/* pipe_command_write - the stream's write function: write when the
 * input pipe has room, read output whenever there is some */
static ssize_t
pipe_command_write(int fd, const void *buf, size_t len, int timeout_ms,
                   void *ctx)
{
    PIPE_COMMAND_RUN *run = ctx;
    struct pollfd pfd[2];
    int     ms;

    for (;;) {
        if ((ms = pipe_command_left_ms(run)) == 0) {
            run->timed_out = true;
            errno = ETIMEDOUT;
            return -1;
        }
        pfd[0].fd = fd;
        pfd[0].events = POLLOUT;
        pfd[1].fd = run->out_eof ? -1 : run->out_fd;
        pfd[1].events = POLLIN;
        pfd[0].revents = pfd[1].revents = 0;
        if (poll(pfd, 2, ms) < 0 && errno != EINTR)
            return -1;
        if (pfd[1].revents)
            pipe_command_read(run);
        if (pfd[0].revents)
            return write(fd, buf, len);
    }
}

/* pipe_command_io - make dst's writes drain the output meanwhile */
void
pipe_command_io(STREAM *dst, PIPE_COMMAND_RUN *run)
{
    stream_set_io(dst, NULL, pipe_command_write, run);
}

/* pipe_command_kill - the time is up: kill the process group (the
 * command runs as another user: only root may kill it, so an agent that
 * works with mail_owner's effective ids becomes root for the moment) */
static void
pipe_command_kill(PIPE_COMMAND_RUN *run)
{
    uid_t   euid = geteuid();
    gid_t   egid = getegid();
    bool    switched = set_eugid_capable() && euid != 0;

    run->timed_out = true;
    if (switched)
        set_eugid(0, 0);
    (void) kill(-run->pid, SIGKILL);
    (void) kill(run->pid, SIGKILL);
    if (switched)
        set_eugid(euid, egid);
    while (waitpid(run->pid, &run->wait_status, 0) < 0 && errno == EINTR)
         /* again */ ;
}

/* pipe_command_wait - read the output to its end, reap the child */
void
pipe_command_wait(PIPE_COMMAND_RUN *run)
{
    struct pollfd pfd;
    pid_t   pid;
    int     ms;

    while (!run->out_eof && !run->timed_out) {
        if ((ms = pipe_command_left_ms(run)) == 0)
            break;
        pfd.fd = run->out_fd;
        pfd.events = POLLIN;
        if (poll(&pfd, 1, ms) > 0)
            pipe_command_read(run);
    }
    while (!run->timed_out) {
        pid = waitpid(run->pid, &run->wait_status, WNOHANG);
        if (pid == run->pid || (pid < 0 && errno != EINTR))
            return;
        if (pipe_command_left_ms(run) == 0)
            break;
        usleep(PIPE_WAIT_STEP_MS * 1000);
    }
    pipe_command_kill(run);
}
