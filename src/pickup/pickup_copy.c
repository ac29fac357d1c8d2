/* pickup_copy - copy the records of one maildrop file to cleanup, with
 * pickup's Received: header and its log line.
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
 * A file that "postsuper -r" put back (pickup_requeued()) keeps its old
 * Received: lines under the new one, which is dated when the file was
 * requeued (its modification time, as Postfix's pickup dates every file;
 * never later than now), and the log line ends in " orig_id=OLDID", the
 * file's maildrop name. Which records pass is up to pickup_rules.c.
 * Peers: queue_file (the walk, framing checks), cleanup_clnt, mail_date. */
#include <string.h>
#include <time.h>

#include "cleanup_clnt.h"
#include "mail_date.h"
#include "msg.h"
#include "pickup.h"
#include "queue_file.h"
#include "quote_822_local.h"
#include "rec_stream.h"

/* State of one copy. */
typedef struct PICKUP_COPY {
    const PICKUP *p;
    STREAM *out;                        /* cleanup */
    const char *requeued_id;            /* old id, or NULL */
    time_t  requeued_date;              /* for the Received: header */
    const QUEUE_FILE_INFO *info;        /* the walk's: arrival time */
    PICKUP_RULE_FN rules;
    PICKUP_RULES r;
    BUF    *sender;
    bool    first_line;                 /* the next record starts the
                                         * content, after Received: */
} PICKUP_COPY;

/* pickup_copy_log - the end of the envelope: who sent what */
static void
pickup_copy_log(PICKUP_COPY *pc)
{
    BUF    *addr = buf_alloc(100);

    quote_822_local(addr, buf_str(pc->sender));
    if (pc->requeued_id)
        msg_info("%s: uid=%ld from=<%s> orig_id=%s", pc->r.queue_id,
                 pc->r.uid, buf_len(pc->sender) ? buf_str(addr) : "",
                 pc->requeued_id);
    else
        msg_info("%s: uid=%ld from=<%s>", pc->r.queue_id, pc->r.uid,
                 buf_len(pc->sender) ? buf_str(addr) : "");
    buf_free(addr);
}

/* pickup_copy_received - the end of the envelope: log the sender, then
 * send the Received: header; 0 or PICKUP_COPY_WRITE */
static int
pickup_copy_received(PICKUP_COPY *pc)
{
    BUF    *line = buf_alloc(100);
    BUF    *date = buf_alloc(40);
    int     ret = 0;

    pickup_copy_log(pc);
    buf_sprintf(line, "Received: by %s (%s, from userid %ld)",
                pc->p->hostname, pc->p->mail_name, pc->r.uid);
    if (rec_put(pc->out, REC_TYPE_NORM, buf_str(line), buf_len(line)) < 0)
        ret = PICKUP_COPY_WRITE;
    buf_sprintf(line, "\tid %s; %s", pc->r.queue_id,
                mail_date(date, pc->requeued_id ? pc->requeued_date :
                          pc->info->arrival.tv_sec));
    if (rec_put(pc->out, REC_TYPE_NORM, buf_str(line), buf_len(line)) < 0)
        ret = PICKUP_COPY_WRITE;
    buf_free(line);
    buf_free(date);
    return ret;
}

/* pickup_copy_record - the walk's callback: ask the rules, send */
static int
pickup_copy_record(int type, const char *data, size_t len, off_t offset,
                   REC_SECTION section, void *ctx)
{
    PICKUP_COPY *pc = ctx;
    int     status;

    if ((status = pc->rules(&pc->r, type, data, len, offset, section))
        == PICKUP_COPY_BAD)
        return status;
    if (status == PICKUP_RULE_DROP || type == REC_TYPE_END)
        return 0;                               /* the caller sends 'E' */
    if (type == REC_TYPE_FROM)
        buf_strcpy(pc->sender, data);
    /* A first line that starts with white space would continue our
     * Received: header: an empty line first makes it body, as Postfix's
     * pickup does. */
    if (pc->first_line && (type == REC_TYPE_NORM || type == REC_TYPE_CONT)
        && len > 0 && (data[0] == ' ' || data[0] == '\t')
        && rec_put(pc->out, REC_TYPE_NORM, "", 0) < 0)
        return PICKUP_COPY_WRITE;
    pc->first_line = (type == REC_TYPE_MESG);
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
            const char *requeued_id, STREAM *cleanup, const char *queue_id,
            BUF *why)
{
    QUEUE_FILE_INFO info;
    time_t  now = time((time_t *) 0);
    PICKUP_COPY pc = {
        .p = p, .out = cleanup, .requeued_id = requeued_id,
        .requeued_date = st->st_mtime < now ? st->st_mtime : now,
        .info = &info,
        .rules = requeued_id ? pickup_rules_requeued : pickup_rules_postdrop,
        .r = {.queue_id = queue_id, .uid = (long) st->st_uid, .why = why},
    };
    int     status;

    pc.sender = buf_alloc(100);
    status = queue_file_walk(fd, p->rec_limit, pickup_copy_record, &pc,
                             &info, why);
    buf_free(pc.sender);
    return pickup_copy_status(status, &info, st, why);
}
