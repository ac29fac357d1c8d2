/* queue_file - walk and check a whole queue file; write one; quarantine.
 *
 * Model: the record order Debian's Postfix 3.7 writes (cleanup: 'C', 'T',
 * attributes, 'S', recipients as 'O' then 'R', 'M', text as 'N'/'L', 'X',
 * 'E'; postdrop: the same without 'C'), the checks its qmgr applies to
 * damaged files (observed by dropping truncated files, bad lengths,
 * unknown and misplaced types into incoming/), and the wording it logs.
 * Pointer records ('p', written by cleanup for milter edits) are
 * followed: reading goes on at the offset they hold (0: no jump); a
 * record budget of one per two bytes of file stops pointer loops.
 * Peers: rec_stream (framing), rec_type (sections), mail_queue (paths,
 * rename to corrupt/), cleanup (writer), qmgr/showq/qcat (reader). */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_queue_id.h"
#include "msg.h"
#include "queue_file.h"
#include "rec_stream.h"

#define QF_SIZE_DATA_OFFSET 2           /* 'C', one length byte, data */
#define QF_SIZE_FIELDS  6
#define QF_SIZE_MIN_FIELDS 3            /* size, data offset, recipients */

/* State of one walk. */
typedef struct QF_WALK {
    int     fd;
    STREAM *sp;
    off_t   pos;                        /* stream position */
    off_t   file_size;
    size_t  maxlen;
    BUF    *buf;
    REC_SECTION section;
    long    records;                    /* read so far */
    long    budget;                     /* most records a file may hold */
    bool    seen_time, seen_from;
    bool    skip_content;               /* seek from 'M' to 'X' */
    bool    expect_xtra;                /* ... and landed there */
    QUEUE_FILE_INFO *info;              /* the caller's, or our own */
    BUF    *why;
} QF_WALK;

