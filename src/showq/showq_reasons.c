/* showq_reasons - the delay reasons of a message from its defer log.
 *
 * Model: Debian's Postfix 3.7 showq with defer logs made for the
 * purpose (docs/queue-tools.md). Every record of defer/H/ID is listed, in the
 * log's order, as the recipient it names (as written, made printable)
 * with its reason; duplicates are listed twice. A record is matched to
 * the queue file's recipients by address only (not by offset): a queue
 * file recipient whose external form equals a logged address is not
 * listed again. An empty reason reads "(description unavailable)"; an
 * empty recipient "<>" (the form the defer service writes).
 * The log reader is bounce_log.c, shared with the bounce service. */
#include <errno.h>

#include "bounce_log.h"
#include "msg.h"
#include "showq.h"

#define SHOWQ_NO_REASON     "(description unavailable)"
#define SHOWQ_NULL_RCPT     "<>"

/* showq_reasons - list the defer log's recipients with their reasons */
void
showq_reasons(const SHOWQ *sq, const char *id, SHOWQ_MSG *msg, HTABLE *seen)
{
    BUF    *why = buf_alloc(100);
    BUF    *addr = buf_alloc(64);
    BUF    *reason = buf_alloc(100);
    BOUNCE_LOG_FILE *bl;
    const RECIPIENT *rcpt;
    const DSN *dsn;

    if ((bl = bounce_log_open(&sq->queue, MAIL_QUEUE_DEFER, id, why)) == NULL) {
        if (errno != ENOENT)
            msg_warn("%s: defer log: %s", id, buf_str(why));
    } else {
        while (bounce_log_read(bl, &rcpt, &dsn) > 0) {
            buf_strcpy(addr, *rcpt->address ? rcpt->address : SHOWQ_NULL_RCPT);
            buf_strcpy(reason, *dsn->reason ? dsn->reason : SHOWQ_NO_REASON);
            msg_printable(buf_str(addr), buf_len(addr));
            msg_printable(buf_str(reason), buf_len(reason));
            showq_msg_add_rcpt(msg, buf_str(addr), buf_str(reason));
            if (htable_locate(seen, buf_str(addr)) == NULL)
                htable_enter(seen, buf_str(addr), NULL);
        }
        bounce_log_close(bl);
    }
    buf_free(why);
    buf_free(addr);
    buf_free(reason);
}
