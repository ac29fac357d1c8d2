/* set_eugid - switch the effective user and group ids, and back.
 *
 * A delivery agent that runs as root (local, virtual, pipe) keeps root as
 * its real and saved user id and works with the effective ids of
 * mail_owner; for each step on behalf of a user it switches the effective
 * ids to that user and back, as Postfix's agents do:
 *   setresuid(-1, 0, -1); setresgid(-1, GID, -1); setgroups(1, [GID]);
 *   setresuid(-1, UID, -1).
 * Children that run commands give up root for good with priv_drop()
 * (priv.h) after set_eugid(0, 0).
 *
 * A process that does not run as root (real uid not 0) cannot switch:
 * every call is then a no-op and the process works with its own ids
 * (docs/local.md, "make run" as an ordinary user).
 *
 * A failure to switch is fatal (msg_fatal): continuing with the wrong
 * identity could write a user's files as another user. This is the
 * documented exception to "library code never exits", as in priv.h. */
#ifndef SET_EUGID_H
#define SET_EUGID_H

#include <stdbool.h>
#include <sys/types.h>

/* set_eugid_capable - whether this process can switch ids (real uid 0) */
bool    set_eugid_capable(void);

/* set_eugid - make uid/gid the effective ids, with gid as the only
 * supplementary group; a no-op when not capable */
void    set_eugid(uid_t uid, gid_t gid);

#endif