/* qf_number - parse digits (after optional spaces); 0, or -1 */
static int
qf_number(const char **cpp, const char *end, long *value)
{
    const char *cp = *cpp;
    long    v = 0;

    while (cp < end && *cp == ' ')
        cp++;
    if (cp >= end || *cp < '0' || *cp > '9')
        return -1;
    for (; cp < end && *cp >= '0' && *cp <= '9'; cp++) {
        if (v > (LONG_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*cp - '0');
    }
    *cpp = cp;
    *value = v;
    return 0;
}

/* qf_numbers - parse up to max numbers filling the whole data; count */
static int
qf_numbers(const char *data, size_t len, long *values, int max)
{
    const char *cp = data, *end = data + len;
    int     n = 0;

    while (n < max && qf_number(&cp, end, values + n) == 0)
        n++;
    while (cp < end && *cp == ' ')
        cp++;
    return cp == end ? n : -1;
}

/* queue_file_size_format - the fixed-width size record data */
void
queue_file_size_format(BUF *bp, const QUEUE_FILE_SIZE *size)
{
    buf_sprintf(bp, "%*ld %*ld %*ld %*ld %*ld %*ld",
                QUEUE_FILE_SIZE_WIDTH, size->msg_size,
                QUEUE_FILE_SIZE_WIDTH, size->data_offset,
                QUEUE_FILE_SIZE_WIDTH, size->rcpt_count,
                QUEUE_FILE_SIZE_WIDTH, size->qmgr_flags,
                QUEUE_FILE_SIZE_WIDTH, size->cont_length,
                QUEUE_FILE_SIZE_WIDTH, size->smtputf8);
}

/* queue_file_size_parse - read the size record data */
int
queue_file_size_parse(const char *data, size_t len, QUEUE_FILE_SIZE *size)
{
    long    v[QF_SIZE_FIELDS] = {0};
    int     n = qf_numbers(data, len, v, QF_SIZE_FIELDS);

    if (n < QF_SIZE_MIN_FIELDS)
        return -1;
    size->msg_size = v[0];
    size->data_offset = v[1];
    size->rcpt_count = v[2];
    size->qmgr_flags = v[3];
    size->cont_length = n >= 5 ? v[4] : v[0];
    size->smtputf8 = v[5];
    return 0;
}

/* qf_type_text - a record type for a reason: 'R' or a number */
static void
qf_type_text(BUF *bp, int type)
{
    if (type > ' ' && type < 0x7f)
        buf_sprintf_append(bp, "'%c'", type);
    else
        buf_sprintf_append(bp, "%d", type);
}

/* qf_bad - a damaged file: reason at offset */
static int
qf_bad(QF_WALK *w, const char *what, off_t at)
{
    buf_sprintf(w->why, "%s at offset %lld", what, (long long) at);
    return QUEUE_FILE_CORRUPT;
}

/* qf_type_at - the type byte of the record at offset (error reports) */
static int
qf_type_at(QF_WALK *w, off_t at)
{
    unsigned char type;

    return pread(w->fd, &type, 1, at) == 1 ? type : -1;
}

/* qf_read_fail - why rec_get() returned no record */
static int
qf_read_fail(QF_WALK *w, int status, size_t len, off_t at)
{
    switch (status) {
    case REC_GET_EOF:
        buf_strcpy(w->why, "message rejected: missing end record");
        return QUEUE_FILE_CORRUPT;
    case REC_GET_TRUNC:
        buf_sprintf(w->why, "unexpected EOF in data, record type %d "
                    "length %zu at offset %lld", qf_type_at(w, at), len,
                    (long long) at);
        return QUEUE_FILE_CORRUPT;
    case REC_GET_BADLEN:
        buf_sprintf(w->why, "illegal length, record at offset %lld",
                    (long long) at);
        return QUEUE_FILE_CORRUPT;
    case REC_GET_TOOLONG:
        buf_sprintf(w->why, "record too long: length %zu, limit %zu, "
                    "at offset %lld", len, w->maxlen, (long long) at);
        return QUEUE_FILE_CORRUPT;
    default:
        buf_sprintf(w->why, "read queue file: %s", strerror(errno));
        return QUEUE_FILE_READ_ERROR;
    }
}

/* qf_seek - continue reading at target (inside the file) */
static int
qf_seek(QF_WALK *w, off_t target)
{
    stream_free(w->sp);
    w->sp = NULL;
    if (lseek(w->fd, (off_t) target, SEEK_SET) < 0) {
        buf_sprintf(w->why, "seek queue file: %s", strerror(errno));
        return QUEUE_FILE_READ_ERROR;
    }
    w->sp = stream_fdopen(w->fd);
    w->pos = target;
    return QUEUE_FILE_OK;
}

/* qf_jump - continue reading at a pointer record's target */
static int
qf_jump(QF_WALK *w, off_t at)
{
    long    target;

    if (qf_numbers(buf_str(w->buf), buf_len(w->buf), &target, 1) != 1)
        return qf_bad(w, "malformed pointer record", at);
    if (target == 0)
        return QUEUE_FILE_OK;
    if (target >= w->file_size)
        return qf_bad(w, "pointer record past end of file", at);
    return qf_seek(w, (off_t) target);
}

/* qf_skip_content - after 'M' in an envelope walk: to the 'X' record
 * where the size record says it is (Postfix's qmgr does the same) */
static int
qf_skip_content(QF_WALK *w, off_t at)
{
    off_t   target = w->info->data_offset + w->info->size.msg_size;

    if (target >= w->file_size || w->info->size.msg_size < 0)
        return qf_bad(w, "size record content size past end of file", at);
    w->expect_xtra = true;
    return qf_seek(w, target);
}

/* qf_check_time - "sec" or "sec usec" */
static int
qf_check_time(QF_WALK *w, off_t at)
{
    long    v[2] = {0, 0};
    int     n = qf_numbers(buf_str(w->buf), buf_len(w->buf), v, 2);

    if (n < 1 || v[1] >= 1000000)
        return qf_bad(w, "malformed arrival time record", at);
    w->seen_time = true;
    w->info->arrival.tv_sec = (time_t) v[0];
    w->info->arrival.tv_usec = (suseconds_t) v[1];
    return QUEUE_FILE_OK;
}

/* qf_check_size - the size record: first, and well formed */
static int
qf_check_size(QF_WALK *w, off_t at)
{
    QUEUE_FILE_SIZE size;

    if (w->records != 1)
        return qf_bad(w, "misplaced size record", at);
    if (queue_file_size_parse(buf_str(w->buf), buf_len(w->buf), &size) < 0)
        return qf_bad(w, "malformed size record", at);
    w->info->has_size = true;
    w->info->size = size;
    return QUEUE_FILE_OK;
}

/* qf_check_marker - section markers: remember where they are */
static int
qf_check_marker(QF_WALK *w, int type, off_t at)
{
    if (type == REC_TYPE_MESG) {
        if (w->info->has_size && w->info->size.data_offset != (long) w->pos)
            return qf_bad(w, "size record data offset does not match "
                          "the content", at);
        w->info->data_offset = w->pos;
    } else if (type == REC_TYPE_XTRA) {
        w->info->xtra_offset = at;
    } else if (type == REC_TYPE_END) {
        if (!w->seen_time)
            return qf_bad(w, "missing arrival time record before end", at);
        if (!w->seen_from)
            return qf_bad(w, "missing sender record before end", at);
        w->info->end_offset = at;
    }
    return QUEUE_FILE_OK;
}

/* qf_check_record - per-type checks of one record in its section */
static int
qf_check_record(QF_WALK *w, int type, off_t at)
{
    BUF    *what;

    if (!rec_type_allowed(type, w->section)) {
        what = buf_alloc(60);
        buf_strcpy(what, "unexpected record type ");
        qf_type_text(what, type);
        qf_bad(w, buf_str(what), at);
        buf_free(what);
        return QUEUE_FILE_CORRUPT;
    }
    if (w->section == REC_SECT_CONTENT)
        return type == REC_TYPE_XTRA ? qf_check_marker(w, type, at)
            : QUEUE_FILE_OK;
    switch (type) {
    case REC_TYPE_SIZE:
        return qf_check_size(w, at);
    case REC_TYPE_TIME:
        return qf_check_time(w, at);
    case REC_TYPE_FROM:
        w->seen_from = true;
        return QUEUE_FILE_OK;
    case REC_TYPE_ATTR:
        if (buf_str(w->buf)[0] == '=' || memchr(buf_str(w->buf), '=',
                                                buf_len(w->buf)) == NULL)
            return qf_bad(w, "malformed attribute record", at);
        return QUEUE_FILE_OK;
    case REC_TYPE_RCPT:
        w->info->rcpt_todo++;
        return QUEUE_FILE_OK;
    case REC_TYPE_DONE:
    case REC_TYPE_DRCP:
        w->info->rcpt_done++;
        return QUEUE_FILE_OK;
    default:
        return qf_check_marker(w, type, at);
    }
}

/* qf_walk_next - read, check and report one record; QUEUE_FILE_OK to go
 * on, or the walk's result */
static int
qf_walk_next(QF_WALK *w, QUEUE_FILE_CB cb, void *ctx)
{
    off_t   at = w->pos;
    size_t  len;
    int     type, status;
    REC_SECTION section = w->section;

    if ((type = rec_get(w->sp, w->buf, w->maxlen, &len, &w->pos)) < 0)
        return qf_read_fail(w, type, len, at);
    if (w->expect_xtra && type != REC_TYPE_XTRA)
        return qf_bad(w, "size record content size does not lead to the "
                      "extracted records", at);
    w->expect_xtra = false;
    if (++w->records > w->budget)
        return qf_bad(w, "too many records (pointer loop)", at);
    if ((status = qf_check_record(w, type, at)) != QUEUE_FILE_OK)
        return status;
    if (cb && (status = cb(type, buf_str(w->buf), buf_len(w->buf), at,
                           section, ctx)) != 0)
        return status;
    w->section = rec_type_next_section(type, w->section);
    if (type == REC_TYPE_MESG && w->skip_content && w->info->has_size)
        return qf_skip_content(w, at);
    return type == REC_TYPE_PTR ? qf_jump(w, at) : QUEUE_FILE_OK;
}

/* qf_walk - read and check a queue file, all of it or its envelope */
static int
qf_walk(int fd, size_t maxlen, QUEUE_FILE_CB cb, void *ctx,
        QUEUE_FILE_INFO *info, BUF *why, bool skip_content)
{
    QF_WALK w;
    QUEUE_FILE_INFO own;
    struct stat st;
    int     status;

    if (info == NULL)
        info = &own;
    memset(info, 0, sizeof(*info));
    if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        buf_sprintf(why, "read queue file: %s", strerror(errno));
        return QUEUE_FILE_READ_ERROR;
    }
    memset(&w, 0, sizeof(w));
    w.fd = fd;
    w.sp = stream_fdopen(fd);
    w.file_size = st.st_size;
    w.maxlen = maxlen ? maxlen : REC_LEN_MAX;
    w.buf = buf_alloc(100);
    w.section = REC_SECT_ENVELOPE;
    w.budget = st.st_size / 2 + 1;
    w.info = info;
    w.why = why;
    w.skip_content = skip_content;
    while ((status = qf_walk_next(&w, cb, ctx)) == QUEUE_FILE_OK
           && w.section != REC_SECT_DONE)
         /* void */ ;
    if (w.sp)
        stream_free(w.sp);
    buf_free(w.buf);
    return status;
}

