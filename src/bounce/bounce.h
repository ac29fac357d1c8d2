/* bounce.h - the delivery status service: settings, and its parts.
 *
 *   bounce.c          main(): the skeleton, the settings, one request
 *                     per connection, dispatched by nrequest
 *   bounce_append.c   nrequest 0: one recipient's result into the log
 *   bounce_flush.c    a deferral also goes to the fast flush service
 *   bounce_notify.c   nrequests 1, 2, 5: which notices a log calls for,
 *                     to whom; marking recipients done; removing logs
 *   bounce_send.c     one notice through the cleanup service
 *   bounce_compose.c  the notice itself: RFC 3464 multipart/report
 *   bounce_template.c the human-readable words, in one place
 *   bounce_template_file.c  bounce_template_file: one's own words
 *   bounce_out.c      writing lines of a notice, folding long ones
 *   bounce_queue.c    the original message: envelope, content, marks
 *
 * One program serves three master.cf services (bounce, defer, trace:
 * Postfix's names); the service name picks the log directory. Nothing
 * here exits on bad input: a request that cannot be served is answered
 * with a failure status, and the client tries again later. */
#ifndef BOUNCE_H
#define BOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>

#include "bounce_log.h"
#include "buf.h"
#include "deliver_request.h"
#include "dsn.h"
#include "mail_queue.h"
#include "stream.h"

/* notify_classes bits that this service acts on. */
#define BOUNCE_CLASS_BOUNCE     (1<<0)  /* postmaster copy of each NDR */
#define BOUNCE_CLASS_2BOUNCE    (1<<1)  /* undeliverable NDRs */
#define BOUNCE_CLASS_DELAY      (1<<2)  /* postmaster copy of warnings */

/* The settings, from main.cf once at start-up (bounce.c). */
typedef struct BOUNCE_CONF {
    MAIL_QUEUE_CONF queue;              /* the working directory's queues */
    const char *log_queue;              /* bounce, defer or trace */
    char   *cleanup_path;               /* public/$cleanup_service_name */
    int     cleanup_flags;              /* CLEANUP_FLAG_* for notices */
    int     timeout;                    /* $ipc_timeout */
    const char *myhostname;
    const char *mail_name;
    char   *mail_daemon;                /* MAILER-DAEMON@$myorigin */
    char   *double_bounce;              /* $double_bounce_sender@$myorigin */
    long    size_limit;                 /* $bounce_size_limit */
    int     notify_classes;             /* BOUNCE_CLASS_* */
    const char *bounce_rcpt;            /* $bounce_notice_recipient */
    const char *bounce2_rcpt;           /* $2bounce_notice_recipient */
    const char *delay_rcpt;             /* $delay_notice_recipient */
    bool    log_text;                   /* $backwards_bounce_logfile_... */
    long    delay_warning_time;         /* seconds */
    long    max_queue_lifetime;         /* seconds */
} BOUNCE_CONF;

/* A flush, warn or trace request (bounce_clnt.h BOUNCE_MSG). */
typedef struct BOUNCE_REQ {
    int     cmd;                        /* BOUNCE_CMD_* */
    int     flags;                      /* BOUNCE_FLAG_* or DEL_REQ_FLAG_* */
    BUF    *queue_name;
    BUF    *queue_id;
    BUF    *encoding;
    int     smtputf8;
    BUF    *sender;                     /* "" for the null sender */
    BUF    *envid;
    int     ret;                        /* DSN_RET_*, 0: not given */
} BOUNCE_REQ;

/* bounce_append_service - serve an append request (nrequest already read)
 * on client; the reply status */
int     bounce_append_service(const BOUNCE_CONF *conf, STREAM *client);

/* bounce_flush_add - tell the flush service that queue_id has mail
 * deferred for the domain of recipient, when $fast_flush_domains lists
 * it (failures are logged only) */
void    bounce_flush_add(const char *queue_id, const char *recipient);

/* bounce_notify_service - serve a flush, warn or trace request; the
 * reply status (0: done, or nothing was due; -1: try again later) */
int     bounce_notify_service(const BOUNCE_CONF *conf, const BOUNCE_REQ *req);

/* Where the lines of a notice go: put() gets a content record (REC_TYPE_
 * NORM for a line, REC_TYPE_CONT for part of one) and returns 0 or -1. */
typedef struct BOUNCE_OUT {
    int     (*put) (void *ctx, int type, const char *data, size_t len);
    void   *ctx;
} BOUNCE_OUT;

/* bounce_out_line - one line; 0 or -1 */
int     bounce_out_line(BOUNCE_OUT *out, const char *line);

/* bounce_out_printf - one formatted line; 0 or -1 */
int     bounce_out_printf(BOUNCE_OUT *out, const char *fmt, ...)
            MSG_PRINTF(2, 3);

/* bounce_out_folded - text as lines of at most BOUNCE_FOLD_WIDTH
 * characters where it has spaces to break at, continuation lines
 * indented by BOUNCE_FOLD_INDENT spaces; a word that does not fit gets a
 * line of its own (Postfix's layout, observed); 0 or -1 */
#define BOUNCE_FOLD_WIDTH       79
#define BOUNCE_FOLD_INDENT      4
int     bounce_out_folded(BOUNCE_OUT *out, const char *text);

