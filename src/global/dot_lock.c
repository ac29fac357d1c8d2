/* dot_lock - mailbox lock files ("PATH.lock"), as mail readers expect.
 *
 * Model: O_CREAT|O_EXCL never follows a symlink and fails when the file
 * exists, which is what makes the file a lock; the file is closed at
 * once (its existence is the lock). A lock whose change time is older
 * than the stale time is removed before the next attempt. Peers:
 * mbox_open (which takes this lock before the kernel lock). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dot_lock.h"
#include "msg.h"

/* dot_lock_stale - remove the lock file if it was left long ago */
static void
dot_lock_stale(const char *lock, int stale)
{
    struct stat st;

    if (stale > 0 && lstat(lock, &st) == 0 && S_ISREG(st.st_mode)
        && st.st_ctime + stale < time(NULL)) {
        if (unlink(lock) < 0 && errno != ENOENT)
            msg_warn("cannot remove stale lock file %s: %m", lock);
        else
            msg_info("removed stale lock file %s", lock);
    }
}

/* dot_lock_create - create path.lock; 0, or -1 with why and errno */
int
dot_lock_create(const char *path, int attempts, int delay, int stale,
                BUF *why)
{
    BUF    *lock = buf_alloc(100);
    int     fd = -1;
    int     err;

    buf_strcpy(lock, path);
    buf_strcat(lock, DOT_LOCK_SUFFIX);
    for (int i = 0; i < (attempts > 0 ? attempts : 1); i++) {
        if (i > 0 && delay > 0)
            sleep((unsigned) delay);
        dot_lock_stale(buf_str(lock), stale);
        fd = open(buf_str(lock), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    err = errno;
    if (fd >= 0)
        close(fd);
    else
        buf_sprintf(why, "unable to create lock file %s: %s", buf_str(lock),
                    strerror(err));
    buf_free(lock);
    errno = err;
    return fd >= 0 ? 0 : -1;
}

/* dot_lock_remove - remove path.lock */
void
dot_lock_remove(const char *path)
{
    BUF    *lock = buf_alloc(100);

    buf_strcpy(lock, path);
    buf_strcat(lock, DOT_LOCK_SUFFIX);
    if (unlink(buf_str(lock)) < 0 && errno != ENOENT)
        msg_warn("remove lock file %s: %m", buf_str(lock));
    buf_free(lock);
}
