/* qmgr.h - the queue manager's in-core state, shared by its parts.
 *
 * qmgr.c          main, triggers, timers, start-up recovery
 * qmgr_scan.c     incoming and deferred scans, feeding the active queue
 * qmgr_message.c  reading a queue file into a QMGR_MESSAGE, resolving
 *                 its recipients into per-destination entries
 * qmgr_queue.c    transports and destination queues: limits,
 *                 concurrency window, dead destinations, rate delay,
 *                 choosing the next delivery
 * qmgr_deliver.c  one delivery request to an agent and its reply
 * qmgr_defer.c    recipients qmgr itself must defer or bounce
 * qmgr_finish.c   a message whose deliveries all came back: notices,
 *                 expiry, delay warning, backoff, removal
 *
 * Objects: a QMGR_MESSAGE (one queue file in active/) owns its
 * recipients; resolving puts each recipient into the QMGR_QUEUE of its
 * transport and next hop, grouped into QMGR_ENTRY delivery requests of
 * at most the transport's recipient limit. A message is finished when
 * its last entry came back (refcount 0). */
#ifndef QMGR_H
#define QMGR_H

#include <stdbool.h>
#include <sys/time.h>

#include "buf.h"
#include "deliver_request.h"
#include "htable.h"
#include "mail_queue.h"
#include "resolve_clnt.h"
#include "stream.h"

typedef struct QMGR_MESSAGE QMGR_MESSAGE;
typedef struct QMGR_ENTRY QMGR_ENTRY;
typedef struct QMGR_QUEUE QMGR_QUEUE;
typedef struct QMGR_TRANSPORT QMGR_TRANSPORT;

/* One message in the active queue. */
struct QMGR_MESSAGE {
    char   *queue_id;
    struct timeval arrival;             /* the 'T' record */
    struct timeval active;              /* when it entered active */
    long    data_offset;                /* 'C' record fields */
    long    data_size;
    long    rcpt_total;
    char   *sender;
    char   *encoding;
    char   *dsn_envid;
    int     dsn_ret;
    int     smtputf8;
    int     tflags;                     /* DEL_REQ_FLAG_* from trace_flags */
    char   *client_name;
    char   *client_addr;
    char   *client_port;
    char   *client_proto;
    char   *client_helo;
    char   *sasl_method;
    char   *sasl_username;
    char   *sasl_sender;
    char   *log_ident;
    char   *rewrite_context;
    long    warn_offset;                /* the 'W' record, 0: none */
    long    warn_time;                  /* its time, <= 0: no warning */
    RECIPIENT *rcpt;                    /* recipients not yet done */
    int     rcpt_count;
    int     refcount;                   /* entries not yet back */
    bool    defer;                      /* some recipient must wait */
    bool    forced_expire;              /* postsuper -e/-f: return it now */
};

/* One delivery request: a message and some of its recipients. */
struct QMGR_ENTRY {
    QMGR_MESSAGE *message;
    QMGR_QUEUE *queue;
    RECIPIENT *rcpt;                    /* copies; the strings belong to
                                         * the message */
    int     rcpt_count;
    STREAM *agent;                      /* while the request is out */
    QMGR_ENTRY *next;                   /* the queue's to-do list */
};

/* One destination (next hop) of one transport. */
struct QMGR_QUEUE {
    char   *name;                       /* the next hop */
    QMGR_TRANSPORT *transport;
    QMGR_ENTRY *todo_head, *todo_tail;
    int     todo;                       /* entries waiting */
    int     busy;                       /* entries out with agents */
    double  window;                     /* concurrency allowed now */
    double  success;                    /* positive feedback so far */
    double  failure;                    /* negative feedback so far */
    double  fail_cohorts;               /* failed cohorts since success */
    char   *dead_reason;                /* non-NULL: destination is dead */
    char   *dead_status;                /* its enhanced status code */
    struct timeval next_start;          /* rate delay: not before then */
    QMGR_QUEUE *prev, *next;            /* the transport's ring */
};

/* One transport (a master.cf service of the delivery agents). */
struct QMGR_TRANSPORT {
    char   *name;
    int     proc_limit;                 /* master.cf maxproc */
    int     busy;                       /* requests out */
    int     dest_limit;                 /* *_destination_concurrency_limit */
    int     rcpt_limit;                 /* *_destination_recipient_limit */
    int     init_window;                /* initial_destination_concurrency */
    int     rate_delay;                 /* *_destination_rate_delay, s */
    int     cohort_limit;               /* *_failed_cohort_limit */
    char   *pos_feedback;               /* "1" or "1/concurrency" */
    char   *neg_feedback;
    HTABLE *queue_byname;
    QMGR_QUEUE *ring;                   /* queues with work, round robin */
    char   *dead_reason;                /* non-NULL: agent unreachable */
    time_t  dead_until;
    QMGR_TRANSPORT *next;               /* all transports */
};

/* The configuration and global state. */
typedef struct QMGR {
    MAIL_QUEUE_CONF queue;
    RESOLVE_CLNT *resolver;
    HTABLE *proc_limits;                /* service name -> maxproc text */
    int     message_count;              /* messages in core */
    long    rcpt_count;                 /* recipients in core */
    QMGR_TRANSPORT *transports;
    HTABLE *transport_byname;
} QMGR;

extern QMGR qmgr;

/* qmgr_scan.c */
#define QMGR_SCAN_INCOMING      (1<<0)
#define QMGR_SCAN_DEFERRED      (1<<1)
#define QMGR_SCAN_ALL_DEFERRED  (1<<2)  /* ignore the retry times */
void    qmgr_scan_request(int which);
void    qmgr_feed(void);

/* qmgr_flow.c */
void    qmgr_flow_tokens(int new_mail, bool incoming_drained);
void    qmgr_feed_later(void);

/* qmgr_message.c */
void    qmgr_message_load(const char *queue_name, const char *id);
void    qmgr_message_free(QMGR_MESSAGE *message);

/* qmgr_queue.c */
QMGR_TRANSPORT *qmgr_transport_find(const char *name);
bool    qmgr_transport_deferred(const char *name);
QMGR_QUEUE *qmgr_queue_find(QMGR_TRANSPORT *transport, const char *name);
void    qmgr_queue_add(QMGR_QUEUE *queue, QMGR_MESSAGE *message,
                       RECIPIENT *rcpt);
void    qmgr_queue_done(QMGR_QUEUE *queue, const char *hop_status,
                        const char *hop_reason);
void    qmgr_queue_release(QMGR_QUEUE *queue);
void    qmgr_transport_dead(QMGR_TRANSPORT *transport, const char *reason);
void    qmgr_forget_dead(void);
void    qmgr_schedule(void);
void    qmgr_schedule_later(void);

/* qmgr_deliver.c */
void    qmgr_deliver(QMGR_ENTRY *entry);

/* qmgr_defer.c */
void    qmgr_defer_entry(QMGR_ENTRY *entry, const char *status,
                         const char *reason);
void    qmgr_defer_rcpts(QMGR_ENTRY *entry, const char *status,
                         const char *reason);
void    qmgr_defer_rcpt(QMGR_MESSAGE *message, const RECIPIENT *rcpt,
                        const char *status, const char *reason);
void    qmgr_bounce_rcpt(QMGR_MESSAGE *message, const RECIPIENT *rcpt,
                         const char *status, const char *reason);

/* qmgr_finish.c */
void    qmgr_entry_done(QMGR_ENTRY *entry);
void    qmgr_message_done(QMGR_MESSAGE *message);

#endif
