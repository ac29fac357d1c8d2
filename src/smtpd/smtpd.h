/* smtpd - the SMTP server: its session state and the parts that share it.
 *
 * Model: Postfix's smtpd(8) as Debian's Postfix 3.7 behaves on the wire
 * and in the log (docs/smtpd.md). One process serves one client
 * (SERVER_SINGLE). Files:
 *   smtpd.c        main(), settings, the command loop
 *   smtpd_state.c  session and transaction state
 *   smtpd_peer.c   the client's name and address
 *   smtpd_reply.c  replies, error counting, reading command lines
 *   smtpd_log.c    log lines that tools parse (reject, disconnect)
 *   smtpd_addr.c   the <address> and ESMTP parameters of MAIL and RCPT
 *   smtpd_helo.c   HELO, EHLO
 *   smtpd_mail.c   MAIL
 *   smtpd_rcpt.c   RCPT
 *   smtpd_queue.c  the connection to cleanup: envelope and content records
 *   smtpd_data.c   DATA, BDAT
 *   smtpd_misc.c   RSET NOOP QUIT VRFY
 *   smtpd_etrn.c   ETRN (fast flush)
 *   smtpd_xclient.c XCLIENT, XFORWARD
 *   smtpd_anvil.c  client limits through the anvil service
 *   smtpd_tls.c    STARTTLS, smtpd_tls_wrappermode, TLS in Received:
 *   smtpd_sasl.c   AUTH through a SASL server (Dovecot), the login checks
 *   smtpd_check*.c the restriction engine (smtpd_check.h) */
#ifndef SMTPD_H
#define SMTPD_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "argv.h"
#include "buf.h"
#include "cleanup_clnt.h"
#include "mail_submit.h"
#include "match_list.h"
#include "resolve_clnt.h"
#include "rewrite_clnt.h"
#include "stream.h"

/* The compiled restrictions and the engine's per-session state
 * (smtpd_check.h). */
typedef struct SMTPD_ACL SMTPD_ACL;
typedef struct SMTPD_CHECK SMTPD_CHECK;

/* The TLS session (smtpd_tls.c) and the SASL session (smtpd_sasl.c). */
typedef struct SMTPD_TLS SMTPD_TLS;
typedef struct SMTPD_SASL SMTPD_SASL;

/* What the restrictions asked cleanup to do with the message (access map
 * actions HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND); forgotten with
 * the transaction. */
typedef struct SMTPD_SAVED {
    int     flags;                      /* CLEANUP_FLAG_HOLD, _DISCARD */
    char   *filter;                     /* FILTER transport:destination */
    char   *redirect;                   /* REDIRECT user@domain */
    ARGV   *bcc;                        /* BCC user@domain ... */
    ARGV   *prepend;                    /* PREPEND header lines */
} SMTPD_SAVED;

/* Settings, from main.cf (smtpd.c). */
typedef struct SMTPD_SETTINGS {
    const char *myhostname;
    const char *mail_name;
    const char *banner;                 /* after the 220 */
    MATCH_LIST *mynetworks;
    MATCH_LIST *bare_newline_exclusions;
    ARGV   *discard_ehlo;               /* keywords not to announce */
    SMTPD_ACL *acl;                     /* the restrictions */
    int     bare_newline;               /* SMTPD_BARE_LF_* */
    bool    disable_vrfy;
    int     timeout;                    /* smtpd_timeout */
    int     error_sleep;
    int     soft_error_limit;
    int     hard_error_limit;
    int     junk_command_limit;
    int     recipient_limit;
    long    message_size_limit;         /* 0: none */
    size_t  line_length_limit;
    char   *cleanup_path;
    int     cleanup_flags;
    char   *postdrop_path;              /* stand-alone: the postdrop path */
    uid_t   owner_uid;                  /* mail_owner */
    int     ipc_timeout;
    RESOLVE_CLNT *resolve;
    REWRITE_CLNT *rewrite;
} SMTPD_SETTINGS;

#define SMTPD_BARE_LF_NORMALIZE 0
#define SMTPD_BARE_LF_REJECT    1

/* Commands, in the order of the "disconnect from" statistics. */
typedef enum {
    SMTPD_CMD_HELO, SMTPD_CMD_EHLO, SMTPD_CMD_XCLIENT, SMTPD_CMD_XFORWARD,
    SMTPD_CMD_STARTTLS, SMTPD_CMD_AUTH, SMTPD_CMD_MAIL, SMTPD_CMD_RCPT,
    SMTPD_CMD_DATA, SMTPD_CMD_BDAT, SMTPD_CMD_RSET, SMTPD_CMD_NOOP,
    SMTPD_CMD_VRFY, SMTPD_CMD_ETRN, SMTPD_CMD_QUIT, SMTPD_CMD_UNKNOWN,
    SMTPD_CMD_COUNT,
} SMTPD_CMD_ID;

