/* queue_file - walk and check a whole queue file; write one; quarantine.
 *
 * Reading: queue_file_walk() reads every record in logical order
 * (following pointer records, as Postfix's readers do) and checks the
 * file's integrity on the way: the size record first if present, the
 * sections in order (envelope, 'M' content, 'X' extracted, 'E' end), only
 * known types in each section, lengths within the caller's limit, the
 * arrival time and sender present, well-formed size, time, attribute and
 * pointer records, and the end record. A damaged file gets a reason in
 * Postfix's words where Postfix has words ("message rejected: missing end
 * record"); queue_file_corrupt() then moves it to corrupt/ with
 * "warning: ID: REASON" and Postfix's "saving corrupt file" line.
 *
 * Writing: a QUEUE_FILE_OUT wraps the stream of a new queue file (from
 * mail_queue_enter()), refuses records out of section order, counts
 * offsets and recipients, and on queue_file_out_end() writes the end
 * record and fills in the size record that queue_file_out_size() left
 * as a fixed-width placeholder (docs/queue-format.md). Library code:
 * nothing here exits. */
#ifndef QUEUE_FILE_H
#define QUEUE_FILE_H

#include <stdbool.h>
#include <sys/time.h>
#include <sys/types.h>

#include "buf.h"
#include "mail_queue.h"
#include "rec_type.h"
#include "stream.h"

/* The size record ('C'): six fixed-width numbers. */
typedef struct QUEUE_FILE_SIZE {
    long    msg_size;                   /* content bytes: 'X' - data */
    long    data_offset;                /* first record after 'M' */
    long    rcpt_count;                 /* recipients when written */
    long    qmgr_flags;                 /* DSN notify summary bits */
    long    cont_length;                /* content length (= msg_size) */
    long    smtputf8;                   /* SMTPUTF8 flags */
} QUEUE_FILE_SIZE;

#define QUEUE_FILE_SIZE_WIDTH   15      /* digits per field, space padded */
#define QUEUE_FILE_SIZE_LEN     95      /* 6 * 15 + 5 separators */

/* What a walk learnt about a file. */
typedef struct QUEUE_FILE_INFO {
    bool    has_size;                   /* a 'C' record was present */
    QUEUE_FILE_SIZE size;
    struct timeval arrival;             /* the 'T' record */
    long    rcpt_todo;                  /* 'R' records */
    long    rcpt_done;                  /* 'D' and '/' records */
    off_t   data_offset;                /* just after 'M' */
    off_t   xtra_offset;                /* the 'X' record */
    off_t   end_offset;                 /* the 'E' record */
} QUEUE_FILE_INFO;

/* queue_file_walk results. */
#define QUEUE_FILE_OK           0
#define QUEUE_FILE_CORRUPT      (-1)    /* damaged: move it to corrupt/ */
#define QUEUE_FILE_READ_ERROR   (-2)    /* I/O problem: try again later */

/* Called for each record in logical order: its type, data, offset of the
 * type byte (for rec_mark_done()), and section. Anything but 0 ends the
 * walk, and queue_file_walk() returns it (use positive values). */
typedef int (*QUEUE_FILE_CB) (int type, const char *data, size_t len,
                              off_t offset, REC_SECTION section, void *ctx);

/* queue_file_walk - read and check the file open on fd from its start
 * (the file offset moves); maxlen limits every record's length (0: no
 * limit but REC_LEN_MAX). cb and info may be NULL. Returns QUEUE_FILE_OK,
 * QUEUE_FILE_CORRUPT or QUEUE_FILE_READ_ERROR with the reason in why, or
 * what the callback returned. */
int     queue_file_walk(int fd, size_t maxlen, QUEUE_FILE_CB cb, void *ctx,
                        QUEUE_FILE_INFO *info, BUF *why);

/* queue_file_walk_envelope - as queue_file_walk, but from the 'M' record
 * straight to the 'X' record where the size record puts it (as Postfix's
 * qmgr and showq read a file): no content record is read, checked or
 * reported. Landing anywhere but on 'X' makes the file corrupt. Without
 * a size record the whole file is read. */
int     queue_file_walk_envelope(int fd, size_t maxlen, QUEUE_FILE_CB cb,
                                 void *ctx, QUEUE_FILE_INFO *info, BUF *why);

/* queue_file_corrupt - move a damaged file from queue to corrupt/ and log
 * "warning: ID: REASON" and "warning: saving corrupt file "ID" from queue
 * "QUEUE" to queue "corrupt"". 0, or -1 with the reason in why. */
int     queue_file_corrupt(const MAIL_QUEUE_CONF *conf, const char *queue,
                           const char *id, const char *reason, BUF *why);

/* queue_file_size_format - the size record's data (95 bytes) */
void    queue_file_size_format(BUF *bp, const QUEUE_FILE_SIZE *size);

/* queue_file_size_parse - read a size record's data (5 or 6 numbers, as
 * old and new Postfix write them); 0, or -1 when malformed */
int     queue_file_size_parse(const char *data, size_t len,
                              QUEUE_FILE_SIZE *size);

/* Writer state for a new queue file. */
typedef struct QUEUE_FILE_OUT {
    STREAM *sp;
    off_t   offset;                     /* where the next record goes */
    REC_SECTION section;
    bool    has_size;                   /* placeholder written */
    long    rcpt_count;                 /* 'R' records written */
    off_t   data_offset;                /* just after 'M' */
    off_t   xtra_offset;                /* the 'X' record */
} QUEUE_FILE_OUT;

/* queue_file_out_init - start writing records to sp (an empty file) */
void    queue_file_out_init(QUEUE_FILE_OUT *qf, STREAM *sp);

/* queue_file_out_rec - append a record if its type fits the current
 * section ('M', 'X' move on; use queue_file_out_end() for 'E'); 0, or -1
 * with errno (EINVAL: out of order, or a write error) */
int     queue_file_out_rec(QUEUE_FILE_OUT *qf, int type, const char *data,
                           size_t len);

/* queue_file_out_size - the size record placeholder: must come first */
int     queue_file_out_size(QUEUE_FILE_OUT *qf);

/* queue_file_out_time - the arrival time record: "sec usec" */
int     queue_file_out_time(QUEUE_FILE_OUT *qf, const struct timeval *tv);

/* queue_file_out_attr - a named attribute record: "name=value" */
int     queue_file_out_attr(QUEUE_FILE_OUT *qf, const char *name,
                            const char *value);

/* queue_file_out_rcpt - a recipient: 'O' (when orig is not NULL), 'R' */
int     queue_file_out_rcpt(QUEUE_FILE_OUT *qf, const char *orig,
                            const char *addr);

/* queue_file_out_end - finish the records: 'X' if the content is still
 * open, 'E', flush, then fill in the size record placeholder (if any)
 * from the offsets and recipient count, with qmgr_flags and smtputf8 as
 * given. The caller then runs mail_queue_commit(). 0, or -1 with errno. */
int     queue_file_out_end(QUEUE_FILE_OUT *qf, long qmgr_flags,
                           long smtputf8);

#endif
