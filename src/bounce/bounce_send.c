/* bounce_send - queue one notice through the cleanup service.
 *
 * The records are those Postfix 3.7's bounce daemon sends (observed,
 * docs/bounce.md): the arrival time, "log_message_origin=local" and
 * "trace_flags=0" attributes, the envelope sender (empty: a notice never
 * gets a notice back), the one recipient, then the content that
 * bounce_compose() writes, 'X' and 'E'. cleanup qualifies the addresses,
 * adds the Message-Id, and queues the notice like any other message;
 * only its "queued" answer (status 0) counts as sent. */
#include "bounce.h"
#include "cleanup_clnt.h"
#include "rec_stream.h"
#include "rec_type.h"

/* bounce_send_put - BOUNCE_OUT put(): one record to cleanup */
static int
bounce_send_put(void *ctx, int type, const char *data, size_t len)
{
    return rec_put((STREAM *) ctx, type, data, len);
}

/* bounce_send_records - the envelope, the content, the end; 0 or -1 */
static int
bounce_send_records(STREAM *sp, const BOUNCE_CONF *conf,
                    const char *env_sender, const BOUNCE_NOTICE *notice,
                    BOUNCE_LOG_FILE *log, BUF *why)
{
    BOUNCE_OUT out = {bounce_send_put, sp};

    if (rec_printf(sp, REC_TYPE_TIME, "%ld %ld", (long) notice->now.tv_sec,
                   (long) notice->now.tv_usec) < 0
        || rec_puts(sp, REC_TYPE_ATTR, "log_message_origin=local") < 0
        || rec_puts(sp, REC_TYPE_ATTR, "trace_flags=0") < 0
        || rec_puts(sp, REC_TYPE_FROM, env_sender) < 0
        || rec_puts(sp, REC_TYPE_RCPT, notice->to) < 0
        || rec_puts(sp, REC_TYPE_MESG, "") < 0) {
        buf_strcpy(why, "lost connection to cleanup");
        return -1;
    }
    if (bounce_compose(&out, conf, notice, log, why) < 0)
        return -1;
    if (rec_puts(sp, REC_TYPE_XTRA, "") < 0
        || rec_puts(sp, REC_TYPE_END, "") < 0) {
        buf_strcpy(why, "lost connection to cleanup");
        return -1;
    }
    return 0;
}

/* bounce_send - queue one notice */
int
bounce_send(const BOUNCE_CONF *conf, const char *env_sender,
            BOUNCE_NOTICE *notice, BOUNCE_LOG_FILE *log, BUF *new_id,
            BUF *why)
{
    CLEANUP_CLNT *cc;

    if ((cc = cleanup_open(conf->cleanup_path, conf->timeout,
                           conf->cleanup_flags, why)) == NULL)
        return -1;
    buf_strcpy(new_id, cleanup_queue_id(cc));
    notice->notice_id = buf_str(new_id);
    if (bounce_send_records(cleanup_stream(cc), conf, env_sender, notice,
                            log, why) < 0) {
        cleanup_abort(cc);
        return -1;
    }
    return cleanup_close(cc, why) == 0 ? 0 : -1;
}