/* What XFORWARD said about the client of the message (smtpd_xclient.c);
 * forgotten with the transaction. */
typedef struct SMTPD_XFORWARD {
    int     flags;                      /* attributes given; 0: none */
    char   *name;
    char   *addr;
    char   *port;
    char   *namaddr;                    /* "name[addr]" or "name" */
    char   *protocol;
    char   *helo_name;                  /* NULL: not known */
    char   *ident;                      /* NULL: not known */
    const char *context;                /* "local", "remote" or NULL */
} SMTPD_XFORWARD;

typedef struct SMTPD_STATE {
    STREAM *client;
    const SMTPD_SETTINGS *settings;
    const char *service;                /* master.cf service name */
    bool    standalone;                 /* sendmail -bs, not as mail_owner:
                                         * postdrop, no restrictions */
    /* The peer. */
    char   *name;                       /* verified name or "unknown" */
    char   *reverse_name;               /* PTR name or "unknown" */
    char   *addr;
    char   *port;
    char   *namaddr;                    /* "name[addr]" */
    char   *server_addr;
    char   *server_port;
    bool    local_rewrite;              /* rewrite_context=local */
    bool    bare_lf_ok;                 /* listed in the exclusions */
    bool    xclient_ok;                 /* smtpd_authorized_xclient_hosts */
    bool    xforward_ok;                /* smtpd_authorized_xforward_hosts */
    bool    xclient_restart;            /* XCLIENT: greet again */
    char   *anvil_addr;                 /* counted by anvil; NULL: not */
    char   *login;                      /* XCLIENT LOGIN, or NULL */
    /* The session. */
    char   *helo_name;                  /* NULL before HELO/EHLO */
    const char *protocol;               /* "SMTP" or "ESMTP" */
    const char *where;                  /* the command being served */
    int     error_count;
    int     junk_cmds;
    int     cmd_total[SMTPD_CMD_COUNT];
    int     cmd_ok[SMTPD_CMD_COUNT];
    bool    quit;                       /* end the session */
    char   *access_denied;              /* client refused at connect */
    bool    ill_pipelining;             /* improper command pipelining */
    SMTPD_CHECK *check;                 /* the restriction engine's state */
    SMTPD_TLS *tls;                     /* NULL: plaintext */
    SMTPD_SASL *sasl;                   /* NULL: AUTH not enabled */
    /* The transaction. */
    char   *sender;                     /* NULL before MAIL; internal */
    const char *encoding;               /* BODY= as cleanup wants it */
    int     ret_flags;                  /* DSN RET= */
    char   *envid;                      /* DSN ENVID=, or NULL */
    char   *sasl_sender;                /* MAIL AUTH=, or NULL (also for
                                         * AUTH=<>) */
    long    msg_size;                   /* MAIL SIZE=, 0 if not given */
    BUF    *instance;                   /* policy "instance", one per MAIL */
    int     instance_seq;               /* MAIL commands so far */
    bool    smtputf8;
    int     rcpt_count;
    char   *first_rcpt;                 /* for the Received: header */
    SMTPD_SAVED saved;                  /* access map actions for cleanup */
    SMTPD_XFORWARD xforward;            /* XFORWARD attributes */
    CLEANUP_CLNT *cleanup;              /* after the first accepted RCPT */
    MAIL_SUBMIT *submit;                /* ... or postdrop, stand-alone */
    char   *queue_id;
    bool    bdat_seen;
    bool    bdat_refused;               /* data restrictions said no */
    long    data_size;                  /* content bytes so far */
    bool    too_big;
    bool    write_error;
    bool    line_start;                 /* content: at a line start */
    bool    crlf_before;                /* DATA: last line ended CRLF */
    BUF    *chunk;                      /* BDAT: an unfinished line */
    time_t  arrival;
    /* Scratch. */
    BUF    *line;
    BUF    *buf;
    BUF    *why;
} SMTPD_STATE;

/* smtpd_state.c */
void    smtpd_state_init(SMTPD_STATE *state, STREAM *client,
                         const SMTPD_SETTINGS *settings);
void    smtpd_state_reset(SMTPD_STATE *state);
void    smtpd_state_free(SMTPD_STATE *state);

/* smtpd_peer.c */
void    smtpd_peer_init(SMTPD_STATE *state);

/* smtpd_reply.c */
void    smtpd_reply(SMTPD_STATE *state, const char *fmt, ...)
            MSG_PRINTF(2, 3);
