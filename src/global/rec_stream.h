/* rec_stream - read and write queue file records on a STREAM.
 *
 * A record is one type byte, the data length as a varint (7 bits per
 * byte, low bits first, the high bit set on every byte but the last;
 * at most 5 bytes and at most REC_LEN_MAX), then the data. This is
 * Postfix's framing, so qshape and postcat read our files. Records that
 * must change after they were written are rewritten in place: a
 * recipient is marked done by overwriting its type byte ('R' becomes
 * 'D'); nothing moves and nothing is padded (docs/queue-format.md).
 *
 * Library code: nothing here exits; errors are returned. */
#ifndef REC_STREAM_H
#define REC_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "stream.h"

/* The largest length a record may have (Postfix keeps it in an int). */
#define REC_LEN_MAX     0x7fffffff
#define REC_LEN_BYTES   5               /* varint bytes for REC_LEN_MAX */

/* rec_get results other than a record type. */
#define REC_GET_EOF     (-1)            /* end of file before a record */
#define REC_GET_TRUNC   (-2)            /* end of file inside a record */
#define REC_GET_BADLEN  (-3)            /* length field overflows */
#define REC_GET_TOOLONG (-4)            /* length above the caller's limit */
#define REC_GET_ERROR   (-5)            /* read error (see errno) */

/* rec_put - append one record; 0, or -1 (len above REC_LEN_MAX, type
 * not a byte value, or a write error: errno says which) */
int     rec_put(STREAM *sp, int type, const void *data, size_t len);

/* rec_puts - rec_put() of a string */
int     rec_puts(STREAM *sp, int type, const char *str);

/* rec_printf - rec_put() of formatted text */
int     rec_printf(STREAM *sp, int type, const char *fmt, ...) MSG_PRINTF(3, 4);

/* rec_size - how many bytes rec_put() writes for len bytes of data */
size_t  rec_size(size_t len);

/* rec_get - read one record into bp (replacing its content; always
 * NUL-terminated); maxlen 0 means REC_LEN_MAX. Returns the type byte
 * (0..255) or a REC_GET_* code; *lenp gets the length from the header
 * (also on REC_GET_TRUNC and REC_GET_TOOLONG). If offset is not NULL, it
 * is the stream position on entry and is advanced past what was read
 * (the caller keeps the old value as the record's offset). */
int     rec_get(STREAM *sp, BUF *bp, size_t maxlen, size_t *lenp,
                off_t *offset);

/* rec_get_strerror - text for a REC_GET_* code */
const char *rec_get_strerror(int status);

/* rec_retype - overwrite the type byte of the record at offset in the
 * file fd: it must be old_type (or already new_type: nothing to do);
 * then fsync. 0, or -1 with the reason in why. Works beside a STREAM
 * open on the same file (pwrite does not move the file offset). */
int     rec_retype(int fd, off_t offset, int old_type, int new_type,
                   BUF *why);

/* rec_mark_done - rec_retype() of a recipient record to done ('R' to
 * 'D'), so a crash after this never delivers to it again */
int     rec_mark_done(int fd, off_t offset, BUF *why);

/* rec_mark_done_nosync - rec_mark_done() without the fsync, for a caller
 * that marks several recipients and fsyncs once before it reports them
 * done (the delivery agents: deliver_request_done()) */
int     rec_mark_done_nosync(int fd, off_t offset, BUF *why);

#endif
