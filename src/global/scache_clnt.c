/* scache_clnt - the client side of the connection cache protocol, and
 * (descriptors travel with fd_pass.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attr.h"
#include "fd_pass.h"
#include "mymalloc.h"
#include "scache_clnt.h"
#include "sock.h"

struct SCACHE_CLNT {
    char   *path;
    int     timeout;
    STREAM *stream;                     /* NULL: not connected */
    BUF    *text;                       /* scratch for greeting, dummy */
};

/* scache_clnt_create - a client; connects on first use */
SCACHE_CLNT *
scache_clnt_create(const char *path, int timeout)
{
    SCACHE_CLNT *clnt = mymalloc(sizeof(*clnt));

    clnt->path = mystrdup(path);
    clnt->timeout = timeout;
    clnt->stream = NULL;
    clnt->text = buf_alloc(50);
    return clnt;
}

/* scache_clnt_close - drop the connection */
static void
scache_clnt_close(SCACHE_CLNT *clnt)
{
    if (clnt->stream)
        (void) stream_close(clnt->stream);
    clnt->stream = NULL;
}

/* scache_clnt_free - close and free */
void
scache_clnt_free(SCACHE_CLNT *clnt)
{
    scache_clnt_close(clnt);
    myfree(clnt->path);
    buf_free(clnt->text);
    myfree(clnt);
}

/* scache_clnt_fail - the reason, drop the connection; always -1 */
static int
scache_clnt_fail(SCACHE_CLNT *clnt, BUF *why)
{
    buf_sprintf(why, "problem talking to service %s: %s", clnt->path,
                clnt->stream && stream_timedout(clnt->stream) ?
                "timeout" : "lost connection or protocol error");
    scache_clnt_close(clnt);
    return -1;
}

/* scache_clnt_error - the same for the find functions: SCACHE_ERROR */
static int
scache_clnt_error(SCACHE_CLNT *clnt, BUF *why)
{
    (void) scache_clnt_fail(clnt, why);
    return SCACHE_ERROR;
}

/* scache_clnt_open - connected, greeting checked; 0 or -1 with why */
static int
scache_clnt_open(SCACHE_CLNT *clnt, BUF *why)
{
    int     fd;

    if (clnt->stream)
        return 0;
    if ((fd = unix_connect(clnt->path, clnt->timeout, why)) < 0)
        return -1;
    clnt->stream = stream_fdopen(fd);
    stream_set_timeout(clnt->stream, clnt->timeout);
    if (attr_scan(clnt->stream, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(SCACHE_ATTR_PROTOCOL, clnt->text),
                  ATTR_TYPE_END) != 1
        || strcmp(buf_str(clnt->text), SCACHE_PROTOCOL) != 0)
        return scache_clnt_fail(clnt, why);
    return 0;
}

/* scache_clnt_take_fd - after a "found": dummy, descriptor, dummy (as
 * Postfix on Linux); the descriptor or SCACHE_ERROR */
static int
scache_clnt_take_fd(SCACHE_CLNT *clnt, BUF *why)
{
    int     fd;

    if (attr_print(clnt->stream, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(SCACHE_ATTR_DUMMY, ""), ATTR_TYPE_END) < 0
        || (fd = fd_pass_recv(stream_fd(clnt->stream), clnt->timeout,
                                NULL)) < 0)
        return scache_clnt_error(clnt, why);
    if (attr_print(clnt->stream, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(SCACHE_ATTR_DUMMY, ""), ATTR_TYPE_END) < 0) {
        (void) close(fd);
        return scache_clnt_error(clnt, why);
    }
    return fd;
}

/* scache_clnt_find_dest - a session for a destination (scache_clnt.h) */
int
scache_clnt_find_dest(SCACHE_CLNT *clnt, const char *dest_label,
                      BUF *dest_prop, BUF *endp_prop, BUF *why)
{
    int     status;

    if (scache_clnt_open(clnt, why) < 0)
        return SCACHE_ERROR;
    if (attr_print(clnt->stream, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(SCACHE_ATTR_REQ, SCACHE_REQ_FIND_DEST),
                   SEND_ATTR_STR(SCACHE_ATTR_LABEL, dest_label),
                   ATTR_TYPE_END) < 0
        || attr_scan(clnt->stream, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(SCACHE_ATTR_STATUS, &status),
                     RECV_ATTR_STR(SCACHE_ATTR_PROP, dest_prop),
                     RECV_ATTR_STR(SCACHE_ATTR_PROP, endp_prop),
                     ATTR_TYPE_END) != 3)
        return scache_clnt_error(clnt, why);
    if (status != SCACHE_STAT_OK)
        return SCACHE_NOTFOUND;
    return scache_clnt_take_fd(clnt, why);
}

