/* deliver_request - both ends of the delivery request protocol (see
 * deliver_request.h and docs/protocols/delivery.md).
 *
 * Model: the bytes Debian's Postfix 3.7 qmgr and agents exchange
 * (../notes/deliver-protocol.md, 1.1-1.5): the agent greets, qmgr sends
 * 23 message attributes ending with recipient_count and then one
 * attribute message per recipient, the agent replies with seven DSN
 * attributes and the status ("0", or -1 written as "4294967295").
 * Everything read from the peer is checked before use; the agent opens
 * the queue file only after the request made sense.
 *
 * The "time" attribute is Postfix's raw dump of five struct timeval on
 * x86-64 plus 8 bytes (88 bytes): the arrival, the entry into the active
 * queue, then zeros. It is encoded and decoded here field by field
 * (64-bit little-endian seconds and microseconds), so Postern's programs
 * and Postfix's understand each other on any host. So is a recipient's
 * offset: the offset -1 of a recipient that local(8) passes to another
 * transport is written as Postfix's local writes it, as an unsigned
 * number ("18446744073709551615"). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver_request.h"
#include "lock_file.h"
#include "mail_queue_id.h"
#include "msg.h"
#include "mymalloc.h"

#define DELIVER_TIME_SIZE       88      /* 5 x (8 + 8) bytes, 8 bytes */
#define DELIVER_TIME_WORD       8

/* The string attributes of a request message, in wire order. */
enum {
    DR_QUEUE_NAME, DR_QUEUE_ID, DR_NEXTHOP, DR_ENCODING, DR_SENDER,
    DR_ENVID, DR_CLIENT_NAME, DR_CLIENT_ADDR, DR_CLIENT_PORT,
    DR_CLIENT_PROTO, DR_CLIENT_HELO, DR_SASL_METHOD, DR_SASL_USERNAME,
    DR_SASL_SENDER, DR_LOG_IDENT, DR_RWR_CONTEXT, DR_STR_COUNT,
};

/* deliver_request_strings - where each string attribute is kept */
static void
deliver_request_strings(DELIVER_REQUEST *req, char **dest[DR_STR_COUNT])
{
    dest[DR_QUEUE_NAME] = &req->queue_name;
    dest[DR_QUEUE_ID] = &req->queue_id;
    dest[DR_NEXTHOP] = &req->nexthop;
    dest[DR_ENCODING] = &req->encoding;
    dest[DR_SENDER] = &req->sender;
    dest[DR_ENVID] = &req->dsn_envid;
    dest[DR_CLIENT_NAME] = &req->client_name;
    dest[DR_CLIENT_ADDR] = &req->client_addr;
    dest[DR_CLIENT_PORT] = &req->client_port;
    dest[DR_CLIENT_PROTO] = &req->client_proto;
    dest[DR_CLIENT_HELO] = &req->client_helo;
    dest[DR_SASL_METHOD] = &req->sasl_method;
    dest[DR_SASL_USERNAME] = &req->sasl_username;
    dest[DR_SASL_SENDER] = &req->sasl_sender;
    dest[DR_LOG_IDENT] = &req->log_ident;
    dest[DR_RWR_CONTEXT] = &req->rewrite_context;
}

/* deliver_time_put - append one timeval as two little-endian words */
static void
deliver_time_put(unsigned char *p, const struct timeval *tv)
{
    unsigned long long words[2] = {
        (unsigned long long) tv->tv_sec, (unsigned long long) tv->tv_usec,
    };

    for (int w = 0; w < 2; w++)
        for (int i = 0; i < DELIVER_TIME_WORD; i++)
            *p++ = (unsigned char) (words[w] >> (8 * i));
}

/* deliver_time_get - one timeval from two little-endian words; 0, or -1
 * when it is not a valid time */
static int
deliver_time_get(const unsigned char *p, struct timeval *tv)
{
    unsigned long long words[2] = {0, 0};

    for (int w = 0; w < 2; w++)
        for (int i = 0; i < DELIVER_TIME_WORD; i++)
            words[w] |= (unsigned long long) *p++ << (8 * i);
    if (words[0] > (unsigned long long) INT64_MAX || words[1] >= 1000000)
        return -1;
    tv->tv_sec = (time_t) words[0];
    tv->tv_usec = (suseconds_t) words[1];
    return 0;
}

