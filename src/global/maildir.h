/* maildir - deliver one message into a qmail-style Maildir.
 *
 * The message is written to tmp/SECONDS.P<pid>.<host> (created 0600,
 * O_EXCL), made durable by the writer (mail_copy() with
 * MAIL_COPY_TOFILE fsyncs it), then linked to
 * new/SECONDS.V<dev>I<ino>M<usec>.<host> (device and inode of the tmp
 * file in lower-case hex, microseconds not zero-padded, the same seconds
 * in both names) and the tmp name is removed: the names, the link/unlink
 * and the lazily made directories (0700: the Maildir and tmp when the
 * tmp file cannot be created, cur and new when the link fails) are those
 * observed from Postfix 3.7's local and virtual (docs/local.md). <host>
 * is the system's node name with '/' and ':' written as \057 and \072.
 *
 * Everything runs with the caller's effective ids (the recipient's).
 * Shared with virtual(8). Library code: nothing here exits. */
#ifndef MAILDIR_H
#define MAILDIR_H

#include "dsn_buf.h"
#include "stream.h"

/* The writer: put the message on dst; 0 or MAIL_COPY_STAT_* bits, with
 * the reason in why. */
typedef int (*MAILDIR_WRITE_FN) (STREAM *dst, void *ctx, DSN_BUF *why);

/* maildir_deliver - deliver into the Maildir at dir (a trailing '/' is
 * allowed); 0, or MAIL_COPY_STAT_* bits with the reason and a status in
 * why ("create maildir file PATH: REASON" for a file system problem,
 * errno then says which: EACCES is a permission problem) */
int     maildir_deliver(const char *dir, MAILDIR_WRITE_FN write_fn,
                        void *ctx, DSN_BUF *why);

/* maildir_host - the host part of the names (static) */
const char *maildir_host(void);

#endif
