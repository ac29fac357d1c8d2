/* rec_stream - read and write queue file records on a STREAM.
 *
 * Model: Postfix's record framing (type byte, 7-bit varint length, data),
 * learnt from queue files written by Debian's Postfix 3.7 (a 307-byte
 * record has the length bytes 0xb3 0x02). Reading never trusts a length:
 * it must fit in REC_LEN_BYTES bytes, stay at most REC_LEN_MAX and the
 * caller's limit, and the data is read in pieces so that a file that lies
 * about a length costs no more memory than the bytes it really has.
 * In-place updates (done recipients) use pread/pwrite on the descriptor
 * and fsync before they return. Peers: queue_file (walk and writer),
 * rec_type (letters). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rec_stream.h"
#include "rec_type.h"

#define REC_CHUNK       65536           /* read data in pieces this big */

/* rec_len_encode - the varint form of len into hdr; its size */
static size_t
rec_len_encode(unsigned char *hdr, size_t len)
{
    size_t  n = 0;

    do {
        hdr[n] = len & 0x7f;
        len >>= 7;
        if (len)
            hdr[n] |= 0x80;
        n++;
    } while (len);
    return n;
}

/* rec_size - bytes of a record with len bytes of data */
size_t
rec_size(size_t len)
{
    unsigned char hdr[sizeof(size_t) * 2];

    return 1 + rec_len_encode(hdr, len) + len;
}

/* rec_put - append one record */
int
rec_put(STREAM *sp, int type, const void *data, size_t len)
{
    unsigned char hdr[1 + REC_LEN_BYTES];
    size_t  n;

    if (type < 0 || type > 255 || len > REC_LEN_MAX) {
        errno = EINVAL;
        return -1;
    }
    hdr[0] = (unsigned char) type;
    n = 1 + rec_len_encode(hdr + 1, len);
    if (stream_write(sp, hdr, n) < 0)
        return -1;
    return len > 0 ? stream_write(sp, data, len) : 0;
}

/* rec_puts - append a string record */
int
rec_puts(STREAM *sp, int type, const char *str)
{
    return rec_put(sp, type, str, strlen(str));
}

/* rec_printf - append a formatted record */
int
rec_printf(STREAM *sp, int type, const char *fmt, ...)
{
    BUF    *bp = buf_alloc(100);
    va_list ap;
    int     ret;

    va_start(ap, fmt);
    buf_vsprintf_append(bp, fmt, ap);
    va_end(ap);
    ret = rec_put(sp, type, buf_str(bp), buf_len(bp));
    buf_free(bp);
    return ret;
}

/* rec_get_fail - a read stopped early: error or end of file */
static int
rec_get_fail(STREAM *sp)
{
    return stream_error(sp) ? REC_GET_ERROR : REC_GET_TRUNC;
}

/* rec_get_len - decode the length field; 0, or a REC_GET_* code */
static int
rec_get_len(STREAM *sp, uint64_t *lenp, off_t *pos)
{
    uint64_t len = 0;
    int     ch;

    for (int shift = 0; /* void */ ; shift += 7) {
        if (shift >= 7 * REC_LEN_BYTES)
            return REC_GET_BADLEN;
        if ((ch = stream_getc(sp)) == EOF)
            return rec_get_fail(sp);
        *pos += 1;
        len |= (uint64_t) (ch & 0x7f) << shift;
        if ((ch & 0x80) == 0)
            break;
    }
    *lenp = len;
    return len > REC_LEN_MAX ? REC_GET_BADLEN : 0;
}

/* rec_get_data - read len bytes into bp, piece by piece; 0 or a code */
static int
rec_get_data(STREAM *sp, BUF *bp, size_t len, off_t *pos)
{
    size_t  chunk;
    ssize_t n;

    while (buf_len(bp) < len) {
        chunk = len - buf_len(bp);
        if (chunk > REC_CHUNK)
            chunk = REC_CHUNK;
        buf_reserve(bp, chunk);
        n = stream_read(sp, bp->data + bp->len, chunk);
        if (n > 0) {
            bp->len += n;
            *pos += n;
        }
        bp->data[bp->len] = 0;
        if (n < 0 || (size_t) n < chunk)
            return rec_get_fail(sp);
    }
    return 0;
}

