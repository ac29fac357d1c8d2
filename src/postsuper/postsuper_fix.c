/* postsuper_fix - structure check and repair (-s, -S), purge (-p).
 *
 * Model: Debian's Postfix 3.7 postsuper (strace, files planted for the
 * purpose, docs/queue-tools.md). The directories are walked in its
 * order: defer, bounce, trace, maildrop, incoming, active, deferred,
 * hold (Postfix also opens flush/, whose per-destination logs are not
 * named like queue files; Postern leaves it alone, and adds trace/,
 * which Postfix forgets). For each file:
 *
 *   - a name that is not a queue id (a temporary file "USEC.PID" of an
 *     interrupted writer): with -p, removed quietly when it is in a
 *     message queue, incomplete (owner bits not rwx) and its mtime more
 *     than 7 days old; otherwise "warning: bogus file name: PATH";
 *   - a name in neither queue id form: the same warning, never removed;
 *   - -s: a queue file whose short name does not hold its inode number
 *     (restored from a backup, copied from another host) is renamed to
 *     the same microseconds and its real inode number, its bounce, defer
 *     and trace logs with it; with -S long names too; with
 *     enable_long_queue_ids = no, long names become short ones. To
 *     avoid clashes every new name first gets "#FIX" appended, and the
 *     suffix is dropped after the walk (a run that was interrupted is
 *     finished by the next). Then "Renamed to match inode number: N
 *     messages" and "warning: QUEUE FILE NAMES WERE CHANGED TO MATCH
 *     INODE NUMBERS";
 *   - -s: a file in the wrong (hash) directory is moved where its name
 *     says, and subdirectories no longer used are removed;
 *   - -s, Postern only: a complete file in incoming, active, deferred or
 *     hold that group or others may read or write loses those bits (the
 *     group execute bit, the expiration mark, stays), with a warning.
 *     Files still being written (owner bits rw-) are never touched. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail_params.h"
#include "mail_queue_id.h"
#include "msg.h"
#include "mymalloc.h"
#include "postsuper.h"

#define PS_FIX_SUFFIX       "#FIX"
#define PS_TEMP_MAX_AGE     (7 * 86400)     /* -p: older is removed */

/* The directories, in the order they are walked: the logs, then the
 * message queues. */
static const char *const ps_fix_dirs[] = {
    MAIL_QUEUE_DEFER, MAIL_QUEUE_BOUNCE, MAIL_QUEUE_TRACE,
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD,
};

#define PS_FIX_DIR_COUNT    (sizeof(ps_fix_dirs) / sizeof(ps_fix_dirs[0]))

/* The per-message logs: they follow a renamed queue file. */
const char *const postsuper_logs[POSTSUPER_LOG_COUNT] = {
    MAIL_QUEUE_BOUNCE, MAIL_QUEUE_DEFER, MAIL_QUEUE_TRACE,
};

/* Files renamed to NAME#FIX, to be renamed to NAME after the walk. */
static ARGV *ps_fix_pending;

/* postsuper_message_queue - whether queue holds queue files */
bool
postsuper_message_queue(const char *queue)
{
    for (size_t i = POSTSUPER_LOG_COUNT; i < PS_FIX_DIR_COUNT; i++)
        if (strcmp(ps_fix_dirs[i], queue) == 0)
            return true;
    return false;
}

/* ps_fix_suffixed - whether name is a valid id followed by #FIX */
static bool
ps_fix_suffixed(const char *name)
{
    size_t  len = strlen(name), slen = strlen(PS_FIX_SUFFIX);
    char   *id;
    bool    ok;

    if (len <= slen || strcmp(name + len - slen, PS_FIX_SUFFIX) != 0)
        return false;
    id = mystrndup(name, len - slen);
    ok = mail_queue_id_ok(id);
    myfree(id);
    return ok;
}

/* ps_fix_move - rename from to the place of id in queue, with the #FIX
 * suffix when suffix is set; 0, -1 (warned), or 1 (no such file) */
static int
ps_fix_move(POSTSUPER *ps, const char *from, const char *queue,
            const char *id, bool suffix)
{
    BUF    *to = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    int     ret = 0;

    if (mail_queue_path(to, &ps->queue, queue, id, why) < 0) {
        msg_warn("%s: %s", from, buf_str(why));
        ret = -1;
    } else {
        if (suffix)
            buf_strcat(to, PS_FIX_SUFFIX);
        if (postsuper_move(from, buf_str(to)) < 0) {
            if ((ret = errno == ENOENT ? 1 : -1) < 0)
                msg_warn("rename %s to %s: %m", from, buf_str(to));
        } else if (suffix) {
            argv_add(ps_fix_pending, buf_str(to));
        }
    }
    buf_free(to);
    buf_free(why);
    return ret;
}

/* ps_fix_new_id - the name a queue file should have, in new_id; true
 * when that differs from its name */
static bool
ps_fix_new_id(const POSTSUPER *ps, const char *name, const struct stat *st,
              BUF *new_id)
{
    MAIL_QUEUE_ID_INFO info;
    struct timeval tv;
    bool    long_form;

    if (mail_queue_id_decode(name, &info) < 0)
        return false;
    long_form = info.long_form && ps->queue.long_ids;
    if (info.long_form && long_form && !ps->fix_long)
        return false;
    if (info.inode == (unsigned long long) st->st_ino
        && info.long_form == long_form)
        return false;
    tv.tv_sec = (time_t) (info.long_form ? info.seconds : 0);
    tv.tv_usec = (suseconds_t) info.usec;
    mail_queue_id_make(new_id, long_form, &tv,
                       (unsigned long long) st->st_ino);
    return strcmp(buf_str(new_id), name) != 0;
}

