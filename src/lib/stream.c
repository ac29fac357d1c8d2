/* stream - buffered stream I/O over a file descriptor, with time limits.
 *
 * Model: one read buffer and one write buffer per stream. Reads refill the
 * read buffer with one call of the read function (or read straight into
 * the caller's memory when the request is larger than the buffer); line
 * reads scan the buffer with memchr(), so no system call is made per
 * byte. Writes collect in the write buffer until it is full or flushed.
 *
 * Time limits: before each call of the read or write function the stream
 * computes how long it may block: the per-call timeout, shortened to what
 * is left until the deadline. The default I/O functions poll() for that
 * long and fail with ETIMEDOUT; without a limit they make the call at once
 * (no poll per read of a file) and poll only when a non-blocking
 * descriptor would block. On a socket a write is tried at once
 * (MSG_DONTWAIT) and polls only if the socket buffer is full; a read is
 * tried at once too unless this stream wrote since its last read (then
 * the answer is a round trip away and the poll comes first). So a
 * server that reads after its event loop saw input, or reads pipelined
 * input, makes one system call instead of two. Replacement functions
 * (TLS) get the same limit. ETIMEDOUT sets the timeout flag, any other failure the error
 * flag; both are sticky and stop reads and writes until stream_clearerr().
 * The end-of-file flag is sticky for reads only. Pending output is flushed
 * before a read that has to wait for input, so a request is never stuck in
 * our buffer while we wait for its answer.
 *
 * Peers: attr.c (daemon protocols), the SMTP client and server. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mono_time.h"
#include "mymalloc.h"
#include "stream.h"

#define STREAM_BUFSIZE  8192

#define STREAM_FLAG_EOF         (1<<0)
#define STREAM_FLAG_ERR         (1<<1)
#define STREAM_FLAG_TIMEOUT     (1<<2)
#define STREAM_FLAG_WROTE       (1<<3)  /* output sent since the last read */
#define STREAM_FLAG_BAD         (STREAM_FLAG_ERR | STREAM_FLAG_TIMEOUT)

struct STREAM {
    int     fd;
    int     flags;
    char   *rbuf;                       /* unread bytes: rbuf[rpos..rlen) */
    size_t  rpos;
    size_t  rlen;
    char   *wbuf;                       /* unsent bytes: wbuf[0..wlen) */
    size_t  wlen;
    int     timeout_ms;                 /* per call; -1: none */
    int64_t deadline;                   /* monotonic ms; 0: none */
    bool    is_sock;
    STREAM_READ_FN read_fn;
    STREAM_WRITE_FN write_fn;
    void   *io_ctx;
};

/* stream_poll - wait until fd is ready for events; 0, or -1 with errno */
static int
stream_poll(int fd, short events, int timeout_ms)
{
    struct pollfd pfd;
    int     n;

    pfd.fd = fd;
    pfd.events = events;
    n = poll(&pfd, 1, timeout_ms);
    if (n == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    return n < 0 ? -1 : 0;
}

/* stream_wait - before an I/O call: with a timeout, wait for readiness
 * (a blocking call would ignore the timeout); without one, go straight to
 * the call (a file needs no poll) and wait only if it would block */
static bool
stream_wait(int fd, short events, int timeout_ms, bool attempted)
{
    if (timeout_ms >= 0)
        return attempted ? false : stream_poll(fd, events, timeout_ms) == 0;
    if (!attempted)
        return true;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        return false;
    return stream_poll(fd, events, -1) == 0;
}

/* stream_fd_read - default read function: wait as stream_wait says, read */
static ssize_t
stream_fd_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    ssize_t n;

    if (!stream_wait(fd, POLLIN, timeout_ms, false))
        return -1;
    while ((n = read(fd, buf, len)) < 0 && stream_wait(fd, POLLIN, timeout_ms,
                                                      true))
        /* retry once ready */ ;
    return n;
}

/* stream_fd_write - default write function for files and pipes */
static ssize_t
stream_fd_write(int fd, const void *buf, size_t len, int timeout_ms, void *ctx)
{
    ssize_t n;

    if (!stream_wait(fd, POLLOUT, timeout_ms, false))
        return -1;
    while ((n = write(fd, buf, len)) < 0 && stream_wait(fd, POLLOUT,
                                                        timeout_ms, true))
        /* retry once ready */ ;
    return n;
}

