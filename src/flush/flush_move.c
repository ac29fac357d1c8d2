/* flush_move - put one deferred queue file in line for delivery now.
 *
 * Model: Postfix 3.7's flush_one_file (strace of Debian's flush(8) on
 * "ETRN site" and "postqueue -i ID"): the file's access and modification
 * times become now (so that its next deferred-queue scan takes it even
 * after this step is skipped), first in deferred/, else in incoming/
 * where another flush already moved it; then the file moves from
 * deferred/ to incoming/, which qmgr takes without looking at the time
 * stamps when it scans incoming/ ("I" trigger). A file that is in
 * neither (being delivered, or gone) is skipped. Symbolic links are
 * never followed. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "flush.h"
#include "mail_trigger.h"
#include "msg.h"

/* flush_move_touch - set the time stamps of id in queue; 0, or -1 with
 * errno (ENOENT: not there) */
static int
flush_move_touch(const FLUSH_CONF *conf, const char *queue, const char *id,
                 time_t now)
{
    struct timespec ts[2] = {{.tv_sec = now}, {.tv_sec = now}};
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    int     ret;

    if ((ret = mail_queue_path(path, &conf->queue, queue, id, why)) < 0) {
        msg_warn("%s: %s", id, buf_str(why));
        errno = EINVAL;
    } else if ((ret = utimensat(AT_FDCWD, buf_str(path), ts,
                                AT_SYMLINK_NOFOLLOW)) < 0 && errno != ENOENT) {
        msg_warn("update %s time stamps: %m", buf_str(path));
    }
    buf_free(path);
    buf_free(why);
    return ret;
}

/* flush_move_file - fresh time stamps; deferred/ -> incoming/ */
int
flush_move_file(const FLUSH_CONF *conf, const char *id, int how, time_t now)
{
    BUF    *why;
    int     ret = 1;

    if (flush_move_touch(conf, MAIL_QUEUE_DEFERRED, id, now) < 0) {
        if (errno != ENOENT
            || flush_move_touch(conf, MAIL_QUEUE_INCOMING, id, now) < 0
            || how != FLUSH_HOW_DELIVER)
            return 0;
        return 1;                       /* already in incoming/ */
    }
    if (how != FLUSH_HOW_DELIVER)
        return 0;
    why = buf_alloc(100);
    if (mail_queue_rename(&conf->queue, id, MAIL_QUEUE_DEFERRED,
                          MAIL_QUEUE_INCOMING, why) < 0) {
        if (errno != ENOENT)
            msg_warn("%s", buf_str(why));
        ret = 0;
    }
    if (msg_verbose)
        msg_info("requesting delivery for queue file %s", id);
    buf_free(why);
    return ret;
}

/* flush_qmgr - one trigger byte to qmgr */
void
flush_qmgr(const FLUSH_CONF *conf, char req)
{
    BUF    *why = buf_alloc(100);

    if (mail_trigger(conf->qmgr_path, &req, 1, why) < 0 && msg_verbose)
        msg_info("%s", buf_str(why));
    buf_free(why);
}