/* The kinds of notice. */
typedef enum {
    BOUNCE_NOTICE_FAILURE,              /* non-delivery report */
    BOUNCE_NOTICE_DELAY,                /* delay warning */
    BOUNCE_NOTICE_SUCCESS,              /* delivery report (NOTIFY=SUCCESS) */
    BOUNCE_NOTICE_VERIFY,               /* sendmail -bv / -v report */
} BOUNCE_NOTICE_KIND;

/* The words of one kind of notice (Postfix's bounce template fields). */
typedef struct BOUNCE_TEMPLATE {
    const char *charset;                /* of the text part */
    const char *from;                   /* the From: header */
    const char *subject;                /* to the sender */
    const char *postmaster_subject;     /* postmaster copies */
    const char *text;                   /* with $parameter expansions */
    const char *body_label;             /* Content-Description of the
                                         * returned full message */
    const char *headers_label;          /* ... of its headers only */
} BOUNCE_TEMPLATE;

/* bounce_template - the template of a kind: from bounce_template_file,
 * else the built-in one */
const BOUNCE_TEMPLATE *bounce_template(BOUNCE_NOTICE_KIND kind);

/* bounce_template_builtin - the built-in template of a kind */
const BOUNCE_TEMPLATE *bounce_template_builtin(BOUNCE_NOTICE_KIND kind);

/* bounce_template_load - read bounce_template_file path (Postfix's
 * syntax, man 5 bounce): fatal when it cannot be read or a line is not
 * "NAME = VALUE"; a bad template is ignored with a warning
 * (bounce_template_file.c) */
void    bounce_template_load(const char *path);

/* bounce_template_loaded - the file's template of a kind, or NULL */
const BOUNCE_TEMPLATE *bounce_template_loaded(BOUNCE_NOTICE_KIND kind);

/* bounce_template_expand - append text to result with $name expanded:
 * main.cf parameters, and as in Postfix's templates
 * delay_warning_time_UNIT and maximal_queue_lifetime_UNIT (UNIT is
 * seconds, minutes, hours, days or weeks); Postern adds
 * delay_warning_time_text and maximal_queue_lifetime_text ("4 hours").
 * 0, or -1 with the reason in why. */
int     bounce_template_expand(BUF *result, const BOUNCE_CONF *conf,
                               const char *text, BUF *why);

/* How much of the original goes into a notice. */
typedef enum {
    BOUNCE_BODY_HEADERS,                /* text/rfc822-headers */
    BOUNCE_BODY_FULL,                   /* message/rfc822 */
} BOUNCE_BODY;

/* The original message, as far as the queue file could be read. */
typedef struct BOUNCE_ORIG {
    const char *sender;                 /* "" for the null sender */
    struct timeval arrival;
    long    msg_size;                   /* content bytes */
    /* copy: the content records (all, or the primary header only) */
    int     (*copy) (void *ctx, bool headers_only, BOUNCE_OUT *out);
    void   *ctx;
} BOUNCE_ORIG;

/* What one notice is about, and to whom. */
typedef struct BOUNCE_NOTICE {
    BOUNCE_NOTICE_KIND kind;
    bool    postmaster;                 /* a postmaster copy */
    const char *queue_id;               /* of the original */
    const char *notice_id;              /* cleanup's id for the notice */
    const char *to;                     /* the notice's recipient */
    const char *envid;                  /* DSN ENVID or "" */
    struct timeval now;
    BOUNCE_BODY body;
    const BOUNCE_ORIG *orig;            /* NULL: the queue file is gone */
} BOUNCE_NOTICE;

/* bounce_compose_wanted - whether a logged recipient belongs in the
 * notice (postmaster copies take all; the sender gets only what its
 * DSN NOTIFY asked for, or everything when it asked nothing) */
bool    bounce_compose_wanted(const BOUNCE_NOTICE *notice,
                              const RECIPIENT *rcpt);

/* bounce_compose - the content of the notice (its header and MIME
 * parts, not the envelope) to out, the recipients from log (NULL: the
 * log is gone). 0, or -1 with the reason in why. */
int     bounce_compose(BOUNCE_OUT *out, const BOUNCE_CONF *conf,
                       const BOUNCE_NOTICE *notice, BOUNCE_LOG_FILE *log,
                       BUF *why);

/* bounce_send - queue one notice through cleanup: envelope sender
 * (empty for the null sender), recipient, the composed content; the new
 * queue id into new_id. 0, or -1 with the reason in why. */
int     bounce_send(const BOUNCE_CONF *conf, const char *env_sender,
                    BOUNCE_NOTICE *notice, BOUNCE_LOG_FILE *log, BUF *new_id,
                    BUF *why);

/* The original queue file, open with a shared lock. */
typedef struct BOUNCE_QUEUE BOUNCE_QUEUE;

/* bounce_queue_open - open, lock and check the queue file; NULL with
 * the reason in why and errno (ENOENT: it is gone) */
BOUNCE_QUEUE *bounce_queue_open(const BOUNCE_CONF *conf, const char *queue,
                                const char *id, BUF *why);

/* bounce_queue_orig - what the notices need from it */
const BOUNCE_ORIG *bounce_queue_orig(BOUNCE_QUEUE *qf);

/* bounce_queue_mark_done - mark the recipient record at offset done,
 * if there is one there that is not done yet; 0, or -1 with the reason
 * in why */
int     bounce_queue_mark_done(BOUNCE_QUEUE *qf, long offset, BUF *why);

/* bounce_queue_close - unlock, close, free */
void    bounce_queue_close(BOUNCE_QUEUE *qf);

#endif
