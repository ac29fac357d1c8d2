/* deliver_pass - hand one recipient of a delivery request to the agent
 * of another transport, as Postfix's local(8) does for
 * mailbox_transport and fallback_transport.
 *
 * The agent that holds a request (local) becomes qmgr for one
 * recipient: it connects to private/TRANSPORT, reads the greeting and
 * sends the same request (deliver_request_send(): the same queue file,
 * message attributes and flags) with the other next-hop and that one
 * recipient, whose offset is DELIVER_OFFSET_NONE (deliver_request.h),
 * then waits for the reply (deliver_reply_read()). The other agent
 * reports the recipient itself (status service, log line), but does not
 * mark it done: the caller marks its own recipient when everything it
 * expanded to is finished. As observed with Debian's Postfix 3.7
 * (docs/local.md):
 *
 *   postfix/local[31248]: 5B4E6A8221B: passing <pfc1@mx.example.test>
 *       to transport=discard
 *   postfix/discard[31249]: 5B4E6A8221B: to=<pfc1@mx.example.test>,
 *       orig_to=<pfc1>, relay=none, ..., status=sent (mbox discarded here)
 *
 * Library code: nothing here exits. */
#ifndef DELIVER_PASS_H
#define DELIVER_PASS_H

#include "buf.h"
#include "deliver_request.h"

/* The result of a hand-off. */
#define DELIVER_PASS_OK         0       /* the other agent finished the
                                         * recipient (sent, or bounced and
                                         * recorded) */
#define DELIVER_PASS_DEFER      1       /* it deferred the recipient and
                                         * recorded that */
#define DELIVER_PASS_UNKNOWN    (-1)    /* no result (no such transport,
                                         * no answer): the caller must
                                         * defer the recipient itself */

/* deliver_pass_split - the transport and next-hop of service
 * ("transport" or "transport:nexthop"; without a next-hop, or with an
 * empty one, def_nexthop) into the BUFs; 0, or -1 with the reason in why
 * when the transport name is empty or not a plain service name */
int     deliver_pass_split(const char *service, const char *def_nexthop,
                           BUF *transport, BUF *nexthop, BUF *why);

/* deliver_pass - log "QID: passing <ADDR> to transport=NAME", hand rcpt
 * of req to private/NAME (relative to the current directory, the queue
 * directory of a daemon) and wait for the result: the connection, the
 * greeting and the request take at most $ipc_timeout each, the reply (the
 * other agent's whole delivery) at most $daemon_timeout. A result of
 * DELIVER_PASS_*, with the reason in why for DELIVER_PASS_UNKNOWN. */
int     deliver_pass(const char *service, const DELIVER_REQUEST *req,
                     const RECIPIENT *rcpt, BUF *why);

#endif
