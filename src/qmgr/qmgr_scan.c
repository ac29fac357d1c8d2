/* qmgr_scan - the incoming and deferred scans that feed the active queue.
 *
 * A scan lists one queue directory and is read one file at a time, so
 * the active queue only takes what fits: at most
 * $qmgr_message_active_limit messages and $qmgr_message_recipient_limit
 * recipients in core. While both scans have files, qmgr takes one from
 * each in turn, so new mail is not starved by a large deferred backlog
 * and the backlog is not starved by a flood of new mail. A scan asked
 * for while one is running starts again when it ends (files may have
 * arrived behind the cursor). Deferred files whose retry time (their
 * modification time, set by qmgr_finish.c) is still in the future are
 * skipped, unless the scan was asked to ignore the times ("A" trigger).
 * Incoming files that are not complete (mode 0600) are left alone.
 * One call feeds at most QMGR_FEED_BATCH messages, then yields to the
 * event loop so agents' replies are not kept waiting. Each feed tells
 * qmgr_flow.c how much new mail it took (cleanup's inflow tokens). */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include "event.h"
#include "mail_params.h"
#include "msg.h"
#include "qmgr.h"
#include "queue_scan.h"

#define QMGR_FEED_BATCH         100

typedef struct QMGR_SCAN_STATE {
    const char *queue;
    QUEUE_SCAN *scan;                   /* open, or NULL */
    bool    again;                      /* rescan when this one ends */
    bool    all;                        /* ignore retry times now */
    bool    all_next;                   /* ... on the rescan */
} QMGR_SCAN_STATE;

static QMGR_SCAN_STATE qmgr_incoming = {.queue = MAIL_QUEUE_INCOMING};
static QMGR_SCAN_STATE qmgr_deferred = {.queue = MAIL_QUEUE_DEFERRED};

/* qmgr_scan_start - open a scan, or mark a running one for a rescan */
static void
qmgr_scan_start(QMGR_SCAN_STATE *st, bool all)
{
    BUF    *why;

    if (st->scan != NULL) {
        st->again = true;
        st->all_next |= all;
        return;
    }
    why = buf_alloc(100);
    if ((st->scan = queue_scan_open(&qmgr.queue, st->queue, why)) == NULL)
        msg_warn("%s", buf_str(why));
    st->all = all;
    buf_free(why);
}

/* qmgr_scan_request - ask for scans (QMGR_SCAN_* bits) */
void
qmgr_scan_request(int which)
{
    if (which & QMGR_SCAN_INCOMING)
        qmgr_scan_start(&qmgr_incoming, false);
    if (which & QMGR_SCAN_DEFERRED)
        qmgr_scan_start(&qmgr_deferred,
                        (which & QMGR_SCAN_ALL_DEFERRED) != 0);
}

/* qmgr_scan_next - the next id of a scan, rescanning when asked; NULL at
 * the end */
static const char *
qmgr_scan_next(QMGR_SCAN_STATE *st, BUF *path)
{
    const char *id;

    while (st->scan != NULL) {
        if ((id = queue_scan_next(st->scan, path)) != NULL)
            return id;
        queue_scan_close(st->scan);
        st->scan = NULL;
        if (st->again) {
            st->again = false;
            qmgr_scan_start(st, st->all_next);
            st->all_next = false;
        }
    }
    return NULL;
}

/* qmgr_scan_eligible - whether a listed file may be activated now */
static bool
qmgr_scan_eligible(const QMGR_SCAN_STATE *st, const char *path)
{
    struct stat sb;

    if (lstat(path, &sb) < 0) {
        if (errno != ENOENT)
            msg_warn("lstat %s: %m", path);
        return false;
    }
    if (!S_ISREG(sb.st_mode))
        return true;                    /* load it: it goes to corrupt/ */
    if (!mail_queue_ready(&sb))
        return false;                   /* still being written */
    return st != &qmgr_deferred || st->all || sb.st_mtime <= time(NULL);
}

/* qmgr_scan_take - activate the next eligible file of a scan; false when
 * the scan has none left */
static bool
qmgr_scan_take(QMGR_SCAN_STATE *st, BUF *path)
{
    const char *id;

    while ((id = qmgr_scan_next(st, path)) != NULL) {
        if (!qmgr_scan_eligible(st, buf_str(path)))
            continue;
        qmgr_message_load(st->queue, id);
        return true;
    }
    return false;
}

/* qmgr_room - whether the active queue takes another message */
static bool
qmgr_room(void)
{
    return qmgr.message_count < var_qmgr_message_active_limit
        && qmgr.rcpt_count < var_qmgr_message_recipient_limit;
}

/* qmgr_feed_event - continue feeding after a batch */
static void
qmgr_feed_event(int event, void *ctx)
{
    qmgr_feed();
}

/* qmgr_feed_later - feed from the event loop (not from inside a
 * delivery's bookkeeping) */
void
qmgr_feed_later(void)
{
    event_request_timer(qmgr_feed_event, NULL, 0);
}

/* qmgr_feed - take files from both scans in turn while there is room,
 * then start deliveries */
void
qmgr_feed(void)
{
    BUF    *path = buf_alloc(100);
    int     taken = 0;
    int     new_mail = 0;
    bool    more = true;

    while (more && qmgr_room() && taken < QMGR_FEED_BATCH) {
        more = false;
        if (qmgr_scan_take(&qmgr_incoming, path)) {
            more = true;
            taken++;
            new_mail++;
        }
        if (qmgr_room() && qmgr_scan_take(&qmgr_deferred, path)) {
            more = true;
            taken++;
        }
    }
    if (more && qmgr_room())
        qmgr_feed_later();
    qmgr_flow_tokens(new_mail, qmgr_incoming.scan == NULL);
    buf_free(path);
    qmgr_schedule();
}
