/* mail_submit - what sendmail and postdrop share: who submits, whether
 * they may, and the postdrop protocol.
 *
 * Local submission: sendmail reads the message and pipes a record stream
 * to "postdrop -r", which writes it into the maildrop queue. The protocol
 * (Postfix's, observed with Debian's Postfix 3.7; docs/sendmail.md):
 *
 *   postdrop -> sendmail   protocol=postdrop_protocol, queue_id=ID
 *   sendmail -> postdrop   the queue file records without the arrival
 *                          time: envelope (A, F, S, V, R ...), M, content
 *                          (N, L), X, extracted (R ...), E
 *   postdrop -> sendmail   status=0|1, reason=TEXT
 *
 * Attributes use the null form of attr.h. Library code: nothing here
 * exits. */
#ifndef MAIL_SUBMIT_H
#define MAIL_SUBMIT_H

#include <sys/types.h>

#include "buf.h"

#define MAIL_SUBMIT_PROTOCOL    "postdrop_protocol"
#define MAIL_ATTR_PROTO         "protocol"
#define MAIL_ATTR_QUEUEID       "queue_id"
#define MAIL_ATTR_STATUS        "status"
#define MAIL_ATTR_REASON        "reason"

/* mail_submit_login - the login name of uid into login; 0, or -1 with
 * the reason in why */
int     mail_submit_login(uid_t uid, BUF *login, BUF *why);

/* mail_submit_check - whether login (uid) may submit mail, by the
 * authorized_submit_users list patterns (a MATCH_STRING list): 0 yes,
 * -1 no, with Postfix's "User NAME(UID) is not allowed to submit mail"
 * or a table failure in why */
int     mail_submit_check(const char *patterns, const char *login, uid_t uid,
                          BUF *why);

#endif
