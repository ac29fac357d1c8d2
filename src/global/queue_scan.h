/* queue_scan - list the files of one queue, hashed or not.
 *
 * qmgr, showq, postsuper and pickup walk a queue directory the same way:
 * every entry named like a queue id is returned with its path (relative
 * to the queue directory's parent, i.e. "deferred/B/BD588A740D4" when
 * the caller works inside $queue_directory), and one-character
 * subdirectories are entered, down to hash_queue_depth levels when the
 * queue is hashed (none when it is not). A file found at another level
 * than its hash says (moved by hand, or written before hash_queue_depth
 * changed) is returned all the same, with its real path. Names that are
 * not queue ids (temporary files with dots, "." and "..") and other
 * directories are skipped; anything else named like an id (a symbolic
 * link, a FIFO) is returned, for the caller to open safely and complain
 * about. Symbolic links are never followed into. The order is the
 * directory's.
 * Library code: nothing here exits. */
#ifndef QUEUE_SCAN_H
#define QUEUE_SCAN_H

#include "buf.h"
#include "mail_queue.h"

typedef struct QUEUE_SCAN QUEUE_SCAN;

/* queue_scan_open - start a scan; NULL with the reason in why when the
 * queue directory cannot be opened */
QUEUE_SCAN *queue_scan_open(const MAIL_QUEUE_CONF *conf, const char *queue,
                            BUF *why);

/* queue_scan_next - the next queue id (valid until the next call), with
 * its path in path; NULL at the end */
const char *queue_scan_next(QUEUE_SCAN *scan, BUF *path);

/* queue_scan_close - end a scan */
void    queue_scan_close(QUEUE_SCAN *scan);

#endif
