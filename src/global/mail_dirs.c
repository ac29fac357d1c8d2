/* mail_dirs - create and check the queue directory tree.
 *
 * Model: one table lists every directory with its mode and who owns it.
 * Creation works relative to an open descriptor of $queue_directory
 * (mkdirat, openat with O_NOFOLLOW, fchown, fchmod), so a symlink planted
 * in place of a directory is refused rather than followed. As root the
 * owners come from mail_owner and setgid_group; as another user the tree
 * belongs to that user and nothing is chowned. Peers: postern (start,
 * check, set-permissions), master (creates the tree when run by hand). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "mail_dirs.h"
#include "mail_params.h"
#include "msg.h"
#include "priv.h"

/* Who owns a directory. */
typedef enum {
    MD_ROOT,                            /* root (the running user) */
    MD_OWNER,                           /* mail_owner */
} MD_USER;

typedef struct MAIL_DIR {
    const char *name;                   /* relative to queue_directory */
    mode_t  mode;
    MD_USER user;
    int     setgid_group;               /* group is setgid_group */
} MAIL_DIR;

static const MAIL_DIR mail_dirs[] = {
    {"active", 0700, MD_OWNER, 0},
    {"bounce", 0700, MD_OWNER, 0},
    {"corrupt", 0700, MD_OWNER, 0},
    {"defer", 0700, MD_OWNER, 0},
    {"deferred", 0700, MD_OWNER, 0},
    {"flush", 0700, MD_OWNER, 0},
    {"hold", 0700, MD_OWNER, 0},
    {"incoming", 0700, MD_OWNER, 0},
    {"maildrop", 0730, MD_OWNER, 1},
    {"pid", 0755, MD_ROOT, 0},
    {"private", 0700, MD_OWNER, 0},
    {"public", 0710, MD_OWNER, 1},
    {"saved", 0700, MD_OWNER, 0},
    {"trace", 0700, MD_OWNER, 0},
};

#define MAIL_DIR_COUNT  (sizeof(mail_dirs) / sizeof(mail_dirs[0]))
#define MODE_BITS       07777

/* Owners resolved for this run. */
typedef struct MD_IDS {
    int     is_root;
    uid_t   root_uid, owner_uid;
    gid_t   setgid_gid;
} MD_IDS;

/* mail_dirs_ids - resolve owners; as non-root, the running user owns all */
static int
mail_dirs_ids(MD_IDS *ids, BUF *why)
{
    gid_t   owner_gid;

    ids->is_root = (geteuid() == 0);
    if (!ids->is_root) {
        ids->root_uid = ids->owner_uid = geteuid();
        ids->setgid_gid = getegid();
        return 0;
    }
    ids->root_uid = 0;
    if (priv_lookup_user(var_mail_owner, &ids->owner_uid, &owner_gid) < 0) {
        buf_sprintf(why, "unknown mail_owner user: %s", var_mail_owner);
        return -1;
    }
    if (ids->owner_uid == 0) {
        buf_sprintf(why, "mail_owner (%s) must not be root", var_mail_owner);
        return -1;
    }
    if (priv_lookup_group(var_setgid_group, &ids->setgid_gid) < 0) {
        buf_sprintf(why, "unknown setgid_group group: %s", var_setgid_group);
        return -1;
    }
    return 0;
}

/* mail_dirs_want - the owner, group and mode a table entry asks for */
static void
mail_dirs_want(const MAIL_DIR *dp, const MD_IDS *ids, uid_t *uid,
               gid_t *gid)
{
    /* As in Postfix, only maildrop and public get a group; the others
     * keep whatever group they have ((gid_t) -1: leave it alone). */
    *uid = dp->user == MD_ROOT ? ids->root_uid : ids->owner_uid;
    *gid = dp->setgid_group ? ids->setgid_gid : (gid_t) -1;
}

/* mail_dirs_fix - give an open directory its owner (as root) and mode;
 * loose: as non-root, keep any mode that is not group or other writable */
