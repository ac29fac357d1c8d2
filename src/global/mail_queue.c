/* mail_queue - queue names, queue file paths, and the queue file life cycle.
 *
 * Model: what Debian's Postfix 3.7 does, seen with strace on cleanup and
 * postdrop: create "QUEUE/<usec>.<pid>" with O_CREAT|O_EXCL, fstat for
 * the inode, rename to the queue id (making hash subdirectories 0700 when
 * the rename finds them missing), write, then fchmod 0700 and fsync
 * (reliability.md D2: the mode change is made durable by the same
 * fsync, so a file that survives a crash as 0700 also has its data).
 * Renames never replace a file (renameat2 RENAME_NOREPLACE, or link and
 * unlink where the file system lacks it). Peers: mail_queue_id (names),
 * queue_file (records), the daemons (cleanup, qmgr, pickup, postdrop). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "argv.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "mail_queue_id.h"
#include "mymalloc.h"

#define MQ_ATTEMPTS     100             /* tries for a fresh name */

static const char *const mail_queue_names[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD, MAIL_QUEUE_CORRUPT,
    MAIL_QUEUE_BOUNCE, MAIL_QUEUE_DEFER, MAIL_QUEUE_TRACE,
    MAIL_QUEUE_FLUSH, MAIL_QUEUE_SAVED,
};

#define MQ_NAME_COUNT   (sizeof(mail_queue_names) / sizeof(mail_queue_names[0]))

/* mail_queue_conf_params - see mail_queue.h */
void
mail_queue_conf_params(MAIL_QUEUE_CONF *conf)
{
    conf->dir = ".";
    conf->hash_names = var_hash_queue_names;
    conf->hash_depth = var_hash_queue_depth;
    conf->long_ids = var_enable_long_queue_ids;
}

/* mail_queue_name_ok - a known queue name */
bool
mail_queue_name_ok(const char *queue)
{
    for (size_t i = 0; i < MQ_NAME_COUNT; i++)
        if (strcmp(queue, mail_queue_names[i]) == 0)
            return true;
    return false;
}

/* mail_queue_hashed - queue listed in hash_queue_names */
bool
mail_queue_hashed(const MAIL_QUEUE_CONF *conf, const char *queue)
{
    char   *copy, *bp, *name;
    bool    found = false;

    if (conf->hash_names == NULL)
        return false;
    bp = copy = mystrdup(conf->hash_names);
    while (!found && (name = mystrtok(&bp, LIST_DELIM)) != NULL)
        found = (strcmp(name, queue) == 0);
    myfree(copy);
    return found;
}

/* mail_queue_base - "DIR/queue" (or "queue" for the current directory) */
static void
mail_queue_base(BUF *path, const MAIL_QUEUE_CONF *conf, const char *queue)
{
    buf_reset(path);
    if (conf->dir && *conf->dir && strcmp(conf->dir, ".") != 0)
        buf_sprintf(path, "%s/", conf->dir);
    buf_strcat(path, queue);
}

/* mail_queue_subdir - "DIR/queue[/H/H]" for id; 0, or -1 with why */
static int
mail_queue_subdir(BUF *path, const MAIL_QUEUE_CONF *conf, const char *queue,
                  const char *id, BUF *why)
{
    char    hash[MAIL_QUEUE_ID_MAX + 1];

    if (!mail_queue_name_ok(queue)) {
        buf_sprintf(why, "unknown queue name: %.100s", queue);
        return -1;
    }
    if (mail_queue_id_hash(id, hash) == NULL) {
        buf_strcpy(why, "invalid queue id");
        return -1;
    }
    mail_queue_base(path, conf, queue);
    if (!mail_queue_hashed(conf, queue))
        return 0;
    if (conf->hash_depth < 1 || conf->hash_depth > MAIL_QUEUE_HASH_DEPTH_MAX
        || (size_t) conf->hash_depth > strlen(hash)) {
        buf_sprintf(why, "bad hash_queue_depth value: %d", conf->hash_depth);
        return -1;
    }
    for (int i = 0; i < conf->hash_depth; i++)
        buf_sprintf_append(path, "/%c", hash[i]);
    return 0;
}

/* mail_queue_path - path of a queue file */
int
mail_queue_path(BUF *path, const MAIL_QUEUE_CONF *conf, const char *queue,
                const char *id, BUF *why)
{
    if (mail_queue_subdir(path, conf, queue, id, why) < 0)
        return -1;
    buf_sprintf_append(path, "/%s", id);
    return 0;
}

