/* postsuper_ops - delete, hold, release, requeue and expire messages.
 *
 * Model: Debian's Postfix 3.7 postsuper (strace, docs/queue-tools.md):
 *
 *   -d  queues maildrop, incoming, active, deferred, hold: unlink the
 *       logs bounce/ID, defer/H/ID, trace/ID, then the file; "ID: removed"
 *   -h  incoming, active, deferred: rename to hold/; "ID: placed on hold"
 *   -H  hold: rename to deferred/ (times kept); "ID: released from hold"
 *   -r  incoming, active, deferred, hold: rename to maildrop/ and set the
 *       times to now, so that pickup gives it to cleanup again (new queue
 *       id, rewriting and content_filter applied again); "ID: requeued"
 *   -e  incoming, active, deferred, hold: add the group execute bit, the
 *       forced-expiration mark qmgr and showq read; "ID: expired"
 *   -f  as -e, then release the message if it is on hold
 *
 * Queue arguments replace those lists (a queue an operation does not
 * act on is skipped). A queue id is looked for in each queue in turn;
 * when it is in none, once more, in case it moved between two queues
 * meanwhile. "ALL" walks the queues and works on every file without a
 * line per message. A message that is already where the operation
 * would put it (or already expired) is not counted.
 *
 * Postern only: a message in active/ that an agent is delivering (it
 * holds a shared lock on the file) is not deleted, held or requeued:
 * "ID: the message is being delivered; try again later". Postfix's
 * postsuper takes no lock and pulls the file away from the agent. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock_file.h"
#include "mail_queue_id.h"
#include "msg.h"
#include "postsuper.h"
#include "stream.h"

#define PS_STDIN_LINE_MAX   4096

/* The queues each operation looks in by default. */
static const char *const ps_delete_queues[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD, NULL,
};
static const char *const ps_hold_queues[] = {
    MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED, NULL,
};
static const char *const ps_release_queues[] = {MAIL_QUEUE_HOLD, NULL};
static const char *const ps_other_queues[] = {
    MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED,
    MAIL_QUEUE_HOLD, NULL,
};

static const char *const *const ps_queues[PS_OP_COUNT] = {
    ps_delete_queues, ps_hold_queues, ps_release_queues, ps_other_queues,
    ps_other_queues, ps_other_queues,
};

/* Results of one operation on one file. */
typedef enum {
    PS_DONE, PS_NOTHING, PS_FAILED,
} PS_RESULT;

/* ps_acts_on - whether op works on files in queue */
static bool
ps_acts_on(PS_OP op, const char *queue)
{
    for (const char *const *q = ps_queues[op]; *q; q++)
        if (strcmp(*q, queue) == 0)
            return true;
    return false;
}

/* ps_move - rename path to the file id in queue, whose path is left in
 * to; false (with a warning unless the file vanished) when that failed */
static bool
ps_move(POSTSUPER *ps, const char *path, const char *id, const char *queue,
        BUF *to)
{
    BUF    *why = buf_alloc(100);
    bool    ok = false;

    if (mail_queue_path(to, &ps->queue, queue, id, why) < 0)
        msg_warn("%s: %s", path, buf_str(why));
    else if (postsuper_move(path, buf_str(to)) == 0)
        ok = true;
    else if (errno != ENOENT)
        msg_warn("rename %s to %s: %m", path, buf_str(to));
    buf_free(why);
    return ok;
}

/* ps_rename - ps_move() as an operation result */
static PS_RESULT
ps_rename(POSTSUPER *ps, const char *path, const char *id, const char *queue)
{
    BUF    *to = buf_alloc(100);
    bool    ok = ps_move(ps, path, id, queue, to);

    buf_free(to);
    return ok ? PS_DONE : PS_FAILED;
}

/* ps_delete - remove the logs, then the file */
static PS_RESULT
ps_delete(POSTSUPER *ps, const char *queue, const char *id, const char *path)
{
    BUF    *why = buf_alloc(100);

    for (int i = 0; i < POSTSUPER_LOG_COUNT; i++)
        if (mail_queue_remove(&ps->queue, postsuper_logs[i], id, why) < 0
            && errno != ENOENT)
            msg_warn("%s", buf_str(why));
    buf_free(why);
    if (unlink(path) == 0)
        return PS_DONE;
    if (errno != ENOENT)
        msg_warn("remove %s: %m", path);
    return PS_FAILED;
}