static int
mail_dirs_fix(int fd, const char *path, uid_t uid, gid_t gid, mode_t mode,
              int loose, const MD_IDS *ids, BUF *why)
{
    struct stat st;
    int     chowned = 0;
    mode_t  have;

    if (fstat(fd, &st) < 0) {
        buf_sprintf(why, "stat %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        buf_sprintf(why, "%s: not a directory", path);
        return -1;
    }
    if (ids->is_root && (st.st_uid != uid
                         || (gid != (gid_t) -1 && st.st_gid != gid))) {
        if (fchown(fd, uid, gid) < 0) {
            buf_sprintf(why, "chown %s: %s", path, strerror(errno));
            return -1;
        }
        chowned = 1;
    }
    have = st.st_mode & MODE_BITS;
    if (loose && !ids->is_root && (have & (S_IWGRP | S_IWOTH)) == 0)
        return 0;
    /* chown may clear the set-group-id bit, so set the mode after it. */
    if (have == mode && !chowned)
        return 0;
    if (!ids->is_root && st.st_uid != geteuid()) {
        buf_sprintf(why, "%s: owned by uid %ld; cannot set mode %04o",
                    path, (long) st.st_uid, (unsigned) mode);
        return -1;
    }
    if (fchmod(fd, mode) < 0) {
        buf_sprintf(why, "chmod %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* mail_dirs_open - open dir (relative to dirfd), creating it if missing,
 * never through a symlink; the descriptor, or -1 */
static int
mail_dirs_open(int dirfd, const char *name, const char *path, int *created,
               BUF *why)
{
    struct stat st;
    int     fd;

    *created = 0;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno != ENOENT) {
            buf_sprintf(why, "lstat %s: %s", path, strerror(errno));
            return -1;
        }
        if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST) {
            buf_sprintf(why, "create directory %s: %s", path,
                        strerror(errno));
            return -1;
        }
        *created = 1;
    } else if (S_ISLNK(st.st_mode)) {
        buf_sprintf(why, "%s: is a symbolic link; refusing to use it", path);
        return -1;
    } else if (!S_ISDIR(st.st_mode)) {
        buf_sprintf(why, "%s: exists and is not a directory", path);
        return -1;
    }
    fd = openat(dirfd, name,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP)
            buf_sprintf(why, "%s: is a symbolic link; refusing to use it",
                        path);
        else
            buf_sprintf(why, "open %s: %s", path, strerror(errno));
        return -1;
    }
    return fd;
}

/* mail_dirs_make - create or fix one absolute directory (queue or data) */
static int
mail_dirs_make(const char *path, uid_t uid, gid_t gid, mode_t mode,
               int loose, const MD_IDS *ids, BUF *why)
{
    int     fd;
    int     ret;
    int     created;

    if (*path != '/') {
        buf_sprintf(why, "%s: not an absolute path", path);
        return -1;
    }
    if ((fd = mail_dirs_open(AT_FDCWD, path, path, &created, why)) < 0)
        return -1;
    /* A directory we just made gets exactly the mode. */
    ret = mail_dirs_fix(fd, path, uid, gid, mode, loose && !created, ids,
                        why);
    close(fd);
    return ret;
}

