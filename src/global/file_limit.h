/* file_limit - a mailbox size limit as the process's file size limit.
 *
 * local(8) (mailbox_size_limit) and virtual(8) (virtual_mailbox_limit)
 * limit how large a mailbox or Maildir file may grow the way Postfix
 * does: the limit becomes RLIMIT_FSIZE and SIGXFSZ is ignored, so a
 * write past it fails with EFBIG ("File too large", 5.2.2: the mailbox
 * is full and the message bounces). A limit below message_size_limit
 * would refuse mail that was accepted; it is a configuration error,
 * in Postfix's words "configuration error: NAME is smaller than
 * message_size_limit". Library code: nothing here exits. */
#ifndef FILE_LIMIT_H
#define FILE_LIMIT_H

#include "buf.h"

/* file_limit_set - limit in bytes (0: none) from the parameter name; 0,
 * or -1 with the reason in why */
int     file_limit_set(const char *name, long limit, BUF *why);

#endif
