/* mail_copy - copy a queued message to a mailbox, a file or a command.
 *
 * Model: one pass over the content records, written through the
 * destination stream (its buffer makes a small message one write(2)).
 * Line starts are tracked across 'L' records, so quoting applies to
 * logical lines only. Pointer records are followed with a budget of one
 * record per two bytes of file (queue_file.c's rule), so a damaged file
 * cannot loop. The first write error is kept with its errno; a file
 * destination is then cut back. Peers: quote_822_local (addresses),
 * rec_stream (records), local(8) and later virtual(8) and pipe(8). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail_copy.h"
#include "quote_822_local.h"
#include "rec_stream.h"
#include "rec_type.h"

#define MAIL_COPY_DAEMON    "MAILER-DAEMON"

/* Writer state: the destination and the first error seen. */
typedef struct MAIL_COPY_OUT {
    STREAM *dst;
    const char *eol;
    int     flags;
    bool    bol;                        /* at the start of a line */
    int     err;                        /* errno of the first failure */
} MAIL_COPY_OUT;

/* mail_copy_put - write bytes, remembering the first error */
static void
mail_copy_put(MAIL_COPY_OUT *out, const char *data, size_t len)
{
    if (out->err == 0 && stream_write(out->dst, data, len) < 0)
        out->err = errno ? errno : EIO;
}

/* mail_copy_from_line - the "From " line without eol into bp */
void
mail_copy_from_line(BUF *bp, const char *sender, time_t when)
{
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;

    buf_strcpy(bp, "From ");
    if (*sender == 0)
        buf_strcat(bp, MAIL_COPY_DAEMON);
    else
        quote_822_local_flags(bp, sender, QUOTE_822_FLAG_APPEND);
    if (localtime_r(&when, &tm) == NULL)
        gmtime_r(&when, &tm);
    buf_sprintf_append(bp, "  %.3s %.3s %2d %02d:%02d:%02d %d",
                       days + 3 * tm.tm_wday, months + 3 * tm.tm_mon,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                       tm.tm_year + 1900);
}

/* mail_copy_header - one prepended "Name: value" line */
static void
mail_copy_header(MAIL_COPY_OUT *out, BUF *bp, const char *name,
                 const char *addr, bool angle)
{
    buf_strcpy(bp, name);
    buf_strcat(bp, angle ? ": <" : ": ");
    if (*addr)
        quote_822_local_flags(bp, addr, QUOTE_822_FLAG_APPEND);
    if (angle)
        buf_addch(bp, '>');
    buf_strcat(bp, out->eol);
    mail_copy_put(out, buf_str(bp), buf_len(bp));
}

/* mail_copy_envelope - what goes before the message */
static void
mail_copy_envelope(MAIL_COPY_OUT *out, const MAIL_COPY_SRC *src)
{
    BUF    *bp = buf_alloc(100);

    if (out->flags & MAIL_COPY_FROM) {
        mail_copy_from_line(bp, src->sender, time(NULL));
        buf_strcat(bp, out->eol);
        mail_copy_put(out, buf_str(bp), buf_len(bp));
    }
    if (out->flags & MAIL_COPY_RETURN)
        mail_copy_header(out, bp, "Return-Path", src->sender, true);
    if ((out->flags & MAIL_COPY_ORIG_RCPT) && *src->orig_rcpt)
        mail_copy_header(out, bp, "X-Original-To", src->orig_rcpt, false);
    if ((out->flags & MAIL_COPY_DELIVERED) && *src->delivered)
        mail_copy_header(out, bp, "Delivered-To", src->delivered, false);
    buf_free(bp);
}

/* mail_copy_text - one content record: a whole line ('N') or a piece */
static void
mail_copy_text(MAIL_COPY_OUT *out, const char *data, size_t len,
               bool eol)
{
    if (out->bol) {
        if ((out->flags & MAIL_COPY_QUOTE) && len >= 5
            && memcmp(data, "From ", 5) == 0)
            mail_copy_put(out, ">", 1);
        if ((out->flags & MAIL_COPY_DOT) && len >= 1 && *data == '.')
            mail_copy_put(out, ".", 1);
    }
    mail_copy_put(out, data, len);
    if (eol)
        mail_copy_put(out, out->eol, strlen(out->eol));
    out->bol = eol;
}

/* mail_copy_seek - a stream over fd reading from offset */
static STREAM *
mail_copy_seek(int fd, off_t offset)
{
    if (lseek(fd, offset, SEEK_SET) < 0)
        return NULL;
    return stream_fdopen(fd);
}

/* mail_copy_pointer - follow a 'p' record: the stream to go on with, or
 * NULL (sp is then freed) for a bad pointer */
