/* anvil_clnt - the connection and rate limit service's protocol: both
 * ends' wire form and smtpd's client side.
 *
 * The anvil service (anvil(8), master.cf "anvil unix - - n - 1 anvil",
 * socket private/anvil) counts, per "service:address" ident, the open
 * connections and the connections, messages, recipients, new TLS
 * sessions and AUTH commands per anvil_rate_time_unit. Its protocol, as
 * Debian's Postfix 3.7 speaks it (strace; docs/anvil.md), uses Postfix's
 * "plain" attribute form: each attribute is a "name=value\n" line and an
 * empty line ends a message.
 *
 *   anvil:  protocol=anvil_protocol                 (at connect)
 *   client: request=connect, ident=smtp:192.0.2.1
 *   anvil:  status=0, count=N, rate=N
 *   client: request=disconnect, ident=...           anvil: status=0
 *   client: request=message|recipient|newtls|newtls_status|auth, ident=...
 *   anvil:  status=0, rate=N                        (newtls_status only
 *                                                    reads the rate)
 *   client: request=lookup, ident=...
 *   anvil:  status=0, count, rate, mail, rcpt, newtls, auth
 *
 * An unknown request gets "status=4294967295" (Postfix prints -1 as an
 * unsigned number). A client connection stands for one remote client at
 * a time: when it closes, anvil forgets its open connection.
 * Library code: nothing here exits. */
#ifndef ANVIL_CLNT_H
#define ANVIL_CLNT_H

#include "argv.h"
#include "buf.h"
#include "stream.h"

#define ANVIL_SERVICE           "private/anvil"
#define ANVIL_PROTOCOL          "anvil_protocol"

#define ANVIL_ATTR_PROTOCOL     "protocol"
#define ANVIL_ATTR_REQ          "request"
#define ANVIL_ATTR_IDENT        "ident"
#define ANVIL_ATTR_STATUS       "status"
#define ANVIL_ATTR_COUNT        "count"
#define ANVIL_ATTR_RATE         "rate"
#define ANVIL_ATTR_MAIL         "mail"
#define ANVIL_ATTR_RCPT         "rcpt"
#define ANVIL_ATTR_NTLS         "newtls"
#define ANVIL_ATTR_AUTH         "auth"

#define ANVIL_REQ_CONN          "connect"
#define ANVIL_REQ_DISC          "disconnect"
#define ANVIL_REQ_MAIL          "message"
#define ANVIL_REQ_RCPT          "recipient"
#define ANVIL_REQ_NTLS          "newtls"
#define ANVIL_REQ_NTLS_STAT     "newtls_status"
#define ANVIL_REQ_AUTH          "auth"
#define ANVIL_REQ_LOOKUP        "lookup"

#define ANVIL_STAT_OK           0
#define ANVIL_STAT_FAIL         (-1)
#define ANVIL_STAT_FAIL_TEXT    "4294967295"    /* -1 as Postfix sends it */

/* Limits of the wire form: one line, and attributes per message. */
#define ANVIL_LINE_MAX          1024
#define ANVIL_ATTR_COUNT_MAX    16

/* anvil_proto_send - send one message: pairs of (name, value) strings
 * ended by NULL, then the empty line; flushes; 0 or -1 */
int     anvil_proto_send(STREAM *sp, ...);

/* anvil_proto_read - read one message into pairs (name, value, name,
 * value, ...); the number of attributes, or -1 (EOF, timeout, a line
 * without '=', a line or message over the limits) */
int     anvil_proto_read(STREAM *sp, ARGV *pairs);

/* anvil_proto_find - the value of name in pairs, or NULL */
const char *anvil_proto_find(const ARGV *pairs, const char *name);

/* What a lookup request reports. */
typedef struct ANVIL_COUNTS {
    int     count;                      /* open connections */
    int     rate;                       /* connections per time unit */
    int     mail;                       /* MAIL commands per time unit */
    int     rcpt;                       /* RCPT commands per time unit */
    int     newtls;                     /* new TLS sessions per time unit */
    int     auth;                       /* AUTH commands per time unit */
} ANVIL_COUNTS;

typedef struct ANVIL_CLNT ANVIL_CLNT;

/* anvil_clnt_create - a client of the service at path (relative to the
 * queue directory); connects on first use and keeps the connection */
ANVIL_CLNT *anvil_clnt_create(const char *path, int timeout);
void    anvil_clnt_free(ANVIL_CLNT *clnt);

/* The requests. Each returns ANVIL_STAT_OK with the answer, or
 * ANVIL_STAT_FAIL with the reason in why (a lost connection is retried
 * once on a new one). */
int     anvil_clnt_connect(ANVIL_CLNT *clnt, const char *service,
                           const char *addr, int *count, int *rate,
                           BUF *why);
int     anvil_clnt_disconnect(ANVIL_CLNT *clnt, const char *service,
                              const char *addr, BUF *why);
/* anvil_clnt_rate - request ANVIL_REQ_MAIL, _RCPT, _NTLS, _AUTH (count
 * one event) or _NTLS_STAT (read only): the rate in this time unit */
int     anvil_clnt_rate(ANVIL_CLNT *clnt, const char *request,
                        const char *service, const char *addr, int *rate,
                        BUF *why);
int     anvil_clnt_lookup(ANVIL_CLNT *clnt, const char *service,
                          const char *addr, ANVIL_COUNTS *counts, BUF *why);

#endif
