/* pipe - the parts of the pipe delivery agent and what they share.
 *
 * The master.cf entry's command attributes (flags=, user=, size=, eol=,
 * null_sender=, directory=, chroot=, argv=...) are parsed once at
 * start-up (pipe_attr.c). Each request from qmgr (pipe_deliver.c) runs
 * the argv= command once for all its recipients, after the $name
 * macros of argv= are expanded for the request (pipe_argv.c: one
 * argument per recipient for the recipient macros), with the message on
 * standard input as the flags ask for it (mail_copy.h), as the user= and
 * with the environment Postfix gives it (mail_env.h), and reports each
 * recipient (deliver_result.h). */
#ifndef PIPE_H
#define PIPE_H

#include <stdbool.h>
#include <sys/types.h>

#include "argv.h"
#include "buf.h"
#include "deliver_request.h"

/* flags= letters that are not about the copy (those are MAIL_COPY_*). */
#define PIPE_OPT_FINAL          (1<<0)  /* X: final delivery, "delivered" */
#define PIPE_OPT_FOLD_HOST      (1<<1)  /* h: domains to lower case */
#define PIPE_OPT_QUOTE          (1<<2)  /* q: quote address local parts */
#define PIPE_OPT_FOLD_USER      (1<<3)  /* u: local parts to lower case */

/* The command attributes of the master.cf entry. */
typedef struct PIPE_ATTR {
    int     copy_flags;                 /* MAIL_COPY_* from B D F O R . > */
    int     opts;                       /* PIPE_OPT_* from X h q u */
    uid_t   uid;                        /* user=name[:group] */
    gid_t   gid;
    long    size_limit;                 /* size=, 0: none */
    char   *eol;                        /* eol=, unescaped; default "\n" */
    char   *null_sender;                /* null_sender=, "MAILER-DAEMON" */
    char   *directory;                  /* directory=, NULL: the queue */
    char   *chroot;                     /* chroot=, NULL: none */
    ARGV   *argv;                       /* argv=..., the macro templates */
} PIPE_ATTR;

/* pipe_attr.c: parse the command attributes (argv after the standard
 * options); 0, or -1 with Postfix's words for the problem in why. The
 * user is checked: not root, not in group 0, not owner_uid (mail_owner
 * as owner_name). */
int     pipe_attr_parse(char **args, uid_t owner_uid, const char *owner_name,
                        PIPE_ATTR *attr, BUF *why);
void    pipe_attr_free(PIPE_ATTR *attr);

/* pipe_argv.c: the command's argv for a request: each template argument
 * expanded with the request's values ($sender, ${nexthop}, ...); one
 * argument per recipient when it uses a recipient macro (${recipient},
 * ${original_recipient}, ${user}, ${extension}, ${mailbox}, ${domain});
 * folding and quoting by opts. NULL with the reason in why for an
 * unknown macro name ("unknown macro name: "x"") or bad syntax. */
ARGV   *pipe_argv_expand(const PIPE_ATTR *attr, const DELIVER_REQUEST *req,
                         BUF *why);

/* pipe_deliver.c: the DELIVER_FN of deliver_request_serve(); ctx is the
 * PIPE_SERVICE */
typedef struct PIPE_SERVICE {
    const char *name;                   /* master.cf service name */
    PIPE_ATTR attr;
    int     time_limit;                 /* SERVICE_time_limit */
    MAIL_QUEUE_CONF queue;
} PIPE_SERVICE;

const DSN *pipe_deliver(DELIVER_REQUEST *req, void *ctx);

#endif
