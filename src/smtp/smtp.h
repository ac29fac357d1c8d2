/* smtp - the parts of the SMTP/LMTP delivery agent and what they share.
 *
 * One program, two protocols, as Postfix's smtp(8): the master.cf
 * service name or the program name "lmtp" selects LMTP (LHLO, port 24,
 * one reply per recipient after the message, lmtp_* parameters, no MX
 * lookups, unix:/path next hops); anything else is SMTP. The parts:
 *   smtp.c          the skeleton and one delivery request
 *   smtp_conf.c     the parameters of the chosen protocol
 *   smtp_nexthop.c  next-hop syntax ("[host]:port", "unix:/path", ...)
 *   smtp_addr.c     a next hop into the addresses to try
 *   smtp_connect.c  each address in turn until a session is done
 *   smtp_reply.c    reading one reply, safely
 *   smtp_session.c  greeting, EHLO/HELO/LHLO, the features offered
 *   smtp_trans.c    MAIL, RCPT, DATA, the end of data
 *   smtp_data.c     the message content, dot-stuffed, long lines broken
 *   smtp_8bit.c     8-bit content as quoted-printable (no 8BITMIME)
 *   smtp_rcpt.c     per-recipient outcomes and their final report
 *   smtp_xtext.c    RFC 3461 xtext for ORCPT and ENVID
 *   smtp_reuse.c    the connection cache: reuse and save sessions
 *   smtp_sasl.c     AUTH with PLAIN or LOGIN, the credentials tables
 *   smtp_tls.c      STARTTLS: security levels, policy table, checks
 * docs/smtp.md says what is Postfix's behaviour and where Postern
 * differs. */
#ifndef SMTP_H
#define SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#include "buf.h"
#include "deliver_request.h"
#include "dsn_buf.h"
#include "mail_queue.h"
#include "stream.h"
#include "tls.h"

/* The settings of the protocol in use (smtp_* or lmtp_* parameters). */
typedef struct SMTP_CONF {
    bool    lmtp;                       /* LMTP (RFC 2033) */
    const char *proto;                  /* "smtp" or "lmtp", for logging */
    const char *service;                /* master.cf name (cache labels) */
    MAIL_QUEUE_CONF queue;
    const char *helo_name;              /* smtp_helo_name / lmtp_lhlo_name */
    const char *fallback_relay;         /* smtp_fallback_relay */
    int     connect_timeout;
    int     helo_timeout;
    int     mail_timeout;
    int     rcpt_timeout;
    int     data_init_timeout;
    int     data_xfer_timeout;
    int     data_done_timeout;
    int     quit_timeout;
    int     line_limit;                 /* smtp_line_length_limit (output) */
    int     session_limit;              /* smtp_mx_session_limit */
    int     skip_5xx_greeting;          /* bool, as the parameters */
    int     never_send_ehlo;            /* bool */
    /* The connection cache (smtp_reuse.c). */
    const char *cache_dest;             /* smtp_connection_cache_destinations */
    int     cache_on_demand;            /* bool */
    int     cache_time_limit;           /* how long a session waits */
    int     reuse_time_limit;           /* no reuse after this age */
    int     reuse_count_limit;          /* 0: no limit */
    int     rset_timeout;               /* RSET before reuse */
    /* SASL authentication (smtp_sasl.c). */
    int     sasl_enable;                /* smtp_sasl_auth_enable */
    int     sasl_soft_bounce;           /* smtp_sasl_auth_soft_bounce */
    int     sender_auth;                /* smtp_sender_dependent_auth... */
    const char *sasl_passwd_maps;       /* smtp_sasl_password_maps */
    const char *sasl_mech_filter;       /* smtp_sasl_mechanism_filter */
    const char *sasl_sec_opts;          /* smtp_sasl_security_options */
    const char *sasl_tls_sec_opts;      /* smtp_sasl_tls_security_options */
} SMTP_CONF;

extern SMTP_CONF smtp_conf;

/* smtp_conf_init - read the parameters of the protocol chosen by the
 * service and program names */
void    smtp_conf_init(const char *service, const char *program);

/* A parsed next hop. */
typedef struct SMTP_NEXTHOP {
    bool    is_unix;                    /* lmtp "unix:/path" */
    bool    bracketed;                  /* "[host]": no MX lookup */
    char   *host;                       /* host, or the socket path */
    unsigned port;                      /* 0 for a unix socket */
} SMTP_NEXTHOP;

