/* verify_clnt - the client side of the address verification protocol.
 *
 * The verify service (verify(8), master.cf "verify unix - - n - 1
 * verify", socket private/$address_verify_service_name) keeps the
 * address cache. Its protocol, observed with Debian's Postfix 3.7
 * (docs/verify.md), one request per exchange:
 *
 *   verify: protocol=address_verification_prrotocol   (sic: Postfix's
 *                                                       spelling)
 *   query:  request=query, address=ADDR
 *   verify: status=0, recipient_status=N, reason=TEXT
 *   update: request=update, address=ADDR, recipient_status=N,
 *           reason=TEXT
 *   verify: status=0
 *
 * smtpd asks (query) for reject_unverified_recipient/_sender; the
 * delivery agents answer a probe (update, from deliver_result.h). The
 * status of an answer is VRFY_STAT_*; the status of an address is
 * VRFY_ADDR_* (Postfix's DEL_RCPT_STAT_* values).
 * Library code: nothing here exits. */
#ifndef VERIFY_CLNT_H
#define VERIFY_CLNT_H

#include "buf.h"

#define VRFY_PROTOCOL           "address_verification_prrotocol"

#define VRFY_REQ_QUERY          "query"
#define VRFY_REQ_UPDATE         "update"

#define VRFY_ATTR_PROTOCOL      "protocol"
#define VRFY_ATTR_REQ           "request"
#define VRFY_ATTR_ADDR          "address"
#define VRFY_ATTR_ADDR_STATUS   "recipient_status"
#define VRFY_ATTR_REASON        "reason"
#define VRFY_ATTR_STATUS        "status"

/* The status of an answer. */
#define VRFY_STAT_OK            0       /* request done */
#define VRFY_STAT_FAIL          (-1)    /* could not talk to the service */
#define VRFY_STAT_BAD           (-2)    /* the service refused the request */

/* The status of an address. */
#define VRFY_ADDR_OK            0       /* deliverable */
#define VRFY_ADDR_DEFER         1       /* a probe failed temporarily */
#define VRFY_ADDR_BOUNCE        2       /* undeliverable */
#define VRFY_ADDR_TODO          3       /* not known yet: probe sent */

/* The text of a new or expired address, as Postfix's service says it. */
#define VRFY_TEXT_IN_PROGRESS   "Address verification in progress"

/* verify_clnt_query - the cached status of addr into *addr_status and
 * its text into reason; VRFY_STAT_OK, or VRFY_STAT_FAIL/_BAD with the
 * reason for the failure in reason */
int     verify_clnt_query(const char *addr, int *addr_status, BUF *reason);

/* verify_clnt_update - record a probe's result for addr; VRFY_STAT_OK,
 * or VRFY_STAT_FAIL/_BAD with the reason in why */
int     verify_clnt_update(const char *addr, int addr_status,
                           const char *text, BUF *why);

/* verify_clnt_path - "private/NAME" of the service into path */
void    verify_clnt_path(BUF *path);

#endif
