/* deliver_result - what an agent does with each recipient's outcome.
 *
 * The one path from "this recipient was delivered / failed / must wait"
 * to the records that keep the promise (docs/protocols/delivery.md):
 *   1. the status service: trace append when the sender asked for
 *      success notices (NOTIFY=SUCCESS) or the request is recorded
 *      (sendmail -v), bounce append for a permanent failure, defer
 *      append for a temporary one (bounce_clnt.h); the agent waits for
 *      its answer, which comes after the service fsync'd its log;
 *   2. the log line, Postfix's format (deliver_log.h);
 *   3. the done mark: the recipient's 'R' record becomes 'D' (sent: when
 *      the request has DEL_REQ_FLAG_SUCCESS; bounced: when it has
 *      DEL_REQ_FLAG_BOUNCE; deferred: never), fsync'd once per request by
 *      deliver_request_done() before the reply. An agent that must mark
 *      later (one recipient, several results) clears the flags in
 *      req->flags around the call.
 * When the status service cannot record a bounce (or a success notice),
 * the recipient is deferred instead (nothing is lost: it will be tried
 * again). A status of the wrong class is replaced by X.0.0 with
 * Postfix's warning. For a verification request only the trace service
 * (sendmail -bv) or the verify service (an address probe,
 * DEL_REQ_FLAG_MTA_VRFY) is told, the log says "deliverable" or
 * "undeliverable", and the recipient is finished and marked like a sent
 * one or a bounced one (as Postfix 3.7's agents do; a temporary failure
 * too).
 * Each function updates req->status and returns 0 when the recipient is
 * finished, or -1 when it stays to be tried again. */
#ifndef DELIVER_RESULT_H
#define DELIVER_RESULT_H

#include "deliver_request.h"
#include "dsn.h"

/* deliver_verify_report - a verification request's result without an
 * agent's request (qmgr's own deferrals and bounces): to the trace
 * service (sendmail -bv) or the verify service (a probe), then the log
 * line ("deliverable", "undeliverable"); dsn->action is set. 0 when
 * reported (the caller marks the recipient done), -1 after a warning */
int     deliver_verify_report(int flags, const char *queue_id,
                              const RECIPIENT *rcpt, const char *relay,
                              const DELIVER_TIMES *times, DSN *dsn,
                              int addr_status);

/* deliver_sent - delivered (status=sent); relay is the log's relay=
 * ("local", "virtual", "none", "host[addr]:port", a pipe service) */
int     deliver_sent(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                     const char *relay, const DSN *dsn);

/* deliver_bounced - failed for good (status=bounced) */
int     deliver_bounced(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                        const char *relay, const DSN *dsn);

/* deliver_deferred - try again later (status=deferred) */
int     deliver_deferred(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                         const char *relay, const DSN *dsn);

/* deliver_result - one of the three by the class of dsn->status ('2',
 * '4', '5'; anything else is treated as '4') */
int     deliver_result(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                       const char *relay, const DSN *dsn);

#endif
