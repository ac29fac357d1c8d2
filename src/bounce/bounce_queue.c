/* bounce_queue - the original message of a notice, from its queue file.
 *
 * The file is opened read-write without following symlinks and with a
 * shared lock, as Postfix's bounce daemon does (the delivery agents
 * hold the same kind of lock; qmgr's exclusive lock means "wait"). One
 * walk over the whole file (queue_file_walk: a damaged file is not
 * used) finds what the notices need: the sender, the arrival time, the
 * content size, and where the recipient records are. Later walks copy
 * the content, all of it or its primary header only. A recipient is
 * marked done only where the first walk saw a recipient record, so a
 * wrong offset in a log can never overwrite anything else. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "bounce.h"
#include "htable.h"
#include "lock_file.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "rec_stream.h"
#include "rec_type.h"

/* Callback results that end a copy walk. */
#define BQ_STOP         1               /* done */
#define BQ_WRITE        2               /* the notice could not be written */

struct BOUNCE_QUEUE {
    int     fd;
    BUF    *sender;
    BOUNCE_ORIG orig;
    HTABLE *rcpts;                      /* offsets of recipient records */
};

/* State of a copy walk. */
typedef struct BQ_COPY {
    BOUNCE_OUT *out;
    bool    headers_only;
    bool    in_line;                    /* the last record was a piece */
} BQ_COPY;

/* bq_offset_key - an offset as a table key */
static const char *
bq_offset_key(char *key, size_t size, long offset)
{
    snprintf(key, size, "%ld", offset);
    return key;
}

/* bq_envelope - queue_file_walk_envelope() callback: sender and recipients */
static int
bq_envelope(int type, const char *data, size_t len, off_t offset,
            REC_SECTION section, void *ctx)
{
    BOUNCE_QUEUE *qf = ctx;
    char    key[32];

    if (section != REC_SECT_ENVELOPE)
        return 0;
    if (type == REC_TYPE_FROM && qf->orig.sender == NULL) {
        /* It goes into header lines of the notice. */
        buf_reset(qf->sender);
        buf_append(qf->sender, data, len);
        msg_printable(buf_str(qf->sender), buf_len(qf->sender));
        qf->orig.sender = buf_str(qf->sender);
    } else if (type == REC_TYPE_RCPT || type == REC_TYPE_DONE) {
        htable_enter(qf->rcpts, bq_offset_key(key, sizeof(key), offset), NULL);
    }
    return 0;
}

/* bq_copy_record - queue_file_walk() callback: content records */
static int
bq_copy_record(int type, const char *data, size_t len, off_t offset,
               REC_SECTION section, void *ctx)
{
    BQ_COPY *copy = ctx;
    bool    piece = (type == REC_TYPE_CONT);

    if (section != REC_SECT_CONTENT)
        return 0;
    if (type == REC_TYPE_XTRA)
        return BQ_STOP;
    if (type != REC_TYPE_NORM && !piece)
        return 0;
    /* The empty line that ends the primary header. */
    if (copy->headers_only && !piece && len == 0 && !copy->in_line)
        return BQ_STOP;
    copy->in_line = piece;
    return copy->out->put(copy->out->ctx, type, data, len) < 0 ? BQ_WRITE : 0;
}

/* bq_copy - BOUNCE_ORIG copy(): the content into out; 0 or -1 */
static int
bq_copy(void *ctx, bool headers_only, BOUNCE_OUT *out)
{
    BOUNCE_QUEUE *qf = ctx;
    BQ_COPY copy = {out, headers_only, false};
    BUF    *why = buf_alloc(100);
    int     status;

    status = queue_file_walk(qf->fd, 0, bq_copy_record, &copy, NULL, why);
    if (status != BQ_STOP && status != QUEUE_FILE_OK) {
        errno = (status == BQ_WRITE ? EPIPE : EIO);
        status = -1;
    } else {
        status = 0;
    }
    buf_free(why);
    return status;
}

/* bounce_queue_close - unlock, close, free */
void
bounce_queue_close(BOUNCE_QUEUE *qf)
{
    if (qf->fd >= 0)
        (void) close(qf->fd);
    buf_free(qf->sender);
    htable_free(qf->rcpts, NULL);
    myfree(qf);
}

/* bounce_queue_open - open, lock and check the queue file */
BOUNCE_QUEUE *
bounce_queue_open(const BOUNCE_CONF *conf, const char *queue, const char *id,
                  BUF *why)
{
    BOUNCE_QUEUE *qf = mycalloc(1, sizeof(*qf));
    QUEUE_FILE_INFO info;
    int     status;

    qf->sender = buf_alloc(100);
    qf->rcpts = htable_create(10);
    qf->orig.copy = bq_copy;
    qf->orig.ctx = qf;
    qf->fd = mail_queue_open(&conf->queue, queue, id, O_RDWR, NULL, why);
    if (qf->fd >= 0) {
        if (lock_file(qf->fd, LOCK_STYLE_FLOCK,
                      LOCK_OP_SHARED | LOCK_OP_NOWAIT) < 0) {
            buf_sprintf(why, "lock queue file %s/%s: %m", queue, id);
        } else if (queue_file_walk_envelope(qf->fd, 0, bq_envelope, qf,
                                            &info, why) == QUEUE_FILE_OK) {
            qf->orig.arrival = info.arrival;
            qf->orig.msg_size = info.has_size ? info.size.msg_size :
                (long) (info.xtra_offset - info.data_offset);
            return qf;
        } else {
            errno = EINVAL;
        }
    }
    status = errno;
    bounce_queue_close(qf);
    errno = status;
    return NULL;
}

/* bounce_queue_orig - what the notices need */
const BOUNCE_ORIG *
bounce_queue_orig(BOUNCE_QUEUE *qf)
{
    return &qf->orig;
}

/* bounce_queue_mark_done - mark a recipient record done */
int
bounce_queue_mark_done(BOUNCE_QUEUE *qf, long offset, BUF *why)
{
    char    key[32];

    if (htable_locate(qf->rcpts, bq_offset_key(key, sizeof(key), offset))
        == NULL) {
        buf_sprintf(why, "no recipient record at offset %ld", offset);
        return -1;
    }
    return rec_mark_done(qf->fd, offset, why);
}
