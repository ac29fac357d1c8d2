/* pickup_copy - check the records of one maildrop file and copy them to
 * cleanup, with pickup's Received: header.
 *
 * Model: what Debian's Postfix 3.7 pickup sent to cleanup (strace): the
 * file's records in their order, with two header lines right after 'M':
 *
 *   Received: by $myhostname ($mail_name, from userid UID)
 *           id QUEUEID; Sun,  6 Dec 2026 01:40:20 +0000 (UTC)
 *
 * where UID owns the file (the submitting user), QUEUEID is the id cleanup
 * gave the new message, and the date is the arrival time of the 'T'
 * record. At the end of the envelope it logs "QUEUEID: uid=UID
 * from=<SENDER>" (the sender in external form), as Postfix does.
 *
 * A maildrop file comes from a user, so it is checked more strictly than
 * Postfix does: it must hold what postdrop writes (docs/sendmail.md) and
 * nothing else: 'T' first and only there; envelope 'A F S V O R' with
 * exactly one 'S'; content 'N L'; extracted 'A O R'; empty 'M X E'; no
 * null bytes outside the content; nothing after 'E' (checked by the
 * caller). Anything else makes the file damaged. Where Postfix's pickup
 * passes any attribute record, this one passes only those sendmail
 * writes (rewrite_context, envelope_id, ret_flags, encoding, notify_flags,
 * dsn_orig_rcpt) and drops the others with a warning: a local user must
 * not pose as a network client (client_address=...) or fake a log id.
 * Peers: queue_file (the walk, framing checks), cleanup_clnt, mail_date. */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "cleanup_clnt.h"
#include "mail_date.h"
#include "msg.h"
#include "pickup.h"
#include "queue_file.h"
#include "quote_822_local.h"
#include "rec_stream.h"
#include "rec_type.h"

/* The attributes a local user may pass on. */
static const char *const pickup_copy_attrs[] = {
    "rewrite_context", "envelope_id", "ret_flags", "encoding",
    "notify_flags", "dsn_orig_rcpt",
};

#define PICKUP_COPY_ATTR_COUNT \
    (sizeof(pickup_copy_attrs) / sizeof(pickup_copy_attrs[0]))

/* State of one copy. */
typedef struct PICKUP_COPY {
    const PICKUP *p;
    STREAM *out;                        /* cleanup */
    const char *queue_id;               /* cleanup's */
    long    uid;                        /* the file's owner */
    const QUEUE_FILE_INFO *info;        /* the walk's: arrival time */
    long    records;                    /* seen so far */
    int     senders;                    /* 'S' records */
    BUF    *sender;
    BUF    *why;
} PICKUP_COPY;

/* pickup_copy_bad - a damaged file: why = "WHAT at offset OFFSET" */
static int MSG_PRINTF(3, 4)
pickup_copy_bad(PICKUP_COPY *pc, off_t offset, const char *fmt, ...)
{
    va_list ap;

    buf_reset(pc->why);
    va_start(ap, fmt);
    buf_vsprintf_append(pc->why, fmt, ap);
    va_end(ap);
    buf_sprintf_append(pc->why, " at offset %lld", (long long) offset);
    return PICKUP_COPY_BAD;
}

/* pickup_copy_allowed - whether postdrop writes this type here */
static bool
pickup_copy_allowed(int type, REC_SECTION section)
{
    static const char *const types[] = {
        [REC_SECT_ENVELOPE] = "TAFSVOR" "M",
        [REC_SECT_CONTENT] = "NL" "X",
        [REC_SECT_EXTRACTED] = "AOR" "E",
    };

    return type != 0 && section < REC_SECT_DONE
        && strchr(types[section], type) != NULL;
}

/* pickup_copy_check - postdrop's rules for one record; 0, or
 * PICKUP_COPY_BAD with the reason in pc->why */
static int
pickup_copy_check(PICKUP_COPY *pc, int type, const char *data, size_t len,
                  off_t offset, REC_SECTION section)
{
    bool    first = ++pc->records == 1;

    if (first && type != REC_TYPE_TIME)
        return pickup_copy_bad(pc, offset, "first record is not the arrival "
                               "time: record type %d", type);
    if (!first && type == REC_TYPE_TIME)
        return pickup_copy_bad(pc, offset, "second arrival time record");
    if (!pickup_copy_allowed(type, section))
        return pickup_copy_bad(pc, offset, "unexpected record type %d", type);
    if (strchr("MXE", type) != NULL && len != 0)
        return pickup_copy_bad(pc, offset, "record type %d is not empty",
                               type);
    if (section != REC_SECT_CONTENT && memchr(data, 0, len) != NULL)
        return pickup_copy_bad(pc, offset, "null byte in record type %d",
                               type);
    if (type == REC_TYPE_FROM && ++pc->senders > 1)
        return pickup_copy_bad(pc, offset, "second sender record");
    if (type == REC_TYPE_MESG && pc->senders == 0)
        return pickup_copy_bad(pc, offset, "no sender record before the "
                               "content");
    return 0;
}

