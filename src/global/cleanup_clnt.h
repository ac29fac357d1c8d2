/* cleanup_clnt - the client side of the cleanup protocol.
 *
 * Every program that queues mail (pickup, later smtpd and qmqpd) hands
 * the message to the cleanup service this way (docs/protocols/cleanup.md,
 * names and bits in cleanup_user.h):
 *
 *   cc = cleanup_open("public/cleanup", timeout, flags, why);
 *   ... rec_put(cleanup_stream(cc), ...) envelope, 'M', content, 'X',
 *       extracted records, and last the 'E' record ...
 *   status = cleanup_close(cc, reason);
 *
 * cleanup_open() connects, reads the greeting (the protocol name and the
 * queue id cleanup chose, for the client's log lines and Received:
 * header) and sends the request flags. cleanup_close() reads the verdict:
 * 0 when the message is safely queued (only then may the client forget
 * it), otherwise CLEANUP_STAT_* bits and a reason. A client that finds a
 * problem half-way drops the connection with cleanup_abort() instead:
 * cleanup then discards the partial message.
 *
 * The timeout limits the connect and each read or write. Anything that
 * goes wrong on the connection (refused, lost, timed out, a malformed
 * reply) is a temporary failure: NULL from cleanup_open(), or
 * CLEANUP_STAT_WRITE from cleanup_close(), with a reason in Postfix's
 * words ("queue file write error") and the details.
 *
 * cleanup_override() applies receive_override_options to request flags.
 * Library code: nothing here exits. */
#ifndef CLEANUP_CLNT_H
#define CLEANUP_CLNT_H

#include "buf.h"
#include "cleanup_user.h"
#include "stream.h"

typedef struct CLEANUP_CLNT CLEANUP_CLNT;

/* cleanup_open - connect to the cleanup service at service_path (e.g.
 * "public/cleanup", relative to the queue directory), check the
 * greeting, send flags; NULL with the reason in why */
CLEANUP_CLNT *cleanup_open(const char *service_path, int timeout,
                           int flags, BUF *why);

/* cleanup_queue_id - the queue id cleanup gave the new message */
const char *cleanup_queue_id(const CLEANUP_CLNT *cc);

/* cleanup_stream - where the client writes the records */
STREAM *cleanup_stream(CLEANUP_CLNT *cc);

/* cleanup_close - after the 'E' record: the status cleanup answered
 * (0: queued), with its reason (or the text of the status bits when it
 * gave none) in reason; CLEANUP_STAT_WRITE when the connection failed.
 * Frees cc in every case. */
int     cleanup_close(CLEANUP_CLNT *cc, BUF *reason);

/* cleanup_abort - drop the connection before the 'E' record, so that
 * cleanup discards the message; frees cc */
void    cleanup_abort(CLEANUP_CLNT *cc);

/* cleanup_override - flags without what the receive_override_options
 * text switches off (no_address_mappings, no_header_body_checks,
 * no_milters; no_unknown_recipient_checks concerns smtpd only); -1 with
 * the reason in why for an unknown word */
int     cleanup_override(int flags, const char *options, BUF *why);

#endif