/* ps_fix_rename - a queue file and its logs to the name of its inode */
static void
ps_fix_rename(POSTSUPER *ps, const char *queue, const char *name,
              const char *path, const char *new_id)
{
    BUF    *log = buf_alloc(100);
    BUF    *why = buf_alloc(100);

    for (int i = 0; i < POSTSUPER_LOG_COUNT; i++)
        if (mail_queue_path(log, &ps->queue, postsuper_logs[i], name,
                            why) == 0)
            (void) ps_fix_move(ps, buf_str(log), postsuper_logs[i], new_id,
                               true);
    if (ps_fix_move(ps, path, queue, new_id, true) == 0)
        ps->renamed++;
    buf_free(log);
    buf_free(why);
}

/* ps_fix_mode - Postern: drop group and other access (but the
 * expiration mark) from a complete queue file */
static void
ps_fix_mode(const char *queue, const char *path, const struct stat *st)
{
    mode_t  mode = st->st_mode & 07777;
    mode_t  want = mode & (S_IRWXU | S_IXGRP);

    if (!S_ISREG(st->st_mode) || !mail_queue_ready(st) || mode == want
        || strcmp(queue, MAIL_QUEUE_MAILDROP) == 0)
        return;
    if (chmod(path, want) < 0)
        msg_warn("chmod %s: %m", path);
    else
        msg_warn("%s: file mode was %04o, changed to %04o", path,
                 (unsigned) mode, (unsigned) want);
}

/* ps_fix_place - move a file that is not where its name says */
static void
ps_fix_place(POSTSUPER *ps, const char *queue, const char *name,
             const char *path)
{
    BUF    *want = buf_alloc(100);
    BUF    *why = buf_alloc(100);

    if (mail_queue_path(want, &ps->queue, queue, name, why) == 0
        && strcmp(buf_str(want), path) != 0)
        (void) ps_fix_move(ps, path, queue, name, false);
    buf_free(want);
    buf_free(why);
}

/* ps_fix_bogus - a name that is no queue id: purge or complain */
static void
ps_fix_bogus(POSTSUPER *ps, const char *queue, const char *name,
             const char *path, const struct stat *st)
{
    if (ps->purge && !mail_queue_id_ok(name) && postsuper_message_queue(queue)
        && !mail_queue_ready(st) && st->st_mtime < time(NULL) - PS_TEMP_MAX_AGE) {
        if (unlink(path) < 0 && errno != ENOENT)
            msg_warn("remove %s: %m", path);
        else if (msg_verbose)
            msg_info("removed old temporary file %s", path);
        return;
    }
    msg_warn("bogus file name: %s", path);
}

/* ps_fix_file - the walk's callback: one file */
static void
ps_fix_file(POSTSUPER *ps, const char *queue, const char *name,
            const char *path, const struct stat *st)
{
    BUF    *new_id;
    MAIL_QUEUE_ID_INFO info;

    if (ps_fix_suffixed(name)) {
        argv_add(ps_fix_pending, path);
        return;
    }
    if (!mail_queue_id_ok(name) || mail_queue_id_decode(name, &info) < 0) {
        ps_fix_bogus(ps, queue, name, path, st);
        return;
    }
    if (!ps->fix)
        return;
    if (postsuper_message_queue(queue))
        ps_fix_mode(queue, path, st);
    new_id = buf_alloc(MAIL_QUEUE_ID_MAX);
    if (postsuper_message_queue(queue) && S_ISREG(st->st_mode)
        && ps_fix_new_id(ps, name, st, new_id))
        ps_fix_rename(ps, queue, name, path, buf_str(new_id));
    else
        ps_fix_place(ps, queue, name, path);
    buf_free(new_id);
}

/* ps_fix_finish - drop the #FIX suffix of the renamed files */
static void
ps_fix_finish(void)
{
    BUF    *to = buf_alloc(100);
    struct stat st;

    /* A file renamed ahead of the walk is listed twice. */
    for (int i = 0; i < ps_fix_pending->argc; i++) {
        if (lstat(ps_fix_pending->argv[i], &st) < 0)
            continue;
        buf_strcpy(to, ps_fix_pending->argv[i]);
        buf_truncate(to, buf_len(to) - strlen(PS_FIX_SUFFIX));
        if (postsuper_move(ps_fix_pending->argv[i], buf_str(to)) < 0
            && errno != ENOENT)
            msg_warn("rename %s to %s: %m", ps_fix_pending->argv[i],
                     buf_str(to));
    }
    buf_free(to);
}

/* ps_fix_wanted - whether dir is to be walked */
static bool
ps_fix_wanted(const POSTSUPER *ps, const char *dir)
{
    if (ps->queues == NULL)
        return true;
    for (int i = 0; i < ps->queue_count; i++)
        if (strcmp(ps->queues[i], dir) == 0)
            return true;
    return false;
}

/* postsuper_fix_run - -s/-S and -p */
void
postsuper_fix_run(POSTSUPER *ps)
{
    ps_fix_pending = argv_alloc(8);
    for (size_t i = 0; i < PS_FIX_DIR_COUNT; i++)
        if (ps_fix_wanted(ps, ps_fix_dirs[i]))
            postsuper_walk(ps, ps_fix_dirs[i], ps_fix_file, ps->fix);
    ps_fix_finish();
    argv_free(ps_fix_pending);
    ps_fix_pending = NULL;
    if (ps->renamed > 0) {
        msg_info("Renamed to match inode number: %d message%s", ps->renamed,
                 ps->renamed == 1 ? "" : "s");
        msg_warn("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
    }
}
