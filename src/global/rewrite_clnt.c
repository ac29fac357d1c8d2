/* rewrite_clnt - the client side of trivial-rewrite's "rewrite" request.
 * See rewrite_clnt.h. */
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

struct REWRITE_CLNT {
    char   *path;
    int     timeout;
    STREAM *sp;                         /* NULL: not connected */
    BUF    *proto;                      /* greeting scratch */
    BUF    *last_rule;                  /* the last request and answer */
    BUF    *last_addr;
    BUF    *last_result;
    bool    have_last;
    BUF    *quoted;                     /* internal <-> external scratch */
    BUF    *answer;
};

/* rewrite_clnt_create - a client, not yet connected */
REWRITE_CLNT *
rewrite_clnt_create(const char *path, int timeout)
{
    REWRITE_CLNT *rc = mymalloc(sizeof(*rc));

    rc->path = mystrdup(path);
    rc->timeout = timeout > 0 ? timeout : 1;
    rc->sp = NULL;
    rc->proto = buf_alloc(32);
    rc->last_rule = buf_alloc(16);
    rc->last_addr = buf_alloc(100);
    rc->last_result = buf_alloc(100);
    rc->have_last = false;
    rc->quoted = buf_alloc(100);
    rc->answer = buf_alloc(100);
    return rc;
}

/* rewrite_clnt_disconnect - drop the connection */
static void
rewrite_clnt_disconnect(REWRITE_CLNT *rc)
{
    if (rc->sp != NULL) {
        (void) stream_close(rc->sp);
        rc->sp = NULL;
    }
}

/* rewrite_clnt_connect - connect and check the greeting; 0 or -1 */
static int
rewrite_clnt_connect(REWRITE_CLNT *rc, BUF *why)
{
    int     fd;

    if ((fd = unix_connect(rc->path, rc->timeout, why)) < 0)
        return -1;
    rc->sp = stream_fdopen(fd);
    stream_set_timeout(rc->sp, rc->timeout);
    if (attr_scan(rc->sp, ATTR_FLAG_NONE,
                  RECV_ATTR_STR(REWRITE_ATTR_PROTOCOL, rc->proto),
                  ATTR_TYPE_END) != 1
        || strcmp(buf_str(rc->proto), REWRITE_PROTOCOL) != 0) {
        buf_sprintf(why, "%s: no %s greeting", rc->path, REWRITE_PROTOCOL);
        rewrite_clnt_disconnect(rc);
        return -1;
    }
    return 0;
}

/* rewrite_clnt_ask - one request on the open connection; 0 or -1 */
static int
rewrite_clnt_ask(REWRITE_CLNT *rc, const char *rule, const char *addr,
                 BUF *why)
{
    int     flags;

    if (attr_print(rc->sp, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(REWRITE_ATTR_REQUEST, REWRITE_REQ_REWRITE),
                   SEND_ATTR_STR(REWRITE_ATTR_RULE, rule),
                   SEND_ATTR_STR(REWRITE_ATTR_ADDR, addr),
                   ATTR_TYPE_END) < 0
        || attr_scan(rc->sp, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(REWRITE_ATTR_FLAGS, &flags),
                     RECV_ATTR_STR(REWRITE_ATTR_ADDR, rc->answer),
                     ATTR_TYPE_END) != 2) {
        buf_sprintf(why, "%s: lost connection during rewrite request",
                    rc->path);
        rewrite_clnt_disconnect(rc);
        return -1;
    }
    return 0;
}

/* rewrite_clnt_external - see rewrite_clnt.h */
int
rewrite_clnt_external(REWRITE_CLNT *rc, const char *rule, const char *addr,
                      BUF *result, BUF *why)
{
    time_t  deadline = time(NULL) + rc->timeout;
    int     attempt;

    if (rc->have_last && strcmp(buf_str(rc->last_rule), rule) == 0
        && strcmp(buf_str(rc->last_addr), addr) == 0) {
        buf_strcpy(result, buf_str(rc->last_result));
        return 0;
    }
    for (attempt = 0; /* until done or past the deadline */ ; attempt++) {
        if ((rc->sp != NULL || rewrite_clnt_connect(rc, why) == 0)
            && rewrite_clnt_ask(rc, rule, addr, why) == 0)
            break;
        if (time(NULL) >= deadline)
            return -1;
        if (attempt > 0)                /* the first retry is immediate */
            sleep(1);
    }
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
    rewrite_clnt_disconnect(rc);
    myfree(rc->path);
    buf_free(rc->proto);
    buf_free(rc->last_rule);
    buf_free(rc->last_addr);
    buf_free(rc->last_result);
    buf_free(rc->quoted);
    buf_free(rc->answer);
    myfree(rc);
}
