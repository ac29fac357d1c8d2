/* pickup_file - hand one maildrop file to cleanup and decide its fate.
 *
 * Model: Debian's Postfix 3.7 pickup, observed with strace and its log:
 * the file is opened (never through a symbolic link, never blocking on a
 * FIFO) and must still be a complete regular file; its owner is the
 * submitting user, or mail_owner for a file that "postsuper -r" put
 * back (pickup_requeued(): cleanup gets the request flags without MILT
 * and AUTOUTF8 then, 51 by default, as from Postfix). Then: connect to
 * cleanup, copy (pickup_copy.c), send 'E', read cleanup's verdict. The
 * file leaves maildrop only when that is settled:
 *
 *   status 0                  queued (or rejected and bounced by cleanup,
 *                             which the BOUNCE flag asks for): removed
 *   only permanent bits       rejected for good ("no recipients
 *                             specified"): logged as Postfix does
 *                             ("maildrop/ID: error writing QUEUEID:
 *                             REASON"), removed
 *   BAD (protocol error)      cleanup refused what we sent: the file is
 *                             moved to corrupt/, so it is neither lost
 *                             nor retried forever
 *   anything else             a temporary failure (cleanup could not
 *                             write, or went away): logged, kept for the
 *                             next scan
 *   cleanup unreachable       kept; the scan stops (every file would fail)
 *   damaged file              moved to corrupt/ with the reason (Postfix
 *                             deletes it; DESIGN: bad input costs one queue
 *                             file, kept for a human)
 *
 * An exclusive non-blocking flock() on the open file keeps a second
 * pickup process (there is one, maxproc 1, but an administrator may
 * change that) away from a file being handled; a file found unlinked
 * after the lock was taken was finished by the other process. The lock
 * goes with the descriptor, after the file was removed or moved. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cleanup_clnt.h"
#include "lock_file.h"
#include "msg.h"
#include "pickup.h"
#include "queue_file.h"
#include "rec_stream.h"
#include "rec_type.h"

/* pickup_file_open - open and lock a complete regular file; the
 * descriptor and its status, or -1 (gone, taken, or not a file) */
static int
pickup_file_open(const char *path, struct stat *st)
{
    int     fd;

    if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno != ENOENT)
            msg_warn("open %s: %m", path);
        return -1;
    }
    if (fstat(fd, st) < 0) {
        msg_warn("fstat %s: %m", path);
    } else if (!S_ISREG(st->st_mode)) {
        msg_warn("%s: uid %ld: not a regular file", path, (long) st->st_uid);
    } else if (!mail_queue_ready(st)) {
        /* Changed since the scan looked: not complete after all. */
    } else if (lock_file(fd, LOCK_STYLE_FLOCK,
                         LOCK_OP_EXCLUSIVE | LOCK_OP_NOWAIT) < 0) {
        if (errno != EAGAIN)
            msg_warn("lock %s: %m", path);
    } else if (fstat(fd, st) == 0 && st->st_nlink > 0) {
        return fd;
    }
    (void) close(fd);
    return -1;
}

/* pickup_file_remove - take a handled file out of maildrop */
static void
pickup_file_remove(const PICKUP *p, const char *id)
{
    BUF    *why = buf_alloc(100);

    if (mail_queue_remove(&p->queue, MAIL_QUEUE_MAILDROP, id, why) < 0
        && errno != ENOENT)
        msg_warn("%s", buf_str(why));
    buf_free(why);
}

/* pickup_file_corrupt - move a file to corrupt/, with the reason; when
 * that fails, remove it as Postfix does (or it would come back forever) */
static void
pickup_file_corrupt(const PICKUP *p, const char *id, const struct stat *st,
                    const char *reason)
{
    BUF    *text = buf_alloc(100);
    BUF    *why = buf_alloc(100);

    buf_sprintf(text, "uid=%ld: %s", (long) st->st_uid, reason);
    if (queue_file_corrupt(&p->queue, MAIL_QUEUE_MAILDROP, id, buf_str(text),
                           why) < 0) {
        msg_warn("%s: cannot save the corrupt file: %s; removing it", id,
                 buf_str(why));
        pickup_file_remove(p, id);
    }
    buf_free(text);
    buf_free(why);
}

