/* local_include - a :include:/path file in an alias or .forward.
 *
 * Model (man 8 local, man 5 aliases; Postfix 3.7 observed):
 *   - the path must be absolute; the file is opened with the current
 *     rights (the alias owner's, or the user's in a .forward), never
 *     through a symbolic link, and must be a regular file;
 *   - its lines are destination lists of type "include"
 *     (allow_mail_to_commands/_files, by default neither is allowed);
 *   - in a user's context (.forward) they keep the user's rights;
 *     otherwise the file owner's, default_privs when root owns it;
 *   - each file is expanded once per recipient; nesting is bounded by
 *     LOCAL_LEVEL_MAX.
 * Peers: local_token. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "set_eugid.h"

/* local_include_open - open path with usr's rights; fd or -1 (why) */
static int
local_include_open(const char *path, const LOCAL_USER *usr,
                   struct stat *st, DSN_BUF *why)
{
    int     fd;

    set_eugid(usr->uid, usr->gid);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        dsb_simple(why, dsn_errno_status(errno, "5.3.5"),
                   "unable to open include file %s: %m", path);
    } else if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        dsb_simple(why, "5.3.5", "include file %s is not a regular file",
                   path);
        close(fd);
        fd = -1;
    }
    local_as_owner();
    return fd;
}

/* local_include_user - whose rights the file's destinations get */
static LOCAL_USER
local_include_user(const LOCAL_USER *usr, const struct stat *st)
{
    LOCAL_USER owner;
    struct passwd *pw;

    if (usr->home != NULL)
        return *usr;
    memset(&owner, 0, sizeof(owner));
    owner.uid = local_conf.default_uid;
    owner.gid = local_conf.default_gid;
    if (st->st_uid != 0) {
        owner.uid = st->st_uid;
        owner.gid = (pw = getpwuid(st->st_uid)) ? pw->pw_gid : st->st_gid;
        local_unprivileged(&owner.uid, &owner.gid);
    }
    return owner;
}

/* local_include - deliver to the destinations in an include file */
int
local_include(LOCAL_STATE state, const LOCAL_USER *usr, const char *path)
{
    DSN_BUF *why = dsb_create();
    LOCAL_USER owner;
    struct stat st;
    int     status = 0;
    int     fd;

    if (*path != '/') {
        dsb_simple(why, "5.3.5", "include file must be an absolute "
                   "pathname: %s", path);
        status = local_result(state, why);
    } else if (state.level > LOCAL_LEVEL_MAX) {
        dsb_simple(why, "5.4.6", "include file loop for %s", path);
        status = local_result(state, why);
    } else if (local_been_here(&state, "include %s", path)) {
        status = 0;
    } else if ((fd = local_include_open(path, usr, &st, why)) < 0) {
        status = local_result(state, why);
    } else {
        owner = local_include_user(usr, &st);
        state.exp_type = LOCAL_EXP_INCLUDE;
        state.exp_from = path;
        state.level++;
        status = local_token_stream(state, &owner, fd, NULL);
        close(fd);
    }
    dsb_free(why);
    return status;
}
