/* smtpd_check - the inside of the restriction engine: what the files
 * smtpd_check*.c share.
 *
 * Model: Postfix 3.7's smtpd_check.c, observed on Debian's Postfix 3.7
 * (docs/smtpd.md, "Restrictions"). A restriction list is a list of names
 * (an ARGV, split at commas and white space); names are looked up when
 * the list is evaluated, in smtpd_check_rules (one table entry per
 * restriction) or among smtpd_restriction_classes, so that access map
 * results can name restrictions too. Each restriction answers DUNNO (go
 * on), OK (this list is done) or REJECT (after smtpd_check_reject has
 * formatted the reply into check->reply and logged it).
 *
 * Files:
 *   smtpd_check.c         the stages (client, HELO, MAIL, RCPT, ETRN,
 *                         DATA, END-OF-DATA), smtpd_delay_reject, the
 *                         parsing of lists and classes at start-up
 *   smtpd_check_eval.c    evaluating a list; reject, defer_if_permit,
 *                         defer_if_reject, warn_if_reject; logging
 *   smtpd_check_rules.c   the table of restriction names
 *   smtpd_check_action.c  what an access map result means
 *   smtpd_check_access.c  check_*_access: the lookup order
 *   smtpd_check_addr.c    host name and address syntax, unlisted
 *                         senders and recipients
 *   smtpd_check_policy.c  check_policy_service
 *   smtpd_check_verify.c  reject_unverified_recipient/_sender
 *   smtpd_check_rbl.c     the DNS lists (reject_rbl_client, ...)
 *   smtpd_check_dns.c     reject_unknown_*_domain/_helo_hostname,
 *                         permit_mx_backup, check_*_{ns,mx,a}_access
 *   smtpd_check_pipe.c    improper command pipelining */
#ifndef SMTPD_CHECK_H
#define SMTPD_CHECK_H

#include "argv.h"
#include "buf.h"
#include "dsn.h"
#include "htable.h"
#include "maps.h"
#include "resolve_clnt.h"
#include "smtpd.h"

/* What a restriction says. */
#define SMTPD_CHECK_DUNNO       0
#define SMTPD_CHECK_OK          1
#define SMTPD_CHECK_REJECT      2

/* Why a request is refused (Postfix's MAIL_ERROR_*): warn_if_reject
 * turns only policy and protocol refusals into warnings. */
#define SMTPD_ERR_POLICY        (1 << 0)
#define SMTPD_ERR_PROTOCOL      (1 << 1)
#define SMTPD_ERR_BOUNCE        (1 << 2)
#define SMTPD_ERR_SOFTWARE      (1 << 3)
#define SMTPD_ERR_RESOURCE      (1 << 4)
#define SMTPD_ERR_DATA          (1 << 5)
#define SMTPD_ERR_HARD \
        (SMTPD_ERR_SOFTWARE | SMTPD_ERR_RESOURCE | SMTPD_ERR_DATA)

/* What is being refused: "<NAME>: CLASS rejected: text". */
#define SMTPD_NAME_CLIENT       "Client host"
#define SMTPD_NAME_REV_CLIENT   "Unverified Client host"
#define SMTPD_NAME_HELO         "Helo command"
#define SMTPD_NAME_SENDER       "Sender address"
#define SMTPD_NAME_RECIPIENT    "Recipient address"
#define SMTPD_NAME_ETRN         "Etrn command"
#define SMTPD_NAME_DATA         "Data command"
#define SMTPD_NAME_EOD          "End-of-data"

/* The access map restriction that a bare "type:table" stands for. */
#define SMTPD_ACL_CLIENT        "check_client_access"
#define SMTPD_ACL_REV_CLIENT    "check_reverse_client_hostname_access"
#define SMTPD_ACL_HELO          "check_helo_access"
#define SMTPD_ACL_SENDER        "check_sender_access"
#define SMTPD_ACL_RECIPIENT     "check_recipient_access"
#define SMTPD_ACL_ETRN          "check_etrn_access"

#define SMTPD_CHECK_POLICY      "check_policy_service"

/* The restriction lists. */
typedef enum {
    SMTPD_LIST_CLIENT, SMTPD_LIST_HELO, SMTPD_LIST_SENDER, SMTPD_LIST_RELAY,
    SMTPD_LIST_RCPT, SMTPD_LIST_ETRN, SMTPD_LIST_DATA, SMTPD_LIST_EOD,
    SMTPD_LIST_COUNT,
} SMTPD_LIST_ID;

typedef struct SMTPD_POLICY SMTPD_POLICY;

