/* mail_copy - copy a queued message to a mailbox, a file or a command.
 *
 * The content records of the queue file ('N' lines, 'L' pieces of long
 * lines, 'p' pointers, 'w' padding, up to the 'X' record) are written to
 * a stream, with what the flags ask for, in this order (observed from
 * Postfix 3.7's local, docs/local.md):
 *
 *   From SENDER  Sun Dec  6 02:49:11 2026          MAIL_COPY_FROM
 *   Return-Path: <SENDER>                          MAIL_COPY_RETURN
 *   X-Original-To: ORIG_RCPT                       MAIL_COPY_ORIG_RCPT
 *   Delivered-To: DELIVERED                        MAIL_COPY_DELIVERED
 *   the message, with ">From " for lines that      MAIL_COPY_QUOTE
 *   start with "From ", "." before lines that      MAIL_COPY_DOT
 *   start with "."
 *   one empty line                                 MAIL_COPY_BLANK
 *
 * The "From " line has two spaces before the date (local time, asctime
 * form, English names) and MAILER-DAEMON for the null sender; the
 * addresses are written in external form (quote_822_local.h), the null
 * sender as "<>". Lines end in eol ("\n" when NULL). MAIL_COPY_TOFILE
 * (mailboxes and files): the stream's file is fsync'd, and cut back to
 * its old length when anything failed, so a half-written message never
 * stays in a mailbox.
 *
 * Library code: nothing here exits. The reason of a failure goes to why
 * with an enhanced status code (dsn_buf.h). */
#ifndef MAIL_COPY_H
#define MAIL_COPY_H

#include <sys/types.h>

#include "dsn_buf.h"
#include "stream.h"

#define MAIL_COPY_QUOTE         (1<<0)  /* ">From " */
#define MAIL_COPY_TOFILE        (1<<1)  /* fsync; truncate on error */
#define MAIL_COPY_FROM          (1<<2)  /* "From " line */
#define MAIL_COPY_DELIVERED     (1<<3)  /* Delivered-To: */
#define MAIL_COPY_RETURN        (1<<4)  /* Return-Path: */
#define MAIL_COPY_DOT           (1<<5)  /* escape leading dots */
#define MAIL_COPY_BLANK         (1<<6)  /* empty line at the end */
#define MAIL_COPY_ORIG_RCPT     (1<<7)  /* X-Original-To: */
#define MAIL_COPY_NONE          0

/* A UNIX mailbox or a file (local's mbox and /file deliveries). */
#define MAIL_COPY_MBOX  (MAIL_COPY_FROM | MAIL_COPY_QUOTE | MAIL_COPY_TOFILE \
        | MAIL_COPY_DELIVERED | MAIL_COPY_RETURN | MAIL_COPY_BLANK \
        | MAIL_COPY_ORIG_RCPT)

/* Status bits. */
#define MAIL_COPY_STAT_OK       0
#define MAIL_COPY_STAT_CORRUPT  (1<<0)  /* the queue file is damaged */
#define MAIL_COPY_STAT_READ     (1<<1)  /* the queue file cannot be read */
#define MAIL_COPY_STAT_WRITE    (1<<2)  /* the destination failed */

/* Where the message is, and the envelope it goes with. */
typedef struct MAIL_COPY_SRC {
    int     fd;                         /* the queue file */
    off_t   offset;                     /* its first content record */
    const char *sender;                 /* internal form, "" = null */
    const char *orig_rcpt;              /* X-Original-To: value */
    const char *delivered;              /* Delivered-To: value */
} MAIL_COPY_SRC;

/* A whole copy, for writers that take a callback (maildir.h,
 * pipe_command.h): mail_copy_job() is their write function, ctx a
 * MAIL_COPY_JOB. */
typedef struct MAIL_COPY_JOB {
    MAIL_COPY_SRC src;
    int     flags;                      /* MAIL_COPY_* */
    const char *eol;                    /* NULL: "\n" */
} MAIL_COPY_JOB;

/* mail_copy - write the message to dst (flushed; not closed); 0, or
 * MAIL_COPY_STAT_* with the reason in why ("error writing message:
 * ...", status from dsn_errno_status(); read and format problems are
 * 4.3.0). The queue file's offset moves. */
int     mail_copy(const MAIL_COPY_SRC *src, STREAM *dst, int flags,
                  const char *eol, DSN_BUF *why);

/* mail_copy_job - mail_copy() of the job ctx to dst */
int     mail_copy_job(STREAM *dst, void *ctx, DSN_BUF *why);

/* mail_copy_walk - call fn for each content record ('N' or 'L', data
 * without a line end) from offset on, following pointers; fn returns
 * non-zero to stop. 0 at the 'X' record, fn's non-zero value, or
 * MAIL_COPY_STAT_CORRUPT / _READ with the reason in why. For readers of
 * the content other than mail_copy() (forwarding, header checks). */
typedef int (*MAIL_COPY_REC_FN) (int type, const char *data, size_t len,
                                 void *ctx);
int     mail_copy_walk(int fd, off_t offset, MAIL_COPY_REC_FN fn, void *ctx,
                       DSN_BUF *why);

/* mail_copy_from_line - the "From " line without eol into bp */
void    mail_copy_from_line(BUF *bp, const char *sender, time_t when);

#endif
