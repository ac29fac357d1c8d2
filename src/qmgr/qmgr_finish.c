/* qmgr_finish - what happens when all of a message's deliveries are back.
 *
 * In Postfix's order (docs/qmgr.md):
 *  1. a bounce log exists: ask the bounce service for the non-delivery
 *     notice (it removes the log);
 *  2. nothing was deferred: a trace log asks for the delivery report
 *     (success notices, sendmail -bv); then the queue file is removed
 *     and "ID: removed" logged;
 *  3. something was deferred: past $maximal_queue_lifetime
 *     ($bounce_queue_lifetime for the null sender), or when postsuper -e
 *     marked it (every recipient is then deferred "message is
 *     administratively expired" without a delivery attempt), the message
 *     expires: "from=<S>, status=expired (force-expired), returned to
 *     sender", the defer service
 *     returns it and marks the recipients done, and the file goes;
 *     otherwise, when the delay warning time has come, a delay notice
 *     and the 'W' record is cleared; then the file's times are set to
 *     the next retry, now + its age within $minimal_backoff_time and
 *     $maximal_backoff_time, and it moves to deferred/.
 * A notice the status service cannot send keeps the message: it is
 * deferred and the notice is asked for again next time. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bounce_clnt.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "rec_type.h"

/* qmgr_finish_log_exists - whether queue/id exists (a status log) */
static bool
qmgr_finish_log_exists(const char *queue, const char *id)
{
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    struct stat sb;
    bool    exists;

    exists = mail_queue_path(path, &qmgr.queue, queue, id, why) == 0
        && stat(buf_str(path), &sb) == 0;
    buf_free(path);
    buf_free(why);
    return exists;
}

/* qmgr_finish_notify - ask a status service for a notice; false when it
 * could not (the message is then kept) */
static bool
qmgr_finish_notify(const QMGR_MESSAGE *message, BOUNCE_LOG log, int cmd,
                   int flags)
{
    BOUNCE_MSG msg = {
        .queue_name = MAIL_QUEUE_ACTIVE, .queue_id = message->queue_id,
        .encoding = message->encoding, .smtputf8 = message->smtputf8,
        .sender = message->sender, .dsn_envid = message->dsn_envid,
        .dsn_ret = message->dsn_ret,
    };
    BUF    *why = buf_alloc(100);
    bool    ok;

    if (!(ok = bounce_notify(log, cmd, flags, &msg, why) == 0))
        msg_warn("%s: %s", message->queue_id, buf_str(why));
    buf_free(why);
    return ok;
}

/* qmgr_finish_remove - the message is done */
static void
qmgr_finish_remove(const QMGR_MESSAGE *message)
{
    BUF    *why = buf_alloc(100);

    if (mail_queue_remove(&qmgr.queue, MAIL_QUEUE_ACTIVE, message->queue_id,
                          why) < 0)
        msg_warn("%s: %s", message->queue_id, buf_str(why));
    else
        msg_info("%s: removed", message->queue_id);
    buf_free(why);
}

/* qmgr_finish_clear_warning - the delay notice went: 'W' becomes -1 */
static void
qmgr_finish_clear_warning(const QMGR_MESSAGE *message)
{
    BUF    *why = buf_alloc(100);
    unsigned char head[2];
    char    data[32];
    int     fd;

    if ((fd = mail_queue_open(&qmgr.queue, MAIL_QUEUE_ACTIVE,
                              message->queue_id, O_RDWR, NULL, why)) < 0) {
        msg_warn("%s: %s", message->queue_id, buf_str(why));
    } else {
        snprintf(data, sizeof(data), "%15ld", -1L);
        if (pread(fd, head, 2, message->warn_offset) != 2
            || head[0] != REC_TYPE_WARN || head[1] != 15
            || pwrite(fd, data, 15, message->warn_offset + 2) != 15)
            msg_warn("%s: cannot update the delay warning record",
                     message->queue_id);
        close(fd);
    }
    buf_free(why);
}

