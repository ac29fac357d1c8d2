/* flush_clnt - send one request to the fast flush service. See
 * flush_clnt.h.
 *
 * Model: postqueue -s and -i and the agents' deferrals in Debian's
 * Postfix 3.7 (strace): connect, read the greeting, write the request,
 * read the status, close. Any failure on the way is FLUSH_STAT_FAIL with
 * a reason. */
#include <string.h>

#include "attr.h"
#include "flush_clnt.h"
#include "sock.h"
#include "stream.h"

/* One attribute of a request after "request"; a NULL name ends a list. */
typedef struct FLUSH_ARG {
    const char *name;
    const char *value;
} FLUSH_ARG;

/* flush_clnt_greeting - read and check the service's greeting */
static int
flush_clnt_greeting(STREAM *sp)
{
    BUF    *proto = buf_alloc(32);
    int     ok;

    ok = attr_scan(sp, ATTR_FLAG_STRICT,
                   RECV_ATTR_STR(FLUSH_ATTR_PROTOCOL, proto),
                   ATTR_TYPE_END) == 1
        && strcmp(buf_str(proto), FLUSH_PROTOCOL) == 0;
    buf_free(proto);
    return ok ? 0 : -1;
}

/* flush_clnt_send - request=req, then the args, then the end marker */
static int
flush_clnt_send(STREAM *sp, const char *req, const FLUSH_ARG *args)
{
    if (attr_print(sp, ATTR_FLAG_MORE, SEND_ATTR_STR(FLUSH_ATTR_REQ, req),
                   ATTR_TYPE_END) < 0)
        return -1;
    for (; args->name != NULL; args++)
        if (attr_print(sp, ATTR_FLAG_MORE,
                       SEND_ATTR_STR(args->name, args->value),
                       ATTR_TYPE_END) < 0)
            return -1;
    return attr_print(sp, ATTR_FLAG_NONE, ATTR_TYPE_END);
}

/* flush_clnt_request - one request with its args; the service's status */
static int
flush_clnt_request(const char *path, const char *req, const FLUSH_ARG *args,
                   int timeout, BUF *why)
{
    STREAM *sp;
    int     fd;
    int     status = FLUSH_STAT_FAIL;

    if ((fd = unix_connect(path, timeout, why)) < 0)
        return FLUSH_STAT_FAIL;
    sp = stream_fdopen(fd);
    stream_set_timeout(sp, timeout);
    if (flush_clnt_greeting(sp) < 0
        || flush_clnt_send(sp, req, args) < 0
        || attr_scan(sp, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(FLUSH_ATTR_STATUS, &status),
                     ATTR_TYPE_END) != 1) {
        buf_sprintf(why, "%s service: %s", path, stream_timedout(sp) ?
                    "timeout" : "lost connection or malformed reply");
        status = FLUSH_STAT_FAIL;
    }
    (void) stream_close(sp);
    return status;
}

/* flush_add - log a deferral of queue_id for site */
int
flush_add(const char *path, const char *site, const char *queue_id,
          int timeout, BUF *why)
{
    const FLUSH_ARG args[] = {
        {FLUSH_ATTR_SITE, site}, {FLUSH_ATTR_QUEUEID, queue_id}, {0, 0},
    };

    return flush_clnt_request(path, FLUSH_REQ_ADD, args, timeout, why);
}

/* flush_send_site - deliver the mail queued for site */
int
flush_send_site(const char *path, const char *site, int timeout, BUF *why)
{
    const FLUSH_ARG args[] = {{FLUSH_ATTR_SITE, site}, {0, 0}};

    return flush_clnt_request(path, FLUSH_REQ_SEND_SITE, args, timeout, why);
}

/* flush_send_file - deliver the message with this queue id */
int
flush_send_file(const char *path, const char *queue_id, int timeout,
                BUF *why)
{
    const FLUSH_ARG args[] = {{FLUSH_ATTR_QUEUEID, queue_id}, {0, 0}};

    return flush_clnt_request(path, FLUSH_REQ_SEND_FILE, args, timeout, why);
}

/* flush_refresh - deliver the mail of logs not used for a while */
int
flush_refresh(const char *path, int timeout, BUF *why)
{
    const FLUSH_ARG args[] = {{0, 0}};

    return flush_clnt_request(path, FLUSH_REQ_REFRESH, args, timeout, why);
}

/* flush_purge - deliver the mail of every log */
int
flush_purge(const char *path, int timeout, BUF *why)
{
    const FLUSH_ARG args[] = {{0, 0}};

    return flush_clnt_request(path, FLUSH_REQ_PURGE, args, timeout, why);
}
