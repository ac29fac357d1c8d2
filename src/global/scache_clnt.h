/* scache_clnt - the connection cache protocol: both ends' names, the
 * descriptor passing, and the client that smtp(8) and lmtp(8) use.
 *
 * The scache(8) service (master.cf "scache unix - - n - 1 scache",
 * socket private/$connection_cache_service_name) keeps open SMTP/LMTP
 * sessions between deliveries. A session is stored under its endpoint
 * label (transport, address, port) with the endpoint's properties, and a
 * destination label (transport, next hop) points to the endpoint of the
 * last good session for it. Its protocol, as Debian's Postfix 3.7
 * speaks it (strace; docs/scache.md), in the attribute "null" form
 * (attr.h):
 *
 *   scache: protocol=connection_cache_protocol                (at connect)
 *   client: request=find_dest, label=DEST
 *   scache: status=S, property=DEST_PROP, property=ENDP_PROP
 *           when S is 0: client "dummy=", scache passes the descriptor,
 *           client "dummy="
 *   client: request=find_endp, label=ENDP
 *   scache: status=S, property=ENDP_PROP   (then as find_dest when 0)
 *   client: request=save_dest, ttl=N, label=DEST, property=DEST_PROP,
 *           label=ENDP
 *   scache: status=0
 *   client: request=save_endp, ttl=N, label=ENDP, property=ENDP_PROP
 *   scache: dummy=; the client passes the descriptor; scache: status=0
 *
 * status is 0 (found, saved), 1 (a bad request) or 2 (not found). A
 * descriptor travels as one NUL byte with an SCM_RIGHTS message. A found
 * session leaves the cache: the client owns it, and saves it again after
 * its next transaction if it is still good.
 * Library code: nothing here exits. */
#ifndef SCACHE_CLNT_H
#define SCACHE_CLNT_H

#include "buf.h"
#include "stream.h"

#define SCACHE_PROTOCOL         "connection_cache_protocol"

#define SCACHE_ATTR_PROTOCOL    "protocol"
#define SCACHE_ATTR_REQ         "request"
#define SCACHE_ATTR_TTL         "ttl"
#define SCACHE_ATTR_LABEL       "label"
#define SCACHE_ATTR_PROP        "property"
#define SCACHE_ATTR_STATUS      "status"
#define SCACHE_ATTR_DUMMY       "dummy"

#define SCACHE_REQ_FIND_DEST    "find_dest"
#define SCACHE_REQ_FIND_ENDP    "find_endp"
#define SCACHE_REQ_SAVE_DEST    "save_dest"
#define SCACHE_REQ_SAVE_ENDP    "save_endp"

#define SCACHE_STAT_OK          0
#define SCACHE_STAT_BAD         1
#define SCACHE_STAT_FAIL        2

/* Results of the find functions other than a descriptor. */
#define SCACHE_NOTFOUND         (-1)
#define SCACHE_ERROR            (-2)

typedef struct SCACHE_CLNT SCACHE_CLNT;

/* scache_clnt_create - a client of the service at path (connects on
 * first use), timeout for each exchange */
SCACHE_CLNT *scache_clnt_create(const char *path, int timeout);
void    scache_clnt_free(SCACHE_CLNT *clnt);

/* scache_clnt_find_dest - the session last saved for a destination:
 * its descriptor with the properties in dest_prop and endp_prop,
 * SCACHE_NOTFOUND, or SCACHE_ERROR with the reason in why (the
 * connection to the service is then closed; the next call reconnects) */
int     scache_clnt_find_dest(SCACHE_CLNT *clnt, const char *dest_label,
                              BUF *dest_prop, BUF *endp_prop, BUF *why);

/* scache_clnt_find_endp - the same for an endpoint */
int     scache_clnt_find_endp(SCACHE_CLNT *clnt, const char *endp_label,
                              BUF *endp_prop, BUF *why);

/* scache_clnt_save_dest - point a destination to an endpoint for ttl
 * seconds; 0 or -1 with why */
int     scache_clnt_save_dest(SCACHE_CLNT *clnt, int ttl,
                              const char *dest_label, const char *dest_prop,
                              const char *endp_label, BUF *why);

/* scache_clnt_save_endp - hand the session fd over for ttl seconds; fd
 * is closed in every case; 0 or -1 with why */
int     scache_clnt_save_endp(SCACHE_CLNT *clnt, int ttl,
                              const char *endp_label, const char *endp_prop,
                              int fd, BUF *why);

#endif
