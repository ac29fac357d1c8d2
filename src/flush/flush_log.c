/* flush_log - the per-site logs of deferred mail in flush/.
 *
 * Model: Postfix 3.7's flush(8) (man 8 flush; strace of Debian's
 * Postfix, docs/flush.md). A log is a text file, one queue id per line,
 * appended to at each deferral of a recipient at the site (duplicates
 * and all). The service works inside $queue_directory; logs are
 * flush/NAME (flush_site.c), mode 0600, never hashed, never opened
 * through a symbolic link, and locked (flock, exclusive) while they are
 * written or read and emptied, so that no id is lost between the two.
 *
 * Sending a log: qmgr is told to forget dead destinations ("F"), each
 * listed queue file gets fresh time stamps and moves from deferred/ to
 * incoming/ (flush_move.c; a duplicate id is done once, remembering up
 * to FLUSH_DUP_MAX ids), the log is emptied and its time stamps
 * refreshed, and qmgr scans incoming/ ("I") when the log listed
 * anything. A log that does not exist means nothing is queued: success.
 *
 * Refresh (the wakeup every 1000s from master, "request=refresh"): every
 * log untouched for $fast_flush_refresh_time is sent with fresh time
 * stamps only (qmgr's next deferred-queue run takes the files), and an
 * empty log untouched for $fast_flush_purge_time is removed. Purge
 * ("request=purge") is a refresh with an age of 0. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flush.h"
#include "flush_clnt.h"
#include "htable.h"
#include "lock_file.h"
#include "mail_queue_id.h"
#include "msg.h"
#include "safe_open.h"
#include "stream.h"

#define FLUSH_DUP_MAX       10000       /* Postfix's FLUSH_DUP_FILTER_SIZE */
#define FLUSH_LINE_MAX      100         /* a queue id and its newline */

/* flush_log_path - "flush/NAME" */
static void
flush_log_path(BUF *path, const char *name)
{
    buf_sprintf(path, "%s/%s", MAIL_QUEUE_FLUSH, name);
}

/* flush_log_open - open (or create) and lock a log; fd, or -1 */
static int
flush_log_open(const char *path, int flags)
{
    BUF    *why = buf_alloc(100);
    int     fd;

    if ((fd = safe_open(path, flags, 0600, NULL, (uid_t) -1, (gid_t) -1,
                        why)) < 0) {
        msg_warn("open fast flush logfile: %s", buf_str(why));
    } else if (lock_file(fd, LOCK_STYLE_FLOCK, LOCK_OP_EXCLUSIVE) < 0) {
        msg_warn("lock fast flush logfile %s: %m", path);
        (void) close(fd);
        fd = -1;
    }
    buf_free(why);
    return fd;
}

/* flush_log_add - append queue_id to the log */
int
flush_log_add(const char *name, const char *queue_id)
{
    BUF    *path = buf_alloc(100);
    BUF    *line = buf_alloc(FLUSH_LINE_MAX);
    int     fd, status = FLUSH_STAT_FAIL;

    flush_log_path(path, name);
    buf_sprintf(line, "%s\n", queue_id);
    if ((fd = flush_log_open(buf_str(path),
                             O_WRONLY | O_CREAT | O_APPEND)) >= 0) {
        if (write(fd, buf_str(line), buf_len(line))
            != (ssize_t) buf_len(line))
            msg_warn("write fast flush logfile %s: %m", buf_str(path));
        else
            status = FLUSH_STAT_OK;
        (void) close(fd);
    }
    buf_free(path);
    buf_free(line);
    return status;
}

/* flush_log_read - schedule every file the log lists; the lines read */
static int
flush_log_read(const FLUSH_CONF *conf, STREAM *sp, const char *path, int how)
{
    HTABLE *seen = htable_create(100);
    BUF    *line = buf_alloc(FLUSH_LINE_MAX);
    time_t  now = time(NULL);
    int     count = 0;

    for (; stream_get_line(sp, line, FLUSH_LINE_MAX) != EOF;
         buf_reset(line)) {
        count++;
        buf_trim_right(line);
        if (!mail_queue_id_ok(buf_str(line))) {
            msg_printable(buf_str(line), buf_len(line));
            msg_warn("bad queue id \"%.30s...\" in fast flush logfile %s",
                     buf_str(line), path);
        } else if (seen->used >= FLUSH_DUP_MAX
                   || htable_find(seen, buf_str(line)) == NULL) {
            if (seen->used < FLUSH_DUP_MAX)
                htable_enter(seen, buf_str(line), NULL);
            (void) flush_move_file(conf, buf_str(line), how, now);
        }
    }
    htable_free(seen, NULL);
    buf_free(line);
    return count;
}

/* flush_log_send - schedule what the log lists, empty it, wake qmgr */
int
flush_log_send(const FLUSH_CONF *conf, const char *name, int how)
{
    BUF    *path = buf_alloc(100);
    struct stat st;
    STREAM *sp;
    int     fd, count;

    flush_log_path(path, name);
    if (lstat(buf_str(path), &st) < 0 && errno == ENOENT) {
        buf_free(path);
        return FLUSH_STAT_OK;
    }
    if ((fd = flush_log_open(buf_str(path), O_RDWR)) < 0) {
        buf_free(path);
        return FLUSH_STAT_FAIL;
    }
    if (how == FLUSH_HOW_DELIVER)
        flush_qmgr(conf, 'F');
    sp = stream_fdopen(fd);
    count = flush_log_read(conf, sp, buf_str(path), how);
    if (count > 0 && ftruncate(fd, 0) < 0)
        msg_warn("truncate fast flush logfile %s: %m", buf_str(path));
    (void) futimens(fd, NULL);
    (void) stream_close(sp);
    if (count > 0)
        flush_qmgr(conf, 'I');
    buf_free(path);
    return FLUSH_STAT_OK;
}

/* flush_log_refresh_one - refresh or remove one log by its age */
static void
flush_log_refresh_one(const FLUSH_CONF *conf, const char *name, int max_age,
                      time_t now)
{
    BUF    *path = buf_alloc(100);
    struct stat st;

    flush_log_path(path, name);
    if (lstat(buf_str(path), &st) < 0) {
        if (errno != ENOENT)
            msg_warn("stat %s: %m", buf_str(path));
    } else if (!S_ISREG(st.st_mode)) {
        msg_warn("%s: not a regular file", buf_str(path));
    } else if (st.st_size == 0 && st.st_mtime + conf->purge_time < now) {
        if (unlink(buf_str(path)) < 0)
            msg_warn("remove logfile %s: %m", buf_str(path));
        else if (msg_verbose)
            msg_info("remove logfile %s", buf_str(path));
    } else if (st.st_mtime + max_age < now) {
        (void) flush_log_send(conf, name, FLUSH_HOW_REFRESH);
    }
    buf_free(path);
}

/* flush_log_refresh - refresh every log older than max_age */
void
flush_log_refresh(const FLUSH_CONF *conf, int max_age)
{
    struct dirent *de;
    time_t  now = time(NULL);
    DIR    *dir;

    if ((dir = opendir(MAIL_QUEUE_FLUSH)) == NULL) {
        msg_warn("open directory %s: %m", MAIL_QUEUE_FLUSH);
        return;
    }
    while ((de = readdir(dir)) != NULL)
        if (flush_site_name_ok(de->d_name))
            flush_log_refresh_one(conf, de->d_name, max_age, now);
    (void) closedir(dir);
}
