/* cleanup.h - the cleanup daemon's shared state and its parts.
 *
 * cleanup is the one way into the incoming queue (pickup, smtpd and qmqpd
 * are its clients). One process serves one client at a time: it creates
 * a queue file, greets the client with its queue id, reads the flags and
 * the client's records, and writes a new queue file on the way:
 *
 *   cleanup.c            the protocol loop, section by section
 *   cleanup_envelope.c   envelope records (time, sender, recipients, ...)
 *   cleanup_message.c    the content: headers and body (via mime_state)
 *   cleanup_header.c     one header: checks, address rewriting, output
 *   cleanup_missing.c    Message-Id, Date, From, To headers when missing
 *   cleanup_extracted.c  records after the content, the end of the file
 *   cleanup_addr.c       sender and recipients: rewrite, canonical,
 *                        masquerade, virtual aliases, duplicates, bcc
 *   cleanup_out.c        writing records, error state and reply texts
 *   cleanup_final.c      commit, hold, discard, wake qmgr, log
 *   cleanup_bounce.c     return a rejected local submission to its sender
 *   cleanup_init.c       tables and settings from main.cf
 *
 * Errors never stop the reading: the client's records are read to the
 * end so that the protocol stays in step, and the status bits say what
 * went wrong; then the file is committed or removed. */
#ifndef CLEANUP_H
#define CLEANUP_H

#include <stdbool.h>
#include <sys/time.h>

#include "argv.h"
#include "buf.h"
#include "htable.h"
#include "mail_queue.h"
#include "maps.h"
#include "queue_file.h"
#include "rewrite_clnt.h"
#include "stream.h"

typedef struct MIME_STATE MIME_STATE;
struct HEADER_OPTS;

/* headers_seen: one bit per header type (header_opts.h, types < 64). */
#define CLEANUP_HDR_BIT(type)   (1ULL << (type))

/* What the client asked for and what we found, for one message. */
typedef struct CLEANUP_STATE {
    STREAM *src;                        /* the client */
    BUF    *queue_id;
    int     flags;                      /* CLEANUP_FLAG_* */
    int     errs;                       /* CLEANUP_STAT_* so far */
    BUF    *reason;                     /* text for the first error */

    /* Output. */
    STREAM *dst;                        /* the new queue file */
    QUEUE_FILE_OUT out;
    MAIL_QUEUE_CONF qconf;
    long    content_bytes;              /* for message_size_limit */

    /* Envelope. */
    struct timeval arrival;
    bool    have_time;
    bool    warn_written;               /* the 'W' record */
    char   *sender;                     /* internal form, after mapping */
    char   *fullname;                   /* F record, or NULL */
    bool    remote_context;             /* rewrite_context=remote */
    char   *encoding;                   /* the client's "encoding", or NULL */
    bool    encoding_8bit;              /* a header says 8bit or binary */
    char   *log_origin;                 /* "localhost[127.0.0.1]", "local" */
    char   *log_proto;                  /* log_protocol_name, or NULL */
    char   *log_helo;                   /* log_helo_name, or NULL */
    int     pend_notify;                /* notify_flags for the next R */
    char   *pend_orcpt;                 /* dsn_orig_rcpt for the next R */
    char   *pend_orig;                  /* O record for the next R */
    char   *last_rcpt;                  /* for log lines: latest recipient */
    HTABLE *dups;                       /* recipients written */
    long    rcpt_count;
    long    qmgr_flags;                 /* size record: DSN notify summary */

    /* Content. */
    MIME_STATE *mime;
    unsigned long long headers_seen;    /* CLEANUP_HDR_BIT(HDR_*) of the
                                         * primary headers */
    int     hop_count;                  /* Received: headers */
    char   *message_id;                 /* for the log */
    bool    resent;                     /* Resent- headers present */
    bool    body_started;               /* a body record was written */
    int     last_type;                  /* of the last content record */
    int     mime_errs;                  /* MIME_ERR_* reported */
    bool    mime_reason;                /* the reply is about them */
    long    body_bytes;                 /* body bytes seen by body_checks */

    /* Actions from header and body checks. */
    bool    checks_done;                /* REJECT, DISCARD, PASS seen */
    bool    hold;
    bool    discard;
    char   *redirect;                   /* REDIRECT target */
    char   *filter;                     /* FILTER transport:nexthop */
    ARGV   *bcc;                        /* blind copies: BCC action,
                                         * sender/recipient_bcc_maps */

    /* What a returned message needs (CLEANUP_FLAG_BOUNCE). */
    struct CLEANUP_BOUNCE *bounce;      /* NULL: nothing kept yet */

    BUF    *why;                        /* reasons from lookups */
    BUF    *temp1;                      /* scratch */
    BUF    *temp2;
} CLEANUP_STATE;