/* mail_queue_mkdirs - create the hash subdirectories for id in queue */
static int
mail_queue_mkdirs(const MAIL_QUEUE_CONF *conf, const char *queue,
                  const char *id, BUF *why)
{
    BUF    *dir = buf_alloc(100);
    size_t  base_len;
    int     ret = 0;

    mail_queue_base(dir, conf, queue);
    base_len = buf_len(dir);
    if (mail_queue_subdir(dir, conf, queue, id, why) < 0) {
        buf_free(dir);
        return -1;
    }
    /* One level at a time: "q/0", then "q/0/C". */
    for (size_t i = base_len + 2; ret == 0 && i <= buf_len(dir); i += 2) {
        char    save = buf_str(dir)[i];

        buf_str(dir)[i] = 0;
        if (mkdir(buf_str(dir), 0700) < 0 && errno != EEXIST) {
            int     saved = errno;

            buf_sprintf(why, "create directory %s: %s", buf_str(dir),
                        strerror(saved));
            errno = saved;
            ret = -1;
        }
        buf_str(dir)[i] = save;
    }
    buf_free(dir);
    return ret;
}

/* mail_queue_move - rename without replacing; -1 with errno */
static int
mail_queue_move(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* The file system cannot do it: link refuses an existing name. */
    if (link(from, to) < 0)
        return -1;
    if (unlink(from) < 0) {
        int     saved = errno;

        (void) unlink(to);
        errno = saved;
        return -1;
    }
    return 0;
}

/* mail_queue_move_to - move from to the file id in queue, creating hash
 * subdirectories when needed; 0, or -1 with errno and why */
static int
mail_queue_move_to(const MAIL_QUEUE_CONF *conf, const char *from,
                   const char *queue, const char *id, BUF *why)
{
    BUF    *to = buf_alloc(100);
    int     ret, saved;

    if (mail_queue_path(to, conf, queue, id, why) < 0) {
        buf_free(to);
        errno = EINVAL;
        return -1;
    }
    ret = mail_queue_move(from, buf_str(to));
    if (ret < 0 && errno == ENOENT && mail_queue_hashed(conf, queue)) {
        /* The hash subdirectory may be missing: make it, try again. */
        if (mail_queue_mkdirs(conf, queue, id, why) < 0) {
            buf_free(to);
            return -1;
        }
        ret = mail_queue_move(from, buf_str(to));
    }
    if (ret < 0) {
        saved = errno;
        buf_sprintf(why, "rename %s to %s: %s", from, buf_str(to),
                    strerror(saved));
        errno = saved;
    }
    buf_free(to);
    return ret;
}

/* mail_queue_create - create a temporary file in the queue; fd or -1 */
static int
mail_queue_create(const MAIL_QUEUE_CONF *conf, const char *queue,
                  mode_t mode, BUF *temp, BUF *why)
{
    struct timeval tv;
    int     fd;

    for (int i = 0; i < MQ_ATTEMPTS; i++) {
        gettimeofday(&tv, NULL);
        mail_queue_base(temp, conf, queue);
        buf_sprintf_append(temp, "/%ld.%ld.%d", (long) tv.tv_usec,
                           (long) getpid(), i);
        fd = open(buf_str(temp), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW
                  | O_CLOEXEC, mode);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
    }
    buf_sprintf(why, "create file %s: %s", buf_str(temp), strerror(errno));
    return -1;
}