/* pickup_file_verdict - act on cleanup's status for a copied file */
static PICKUP_FILE_RESULT
pickup_file_verdict(const PICKUP *p, const char *id, const char *path,
                    const struct stat *st, int status, const char *qid,
                    const char *reason)
{
    BUF    *text;

    if (status == 0) {
        pickup_file_remove(p, id);
        return PICKUP_FILE_DONE;
    }
    text = buf_alloc(100);
    buf_sprintf(text, "error writing %s: %s", qid, reason);
    if (status & CLEANUP_STAT_BAD) {
        pickup_file_corrupt(p, id, st, buf_str(text));
    } else {
        msg_warn("%s: %s", path, buf_str(text));
        if (status & ~CLEANUP_STAT_PERMANENT) {
            buf_free(text);
            return PICKUP_FILE_KEEP;
        }
        pickup_file_remove(p, id);
    }
    buf_free(text);
    return PICKUP_FILE_DONE;
}

/* pickup_requeued - whether postsuper -r put the file back */
bool
pickup_requeued(const PICKUP *p, const struct stat *st)
{
    return st->st_uid == p->owner_uid && (st->st_mode & S_IROTH) == 0
        && st->st_nlink == 1;
}

/* pickup_file_send - copy the open file to cleanup and act on the
 * outcome */
static PICKUP_FILE_RESULT
pickup_file_send(const PICKUP *p, const char *id, const char *path, int fd,
                 const struct stat *st)
{
    BUF    *why = buf_alloc(100);
    BUF    *qid = buf_alloc(20);
    CLEANUP_CLNT *cc;
    PICKUP_FILE_RESULT result = PICKUP_FILE_KEEP;
    bool    requeued = pickup_requeued(p, st);
    int     flags = p->cleanup_flags, status;

    if (requeued)
        flags &= ~PICKUP_REQUEUE_FLAGS_OFF;
    if ((cc = cleanup_open(p->cleanup_path, p->timeout, flags, why)) == NULL) {
        msg_warn("%s", buf_str(why));
        result = PICKUP_FILE_STOP;
    } else if ((status = pickup_copy(p, fd, st, requeued ? id : NULL,
                                     cleanup_stream(cc), cleanup_queue_id(cc),
                                     why)) != 0) {
        if (status == PICKUP_COPY_WRITE)
            msg_warn("%s: error writing %s: %s", path, cleanup_queue_id(cc),
                     buf_str(why));
        cleanup_abort(cc);                      /* cleanup drops it */
        if (status == PICKUP_COPY_READ)
            msg_warn("%s: %s", path, buf_str(why));
        if (status == PICKUP_COPY_BAD) {
            pickup_file_corrupt(p, id, st, buf_str(why));
            result = PICKUP_FILE_DONE;
        }
    } else {
        buf_strcpy(qid, cleanup_queue_id(cc));
        (void) rec_put(cleanup_stream(cc), REC_TYPE_END, "", 0);
        status = cleanup_close(cc, why);        /* write errors show here */
        result = pickup_file_verdict(p, id, path, st, status, buf_str(qid),
                                     buf_str(why));
    }
    buf_free(why);
    buf_free(qid);
    return result;
}

/* pickup_file - one complete file */
PICKUP_FILE_RESULT
pickup_file(const PICKUP *p, const char *id, const char *path)
{
    struct stat st;
    PICKUP_FILE_RESULT result;
    int     fd;

    if ((fd = pickup_file_open(path, &st)) < 0)
        return PICKUP_FILE_KEEP;
    result = pickup_file_send(p, id, path, fd, &st);
    (void) close(fd);                           /* releases the lock */
    return result;
}
