/* bounce_append - nrequest 0: add one recipient's result to the log.
 *
 * Request (after nrequest), as Postfix's agents send it: flags,
 * queue_id, original_recipient, recipient, offset, dsn_orig_rcpt,
 * notify_flags, status, diag_type, diag_text, mta_type, mta_mname,
 * action, reason. The record (bounce_log.h) goes to this service's log:
 * bounce/ID, defer/H/ID (hash directories made when missing) or
 * trace/ID, opened O_WRONLY|O_CREAT|O_APPEND without following
 * symlinks, mode 0600, under an exclusive lock, in one write, then
 * fsync: status 0 means the record is on disk. A write that fails half
 * way is cut off again, so the log never ends in half a record.
 *
 * The offset of a recipient that local(8) passed to another transport
 * is -1 ("18446744073709551615", deliver_request.h): such a record has
 * no offset line, as in Postfix's logs.
 *
 * The queue id must be a valid one ("malformed queue id", as Postfix
 * says): it is a file name, and no request may name another path. Text
 * fields longer than BOUNCE_FIELD_MAX are shortened so that every line
 * stays readable (bounce_log.h); control characters become '?'.
 *
 * The defer service then tells the fast flush service about the
 * deferral (bounce_flush.c), as Postfix's defer_append() does. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attr.h"
#include "bounce.h"
#include "lock_file.h"
#include "mail_queue_id.h"
#include "msg.h"

/* The longest text field kept; every log line stays far below
 * BOUNCE_LOG_LINE_MAX. */
#define BOUNCE_FIELD_MAX        8192

/* Every DSN NOTIFY bit. */
#define BA_NOTIFY_ALL   (DSN_NOTIFY_NEVER | DSN_NOTIFY_SUCCESS \
                         | DSN_NOTIFY_FAILURE | DSN_NOTIFY_DELAY)

/* The text fields of a request, in wire order after queue_id. */
enum {
    BA_ORIG, BA_RCPT, BA_ORCPT, BA_STATUS, BA_DTYPE, BA_DTEXT, BA_MTYPE,
    BA_MNAME, BA_ACTION, BA_REASON, BA_COUNT,
};

/* ba_mkdirs - create the directories above path (hash levels) */
static void
ba_mkdirs(const char *path)
{
    BUF    *dir = buf_alloc(100);

    for (const char *slash = strchr(path + 1, '/'); slash;
         slash = strchr(slash + 1, '/')) {
        buf_reset(dir);
        buf_append(dir, path, slash - path);
        if (mkdir(buf_str(dir), 0700) < 0 && errno != EEXIST)
            break;
    }
    buf_free(dir);
}

/* ba_open - open the log for appending; the descriptor, or -1 with the
 * reason in why */
static int
ba_open(const char *path, BUF *why)
{
    int     flags = O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC
        | O_NONBLOCK;
    struct stat st;
    int     fd;

    if ((fd = open(path, flags, 0600)) < 0 && errno == ENOENT) {
        ba_mkdirs(path);
        fd = open(path, flags, 0600);
    }
    if (fd < 0) {
        buf_sprintf(why, "open %s: %m", path);
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        buf_sprintf(why, "open %s: not a regular file", path);
        (void) close(fd);
        return -1;
    }
    return fd;
}

/* ba_write - append one record to the log at path, durably */
static int
ba_write(const char *path, const BUF *record, BUF *why)
{
    off_t   start;
    int     fd, ret = -1;

    if ((fd = ba_open(path, why)) < 0)
        return -1;
    if (lock_file(fd, LOCK_STYLE_FLOCK, LOCK_OP_EXCLUSIVE) < 0
        || (start = lseek(fd, 0, SEEK_END)) < 0) {
        buf_sprintf(why, "lock %s: %m", path);
    } else if (write(fd, buf_str(record), buf_len(record))
               != (ssize_t) buf_len(record)) {
        buf_sprintf(why, "write %s: %m", path);
        (void) ftruncate(fd, start);
    } else if (fsync(fd) < 0) {
        buf_sprintf(why, "fsync %s: %m", path);
    } else {
        ret = 0;
    }
    if (close(fd) < 0 && ret == 0) {
        buf_sprintf(why, "close %s: %m", path);
        ret = -1;
    }
    return ret;
}

