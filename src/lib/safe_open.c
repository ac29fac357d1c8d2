/* safe_open - open a file without symlink or hard-link tricks.
 *
 * Model: an existing file is checked with lstat() (not a symlink, a
 * regular file, one link), then opened with O_NOFOLLOW and without
 * O_TRUNC, then checked again with fstat(): it must be the same file
 * (device and inode) with the same properties, so a swap between the two
 * calls is detected. Truncation happens only after every check passed.
 * The open adds O_NONBLOCK so that a fifo swapped in cannot block us; the
 * flag is cleared afterwards unless the caller asked for it. A new file is
 * created with O_CREAT|O_EXCL, which never follows a symlink.
 *
 * Peers: queue file and log file writers, lock files. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_open.h"

/* safe_open_check - the checks both lstat() and fstat() results pass */
static int
safe_open_check(const char *path, const struct stat *st, uid_t user,
                gid_t group, BUF *why)
{
    if (S_ISLNK(st->st_mode)) {
        buf_sprintf(why, "%s: is a symbolic link", path);
    } else if (!S_ISREG(st->st_mode)) {
        buf_sprintf(why, "%s: not a regular file", path);
    } else if (st->st_nlink != 1) {
        buf_sprintf(why, "%s: file has %lu hard links", path,
                    (unsigned long) st->st_nlink);
    } else if (user != (uid_t) -1 && st->st_uid != user) {
        buf_sprintf(why, "%s: file has owner %lu, expected %lu", path,
                    (unsigned long) st->st_uid, (unsigned long) user);
    } else if (group != (gid_t) -1 && st->st_gid != group) {
        buf_sprintf(why, "%s: file has group %lu, expected %lu", path,
                    (unsigned long) st->st_gid, (unsigned long) group);
    } else {
        return 0;
    }
    return -1;
}

/* safe_open_exist - open an existing file under the rules above */
static int
safe_open_exist(const char *path, int flags, struct stat *st, uid_t user,
                gid_t group, BUF *why)
{
    struct stat lst, fst;
    int     fd;

    if (lstat(path, &lst) < 0) {
        buf_sprintf(why, "lstat %s: %m", path);
        return -1;
    }
    if (safe_open_check(path, &lst, user, group, why) < 0)
        return -1;
    fd = open(path, (flags & ~(O_CREAT | O_EXCL | O_TRUNC))
              | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        buf_sprintf(why, "open %s: %m", path);
        return -1;
    }
    if (fstat(fd, &fst) < 0) {
        buf_sprintf(why, "fstat %s: %m", path);
    } else if (fst.st_dev != lst.st_dev || fst.st_ino != lst.st_ino) {
        buf_sprintf(why, "%s: file was replaced while being opened", path);
    } else if (safe_open_check(path, &fst, user, group, why) < 0) {
        /* why is set */
    } else if ((flags & O_NONBLOCK) == 0
               && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        buf_sprintf(why, "fcntl %s: %m", path);
    } else if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY
               && ftruncate(fd, 0) < 0) {
        buf_sprintf(why, "truncate %s: %m", path);
    } else {
        if (st)
            *st = fst;
        return fd;
    }
    close(fd);
    return -1;
}

/* safe_open_create - create a new file; EEXIST is left in errno */
static int
safe_open_create(const char *path, int flags, mode_t mode, struct stat *st,
                 uid_t user, gid_t group, BUF *why)
{
    struct stat fst;
    int     fd;

    fd = open(path, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        buf_sprintf(why, "create %s: %m", path);
        return -1;
    }
    if ((user != (uid_t) -1 || group != (gid_t) -1)
        && fchown(fd, user, group) < 0) {
        buf_sprintf(why, "set owner of %s: %m", path);
    } else if (fstat(fd, &fst) < 0) {
        buf_sprintf(why, "fstat %s: %m", path);
    } else {
        if (st)
            *st = fst;
        return fd;
    }
    close(fd);
    unlink(path);
    return -1;
}

/* safe_open - open or create a file safely; fd or -1 with why */
int
safe_open(const char *path, int flags, mode_t mode, struct stat *st,
          uid_t user, gid_t group, BUF *why)
{
    int     fd;

    if ((flags & O_CREAT) && (flags & O_EXCL))
        return safe_open_create(path, flags, mode, st, user, group, why);
    if ((flags & O_CREAT) == 0)
        return safe_open_exist(path, flags, st, user, group, why);

    /* O_CREAT alone: open what is there, else create; retry once if we
     * lose a race against another creator or remover. */
    for (int attempt = 0; attempt < 2; attempt++) {
        struct stat lst;

        if (lstat(path, &lst) == 0)
            fd = safe_open_exist(path, flags, st, user, group, why);
        else if (errno != ENOENT) {
            buf_sprintf(why, "lstat %s: %m", path);
            return -1;
        } else
            fd = safe_open_create(path, flags, mode, st, user, group, why);
        if (fd >= 0 || (errno != EEXIST && errno != ENOENT))
            return fd;
    }
    return -1;
}