/* stream_would_block - errno says a non-blocking call found nothing */
static bool
stream_would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* stream_sock_write - default write function for sockets: no SIGPIPE;
 * send at once, poll (with the time limit) only while the socket is full */
static ssize_t
stream_sock_write(int fd, const void *buf, size_t len, int timeout_ms,
                  void *ctx)
{
    ssize_t n;

    while ((n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0
           && stream_would_block()
           && stream_poll(fd, POLLOUT, timeout_ms) == 0)
        /* retry once ready */ ;
    return n;
}

/* stream_sock_read_now - a read of input that is already there: >= 0,
 * or -1 with errno (EAGAIN: none yet) */
static ssize_t
stream_sock_read_now(int fd, void *buf, size_t len)
{
    ssize_t n;

    while ((n = recv(fd, buf, len, MSG_DONTWAIT)) < 0 && errno == EINTR)
        /* again */ ;
    return n;
}

/* stream_fdopen - wrap a descriptor; the stream owns it from now on */
STREAM *
stream_fdopen(int fd)
{
    STREAM *sp = mymalloc(sizeof(*sp));
    struct stat st;

    sp->fd = fd;
    sp->flags = 0;
    sp->rbuf = NULL;
    sp->rpos = sp->rlen = 0;
    sp->wbuf = NULL;
    sp->wlen = 0;
    sp->timeout_ms = -1;
    sp->deadline = 0;
    sp->is_sock = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
    stream_set_io(sp, NULL, NULL, NULL);
    return sp;
}

/* stream_free - flush and destroy the stream, leave the fd open */
void
stream_free(STREAM *sp)
{
    (void) stream_flush(sp);
    myfree(sp->rbuf);
    myfree(sp->wbuf);
    myfree(sp);
}

/* stream_close - flush, close the fd, destroy; 0 or -1 */
int
stream_close(STREAM *sp)
{
    int     status = stream_flush(sp);
    int     fd = sp->fd;

    sp->fd = -1;
    stream_free(sp);
    if (close(fd) < 0)
        status = -1;
    return status;
}

/* stream_fd - the descriptor */
int
stream_fd(const STREAM *sp)
{
    return sp->fd;
}

/* stream_set_timeout - limit each blocking operation to seconds */
void
stream_set_timeout(STREAM *sp, int seconds)
{
    sp->timeout_ms = seconds > 0 ? (seconds > INT_MAX / 1000 ?
                                    INT_MAX : seconds * 1000) : -1;
}

/* stream_set_deadline - limit everything from now on to seconds */
void
stream_set_deadline(STREAM *sp, int seconds)
{
    sp->deadline = seconds > 0 ? mono_ms() + (int64_t) seconds * 1000 : 0;
}

/* stream_set_io - replace the read and write functions (NULL: default) */
void
stream_set_io(STREAM *sp, STREAM_READ_FN rfn, STREAM_WRITE_FN wfn, void *ctx)
{
    sp->read_fn = rfn ? rfn : stream_fd_read;
    if (wfn)
        sp->write_fn = wfn;
    else
        sp->write_fn = sp->is_sock ? stream_sock_write : stream_fd_write;
    sp->io_ctx = ctx;
}

/* stream_read_eager - whether a read may skip the poll: a plain socket
 * that has not written since its last read */
static bool
stream_read_eager(const STREAM *sp)
{
    return sp->is_sock && sp->read_fn == stream_fd_read
        && !(sp->flags & STREAM_FLAG_WROTE);
}

/* stream_limit_ms - how long the next call may block; -2 if time is up */
static int
stream_limit_ms(const STREAM *sp)
{
    int64_t left;

    if (sp->deadline == 0)
        return sp->timeout_ms;
    left = sp->deadline - mono_ms();
    if (left <= 0)
        return -2;
    if (sp->timeout_ms >= 0 && sp->timeout_ms < left)
        return sp->timeout_ms;
    return left > INT_MAX ? INT_MAX : (int) left;
}

/* stream_fail - record why an I/O function failed */
static void
stream_fail(STREAM *sp)
{
    sp->flags |= (errno == ETIMEDOUT ? STREAM_FLAG_TIMEOUT : STREAM_FLAG_ERR);
}

/* stream_raw_read - one call of the read function; >0, 0 at EOF, -1 */
static ssize_t
stream_raw_read(STREAM *sp, void *buf, size_t len)
{
    ssize_t n;
    int     limit;

    if (sp->flags & STREAM_FLAG_BAD)
        return -1;
    if (sp->flags & STREAM_FLAG_EOF)
        return 0;
    /* About to wait for the peer: it may be waiting for our output. */
    if (sp->wlen > 0 && stream_flush(sp) < 0)
        return -1;
    for (;;) {
        if ((limit = stream_limit_ms(sp)) == -2) {
            errno = ETIMEDOUT;
            stream_fail(sp);
            return -1;
        }
        if (!stream_read_eager(sp)
            || ((n = stream_sock_read_now(sp->fd, buf, len)) < 0
                && stream_would_block()))
            n = sp->read_fn(sp->fd, buf, len, limit, sp->io_ctx);
        sp->flags &= ~STREAM_FLAG_WROTE;
        if (n > 0)
            return n;
        if (n == 0) {
            sp->flags |= STREAM_FLAG_EOF;
            return 0;
        }
        if (errno != EINTR && errno != EAGAIN) {
            stream_fail(sp);
            return -1;
        }
    }
}

/* stream_fill - refill an empty read buffer; >0, 0 at EOF, -1 */
static ssize_t
stream_fill(STREAM *sp)
{
    ssize_t n;

    if (sp->rbuf == NULL)
        sp->rbuf = mymalloc(STREAM_BUFSIZE);
    sp->rpos = sp->rlen = 0;
    if ((n = stream_raw_read(sp, sp->rbuf, STREAM_BUFSIZE)) > 0)
        sp->rlen = n;
    return n;
}

/* stream_getc - next byte, or EOF */
int
stream_getc(STREAM *sp)
{
    if (sp->rpos >= sp->rlen && stream_fill(sp) <= 0)
        return EOF;
    return (unsigned char) sp->rbuf[sp->rpos++];
}

/* stream_read - read len bytes; fewer only at EOF or on error */
ssize_t
stream_read(STREAM *sp, void *buf, size_t len)
{
    char   *cp = buf;
    size_t  done = 0;
    ssize_t n;

    while (done < len) {
        if (sp->rpos < sp->rlen) {
            n = sp->rlen - sp->rpos;
            if ((size_t) n > len - done)
                n = len - done;
            memcpy(cp + done, sp->rbuf + sp->rpos, n);
            sp->rpos += n;
        } else if (len - done >= STREAM_BUFSIZE) {
            /* Large request: skip the copy through our buffer. */
            if ((n = stream_raw_read(sp, cp + done, len - done)) <= 0)
                break;
        } else if ((n = stream_fill(sp)) <= 0) {
            break;
        } else {
            continue;
        }
        done += n;
    }
    if (done == 0 && (sp->flags & STREAM_FLAG_BAD))
        return -1;
    return done;
}

/* stream_get_delim - append bytes through delim, at most limit (0: no
 * limit); the last byte appended, or EOF if none */
int
stream_get_delim(STREAM *sp, BUF *bp, int delim, size_t limit)
{
    size_t  done = 0;
    size_t  avail, take;
    char   *hit;

    for (;;) {
        if (sp->rpos >= sp->rlen && stream_fill(sp) <= 0)
            break;
        avail = sp->rlen - sp->rpos;
        take = (limit && avail > limit - done) ? limit - done : avail;
        hit = memchr(sp->rbuf + sp->rpos, delim, take);
        if (hit)
            take = hit - (sp->rbuf + sp->rpos) + 1;
        buf_append(bp, sp->rbuf + sp->rpos, take);
        sp->rpos += take;
        done += take;
        if (hit || (limit && done >= limit))
            break;
    }
    return done ? (unsigned char) buf_str(bp)[buf_len(bp) - 1] : EOF;
}

/* stream_get_line - append a line (through '\n', at most limit bytes) */
int
stream_get_line(STREAM *sp, BUF *bp, size_t limit)
{
    return stream_get_delim(sp, bp, '\n', limit);
}

/* stream_buffered - input bytes that can be read without a system call */
size_t
stream_buffered(const STREAM *sp)
{
    return sp->rlen - sp->rpos;
}

/* stream_raw_write - send all of buf with the write function; 0 or -1 */
static int
stream_raw_write(STREAM *sp, const char *buf, size_t len)
{
    ssize_t n;
    int     limit;

    while (len > 0) {
        if (sp->flags & STREAM_FLAG_BAD)
            return -1;
        if ((limit = stream_limit_ms(sp)) == -2) {
            errno = ETIMEDOUT;
            stream_fail(sp);
            return -1;
        }
        n = sp->write_fn(sp->fd, buf, len, limit, sp->io_ctx);
        sp->flags |= STREAM_FLAG_WROTE;
        if (n > 0) {
            buf += n;
            len -= n;
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            if (n == 0)
                errno = EIO;
            stream_fail(sp);
            return -1;
        }
    }
    return 0;
}

/* stream_flush - send the write buffer; 0 or -1 */
int
stream_flush(STREAM *sp)
{
    int     status;

    if (sp->flags & STREAM_FLAG_BAD)
        return -1;
    if (sp->wlen == 0)
        return 0;
    status = stream_raw_write(sp, sp->wbuf, sp->wlen);
    sp->wlen = 0;
    return status;
}

/* stream_write - buffer len bytes, sending when the buffer fills */
int
stream_write(STREAM *sp, const void *buf, size_t len)
{
    if (sp->flags & STREAM_FLAG_BAD)
        return -1;
    if (sp->wbuf == NULL)
        sp->wbuf = mymalloc(STREAM_BUFSIZE);
    if (len > STREAM_BUFSIZE - sp->wlen) {
        if (stream_flush(sp) < 0)
            return -1;
        if (len >= STREAM_BUFSIZE)
            return stream_raw_write(sp, buf, len);
    }
    memcpy(sp->wbuf + sp->wlen, buf, len);
    sp->wlen += len;
    return 0;
}

/* stream_puts - buffer a string (no newline is added) */
int
stream_puts(STREAM *sp, const char *str)
{
    return stream_write(sp, str, strlen(str));
}

/* stream_putc - buffer one byte */
int
stream_putc(STREAM *sp, int ch)
{
    char    c = (char) ch;

    if (sp->wbuf && sp->wlen < STREAM_BUFSIZE
        && (sp->flags & STREAM_FLAG_BAD) == 0) {
        sp->wbuf[sp->wlen++] = c;
        return 0;
    }
    return stream_write(sp, &c, 1);
}

/* stream_printf - buffer formatted text */
int
stream_printf(STREAM *sp, const char *fmt, ...)
{
    char    small[512];
    va_list ap;
    int     len, status;
    char   *big;

    va_start(ap, fmt);
    len = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (len < 0)
        msg_panic("stream_printf: bad format \"%s\"", fmt);
    if ((size_t) len < sizeof(small))
        return stream_write(sp, small, len);
    big = mymalloc((size_t) len + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t) len + 1, fmt, ap);
    va_end(ap);
    status = stream_write(sp, big, len);
    myfree(big);
    return status;
}

/* stream_eof - true after a read hit the end of the input */
bool
stream_eof(const STREAM *sp)
{
    return (sp->flags & STREAM_FLAG_EOF) != 0;
}

/* stream_error - true after an I/O error or a timeout */
bool
stream_error(const STREAM *sp)
{
    return (sp->flags & STREAM_FLAG_BAD) != 0;
}

/* stream_timedout - true after an operation ran out of time */
bool
stream_timedout(const STREAM *sp)
{
    return (sp->flags & STREAM_FLAG_TIMEOUT) != 0;
}

/* stream_clearerr - forget error, timeout and end-of-file */
void
stream_clearerr(STREAM *sp)
{
    sp->flags = 0;
}