/* deliver_request_alloc - an empty request */
static DELIVER_REQUEST *
deliver_request_alloc(void)
{
    DELIVER_REQUEST *req = (DELIVER_REQUEST *) mycalloc(1, sizeof(*req));

    req->fd = -1;
    req->status = DELIVER_STAT_OK;
    return req;
}

/* deliver_request_check - the message attributes make sense; 0, or -1
 * with the reason in why */
static int
deliver_request_check(const DELIVER_REQUEST *req, const BUF *time_blob,
                      BUF *why)
{
    if (!mail_queue_name_ok(req->queue_name))
        buf_sprintf(why, "malformed queue name \"%.100s\"", req->queue_name);
    else if (!mail_queue_id_ok(req->queue_id))
        buf_sprintf(why, "malformed queue id \"%.100s\"", req->queue_id);
    else if (req->data_offset < 0 || req->data_size < 0)
        buf_sprintf(why, "%s: bad content offset %ld or size %ld",
                    req->queue_id, req->data_offset, req->data_size);
    else if (*req->nexthop == 0)
        buf_sprintf(why, "%s: empty nexthop hostname", req->queue_id);
    else if (req->flags < 0 || req->smtputf8 < 0 || req->dsn_ret < 0
             || req->dsn_ret > (DSN_RET_FULL | DSN_RET_HDRS))
        buf_sprintf(why, "%s: bad request flags", req->queue_id);
    else if (buf_len(time_blob) != DELIVER_TIME_SIZE)
        buf_sprintf(why, "%s: malformed time attribute (%zu bytes)",
                    req->queue_id, buf_len(time_blob));
    else
        return 0;
    return -1;
}

/* deliver_request_get_message - read and check the message attributes;
 * the recipient count goes to *count */
static int
deliver_request_get_message(STREAM *client, DELIVER_REQUEST *req,
                            int *count, BUF *why)
{
    BUF    *s[DR_STR_COUNT];
    char  **dest[DR_STR_COUNT];
    BUF    *time_blob = buf_alloc(DELIVER_TIME_SIZE);
    const unsigned char *tp;
    int     got;
    int     ret = -1;

    for (int i = 0; i < DR_STR_COUNT; i++)
        s[i] = buf_alloc(20);
    got = attr_scan(client, ATTR_FLAG_STRICT,
                    RECV_ATTR_INT(DEL_ATTR_FLAGS, &req->flags),
                    RECV_ATTR_STR(DEL_ATTR_QUEUE_NAME, s[DR_QUEUE_NAME]),
                    RECV_ATTR_STR(DEL_ATTR_QUEUE_ID, s[DR_QUEUE_ID]),
                    RECV_ATTR_LONG(DEL_ATTR_OFFSET, &req->data_offset),
                    RECV_ATTR_LONG(DEL_ATTR_SIZE, &req->data_size),
                    RECV_ATTR_STR(DEL_ATTR_NEXTHOP, s[DR_NEXTHOP]),
                    RECV_ATTR_STR(DEL_ATTR_ENCODING, s[DR_ENCODING]),
                    RECV_ATTR_INT(DEL_ATTR_SMTPUTF8, &req->smtputf8),
                    RECV_ATTR_STR(DEL_ATTR_SENDER, s[DR_SENDER]),
                    RECV_ATTR_STR(DEL_ATTR_ENVID, s[DR_ENVID]),
                    RECV_ATTR_INT(DEL_ATTR_RET, &req->dsn_ret),
                    RECV_ATTR_DATA(DEL_ATTR_TIME, time_blob),
                    RECV_ATTR_STR(DEL_ATTR_CLIENT_NAME, s[DR_CLIENT_NAME]),
                    RECV_ATTR_STR(DEL_ATTR_CLIENT_ADDR, s[DR_CLIENT_ADDR]),
                    RECV_ATTR_STR(DEL_ATTR_CLIENT_PORT, s[DR_CLIENT_PORT]),
                    RECV_ATTR_STR(DEL_ATTR_CLIENT_PROTO, s[DR_CLIENT_PROTO]),
                    RECV_ATTR_STR(DEL_ATTR_CLIENT_HELO, s[DR_CLIENT_HELO]),
                    RECV_ATTR_STR(DEL_ATTR_SASL_METHOD, s[DR_SASL_METHOD]),
                    RECV_ATTR_STR(DEL_ATTR_SASL_USERNAME,
                                  s[DR_SASL_USERNAME]),
                    RECV_ATTR_STR(DEL_ATTR_SASL_SENDER, s[DR_SASL_SENDER]),
                    RECV_ATTR_STR(DEL_ATTR_LOG_IDENT, s[DR_LOG_IDENT]),
                    RECV_ATTR_STR(DEL_ATTR_RWR_CONTEXT, s[DR_RWR_CONTEXT]),
                    RECV_ATTR_INT(DEL_ATTR_RCPT_COUNT, count),
                    ATTR_TYPE_END);
    deliver_request_strings(req, dest);
    for (int i = 0; i < DR_STR_COUNT; i++)
        *dest[i] = buf_export(s[i]);
    if (got != 23) {
        buf_strcpy(why, "error receiving the message attributes");
    } else if (deliver_request_check(req, time_blob, why) == 0) {
        tp = (const unsigned char *) buf_str(time_blob);
        if (deliver_time_get(tp, &req->times.arrival) < 0
            || deliver_time_get(tp + 16, &req->times.active) < 0)
            buf_sprintf(why, "%s: malformed time attribute", req->queue_id);
        else if (*count < 1 || *count > DELIVER_RCPT_MAX)
            buf_sprintf(why, "%s: bad recipient count %d", req->queue_id,
                        *count);
        else
            ret = 0;
    }
    buf_free(time_blob);
    return ret;
}