int     smtpd_reply_get(SMTPD_STATE *state, BUF *line);
void    smtpd_reply_flush(SMTPD_STATE *state);
bool    smtpd_reply_broken(SMTPD_STATE *state);

/* smtpd_log.c */
/* smtpd_log_whatsup - "ID: WHAT: CMD from NAME[ADDR]: TEXT; from=<S>
 * to=<R> proto=P helo=<H>" (sender and recipient in internal form, NULL
 * when not known) */
void    smtpd_log_whatsup(SMTPD_STATE *state, const char *what,
                          const char *text, const char *sender,
                          const char *recipient, const char *helo);
void    smtpd_log_disconnect(SMTPD_STATE *state);
void    smtpd_log_lost(SMTPD_STATE *state);
void    smtpd_log_timeout(SMTPD_STATE *state);

/* smtpd_addr.c */
int     smtpd_addr_parse(char *args, const char *keyword, BUF *addr,
                         ARGV *params);
bool    smtpd_addr_xtext_ok(const char *text, size_t max);

/* Command handlers (smtpd_helo.c ... smtpd_misc.c): args is the text
 * after the verb (may be empty); 0 on success, -1 after an error reply. */
typedef int (*SMTPD_CMD_FN) (SMTPD_STATE *state, char *args);

int     smtpd_helo(SMTPD_STATE *state, char *args);
int     smtpd_ehlo(SMTPD_STATE *state, char *args);
int     smtpd_mail(SMTPD_STATE *state, char *args);
int     smtpd_rcpt(SMTPD_STATE *state, char *args);
int     smtpd_data(SMTPD_STATE *state, char *args);
int     smtpd_bdat(SMTPD_STATE *state, char *args);
int     smtpd_rset(SMTPD_STATE *state, char *args);
int     smtpd_noop(SMTPD_STATE *state, char *args);
int     smtpd_quit(SMTPD_STATE *state, char *args);
int     smtpd_vrfy(SMTPD_STATE *state, char *args);
int     smtpd_etrn(SMTPD_STATE *state, char *args);
int     smtpd_xclient(SMTPD_STATE *state, char *args);
int     smtpd_xforward(SMTPD_STATE *state, char *args);
int     smtpd_starttls(SMTPD_STATE *state, char *args);
int     smtpd_auth(SMTPD_STATE *state, char *args);

/* smtpd_tls.c: pre_init loads keys and certificates (before the
 * privilege drop); session_start does the TLS handshake of
 * smtpd_tls_wrappermode (-1: the session ends, logged); ehlo adds
 * STARTTLS; received adds the "(using TLS...)" lines after the first
 * Received: line; session_end shuts TLS down. */
void    smtpd_tls_pre_init(void);
void    smtpd_tls_post_init(void);
int     smtpd_tls_session_start(SMTPD_STATE *state);
void    smtpd_tls_ehlo(const SMTPD_STATE *state, ARGV *keywords);
void    smtpd_tls_received(SMTPD_STATE *state, ARGV *lines);
void    smtpd_tls_session_end(SMTPD_STATE *state);

/* smtpd_sasl.c: the same hooks for AUTH; received adds
 * "(Authenticated sender: U)" when smtpd_sasl_authenticated_header. */
void    smtpd_sasl_post_init(void);
void    smtpd_sasl_session_start(SMTPD_STATE *state);
void    smtpd_sasl_ehlo(const SMTPD_STATE *state, ARGV *keywords);
void    smtpd_sasl_received(SMTPD_STATE *state, ARGV *lines);
void    smtpd_sasl_session_end(SMTPD_STATE *state);
/* smtpd_sasl_reset - after STARTTLS: forget the login, choose the
 * mechanisms again (smtpd_sasl_tls_security_options); after XCLIENT:
 * forget the AUTH login (as Postfix 3.7) */
void    smtpd_sasl_reset(SMTPD_STATE *state);
/* smtpd_sasl_mail_opt - MAIL's AUTH=value (RFC 4954 section 5), as
 * Postfix 3.7: remembered as the transaction's sasl_sender (not for
 * "<>"; unprintable bytes as '?'), whoever the client, SASL on or off;
 * 0, or -1 after "503 5.5.4 Error: multiple AUTH= options" */
int     smtpd_sasl_mail_opt(SMTPD_STATE *state, const char *value);
/* Who logged in: AUTH's user and mechanism, else XCLIENT LOGIN's user
 * and "XCLIENT"; NULL when nobody. proto_suffix is "A" after a login
 * (the Received: protocol, RFC 3848), else "". */
const char *smtpd_sasl_username(const SMTPD_STATE *state);
const char *smtpd_sasl_method(const SMTPD_STATE *state);
const char *smtpd_sasl_proto_suffix(const SMTPD_STATE *state);