/* smtp_nexthop_parse - parse text ("[host]:port", "host:port", "host",
 * for LMTP also "inet:..." and "unix:/path"; IPv6 literals as
 * "[ipv6:addr]" or "[addr]"); def_port when none is given. 0, or -1 with
 * the reason in why. */
int     smtp_nexthop_parse(const char *text, bool lmtp, unsigned def_port,
                           SMTP_NEXTHOP *hop, BUF *why);
void    smtp_nexthop_free(SMTP_NEXTHOP *hop);

/* One address to try. */
typedef struct SMTP_ADDR {
    char   *name;                       /* host name for logs */
    int     family;                     /* AF_INET, AF_INET6, AF_UNIX */
    char    text[INET6_ADDRSTRLEN];     /* numeric address, or "" */
    const char *path;                   /* AF_UNIX: the socket (hop's) */
    unsigned port;
} SMTP_ADDR;

typedef struct SMTP_ADDR_LIST {
    SMTP_ADDR *addr;
    size_t  count;
} SMTP_ADDR_LIST;

/* smtp_addr_list - the addresses of hop: a numeric literal without DNS,
 * a unix socket as is, a name through mx_addr_lookup(). 0, or -1 with
 * the DSN in why. */
int     smtp_addr_list(const SMTP_NEXTHOP *hop, SMTP_ADDR_LIST *list,
                       DSN_BUF *why);
void    smtp_addr_list_free(SMTP_ADDR_LIST *list);

/* One reply: code, enhanced status, and the text, lines joined. */
typedef struct SMTP_REPLY {
    int     code;                       /* 100..999 */
    char    status[DSN_STATUS_SIZE];    /* "2.0.0"; derived when absent */
    BUF    *text;                       /* whole reply, lines joined by
                                         * a space, at most the cap */
    BUF    *line;                       /* scratch: the current line */
    BUF    *lines;                      /* multi-line text, '\n' apart */
    const char *peer;                   /* "host[addr]:port" for warnings */
} SMTP_REPLY;

#define SMTP_REPLY_LINES_MAX    1000    /* more is a hostile peer */

/* Results of smtp_reply_read(). */
#define SMTP_REPLY_OK           0
#define SMTP_REPLY_TIMEOUT      (-1)
#define SMTP_REPLY_LOST         (-2)
#define SMTP_REPLY_TOOLONG      (-3)

SMTP_REPLY *smtp_reply_alloc(void);
void    smtp_reply_free(SMTP_REPLY *reply);

/* smtp_reply_read - read one reply (all its lines) from sp: each line
 * cut at line_limit bytes (the rest skipped), the stored text cut at
 * text_limit bytes, lines without a code skipped; at most
 * SMTP_REPLY_LINES_MAX lines. */
int     smtp_reply_read(STREAM *sp, SMTP_REPLY *reply, size_t line_limit,
                        size_t text_limit);

/* smtp_reply_status - the enhanced status code after the reply
 * code in text, else the class digit and ".0.0" */
void    smtp_reply_status(SMTP_REPLY *reply);

/* Per-recipient state during a delivery. */
typedef struct SMTP_RCPT {
    RECIPIENT *rcpt;
    bool    done;                       /* reported */
    bool    sent;                       /* RCPT sent this transaction */
    bool    accepted;                   /* RCPT got 2xx this transaction */
    DSN_BUF *dsb;                       /* the latest soft failure */
    BUF    *relay;                      /* its relay= text */
    BUF    *mname;                      /* its remote MTA */
} SMTP_RCPT;

/* Features offered in the EHLO/LHLO reply. */
#define SMTP_FEAT_ESMTP         (1<<0)
#define SMTP_FEAT_PIPELINING    (1<<1)
#define SMTP_FEAT_SIZE          (1<<2)
#define SMTP_FEAT_8BITMIME      (1<<3)
#define SMTP_FEAT_DSN           (1<<4)
#define SMTP_FEAT_SMTPUTF8      (1<<5)
#define SMTP_FEAT_AUTH          (1<<6)
#define SMTP_FEAT_STARTTLS      (1<<7)

/* TLS security levels (smtp_tls.c), weakest first. */
#define SMTP_TLS_NONE           0
#define SMTP_TLS_MAY            1       /* also "dane" */
#define SMTP_TLS_ENCRYPT        2
#define SMTP_TLS_VERIFY         3
#define SMTP_TLS_SECURE         4
#define SMTP_TLS_BAD            5       /* not supported: defer */

/* The TLS policy of the next hop being tried; strings NULL when the
 * policy table did not set them. */