/* qmgr_finish_backoff - when to try a message of this age again */
static time_t
qmgr_finish_backoff(time_t now, time_t age)
{
    time_t  delay = age;

    if (delay < var_minimal_backoff_time)
        delay = var_minimal_backoff_time;
    if (delay > var_maximal_backoff_time)
        delay = var_maximal_backoff_time;
    return now + delay;
}

/* qmgr_finish_defer - stamp the retry time, move to deferred/ */
static void
qmgr_finish_defer(const QMGR_MESSAGE *message, time_t now)
{
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    struct timespec times[2];

    times[0].tv_sec = qmgr_finish_backoff(now, now - message->arrival.tv_sec);
    times[0].tv_nsec = 0;
    times[1] = times[0];
    if (mail_queue_path(path, &qmgr.queue, MAIL_QUEUE_ACTIVE,
                        message->queue_id, why) < 0)
        msg_warn("%s: %s", message->queue_id, buf_str(why));
    else if (utimensat(AT_FDCWD, buf_str(path), times, 0) < 0)
        msg_warn("%s: cannot set the retry time: %m", message->queue_id);
    if (mail_queue_rename(&qmgr.queue, message->queue_id, MAIL_QUEUE_ACTIVE,
                          MAIL_QUEUE_DEFERRED, why) < 0)
        msg_warn("%s: %s", message->queue_id, buf_str(why));
    buf_free(path);
    buf_free(why);
}

/* qmgr_finish_deferred - a message with recipients left */
static void
qmgr_finish_deferred(QMGR_MESSAGE *message)
{
    time_t  now = time(NULL);
    int     lifetime = *message->sender ? var_maximal_queue_lifetime
        : var_bounce_queue_lifetime;

    if (message->forced_expire || now - message->arrival.tv_sec >= lifetime) {
        msg_info("%s: from=<%s>, status=%s, returned to sender",
                 message->queue_id, message->sender,
                 message->forced_expire ? "force-expired" : "expired");
        if (qmgr_finish_notify(message, BOUNCE_LOG_DEFER, BOUNCE_CMD_FLUSH,
                               BOUNCE_FLAG_DELRCPT)) {
            qmgr_finish_remove(message);
            return;
        }
    }
    if (message->warn_time > 0 && now >= message->warn_time
        && qmgr_finish_notify(message, BOUNCE_LOG_DEFER, BOUNCE_CMD_WARN,
                              BOUNCE_FLAG_NONE))
        qmgr_finish_clear_warning(message);
    qmgr_finish_defer(message, now);
}

/* qmgr_message_done - the last entry of a message came back */
void
qmgr_message_done(QMGR_MESSAGE *message)
{
    qmgr.message_count--;
    qmgr.rcpt_count -= message->rcpt_count;

    if (qmgr_finish_log_exists(MAIL_QUEUE_BOUNCE, message->queue_id)
        && !qmgr_finish_notify(message, BOUNCE_LOG_BOUNCE, BOUNCE_CMD_FLUSH,
                               BOUNCE_FLAG_NONE))
        message->defer = true;
    if (!message->defer
        && qmgr_finish_log_exists(MAIL_QUEUE_TRACE, message->queue_id)
        && !qmgr_finish_notify(message, BOUNCE_LOG_TRACE, BOUNCE_CMD_TRACE,
                               message->tflags))
        message->defer = true;
    if (message->defer)
        qmgr_finish_deferred(message);
    else
        qmgr_finish_remove(message);
    qmgr_message_free(message);
    qmgr_feed_later();
}

/* qmgr_entry_done - an entry is back (or was settled without an agent) */
void
qmgr_entry_done(QMGR_ENTRY *entry)
{
    QMGR_MESSAGE *message = entry->message;

    myfree(entry->rcpt);
    myfree(entry);
    if (--message->refcount == 0)
        qmgr_message_done(message);
}
