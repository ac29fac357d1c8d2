/* maildir - deliver one message into a qmail-style Maildir.
 *
 * Model: the tmp name is unique among living processes (pid) and the new
 * name among files (device and inode of the file just written), so no
 * lock is needed; a reader never sees a partial message because the file
 * appears in new/ only once it is complete and on disk. Directories are
 * made only when an operation says they are missing, which costs nothing
 * on the common path. Peers: mail_copy (the writer), local(8),
 * virtual(8). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mail_copy.h"
#include "maildir.h"
#include "msg.h"

#define MAILDIR_MODE    0700

/* maildir_host - the host part of the names (static) */
const char *
maildir_host(void)
{
    static BUF *host;
    struct utsname un;

    if (host == NULL) {
        host = buf_alloc(64);
        if (uname(&un) < 0)
            strcpy(un.nodename, "localhost");
        for (const char *cp = un.nodename; *cp; cp++) {
            if (*cp == '/')
                buf_strcat(host, "\\057");
            else if (*cp == ':')
                buf_strcat(host, "\\072");
            else
                buf_addch(host, *cp);
        }
    }
    return buf_str(host);
}

/* maildir_mkdirs - make path and its missing parents; 0 or -1 */
static int
maildir_mkdirs(const char *path)
{
    BUF    *bp = buf_alloc(100);
    const char *cp = path;
    int     status = 0;

    while (status == 0 && *cp) {
        const char *next = strchr(cp + 1, '/');

        cp = next ? next : cp + strlen(cp);
        buf_reset(bp);
        buf_append(bp, path, cp - path);
        if (mkdir(buf_str(bp), MAILDIR_MODE) < 0 && errno != EEXIST) {
            struct stat st;
            int     err = errno;

            if (stat(buf_str(bp), &st) < 0 || !S_ISDIR(st.st_mode)) {
                errno = err;
                status = -1;
            }
        }
    }
    buf_free(bp);
    return status;
}

/* maildir_subdir - dir/name (dir without its trailing '/') */
static void
maildir_subdir(BUF *bp, const char *dir, const char *name)
{
    buf_strcpy(bp, dir);
    while (buf_len(bp) > 1 && buf_last(bp) == '/')
        buf_truncate(bp, buf_len(bp) - 1);
    buf_strcat(bp, "/");
    buf_strcat(bp, name);
}

/* maildir_create - the tmp file, making tmp/ when missing; fd or -1 */
static int
maildir_create(const char *dir, const char *tmpfile)
{
    BUF    *tmpdir = buf_alloc(100);
    int     fd;

    fd = open(tmpfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT) {
        maildir_subdir(tmpdir, dir, "tmp");
        if (maildir_mkdirs(buf_str(tmpdir)) == 0)
            fd = open(tmpfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      0600);
    }
    buf_free(tmpdir);
    return fd;
}

/* maildir_link - link tmp into new/, making cur/ and new/ when missing */
static int
maildir_link(const char *dir, const char *tmpfile, const char *newfile)
{
    BUF    *sub = buf_alloc(100);
    int     status;

    if ((status = link(tmpfile, newfile)) < 0 && errno == ENOENT) {
        maildir_subdir(sub, dir, "cur");
        if (maildir_mkdirs(buf_str(sub)) == 0) {
            maildir_subdir(sub, dir, "new");
            if (maildir_mkdirs(buf_str(sub)) == 0)
                status = link(tmpfile, newfile);
        }
    }
    buf_free(sub);
    return status;
}

/* maildir_write - write, then link the file into new/ */
static int
maildir_write(const char *dir, int fd, const char *tmpfile,
              const struct timeval *tv, MAILDIR_WRITE_FN write_fn,
              void *ctx, DSN_BUF *why)
{
    BUF    *newfile = buf_alloc(100);
    STREAM *dst = stream_fdopen(fd);
    struct stat st;
    int     status;

    if (fstat(fd, &st) < 0) {
        dsb_simple(why, "4.3.0", "create maildir file %s: %m", tmpfile);
        status = MAIL_COPY_STAT_WRITE;
    } else {
        maildir_subdir(newfile, dir, "new/");
        buf_sprintf_append(newfile, "%lu.V%lxI%lxM%lu.%s",
                           (unsigned long) tv->tv_sec,
                           (unsigned long) st.st_dev,
                           (unsigned long) st.st_ino,
                           (unsigned long) tv->tv_usec, maildir_host());
        status = write_fn(dst, ctx, why);
        if (status == 0 && maildir_link(dir, tmpfile, buf_str(newfile)) < 0) {
            dsb_simple(why, dsn_errno_status(errno, "5.2.0"),
                       "create maildir file %s: %m", buf_str(newfile));
            status = MAIL_COPY_STAT_WRITE;
        }
    }
    if (stream_close(dst) < 0 && status == 0) {
        dsb_simple(why, "4.3.0", "close maildir file %s: %m", tmpfile);
        status = MAIL_COPY_STAT_WRITE;
    }
    buf_free(newfile);
    return status;
}

/* maildir_deliver - deliver into the Maildir at dir */
int
maildir_deliver(const char *dir, MAILDIR_WRITE_FN write_fn, void *ctx,
                DSN_BUF *why)
{
    BUF    *tmpfile = buf_alloc(100);
    struct timeval tv;
    int     status;
    int     err;
    int     fd;

    gettimeofday(&tv, NULL);
    maildir_subdir(tmpfile, dir, "tmp/");
    buf_sprintf_append(tmpfile, "%lu.P%d.%s", (unsigned long) tv.tv_sec,
                       (int) getpid(), maildir_host());
    if ((fd = maildir_create(dir, buf_str(tmpfile))) < 0) {
        err = errno;
        dsb_simple(why, dsn_errno_status(err, "5.2.0"),
                   "create maildir file %s: %m", buf_str(tmpfile));
        status = MAIL_COPY_STAT_WRITE;
    } else {
        status = maildir_write(dir, fd, buf_str(tmpfile), &tv, write_fn,
                               ctx, why);
        err = errno;
        if (unlink(buf_str(tmpfile)) < 0)
            msg_warn("remove %s: %m", buf_str(tmpfile));
    }
    buf_free(tmpfile);
    errno = err;
    return status;
}