typedef struct SMTP_TLS_POLICY {
    int     level;                      /* SMTP_TLS_* */
    char   *match;                      /* match=, ':'-separated */
    char   *protocols;
    char   *ciphers;
    char   *exclude;
    char   *servername;
    char   *nexthop;                    /* the hop's host, for "nexthop" */
} SMTP_TLS_POLICY;

/* The state of one delivery request and its current session. */
typedef struct SMTP_STATE {
    DELIVER_REQUEST *req;
    SMTP_RCPT *rcpts;
    int     pending;                    /* recipients not yet reported */
    bool    final;                      /* the last address to try */
    bool    handshake;                  /* a session got past HELO */
    /* The session. */
    STREAM *sp;
    bool    broken;                     /* lost, timed out: no QUIT */
    const SMTP_ADDR *addr;
    BUF    *namaddr;                    /* "host[addr]" */
    BUF    *relay;                      /* "host[addr]:port" */
    int     features;
    long    size_limit;                 /* SIZE N, 0: none */
    BUF    *auth_mechs;                 /* the AUTH mechanisms offered */
    bool    tls_active;                 /* the session is encrypted */
    TLS_SESS *tls;                      /* its TLS session, or NULL */
    SMTP_TLS_POLICY tls_policy;         /* of the next hop being tried */
    bool    tls_retry_plain;            /* try this server in plaintext */
    bool    tls_plain_only;             /* this session: no STARTTLS */
    const char *dest;                   /* the next hop being tried, as
                                         * written */
    SMTP_REPLY *reply;
    BUF    *cmd;
    DSN_BUF *dsb;                       /* session-level failure */
    BUF    *fail_relay;                 /* its relay= text ("none") */
    BUF    *fail_mname;                 /* its remote MTA, or "" */
    /* The connection cache (smtp_reuse.c). */
    bool    cache_load;                 /* look for cached sessions */
    bool    cache_store;                /* save good sessions */
    bool    first_hop;                  /* the request's own next hop */
    bool    reusable;                   /* the last transaction ended
                                         * cleanly: no reply pending */
    int     reuse_count;                /* earlier transactions of the
                                         * session */
    time_t  expire_time;                /* no reuse from then on */
    SMTP_ADDR cache_addr;               /* a cached session's address */
    BUF    *cache_name;                 /* its storage */
    BUF    *cache_path;
} SMTP_STATE;

/* smtp_connect_deliver - try each next hop (the request's, then the
 * fallback relays) and address until no recipient is pending; returns
 * the hop DSN for qmgr (destination unreachable) or NULL */
const DSN *smtp_connect_deliver(SMTP_STATE *state, DSN *hop_dsn);

/* smtp_session_open - connect to addr; 0, or -1 with state->dsb set */
int     smtp_session_open(SMTP_STATE *state, const SMTP_ADDR *addr);

/* smtp_session_adopt - make fd, connected to addr, the session; a new
 * one (reused false) starts its reuse clock and count */
void    smtp_session_adopt(SMTP_STATE *state, const SMTP_ADDR *addr, int fd,
                           bool reused);

/* smtp_session_helo - greeting and EHLO/HELO/LHLO; 0, or -1 with
 * state->dsb set (the recipients stay pending) */
int     smtp_session_helo(SMTP_STATE *state);

/* smtp_session_close - to the connection cache (smtp_reuse_save), or
 * QUIT (unless the connection broke) and close */
void    smtp_session_close(SMTP_STATE *state);

/* smtp_session_reply_fail - a failure reply to the session as a whole
 * (greeting, HELO, AUTH): state->dsb gets the reply's status and the
 * reason made from fmt; a 5xx bounces every pending recipient. Always
 * -1. */
int     smtp_session_reply_fail(SMTP_STATE *state, const char *fmt, ...)
            MSG_PRINTF(2, 3);

/* smtp_sasl_init - the SASL settings (from post_init; fatal when they
 * are wrong, as Postfix) */
void    smtp_sasl_init(void);

/* smtp_sasl_auth - after EHLO: authenticate when SASL is on, the server
 * offers AUTH and there are credentials for it; 0 (done, or nothing to
 * do), or -1 with state->dsb set */
int     smtp_sasl_auth(SMTP_STATE *state);

/* smtp_tls_init - the client TLS context and smtp_tls_policy_maps (from
 * post_init) */
void    smtp_tls_init(void);

/* smtp_tls_policy - the TLS policy of one next hop (text as written) */
void    smtp_tls_policy(SMTP_STATE *state, const char *text,
                        const SMTP_NEXTHOP *hop);
