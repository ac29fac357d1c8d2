/* pickup_scan - one pass over the maildrop queue.
 *
 * Model: Debian's Postfix 3.7 pickup (strace): read the directory, lstat
 * each entry, pick up the complete files. What is left alone:
 *
 * - names that are not queue ids (postdrop's temporary names have dots;
 *   Postfix's pickup skips them too, postsuper calls them bogus);
 * - entries that are not regular files: "warning: maildrop/NAME: uid 0:
 *   not a regular file" on every scan, as Postfix;
 * - incomplete files (not yet mode rwx: postdrop is still writing, or
 *   died). Postfix's pickup never touches them and its "postsuper -p"
 *   removes those older than 7 days; Postern's pickup does that here
 *   too (as does its postsuper -p), with a warning. Such a file was never
 *   acknowledged to its sender (postdrop answers only after the commit).
 *
 * maildrop is flat: subdirectories made by one user's postdrop could not
 * be shared with the others and with pickup, and Postfix refuses to hash
 * it (so does pickup.c). The daemon works inside the queue directory, so
 * the path of a file is "maildrop/ID". A scan stops early when cleanup
 * cannot be reached. */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "pickup.h"
#include "queue_scan.h"

/* State of one scan. */
typedef struct PICKUP_SCAN {
    const PICKUP *p;
    BUF    *path;                       /* entry being looked at */
    BUF    *why;
    int     moved;                      /* files that left maildrop */
    int     stop;                       /* cleanup is unreachable */
} PICKUP_SCAN;

/* pickup_scan_stale - an incomplete file: remove it when it is old */
static void
pickup_scan_stale(PICKUP_SCAN *ps, const char *id, const struct stat *st)
{
    time_t  age = time((time_t *) 0) - st->st_mtime;

    if (age <= ps->p->stale_age)
        return;
    msg_warn("%s: uid=%ld: removing incomplete file, unchanged for %ld "
             "days", buf_str(ps->path), (long) st->st_uid, (long) age / 86400);
    if (mail_queue_remove(&ps->p->queue, MAIL_QUEUE_MAILDROP, id, ps->why) < 0)
        msg_warn("%s", buf_str(ps->why));
}

/* pickup_scan_entry - one directory entry that is named like a file */
static void
pickup_scan_entry(PICKUP_SCAN *ps, const char *id)
{
    struct stat st;

    if (lstat(buf_str(ps->path), &st) < 0)
        return;                                 /* gone meanwhile */
    if (!S_ISREG(st.st_mode)) {
        msg_warn("%s: uid %ld: not a regular file", buf_str(ps->path),
                 (long) st.st_uid);
    } else if (!mail_queue_ready(&st)) {
        pickup_scan_stale(ps, id, &st);
    } else {
        switch (pickup_file(ps->p, id, buf_str(ps->path))) {
        case PICKUP_FILE_DONE:
            ps->moved++;
            break;
        case PICKUP_FILE_STOP:
            ps->stop = 1;
            break;
        case PICKUP_FILE_KEEP:
            break;
        }
    }
}

/* pickup_scan - one pass over maildrop */
int
pickup_scan(const PICKUP *p)
{
    PICKUP_SCAN ps = {.p = p};
    QUEUE_SCAN *qs;
    const char *id;

    ps.path = buf_alloc(100);
    ps.why = buf_alloc(100);
    if ((qs = queue_scan_open(&p->queue, MAIL_QUEUE_MAILDROP, ps.why)) == NULL) {
        msg_warn("%s", buf_str(ps.why));
    } else {
        while (!ps.stop && (id = queue_scan_next(qs, ps.path)) != NULL)
            pickup_scan_entry(&ps, id);
        queue_scan_close(qs);
    }
    buf_free(ps.path);
    buf_free(ps.why);
    return ps.moved;
}