/* pickup_copy_attr_ok - whether an attribute record may pass ("name=v",
 * checked by the walk); a warning when it may not */
static bool
pickup_copy_attr_ok(const PICKUP_COPY *pc, const char *data)
{
    size_t  len = strcspn(data, "=");

    for (size_t i = 0; i < PICKUP_COPY_ATTR_COUNT; i++)
        if (strlen(pickup_copy_attrs[i]) == len
            && strncmp(data, pickup_copy_attrs[i], len) == 0)
            return true;
    msg_warn("%s: uid=%ld: ignoring attribute record: %.*s", pc->queue_id,
             pc->uid, len > 100 ? 100 : (int) len, data);
    return false;
}

/* pickup_copy_received - the end of the envelope: log the sender, then
 * send the Received: header; 0 or PICKUP_COPY_WRITE */
static int
pickup_copy_received(PICKUP_COPY *pc)
{
    BUF    *line = buf_alloc(100);
    BUF    *date = buf_alloc(40);
    int     ret = 0;

    quote_822_local(line, buf_str(pc->sender));
    msg_info("%s: uid=%ld from=<%s>", pc->queue_id, pc->uid,
             buf_len(pc->sender) ? buf_str(line) : "");
    buf_sprintf(line, "Received: by %s (%s, from userid %ld)",
                pc->p->hostname, pc->p->mail_name, pc->uid);
    if (rec_put(pc->out, REC_TYPE_NORM, buf_str(line), buf_len(line)) < 0)
        ret = PICKUP_COPY_WRITE;
    buf_sprintf(line, "\tid %s; %s", pc->queue_id,
                mail_date(date, pc->info->arrival.tv_sec));
    if (rec_put(pc->out, REC_TYPE_NORM, buf_str(line), buf_len(line)) < 0)
        ret = PICKUP_COPY_WRITE;
    buf_free(line);
    buf_free(date);
    return ret;
}

/* pickup_copy_record - the walk's callback: check one record, send it */
static int
pickup_copy_record(int type, const char *data, size_t len, off_t offset,
                   REC_SECTION section, void *ctx)
{
    PICKUP_COPY *pc = ctx;
    int     status;

    if ((status = pickup_copy_check(pc, type, data, len, offset,
                                    section)) != 0)
        return status;
    if (type == REC_TYPE_END)                   /* the caller sends it */
        return 0;
    if (type == REC_TYPE_ATTR && !pickup_copy_attr_ok(pc, data))
        return 0;
    if (type == REC_TYPE_FROM)
        buf_strcpy(pc->sender, data);
    if (rec_put(pc->out, type, data, len) < 0)
        return PICKUP_COPY_WRITE;
    return type == REC_TYPE_MESG ? pickup_copy_received(pc) : 0;
}

/* pickup_copy_status - the walk's result as a pickup_copy() result */
static int
pickup_copy_status(int status, const QUEUE_FILE_INFO *info,
                   const struct stat *st, BUF *why)
{
    switch (status) {
    case QUEUE_FILE_OK:
        if (info->end_offset + (off_t) rec_size(0) == st->st_size)
            return 0;
        buf_sprintf(why, "data after the end record at offset %lld",
                    (long long) info->end_offset);
        return PICKUP_COPY_BAD;
    case QUEUE_FILE_CORRUPT:
        return PICKUP_COPY_BAD;
    case QUEUE_FILE_READ_ERROR:
        return PICKUP_COPY_READ;
    case PICKUP_COPY_WRITE:
        buf_strcpy(why, "lost connection with the cleanup service");
        return status;
    default:
        return status;
    }
}

/* pickup_copy - check and copy the records of one file */
int
pickup_copy(const PICKUP *p, int fd, const struct stat *st,
            STREAM *cleanup, const char *queue_id, BUF *why)
{
    QUEUE_FILE_INFO info;
    PICKUP_COPY pc = {
        .p = p, .out = cleanup, .queue_id = queue_id,
        .uid = (long) st->st_uid, .info = &info, .why = why,
    };
    int     status;

    pc.sender = buf_alloc(100);
    status = queue_file_walk(fd, p->rec_limit, pickup_copy_record, &pc,
                             &info, why);
    buf_free(pc.sender);
    return pickup_copy_status(status, &info, st, why);
}