/* smtpd_xclient.c: who may use XCLIENT and XFORWARD (decided at the
 * start of a session and again after XCLIENT), their EHLO keywords, and
 * the client that the log and cleanup's log_* attributes name (the one
 * XFORWARD gave, else the real one) */
void    smtpd_xclient_init(void);
void    smtpd_xclient_session(SMTPD_STATE *state);
void    smtpd_xclient_ehlo(const SMTPD_STATE *state, ARGV *keywords);
void    smtpd_xforward_reset(SMTPD_STATE *state);

typedef struct SMTPD_LOG_CLIENT {
    const char *name;
    const char *addr;
    const char *port;
    const char *namaddr;
    const char *helo_name;              /* NULL: not known */
    const char *protocol;
    const char *ident;                  /* log_ident: the queue id, or the
                                         * forwarded one */
    const char *context;                /* rewrite_context */
} SMTPD_LOG_CLIENT;

void    smtpd_xforward_client(const SMTPD_STATE *state,
                              SMTPD_LOG_CLIENT *client);

/* smtpd_xforward_log_queued - "ID: client=NAME[ADDR][, sasl_method=M,
 * sasl_username=U][, sasl_sender=S][, orig_queue_id=X]
 * [, orig_client=NAME[ADDR]]" */
void    smtpd_xforward_log_queued(const SMTPD_STATE *state);

/* smtpd_anvil.c: the client limits (smtpd_client_*_limit) through the
 * anvil service. Each hook returns 0, or -1 after a refusal that it
 * logged and replied (connect: "421 ...", and the session ends). */
void    smtpd_anvil_init(void);
int     smtpd_anvil_connect(SMTPD_STATE *state);
void    smtpd_anvil_disconnect(SMTPD_STATE *state);
int     smtpd_anvil_mail(SMTPD_STATE *state);
int     smtpd_anvil_rcpt(SMTPD_STATE *state);
int     smtpd_anvil_auth(SMTPD_STATE *state);
/* smtpd_client_new_tls_session_rate_limit: tls_over before a handshake
 * (whether the client is over the limit already; not logged), tls_new
 * after it (counts a session that was not resumed; -1 after "421") */
bool    smtpd_anvil_tls_over(SMTPD_STATE *state);
int     smtpd_anvil_tls_new(SMTPD_STATE *state, bool reused);

/* smtpd_queue.c */
int     smtpd_queue_open(SMTPD_STATE *state);
int     smtpd_queue_rcpt(SMTPD_STATE *state, const char *rcpt,
                         const char *orcpt, int notify);
int     smtpd_queue_start(SMTPD_STATE *state);
void    smtpd_queue_content(SMTPD_STATE *state, const char *data,
                            size_t len, bool complete);
int     smtpd_queue_finish(SMTPD_STATE *state);
void    smtpd_queue_abort(SMTPD_STATE *state);

/* smtpd_check.c: restrictions for each stage of the session. Each returns
 * NULL (go on) or the reply to send, which it has logged. The client,
 * HELO and MAIL stages do nothing unless smtpd_delay_reject = no (they
 * then run at RCPT). */
void    smtpd_check_init(SMTPD_SETTINGS *settings);
void    smtpd_check_session(SMTPD_STATE *state);
void    smtpd_check_session_free(SMTPD_STATE *state);
void    smtpd_check_reset(SMTPD_STATE *state);
const char *smtpd_check_connect(SMTPD_STATE *state);
const char *smtpd_check_helo(SMTPD_STATE *state, const char *helo);
const char *smtpd_check_mail(SMTPD_STATE *state, const char *sender);
const char *smtpd_check_rcpt(SMTPD_STATE *state, const char *rcpt);
const char *smtpd_check_etrn(SMTPD_STATE *state, const char *domain);
const char *smtpd_check_data(SMTPD_STATE *state);
const char *smtpd_check_eod(SMTPD_STATE *state);

/* smtpd_check_hangup - whether a refusal ends the session (421, 521) */
bool    smtpd_check_hangup(const char *reply);
/* smtpd_check_refusal - send a stage's reply; 421 and 521 end the
 * session after it, as in Postfix */
void    smtpd_check_refusal(SMTPD_STATE *state, const char *reply);

/* smtpd_check_pipe.c: improper command pipelining. smtpd_check_pipelining
 * looks for input that the client sent before it could see the reply to
 * the command just read (after: its name, or "CONNECT" before the
 * greeting); last says the command must end a pipelined group (HELO,
 * EHLO, DATA, NOOP, VRFY). Logs Postfix's "improper command pipelining"
 * line once per session; reject_unauth_pipelining refuses from then on. */
void    smtpd_check_pipelining(SMTPD_STATE *state, const char *after,
                               bool last);

#endif
