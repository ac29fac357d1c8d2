/* set_eugid - switch the effective user and group ids, and back.
 *
 * Model: root is kept as the real and saved user id, so the effective
 * ids can be changed any number of times: first back to root (only root
 * may change groups), then the group ids, then the user id. Every change
 * is read back. Peers: priv.c (the permanent drop), local(8). */
#include <grp.h>
#include <unistd.h>

#include "msg.h"
#include "set_eugid.h"

/* set_eugid_capable - whether this process can switch ids (real uid 0) */
bool
set_eugid_capable(void)
{
    return getuid() == 0;
}

/* set_eugid - make uid/gid the effective ids; a no-op when not capable */
void
set_eugid(uid_t uid, gid_t gid)
{
    if (!set_eugid_capable())
        return;
    if (geteuid() != 0 && setresuid(-1, 0, -1) < 0)
        msg_fatal("set_eugid: setresuid(-1, 0, -1): %m");
    if (setresgid(-1, gid, -1) < 0)
        msg_fatal("set_eugid: setresgid(-1, %lu, -1): %m",
                  (unsigned long) gid);
    if (setgroups(1, &gid) < 0)
        msg_fatal("set_eugid: setgroups(1, [%lu]): %m", (unsigned long) gid);
    if (uid != 0 && setresuid(-1, uid, -1) < 0)
        msg_fatal("set_eugid: setresuid(-1, %lu, -1): %m",
                  (unsigned long) uid);
    if (geteuid() != uid || getegid() != gid)
        msg_fatal("set_eugid: effective ids are %lu/%lu, wanted %lu/%lu",
                  (unsigned long) geteuid(), (unsigned long) getegid(),
                  (unsigned long) uid, (unsigned long) gid);
}
