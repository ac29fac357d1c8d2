/* deliver_pass - one recipient to another transport's agent (see
 * deliver_pass.h).
 *
 * Model: Debian's Postfix 3.7 local with mailbox_transport and
 * fallback_transport set to discard, error, retry and a pipe(8) service,
 * observed under strace (docs/local.md): local logs "passing <ADDR> to
 * transport=NAME", connects to private/NAME, and sends qmgr's request
 * again with the next-hop of "NAME:NEXTHOP" (or the request's own
 * next-hop) and the one recipient, its offset -1
 * ("18446744073709551615"); the other agent logs the recipient and
 * records it with the status services; local reads the reply. A reply
 * "0" finishes the recipient, anything else leaves it deferred (the other
 * agent has logged the deferral).
 *
 * Where Postern differs: Postfix retries the connection every 10
 * seconds and exits after the eleventh failure (the whole request is
 * then deferred by qmgr as "unknown mail transport error"); here the
 * connection is tried once and the caller defers the recipient at once.
 * The transport name may not contain '/' or start with '.', so that it
 * cannot name a socket outside private/. */
#include <string.h>

#include "deliver_pass.h"
#include "mail_params.h"
#include "msg.h"
#include "sock.h"

/* deliver_pass_split - transport and next-hop of a service */
int
deliver_pass_split(const char *service, const char *def_nexthop,
                   BUF *transport, BUF *nexthop, BUF *why)
{
    const char *colon = strchr(service, ':');
    size_t  len = colon ? (size_t) (colon - service) : strlen(service);

    buf_reset(transport);
    buf_append(transport, service, len);
    buf_strcpy(nexthop, colon && colon[1] ? colon + 1 : def_nexthop);
    if (len == 0 || *service == '.' || memchr(service, '/', len) != NULL) {
        buf_sprintf(why, "malformed transport name in \"%.100s\"", service);
        return -1;
    }
    return 0;
}

/* deliver_pass_exchange - greeting, request, reply over one connection;
 * a DELIVER_PASS_* result */
static int
deliver_pass_exchange(STREAM *sp, const DELIVER_REQUEST *req,
                      const char *path, BUF *why)
{
    DELIVER_REPLY reply;
    int     status;

    memset(&reply, 0, sizeof(reply));   /* no DSN parts wanted */
    stream_set_timeout(sp, var_ipc_timeout);
    if (deliver_request_send(sp, req, why) < 0) {
        buf_sprintf_append(why, " (%s)", path);
        return DELIVER_PASS_UNKNOWN;
    }
    stream_set_timeout(sp, var_daemon_timeout);
    if (deliver_reply_read(sp, &reply, &status, why) < 0) {
        buf_sprintf_append(why, " (%s)", path);
        return DELIVER_PASS_UNKNOWN;
    }
    return status == DELIVER_STAT_OK ? DELIVER_PASS_OK : DELIVER_PASS_DEFER;
}

/* deliver_pass - hand one recipient to another transport's agent */
int
deliver_pass(const char *service, const DELIVER_REQUEST *req,
             const RECIPIENT *rcpt, BUF *why)
{
    BUF    *transport = buf_alloc(20);
    BUF    *nexthop = buf_alloc(50);
    BUF    *path = buf_alloc(50);
    DELIVER_REQUEST pass = *req;
    RECIPIENT one = *rcpt;
    int     result = DELIVER_PASS_UNKNOWN;
    int     fd;

    buf_reset(why);
    if (deliver_pass_split(service, req->nexthop, transport, nexthop,
                           why) == 0) {
        msg_info("%s: passing <%s> to transport=%s", req->queue_id,
                 rcpt->address, buf_str(transport));
        buf_sprintf(path, "private/%s", buf_str(transport));
        one.offset = DELIVER_OFFSET_NONE;
        pass.nexthop = buf_str(nexthop);
        pass.rcpt = &one;
        pass.rcpt_count = 1;
        if ((fd = unix_connect(buf_str(path), var_ipc_timeout, why)) >= 0) {
            STREAM *sp = stream_fdopen(fd);

            result = deliver_pass_exchange(sp, &pass, buf_str(path), why);
            (void) stream_close(sp);
        }
    }
    buf_free(transport);
    buf_free(nexthop);
    buf_free(path);
    return result;
}
