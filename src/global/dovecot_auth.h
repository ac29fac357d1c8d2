/* dovecot_auth - the client side of Dovecot's authentication protocol
 * (auth-client protocol 1.x), as Postfix's smtpd speaks it for
 * smtpd_sasl_type = dovecot.
 *
 * Lines are TAB-separated fields ending in LF; values are escaped with
 * \001 (\0011 = \001, \001t = TAB, \001n = LF, \001r = CR). The exchange:
 *
 *   client: VERSION 1 2            CPID <pid>
 *   server: VERSION 1 <minor>      MECH <name> [flags...] (one per
 *           mechanism)             SPID, CUID, COOKIE     DONE
 *   client: AUTH <id> <MECH> service=smtp nologin lip=<ip> rip=<ip>
 *           [secured] [resp=<base64>]
 *   server: CONT <id> <base64>     (client: CONT <id> <base64> ...)
 *        or OK <id> user=<name> ...
 *        or FAIL <id> [user=<name>] [reason=<text>] [temp] ...
 *
 * Everything the server sends is checked: a line longer than
 * DOVECOT_AUTH_LINE_MAX, a VERSION other than 1, a reply for another
 * request, a challenge that is not base64, a user name with control
 * characters are protocol errors; unknown commands are ignored during
 * the handshake, as the protocol asks. Each read and write has the
 * caller's time limit. Library code: nothing here exits; errors go into
 * the caller's BUF *why. */
#ifndef DOVECOT_AUTH_H
#define DOVECOT_AUTH_H

#include <stdbool.h>

#include "buf.h"
#include "stream.h"

#define DOVECOT_AUTH_LINE_MAX   65536
#define DOVECOT_AUTH_MECH_MAX   64

/* Mechanism flags (MECH lines). */
#define DOVECOT_MECH_ANONYMOUS  (1 << 0)
#define DOVECOT_MECH_PLAINTEXT  (1 << 1)
#define DOVECOT_MECH_DICTIONARY (1 << 2)
#define DOVECOT_MECH_ACTIVE     (1 << 3)
#define DOVECOT_MECH_FWD_SECRECY (1 << 4)
#define DOVECOT_MECH_MUTUAL     (1 << 5)
#define DOVECOT_MECH_PRIVATE    (1 << 6)

typedef struct DOVECOT_MECH {
    char   *name;
    int     flags;
} DOVECOT_MECH;

/* Results of a request step. */
#define DOVECOT_AUTH_OK         0       /* reply->user: who logged in */
#define DOVECOT_AUTH_CONT       1       /* reply->data: base64 challenge */
#define DOVECOT_AUTH_FAIL       2       /* reply->user, reply->reason */
#define DOVECOT_AUTH_TEMP       3       /* FAIL with "temp" */
#define DOVECOT_AUTH_ERROR      (-1)    /* I/O or protocol error: why */

typedef struct DOVECOT_AUTH_REPLY {
    BUF    *data;                       /* CONT: the challenge */
    BUF    *user;                       /* OK, FAIL: user=, or empty */
    BUF    *reason;                     /* FAIL: reason=, or empty */
} DOVECOT_AUTH_REPLY;

/* The AUTH request. */
typedef struct DOVECOT_AUTH_REQ {
    const char *mech;
    const char *service;                /* "smtp" */
    const char *local_ip;               /* NULL: not sent */
    const char *remote_ip;              /* NULL: not sent */
    bool    secured;                    /* the session is encrypted */
    const char *resp;                   /* initial response, base64
                                         * (may be ""); NULL: none */
} DOVECOT_AUTH_REQ;

typedef struct DOVECOT_AUTH DOVECOT_AUTH;

/* dovecot_auth_connect - connect to path ("inet:host:port", or a UNIX
 * socket path, relative to the current directory) and do the
 * handshake; NULL with why */
DOVECOT_AUTH *dovecot_auth_connect(const char *path, int timeout, BUF *why);

/* dovecot_auth_open - the handshake over a connected stream (owned from
 * now on, also on failure); NULL with why */
DOVECOT_AUTH *dovecot_auth_open(STREAM *stream, int timeout, BUF *why);
void    dovecot_auth_close(DOVECOT_AUTH *auth);

/* The mechanisms the server offered, in its order. */
int     dovecot_auth_mech_count(const DOVECOT_AUTH *auth);
const DOVECOT_MECH *dovecot_auth_mech(const DOVECOT_AUTH *auth, int index);

/* dovecot_auth_start - send AUTH and read the answer (DOVECOT_AUTH_*) */
int     dovecot_auth_start(DOVECOT_AUTH *auth, const DOVECOT_AUTH_REQ *req,
                           DOVECOT_AUTH_REPLY *reply, BUF *why);

/* dovecot_auth_continue - send the client's base64 response to the last
 * CONT and read the answer (DOVECOT_AUTH_*) */
int     dovecot_auth_continue(DOVECOT_AUTH *auth, const char *resp,
                              DOVECOT_AUTH_REPLY *reply, BUF *why);

void    dovecot_auth_reply_init(DOVECOT_AUTH_REPLY *reply);
void    dovecot_auth_reply_free(DOVECOT_AUTH_REPLY *reply);

#endif
