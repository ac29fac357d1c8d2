/* pickup.h - the pickup daemon's settings and its parts.
 *
 *   pickup.c        main(): the skeleton, the settings, one trigger =
 *                   scans of maildrop until nothing more moves
 *   pickup_scan.c   one scan of maildrop: which entries are files to
 *                   pick up, which are left alone, which are stale
 *   pickup_file.c   one file: open it safely, hand it to cleanup, then
 *                   remove it, keep it, or move it to corrupt/
 *   pickup_copy.c   the records of one file, copied to cleanup with
 *                   the Received: header added and the log line
 *   pickup_rules.c  which records go to cleanup: postdrop's rules for
 *                   users' files, Postfix's for files that "postsuper
 *                   -r" put back (owned by mail_owner)
 *
 * Every file is dealt with once per scan; nothing here exits on bad
 * input (a damaged file goes to corrupt/, a cleanup that fails leaves
 * the file for the next scan). */
#ifndef PICKUP_H
#define PICKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "cleanup_user.h"
#include "mail_queue.h"
#include "rec_type.h"
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
    uid_t   owner_uid;                  /* $mail_owner: requeued files */
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

/* Request flags that a requeued file does not get, as in Postfix: its
 * milters ran when it first arrived, and SMTPUTF8 autodetection is for
 * local submissions (smtputf8_autodetect_classes "sendmail"). */
#define PICKUP_REQUEUE_FLAGS_OFF (CLEANUP_FLAG_MILT | CLEANUP_FLAG_AUTOUTF8)

/* pickup_requeued - whether a file with status st was put back into
 * maildrop by "postsuper -r": owned by mail_owner, not readable by
 * others (postdrop's files are 0744, also those of mail_owner's own
 * submissions), one link. Postfix's test, plus the link count. */
bool    pickup_requeued(const PICKUP *p, const struct stat *st);

/* pickup_copy - check the records of the file open on fd and copy them
 * to cleanup (all but the 'E' record, which the caller sends); st is
 * the file's status (the owner is the submitting user); requeued_id is
 * the maildrop name of a requeued file, NULL for a user's. 0 or one of
 * the codes above. */
int     pickup_copy(const PICKUP *p, int fd, const struct stat *st,
                    const char *requeued_id, STREAM *cleanup,
                    const char *queue_id, BUF *why);

/* Per-file state of the record rules (pickup_rules.c). */
typedef struct PICKUP_RULES {
    const char *queue_id;               /* cleanup's, for warnings */
    long    uid;                        /* the file's owner */
    long    records;                    /* seen so far */
    int     senders;                    /* 'S' records */
    BUF    *why;                        /* why a file is damaged */
} PICKUP_RULES;

/* What the rules say about a record, besides PICKUP_COPY_BAD (with the
 * reason in why). */
#define PICKUP_RULE_SEND    0           /* pass it to cleanup */
#define PICKUP_RULE_DROP    (-1)        /* leave it out */

/* The rules: one record in logical order (type, data, offset of the
 * record, its section). */
typedef int (*PICKUP_RULE_FN) (PICKUP_RULES *r, int type, const char *data,
                               size_t len, off_t offset, REC_SECTION section);

/* pickup_rules_postdrop - a user's file must hold what postdrop writes
 * and nothing else; attributes other than sendmail's are dropped */
int     pickup_rules_postdrop(PICKUP_RULES *r, int type, const char *data,
                              size_t len, off_t offset, REC_SECTION section);

/* pickup_rules_requeued - a file that cleanup wrote: its records as
 * they are, but for what Postfix's pickup leaves out */
int     pickup_rules_requeued(PICKUP_RULES *r, int type, const char *data,
                              size_t len, off_t offset, REC_SECTION section);

#endif