/* scache_clnt_find_endp - a session for an endpoint (scache_clnt.h) */
int
scache_clnt_find_endp(SCACHE_CLNT *clnt, const char *endp_label,
                      BUF *endp_prop, BUF *why)
{
    int     status;

    if (scache_clnt_open(clnt, why) < 0)
        return SCACHE_ERROR;
    if (attr_print(clnt->stream, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(SCACHE_ATTR_REQ, SCACHE_REQ_FIND_ENDP),
                   SEND_ATTR_STR(SCACHE_ATTR_LABEL, endp_label),
                   ATTR_TYPE_END) < 0
        || attr_scan(clnt->stream, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(SCACHE_ATTR_STATUS, &status),
                     RECV_ATTR_STR(SCACHE_ATTR_PROP, endp_prop),
                     ATTR_TYPE_END) != 2)
        return scache_clnt_error(clnt, why);
    if (status != SCACHE_STAT_OK)
        return SCACHE_NOTFOUND;
    return scache_clnt_take_fd(clnt, why);
}

/* scache_clnt_save_dest - destination to endpoint (scache_clnt.h) */
int
scache_clnt_save_dest(SCACHE_CLNT *clnt, int ttl, const char *dest_label,
                      const char *dest_prop, const char *endp_label,
                      BUF *why)
{
    int     status;

    if (scache_clnt_open(clnt, why) < 0)
        return -1;
    if (attr_print(clnt->stream, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(SCACHE_ATTR_REQ, SCACHE_REQ_SAVE_DEST),
                   SEND_ATTR_INT(SCACHE_ATTR_TTL, ttl),
                   SEND_ATTR_STR(SCACHE_ATTR_LABEL, dest_label),
                   SEND_ATTR_STR(SCACHE_ATTR_PROP, dest_prop),
                   SEND_ATTR_STR(SCACHE_ATTR_LABEL, endp_label),
                   ATTR_TYPE_END) < 0
        || attr_scan(clnt->stream, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(SCACHE_ATTR_STATUS, &status),
                     ATTR_TYPE_END) != 1)
        return scache_clnt_fail(clnt, why);
    if (status != SCACHE_STAT_OK) {
        buf_sprintf(why, "%s: destination save failed with status %d",
                    clnt->path, status);
        return -1;
    }
    return 0;
}

/* scache_clnt_save_endp - hand a session over (scache_clnt.h) */
int
scache_clnt_save_endp(SCACHE_CLNT *clnt, int ttl, const char *endp_label,
                      const char *endp_prop, int fd, BUF *why)
{
    int     status = -1;
    int     ret = -1;

    if (scache_clnt_open(clnt, why) < 0) {
        (void) close(fd);
        return -1;
    }
    if (attr_print(clnt->stream, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(SCACHE_ATTR_REQ, SCACHE_REQ_SAVE_ENDP),
                   SEND_ATTR_INT(SCACHE_ATTR_TTL, ttl),
                   SEND_ATTR_STR(SCACHE_ATTR_LABEL, endp_label),
                   SEND_ATTR_STR(SCACHE_ATTR_PROP, endp_prop),
                   ATTR_TYPE_END) < 0
        || attr_scan(clnt->stream, ATTR_FLAG_STRICT,
                     RECV_ATTR_STR(SCACHE_ATTR_DUMMY, clnt->text),
                     ATTR_TYPE_END) != 1
        || fd_pass_send(stream_fd(clnt->stream), fd, 0) < 0
        || attr_scan(clnt->stream, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(SCACHE_ATTR_STATUS, &status),
                     ATTR_TYPE_END) != 1)
        (void) scache_clnt_fail(clnt, why);
    else if (status != SCACHE_STAT_OK)
        buf_sprintf(why, "%s: descriptor save failed with status %d",
                    clnt->path, status);
    else
        ret = 0;
    (void) close(fd);
    return ret;
}