/* ps_expire - set the forced-expiration mark (group execute bit) */
static PS_RESULT
ps_expire(const char *path)
{
    struct stat st, fst;
    int     fd;
    PS_RESULT res = PS_FAILED;

    if ((fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno != ENOENT)
            msg_warn("open %s: %m", path);
        return PS_FAILED;
    }
    if (fstat(fd, &fst) < 0 || lstat(path, &st) < 0 || !S_ISREG(fst.st_mode)
        || st.st_dev != fst.st_dev || st.st_ino != fst.st_ino)
        msg_warn("%s: not the regular file it was", path);
    else if (fst.st_mode & S_IXGRP)
        res = PS_NOTHING;
    else if (fchmod(fd, (fst.st_mode & 07777) | S_IXGRP) < 0)
        msg_warn("chmod %s: %m", path);
    else
        res = PS_DONE;
    (void) close(fd);
    return res;
}

/* ps_requeue - to maildrop with the time set to now, for pickup */
static PS_RESULT
ps_requeue(POSTSUPER *ps, const char *id, const char *path)
{
    BUF    *to = buf_alloc(100);
    PS_RESULT res = PS_FAILED;

    if (ps_move(ps, path, id, MAIL_QUEUE_MAILDROP, to)) {
        res = PS_DONE;
        if (utimensat(AT_FDCWD, buf_str(to), NULL, AT_SYMLINK_NOFOLLOW) < 0)
            msg_warn("set the time of %s: %m", buf_str(to));
    }
    buf_free(to);
    return res;
}

/* ps_report - count a result and say so for a single id */
static void
ps_report(int *count, PS_RESULT res, const char *id, bool all,
          const char *what)
{
    if (res != PS_DONE)
        return;
    (*count)++;
    if (!all)
        msg_info("%s: %s", id, what);
}

/* ps_busy - Postern: before a delete, hold or requeue takes a message
 * out of active/, its exclusive lock; the descriptor (-1 when there is
 * no file or no need), or -2 when an agent is delivering the message
 * now (agents hold a shared lock meanwhile, deliver_request.c) */
