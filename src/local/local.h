/* local - the parts of the local delivery agent and what they share.
 *
 * One request from qmgr names a queue file and one or more recipients
 * (local_deliver.c; the Delivered-To: headers are read once,
 * delivered_hdr.h). Each recipient is expanded into final deliveries:
 *
 *   local_recipient   split user+ext@domain, Delivered-To loop check,
 *                     then the first of: alias, .forward, mailbox,
 *                     unknown user (luser_relay or a bounce)
 *   local_alias       alias_maps, owner-ALIAS, the alias owner's rights
 *   local_dotforward  ~/.forward (forward_path), read as the user
 *   local_include     :include:/file, its owner's rights
 *   local_token       one destination list: /file, ~/file, |command,
 *                     :include:, or an address (local_resolve)
 *   local_resolve     an address: delivered in this process (alias
 *                     members, the user's own name) or forwarded
 *   local_forward     forwarding: a new message through cleanup
 *   local_mailbox     mailbox_transport, mailbox_command,
 *                     home_mailbox, mail_spool_directory
 *   local_file        /file (mbox form) or /dir/ (Maildir)
 *   local_command     |command, with the environment Postfix gives it
 *   local_unknown     fallback_transport, luser_relay, "unknown user"
 *   local_pass        per-user settings (*_maps); mailbox_transport and
 *                     fallback_transport: another transport's agent
 *   local_result      each result to deliver_result.h; the done mark
 *   local_copy        the message as a mailbox, file or command gets it
 *   local_dup         the duplicate filter of one recipient
 *   local_expand      $name expansion with a character filter
 *   local_conf        the parameters, parsed once; whose rights
 *
 * Expansion passes a LOCAL_STATE by value, one per level, so what a
 * level changes (the address, the sender, the expansion type) never
 * leaks to its siblings; the shared part is the LOCAL_RCPT of the
 * recipient being expanded. Whose rights a delivery uses is a LOCAL_USER
 * passed along with it. */
#ifndef LOCAL_H
#define LOCAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "argv.h"
#include "deliver_request.h"
#include "delivered_hdr.h"
#include "dsn_buf.h"
#include "htable.h"
#include "maps.h"
#include "mbox_open.h"
#include "resolve_clnt.h"
#include "rewrite_clnt.h"

/* Where an expansion came from (allow_mail_to_commands/_files words). */
#define LOCAL_EXP_ALIAS         (1<<0)
#define LOCAL_EXP_FORWARD       (1<<1)
#define LOCAL_EXP_INCLUDE       (1<<2)

/* Where Delivered-To: is added (prepend_delivered_header words). */
#define LOCAL_HDR_COMMAND       (1<<0)
#define LOCAL_HDR_FILE          (1<<1)
#define LOCAL_HDR_FORWARD       (1<<2)

/* Nesting deeper than this is an alias or include loop. */
#define LOCAL_LEVEL_MAX         100

/* The settings, parsed once (local_conf.c). */
typedef struct LOCAL_CONF {
    uid_t   owner_uid;                  /* mail_owner: our own ids */
    gid_t   owner_gid;
    uid_t   default_uid;                /* default_privs */
    gid_t   default_gid;
    int     cmd_mask;                   /* allow_mail_to_commands */
    int     file_mask;                  /* allow_mail_to_files */
    int     hdr_mask;                   /* prepend_delivered_header */
    MBOX_CONF mbox;                     /* mailbox_delivery_lock etc. */
    MAPS   *aliases;                    /* alias_maps */
    MAPS   *mailbox_transport_maps;     /* NULL when not set */
    MAPS   *fallback_transport_maps;    /* NULL when not set */
    MAPS   *mailbox_command_maps;       /* NULL when not set */
    REWRITE_CLNT *rewrite;
    RESOLVE_CLNT *resolve;
    ARGV   *env;                        /* PATH, exported NAME=value */
    char   *cleanup_path;               /* public/$cleanup_service_name */
    MAIL_QUEUE_CONF queue;
    const char *relay;                  /* our service name ("local") */
} LOCAL_CONF;

extern LOCAL_CONF local_conf;

/* Whose rights a delivery uses. */
typedef struct LOCAL_USER {
    uid_t   uid;
    gid_t   gid;
    const char *home;                   /* NULL outside a user context */
    const char *shell;
} LOCAL_USER;

typedef struct LOCAL_FORWARD LOCAL_FORWARD;
typedef struct LOCAL_HELD LOCAL_HELD;

