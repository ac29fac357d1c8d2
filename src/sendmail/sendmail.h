/* sendmail - what the sendmail command's files share: its options. */
#ifndef SENDMAIL_H
#define SENDMAIL_H

#include <stdbool.h>

#include "argv.h"

/* What to do. */
#define SM_MODE_ENQUEUE     0           /* -bm: read and queue a message */
#define SM_MODE_NEWALIASES  1           /* -bi, -I */
#define SM_MODE_UNAVAILABLE 2           /* needs a daemon we lack */
#define SM_MODE_MAILQ       3           /* -bp, mailq: postqueue -p */
#define SM_MODE_FLUSH       4           /* -q: postqueue -f */
#define SM_MODE_FLUSH_SITE  5           /* -qRsite: postqueue -s site */
#define SM_MODE_FLUSH_ID    6           /* -qIid: postqueue -i id */
#define SM_MODE_SMTPD       7           /* -bs: smtpd -S */

/* DSN values, as Postfix stores them in queue files. */
#define SM_NOTIFY_NEVER     1
#define SM_NOTIFY_SUCCESS   2
#define SM_NOTIFY_FAILURE   4
#define SM_NOTIFY_DELAY     8
#define SM_RET_FULL         1
#define SM_RET_HDRS         2

#define SM_VERP_DEFAULT     "+="        /* default_verp_delimiters */
#define SM_ENVID_MAX        100         /* RFC 3461 ENVID length */
#define SM_TRACE_USR_VRFY   512         /* -bv: trace_flags, as Postfix's
                                         * DEL_REQ_FLAG_USR_VRFY */

typedef struct SM_OPTS {
    int     mode;
    const char *unavailable;            /* the option, for SM_MODE_UNAVAILABLE */
    const char *needs;                  /* ... and what it needs */
    const char *queue_arg;              /* -qR site, -qI queue id */
    const char *config;                 /* -C, -c */
    char   *sender;                     /* -f, -r; NULL: the login name */
    char   *fullname;                   /* -F; NULL: $NAME or GECOS */
    bool    extract;                    /* -t */
    bool    dot_ends;                   /* false with -i, -oi */
    bool    gateway;                    /* -G */
    bool    verify;                     /* -bv: report, deliver nothing */
    int     notify;                     /* -N, SM_NOTIFY_* */
    int     ret;                        /* -R, SM_RET_* */
    const char *envid;                  /* -V */
    const char *encoding;               /* -B: "7bit", "8bit" */
    const char *verp;                   /* -XV */
    ARGV   *rcpt;                       /* the command line's recipients */
} SM_OPTS;

/* sendmail_opts_parse - parse the command line into opts; a bad option
 * is fatal (EX_TEMPFAIL, as Postfix's sendmail) */
void    sendmail_opts_parse(SM_OPTS *opts, int argc, char **argv);

/* sendmail_opts_free - release what parsing allocated */
void    sendmail_opts_free(SM_OPTS *opts);

#endif
