/* priv - the one audited place where a process gives up privileges.
 *
 * Model: priv_drop() changes groups before the user id (once the user id
 * is gone, groups can no longer be changed): supplementary groups become
 * exactly { gid }, then real, effective and saved ids are set with
 * setresgid()/setresuid(). It then reads every id back and, when it
 * started as root, checks that setuid(0) now fails. Any failure is fatal
 * (msg_fatal), the documented exception to "library code never exits": a
 * daemon must never continue with more privilege than intended.
 *
 * Peers: master (chroot/drop for services), the server skeletons. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "msg.h"
#include "priv.h"

/* priv_drop - become uid/gid for good, with no other groups */
void
priv_drop(uid_t uid, gid_t gid)
{
    uid_t   ruid, euid, suid;
    gid_t   rgid, egid, sgid;
    gid_t   groups[2];
    int     was_root = (geteuid() == 0);
    int     ngroups;

    /* Only root may change the supplementary groups. */
    if (was_root && setgroups(1, &gid) < 0)
        msg_fatal("priv_drop: setgroups(%lu): %m", (unsigned long) gid);
    if (setresgid(gid, gid, gid) < 0)
        msg_fatal("priv_drop: setresgid(%lu): %m", (unsigned long) gid);
    if (setresuid(uid, uid, uid) < 0)
        msg_fatal("priv_drop: setresuid(%lu): %m", (unsigned long) uid);

    /* Verify: trust nothing that we did not read back. */
    if (getresuid(&ruid, &euid, &suid) < 0
        || getresgid(&rgid, &egid, &sgid) < 0)
        msg_fatal("priv_drop: cannot read back process ids: %m");
    if (ruid != uid || euid != uid || suid != uid)
        msg_fatal("priv_drop: user ids are %lu/%lu/%lu, wanted %lu",
                  (unsigned long) ruid, (unsigned long) euid,
                  (unsigned long) suid, (unsigned long) uid);
    if (rgid != gid || egid != gid || sgid != gid)
        msg_fatal("priv_drop: group ids are %lu/%lu/%lu, wanted %lu",
                  (unsigned long) rgid, (unsigned long) egid,
                  (unsigned long) sgid, (unsigned long) gid);
    if (was_root) {
        ngroups = getgroups(2, groups);
        if (ngroups != 1 || groups[0] != gid)
            msg_fatal("priv_drop: supplementary groups were not reset");
        if (uid != 0 && setuid(0) == 0)
            msg_fatal("priv_drop: root privileges could be regained");
    }
}

/* priv_chroot - make dir the root directory (while still root) */
void
priv_chroot(const char *dir)
{
    if (chdir(dir) < 0)
        msg_fatal("priv_chroot: chdir %s: %m", dir);
    if (chroot(".") < 0)
        msg_fatal("priv_chroot: chroot %s: %m", dir);
    if (chdir("/") < 0)
        msg_fatal("priv_chroot: chdir / in %s: %m", dir);
}

/* priv_lookup_user - uid and primary gid of a login name; 0 or -1 */
int
priv_lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
    struct passwd *pw;

    errno = 0;
    if ((pw = getpwnam(name)) == NULL) {
        if (errno == 0)
            errno = ENOENT;
        return -1;
    }
    if (uid)
        *uid = pw->pw_uid;
    if (gid)
        *gid = pw->pw_gid;
    return 0;
}

/* priv_lookup_group - gid of a group name; 0 or -1 */
int
priv_lookup_group(const char *name, gid_t *gid)
{
    struct group *gr;

    errno = 0;
    if ((gr = getgrnam(name)) == NULL) {
        if (errno == 0)
            errno = ENOENT;
        return -1;
    }
    if (gid)
        *gid = gr->gr_gid;
    return 0;
}