/* Everything parsed and opened at start-up. */
struct SMTPD_ACL {
    ARGV   *lists[SMTPD_LIST_COUNT];
    HTABLE *classes;                    /* class name -> ARGV */
    HTABLE *maps;                       /* "type:table" -> MAPS */
    HTABLE *policies;                   /* "inet:host:port" -> SMTPD_POLICY */
    /* The tables behind reject_unlisted_sender/recipient. */
    MAPS   *local_rcpt_maps;
    MAPS   *rcpt_canon_maps;
    MAPS   *send_canon_maps;
    MAPS   *canonical_maps;
    MAPS   *virt_alias_maps;
    MAPS   *virt_mailbox_maps;
    MAPS   *relay_rcpt_maps;
    int     parent_style;               /* access maps match subdomains */
    bool    no_unknown_rcpt;            /* receive_override_options says so */
};

/* A verdict held back: defer_if_permit, defer_if_reject. */
typedef struct SMTPD_DEFER {
    bool    active;
    int     class;
    int     code;
    char    dsn[DSN_STATUS_SIZE];
    BUF    *reason;
} SMTPD_DEFER;

/* The engine's state for one session (Postfix keeps it in SMTPD_STATE). */
struct SMTPD_CHECK {
    SMTPD_STATE *state;
    const SMTPD_ACL *acl;
    /* What the stage looks at (a command's argument before it is taken). */
    const char *helo;                   /* NULL: no HELO/EHLO */
    const char *sender;                 /* internal form; NULL: no MAIL */
    const char *recipient;              /* internal form; NULL: none */
    const char *etrn;                   /* ETRN domain; NULL: none */
    /* The list being evaluated. */
    const char *reply_name;             /* "<NAME>: " */
    const char *reply_class;            /* "CLASS rejected: " */
    const char *def_acl;                /* what a bare type:table means */
    int     recursion;
    int     warn_if_reject;             /* level that asked for it, or 0 */
    SMTPD_DEFER defer_if_permit;
    SMTPD_DEFER defer_if_reject;
    bool    defer_if_permit_client;     /* raised by an earlier stage */
    bool    defer_if_permit_helo;
    bool    defer_if_permit_sender;
    bool    sender_rcptmap_checked;
    bool    recipient_rcptmap_checked;
    bool    discard;                    /* DISCARD: nothing more to check */
    BUF    *reply;                      /* the refusal */
    BUF    *scratch;
    struct SMTPD_PIPE *pipe;            /* input tap; NULL: stand-alone */
    /* The last address resolved (RCPT asks more than once). */
    BUF    *resolved_sender;
    BUF    *resolved_addr;
    RESOLVE_REPLY resolved;
    bool    resolved_valid;
};

/* smtpd_check.c: split a restriction list ("{...}" is one word) */
ARGV   *smtpd_check_split(const char *value);

/* smtpd_check_eval.c */
int     smtpd_check_list(SMTPD_CHECK *check, const ARGV *list);
int     smtpd_check_reject(SMTPD_CHECK *check, int class, int code,
                           const char *dsn, const char *fmt, ...)
            MSG_PRINTF(5, 6);
void    smtpd_check_defer_if(SMTPD_DEFER *defer, int class, int code,
                             const char *dsn, const char *fmt, ...)
            MSG_PRINTF(5, 6);
int     smtpd_check_defer_if_permit(SMTPD_CHECK *check, int class, int code,
                                    const char *dsn, const char *fmt, ...)
            MSG_PRINTF(5, 6);
int     smtpd_check_server_error(SMTPD_CHECK *check);
int     smtpd_check_dict_retry(SMTPD_CHECK *check, const char *name);
void    smtpd_check_log(SMTPD_CHECK *check, const char *what,
                        const char *text);
const char *smtpd_dsn_fix(const char *status, const char *reply_class);

/* smtpd_check_rules.c: one restriction by name; cpp points at the name
 * in its list and is moved past the restriction's argument. */
typedef int (*SMTPD_CHECK_FN) (SMTPD_CHECK *check, const char *arg);
int     smtpd_check_rule(SMTPD_CHECK *check, char ***cpp);

/* smtpd_check_auth_dest - permit_auth_destination's question: OK when
 * the recipient is ours or a relay destination, DUNNO when not, REJECT
 * after a lookup failure */
int     smtpd_check_auth_dest(SMTPD_CHECK *check);

/* smtpd_check_action.c: an access map (or policy) result */
int     smtpd_check_action(SMTPD_CHECK *check, const char *table,
                           const char *value, const char *datum);

