/* master_lock - one master per queue: master.lock and master.pid.
 *
 * master holds an exclusive fcntl lock on $data_directory/master.lock for
 * its lifetime; a second master for the same directories fails to get it
 * and stops with Postfix's "already running" message. master -t only
 * tests the lock. The process id goes into the lock file and into
 * $queue_directory/pid/master.pid, in Postfix's format: the pid
 * right-aligned in MASTER_PID_WIDTH columns, then a newline. fcntl locks are not inherited across fork(), so children never hold it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lock_file.h"
#include "mail_params.h"
#include "master.h"
#include "msg.h"

#define MASTER_PID_WIDTH        32      /* as Postfix 3.7 writes it */

#define MASTER_LOCK_FILE        "master.lock"
#define MASTER_PID_FILE         "pid/master.pid"

static int master_lock_fd = -1;
static char *master_lock_pid_path;

/* master_lock_path - $data_directory/master.lock */
static BUF *
master_lock_path(void)
{
    BUF    *path = buf_alloc(100);

    buf_sprintf(path, "%s/%s", var_data_directory, MASTER_LOCK_FILE);
    return path;
}

/* master_lock_test - 1 if a master holds the lock, else 0 */
int
master_lock_test(void)
{
    BUF    *path = master_lock_path();
    int     fd;
    int     running = 0;

    if ((fd = open(buf_str(path), O_RDWR | O_CLOEXEC | O_NOFOLLOW)) >= 0) {
        if (lock_file(fd, LOCK_STYLE_FCNTL,
                      LOCK_OP_EXCLUSIVE | LOCK_OP_NOWAIT) < 0)
            running = (errno == EAGAIN || errno == EACCES);
        (void) close(fd);
    }
    buf_free(path);
    return running;
}

/* master_lock_pid_text - the pid as Postfix writes it */
static int
master_lock_pid_text(char *text, size_t size)
{
    return snprintf(text, size, "%*d\n", MASTER_PID_WIDTH, (int) getpid());
}

/* master_lock_acquire - take the lock or stop: another master is running */
void
master_lock_acquire(void)
{
    BUF    *path = master_lock_path();
    char    text[MASTER_PID_WIDTH + 16];
    int     len;

    if ((master_lock_fd = open(buf_str(path), O_RDWR | O_CREAT | O_CLOEXEC
                               | O_NOFOLLOW, 0600)) < 0)
        msg_fatal("open lock file %s: %m", buf_str(path));
    if (lock_file(master_lock_fd, LOCK_STYLE_FCNTL,
                  LOCK_OP_EXCLUSIVE | LOCK_OP_NOWAIT) < 0) {
        if (errno == EAGAIN || errno == EACCES)
            msg_fatal("the Postfix mail system is already running");
        msg_fatal("lock %s: %m", buf_str(path));
    }
    len = master_lock_pid_text(text, sizeof(text));
    if (ftruncate(master_lock_fd, 0) < 0
        || pwrite(master_lock_fd, text, len, 0) != len)
        msg_fatal("write %s: %m", buf_str(path));
    buf_free(path);
}

/* master_lock_write_pid - write $queue_directory/pid/master.pid */
void
master_lock_write_pid(void)
{
    BUF    *path = buf_alloc(100);
    char    text[MASTER_PID_WIDTH + 16];
    int     len = master_lock_pid_text(text, sizeof(text));
    int     fd;

    buf_sprintf(path, "%s/%s", var_queue_directory, MASTER_PID_FILE);
    /* A fresh file: never write through a planted link. */
    if (unlink(buf_str(path)) < 0 && errno != ENOENT)
        msg_fatal("remove %s: %m", buf_str(path));
    if ((fd = open(buf_str(path), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
                   | O_NOFOLLOW, 0644)) < 0)
        msg_fatal("create %s: %m", buf_str(path));
    if (write(fd, text, len) != len || close(fd) < 0)
        msg_fatal("write %s: %m", buf_str(path));
    master_lock_pid_path = buf_export(path);
}

/* master_lock_remove_pid - remove master.pid at exit */
void
master_lock_remove_pid(void)
{
    if (master_lock_pid_path && unlink(master_lock_pid_path) < 0
        && errno != ENOENT)
        msg_warn("remove %s: %m", master_lock_pid_path);
}
