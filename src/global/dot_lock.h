/* dot_lock - mailbox lock files ("PATH.lock"), as mail readers expect.
 *
 * The lock is a file PATH.lock created with O_CREAT|O_EXCL and mode 0
 * (observed from Postfix 3.7's local), in the mailbox's directory, by
 * whoever may write there (the recipient for /var/mail with mode 1777).
 * Another holder makes the attempt wait delay seconds and try again, up
 * to attempts times; a lock file older than stale seconds is taken to
 * be left over from a crash and removed (stale_lock_time). Shared with
 * virtual(8). Library code: nothing here exits. */
#ifndef DOT_LOCK_H
#define DOT_LOCK_H

#include "buf.h"

#define DOT_LOCK_SUFFIX ".lock"

/* dot_lock_create - create path.lock; 0, or -1 with "unable to create
 * lock file PATH.lock: REASON" in why and errno (EEXIST: still held
 * after every attempt) */
int     dot_lock_create(const char *path, int attempts, int delay,
                        int stale, BUF *why);

/* dot_lock_remove - remove path.lock (an error is only logged) */
void    dot_lock_remove(const char *path);

#endif
