/* rewrite_clnt - the trivial-rewrite protocol: its names, the connection
 * that all its clients share (REWRITE_CONN, also used by resolve_clnt),
 * and the client side of the "rewrite" request
 * (docs/protocols/trivial-rewrite.md).
 *
 * A REWRITE_CLNT keeps one connection to private/$rewrite_service_name
 * (relative to the queue directory, which is every daemon's working
 * directory, chrooted or not) and remembers the last answer, as the same
 * address is often rewritten several times in a row (envelope, then
 * headers). A broken connection (trivial-rewrite restarts after a table
 * change) is reopened and the request sent again; when the service stays
 * unreachable for about `timeout' seconds the call fails, and the caller
 * defers its work (cleanup answers a temporary error) instead of
 * guessing. Library code: nothing here exits. */
#ifndef REWRITE_CLNT_H
#define REWRITE_CLNT_H

#include "buf.h"
#include "stream.h"

#define REWRITE_PROTOCOL        "trivial_rewrite_protocol"

/* Attribute names and request names. */
#define REWRITE_ATTR_PROTOCOL   "protocol"
#define REWRITE_ATTR_REQUEST    "request"
#define REWRITE_ATTR_RULE       "rule"
#define REWRITE_ATTR_ADDR       "address"
#define REWRITE_ATTR_SENDER     "sender"
#define REWRITE_ATTR_FLAGS      "flags"
#define REWRITE_ATTR_TRANSPORT  "transport"
#define REWRITE_ATTR_NEXTHOP    "nexthop"
#define REWRITE_ATTR_RECIPIENT  "recipient"
#define REWRITE_REQ_REWRITE     "rewrite"
#define REWRITE_REQ_RESOLVE     "resolve"
#define REWRITE_REQ_RESOLVE_SEND    "resolve_send"
#define REWRITE_REQ_RESOLVE_VERIFY  "resolve_verify"

/* Rewrite contexts ("rule" values). */
#define REWRITE_LOCAL           "local"
#define REWRITE_REMOTE          "remote"

/* REWRITE_CONN - one connection to trivial-rewrite, shared by the
 * clients of its requests (rewrite_clnt, resolve_clnt): connect and
 * check the greeting on first use; when a request fails, reconnect and
 * ask again until about `timeout' seconds have passed. */
typedef struct REWRITE_CONN REWRITE_CONN;

/* REWRITE_CONN_ASK - send one request on sp and read its answer; 0, or
 * -1 when the connection failed or the answer is malformed */
typedef int (*REWRITE_CONN_ASK) (STREAM *sp, void *ctx);

/* rewrite_conn_create - a connection to path, not yet opened */
REWRITE_CONN *rewrite_conn_create(const char *path, int timeout);

/* rewrite_conn_request - run ask (with ctx) on the connection, with the
 * retries above; 0, or -1 with "PATH: lost connection during WHAT
 * request" (or the connect error) in why */
int     rewrite_conn_request(REWRITE_CONN *conn, REWRITE_CONN_ASK ask,
                             void *ctx, const char *what, BUF *why);

void    rewrite_conn_free(REWRITE_CONN *conn);

typedef struct REWRITE_CLNT REWRITE_CLNT;

/* rewrite_clnt_create - a client for the service socket at path (not
 * connected until the first request) */
REWRITE_CLNT *rewrite_clnt_create(const char *path, int timeout);

/* rewrite_clnt_external - rewrite an address in external (quoted) form
 * in context rule; the result, also external, goes to result. 0, or -1
 * with the reason in why (service unreachable or misbehaving). */
int     rewrite_clnt_external(REWRITE_CLNT *rc, const char *rule,
                              const char *addr, BUF *result, BUF *why);

/* rewrite_clnt_internal - the same for an address in internal form
 * (unquoted local part, as in queue files): quoted before the request,
 * unquoted after it */
int     rewrite_clnt_internal(REWRITE_CLNT *rc, const char *rule,
                              const char *addr, BUF *result, BUF *why);

void    rewrite_clnt_free(REWRITE_CLNT *rc);

#endif
