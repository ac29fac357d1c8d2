/* mail_dirs - create and check the queue directory tree.
 *
 * Under $queue_directory: maildrop, incoming, active, deferred, hold,
 * corrupt, bounce, defer, trace, flush, saved, pid, private, public; and
 * $data_directory. Modes and owners as Postfix uses them (docs/queue-format.md):
 * most 0700 owned by mail_owner; maildrop 0730 mail_owner:setgid_group;
 * public 0710 mail_owner:setgid_group (as Postfix 3.7 creates them); pid 0755 root (or the running user).
 * As non-root everything is owned by the running user and nothing is
 * chowned. A symbolic link in place of any directory is refused, never
 * followed. Table and details: docs/postern.md. */
#ifndef MAIL_DIRS_H
#define MAIL_DIRS_H

#include "buf.h"

/* mail_dirs_create - create what is missing and fix owners and modes
 * (as root); 0, or -1 with the reason in why */
int     mail_dirs_create(BUF *why);

/* mail_dirs_check - report problems (missing directories, wrong owner or
 * mode, world-writable paths) as warnings; returns how many were found */
int     mail_dirs_check(void);

#endif
