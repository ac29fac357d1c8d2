/* priv - the one audited place where a process gives up privileges.
 *
 * priv_drop() sets supplementary groups to exactly the given group, then
 * the real, effective and saved group and user ids, and verifies that
 * root cannot be regained. Any failure is fatal: a daemon must never run
 * with more privilege than intended. priv_chroot() changes root before.
 * A process that is not root cannot change its supplementary groups;
 * priv_drop() then only sets (and verifies) the user and group ids. */
#ifndef PRIV_H
#define PRIV_H

#include <sys/types.h>

void    priv_drop(uid_t uid, gid_t gid);
void    priv_chroot(const char *dir);

/* priv_lookup_user - uid and gid of a login name; 0 or -1 (errno ENOENT
 * when there is no such name); uid or gid may be NULL */
int     priv_lookup_user(const char *name, uid_t *uid, gid_t *gid);
int     priv_lookup_group(const char *name, gid_t *gid);

#endif
