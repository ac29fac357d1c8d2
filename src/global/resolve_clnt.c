/* resolve_clnt - the client side of trivial-rewrite's "resolve" request.
 * See resolve_clnt.h. */
#include "attr.h"
#include "mymalloc.h"
#include "resolve_clnt.h"
#include "rewrite_clnt.h"

struct RESOLVE_CLNT {
    REWRITE_CONN *conn;
    const char *sender;                 /* the request being asked */
    const char *addr;
    RESOLVE_REPLY *reply;
};

/* resolve_clnt_create - a client, not yet connected */
RESOLVE_CLNT *
resolve_clnt_create(const char *path, int timeout)
{
    RESOLVE_CLNT *rc = mymalloc(sizeof(*rc));

    rc->conn = rewrite_conn_create(path, timeout);
    return rc;
}

/* resolve_clnt_ask - one resolve request on an open connection */
static int
resolve_clnt_ask(STREAM *sp, void *ctx)
{
    RESOLVE_CLNT *rc = ctx;
    int     server_flags;

    if (attr_print(sp, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(REWRITE_ATTR_REQUEST, REWRITE_REQ_RESOLVE),
                   SEND_ATTR_STR(REWRITE_ATTR_SENDER, rc->sender),
                   SEND_ATTR_STR(REWRITE_ATTR_ADDR, rc->addr),
                   ATTR_TYPE_END) < 0
        || attr_scan(sp, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(REWRITE_ATTR_FLAGS, &server_flags),
                     RECV_ATTR_STR(REWRITE_ATTR_TRANSPORT,
                                   rc->reply->transport),
                     RECV_ATTR_STR(REWRITE_ATTR_NEXTHOP, rc->reply->nexthop),
                     RECV_ATTR_STR(REWRITE_ATTR_RECIPIENT,
                                   rc->reply->recipient),
                     RECV_ATTR_INT(REWRITE_ATTR_FLAGS, &rc->reply->flags),
                     ATTR_TYPE_END) != 5)
        return -1;
    rc->reply->flags |= server_flags;
    return 0;
}

/* resolve_clnt_query - see resolve_clnt.h */
int
resolve_clnt_query(RESOLVE_CLNT *rc, const char *sender, const char *addr,
                   RESOLVE_REPLY *reply, BUF *why)
{
    rc->sender = sender;
    rc->addr = addr;
    rc->reply = reply;
    return rewrite_conn_request(rc->conn, resolve_clnt_ask, rc,
                                REWRITE_REQ_RESOLVE, why);
}

/* resolve_clnt_free - close and free */
void
resolve_clnt_free(RESOLVE_CLNT *rc)
{
    rewrite_conn_free(rc->conn);
    myfree(rc);
}
