/* qmgr_message - bring one queue file into the active queue.
 *
 * Activation, in Postfix's order: rename the file into active/, open it
 * and take an exclusive lock (a file someone else holds goes back where
 * it came from), read and check every record (a damaged file goes to
 * corrupt/), drop the previous attempt's defer log, log
 * "ID: from=<S>, size=N, nrcpt=M (queue active)", close the file, and
 * resolve each recipient not yet done into the queue of its transport
 * and next hop. Recipients that cannot be resolved now are deferred, bad
 * addresses bounced (qmgr_defer.c). A message with nothing left to do is
 * finished right away (notices, removal: qmgr_finish.c). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock_file.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "queue_file.h"
#include "rec_type.h"

/* Reading state: attributes that describe the next recipient. */
typedef struct QMGR_LOAD {
    QMGR_MESSAGE *message;
    char   *orig;                       /* pending 'O' */
    char   *dsn_orig;                   /* pending dsn_orig_rcpt */
    int     notify;                     /* pending notify_flags */
    int     rcpt_alloc;
} QMGR_LOAD;

/* qmgr_message_str - replace a string field */
static void
qmgr_message_str(char **field, const char *value)
{
    myfree(*field);
    *field = mystrdup(value);
}

/* qmgr_message_attr - a named attribute the delivery request carries */
static void
qmgr_message_attr(QMGR_LOAD *load, const char *data)
{
    static const struct {
        const char *name;
        size_t  offset;
    } fields[] = {
#define F(name, field) { name, offsetof(QMGR_MESSAGE, field) }
        F("encoding", encoding),
        F("envelope_id", dsn_envid),
        F("log_client_name", client_name),
        F("log_client_address", client_addr),
        F("log_client_port", client_port),
        F("log_protocol_name", client_proto),
        F("log_helo_name", client_helo),
        F("sasl_method", sasl_method),
        F("sasl_username", sasl_username),
        F("sasl_sender", sasl_sender),
        F("log_ident", log_ident),
        F("rewrite_context", rewrite_context),
#undef F
    };
    QMGR_MESSAGE *message = load->message;
    const char *eq = strchr(data, '=');
    size_t  len;

    if (eq == NULL)
        return;
    len = eq - data;
#define NAME_IS(s) (len == strlen(s) && strncmp(data, (s), len) == 0)
    if (NAME_IS("notify_flags"))
        load->notify = atoi(eq + 1);
    else if (NAME_IS("dsn_orig_rcpt"))
        qmgr_message_str(&load->dsn_orig, eq + 1);
    else if (NAME_IS("ret_flags"))
        message->dsn_ret = atoi(eq + 1);
    else if (NAME_IS("trace_flags"))
        message->tflags = atoi(eq + 1);
    else
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
            if (NAME_IS(fields[i].name)) {
                qmgr_message_str((char **) ((char *) message
                                            + fields[i].offset), eq + 1);
                break;
            }
#undef NAME_IS
}

/* qmgr_message_rcpt - a recipient still to do */
static void
qmgr_message_rcpt(QMGR_LOAD *load, const char *addr, off_t offset)
{
    QMGR_MESSAGE *message = load->message;
    RECIPIENT *rcpt;

    if (message->rcpt_count >= load->rcpt_alloc) {
        load->rcpt_alloc = load->rcpt_alloc ? 2 * load->rcpt_alloc : 8;
        message->rcpt = myreallocarray(message->rcpt, load->rcpt_alloc,
                                       sizeof(*message->rcpt));
    }
    rcpt = message->rcpt + message->rcpt_count++;
    rcpt->orig_addr = load->orig ? load->orig : mystrdup("");
    rcpt->address = mystrdup(addr);
    rcpt->offset = (long) offset;
    rcpt->dsn_orig = load->dsn_orig ? load->dsn_orig : mystrdup("");
    rcpt->dsn_notify = load->notify;
    load->orig = load->dsn_orig = NULL;
    load->notify = 0;
}

/* qmgr_message_pending_clear - a done recipient used its attributes */
static void
qmgr_message_pending_clear(QMGR_LOAD *load)
{
    myfree(load->orig);
    myfree(load->dsn_orig);
    load->orig = load->dsn_orig = NULL;
    load->notify = 0;
}

