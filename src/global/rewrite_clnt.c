/* rewrite_clnt - the client side of trivial-rewrite's "rewrite" request,
 * and the connection (REWRITE_CONN) that every trivial-rewrite client
 * shares. See rewrite_clnt.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "buf.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "rewrite_clnt.h"
#include "sock.h"
#include "stream.h"

struct REWRITE_CONN {
    char   *path;
    int     timeout;
    STREAM *sp;                         /* NULL: not connected */
    BUF    *proto;                      /* greeting scratch */
};

struct REWRITE_CLNT {
    REWRITE_CONN *conn;
    const char *rule;                   /* the request being asked */
    const char *addr;
    BUF    *last_rule;                  /* the last request and answer */
    BUF    *last_addr;
    BUF    *last_result;
    bool    have_last;
    BUF    *quoted;                     /* internal <-> external scratch */
    BUF    *answer;
};

/* rewrite_conn_create - a connection, not yet opened */
REWRITE_CONN *
rewrite_conn_create(const char *path, int timeout)
{
    REWRITE_CONN *conn = mymalloc(sizeof(*conn));

    conn->path = mystrdup(path);
    conn->timeout = timeout > 0 ? timeout : 1;
    conn->sp = NULL;
    conn->proto = buf_alloc(32);
    return conn;
}

/* rewrite_conn_disconnect - drop the connection */
static void
rewrite_conn_disconnect(REWRITE_CONN *conn)
{
    if (conn->sp != NULL) {
        (void) stream_close(conn->sp);
        conn->sp = NULL;
    }
}

/* rewrite_conn_connect - connect and check the greeting; 0 or -1 */
static int
rewrite_conn_connect(REWRITE_CONN *conn, BUF *why)
{
    int     fd;

    if ((fd = unix_connect(conn->path, conn->timeout, why)) < 0)
        return -1;
    conn->sp = stream_fdopen(fd);
    stream_set_timeout(conn->sp, conn->timeout);
    if (attr_scan(conn->sp, ATTR_FLAG_NONE,
                  RECV_ATTR_STR(REWRITE_ATTR_PROTOCOL, conn->proto),
                  ATTR_TYPE_END) != 1
        || strcmp(buf_str(conn->proto), REWRITE_PROTOCOL) != 0) {
        buf_sprintf(why, "%s: no %s greeting", conn->path, REWRITE_PROTOCOL);
        rewrite_conn_disconnect(conn);
        return -1;
    }
    return 0;
}

/* rewrite_conn_request - see rewrite_clnt.h */
int
rewrite_conn_request(REWRITE_CONN *conn, REWRITE_CONN_ASK ask, void *ctx,
                     const char *what, BUF *why)
{
    time_t  deadline = time(NULL) + conn->timeout;

    for (int attempt = 0; /* until done or past the deadline */ ; attempt++) {
        if (conn->sp != NULL || rewrite_conn_connect(conn, why) == 0) {
            if (ask(conn->sp, ctx) == 0)
                return 0;
            buf_sprintf(why, "%s: lost connection during %s request",
                        conn->path, what);
            rewrite_conn_disconnect(conn);
        }
        if (time(NULL) >= deadline)
            return -1;
        if (attempt > 0)                /* the first retry is immediate */
            sleep(1);
    }
}

/* rewrite_conn_free - close and free */
void
rewrite_conn_free(REWRITE_CONN *conn)
{
    rewrite_conn_disconnect(conn);
    myfree(conn->path);
    buf_free(conn->proto);
    myfree(conn);
}

/* rewrite_clnt_create - a client, not yet connected */
REWRITE_CLNT *
rewrite_clnt_create(const char *path, int timeout)
{
    REWRITE_CLNT *rc = mymalloc(sizeof(*rc));

    rc->conn = rewrite_conn_create(path, timeout);
    rc->last_rule = buf_alloc(16);
    rc->last_addr = buf_alloc(100);
    rc->last_result = buf_alloc(100);
    rc->have_last = false;
    rc->quoted = buf_alloc(100);
    rc->answer = buf_alloc(100);
    return rc;
}

/* rewrite_clnt_ask - one rewrite request on an open connection */
static int
rewrite_clnt_ask(STREAM *sp, void *ctx)
{
    REWRITE_CLNT *rc = ctx;
    int     flags;

    if (attr_print(sp, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(REWRITE_ATTR_REQUEST, REWRITE_REQ_REWRITE),
                   SEND_ATTR_STR(REWRITE_ATTR_RULE, rc->rule),
                   SEND_ATTR_STR(REWRITE_ATTR_ADDR, rc->addr),
                   ATTR_TYPE_END) < 0
        || attr_scan(sp, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(REWRITE_ATTR_FLAGS, &flags),
                     RECV_ATTR_STR(REWRITE_ATTR_ADDR, rc->answer),
                     ATTR_TYPE_END) != 2)
        return -1;
    return 0;
}

/* rewrite_clnt_external - see rewrite_clnt.h */
int
rewrite_clnt_external(REWRITE_CLNT *rc, const char *rule, const char *addr,
                      BUF *result, BUF *why)
{
    if (rc->have_last && strcmp(buf_str(rc->last_rule), rule) == 0
        && strcmp(buf_str(rc->last_addr), addr) == 0) {
        buf_strcpy(result, buf_str(rc->last_result));
        return 0;
    }
    rc->rule = rule;
    rc->addr = addr;
    if (rewrite_conn_request(rc->conn, rewrite_clnt_ask, rc,
                             REWRITE_REQ_REWRITE, why) < 0)
        return -1;
    buf_strcpy(rc->last_rule, rule);
    buf_strcpy(rc->last_addr, addr);
    buf_strcpy(rc->last_result, buf_str(rc->answer));
    rc->have_last = true;
    buf_strcpy(result, buf_str(rc->answer));
    return 0;
}

/* rewrite_clnt_internal - see rewrite_clnt.h */
int
rewrite_clnt_internal(REWRITE_CLNT *rc, const char *rule, const char *addr,
                      BUF *result, BUF *why)
{
    quote_822_local(rc->quoted, addr);
    if (rewrite_clnt_external(rc, rule, buf_str(rc->quoted), result,
                              why) < 0)
        return -1;
    buf_strcpy(rc->quoted, buf_str(result));
    unquote_822_local(result, buf_str(rc->quoted));
    return 0;
}

/* rewrite_clnt_free - close and free */
void
rewrite_clnt_free(REWRITE_CLNT *rc)
{
    rewrite_conn_free(rc->conn);
    buf_free(rc->last_rule);
    buf_free(rc->last_addr);
    buf_free(rc->last_result);
    buf_free(rc->quoted);
    buf_free(rc->answer);
    myfree(rc);
}