/* deliver_offset_text - an offset as the wire has it */
const char *
deliver_offset_text(char *buf, long offset)
{
    if (offset == DELIVER_OFFSET_NONE)
        return DELIVER_OFFSET_NONE_TEXT;
    snprintf(buf, DELIVER_OFFSET_SIZE, "%ld", offset);
    return buf;
}

/* deliver_offset_parse - an offset from the wire */
int
deliver_offset_parse(const char *text, long *offset)
{
    char   *end;
    long    val;

    if (strcmp(text, DELIVER_OFFSET_NONE_TEXT) == 0
        || strcmp(text, "-1") == 0) {
        *offset = DELIVER_OFFSET_NONE;
        return 0;
    }
    if (*text < '1' || *text > '9')
        return -1;
    errno = 0;
    val = strtol(text, &end, 10);
    if (*end != 0 || errno == ERANGE)
        return -1;
    *offset = val;
    return 0;
}

/* deliver_request_get_rcpt - read and check one recipient into rcpt */
static int
deliver_request_get_rcpt(STREAM *client, RECIPIENT *rcpt, BUF *why)
{
    BUF    *orig = buf_alloc(40);
    BUF    *addr = buf_alloc(40);
    BUF    *offset = buf_alloc(DELIVER_OFFSET_SIZE);
    BUF    *dsn_orig = buf_alloc(40);
    int     got;
    int     ret = 0;

    got = attr_scan(client, ATTR_FLAG_STRICT,
                    RECV_ATTR_STR(DEL_ATTR_ORCPT, orig),
                    RECV_ATTR_STR(DEL_ATTR_RCPT, addr),
                    RECV_ATTR_STR(DEL_ATTR_OFFSET, offset),
                    RECV_ATTR_STR(DEL_ATTR_DSN_ORCPT, dsn_orig),
                    RECV_ATTR_INT(DEL_ATTR_NOTIFY, &rcpt->dsn_notify),
                    ATTR_TYPE_END);
    rcpt->orig_addr = buf_export(orig);
    rcpt->address = buf_export(addr);
    rcpt->dsn_orig = buf_export(dsn_orig);
    if (got != 5) {
        buf_strcpy(why, "error receiving the recipient attributes");
        ret = -1;
    } else if (deliver_offset_parse(buf_str(offset), &rcpt->offset) < 0
               || (rcpt->dsn_notify & ~(DSN_NOTIFY_NEVER | DSN_NOTIFY_SUCCESS
                                        | DSN_NOTIFY_FAILURE
                                        | DSN_NOTIFY_DELAY))) {
        buf_sprintf(why, "bad offset %.30s or notify flags %d of recipient "
                    "%.100s", buf_str(offset), rcpt->dsn_notify,
                    rcpt->address);
        ret = -1;
    }
    buf_free(offset);
    return ret;
}