/* rec_get - read one record */
int
rec_get(STREAM *sp, BUF *bp, size_t maxlen, size_t *lenp, off_t *offset)
{
    off_t   pos = offset ? *offset : 0;
    uint64_t len = 0;
    int     type;
    int     status;

    buf_reset(bp);
    if (lenp)
        *lenp = 0;
    if ((type = stream_getc(sp)) == EOF)
        return stream_error(sp) ? REC_GET_ERROR : REC_GET_EOF;
    pos += 1;
    status = rec_get_len(sp, &len, &pos);
    if (lenp)
        *lenp = (size_t) len;
    if (status == 0 && len > (maxlen ? maxlen : REC_LEN_MAX))
        status = REC_GET_TOOLONG;
    if (status == 0)
        status = rec_get_data(sp, bp, (size_t) len, &pos);
    if (offset)
        *offset = pos;
    return status == 0 ? type : status;
}

/* rec_get_strerror - text for a REC_GET_* code */
const char *
rec_get_strerror(int status)
{
    switch (status) {
    case REC_GET_EOF:
        return "end of file";
    case REC_GET_TRUNC:
        return "unexpected end of file inside a record";
    case REC_GET_BADLEN:
        return "illegal record length";
    case REC_GET_TOOLONG:
        return "record too long";
    case REC_GET_ERROR:
        return "read error";
    default:
        return "no error";
    }
}

/* rec_type_text - a record type for a message: 'R' or a number */
static void
rec_type_text(BUF *bp, int type)
{
    if (type > ' ' && type < 0x7f)
        buf_sprintf_append(bp, "'%c'", type);
    else
        buf_sprintf_append(bp, "%d", type);
}

/* rec_retype_write - overwrite a record's type byte in place */
static int
rec_retype_write(int fd, off_t offset, int old_type, int new_type, BUF *why)
{
    unsigned char have;
    unsigned char want = (unsigned char) new_type;
    ssize_t n;

    if ((n = pread(fd, &have, 1, offset)) != 1) {
        buf_sprintf(why, "read record type at offset %lld: %s",
                    (long long) offset, n < 0 ? strerror(errno)
                    : "offset past end of file");
        return -1;
    }
    if (have == want)
        return 0;
    if (have != (unsigned char) old_type) {
        buf_sprintf(why, "record at offset %lld has type ",
                    (long long) offset);
        rec_type_text(why, have);
        buf_strcat(why, ", expected ");
        rec_type_text(why, old_type);
        return -1;
    }
    if ((n = pwrite(fd, &want, 1, offset)) != 1) {
        buf_sprintf(why, "update record type at offset %lld: %s",
                    (long long) offset, n < 0 ? strerror(errno)
                    : "nothing written");
        return -1;
    }
    return 0;
}

/* rec_retype - overwrite a record's type byte in place, then fsync */
int
rec_retype(int fd, off_t offset, int old_type, int new_type, BUF *why)
{
    if (rec_retype_write(fd, offset, old_type, new_type, why) < 0)
        return -1;
    if (fsync(fd) < 0) {
        buf_sprintf(why, "fsync after record update: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* rec_mark_done - mark the recipient record at offset done */
int
rec_mark_done(int fd, off_t offset, BUF *why)
{
    return rec_retype(fd, offset, REC_TYPE_RCPT, REC_TYPE_DONE, why);
}

/* rec_mark_done_nosync - the same without the fsync */
int
rec_mark_done_nosync(int fd, off_t offset, BUF *why)
{
    return rec_retype_write(fd, offset, REC_TYPE_RCPT, REC_TYPE_DONE, why);
}