/* What the expansion of one request recipient shares. */
typedef struct LOCAL_RCPT {
    DELIVER_REQUEST *req;
    const RECIPIENT *top;               /* the request's recipient */
    const DELIVERED_HDR *loop;          /* Delivered-To: values */
    HTABLE *dup;                        /* deliveries made (been here) */
    LOCAL_FORWARD *forward;             /* messages to forward */
    LOCAL_HELD *held;                   /* held bounces (local_result.c) */
    ARGV   *pool;                       /* strings of this recipient */
    bool    deferred;                   /* something must be tried again */
} LOCAL_RCPT;

/* One level of expansion (copied, never shared). */
typedef struct LOCAL_STATE {
    LOCAL_RCPT *lr;
    int     level;
    RECIPIENT rcpt;                     /* .address is the current one */
    const char *local;                  /* local part, folded */
    const char *user;                   /* without the extension */
    const char *extension;              /* NULL when none */
    const char *delim;                  /* the delimiter found, or "" */
    const char *domain;
    const char *delivered;              /* Delivered-To: value */
    const char *sender;                 /* envelope sender */
    int     exp_type;                   /* LOCAL_EXP_* */
    const char *exp_from;               /* alias or user being expanded */
} LOCAL_STATE;

/* local_conf.c */
void    local_conf_init(const char *service);
void    local_as_owner(void);
void    local_unprivileged(uid_t *uid, gid_t *gid);

/* local_deliver.c */
const DSN *local_deliver(DELIVER_REQUEST *req, void *ctx);
char   *local_save(LOCAL_STATE *state, const char *text);

/* local_recipient.c */
int     local_recipient(LOCAL_STATE state);
void    local_split(LOCAL_STATE *state);

/* local_alias.c */
bool    local_alias(LOCAL_STATE state, int *status);

/* local_dotforward.c */
bool    local_dotforward(LOCAL_STATE state, const LOCAL_USER *usr,
                         int *status);

/* local_include.c */
int     local_include(LOCAL_STATE state, const LOCAL_USER *usr,
                      const char *path);

/* local_token.c */
int     local_token_string(LOCAL_STATE state, const LOCAL_USER *usr,
                           const char *text, int *count);
int     local_token_stream(LOCAL_STATE state, const LOCAL_USER *usr,
                           int fd, int *count);

/* local_resolve.c */
int     local_resolve(LOCAL_STATE state, const LOCAL_USER *usr,
                      const char *addr);

/* local_forward.c */
int     local_forward_append(LOCAL_STATE state);
void    local_forward_finish(LOCAL_RCPT *lr, bool cancel);
void    local_forward_free(LOCAL_RCPT *lr);

/* local_mailbox.c */
int     local_mailbox(LOCAL_STATE state, const LOCAL_USER *usr);

/* local_file.c */
int     local_file(LOCAL_STATE state, const LOCAL_USER *usr,
                   const char *path);

/* local_command.c */
int     local_command(LOCAL_STATE state, const LOCAL_USER *usr,
                      const char *command);

/* local_unknown.c */
int     local_unknown(LOCAL_STATE state);

/* local_pass.c */
const char *local_per_user(LOCAL_STATE *state, MAPS *maps, const char *fixed,
                           bool *failed);
bool    local_pass_mailbox(LOCAL_STATE state, int *status);
bool    local_pass_fallback(LOCAL_STATE state, int *status);

/* local_expand.c */
int     local_expand(BUF *result, const char *pattern,
                     const LOCAL_STATE *state, const LOCAL_USER *usr,
                     const char *filter, BUF *why);

/* local_result.c */
int     local_sent(LOCAL_STATE state, DSN_BUF *why);
int     local_bounced(LOCAL_STATE state, DSN_BUF *why);
int     local_deferred(LOCAL_STATE state, DSN_BUF *why);
int     local_result(LOCAL_STATE state, DSN_BUF *why);
int     local_status(LOCAL_STATE state, const char *status,
                     const char *fmt, ...) MSG_PRINTF(3, 4);
int     local_written(LOCAL_STATE state, int copy_status, DSN_BUF *why,
                      const char *fmt, ...) MSG_PRINTF(4, 5);
void    local_finish(LOCAL_RCPT *lr);

/* local_dup.c */
bool    local_been_here(LOCAL_STATE *state, const char *fmt, ...)
            MSG_PRINTF(2, 3);

/* local_copy.c */
typedef struct LOCAL_COPY {
    const LOCAL_STATE *state;
    int     flags;                      /* MAIL_COPY_* */
} LOCAL_COPY;

int     local_copy(const LOCAL_STATE *state, STREAM *dst, int flags,
                   DSN_BUF *why);
int     local_copy_fn(STREAM *dst, void *ctx, DSN_BUF *why);

/* local_mailbox.c, for local_file.c */
int     local_maildir(LOCAL_STATE state, const LOCAL_USER *usr,
                      const char *path, DSN_BUF *why);

#endif