/* qmgr_message_record - one record of the walk */
static int
qmgr_message_record(int type, const char *data, size_t len, off_t offset,
                    REC_SECTION section, void *ctx)
{
    QMGR_LOAD *load = ctx;
    QMGR_MESSAGE *message = load->message;

    if (section == REC_SECT_CONTENT)
        return 0;
    switch (type) {
    case REC_TYPE_FROM:
        qmgr_message_str(&message->sender, data);
        break;
    case REC_TYPE_ATTR:
        qmgr_message_attr(load, data);
        break;
    case REC_TYPE_ORCP:
        qmgr_message_str(&load->orig, data);
        break;
    case REC_TYPE_RCPT:
        qmgr_message_rcpt(load, data, offset);
        break;
    case REC_TYPE_DONE:
    case REC_TYPE_DRCP:
        qmgr_message_pending_clear(load);
        break;
    case REC_TYPE_WARN:
        message->warn_offset = (long) offset;
        message->warn_time = atol(data);
        break;
    default:
        break;
    }
    return 0;
}

/* qmgr_message_create - an empty message */
static QMGR_MESSAGE *
qmgr_message_create(const char *id)
{
    QMGR_MESSAGE *message = mycalloc(1, sizeof(*message));

    message->queue_id = mystrdup(id);
    message->sender = mystrdup("");
#define EMPTY(f) message->f = mystrdup("")
    EMPTY(encoding);
    EMPTY(dsn_envid);
    EMPTY(client_name);
    EMPTY(client_addr);
    EMPTY(client_port);
    EMPTY(client_proto);
    EMPTY(client_helo);
    EMPTY(sasl_method);
    EMPTY(sasl_username);
    EMPTY(sasl_sender);
    EMPTY(log_ident);
    EMPTY(rewrite_context);
#undef EMPTY
    gettimeofday(&message->active, NULL);
    return message;
}

/* qmgr_message_free - forget a message */
void
qmgr_message_free(QMGR_MESSAGE *message)
{
    for (int i = 0; i < message->rcpt_count; i++) {
        myfree(message->rcpt[i].orig_addr);
        myfree(message->rcpt[i].address);
        myfree(message->rcpt[i].dsn_orig);
    }
    myfree(message->rcpt);
    myfree(message->queue_id);
    myfree(message->sender);
    myfree(message->encoding);
    myfree(message->dsn_envid);
    myfree(message->client_name);
    myfree(message->client_addr);
    myfree(message->client_port);
    myfree(message->client_proto);
    myfree(message->client_helo);
    myfree(message->sasl_method);
    myfree(message->sasl_username);
    myfree(message->sasl_sender);
    myfree(message->log_ident);
    myfree(message->rewrite_context);
    myfree(message);
}

/* qmgr_message_read - walk the open file into message; QUEUE_FILE_* */
static int
qmgr_message_read(int fd, QMGR_MESSAGE *message, BUF *why)
{
    QMGR_LOAD load = {.message = message};
    QUEUE_FILE_INFO info;
    int     status;

    status = queue_file_walk_envelope(fd, 0, qmgr_message_record, &load,
                                      &info, why);
    qmgr_message_pending_clear(&load);
    if (status != QUEUE_FILE_OK)
        return status;
    message->arrival = info.arrival;
    message->data_offset = (long) info.data_offset;
    message->data_size = info.has_size ? info.size.msg_size
        : (long) (info.xtra_offset - info.data_offset);
    message->rcpt_total = info.has_size ? info.size.rcpt_count
        : info.rcpt_todo + info.rcpt_done;
    message->smtputf8 = info.has_size ? (int) info.size.smtputf8 : 0;
    return QUEUE_FILE_OK;
}

/* qmgr_message_drop_defer_log - the previous attempt's reasons */
static void
qmgr_message_drop_defer_log(const char *id)
{
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);

    if (mail_queue_path(path, &qmgr.queue, MAIL_QUEUE_DEFER, id, why) == 0
        && unlink(buf_str(path)) < 0 && errno != ENOENT)
        msg_warn("remove %s: %m", buf_str(path));
    buf_free(path);
    buf_free(why);
}

/* qmgr_message_open - rename into active/ and lock; fd or -1; *expire
 * gets postsuper's forced-expiration mark (the group execute bit) */
