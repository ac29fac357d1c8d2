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
#include "stream.h"

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

/* The submitting side of the protocol (mail_submit_clnt.c), shared by
 * sendmail and by smtpd in stand-alone mode (sendmail -bs): a running
 * "postdrop -r" that has announced its queue id. */
typedef struct MAIL_SUBMIT MAIL_SUBMIT;

/* mail_submit_env - the environment of a program that sendmail or smtpd
 * runs (postdrop, newaliases, postqueue, smtpd): MAIL_CONFIG, LANG=C,
 * PATH, and TZ when set; built once */
char  **mail_submit_env(void);

/* mail_submit_open - run postdrop (its path) with "-r" and read its
 * greeting; NULL with the reason in why */
MAIL_SUBMIT *mail_submit_open(const char *postdrop, BUF *why);

/* mail_submit_stream - where the records go */
STREAM *mail_submit_stream(MAIL_SUBMIT *ms);

/* mail_submit_queue_id - the maildrop queue id postdrop announced */
const char *mail_submit_queue_id(const MAIL_SUBMIT *ms);

/* mail_submit_close - after the end record: postdrop's verdict; 0 when
 * the message is in maildrop, -1 with postdrop's reason (or what went
 * wrong) in why. Frees ms. */
int     mail_submit_close(MAIL_SUBMIT *ms, BUF *why);

/* mail_submit_abort - give up: postdrop sees the input end before the
 * end record and removes its file; waits for it. Frees ms. */
void    mail_submit_abort(MAIL_SUBMIT *ms);

#endif
