/* pickup.h - the pickup daemon's settings and its parts.
 *
 *   pickup.c        main(): the skeleton, the settings, one trigger =
 *                   scans of maildrop until nothing more moves
 *   pickup_scan.c   one scan of maildrop: which entries are files to
 *                   pick up, which are left alone, which are stale
 *   pickup_file.c   one file: open it safely, hand it to cleanup, then
 *                   remove it, keep it, or move it to corrupt/
 *   pickup_copy.c   the records of one file: postdrop's rules checked,
 *                   copied to cleanup with the Received: header added
 *
 * Every file is dealt with once per scan; nothing here exits on bad
 * input (a damaged file goes to corrupt/, a cleanup that fails leaves
 * the file for the next scan). */
#ifndef PICKUP_H
#define PICKUP_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "mail_queue.h"
#include "stream.h"

/* The settings, from main.cf once at start-up (pickup.c). */
typedef struct PICKUP {
    MAIL_QUEUE_CONF queue;              /* the working directory's queues */
    char   *cleanup_path;               /* public/$cleanup_service_name */
    int     cleanup_flags;              /* CLEANUP_FLAG_* to request */
    int     timeout;                    /* $ipc_timeout, seconds */
    size_t  rec_limit;                  /* longest record postdrop writes */
    const char *hostname;               /* $myhostname, for Received: */
    const char *mail_name;              /* $mail_name, for Received: */
    time_t  stale_age;                  /* incomplete files older: removed */
} PICKUP;

/* What became of one file. */
typedef enum {
    PICKUP_FILE_DONE,                   /* queued, rejected or quarantined */
    PICKUP_FILE_KEEP,                   /* left for the next scan */
    PICKUP_FILE_STOP,                   /* cleanup is unreachable: stop */
} PICKUP_FILE_RESULT;

/* pickup_scan - hand every complete file in maildrop to cleanup; the
 * number of files that left maildrop */
int     pickup_scan(const PICKUP *p);

/* pickup_file - one file that the scan saw complete: id, at path
 * ("maildrop/ID") */
PICKUP_FILE_RESULT pickup_file(const PICKUP *p, const char *id,
                               const char *path);

/* Results of pickup_copy() other than 0. */
#define PICKUP_COPY_BAD     1           /* damaged: reason in why */
#define PICKUP_COPY_WRITE   2           /* cleanup went away */
#define PICKUP_COPY_READ    3           /* read error: reason in why */

/* pickup_copy - check the records of the file open on fd and copy them
 * to cleanup (all but the 'E' record, which the caller sends); st is
 * the file's status (the owner is the submitting user). 0 or one of the
 * codes above. */
int     pickup_copy(const PICKUP *p, int fd, const struct stat *st,
                    STREAM *cleanup, const char *queue_id, BUF *why);

#endif
