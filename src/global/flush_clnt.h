/* flush_clnt - the client side of the fast flush service protocol.
 *
 * The flush service (flush(8), master.cf "flush unix n - n 1000? 0
 * flush", socket public/$flush_service_name) delivers the deferred mail
 * of one destination or one queue id now: "postqueue -s site",
 * "sendmail -qRsite", SMTP ETRN; "postqueue -i id", "sendmail -qIid".
 * The protocol, observed with Debian's Postfix 3.7 (docs/flush.md):
 *
 *   flush:  protocol=queue_flush_protocol
 *   client: request=add, site=SITE, queue_id=ID   (a deferral) or
 *           request=send_site, site=SITE   or
 *           request=send_file, queue_id=ID   or
 *           request=refresh   or   request=purge
 *   flush:  status=N   (FLUSH_STAT_* below)
 *
 * One request per connection. The service itself decides whether a
 * site is eligible (fast_flush_domains) and answers FLUSH_STAT_DENY when
 * it is not; a client may check first to spare the connection.
 * Library code: nothing here exits. */
#ifndef FLUSH_CLNT_H
#define FLUSH_CLNT_H

#include "buf.h"

#define FLUSH_PROTOCOL          "queue_flush_protocol"

#define FLUSH_REQ_ADD           "add"
#define FLUSH_REQ_SEND_SITE     "send_site"
#define FLUSH_REQ_SEND_FILE     "send_file"
#define FLUSH_REQ_REFRESH       "refresh"
#define FLUSH_REQ_PURGE         "purge"

#define FLUSH_ATTR_PROTOCOL     "protocol"
#define FLUSH_ATTR_REQ          "request"
#define FLUSH_ATTR_SITE         "site"
#define FLUSH_ATTR_QUEUEID      "queue_id"
#define FLUSH_ATTR_STATUS       "status"

/* Results (the service's status values, and FAIL when it is unreachable). */
#define FLUSH_STAT_OK           0       /* request accepted */
#define FLUSH_STAT_FAIL         1       /* could not talk to the service */
#define FLUSH_STAT_UNKNOWN      2       /* no such site or file */
#define FLUSH_STAT_BAD          3       /* malformed request */
#define FLUSH_STAT_DENY         4       /* site not eligible */

/* flush_add - log that the message queue_id has mail deferred for site */
int     flush_add(const char *path, const char *site, const char *queue_id,
                  int timeout, BUF *why);

/* flush_send_site - ask the service at path (e.g. "public/flush") to
 * deliver the mail queued for site; a FLUSH_STAT_* value, with the reason
 * in why for FLUSH_STAT_FAIL */
int     flush_send_site(const char *path, const char *site, int timeout,
                        BUF *why);

/* flush_send_file - the same for the message with this queue id */
int     flush_send_file(const char *path, const char *queue_id, int timeout,
                        BUF *why);

/* flush_refresh - deliver the mail of logs not used for
 * $fast_flush_refresh_time, remove empty logs older than
 * $fast_flush_purge_time (the service answers before it does the work) */
int     flush_refresh(const char *path, int timeout, BUF *why);

/* flush_purge - the same for every log, whatever its age */
int     flush_purge(const char *path, int timeout, BUF *why);

#endif
