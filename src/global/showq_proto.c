/* showq_proto - write and read the showq listing. See showq_proto.h.
 *
 * Model: the bytes Postfix 3.7's showq wrote and its postqueue read
 * (strace, docs/queue-tools.md). The reader is strict about the order of the
 * attributes, as the protocol has no optional ones. */
#include <string.h>

#include "attr.h"
#include "mymalloc.h"
#include "showq_proto.h"

#define SHOWQ_HEAD_COUNT        6       /* queue_name .. sender */
#define SHOWQ_RCPT_COUNT        2       /* recipient, reason */

/* showq_msg_create - an empty message */
SHOWQ_MSG *
showq_msg_create(void)
{
    SHOWQ_MSG *msg = mycalloc(1, sizeof(*msg));

    msg->queue = buf_alloc(16);
    msg->id = buf_alloc(32);
    msg->sender = buf_alloc(64);
    return msg;
}

/* showq_msg_reset - forget the previous message's contents */
void
showq_msg_reset(SHOWQ_MSG *msg)
{
    for (size_t i = 0; i < msg->rcpt_count; i++) {
        myfree(msg->rcpt[i].address);
        myfree(msg->rcpt[i].reason);
    }
    msg->rcpt_count = 0;
    buf_reset(msg->queue);
    buf_reset(msg->id);
    buf_reset(msg->sender);
    msg->time = 0;
    msg->size = 0;
    msg->forced_expire = false;
}

/* showq_msg_add_rcpt - append a recipient */
void
showq_msg_add_rcpt(SHOWQ_MSG *msg, const char *address, const char *reason)
{
    if (msg->rcpt_count == msg->rcpt_alloc) {
        msg->rcpt_alloc = msg->rcpt_alloc ? 2 * msg->rcpt_alloc : 8;
        msg->rcpt = myreallocarray(msg->rcpt, msg->rcpt_alloc,
                                   sizeof(*msg->rcpt));
    }
    msg->rcpt[msg->rcpt_count].address = mystrdup(address);
    msg->rcpt[msg->rcpt_count].reason = mystrdup(reason);
    msg->rcpt_count++;
}

/* showq_msg_free - release a message */
void
showq_msg_free(SHOWQ_MSG *msg)
{
    showq_msg_reset(msg);
    myfree(msg->rcpt);
    buf_free(msg->queue);
    buf_free(msg->id);
    buf_free(msg->sender);
    myfree(msg);
}

/* showq_send_greeting - the server's first message */
int
showq_send_greeting(STREAM *sp)
{
    return attr_print(sp, ATTR_FLAG_NONE,
                      SEND_ATTR_STR(SHOWQ_ATTR_PROTOCOL, SHOWQ_PROTOCOL),
                      ATTR_TYPE_END);
}

/* showq_send_msg - one queue file */
int
showq_send_msg(STREAM *sp, const SHOWQ_MSG *msg)
{
    if (attr_print(sp, ATTR_FLAG_MORE,
                   SEND_ATTR_STR(SHOWQ_ATTR_QUEUE, buf_str(msg->queue)),
                   SEND_ATTR_STR(SHOWQ_ATTR_ID, buf_str(msg->id)),
                   SEND_ATTR_LONG(SHOWQ_ATTR_TIME, msg->time),
                   SEND_ATTR_LONG(SHOWQ_ATTR_SIZE, msg->size),
                   SEND_ATTR_INT(SHOWQ_ATTR_EXPIRE, msg->forced_expire),
                   SEND_ATTR_STR(SHOWQ_ATTR_SENDER, buf_str(msg->sender)),
                   ATTR_TYPE_END) < 0)
        return -1;
    for (size_t i = 0; i < msg->rcpt_count; i++)
        if (attr_print(sp, ATTR_FLAG_MORE,
                       SEND_ATTR_STR(SHOWQ_ATTR_RCPT, msg->rcpt[i].address),
                       SEND_ATTR_STR(SHOWQ_ATTR_REASON, msg->rcpt[i].reason),
                       ATTR_TYPE_END) < 0)
            return -1;
    return attr_print(sp, ATTR_FLAG_NONE, ATTR_TYPE_END);
}

/* showq_send_end - the empty message that ends the listing */
int
showq_send_end(STREAM *sp)
{
    return attr_print(sp, ATTR_FLAG_NONE, ATTR_TYPE_END);
}

/* showq_read_greeting - check the server's greeting */
int
showq_read_greeting(STREAM *sp, BUF *why)
{
    BUF    *proto = buf_alloc(32);
    int     ok;

    ok = attr_scan(sp, ATTR_FLAG_STRICT,
                   RECV_ATTR_STR(SHOWQ_ATTR_PROTOCOL, proto),
                   ATTR_TYPE_END) == 1
        && strcmp(buf_str(proto), SHOWQ_PROTOCOL) == 0;
    if (!ok)
        buf_strcpy(why, "malformed showq server greeting");
    buf_free(proto);
    return ok ? 0 : -1;
}

/* showq_read_rcpts - the recipients up to the end of the message */
static int
showq_read_rcpts(STREAM *sp, SHOWQ_MSG *msg, BUF *why)
{
    BUF    *addr = buf_alloc(64);
    BUF    *reason = buf_alloc(64);
    int     n;

    while ((n = attr_scan(sp, ATTR_FLAG_MORE,
                          RECV_ATTR_STR(SHOWQ_ATTR_RCPT, addr),
                          RECV_ATTR_STR(SHOWQ_ATTR_REASON, reason),
                          ATTR_TYPE_END)) == SHOWQ_RCPT_COUNT)
        showq_msg_add_rcpt(msg, buf_str(addr), buf_str(reason));
    buf_free(addr);
    buf_free(reason);
    if (n == 0)
        return 1;
    buf_strcpy(why, "malformed showq server response");
    return -1;
}

/* showq_read_msg - the next listed message */
int
showq_read_msg(STREAM *sp, SHOWQ_MSG *msg, BUF *why)
{
    int     expire = 0;
    int     n;

    showq_msg_reset(msg);
    n = attr_scan(sp, ATTR_FLAG_MORE,
                  RECV_ATTR_STR(SHOWQ_ATTR_QUEUE, msg->queue),
                  RECV_ATTR_STR(SHOWQ_ATTR_ID, msg->id),
                  RECV_ATTR_LONG(SHOWQ_ATTR_TIME, &msg->time),
                  RECV_ATTR_LONG(SHOWQ_ATTR_SIZE, &msg->size),
                  RECV_ATTR_INT(SHOWQ_ATTR_EXPIRE, &expire),
                  RECV_ATTR_STR(SHOWQ_ATTR_SENDER, msg->sender),
                  ATTR_TYPE_END);
    if (n == 0)
        return 0;
    if (n != SHOWQ_HEAD_COUNT) {
        buf_strcpy(why, "malformed showq server response");
        return -1;
    }
    msg->forced_expire = expire != 0;
    return showq_read_rcpts(sp, msg, why);
}