static STREAM *
mail_copy_pointer(STREAM *sp, int fd, const char *data, off_t size)
{
    char   *end;
    long long where;

    errno = 0;
    where = strtoll(data, &end, 10);
    while (*end == ' ')
        end++;
    if (where == 0 && errno == 0 && *end == 0)
        return sp;
    stream_free(sp);
    if (errno || *end || where < 0 || where >= size)
        return NULL;
    return mail_copy_seek(fd, (off_t) where);
}

/* mail_copy_walk - call fn for each content record */
int
mail_copy_walk(int fd, off_t offset, MAIL_COPY_REC_FN fn, void *ctx,
               DSN_BUF *why)
{
    struct stat st;
    STREAM *sp;
    BUF    *rec;
    long long budget;
    int     type = 0;
    int     stop = 0;
    int     status = MAIL_COPY_STAT_CORRUPT;

    if (fstat(fd, &st) < 0 || (sp = mail_copy_seek(fd, offset)) == NULL) {
        dsb_simple(why, "4.3.0", "error reading message: %m");
        return MAIL_COPY_STAT_READ;
    }
    rec = buf_alloc(1024);
    for (budget = st.st_size / 2 + 1; budget > 0 && stop == 0; budget--) {
        type = rec_get(sp, rec, (size_t) st.st_size, NULL, NULL);
        if (type == REC_TYPE_NORM || type == REC_TYPE_CONT)
            stop = fn(type, buf_str(rec), buf_len(rec), ctx);
        else if (type == REC_TYPE_PTR)
            sp = mail_copy_pointer(sp, fd, buf_str(rec), st.st_size);
        else if (type != REC_TYPE_DTXT)
            break;
        if (sp == NULL)
            break;
    }
    if (stop)
        status = stop;
    else if (type == REC_TYPE_XTRA)
        status = MAIL_COPY_STAT_OK;
    else if (type == REC_GET_ERROR)
        status = MAIL_COPY_STAT_READ;
    if (status == MAIL_COPY_STAT_READ)
        dsb_simple(why, "4.3.0", "error reading message: %m");
    else if (status == MAIL_COPY_STAT_CORRUPT)
        dsb_simple(why, "4.3.0", "queue file format error");
    if (sp)
        stream_free(sp);
    buf_free(rec);
    return status;
}

/* mail_copy_record - the walker callback of mail_copy() */
static int
mail_copy_record(int type, const char *data, size_t len, void *ctx)
{
    MAIL_COPY_OUT *out = ctx;

    mail_copy_text(out, data, len, type == REC_TYPE_NORM);
    return out->err ? MAIL_COPY_STAT_WRITE : 0;
}

/* mail_copy_finish - flush, fsync a file; cut it back after a failure */
static int
mail_copy_finish(MAIL_COPY_OUT *out, int status, off_t orig_size,
                 DSN_BUF *why)
{
    int     fd = stream_fd(out->dst);

    if (out->err == 0 && stream_flush(out->dst) < 0)
        out->err = errno ? errno : EIO;
    if (out->err == 0 && status == 0 && (out->flags & MAIL_COPY_TOFILE)
        && fsync(fd) < 0)
        out->err = errno;
    if (out->err) {
        errno = out->err;
        dsb_simple(why, dsn_errno_status(out->err, "5.2.0"),
                   "error writing message: %m");
        status |= MAIL_COPY_STAT_WRITE;
    }
    if (status && (out->flags & MAIL_COPY_TOFILE) && orig_size >= 0)
        (void) ftruncate(fd, orig_size);
    if (out->err)
        errno = out->err;
    return status;
}

/* mail_copy - write the message to dst; 0 or MAIL_COPY_STAT_* */
int
mail_copy(const MAIL_COPY_SRC *src, STREAM *dst, int flags,
          const char *eol, DSN_BUF *why)
{
    MAIL_COPY_OUT out;
    struct stat st;
    off_t   orig_size = -1;
    int     status;

    out.dst = dst;
    out.eol = eol ? eol : "\n";
    out.flags = flags;
    out.bol = true;
    out.err = 0;
    if ((flags & MAIL_COPY_TOFILE) && stream_flush(dst) == 0
        && fstat(stream_fd(dst), &st) == 0 && S_ISREG(st.st_mode))
        orig_size = st.st_size;
    mail_copy_envelope(&out, src);
    status = mail_copy_walk(src->fd, src->offset, mail_copy_record, &out,
                            why);
    if (status == MAIL_COPY_STAT_WRITE)
        status = MAIL_COPY_STAT_OK;     /* mail_copy_finish() reports it */
    if (status == 0 && (flags & MAIL_COPY_BLANK))
        mail_copy_put(&out, out.eol, strlen(out.eol));
    return mail_copy_finish(&out, status, orig_size, why);
}

/* mail_copy_job - mail_copy() of the job ctx to dst */
int
mail_copy_job(STREAM *dst, void *ctx, DSN_BUF *why)
{
    const MAIL_COPY_JOB *job = ctx;

    return mail_copy(&job->src, dst, job->flags, job->eol, why);
}
