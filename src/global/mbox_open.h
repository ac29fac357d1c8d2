/* mbox_open - open a UNIX mailbox (or a file) for appending, locked.
 *
 * The order is Postfix 3.7's (observed): the lock file PATH.lock first
 * (dot_lock.h), then the file is opened for appending, created when
 * missing (O_CREAT|O_EXCL, never through a symlink; owner uid/gid when
 * given), then the kernel lock (fcntl and/or flock, exclusive, over the
 * whole file, tried deliver_lock_attempts times deliver_lock_delay
 * apart). Existing files are opened with safe_open() rules: no symbolic
 * links, regular files with one link (docs/local.md says where this is
 * stricter than Postfix). The caller then checks ownership, writes with
 * mail_copy() and calls mbox_release().
 *
 * The lock styles are mailbox_delivery_lock's words ("fcntl, dotlock";
 * "flock"); MBOX_LOCK_DOT_MAY_FAIL lets a file delivery go on without
 * the lock file when its directory is not writable, as Postfix's /file
 * deliveries do; the reason is then left in MBOX.warning for the caller
 * to log (after it switched back to its own ids: a process working with
 * a user's ids may not reach the log socket). Shared with virtual(8).
 * Library code: nothing here exits. */
#ifndef MBOX_OPEN_H
#define MBOX_OPEN_H

#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"
#include "dsn_buf.h"

#define MBOX_LOCK_FLOCK         (1<<0)
#define MBOX_LOCK_FCNTL         (1<<1)
#define MBOX_LOCK_DOT           (1<<2)
#define MBOX_LOCK_DOT_MAY_FAIL  (1<<3)

typedef struct MBOX_CONF {
    int     locks;                      /* MBOX_LOCK_* */
    int     attempts;                   /* deliver_lock_attempts */
    int     delay;                      /* deliver_lock_delay, seconds */
    int     stale;                      /* stale_lock_time, seconds */
} MBOX_CONF;

typedef struct MBOX {
    char   *path;
    int     fd;                         /* O_WRONLY|O_APPEND, at the end */
    int     locked;                     /* MBOX_LOCK_* held */
    char   *warning;                    /* lock file problem, or NULL */
} MBOX;

/* mbox_lock_parse - mailbox_delivery_lock text to MBOX_LOCK_* bits; 0,
 * or -1 with the reason in why (an unknown word, or none) */
int     mbox_lock_parse(const char *text, int *locks, BUF *why);

/* mbox_conf_init - conf from a lock style parameter's value
 * (mailbox_delivery_lock, virtual_mailbox_lock) and the common
 * deliver_lock_attempts, deliver_lock_delay and stale_lock_time; 0, or
 * -1 with "NAME: what is wrong" in why */
int     mbox_conf_init(MBOX_CONF *conf, const char *name, const char *locks,
                       BUF *why);

/* mbox_open - open and lock path; NULL with the reason and a status
 * (4.2.0 when a lock is held by another, else dsn_errno_status() with
 * def_status) in why. st gets the file's status. */
MBOX   *mbox_open(const char *path, mode_t mode, uid_t uid, gid_t gid,
                  const MBOX_CONF *conf, struct stat *st,
                  const char *def_status, DSN_BUF *why);

/* mbox_release - close the file (dropping the kernel locks) and remove
 * the lock file */
void    mbox_release(MBOX *mp);

#endif