/* queue_file_walk - read and check a whole queue file */
int
queue_file_walk(int fd, size_t maxlen, QUEUE_FILE_CB cb, void *ctx,
                QUEUE_FILE_INFO *info, BUF *why)
{
    return qf_walk(fd, maxlen, cb, ctx, info, why, false);
}

/* queue_file_walk_envelope - the same, without reading the content */
int
queue_file_walk_envelope(int fd, size_t maxlen, QUEUE_FILE_CB cb, void *ctx,
                         QUEUE_FILE_INFO *info, BUF *why)
{
    return qf_walk(fd, maxlen, cb, ctx, info, why, true);
}

/* queue_file_corrupt - move a damaged file to corrupt/, log why */
int
queue_file_corrupt(const MAIL_QUEUE_CONF *conf, const char *queue,
                   const char *id, const char *reason, BUF *why)
{
    if (!mail_queue_id_ok(id)) {
        buf_strcpy(why, "invalid queue id");
        return -1;
    }
    msg_warn("%s: %s", id, reason);
    if (mail_queue_rename(conf, id, queue, MAIL_QUEUE_CORRUPT, why) < 0)
        return -1;
    msg_warn("saving corrupt file \"%s\" from queue \"%s\" to queue \"%s\"",
             id, queue, MAIL_QUEUE_CORRUPT);
    return 0;
}

