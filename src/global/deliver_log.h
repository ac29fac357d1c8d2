/* deliver_log - the per-recipient delivery log line, as Postfix writes it.
 *
 *   QUEUEID: to=<RCPT>, [orig_to=<ORIG>, ]relay=RELAY, [conn_use=N, ]
 *   delay=D, delays=A/B/C/D, dsn=X.Y.Z, status=WORD (REASON)
 *
 * orig_to appears only when the original recipient is set and differs
 * from the recipient; conn_use only when the agent's connection (smtp's,
 * from the connection cache) serves its second or later transaction
 * (DELIVER_TIMES.conn_use > 1).
 * delay is now minus arrival; delays are arrival to
 * active, active to agent, agent to connection set up (0 without one),
 * and the rest up to now. Numbers keep delay_logging_resolution_limit
 * (default 2) digits after the point, trimmed to 2 significant digits
 * below 10 and written without trailing zeros ("0.2", "0.26", "9.2",
 * "47", "0"), as Postfix prints them. pflogsumm, fail2ban and exporters
 * parse these lines (../shared/reference/ecosystem-contracts.md). */
#ifndef DELIVER_LOG_H
#define DELIVER_LOG_H

#include <sys/time.h>

#include "buf.h"
#include "deliver_request.h"
#include "dsn.h"

/* deliver_log - log the line for one recipient at info level; word is
 * "sent", "bounced", "deferred", "deliverable", "undeliverable",
 * "expired" ... */
void    deliver_log(const char *queue_id, const RECIPIENT *rcpt,
                    const char *relay, const DELIVER_TIMES *times,
                    const char *word, const DSN *dsn);


/* deliver_log_format - the same line into bp (without the queue id
 * prefix "ID: "), with now given (for tests) */
void    deliver_log_format(BUF *bp, const RECIPIENT *rcpt, const char *relay,
                           const DELIVER_TIMES *times,
                           const struct timeval *now, const char *word,
                           const DSN *dsn);

/* deliver_delay_format - append one delay in seconds the way the log
 * line writes it */
void    deliver_delay_format(BUF *bp, double seconds);

#endif
