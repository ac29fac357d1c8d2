/* lock_file - advisory locks on an open file (fcntl or flock style).
 *
 * Model: whole-file locks. fcntl() locks belong to the process and vanish
 * when any descriptor of the file is closed; flock() locks belong to the
 * open file description and survive fork(). Which style a file uses is
 * configuration (Postfix's mailbox_delivery_lock), so both are offered with
 * one interface. "Held by another" is always reported as EAGAIN. A wait
 * that a signal interrupts is restarted.
 *
 * Peers: mailbox delivery, the queue manager's instance lock. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>

#include "lock_file.h"

/* lock_file_fcntl - POSIX record lock over the whole file */
static int
lock_file_fcntl(int fd, int op)
{
    struct flock lock;
    int     status;

    memset(&lock, 0, sizeof(lock));
    lock.l_whence = SEEK_SET;
    lock.l_start = 0;
    lock.l_len = 0;                     /* to the end, however long */
    switch (op & ~LOCK_OP_NOWAIT) {
    case LOCK_OP_NONE:
        lock.l_type = F_UNLCK;
        break;
    case LOCK_OP_SHARED:
        lock.l_type = F_RDLCK;
        break;
    case LOCK_OP_EXCLUSIVE:
        lock.l_type = F_WRLCK;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    do {
        status = fcntl(fd, (op & LOCK_OP_NOWAIT) ? F_SETLK : F_SETLKW, &lock);
    } while (status < 0 && errno == EINTR);
    if (status < 0 && errno == EACCES)
        errno = EAGAIN;
    return status;
}

/* lock_file_flock - BSD lock on the open file description */
static int
lock_file_flock(int fd, int op)
{
    int     how;
    int     status;

    switch (op & ~LOCK_OP_NOWAIT) {
    case LOCK_OP_NONE:
        how = LOCK_UN;
        break;
    case LOCK_OP_SHARED:
        how = LOCK_SH;
        break;
    case LOCK_OP_EXCLUSIVE:
        how = LOCK_EX;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    if (op & LOCK_OP_NOWAIT)
        how |= LOCK_NB;
    do {
        status = flock(fd, how);
    } while (status < 0 && errno == EINTR);
    if (status < 0 && errno == EWOULDBLOCK)
        errno = EAGAIN;
    return status;
}

/* lock_file - lock, or unlock with LOCK_OP_NONE; 0 or -1 with errno */
int
lock_file(int fd, int style, int op)
{
    switch (style) {
    case LOCK_STYLE_FCNTL:
        return lock_file_fcntl(fd, op);
    case LOCK_STYLE_FLOCK:
        return lock_file_flock(fd, op);
    default:
        errno = EINVAL;
        return -1;
    }
}