/* deliver_request_get_rcpts - read count recipients; the array grows as
 * they arrive, so a large count costs nothing until it is true */
static int
deliver_request_get_rcpts(STREAM *client, DELIVER_REQUEST *req, int count,
                          BUF *why)
{
    int     room = 0;

    while (req->rcpt_count < count) {
        if (req->rcpt_count == room) {
            room = room ? 2 * room : 8;
            req->rcpt = (RECIPIENT *) myreallocarray(req->rcpt, room,
                                                     sizeof(*req->rcpt));
        }
        memset(req->rcpt + req->rcpt_count, 0, sizeof(*req->rcpt));
        /* Counted before it is checked, so that free() sees it. */
        if (deliver_request_get_rcpt(client, req->rcpt + req->rcpt_count++,
                                     why) < 0)
            return -1;
    }
    return 0;
}

/* deliver_request_open - open and lock the queue file of req */
static int
deliver_request_open(DELIVER_REQUEST *req, const MAIL_QUEUE_CONF *conf,
                     BUF *why)
{
    if ((req->fd = mail_queue_open(conf, req->queue_name, req->queue_id,
                                   O_RDWR, NULL, why)) < 0) {
        /* Postfix's words, unless the file was refused as unsafe. */
        if (errno != EINVAL)
            buf_sprintf(why, "open %s %s: %m", req->queue_name,
                        req->queue_id);
        return -1;
    }
    if (lock_file(req->fd, LOCK_STYLE_FLOCK,
                  LOCK_OP_SHARED | LOCK_OP_NOWAIT) < 0) {
        buf_sprintf(why, "shared lock %s/%s: %m", req->queue_name,
                    req->queue_id);
        return -1;
    }
    return 0;
}

/* deliver_request_reply - send the reply: the DSN (empty when NULL) and
 * the status; 0 or -1 */
static int
deliver_request_reply(STREAM *client, const DSN *dsn, int status)
{
    static const DSN empty;

    return attr_print(client, ATTR_FLAG_NONE,
                      DEL_SEND_DSN(dsn ? dsn : &empty),
                      SEND_ATTR_STR(DEL_ATTR_STATUS,
                                    status == DELIVER_STAT_OK ? "0" :
                                    DELIVER_STAT_DEFER_TEXT),
                      ATTR_TYPE_END);
}

/* deliver_request_read - agent side: greet, read, check, open */
DELIVER_REQUEST *
deliver_request_read(STREAM *client, const MAIL_QUEUE_CONF *conf, BUF *why)
{
    DELIVER_REQUEST *req;
    int     count = 0;

    buf_reset(why);
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(DEL_ATTR_PROTOCOL, DELIVER_PROTOCOL),
                   ATTR_TYPE_END) < 0) {
        buf_strcpy(why, "error sending the protocol greeting");
        return NULL;
    }
    req = deliver_request_alloc();
    if (deliver_request_get_message(client, req, &count, why) < 0
        || deliver_request_get_rcpts(client, req, count, why) < 0) {
        deliver_request_free(req);
        return NULL;
    }
    gettimeofday(&req->times.agent, NULL);
    if (deliver_request_open(req, conf, why) < 0) {
        (void) deliver_request_reply(client, NULL, DELIVER_STAT_DEFER);
        deliver_request_free(req);
        return NULL;
    }
    return req;
}

/* deliver_request_done - agent side: fsync marks, reply, free */
int
deliver_request_done(STREAM *client, DELIVER_REQUEST *req,
                     const DSN *hop_dsn, BUF *why)
{
    int     ret = 0;

    /* A mark that may not survive a crash must not be reported done:
     * qmgr then reads the marks again, and the file stays queued. */
    if (req->marked && fsync(req->fd) < 0) {
        msg_warn("%s: fsync queue file: %m", req->queue_id);
        req->status = DELIVER_STAT_DEFER;
    }
    if (deliver_request_reply(client, hop_dsn, req->status) < 0) {
        buf_strcpy(why, "error sending the delivery status reply");
        ret = -1;
    }
    deliver_request_free(req);
    return ret;
}