/* ba_record - the log record for the request fields */
static void
ba_record(const BOUNCE_CONF *conf, BUF *record, BUF **field, long offset,
          int notify)
{
    RECIPIENT rcpt;
    DSN     dsn;

    for (int i = 0; i < BA_COUNT; i++)
        if (buf_len(field[i]) > BOUNCE_FIELD_MAX)
            buf_truncate(field[i], BOUNCE_FIELD_MAX);
    rcpt.orig_addr = buf_str(field[BA_ORIG]);
    rcpt.address = buf_str(field[BA_RCPT]);
    rcpt.offset = offset;
    rcpt.dsn_orig = buf_str(field[BA_ORCPT]);
    rcpt.dsn_notify = notify;
    dsn.status = buf_str(field[BA_STATUS]);
    dsn.action = buf_str(field[BA_ACTION]);
    dsn.reason = buf_str(field[BA_REASON]);
    dsn.dtype = buf_str(field[BA_DTYPE]);
    dsn.dtext = buf_str(field[BA_DTEXT]);
    dsn.mtype = buf_str(field[BA_MTYPE]);
    dsn.mname = buf_str(field[BA_MNAME]);
    bounce_log_format(record, &rcpt, &dsn, conf->log_text);
}

/* bounce_append_service - serve an append request */
int
bounce_append_service(const BOUNCE_CONF *conf, STREAM *client)
{
    BUF    *field[BA_COUNT], *queue_id = buf_alloc(20);
    BUF    *path = buf_alloc(100), *record = buf_alloc(500);
    BUF    *why = buf_alloc(100);
    BUF    *offset_text = buf_alloc(DELIVER_OFFSET_SIZE);
    int     flags, notify, ret = -1;
    long    offset;

    for (int i = 0; i < BA_COUNT; i++)
        field[i] = buf_alloc(50);
    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_INT("flags", &flags),
                  RECV_ATTR_STR("queue_id", queue_id),
                  RECV_ATTR_STR("original_recipient", field[BA_ORIG]),
                  RECV_ATTR_STR("recipient", field[BA_RCPT]),
                  RECV_ATTR_STR("offset", offset_text),
                  RECV_ATTR_STR("dsn_orig_rcpt", field[BA_ORCPT]),
                  RECV_ATTR_INT("notify_flags", &notify),
                  RECV_ATTR_STR("status", field[BA_STATUS]),
                  RECV_ATTR_STR("diag_type", field[BA_DTYPE]),
                  RECV_ATTR_STR("diag_text", field[BA_DTEXT]),
                  RECV_ATTR_STR("mta_type", field[BA_MTYPE]),
                  RECV_ATTR_STR("mta_mname", field[BA_MNAME]),
                  RECV_ATTR_STR("action", field[BA_ACTION]),
                  RECV_ATTR_STR("reason", field[BA_REASON]),
                  ATTR_TYPE_END) != 14) {
        msg_warn("malformed append request");
    } else if (!mail_queue_id_ok(buf_str(queue_id))) {
        msg_printable(buf_str(queue_id), buf_len(queue_id));
        msg_warn("malformed queue id: %s", buf_str(queue_id));
    } else if (deliver_offset_parse(buf_str(offset_text), &offset) < 0
               || (notify & ~BA_NOTIFY_ALL) != 0) {
        msg_printable(buf_str(offset_text), buf_len(offset_text));
        msg_warn("%s: malformed append request: offset %.30s, "
                 "notify_flags %d", buf_str(queue_id), buf_str(offset_text),
                 notify);
    } else if (mail_queue_path(path, &conf->queue, conf->log_queue,
                               buf_str(queue_id), why) < 0) {
        msg_warn("%s: %s", buf_str(queue_id), buf_str(why));
    } else {
        ba_record(conf, record, field, offset, notify);
        if ((ret = ba_write(buf_str(path), record, why)) < 0)
            msg_warn("%s: %s", buf_str(queue_id), buf_str(why));
        else if (strcmp(conf->log_queue, MAIL_QUEUE_DEFER) == 0)
            bounce_flush_add(buf_str(queue_id), buf_str(field[BA_RCPT]));
    }
    for (int i = 0; i < BA_COUNT; i++)
        buf_free(field[i]);
    buf_free(queue_id);
    buf_free(path);
    buf_free(record);
    buf_free(why);
    buf_free(offset_text);
    return ret;
}