/* Settings and tables, loaded once per process (cleanup_init.c). */
typedef struct CLEANUP_CONF {
    REWRITE_CLNT *rewrite;              /* trivial-rewrite */
    struct CANON_ADDR *canon;           /* *canonical_maps */
    struct MASQ_ADDR *masq;             /* masquerade_domains */
    struct VIRTUAL_EXPAND *virtual;     /* virtual_alias_maps, or NULL */
    MAPS   *sender_bcc;                 /* sender_bcc_maps, or NULL */
    MAPS   *recipient_bcc;              /* recipient_bcc_maps, or NULL */
    struct ADDR_MAP_SETTINGS *lookup;   /* how the tables are searched */
} CLEANUP_CONF;

extern CLEANUP_CONF cleanup_conf;

/* cleanup_state.c */
CLEANUP_STATE *cleanup_state_alloc(STREAM *src);
void    cleanup_state_free(CLEANUP_STATE *state);

/* cleanup_out.c */
void    cleanup_out(CLEANUP_STATE *state, int type, const char *data,
                    size_t len);
void    cleanup_out_string(CLEANUP_STATE *state, int type, const char *str);
void    cleanup_out_format(CLEANUP_STATE *state, int type, const char *fmt,
                           ...) MSG_PRINTF(3, 4);
void    cleanup_out_text(CLEANUP_STATE *state, const char *text, size_t len);
void    cleanup_out_record(CLEANUP_STATE *state, int type, const char *text,
                           size_t len);
void    cleanup_error(CLEANUP_STATE *state, int stat, const char *fmt, ...)
            MSG_PRINTF(3, 4);
bool    cleanup_writing(const CLEANUP_STATE *state);

/* cleanup_envelope.c */
void    cleanup_envelope(CLEANUP_STATE *state, int type, const char *data,
                         size_t len);
void    cleanup_envelope_end(CLEANUP_STATE *state);
void    cleanup_envelope_warn(CLEANUP_STATE *state);
void    cleanup_extra_flags(CLEANUP_STATE *state, const char *data);
long    cleanup_addr_notify_summary(int notify);
bool    cleanup_recipient_record(CLEANUP_STATE *state, int type,
                                 const char *data);
void    cleanup_recipient_forget(CLEANUP_STATE *state);

/* cleanup_message.c */
void    cleanup_message_start(CLEANUP_STATE *state);
void    cleanup_message(CLEANUP_STATE *state, int type, const char *data,
                        size_t len);
void    cleanup_message_end(CLEANUP_STATE *state);

/* cleanup_header.c */
void    cleanup_header(CLEANUP_STATE *state, int header_class,
                       const struct HEADER_OPTS *opts, BUF *header);

/* cleanup_missing.c */
void    cleanup_missing_headers(CLEANUP_STATE *state);

/* cleanup_extracted.c */
void    cleanup_extracted(CLEANUP_STATE *state, int type, const char *data,
                          size_t len);
void    cleanup_extracted_end(CLEANUP_STATE *state);

/* cleanup_addr.c */
void    cleanup_addr_sender(CLEANUP_STATE *state, const char *addr);
void    cleanup_addr_recipient(CLEANUP_STATE *state, const char *addr);
void    cleanup_addr_bcc(CLEANUP_STATE *state, const char *addr);
void    cleanup_addr_add_bcc(CLEANUP_STATE *state, const char *addr);
void    cleanup_addr_header(CLEANUP_STATE *state, bool sender_header,
                            BUF *addr);

/* cleanup_final.c */
void    cleanup_final(CLEANUP_STATE *state);

/* cleanup_bounce.c: for a client that cannot report a rejection
 * (CLEANUP_FLAG_BOUNCE), keep the recipients and the DSN attributes as
 * they are written, and return the rejected message to its sender.
 * cleanup_bounce: 0 when the bounce service took the notice, -1 (warned)
 * when not: the message must then stay with the client. */
void    cleanup_bounce_rcpt(CLEANUP_STATE *state, const char *orcpt,
                            int notify, const char *orig, const char *rcpt);
void    cleanup_bounce_attr(CLEANUP_STATE *state, const char *name,
                            const char *value);
int     cleanup_bounce(CLEANUP_STATE *state);
void    cleanup_bounce_free(CLEANUP_STATE *state);

/* cleanup_init.c */
void    cleanup_init(void);

#endif