/* mail_queue_name_file - give the open temporary file its queue id */
static int
mail_queue_name_file(const MAIL_QUEUE_CONF *conf, const char *queue, int fd,
                     mode_t mode, const char *temp, BUF *id, BUF *why)
{
    struct stat st;
    struct timeval tv;

    if (fstat(fd, &st) < 0) {
        buf_sprintf(why, "fstat %s: %s", temp, strerror(errno));
        return -1;
    }
    if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {
        buf_sprintf(why, "chmod %s: %s", temp, strerror(errno));
        return -1;
    }
    for (int i = 0; i < MQ_ATTEMPTS; i++) {
        gettimeofday(&tv, NULL);
        mail_queue_id_make(id, conf->long_ids, &tv,
                           (unsigned long long) st.st_ino);
        if (mail_queue_move_to(conf, temp, queue, buf_str(id), why) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

/* mail_queue_enter - create a new queue file with a fresh id */
STREAM *
mail_queue_enter(const MAIL_QUEUE_CONF *conf, const char *queue, mode_t mode,
                 BUF *id, BUF *why)
{
    BUF    *temp;
    int     fd;

    if (!mail_queue_name_ok(queue)) {
        buf_sprintf(why, "unknown queue name: %.100s", queue);
        return NULL;
    }
    temp = buf_alloc(100);
    if ((fd = mail_queue_create(conf, queue, mode, temp, why)) < 0) {
        buf_free(temp);
        return NULL;
    }
    if (mail_queue_name_file(conf, queue, fd, mode, buf_str(temp), id,
                             why) < 0) {
        (void) unlink(buf_str(temp));
        (void) close(fd);
        buf_free(temp);
        return NULL;
    }
    buf_free(temp);
    return stream_fdopen(fd);
}

/* mail_queue_fail - record why a commit step failed, keep errno */
static int
mail_queue_fail(BUF *why, const char *what, int err)
{
    buf_sprintf(why, "%s queue file: %s", what, strerror(err));
    errno = err;
    return -1;
}

/* mail_queue_commit - flush, mark complete, fsync, close */
int
mail_queue_commit(STREAM *sp, BUF *why)
{
    int     fd = stream_fd(sp);
    struct stat st;
    int     err;

    errno = 0;
    if (stream_flush(sp) < 0 || stream_error(sp)) {
        err = errno ? errno : EIO;
        (void) stream_close(sp);
        return mail_queue_fail(why, "write", err);
    }
    if (fstat(fd, &st) < 0 || fchmod(fd, (st.st_mode & 07777)
                                      | MAIL_QUEUE_STAT_READY) < 0) {
        err = errno;
        (void) stream_close(sp);
        return mail_queue_fail(why, "chmod", err);
    }
    if (fsync(fd) < 0) {
        err = errno;
        (void) stream_close(sp);
        return mail_queue_fail(why, "fsync", err);
    }
    /* close() can still report a write error (NFS); it counts. */
    if (stream_close(sp) < 0)
        return mail_queue_fail(why, "close", errno ? errno : EIO);
    return 0;
}

/* mail_queue_open - open an existing queue file safely */
int
mail_queue_open(const MAIL_QUEUE_CONF *conf, const char *queue,
                const char *id, int flags, struct stat *st, BUF *why)
{
    BUF    *path = buf_alloc(100);
    struct stat sbuf;
    int     fd;

    if (mail_queue_path(path, conf, queue, id, why) < 0) {
        buf_free(path);
        errno = EINVAL;
        return -1;
    }
    flags &= O_ACCMODE;
    /* O_NONBLOCK: a FIFO put in place of the file must not block us. */
    if ((fd = open(buf_str(path),
                   flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0) {
        buf_sprintf(why, "open %s: %s", buf_str(path), strerror(errno));
    } else if (fstat(fd, st ? st : &sbuf) < 0
               || !S_ISREG((st ? st : &sbuf)->st_mode)) {
        buf_sprintf(why, "open %s: not a regular file", buf_str(path));
        (void) close(fd);
        errno = EINVAL;
        fd = -1;
    } else {
        (void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    buf_free(path);
    return fd;
}

/* mail_queue_ready - complete: regular file, owner bits rwx */
bool
mail_queue_ready(const struct stat *st)
{
    return S_ISREG(st->st_mode)
        && (st->st_mode & S_IRWXU) == MAIL_QUEUE_STAT_READY;
}

/* mail_queue_rename - move a queue file to another queue */
int
mail_queue_rename(const MAIL_QUEUE_CONF *conf, const char *id,
                  const char *old_queue, const char *new_queue, BUF *why)
{
    BUF    *from = buf_alloc(100);
    int     ret;

    if ((ret = mail_queue_path(from, conf, old_queue, id, why)) == 0)
        ret = mail_queue_move_to(conf, buf_str(from), new_queue, id, why);
    buf_free(from);
    return ret;
}

/* mail_queue_remove - delete a queue file */
int
mail_queue_remove(const MAIL_QUEUE_CONF *conf, const char *queue,
                  const char *id, BUF *why)
{
    BUF    *path = buf_alloc(100);
    int     ret;

    if ((ret = mail_queue_path(path, conf, queue, id, why)) < 0) {
        errno = EINVAL;
    } else if ((ret = unlink(buf_str(path))) < 0) {
        int     saved = errno;

        buf_sprintf(why, "remove %s: %s", buf_str(path), strerror(errno));
        errno = saved;
    }
    buf_free(path);
    return ret;
}
