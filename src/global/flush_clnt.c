/* flush_clnt - send one request to the fast flush service. See
 * flush_clnt.h.
 *
 * Model: postqueue -s and -i of Debian's Postfix 3.7 (strace): connect,
 * read the greeting, write the request, read the status, close. Any
 * failure on the way is FLUSH_STAT_FAIL with a reason. */
#include <string.h>

#include "attr.h"
#include "flush_clnt.h"
#include "sock.h"
#include "stream.h"

#define FLUSH_ATTR_PROTOCOL     "protocol"
#define FLUSH_ATTR_REQ          "request"
#define FLUSH_ATTR_SITE         "site"
#define FLUSH_ATTR_QUEUEID      "queue_id"
#define FLUSH_ATTR_STATUS       "status"

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

/* flush_clnt_request - one request: name=value after request=req */
static int
flush_clnt_request(const char *path, const char *req, const char *name,
                   const char *value, int timeout, BUF *why)
{
    STREAM *sp;
    int     fd;
    int     status = FLUSH_STAT_FAIL;

    if ((fd = unix_connect(path, timeout, why)) < 0)
        return FLUSH_STAT_FAIL;
    sp = stream_fdopen(fd);
    stream_set_timeout(sp, timeout);
    if (flush_clnt_greeting(sp) < 0
        || attr_print(sp, ATTR_FLAG_NONE,
                      SEND_ATTR_STR(FLUSH_ATTR_REQ, req),
                      SEND_ATTR_STR(name, value), ATTR_TYPE_END) < 0
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

/* flush_send_site - deliver the mail queued for site */
int
flush_send_site(const char *path, const char *site, int timeout, BUF *why)
{
    return flush_clnt_request(path, FLUSH_REQ_SEND_SITE, FLUSH_ATTR_SITE,
                              site, timeout, why);
}

/* flush_send_file - deliver the message with this queue id */
int
flush_send_file(const char *path, const char *queue_id, int timeout,
                BUF *why)
{
    return flush_clnt_request(path, FLUSH_REQ_SEND_FILE, FLUSH_ATTR_QUEUEID,
                              queue_id, timeout, why);
}