/* queue_file_out_init - start writing a new queue file */
void
queue_file_out_init(QUEUE_FILE_OUT *qf, STREAM *sp)
{
    memset(qf, 0, sizeof(*qf));
    qf->sp = sp;
    qf->section = REC_SECT_ENVELOPE;
}

/* queue_file_out_rec - append a record in section order */
int
queue_file_out_rec(QUEUE_FILE_OUT *qf, int type, const char *data,
                   size_t len)
{
    off_t   at = qf->offset;

    if (type == REC_TYPE_END || !rec_type_allowed(type, qf->section)
        || (type == REC_TYPE_SIZE && at != 0)) {
        errno = EINVAL;
        return -1;
    }
    if (rec_put(qf->sp, type, data, len) < 0)
        return -1;
    qf->offset += rec_size(len);
    if (type == REC_TYPE_RCPT)
        qf->rcpt_count++;
    else if (type == REC_TYPE_MESG)
        qf->data_offset = qf->offset;
    else if (type == REC_TYPE_XTRA)
        qf->xtra_offset = at;
    qf->section = rec_type_next_section(type, qf->section);
    return 0;
}

/* queue_file_out_buf - append the text in bp as a record, then free bp */
static int
queue_file_out_buf(QUEUE_FILE_OUT *qf, int type, BUF *bp)
{
    int     ret = queue_file_out_rec(qf, type, buf_str(bp), buf_len(bp));

    buf_free(bp);
    return ret;
}

