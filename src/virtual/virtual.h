/* virtual - the parts of the virtual delivery agent and what they share.
 *
 * One request from qmgr names a queue file and one or more recipients
 * in the virtual_mailbox_domains (virtual_deliver.c; the Delivered-To:
 * headers are read once, delivered_hdr.h). Each recipient is handled on
 * its own:
 *
 *   virtual_deliver   loop check, lookups, the mailbox, the result
 *   virtual_lookup    virtual_mailbox_maps, virtual_uid_maps,
 *                     virtual_gid_maps, with Postfix's search order and
 *                     warnings
 *   virtual_mailbox   the delivery as the recipient: a UNIX mailbox
 *                     (locked, mbox_open.h) or a Maildir (maildir.h)
 *   virtual_conf      the parameters, parsed once; mail_owner's ids
 *
 * Unlike local(8) there are no aliases, .forward files, commands or
 * files: a recipient has exactly one mailbox, and it is written with the
 * uid and gid the tables give, never root's and never below
 * virtual_minimum_uid. */
#ifndef VIRTUAL_H
#define VIRTUAL_H

#include <sys/types.h>

#include "deliver_request.h"
#include "delivered_hdr.h"
#include "dsn_buf.h"
#include "maps.h"
#include "mbox_open.h"

/* The settings, parsed once (virtual_conf.c). */
typedef struct VIRTUAL_CONF {
    uid_t   owner_uid;                  /* mail_owner: our own ids */
    gid_t   owner_gid;
    MBOX_CONF mbox;                     /* virtual_mailbox_lock etc. */
    MAPS   *mailbox_maps;               /* NULL when not configured */
    MAPS   *uid_maps;
    MAPS   *gid_maps;
    MAIL_QUEUE_CONF queue;
    const char *relay;                  /* our service name ("virtual") */
} VIRTUAL_CONF;

extern VIRTUAL_CONF virtual_conf;

/* One recipient's mailbox, as the tables describe it. */
typedef struct VIRTUAL_USER {
    char   *path;                       /* virtual_mailbox_base/RESULT */
    uid_t   uid;
    gid_t   gid;
} VIRTUAL_USER;

/* virtual_lookup() results. */
#define VIRTUAL_FOUND   0
#define VIRTUAL_UNKNOWN 1               /* no mailbox: 5.1.1 */
#define VIRTUAL_ERROR   2               /* configuration or table problem,
                                         * a warning was logged */

/* virtual_conf.c */
void    virtual_conf_init(const char *service);
void    virtual_as_owner(void);

/* virtual_lookup.c */
int     virtual_lookup(const char *address, VIRTUAL_USER *usr);
void    virtual_user_free(VIRTUAL_USER *usr);

/* virtual_mailbox.c: deliver to usr's mailbox; 0, or MAIL_COPY_STAT_*
 * with the reason in why ("delivery failed to mailbox PATH: ...",
 * "maildir delivery failed: ..."; only a full mailbox bounces) */
int     virtual_mailbox(const DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                        const VIRTUAL_USER *usr, DSN_BUF *why);

/* virtual_deliver.c */
const DSN *virtual_deliver(DELIVER_REQUEST *req, void *ctx);

#endif
