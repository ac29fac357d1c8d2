/* postern_state - is master running? master.lock, master.pid, signals.
 *
 * Model: master holds an exclusive lock on $data_directory/master.lock for
 * as long as it runs and writes its pid to $queue_directory/pid/master.pid
 * ("%32d\n", as Postfix). "Running" means the lock is held; the pid comes
 * from the pid file when that process exists, else from the lock holder (fcntl locks
 * name it). Both lock styles are tested: an fcntl lock without touching
 * it (F_GETLK), a flock lock with a non-blocking try that is released at
 * once. A lock is released by the kernel when its holder dies, so a stale
 * pid file never makes a dead master look alive. Peers: master_lock.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mail_params.h"
#include "msg.h"
#include "postern.h"

static BUF *postern_pid_path;
static BUF *postern_lock_path;

/* postern_state_pid_file - $queue_directory/pid/master.pid */
const char *
postern_state_pid_file(void)
{
    if (postern_pid_path == NULL) {
        postern_pid_path = buf_alloc(100);
        buf_sprintf(postern_pid_path, "%s/pid/master.pid", var_queue_directory);
    }
    return buf_str(postern_pid_path);
}

/* postern_state_lock_file - $data_directory/master.lock */
const char *
postern_state_lock_file(void)
{
    if (postern_lock_path == NULL) {
        postern_lock_path = buf_alloc(100);
        buf_sprintf(postern_lock_path, "%s/master.lock", var_data_directory);
    }
    return buf_str(postern_lock_path);
}

/* postern_state_locked - whether master.lock is held; holder if known */
static bool
postern_state_locked(pid_t *holder)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    bool    locked = false;
    int     fd;

    *holder = 0;
    fd = open(postern_state_lock_file(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno != ENOENT)
            msg_warn("open %s: %m", postern_state_lock_file());
        return false;
    }
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
        *holder = fl.l_pid;
        locked = true;
    } else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        locked = (errno == EWOULDBLOCK);
    } else {
        (void) flock(fd, LOCK_UN);
    }
    close(fd);
    return locked;
}

/* postern_state_read_pid - the pid in master.pid, or 0 */
static pid_t
postern_state_read_pid(void)
{
    char    text[64];                   /* "%32d\n" and then some */
    ssize_t n;
    long    pid;
    char   *end;
    int     fd;

    fd = open(postern_state_pid_file(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = 0;
    pid = strtol(text, &end, 10);
    if (pid <= 1 || (*end != '\n' && *end != 0))
        return 0;
    return (pid_t) pid;
}

/* postern_state_zombie - whether a process has exited but not been reaped */
static bool
postern_state_zombie(pid_t pid)
{
    char    path[64];
    char    text[512];
    char   *paren;
    ssize_t n;
    int     fd;

    snprintf(path, sizeof(path), "/proc/%ld/stat", (long) pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return false;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = 0;
    /* "pid (comm) S ...": the state follows the last ')'. */
    paren = strrchr(text, ')');
    return paren != NULL && paren[1] == ' ' && paren[2] == 'Z';
}

/* postern_state_alive - whether a process exists (zombies do not count) */
static bool
postern_state_alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
        && !postern_state_zombie(pid);
}

/* postern_state_sleep - pause for ms milliseconds */
static void
postern_state_sleep(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* postern_state_running - master's pid if it runs, 0 if not, -1 if it
 * runs but its pid is unknown */
pid_t
postern_state_running(void)
{
    pid_t   holder;
    pid_t   pid;

    /* A master that just took the lock may not have written its pid. */
    for (int tries = 0; tries < 40; tries++) {
        if (!postern_state_locked(&holder))
            return 0;
        if (postern_state_alive(pid = postern_state_read_pid()))
            return pid;
        if (postern_state_alive(holder))
            return holder;
        postern_state_sleep(50);
    }
    return -1;
}

/* postern_state_signal - send sig to master; the pid, or 0 if not running */
pid_t
postern_state_signal(int sig)
{
    pid_t   pid = postern_state_running();

    if (pid < 0)
        msg_fatal("master.lock is held but %s names no live process",
                  postern_state_pid_file());
    if (pid > 0 && kill(pid, sig) < 0)
        msg_fatal("cannot signal master (pid %ld): %m", (long) pid);
    return pid;
}

/* postern_state_wait_gone - wait until master no longer runs */
bool
postern_state_wait_gone(pid_t pid, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 50) {
        if (postern_state_running() == 0 && !postern_state_alive(pid))
            return true;
        postern_state_sleep(50);
    }
    return postern_state_running() == 0 && !postern_state_alive(pid);
}