/* queue_file_out_size - the size record placeholder */
int
queue_file_out_size(QUEUE_FILE_OUT *qf)
{
    QUEUE_FILE_SIZE zero = {0};
    BUF    *bp = buf_alloc(QUEUE_FILE_SIZE_LEN);
    int     ret;

    queue_file_size_format(bp, &zero);
    if ((ret = queue_file_out_buf(qf, REC_TYPE_SIZE, bp)) == 0)
        qf->has_size = true;
    return ret;
}

/* queue_file_out_time - the arrival time record */
int
queue_file_out_time(QUEUE_FILE_OUT *qf, const struct timeval *tv)
{
    BUF    *bp = buf_alloc(32);

    buf_sprintf(bp, "%ld %ld", (long) tv->tv_sec, (long) tv->tv_usec);
    return queue_file_out_buf(qf, REC_TYPE_TIME, bp);
}

/* queue_file_out_attr - a named attribute record */
int
queue_file_out_attr(QUEUE_FILE_OUT *qf, const char *name, const char *value)
{
    BUF    *bp;

    if (*name == 0 || strchr(name, '=') != NULL) {
        errno = EINVAL;
        return -1;
    }
    bp = buf_alloc(100);
    buf_sprintf(bp, "%s=%s", name, value);
    return queue_file_out_buf(qf, REC_TYPE_ATTR, bp);
}

/* queue_file_out_rcpt - original recipient (optional), then recipient */
int
queue_file_out_rcpt(QUEUE_FILE_OUT *qf, const char *orig, const char *addr)
{
    if (orig && queue_file_out_rec(qf, REC_TYPE_ORCP, orig,
                                   strlen(orig)) < 0)
        return -1;
    return queue_file_out_rec(qf, REC_TYPE_RCPT, addr, strlen(addr));
}

/* queue_file_out_fill_size - write the real size record over the
 * placeholder; 0, or -1 with errno */
static int
queue_file_out_fill_size(QUEUE_FILE_OUT *qf, long qmgr_flags, long smtputf8)
{
    QUEUE_FILE_SIZE size;
    BUF    *bp = buf_alloc(QUEUE_FILE_SIZE_LEN);
    ssize_t n;

    size.msg_size = (long) (qf->xtra_offset - qf->data_offset);
    size.data_offset = (long) qf->data_offset;
    size.rcpt_count = qf->rcpt_count;
    size.qmgr_flags = qmgr_flags;
    size.cont_length = size.msg_size;
    size.smtputf8 = smtputf8;
    queue_file_size_format(bp, &size);
    if (buf_len(bp) != QUEUE_FILE_SIZE_LEN) {
        buf_free(bp);
        errno = EINVAL;                 /* a number wider than its field */
        return -1;
    }
    n = pwrite(stream_fd(qf->sp), buf_str(bp), QUEUE_FILE_SIZE_LEN,
               QF_SIZE_DATA_OFFSET);
    buf_free(bp);
    if (n == QUEUE_FILE_SIZE_LEN)
        return 0;
    if (n >= 0)
        errno = EIO;
    return -1;
}

/* queue_file_out_end - 'X' if needed, 'E', flush, fill in the size */
int
queue_file_out_end(QUEUE_FILE_OUT *qf, long qmgr_flags, long smtputf8)
{
    if (qf->section == REC_SECT_ENVELOPE || qf->section == REC_SECT_DONE) {
        errno = EINVAL;
        return -1;
    }
    if (qf->section == REC_SECT_CONTENT
        && queue_file_out_rec(qf, REC_TYPE_XTRA, "", 0) < 0)
        return -1;
    if (rec_put(qf->sp, REC_TYPE_END, "", 0) < 0)
        return -1;
    qf->offset += rec_size(0);
    qf->section = REC_SECT_DONE;
    errno = 0;
    if (stream_flush(qf->sp) < 0) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return qf->has_size ? queue_file_out_fill_size(qf, qmgr_flags,
                                                   smtputf8) : 0;
}
