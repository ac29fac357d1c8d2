/* stream - buffered stream I/O over a file descriptor, with time limits.
 *
 * One STREAM buffers both directions of a descriptor (a socket, pipe or
 * file). Every blocking read or write waits at most the stream's timeout
 * (per call) and never past its deadline (an absolute limit for a whole
 * exchange); on expiry the operation fails and stream_timedout() is true.
 * The I/O functions can be replaced (TLS plugs in here). Errors are sticky
 * until stream_clearerr(). Library code: nothing here exits.
 * Pending output is flushed before a read that must wait for input. */
#ifndef STREAM_H
#define STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "msg.h"

typedef struct STREAM STREAM;

/* Replaceable I/O: like read(2)/write(2), -1 with errno on error.
 * timeout_ms is how long the call may block (-1: forever). */
typedef ssize_t (*STREAM_READ_FN) (int fd, void *buf, size_t len, int timeout_ms, void *ctx);
typedef ssize_t (*STREAM_WRITE_FN) (int fd, const void *buf, size_t len, int timeout_ms, void *ctx);

STREAM *stream_fdopen(int fd);          /* takes ownership of fd */
int     stream_close(STREAM *sp);       /* flush, close fd; 0 or -1 */
void    stream_free(STREAM *sp);        /* like close, but keeps fd open */
int     stream_fd(const STREAM *sp);

void    stream_set_timeout(STREAM *sp, int seconds);   /* <=0: no limit */
void    stream_set_deadline(STREAM *sp, int seconds);  /* from now; <=0: none */
void    stream_set_io(STREAM *sp, STREAM_READ_FN rfn, STREAM_WRITE_FN wfn, void *ctx);

/* Reading. */
int     stream_getc(STREAM *sp);        /* byte or EOF */
ssize_t stream_read(STREAM *sp, void *buf, size_t len);   /* exactly len, or short at EOF/error */
/* stream_get_line - append bytes up to and including '\n' (or at most
 * limit bytes, or to EOF) to bp; returns the last byte read, or EOF if
 * nothing was read. A limit of 0 means no limit. */
int     stream_get_line(STREAM *sp, BUF *bp, size_t limit);
/* stream_get_delim - like stream_get_line, with any delimiter byte
 * (attr.c reads NUL-terminated fields); limit 0 means no limit */
int     stream_get_delim(STREAM *sp, BUF *bp, int delim, size_t limit);
size_t  stream_buffered(const STREAM *sp); /* input bytes already buffered */

/* Writing (buffered; stream_flush() sends). Return 0 or -1. */
int     stream_write(STREAM *sp, const void *buf, size_t len);
int     stream_puts(STREAM *sp, const char *str);
int     stream_putc(STREAM *sp, int ch);
int     stream_printf(STREAM *sp, const char *fmt, ...) MSG_PRINTF(2, 3);
int     stream_flush(STREAM *sp);

/* State. stream_error() is true after any failure, a timeout included;
 * stream_timedout() tells whether it was a timeout. */
bool    stream_eof(const STREAM *sp);
bool    stream_error(const STREAM *sp);
bool    stream_timedout(const STREAM *sp);
void    stream_clearerr(STREAM *sp);

#endif
