/* dsn_buf - a delivery status under construction, owned by its builder.
 *
 * The parts of a DSN (dsn.h) in buffers: the enhanced status code, the
 * reason text and the diagnostic; a delivery step fills them, the agent
 * hands a borrowed DSN view to deliver_result.h. Shared by the mailbox,
 * file and command writers (mail_copy, mbox_open, maildir, pipe_command)
 * and the agents that use them (local, virtual, pipe).
 *
 * Command failures carry the diagnostic type "x-unix" and the command's
 * output (or the sysexits.h text) as diagnostic text, as Postfix's local
 * and pipe report them. Library code: nothing here exits. */
#ifndef DSN_BUF_H
#define DSN_BUF_H

#include "buf.h"
#include "dsn.h"
#include "msg.h"

typedef struct DSN_BUF {
    BUF    *status;                     /* "5.2.0" */
    BUF    *reason;                     /* human text */
    BUF    *dtype;                      /* "x-unix" or "" */
    BUF    *dtext;                      /* diagnostic text or "" */
} DSN_BUF;

#define DSB_TYPE_UNIX   "x-unix"

DSN_BUF *dsb_create(void);
void    dsb_free(DSN_BUF *dsb);
void    dsb_reset(DSN_BUF *dsb);

/* dsb_simple - status and reason, no diagnostic */
void    dsb_simple(DSN_BUF *dsb, const char *status, const char *fmt, ...)
            MSG_PRINTF(3, 4);

/* dsb_unix - status, reason and an "x-unix" diagnostic */
void    dsb_unix(DSN_BUF *dsb, const char *status, const char *dtext,
                 const char *fmt, ...) MSG_PRINTF(4, 5);

/* dsb_prepend - put formatted text before the reason */
void    dsb_prepend(DSN_BUF *dsb, const char *fmt, ...) MSG_PRINTF(2, 3);

/* dsb_dsn - a borrowed view for deliver_result.h, valid while dsb is
 * unchanged; action as dsn.h */
const DSN *dsb_dsn(const DSN_BUF *dsb, DSN *dsn, const char *action);

/* dsn_errno_status - the status of a failed file operation: 4.2.0 for a
 * lock held or a stale NFS handle (EAGAIN, ESTALE), 4.3.0 for a full
 * disk (ENOSPC), 5.2.2 for a full mailbox (EDQUOT, EFBIG), else def */
const char *dsn_errno_status(int err, const char *def);

/* dsb_status_class - '2', '4' or '5' of the status (4 when malformed) */
int     dsb_status_class(const DSN_BUF *dsb);

#endif