static int
qmgr_message_open(const char *queue_name, const char *id, bool *expire,
                  BUF *why)
{
    struct stat st;
    int     fd;

    if (mail_queue_rename(&qmgr.queue, id, queue_name, MAIL_QUEUE_ACTIVE,
                          why) < 0) {
        if (errno != ENOENT)
            msg_warn("%s: %s", id, buf_str(why));
        return -1;
    }
    if ((fd = mail_queue_open(&qmgr.queue, MAIL_QUEUE_ACTIVE, id, O_RDWR,
                              &st, why)) < 0) {
        msg_warn("%s: %s", id, buf_str(why));
        return -1;
    }
    *expire = (st.st_mode & S_IXGRP) != 0;
    if (lock_file(fd, LOCK_STYLE_FLOCK,
                  LOCK_OP_EXCLUSIVE | LOCK_OP_NOWAIT) < 0) {
        msg_warn("%s: file is locked by another process; skipped", id);
        close(fd);
        if (mail_queue_rename(&qmgr.queue, id, MAIL_QUEUE_ACTIVE,
                              queue_name, why) < 0)
            msg_warn("%s: %s", id, buf_str(why));
        return -1;
    }
    return fd;
}

/* qmgr_message_count - a loaded message counts against the limits */
static void
qmgr_message_count(QMGR_MESSAGE *message)
{
    qmgr.message_count++;
    qmgr.rcpt_count += message->rcpt_count;
}

/* qmgr_message_resolve_one - route one recipient, or settle it now */
static void
qmgr_message_resolve_one(QMGR_MESSAGE *message, RECIPIENT *rcpt,
                         RESOLVE_REPLY *reply, BUF *why)
{
    QMGR_TRANSPORT *transport;

    if (message->forced_expire) {
        qmgr_defer_rcpt(message, rcpt, "4.7.0",
                        "message is administratively expired");
    } else if (resolve_clnt_query(qmgr.resolver, message->sender, rcpt->address,
                           reply, why) < 0) {
        msg_warn("%s: %s", message->queue_id, buf_str(why));
        qmgr_defer_rcpt(message, rcpt, "4.3.0", "address resolver failure");
    } else if (reply->flags & RESOLVE_FLAG_FAIL) {
        qmgr_defer_rcpt(message, rcpt, "4.3.0", "address resolver failure");
    } else if (reply->flags & RESOLVE_FLAG_ERROR) {
        qmgr_bounce_rcpt(message, rcpt, "5.1.3", "bad address syntax");
    } else if (qmgr_transport_deferred(buf_str(reply->transport))) {
        qmgr_defer_rcpt(message, rcpt, "4.3.2", "deferred transport");
    } else {
        transport = qmgr_transport_find(buf_str(reply->transport));
        qmgr_queue_add(qmgr_queue_find(transport, buf_str(reply->nexthop)),
                       message, rcpt);
    }
}

/* qmgr_message_resolve - route every recipient; the message holds a
 * reference while this runs, so it cannot finish half-way */
static void
qmgr_message_resolve(QMGR_MESSAGE *message)
{
    RESOLVE_REPLY reply;
    BUF    *why = buf_alloc(100);

    resolve_reply_init(&reply);
    message->refcount++;
    for (int i = 0; i < message->rcpt_count; i++)
        qmgr_message_resolve_one(message, message->rcpt + i, &reply, why);
    resolve_reply_free(&reply);
    buf_free(why);
    message->refcount--;
    if (message->refcount == 0)
        qmgr_message_done(message);
}

/* qmgr_message_load - activate the file queue_name/id */
void
qmgr_message_load(const char *queue_name, const char *id)
{
    BUF    *why = buf_alloc(100);
    QMGR_MESSAGE *message;
    bool    expire;
    int     fd;
    int     status;

    if ((fd = qmgr_message_open(queue_name, id, &expire, why)) < 0) {
        buf_free(why);
        return;
    }
    message = qmgr_message_create(id);
    message->forced_expire = expire;
    status = qmgr_message_read(fd, message, why);
    close(fd);
    if (status != QUEUE_FILE_OK) {
        if (status == QUEUE_FILE_CORRUPT) {
            if (queue_file_corrupt(&qmgr.queue, MAIL_QUEUE_ACTIVE, id,
                                   buf_str(why), why) < 0)
                msg_warn("%s: %s", id, buf_str(why));
        } else {
            msg_warn("%s: %s", id, buf_str(why));
            if (mail_queue_rename(&qmgr.queue, id, MAIL_QUEUE_ACTIVE,
                                  queue_name, why) < 0)
                msg_warn("%s: %s", id, buf_str(why));
        }
        qmgr_message_free(message);
        buf_free(why);
        return;
    }
    qmgr_message_drop_defer_log(id);
    msg_info("%s: from=<%s>, size=%ld, nrcpt=%ld (queue active)",
             id, message->sender, message->data_size, message->rcpt_total);
    qmgr_message_count(message);
    qmgr_message_resolve(message);
    buf_free(why);
}
