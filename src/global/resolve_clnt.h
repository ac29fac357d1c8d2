/* resolve_clnt - the client side of trivial-rewrite's "resolve" request
 * (docs/protocols/trivial-rewrite.md): where would mail for an address
 * go, and which address class is it (local, virtual alias, virtual
 * mailbox, relay, default)? smtpd asks this to tell its own and relay
 * destinations from foreign ones.
 *
 * The connection, retries and time limit are those of rewrite_clnt.h
 * (REWRITE_CONN). Library code: nothing here exits. */
#ifndef RESOLVE_CLNT_H
#define RESOLVE_CLNT_H

#include "buf.h"
/* RESOLVE_REPLY, its flags and classes, resolve_reply_init() and
 * resolve_reply_free() are those of the in-process resolver. */
#include "resolve_addr.h"

typedef struct RESOLVE_CLNT RESOLVE_CLNT;

/* resolve_clnt_create - a client for the service socket at path (not
 * connected until the first request) */
RESOLVE_CLNT *resolve_clnt_create(const char *path, int timeout);

/* resolve_clnt_query - resolve addr (internal form) for sender; 0 with
 * the answer in reply (RESOLVE_FLAG_FAIL set when the service could not
 * look the address up), or -1 with the reason in why (service
 * unreachable or misbehaving) */
int     resolve_clnt_query(RESOLVE_CLNT *rc, const char *sender,
                           const char *addr, RESOLVE_REPLY *reply, BUF *why);

void    resolve_clnt_free(RESOLVE_CLNT *rc);

#endif
