/* bounce_log - the per-message logs of the delivery status services.
 *
 * The bounce, defer and trace services (src/bounce/) keep one text file
 * per message, named by its queue id: bounce/ID (flat), defer/H/ID
 * (hashed like the deferred queue), trace/ID (flat). Each recipient
 * result that an agent reports is one record, byte for byte as Postfix
 * 3.7 writes it (docs/bounce.md):
 *
 *   "\n"
 *   "<RECIPIENT>: REASON\n"              for people and old readers
 *   "recipient=ADDRESS\n"                then name=value lines in this
 *   "original_recipient=ADDRESS\n"       order, each left out when empty
 *   "offset=N\n"                         or redundant (see the .c file)
 *   "dsn_orig_rcpt=TYPE;ADDRESS\n"
 *   "notify_flags=N\n"
 *   "status=X.Y.Z\n"
 *   "action=WORD\n"
 *   "diag_type=..\n" "diag_text=..\n" "mta_type=..\n" "mta_mname=..\n"
 *   "reason=TEXT\n"
 *   "\n"
 *
 * Values never hold control characters: the writer replaces them with
 * '?' as the log line writer does (msg_printable), so a value cannot end
 * its line early. RECIPIENT and the original recipient are written in
 * external form ("\"sp ace\"@x.test", as Postfix writes them; showq
 * matches them against the external form of the queue file's
 * recipients), and the reader returns them as written: the RECIPIENT
 * that bounce_log_read() gives has its address and orig_addr in external
 * form, ready for a notice. The reader is for files that may be damaged
 * (a crash in the middle of a write, a disk error, an editor): a record
 * it cannot use is skipped with a warning, never trusted, and nothing
 * makes it crash. Readers: the bounce daemon (notices) and showq (the
 * "delay reason" of a deferred message). Library code: nothing here
 * exits. */
#ifndef BOUNCE_LOG_H
#define BOUNCE_LOG_H

#include <stdbool.h>

#include "buf.h"
#include "deliver_request.h"
#include "dsn.h"
#include "mail_queue.h"

/* The longest line a reader accepts; longer lines spoil their record. */
#define BOUNCE_LOG_LINE_MAX     (64 * 1024)

/* bounce_log_format - append one record to bp; with_text adds the
 * human-readable "<RECIPIENT>: REASON" line
 * ($backwards_bounce_logfile_compatibility) */
void    bounce_log_format(BUF *bp, const RECIPIENT *rcpt, const DSN *dsn,
                          bool with_text);

typedef struct BOUNCE_LOG_FILE BOUNCE_LOG_FILE;

/* bounce_log_open - open the log of message id in queue (bounce, defer
 * or trace) for reading, never through a symlink; NULL with the reason
 * in why and errno (ENOENT: there is no log) */
BOUNCE_LOG_FILE *bounce_log_open(const MAIL_QUEUE_CONF *conf,
                                 const char *queue, const char *id, BUF *why);

/* bounce_log_fdopen - read a log from fd (the reader owns it from now
 * on); name is used in warnings */
BOUNCE_LOG_FILE *bounce_log_fdopen(int fd, const char *name);

/* bounce_log_read - the next usable record: 1 with *rcpt and *dsn
 * pointing into the reader (valid until the next call; addresses in
 * external form, "" for the null address), 0 at the end,
 * -1 on a read error (errno). Every field is a string ("" when absent);
 * a missing recipient or a malformed number spoils a record, which is
 * skipped with a warning; unknown names are ignored with a warning. */
int     bounce_log_read(BOUNCE_LOG_FILE *bl, const RECIPIENT **rcpt,
                        const DSN **dsn);

/* bounce_log_rewind - read from the start again; 0, or -1 (errno) */
int     bounce_log_rewind(BOUNCE_LOG_FILE *bl);

/* bounce_log_close - close the file, free the reader */
void    bounce_log_close(BOUNCE_LOG_FILE *bl);

#endif