/* deliver_request_serve - agent side: read, deliver, reply */
void
deliver_request_serve(STREAM *client, const MAIL_QUEUE_CONF *conf,
                      DELIVER_FN deliver, void *ctx)
{
    BUF    *why = buf_alloc(100);
    DELIVER_REQUEST *req;
    const DSN *hop_dsn;

    if ((req = deliver_request_read(client, conf, why)) == NULL) {
        msg_warn("%s", buf_str(why));
    } else {
        hop_dsn = deliver(req, ctx);
        if (deliver_request_done(client, req, hop_dsn, why) < 0)
            msg_warn("%s", buf_str(why));
    }
    buf_free(why);
}

/* deliver_request_free - close the file and free everything */
void
deliver_request_free(DELIVER_REQUEST *req)
{
    char  **dest[DR_STR_COUNT];

    if (req->fd >= 0)
        (void) close(req->fd);
    deliver_request_strings(req, dest);
    for (int i = 0; i < DR_STR_COUNT; i++)
        myfree(*dest[i]);
    for (int i = 0; i < req->rcpt_count; i++) {
        myfree(req->rcpt[i].orig_addr);
        myfree(req->rcpt[i].address);
        myfree(req->rcpt[i].dsn_orig);
    }
    myfree(req->rcpt);
    myfree(req);
}

/* deliver_request_greeting - qmgr side: read and check the greeting */
static int
deliver_request_greeting(STREAM *agent, BUF *why)
{
    BUF    *proto = buf_alloc(30);
    int     ret = 0;

    if (attr_scan(agent, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(DEL_ATTR_PROTOCOL, proto),
                  ATTR_TYPE_END) != 1) {
        buf_strcpy(why, "error receiving the protocol greeting");
        ret = -1;
    } else if (strcmp(buf_str(proto), DELIVER_PROTOCOL) != 0) {
        buf_sprintf(why, "unexpected protocol \"%.100s\"", buf_str(proto));
        ret = -1;
    }
    buf_free(proto);
    return ret;
}

/* deliver_request_send - qmgr side: greeting in, request out */
int
deliver_request_send(STREAM *agent, const DELIVER_REQUEST *req, BUF *why)
{
    unsigned char blob[DELIVER_TIME_SIZE];

    if (deliver_request_greeting(agent, why) < 0)
        return -1;
    /* Arrival, active, and zeros where Postfix's agents keep their own. */
    memset(blob, 0, sizeof(blob));
    deliver_time_put(blob, &req->times.arrival);
    deliver_time_put(blob + 16, &req->times.active);
    if (attr_print(agent, ATTR_FLAG_NONE,
                   SEND_ATTR_INT(DEL_ATTR_FLAGS, req->flags),
                   SEND_ATTR_STR(DEL_ATTR_QUEUE_NAME, req->queue_name),
                   SEND_ATTR_STR(DEL_ATTR_QUEUE_ID, req->queue_id),
                   SEND_ATTR_LONG(DEL_ATTR_OFFSET, req->data_offset),
                   SEND_ATTR_LONG(DEL_ATTR_SIZE, req->data_size),
                   SEND_ATTR_STR(DEL_ATTR_NEXTHOP, req->nexthop),
                   SEND_ATTR_STR(DEL_ATTR_ENCODING, DEL_TEXT(req->encoding)),
                   SEND_ATTR_INT(DEL_ATTR_SMTPUTF8, req->smtputf8),
                   SEND_ATTR_STR(DEL_ATTR_SENDER, DEL_TEXT(req->sender)),
                   SEND_ATTR_STR(DEL_ATTR_ENVID, DEL_TEXT(req->dsn_envid)),
                   SEND_ATTR_INT(DEL_ATTR_RET, req->dsn_ret),
                   SEND_ATTR_DATA(DEL_ATTR_TIME, sizeof(blob), blob),
                   SEND_ATTR_STR(DEL_ATTR_CLIENT_NAME,
                                 DEL_TEXT(req->client_name)),
                   SEND_ATTR_STR(DEL_ATTR_CLIENT_ADDR,
                                 DEL_TEXT(req->client_addr)),
                   SEND_ATTR_STR(DEL_ATTR_CLIENT_PORT,
                                 DEL_TEXT(req->client_port)),
                   SEND_ATTR_STR(DEL_ATTR_CLIENT_PROTO,
                                 DEL_TEXT(req->client_proto)),
                   SEND_ATTR_STR(DEL_ATTR_CLIENT_HELO,
                                 DEL_TEXT(req->client_helo)),
                   SEND_ATTR_STR(DEL_ATTR_SASL_METHOD,
                                 DEL_TEXT(req->sasl_method)),
                   SEND_ATTR_STR(DEL_ATTR_SASL_USERNAME,
                                 DEL_TEXT(req->sasl_username)),
                   SEND_ATTR_STR(DEL_ATTR_SASL_SENDER,
                                 DEL_TEXT(req->sasl_sender)),
                   SEND_ATTR_STR(DEL_ATTR_LOG_IDENT, DEL_TEXT(req->log_ident)),
                   SEND_ATTR_STR(DEL_ATTR_RWR_CONTEXT,
                                 DEL_TEXT(req->rewrite_context)),
                   SEND_ATTR_INT(DEL_ATTR_RCPT_COUNT, req->rcpt_count),
                   ATTR_TYPE_END) < 0) {
        buf_strcpy(why, "error sending the message attributes");
        return -1;
    }
    for (int i = 0; i < req->rcpt_count; i++) {
        if (attr_print(agent, ATTR_FLAG_NONE, DEL_SEND_RCPT(req->rcpt + i),
                       ATTR_TYPE_END) < 0) {
            buf_strcpy(why, "error sending the recipient attributes");
            return -1;
        }
    }
    return 0;
}