static int
ps_busy(PS_OP op, const char *queue, const char *id, const char *path)
{
    int     fd;

    if (strcmp(queue, MAIL_QUEUE_ACTIVE) != 0 || op == PS_OP_EXPIRE
        || op == PS_OP_FORCE || op == PS_OP_RELEASE
        || (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return -1;
    if (lock_file(fd, LOCK_STYLE_FLOCK,
                  LOCK_OP_EXCLUSIVE | LOCK_OP_NOWAIT) == 0)
        return fd;
    (void) close(fd);
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        return -1;
    msg_warn("%s: the message is being delivered; try again later", id);
    return -2;
}

/* ps_one - op on the file id found at path in queue */
static void
ps_one(POSTSUPER *ps, PS_OP op, const char *queue, const char *id,
       const char *path, bool all)
{
    int     lock_fd;

    if ((lock_fd = ps_busy(op, queue, id, path)) == -2)
        return;
    switch (op) {
    case PS_OP_DELETE:
        ps_report(&ps->deleted, ps_delete(ps, queue, id, path), id, all,
                  "removed");
        break;
    case PS_OP_HOLD:
        ps_report(&ps->held, ps_rename(ps, path, id, MAIL_QUEUE_HOLD), id,
                  all, "placed on hold");
        break;
    case PS_OP_RELEASE:
        ps_report(&ps->released, ps_rename(ps, path, id,
                                           MAIL_QUEUE_DEFERRED), id, all,
                  "released from hold");
        break;
    case PS_OP_REQUEUE:
        ps_report(&ps->requeued, ps_requeue(ps, id, path), id, all,
                  "requeued");
        break;
    case PS_OP_EXPIRE:
    case PS_OP_FORCE:
        ps_report(&ps->expired, ps_expire(path), id, all, "expired");
        if (op == PS_OP_FORCE && strcmp(queue, MAIL_QUEUE_HOLD) == 0)
            ps_one(ps, PS_OP_RELEASE, queue, id, path, all);
        break;
    default:
        msg_panic("ps_one: operation %d", (int) op);
    }
    if (lock_fd >= 0)
        (void) close(lock_fd);
}

/* ps_queue_list - the queue arguments, or the operation's default */
static const char *const *
ps_queue_list(const POSTSUPER *ps, PS_OP op)
{
    return ps->queues ? ps->queues : ps_queues[op];
}

/* ps_find - look for id in the queues; true when it was there */
static bool
ps_find(POSTSUPER *ps, PS_OP op, const char *id)
{
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    struct stat st;
    bool    found = false;

    for (const char *const *q = ps_queue_list(ps, op); *q && !found; q++) {
        if (!ps_acts_on(op, *q)
            || mail_queue_path(path, &ps->queue, *q, id, why) < 0
            || lstat(buf_str(path), &st) < 0)
            continue;
        found = true;
        if (S_ISREG(st.st_mode))
            ps_one(ps, op, *q, id, buf_str(path), false);
        else
            msg_warn("%s: not a regular file", buf_str(path));
    }
    buf_free(path);
    buf_free(why);
    return found;
}

/* ps_id - op on one queue id (looked for twice, see above) */
static void
ps_id(POSTSUPER *ps, PS_OP op, const char *id)
{
    if (!mail_queue_id_ok(id)) {
        msg_warn("invalid mail queue id: %s", id);
        return;
    }
    if (!ps_find(ps, op, id))
        (void) ps_find(ps, op, id);
}

/* ps_all_file - the walk's callback for ALL: every file of the queue
 * ("-d ALL" removes any name, and counts complete files only; logs are
 * left to their own walk) */
static void
ps_all_file(POSTSUPER *ps, const char *queue, const char *name,
            const char *path, const struct stat *st)
{
    if (ps->walk_op == PS_OP_DELETE) {
        if (unlink(path) == 0)
            ps->deleted += postsuper_message_queue(queue)
                && mail_queue_ready(st);
        else if (errno != ENOENT)
            msg_warn("remove %s: %m", path);
    } else if (!mail_queue_id_ok(name)) {
        msg_warn("bogus file name: %s", path);
    } else if (S_ISREG(st->st_mode) && ps_acts_on(ps->walk_op, queue)) {
        ps_one(ps, ps->walk_op, queue, name, path, true);
    }
}

/* ps_all - op on every file of its queues. Without queue arguments,
 * as Postfix's: "-d ALL" walks every queue and also empties the log
 * directories; the others walk incoming, active, deferred and hold and
 * act where they act (the walk warns about bogus names in all four) */
static void
ps_all(POSTSUPER *ps, PS_OP op)
{
    static const char *const ps_delete_all[] = {
        MAIL_QUEUE_DEFER, MAIL_QUEUE_BOUNCE, MAIL_QUEUE_TRACE,
        MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
        MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD, MAIL_QUEUE_FLUSH, NULL,
    };
    const char *const *queues = ps_queue_list(ps, op);

    if (op == PS_OP_DELETE && ps->queues == NULL)
        queues = ps_delete_all;
    else if (ps->queues == NULL)
        queues = ps_other_queues;
    ps->walk_op = op;
    for (const char *const *q = queues; *q; q++)
        postsuper_walk(ps, *q, ps_all_file, false);
}

/* ps_stdin - op on each queue id read from standard input, one a line */
static void
ps_stdin(POSTSUPER *ps, PS_OP op)
{
    STREAM *in = stream_fdopen(STDIN_FILENO);
    BUF    *line = buf_alloc(100);

    for (;;) {
        buf_reset(line);
        if (stream_get_line(in, line, PS_STDIN_LINE_MAX) == EOF)
            break;
        if (buf_last(line) == '\n')
            buf_truncate(line, buf_len(line) - 1);
        ps_id(ps, op, buf_str(line));
    }
    stream_free(in);
    buf_free(line);
}

/* postsuper_op_run - run one operation on its ids */
void
postsuper_op_run(POSTSUPER *ps, PS_OP op)
{
    ARGV   *ids = ps->ids[op];

    for (int i = 0; i < ids->argc; i++) {
        if (strcmp(ids->argv[i], "ALL") == 0)
            ps_all(ps, op);
        else if (strcmp(ids->argv[i], "-") == 0)
            ps_stdin(ps, op);
        else
            ps_id(ps, op, ids->argv[i]);
    }
}
