/* mbox_open - open a UNIX mailbox (or a file) for appending, locked.
 *
 * Model: dot lock, open (existing, else exclusive create), kernel locks,
 * seek to the end. Each failure undoes what was done before it. Errno
 * decides the status, so a full disk or a busy mailbox is tried again
 * later while a missing permission bounces. Peers: dot_lock, safe_open,
 * lock_file, mail_copy; local(8) and virtual(8). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "dot_lock.h"
#include "lock_file.h"
#include "mail_params.h"
#include "mbox_open.h"
#include "mymalloc.h"
#include "safe_open.h"

/* mbox_lock_parse - mailbox_delivery_lock text to MBOX_LOCK_* bits */
int
mbox_lock_parse(const char *text, int *locks, BUF *why)
{
    ARGV   *words = argv_split(text, LIST_DELIM);
    int     status = 0;

    *locks = 0;
    for (int i = 0; i < words->argc && status == 0; i++) {
        if (strcmp(words->argv[i], "fcntl") == 0)
            *locks |= MBOX_LOCK_FCNTL;
        else if (strcmp(words->argv[i], "flock") == 0)
            *locks |= MBOX_LOCK_FLOCK;
        else if (strcmp(words->argv[i], "dotlock") == 0)
            *locks |= MBOX_LOCK_DOT;
        else {
            buf_sprintf(why, "unknown mailbox lock style: %s",
                        words->argv[i]);
            status = -1;
        }
    }
    if (status == 0 && *locks == 0) {
        buf_strcpy(why, "no mailbox lock style");
        status = -1;
    }
    argv_free(words);
    return status;
}

/* mbox_conf_init - the lock styles and the common lock settings */
int
mbox_conf_init(MBOX_CONF *conf, const char *name, const char *locks,
               BUF *why)
{
    BUF    *reason;

    if (mbox_lock_parse(locks, &conf->locks, why) < 0) {
        reason = buf_alloc(100);
        buf_sprintf(reason, "%s: %s", name, buf_str(why));
        buf_strcpy(why, buf_str(reason));
        buf_free(reason);
        return -1;
    }
    conf->attempts = var_deliver_lock_attempts;
    conf->delay = var_deliver_lock_delay;
    conf->stale = var_stale_lock_time;
    return 0;
}

/* mbox_kernel_lock - one kernel lock style, with retries; 0 or -1 */
static int
mbox_kernel_lock(int fd, int style, const MBOX_CONF *conf)
{
    int     attempts = conf->attempts > 0 ? conf->attempts : 1;

    for (int i = 0; i < attempts; i++) {
        if (i > 0 && conf->delay > 0)
            sleep((unsigned) conf->delay);
        if (lock_file(fd, style, LOCK_OP_EXCLUSIVE | LOCK_OP_NOWAIT) == 0)
            return 0;
        if (errno != EAGAIN)
            break;
    }
    return -1;
}

/* mbox_file - open the file, creating it when missing; fd or -1 */
static int
mbox_file(const char *path, mode_t mode, uid_t uid, gid_t gid,
          struct stat *st, BUF *reason)
{
    int     flags = O_WRONLY | O_APPEND;
    int     fd;

    errno = 0;
    fd = safe_open(path, flags, 0, st, (uid_t) -1, (gid_t) -1, reason);
    if (fd < 0 && errno == ENOENT)
        fd = safe_open(path, flags | O_CREAT | O_EXCL, mode, st, uid, gid,
                       reason);
    return fd;
}

/* mbox_open - open and lock path; NULL with the reason in why */
MBOX   *
mbox_open(const char *path, mode_t mode, uid_t uid, gid_t gid,
          const MBOX_CONF *conf, struct stat *st, const char *def_status,
          DSN_BUF *why)
{
    BUF    *reason = buf_alloc(100);
    MBOX   *mp = mymalloc(sizeof(*mp));
    static const int kernel[] = {MBOX_LOCK_FCNTL, MBOX_LOCK_FLOCK};
    static const int style[] = {LOCK_STYLE_FCNTL, LOCK_STYLE_FLOCK};
    int     err;

    mp->path = mystrdup(path);
    mp->fd = -1;
    mp->locked = 0;
    mp->warning = NULL;
    if (conf->locks & MBOX_LOCK_DOT) {
        if (dot_lock_create(path, conf->attempts, conf->delay, conf->stale,
                            reason) == 0)
            mp->locked |= MBOX_LOCK_DOT;
        else if (errno == EEXIST || !(conf->locks & MBOX_LOCK_DOT_MAY_FAIL))
            goto fail;
        else
            mp->warning = mystrdup(buf_str(reason));
    }
    if ((mp->fd = mbox_file(path, mode, uid, gid, st, reason)) < 0)
        goto fail;
    for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
        if ((conf->locks & kernel[i]) == 0)
            continue;
        if (mbox_kernel_lock(mp->fd, style[i], conf) < 0) {
            buf_sprintf(reason, "unable to lock for exclusive access: %m");
            goto fail;
        }
        mp->locked |= kernel[i];
    }
    if (lseek(mp->fd, 0, SEEK_END) < 0) {
        buf_sprintf(reason, "seek %s: %m", path);
        goto fail;
    }
    buf_free(reason);
    return mp;

fail:
    err = errno == EEXIST ? EAGAIN : errno;
    mbox_release(mp);
    dsb_simple(why, dsn_errno_status(err, def_status), "%s",
               buf_str(reason));
    buf_free(reason);
    errno = err;
    return NULL;
}

/* mbox_release - close the file and remove the lock file */
void
mbox_release(MBOX *mp)
{
    if (mp->fd >= 0)
        close(mp->fd);
    if (mp->locked & MBOX_LOCK_DOT)
        dot_lock_remove(mp->path);
    myfree(mp->warning);
    myfree(mp->path);
    myfree(mp);
}