/* deliver_reply_status - the reply status text as DELIVER_STAT_*: "0"
 * is done, any other number (4294967295, -1, and the 1 that Postfix's
 * local sends after a deferred hand-off) means retry; 0, or -1 when the
 * text is no number */
static int
deliver_reply_status(const char *text, int *status)
{
    size_t  len = strlen(text);
    size_t  start = (text[0] == '-');

    if (len == start || len > 20
        || strspn(text + start, "0123456789") != len - start)
        return -1;
    *status = strcmp(text, "0") == 0 ? DELIVER_STAT_OK : DELIVER_STAT_DEFER;
    return 0;
}

/* deliver_reply_read - qmgr side: the DSN and the status */
int
deliver_reply_read(STREAM *agent, DELIVER_REPLY *reply, int *status,
                   BUF *why)
{
    BUF    *scratch = buf_alloc(20);
    BUF    *stat_text = buf_alloc(20);
    BUF    *parts[] = {
        reply->status, reply->dtype, reply->dtext, reply->mtype,
        reply->mname, reply->action, reply->reason,
    };
    int     ret = 0;

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (parts[i] == NULL)
            parts[i] = scratch;
    if (attr_scan(agent, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(DEL_ATTR_STATUS, parts[0]),
                  RECV_ATTR_STR(DEL_ATTR_DIAG_TYPE, parts[1]),
                  RECV_ATTR_STR(DEL_ATTR_DIAG_TEXT, parts[2]),
                  RECV_ATTR_STR(DEL_ATTR_MTA_TYPE, parts[3]),
                  RECV_ATTR_STR(DEL_ATTR_MTA_NAME, parts[4]),
                  RECV_ATTR_STR(DEL_ATTR_ACTION, parts[5]),
                  RECV_ATTR_STR(DEL_ATTR_REASON, parts[6]),
                  RECV_ATTR_STR(DEL_ATTR_STATUS, stat_text),
                  ATTR_TYPE_END) != 8) {
        buf_strcpy(why, "error receiving the delivery status reply");
        ret = -1;
    } else if (deliver_reply_status(buf_str(stat_text), status) < 0) {
        buf_sprintf(why, "malformed delivery status \"%.30s\"",
                    buf_str(stat_text));
        ret = -1;
    }
    buf_free(scratch);
    buf_free(stat_text);
    return ret;
}
