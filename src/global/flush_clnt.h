/* flush_clnt - the client side of the fast flush service protocol.
 *
 * The flush service (flush(8), master.cf "flush unix n - n 1000? 0
 * flush", socket public/$flush_service_name) delivers the deferred mail
 * of one destination or one queue id now: "postqueue -s site",
 * "sendmail -qRsite", SMTP ETRN; "postqueue -i id", "sendmail -qIid".
 * The protocol, observed with Debian's Postfix 3.7 (docs/queue-tools.md):
 *
 *   flush:  protocol=queue_flush_protocol
 *   client: request=send_site, site=SITE   or
 *           request=send_file, queue_id=ID
 *   flush:  status=N   (FLUSH_STAT_* below)
 *
 * One request per connection. Whether a site is eligible
 * (fast_flush_domains) is for the caller to check first, as Postfix's
 * clients do. Library code: nothing here exits. */
#ifndef FLUSH_CLNT_H
#define FLUSH_CLNT_H

#include "buf.h"

#define FLUSH_PROTOCOL          "queue_flush_protocol"

#define FLUSH_REQ_SEND_SITE     "send_site"
#define FLUSH_REQ_SEND_FILE     "send_file"

/* Results (the service's status values, and FAIL when it is unreachable). */
#define FLUSH_STAT_OK           0       /* request accepted */
#define FLUSH_STAT_FAIL         1       /* could not talk to the service */
#define FLUSH_STAT_UNKNOWN      2       /* no such site or file */
#define FLUSH_STAT_BAD          3       /* malformed request */
#define FLUSH_STAT_DENY         4       /* site not eligible */

/* flush_send_site - ask the service at path (e.g. "public/flush") to
 * deliver the mail queued for site; a FLUSH_STAT_* value, with the reason
 * in why for FLUSH_STAT_FAIL */
int     flush_send_site(const char *path, const char *site, int timeout,
                        BUF *why);

/* flush_send_file - the same for the message with this queue id */
int     flush_send_file(const char *path, const char *queue_id, int timeout,
                        BUF *why);

#endif