/* mail_dirs_create - create what is missing and fix owners and modes */
int
mail_dirs_create(BUF *why)
{
    MD_IDS  ids;
    BUF    *path;
    int     qfd;
    int     ret = 0;

    buf_reset(why);
    if (mail_dirs_ids(&ids, why) < 0)
        return -1;
    if (mail_dirs_make(var_queue_directory, ids.root_uid, (gid_t) -1,
                       0755, 1, &ids, why) < 0)
        return -1;
    qfd = open(var_queue_directory,
               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (qfd < 0) {
        buf_sprintf(why, "open %s: %s", var_queue_directory, strerror(errno));
        return -1;
    }
    path = buf_alloc(100);
    for (size_t i = 0; ret == 0 && i < MAIL_DIR_COUNT; i++) {
        const MAIL_DIR *dp = mail_dirs + i;
        uid_t   uid;
        gid_t   gid;
        int     fd;
        int     created;

        buf_sprintf(path, "%s/%s", var_queue_directory, dp->name);
        mail_dirs_want(dp, &ids, &uid, &gid);
        if ((fd = mail_dirs_open(qfd, dp->name, buf_str(path), &created,
                                 why)) < 0) {
            ret = -1;
            break;
        }
        ret = mail_dirs_fix(fd, buf_str(path), uid, gid, dp->mode, 0, &ids,
                           why);
        close(fd);
    }
    close(qfd);
    buf_free(path);
    if (ret == 0)
        ret = mail_dirs_make(var_data_directory, ids.owner_uid, (gid_t) -1,
                             0700, 0, &ids, why);
    return ret;
}

/* mail_dirs_user_name - text for an owner in a warning */
static const char *
mail_dirs_user_name(const MAIL_DIR *dp, const MD_IDS *ids)
{
    if (!ids->is_root)
        return "the running user";
    return dp->user == MD_ROOT ? "root" : var_mail_owner;
}

/* mail_dirs_check_one - warn about one directory; the number of problems */
static int
mail_dirs_check_one(const char *path, const MAIL_DIR *dp, int loose,
                    const MD_IDS *ids)
{
    struct stat st;
    uid_t   uid;
    gid_t   gid;
    int     problems = 0;

    if (lstat(path, &st) < 0) {
        msg_warn("missing directory: %s", path);
        return 1;
    }
    if (S_ISLNK(st.st_mode)) {
        msg_warn("symbolic link instead of a directory: %s", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        msg_warn("not a directory: %s", path);
        return 1;
    }
    mail_dirs_want(dp, ids, &uid, &gid);
    if (st.st_uid != uid) {
        msg_warn("not owned by %s: %s", mail_dirs_user_name(dp, ids), path);
        problems++;
    }
    if (ids->is_root && dp->setgid_group && st.st_gid != gid) {
        msg_warn("not owned by group %s: %s", var_setgid_group, path);
        problems++;
    }
    if (st.st_mode & ~dp->mode & (S_IWGRP | S_IWOTH)) {
        msg_warn("group or other writable: %s", path);
        problems++;
    }
    if ((st.st_mode & MODE_BITS) != dp->mode && !(loose && !ids->is_root)) {
        msg_warn("wrong mode %04o (expected %04o): %s",
                 (unsigned) (st.st_mode & MODE_BITS), (unsigned) dp->mode,
                 path);
        problems++;
    }
    return problems;
}

/* mail_dirs_check - report problems as warnings; the number found */
int
mail_dirs_check(void)
{
    static const MAIL_DIR queue_dir = {"", 0755, MD_ROOT, 0};
    static const MAIL_DIR data_dir = {"", 0700, MD_OWNER, 0};
    MD_IDS  ids;
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);
    int     problems = 0;
    struct stat st;
    int     skip;

    if (mail_dirs_ids(&ids, why) < 0) {
        msg_warn("%s", buf_str(why));
        buf_free(why);
        buf_free(path);
        return 1;
    }
    problems += mail_dirs_check_one(var_queue_directory, &queue_dir, 1, &ids);
    /* Without a queue directory, its subdirectories add nothing. */
    skip = (lstat(var_queue_directory, &st) < 0 || !S_ISDIR(st.st_mode));
    for (size_t i = 0; !skip && i < MAIL_DIR_COUNT; i++) {
        buf_sprintf(path, "%s/%s", var_queue_directory, mail_dirs[i].name);
        problems += mail_dirs_check_one(buf_str(path), mail_dirs + i, 0,
                                        &ids);
    }
    problems += mail_dirs_check_one(var_data_directory, &data_dir, 0, &ids);
    buf_free(why);
    buf_free(path);
    return problems;
}