/* smtpd_check_access.c: the check_*_access restrictions */
int     smtpd_check_client_access(SMTPD_CHECK *check, const char *table);
int     smtpd_check_rev_client_access(SMTPD_CHECK *check, const char *table);
int     smtpd_check_helo_access(SMTPD_CHECK *check, const char *table);
int     smtpd_check_sender_access(SMTPD_CHECK *check, const char *table);
int     smtpd_check_rcpt_access(SMTPD_CHECK *check, const char *table);
int     smtpd_check_etrn_access(SMTPD_CHECK *check, const char *table);

/* smtpd_check_access_host - look up a host name (then its parent
 * domains; NULL: none) and then an address (then its network prefixes;
 * NULL: none) in table, refusing as "<reply_name>: reply_class"; *found
 * says that a key matched (the search stops there) */
int     smtpd_check_access_host(SMTPD_CHECK *check, const char *table,
                                const char *reply_name,
                                const char *reply_class, const char *name,
                                const char *addr, bool *found);

/* smtpd_check_addr.c: syntax and "unlisted" restrictions; the resolver
 * with its one-entry cache (smtpd_check_resolve_init/_free) */
void    smtpd_check_resolve_init(SMTPD_CHECK *check);
void    smtpd_check_resolve_free(SMTPD_CHECK *check);
int     smtpd_check_resolve(SMTPD_CHECK *check, const char *sender,
                            const char *addr, RESOLVE_REPLY *reply);
int     smtpd_check_invalid_helo(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_non_fqdn_helo(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_non_fqdn_sender(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_non_fqdn_rcpt(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_unknown_client(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_unknown_rev_client(SMTPD_CHECK *check,
                                       const char *unused);
int     smtpd_check_unlisted_sender(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_unlisted_rcpt(SMTPD_CHECK *check, const char *unused);

/* smtpd_check_verify.c: reject_unverified_recipient/_sender */
int     smtpd_check_unverified_rcpt(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_unverified_sender(SMTPD_CHECK *check,
                                      const char *unused);

/* smtpd_check_rbl.c: the DNS lists; list is "domain[=PATTERN]" */
int     smtpd_check_rbl_client(SMTPD_CHECK *check, const char *list);
int     smtpd_check_dnswl_client(SMTPD_CHECK *check, const char *list);
int     smtpd_check_rhsbl_client(SMTPD_CHECK *check, const char *list);
int     smtpd_check_rhswl_client(SMTPD_CHECK *check, const char *list);
int     smtpd_check_rhsbl_rev_client(SMTPD_CHECK *check, const char *list);
int     smtpd_check_rhsbl_helo(SMTPD_CHECK *check, const char *list);
int     smtpd_check_rhsbl_sender(SMTPD_CHECK *check, const char *list);
int     smtpd_check_rhsbl_rcpt(SMTPD_CHECK *check, const char *list);

/* smtpd_check_dns.c: names that must exist in the DNS, permit_mx_backup,
 * and the check_*_{ns,mx,a}_access tables (the NS, MX or A hosts of a
 * name, and their addresses, looked up in table) */
int     smtpd_check_unknown_helo(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_unknown_sender(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_unknown_rcpt(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_mx_backup(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_client_ns(SMTPD_CHECK *check, const char *table);
int     smtpd_check_client_mx(SMTPD_CHECK *check, const char *table);
int     smtpd_check_client_a(SMTPD_CHECK *check, const char *table);
int     smtpd_check_rev_client_ns(SMTPD_CHECK *check, const char *table);
int     smtpd_check_rev_client_mx(SMTPD_CHECK *check, const char *table);
int     smtpd_check_rev_client_a(SMTPD_CHECK *check, const char *table);
int     smtpd_check_helo_ns(SMTPD_CHECK *check, const char *table);
int     smtpd_check_helo_mx(SMTPD_CHECK *check, const char *table);
int     smtpd_check_helo_a(SMTPD_CHECK *check, const char *table);
int     smtpd_check_sender_ns(SMTPD_CHECK *check, const char *table);
int     smtpd_check_sender_mx(SMTPD_CHECK *check, const char *table);
int     smtpd_check_sender_a(SMTPD_CHECK *check, const char *table);
int     smtpd_check_rcpt_ns(SMTPD_CHECK *check, const char *table);
int     smtpd_check_rcpt_mx(SMTPD_CHECK *check, const char *table);
int     smtpd_check_rcpt_a(SMTPD_CHECK *check, const char *table);

/* smtpd_check_pipe.c: read the client through the input tap (only for
 * a network client, not in stand-alone mode) */
void    smtpd_check_pipe_init(SMTPD_STATE *state);

/* smtpd_check_policy.c */
SMTPD_POLICY *smtpd_check_policy_create(const char *server);
int     smtpd_check_policy(SMTPD_CHECK *check, const char *server);

#endif