void    smtp_tls_policy_free(SMTP_STATE *state);

/* smtp_tls_start - after EHLO: STARTTLS and the handshake when the
 * policy asks for it; 1 (TLS is on: say EHLO again), 0 (plaintext), or
 * -1 with state->dsb set */
int     smtp_tls_start(SMTP_STATE *state);

/* smtp_tls_stop - end the TLS session before the connection closes */
void    smtp_tls_stop(SMTP_STATE *state);

/* smtp_session_io_fail - set state->dsb for a lost connection or a
 * timeout "while WHAT", mark the session broken; always -1 */
int     smtp_session_io_fail(SMTP_STATE *state, int how, const char *what);

/* smtp_chat - send cmd (when not NULL), flush, read the reply with
 * timeout; SMTP_REPLY_* */
int     smtp_chat(SMTP_STATE *state, const char *cmd, int timeout);

/* smtp_trans - one mail transaction for the pending recipients; 0, or
 * -1 when the session broke (state->dsb set) */
int     smtp_trans(SMTP_STATE *state);

/* smtp_data_send - the message content from the queue file, without
 * the final "."; 0, or MAIL_COPY_STAT_* (a queue file problem with why
 * set, or MAIL_COPY_STAT_WRITE: see stream_error()) */
int     smtp_data_send(SMTP_STATE *state, DSN_BUF *why);

/* The writer of the content: the stream and the current column. */
typedef struct SMTP_DATA {
    STREAM *sp;
    size_t  limit;                      /* smtp_line_length_limit; 0: none */
    size_t  column;                     /* bytes on the current line */
} SMTP_DATA;

/* smtp_data_write - write one content record ('N': a line, 'L': part of
 * one) dot-stuffed, long lines broken; 0, or MAIL_COPY_STAT_WRITE.
 * A MAIL_COPY_REC_FN with an SMTP_DATA as ctx. */
int     smtp_data_write(int type, const char *data, size_t len, void *ctx);

/* smtp_8bit_send - the content converted for a server without 8BITMIME
 * (smtp_8bit.c): each 8-bit part quoted-printable; the same results as
 * mail_copy_walk() */
int     smtp_8bit_send(DELIVER_REQUEST *req, SMTP_DATA *out, DSN_BUF *why);

/* smtp_rcpt_reply - the outcome of a reply for one recipient: 2xx sent,
 * 5xx bounced, 4xx kept for the next server (deferred at the final one);
 * fmt "host %s said: %s (in reply to %s command)" style texts are made
 * by the caller in reason */
void    smtp_rcpt_reply(SMTP_STATE *state, SMTP_RCPT *sr,
                        const SMTP_REPLY *reply, const char *reason);

/* smtp_rcpt_fail - the same with a status and reason of our own */
void    smtp_rcpt_fail(SMTP_STATE *state, SMTP_RCPT *sr, const char *status,
                       const char *reason);

/* smtp_rcpt_finish - defer every recipient still pending with its last
 * soft failure, or with dsb when it has none */
void    smtp_rcpt_finish(SMTP_STATE *state, const DSN_BUF *dsb);

/* smtp_xtext - append the RFC 3461 xtext form of text to bp */
void    smtp_xtext(BUF *bp, const char *text);

/* smtp_reply_reason - "host NAMADDR said: TEXT (in reply to WHAT
 * command)" into bp */
void    smtp_reply_reason(BUF *bp, const SMTP_STATE *state,
                          const SMTP_REPLY *reply, const char *what);

/* smtp_reuse_init - the cache client and smtp_connection_cache_
 * destinations (from post_init) */
void    smtp_reuse_init(void);

/* smtp_reuse_policy - whether this request loads and saves sessions:
 * the next hop's host is in smtp_connection_cache_destinations, or qmgr
 * asked for it (smtp_connection_cache_on_demand) */
void    smtp_reuse_policy(SMTP_STATE *state, const SMTP_NEXTHOP *hop);

/* smtp_reuse_dest - a cached session of the request's next hop that
 * still answers RSET: 0 (the session is open, past its handshake), or
 * -1 */
int     smtp_reuse_dest(SMTP_STATE *state);

/* smtp_reuse_endp - the same for one address */
int     smtp_reuse_endp(SMTP_STATE *state, const SMTP_ADDR *addr);

/* smtp_reuse_save - instead of QUIT: hand a good session to the cache
 * when the request may save it and it is young enough; true when the
 * session is gone (saved, or closed after a cache failure) */
bool    smtp_reuse_save(SMTP_STATE *state);

#endif
